// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope usdt`: the USDT probes of a binary, or of a process and every
 * file it maps executable. Addresses, base and semaphore print exactly as
 * the note holds them (what readelf -n shows); offsets are what the kernel
 * is given (prelink-corrected, mapped through the program headers).
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binpath.h"
#include "commands.h"
#include "proc_files.h"
#include "target.h"
#include "util.h"
#include "../helpers/elf_funcs.h"
#include "../helpers/usdt_notes.h"

static bool matches(const struct usdt_note *n, const char *glob)
{
	char full[512];

	if (!glob)
		return true;
	snprintf(full, sizeof(full), "%s:%s", n->provider, n->name);
	return !fnmatch(glob, full, 0);
}

static void print_json(const char *bin, const struct usdt_note *n)
{
	fputs("{\"binary\": ", stdout);
	json_string(stdout, bin);
	fputs(", \"provider\": ", stdout);
	json_string(stdout, n->provider);
	fputs(", \"name\": ", stdout);
	json_string(stdout, n->name);
	printf(", \"address\": %llu, \"offset\": %llu, \"base\": %llu, \"semaphore\": %llu, "
	       "\"semaphore_offset\": %llu, \"args\": ",
	       (unsigned long long)n->pc, (unsigned long long)n->offset, (unsigned long long)n->base,
	       (unsigned long long)n->semaphore, (unsigned long long)n->sema_offset);
	json_string(stdout, n->args_str);
	if (n->args_err) {
		fputs(", \"args_error\": ", stdout);
		json_string(stdout, n->args_why);
	}
	fputs("}\n", stdout);
}

/* Aligned text, like tplist -l -v: one probe per line under its binary. */
static void print_text(const char *bin, const struct usdt_note *n, bool first_of_bin, bool first)
{
	char pn[512];

	if (first)
		printf("%-32s %-18s %-10s %-18s %-10s %s\n", "PROBE", "ADDRESS", "OFFSET", "SEMAPHORE",
		       "SEMA_OFF", "ARGS");
	if (first_of_bin)
		printf("%s:\n", bin);
	snprintf(pn, sizeof(pn), "%s:%s", n->provider, n->name);
	printf("%-32s 0x%016llx 0x%08llx 0x%016llx 0x%08llx %s", pn, (unsigned long long)n->pc,
	       (unsigned long long)n->offset, (unsigned long long)n->semaphore,
	       (unsigned long long)n->sema_offset, n->args_str);
	if (n->args_err)
		printf("  [unreadable: %s]", n->args_why);
	putchar('\n');
}

/* List one binary; returns 0, or 1 after printing why it could not be read. */
static int list_binary(const char *shown, const char *open_path, const char *glob, bool json,
		       bool quiet_errors, size_t *printed)
{
	struct usdt_note_list nl;
	bool any = false;
	size_t i;
	int err = usdt_notes__load(open_path, &nl);

	if (err) {
		if (!quiet_errors)
			err_msg("'%s': %s", shown, elf_strerror(err));
		return quiet_errors ? 0 : 1;
	}
	if (nl.skipped)
		warn_msg("'%s': skipped %zu malformed USDT note(s): %s", shown, nl.skipped, nl.skipped_why);
	for (i = 0; i < nl.cnt; i++) {
		const struct usdt_note *n = &nl.notes[i];

		if (!matches(n, glob))
			continue;
		if (json)
			print_json(shown, n);
		else
			print_text(shown, n, !any, !*printed);
		any = true;
		(*printed)++;
	}
	usdt_notes__free(&nl);
	return 0;
}

struct usdt_walk {
	const char *glob;
	bool json;
	size_t printed;
};

static int list_one(const char *shown, const char *open_path, bool is_exe, void *ctx)
{
	struct usdt_walk *w = ctx;

	return list_binary(shown, open_path, w->glob, w->json, !is_exe, &w->printed);
}

/* Every distinct file PID maps executable, the executable first. */
static int list_process(struct target *t, const char *glob, bool json, size_t *printed)
{
	struct usdt_walk w = { .glob = glob, .json = json, .printed = *printed };
	int status = proc_files__each(t, list_one, &w);

	*printed = w.printed;
	return status;
}

int cmd_usdt(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct target t = { .pidfd = -1, .go_fd = -1 };
	const char *pid = NULL, *glob = NULL;
	char *shown, *open_path;
	size_t printed = 0;
	bool json = false;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			pid = optarg;
			break;
		case 'h':
			printf("Usage: uscope usdt [--json] BINARY [PROVIDER:NAME]\n"
			       "       uscope usdt [--json] -p PID [PROVIDER:NAME]\n"
			       "List the USDT probes (.note.stapsdt) of BINARY, or of the executable and\n"
			       "every library mapped by PID. PROVIDER:NAME may hold globs.\n");
			return 0;
		case ':':
			err_msg("option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			err_msg("unknown option '%s' (see uscope usdt --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (pid) {
		if (argc - optind > 1) {
			err_msg("too many arguments (usage: uscope usdt [--json] -p PID [PROVIDER:NAME])");
			return EXIT_USAGE;
		}
		glob = optind < argc ? argv[optind] : NULL;
		if (target__open_pid(&t, pid)) {
			target__close(&t, false);
			return 1;
		}
		status = list_process(&t, glob, json, &printed);
		target__close(&t, false);
		return status;
	}
	if (optind >= argc || argc - optind > 2) {
		err_msg("expected a binary (usage: uscope usdt [--json] BINARY [PROVIDER:NAME])");
		return EXIT_USAGE;
	}
	glob = optind + 1 < argc ? argv[optind + 1] : NULL;
	/* A path, a library name or a program on PATH, as trace -x takes it. */
	if (binpath_resolve(argv[optind], &t, &shown, &open_path))
		return 1;
	status = list_binary(shown, open_path, glob, json, false, &printed);
	free(shown);
	free(open_path);
	return status;
}
