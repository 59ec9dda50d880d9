// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope funcs`: the functions of a binary (or of every file a process runs
 * code from) with their file offsets, as uscope will probe them, and where
 * each one's name came from (.symtab, a debug file, .dynsym, ...).
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "binpath.h"
#include "commands.h"
#include "func_names.h"
#include "proc_files.h"
#include "target.h"
#include "util.h"
#include "../helpers/dwarf_sigs.h"
#include "../helpers/elf_funcs.h"
#include "../helpers/insn_cost.h"
#include "list_returns.h"

struct funcs_req {
	char **globs;
	int nglobs;
	bool json, raw, headings;
	bool header_done;
	bool cost;		/* --cost: first instruction and the kernel's class */
};

/* --cost: the first instruction of F in the file FD, and the kernel's class for a probe there. */
static void first_insn(int fd, const struct elf_func *f, struct insn_info *ii)
{
	uint8_t buf[15];
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf), (off_t)f->offset) : -1;

	insn_cost__classify(buf, n > 0 ? (size_t)n : 0, f->addr, ii);
}

/* The --cost part of a JSON line, after its other fields. */
static void print_json_cost(const struct insn_info *ii)
{
	fputs(", \"first_insn\": ", stdout);
	json_string(stdout, ii->text);
	printf(", \"first_insn_bytes\": \"%s\", \"cost\": \"%s\"", ii->hex, insn_cost_name(ii->cost));
	if (ii->why) {
		fputs(", \"why\": ", stdout);
		json_string(stdout, ii->why);
	}
}

static bool wanted(const struct funcs_req *r, const struct elf_func *f)
{
	int i;

	if (!r->nglobs)
		return true;
	for (i = 0; i < r->nglobs; i++)
		if (func_glob_match(r->globs[i], f))
			return true;
	return false;
}

static void print_json(const char *bin, const struct elf_func *f, bool demangle, const struct insn_info *ii)
{
	fputs("{\"binary\": ", stdout);
	json_string(stdout, bin);
	fputs(", \"name\": ", stdout);
	json_string(stdout, f->name);
	if (demangle && f->demangled) {
		fputs(", \"demangled\": ", stdout);
		json_string(stdout, f->demangled);
	}
	printf(", \"address\": %llu, \"offset\": %llu, \"size\": %llu, \"bind\": \"%s\", "
	       "\"type\": \"%s\", \"source\": \"%s\"",
	       (unsigned long long)f->addr, (unsigned long long)f->offset,
	       (unsigned long long)f->size, elf_bind_name(f->bind), f->ifunc ? "ifunc" : "func",
	       elf_source_name(f->source));
	if (ii)
		print_json_cost(ii);
	fputs("}\n", stdout);
}

/* List one binary; 0, or 1 after printing why it could not be read. */
static int list_binary(const char *shown, const char *open_path, bool is_exe, void *ctx)
{
	struct funcs_req *r = ctx;
	struct elf_funcs_opts opts = { .sz = sizeof(opts) };
	struct elf_func_list fl;
	bool any = false;
	struct insn_info ii;
	size_t i;
	int err, fd = -1;

	for (i = 0; i < (size_t)r->nglobs; i++)
		if (func_glob_wants_base(r->globs[i]))
			opts.flags |= ELF_FUNCS_BASE_NAMES;
	if (r->raw && !(opts.flags & ELF_FUNCS_BASE_NAMES))
		opts.flags |= ELF_FUNCS_NO_DEMANGLE;
	err = elf_funcs__load_opts(open_path, &opts, &fl);
	if (err) {
		if (is_exe)	/* a library of -p that cannot be read is skipped */
			err_msg("'%s': %s", shown, elf_strerror(err));
		return is_exe ? 1 : 0;
	}
	if (!r->headings || is_exe)	/* -p: hints for the executable only */
		func_names__report(shown, &fl);
	if (!r->json && !r->header_done) {
		printf("%-18s %-18s %8s %-6s %-5s %-13s ", "OFFSET", "ADDRESS", "SIZE", "BIND", "TYPE", "SOURCE");
		if (r->cost)
			printf("%-11s %-28s ", "COST", "FIRST_INSN");
		printf("NAME\n");
		r->header_done = true;
	}
	if (r->cost)
		fd = open(open_path, O_RDONLY | O_CLOEXEC);	/* unreadable: every class says so */
	for (i = 0; i < fl.cnt; i++) {
		const struct elf_func *f = &fl.funcs[i];

		if (!wanted(r, f))
			continue;
		if (r->cost)
			first_insn(fd, f, &ii);
		if (r->json) {
			print_json(shown, f, !r->raw, r->cost ? &ii : NULL);
			continue;
		}
		if (r->headings && !any)
			printf("%s:\n", shown);
		any = true;
		printf("0x%016llx 0x%016llx %8llu %-6s %-5s %-13s ", (unsigned long long)f->offset,
		       (unsigned long long)f->addr, (unsigned long long)f->size,
		       elf_bind_name(f->bind), f->ifunc ? "ifunc" : "func", elf_source_name(f->source));
		if (r->cost)
			printf("%-11s %-28s ", insn_cost_name(ii.cost), ii.text);
		printf("%s\n", func_shown_name(f, !r->raw));
	}
	if (fd >= 0)
		close(fd);
	elf_funcs__free(&fl);
	return 0;
}

