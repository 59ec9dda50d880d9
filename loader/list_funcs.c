// SPDX-License-Identifier: BSD-2-Clause
/* `uscope funcs`: the functions of a binary with their file offsets, as uscope will probe them. */
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include "commands.h"
#include "util.h"
#include "../helpers/elf_funcs.h"
#include "../helpers/dwarf_sigs.h"

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

/* --args: the DWARF signatures of the functions matching GLOBS, like bpftrace -lv. */
static int list_signatures(const char *path, char **globs, int nglobs, bool json)
{
	struct dwarf_sig_list l;
	char buf[1024];
	size_t i;
	int err = dwarf_sigs__load(path, &l), p;

	if (err) {
		err_msg("'%s': cannot read DWARF: %s", path, strerror(-err));
		return 1;
	}
	if (!l.has_dwarf) {
		err_msg("'%s': no DWARF (.debug_info): build with -g, or point at the debug file", path);
		return 1;
	}
	for (i = 0; i < l.cnt; i++) {
		const struct dwarf_sig *s = &l.sigs[i];

		if (!wanted(s->name, globs, nglobs))
			continue;
		if (!json) {
			dwarf_sig__format(s, buf, sizeof(buf));
			puts(buf);
			continue;
		}
		fputs("{\"name\": ", stdout);
		json_string(stdout, s->name);
		fputs(", \"return\": ", stdout);
		json_string(stdout, s->ret.text);
		fputs(", \"args\": [", stdout);
		for (p = 0; p < s->nparams; p++) {
			fputs(p ? ", {\"name\": " : "{\"name\": ", stdout);
			json_string(stdout, s->params[p].name);
			fputs(", \"type\": ", stdout);
			json_string(stdout, s->params[p].type.text);
			fputc('}', stdout);
		}
		printf("], \"variadic\": %s}\n", s->more_params ? "true" : "false");
	}
	dwarf_sigs__free(&l);
	return 0;
}

int cmd_funcs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "args", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct elf_func_list fl;
	bool json = false, args = false;
	size_t i;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'a':
			args = true;
			break;
		case 'h':
			printf("Usage: uscope funcs [--json] [--args] BINARY [GLOB...]\n"
			       "List the functions of BINARY (from .symtab, else .dynsym) with their\n"
			       "file offsets, the offsets uprobes are placed at.\n"
			       "  --args  print each function's signature from DWARF instead\n");
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
	if (args)
		return list_signatures(argv[optind], argv + optind + 1, argc - optind - 1, json);
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
