// SPDX-License-Identifier: BSD-2-Clause
/* `uscope funcs`: the functions of a binary with their file offsets, as uscope will probe them. */
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include "commands.h"
#include "util.h"
#include "../helpers/elf_funcs.h"

static bool wanted(const char *name, char **globs, int nglobs)
{
	int i;

	if (!nglobs)
		return true;
	for (i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], name, 0))
			return true;
	return false;
}

int cmd_funcs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct elf_func_list fl;
	bool json = false;
	size_t i;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: uscope funcs [--json] BINARY [GLOB...]\n"
			       "List the functions of BINARY (from .symtab, else .dynsym) with their\n"
			       "file offsets, the offsets uprobes are placed at.\n");
			return 0;
		default:
			err_msg("unknown option '%s' (see uscope funcs --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		err_msg("no binary given (usage: uscope funcs [--json] BINARY [GLOB...])");
		return EXIT_USAGE;
	}
	err = elf_funcs__load(argv[optind], &fl);
	if (err) {
		err_msg("'%s': %s", argv[optind], elf_strerror(err));
		return 1;
	}
	if (!json)
		printf("%-18s %-18s %8s %-6s %-5s %s\n", "OFFSET", "ADDRESS", "SIZE", "BIND", "TYPE", "NAME");
	for (i = 0; i < fl.cnt; i++) {
		const struct elf_func *f = &fl.funcs[i];

		if (!wanted(f->name, argv + optind + 1, argc - optind - 1))
			continue;
		if (json) {
			fputs("{\"name\": ", stdout);
			json_string(stdout, f->name);
			printf(", \"address\": %llu, \"offset\": %llu, \"size\": %llu, \"bind\": \"%s\", \"type\": \"%s\"}\n",
			       (unsigned long long)f->addr, (unsigned long long)f->offset,
			       (unsigned long long)f->size, elf_bind_name(f->bind), f->ifunc ? "ifunc" : "func");
		} else {
			printf("0x%016llx 0x%016llx %8llu %-6s %-5s %s\n", (unsigned long long)f->offset,
			       (unsigned long long)f->addr, (unsigned long long)f->size,
			       elf_bind_name(f->bind), f->ifunc ? "ifunc" : "func", f->name);
		}
	}
	elf_funcs__free(&fl);
	return 0;
}