static bool sig_wanted(const char *name, char **globs, int nglobs)
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
	int err = dwarf_sigs__load(path, &l), p, shown;

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

		if (!sig_wanted(s->name, globs, nglobs))
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
		for (p = 0, shown = 0; p < s->nparams; p++) {
			if (s->params[p].hidden)	/* the return slot is not a source parameter */
				continue;
			fputs(shown++ ? ", {\"name\": " : "{\"name\": ", stdout);
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

static const char usage[] =
	"Usage: uscope funcs [--json] [--no-demangle] [--cost] BINARY [GLOB...]\n"
	"       uscope funcs [--json] [--no-demangle] -p PID [GLOB...]\n"
	"       uscope funcs --args [--json] BINARY [GLOB...]\n"
	"       uscope funcs --returns [--no-demangle] BINARY [GLOB...]\n";

static int list_pid(const char *pid, struct funcs_req *r)
{
	struct target t = { .pidfd = -1, .go_fd = -1 };
	uint64_t v;
	int status;

	if (!parse_u64(pid, INT32_MAX, &v) || !v) {
		err_msg("invalid PID '%s' (expected a process id)", pid);
		return EXIT_USAGE;
	}
	if (target__open_pid(&t, pid)) {
		target__close(&t, false);
		return 1;
	}
	r->headings = true;
	status = proc_files__each(&t, list_binary, r);
	target__close(&t, false);
	return status;
}

int cmd_funcs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-demangle", no_argument, NULL, 'r' },
		{ "args", no_argument, NULL, 'a' },
		{ "cost", no_argument, NULL, 'c' },
		{ "returns", no_argument, NULL, 'R' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct target none = { .pidfd = -1, .go_fd = -1 };
	struct funcs_req r = { 0 };
	const char *pid = NULL;
	char *shown, *open_path;
	bool args = false, returns = false;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			r.json = true;
			break;
		case 'r':
			r.raw = true;
			break;
		case 'a':
			args = true;
			break;
		case 'c':
			r.cost = true;
			break;
		case 'R':
			returns = true;
			break;
		case 'p':
			pid = optarg;
			break;
		case 'h':
			printf("%s"
			       "List the functions of BINARY (a path, a library name such as libc, or a\n"
			       "program on PATH), or of the executable and every library of PID, with\n"
			       "their file offsets (where uprobes are placed) and the SOURCE of each name:\n"
			       "symtab, build-id, debuglink, debuginfod, minidebuginfo or dynsym.\n"
			       "C++ and Rust names are demangled; a GLOB with '::' matches demangled\n"
			       "names without parameters, one with '(' the full signature.\n"
			       "Debug files are searched under $USCOPE_DEBUG_ROOT (colon-separated),\n"
			       "else /usr/lib/debug, and on $DEBUGINFOD_URLS when set.\n"
			       "  --args  print each function's signature from DWARF instead\n"
			       "  --cost  add each function's first instruction and how the kernel handles\n"
			       "          a probe there: optimized (~0.3 us a hit here), emulated (~0.6 us),\n"
			       "          single-step (5-7 us) or unprobeable\n"
			       "  --returns  list each function's return instructions (ret, tail-call jmp,\n"
			       "          its NAME.cold part's), where trace --ret-mode insn probes, or\n"
			       "          why a function is refused\n", usage);
			return 0;
		case ':':
			err_msg("option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			err_msg("unknown option '%s' (see uscope funcs --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (args && r.cost) {
		err_msg("--args and --cost cannot be used together");
		return EXIT_USAGE;
	}
	if (returns && (args || r.cost || r.json || pid)) {
		err_msg("--returns takes a BINARY alone (not with --args, --cost, --json or -p)");
		return EXIT_USAGE;
	}
	if (pid && args) {
		err_msg("--args takes a BINARY, not -p (usage: uscope funcs --args BINARY [GLOB...])");
		return EXIT_USAGE;
	}
	if (pid) {
		r.globs = argv + optind;
		r.nglobs = argc - optind;
		return list_pid(pid, &r);
	}
	if (optind >= argc) {
		err_msg("no binary given (usage: uscope funcs [--json] BINARY [GLOB...])");
		return EXIT_USAGE;
	}
	r.globs = argv + optind + 1;
	r.nglobs = argc - optind - 1;
	/* A path, a library name or a program on PATH, as trace -x takes it. */
	if (binpath_resolve(argv[optind], &none, &shown, &open_path))
		return 1;
	if (returns)
		status = list_returns(shown, open_path, r.globs, r.nglobs, r.raw);
	else
		status = args ? list_signatures(open_path, r.globs, r.nglobs, r.json)
			      : list_binary(shown, open_path, true, &r);
	free(shown);
	free(open_path);
	return status;
}
