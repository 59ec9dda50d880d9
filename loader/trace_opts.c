// SPDX-License-Identifier: BSD-2-Clause
/* Parses and validates `uscope trace` options; every bad value is named in its message. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "metrics_http.h"
#include "trace_opts.h"
#include "follow.h"
#include "plan.h"
#include "util.h"
#include "../probes/uscope.h"

static void trace_usage(FILE *f)
{
	fprintf(f,
"Usage: uscope trace [options] PROBE...\n"
"Attach to functions and USDT probes of binaries and report hits.\n"
"\n"
"Where:\n"
"  -x, --binary BIN      binary to probe: a path, a library name (libc, libc.so.6)\n"
"                        or a program on PATH; repeatable (default: the executable\n"
"                        of -p or -c)\n"
"  -p, --pid PID         trace only this process (all its threads); end when it exits\n"
"  -c, --command CMD     run CMD (split like a shell would) with the probes already\n"
"                        attached, trace only it, end when it exits\n"
"  -f, --follow          with -p or -c: also every process it forks, and theirs,\n"
"                        from their first instruction; end when all have exited\n"
"      --cgroup PATH     every process in this cgroup v2 directory and below it\n"
"                        (/sys/fs/cgroup/... or a path like /system.slice/x.service)\n"
"      --tid TID         trace only this thread\n"
"      --uid UID         trace only processes of this user\n"
"      --filter EXPR     keep only hits where EXPR holds, evaluated in BPF, e.g.\n"
"                        'arg0 > 5 && comm == \"umark\"', 'ret < 0', '!(arg1 & 0x4)'\n"
"                        (operands argN ret pid tid uid comm str(argN); see README)\n"
"What:\n"
"      --count           print hit counts per probe at the end instead of events\n"
"      --by KEY[,KEY...] with --count, --latency, --hist or --lhist: one row or\n"
"                        histogram per probe and key; KEY is pid, tid, uid, comm,\n"
"                        argN, ret or str(argN) (at most 4 keys)\n"
"      --by-max N        rows in the --by key table (default 10240; a histogram\n"
"                        takes one per key and bucket); hits with a new row once\n"
"                        it is full are reported as dropped\n"
"      --hist VALUE      log2 histogram of VALUE (argN or ret) per probe\n"
"      --lhist VALUE,MIN,MAX,STEP  linear histogram, with under- and overflow\n"
"      --latency         time each matching function (entry to return, per thread and\n"
"                        call depth) and print log2 histograms\n"
"      --args N          function arguments to record, 0-6 (default 6)\n"
"      --str K           also read argument K (0-11) as a C string; repeatable (up\n"
"                        to 4); one that cannot be read shows as <unreadable>\n"
"      --str-len N       bytes kept of each string, 2-4096 (default 64)\n"
"      --hex             print values in hex (text output)\n"
"How long and how:\n"
"  -d, --duration SECS   stop after SECS (fractions allowed)\n"
"  -i, --interval SECS   print counts or histograms every SECS\n"
"      --top N           with counts and histograms, only the N busiest\n"
"      --json            JSON Lines on stdout\n"
"      --no-demangle     show C++ and Rust functions by their raw symbol names\n"
"      --attach MODE     auto (default), multi (uprobe_multi links), perf (perf-event\n"
"                        uprobes) or nocookie (kernels before 5.15; needs -p or -c)\n"
"      --ringbuf-size N  ring buffer bytes, a power of 2 >= 4096 (default 4 MiB)\n"
"      --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
"                        until stopped (counts, or --latency histograms); ADDR\n"
"                        defaults to 127.0.0.1 (0.0.0.0 only when written out)\n"
"      --noop            attach an empty program to entries (benchmark floor)\n"
"      --ret-mode MODE   how returns are probed: auto (default: uretprobes, but\n"
"                        return instructions in Go and where a C++ exception may\n"
"                        unwind), insn (probes on every ret and tail-call jmp of\n"
"                        the function), uretprobe (no automatic insn mode)\n"
"      --late-room N     sites kept for libraries named by a file name no file matches\n"
"                        yet (-x libplug.so), attached when dlopen maps them (default 4096)\n"
"      --no-skip-endbr   keep entry probes on a leading endbr64 (by default they move\n"
"                        past it when that counts the same calls: ~10x cheaper a hit)\n"
"      --offset OFF      also probe the raw file offset OFF of the first binary: an\n"
"                        instruction start in a function (decoded from its start) or\n"
"                        a USDT location; anything else is refused\n"
"      --unsafe-offset OFF  the same for any OFF in an executable segment, unchecked:\n"
"                        if OFF is not the start of an instruction, the kernel writes\n"
"                        its breakpoint into the middle of one and the target computes\n"
"                        wrong results or crashes\n"
STACK_USAGE
"  -v, --verbose         libbpf's debug output on stderr (the verifier log included)\n"
"  -h, --help            this help\n"
"\n"
"PROBE:\n"
"  GLOB                  entry of every function matching GLOB (fnmatch)\n"
"  ret:GLOB              return of every function matching GLOB (signed return value)\n"
"  GLOB+OFF              OFF bytes into every function matching GLOB; refused unless\n"
"                        an instruction the kernel can probe starts there\n"
"  usdt:PROVIDER:NAME    every USDT probe matching, globs allowed in both parts\n"
"  Each may name its binary: BIN:GLOB, ret:BIN:GLOB, usdt:BIN:PROVIDER:NAME\n"
"\n"
"Examples:\n"
"  uscope trace -c './build/umark -n 3 -i 0' --args 2 func_uprobe1 ret:func_uprobe1\n"
"  uscope trace -p 1234 --count -i 1 --top 10 'umark_op_*'\n"
"  uscope trace -p 1234 --latency 'umark_sleep_*'\n"
"  uscope trace -p 1234 -x libc --str 0 'open*'\n"
"  uscope trace -x ./build/umark -d 5 --json 'usdt:group*:*'\n"
"  uscope trace -x /usr/sbin/nginx --metrics 127.0.0.1:9435 --latency 'ngx_http_*'\n"
"  uscope trace -f -c 'make -j2' -x libc --count malloc\n"
"  uscope trace --cgroup /system.slice/nginx.service -x nginx --count 'ngx_http_*'\n");
}

static int bad(const char *what, const char *value, const char *expected)
{
	err_msg("invalid %s '%s': expected %s", what, value, expected);
	return -EINVAL;
}

enum { OPT_ATTACH = 256, OPT_COUNT, OPT_JSON, OPT_ARGS, OPT_HEX, OPT_RINGBUF, OPT_NOOP,
       OPT_LATENCY, OPT_TOP, OPT_STR, OPT_TID, OPT_UID, OPT_OFFSET, OPT_UNSAFE_OFFSET, OPT_NO_DEMANGLE, OPT_FILTER, OPT_BY,
       OPT_BY_MAX, OPT_HIST, OPT_LHIST,
       OPT_METRICS, OPT_CGROUP,
       OPT_NO_SKIP_ENDBR, OPT_STR_LEN, OPT_RET_MODE, OPT_LATE_ROOM };

/*
 * Option C with its value optarg into O; 0 or -EINVAL after one message.
 * Longer than 80 lines: one short case per option, read as a table.
 */
static int parse_one(int c, char **argv, struct trace_opts *o)
{
	uint64_t v;

	switch (c) {
	case 'x':
		if (o->nbinaries == MAX_BINARY_OPTS) {
			err_msg("too many -x (at most %d)", MAX_BINARY_OPTS);
			return -EINVAL;
		}
		o->binaries[o->nbinaries++] = optarg;
		return 0;
	case 'p':
		if (!parse_u64(optarg, INT32_MAX, &v) || !v)
			return bad("PID", optarg, "a process id");
		o->pid = optarg;
		return 0;
	case 'c':
		o->command = optarg;
		return 0;
	case 'f':
		o->follow = true;
		return 0;
	case OPT_CGROUP:
		o->cgroup = optarg;
		return 0;
	case 'd':
		if (!parse_seconds(optarg, &o->duration))
			return bad("duration", optarg, "a positive number of seconds");
		return 0;
	case 'i':
		if (!parse_seconds(optarg, &o->interval))
			return bad("interval", optarg, "a positive number of seconds");
		return 0;
	case OPT_ATTACH:
		if (!strcmp(optarg, "auto"))
			o->attach = ATTACH_AUTO;
		else if (!strcmp(optarg, "multi"))
			o->attach = ATTACH_MULTI;
		else if (!strcmp(optarg, "perf"))
			o->attach = ATTACH_PERF;
		else if (!strcmp(optarg, "nocookie"))
			o->attach = ATTACH_NOCOOKIE;
		else
			return bad("--attach mode", optarg, "auto, multi, perf or nocookie");
		return 0;
	case OPT_COUNT:
		o->count = true;
		return 0;
	case OPT_LATENCY:
		o->latency = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_HEX:
		o->hex = true;
		return 0;
	case OPT_NO_SKIP_ENDBR:
		o->no_skip_endbr = true;
		return 0;
	case OPT_RET_MODE:
		if (!strcmp(optarg, "auto"))
			o->ret_mode = RET_MODE_AUTO;
		else if (!strcmp(optarg, "insn"))
			o->ret_mode = RET_MODE_INSN;
		else if (!strcmp(optarg, "uretprobe"))
			o->ret_mode = RET_MODE_URETPROBE;
		else
			return bad("--ret-mode", optarg, "auto, insn or uretprobe");
		return 0;
	case OPT_NOOP:
		o->noop = true;
		return 0;
	case OPT_NO_DEMANGLE:
		o->no_demangle = true;
		return 0;
	case OPT_ARGS:
		if (!parse_u64(optarg, USCOPE_FUNC_ARGS, &v))
			return bad("--args", optarg, "0 to 6");
		o->nargs = v;
		return 0;
	case OPT_STR:
		if (!parse_u64(optarg, USCOPE_MAX_ARGS - 1, &v))
			return bad("--str", optarg, "an argument index from 0 to 11");
		o->str_mask |= 1u << v;
		if (__builtin_popcount(o->str_mask) > USCOPE_MAX_STRS) {
			err_msg("too many --str (at most %d arguments)", USCOPE_MAX_STRS);
			return -EINVAL;
		}
		return 0;
	case OPT_STR_LEN:
		if (!parse_u64(optarg, USCOPE_STR_MAX_LEN, &v) || v < 2)
			return bad("--str-len", optarg, "a length from 2 to 4096");
		o->str_len = v;
		return 0;
	case OPT_TOP:
		if (!parse_u64(optarg, SIZE_MAX, &v) || !v)
			return bad("--top", optarg, "a positive number");
		o->top = v;
		return 0;
	case OPT_TID:
		if (!parse_u64(optarg, INT32_MAX, &v) || !v)
			return bad("--tid", optarg, "a thread id");
		o->tid = v;
		return 0;
	case OPT_UID:
		if (!parse_u64(optarg, UINT32_MAX - 1, &v))
			return bad("--uid", optarg, "a numeric user id");
		o->uid = v;
		return 0;
	case OPT_RINGBUF:
		if (!parse_u64(optarg, 1ull << 30, &v) || v < 4096 || (v & (v - 1)))
			return bad("--ringbuf-size", optarg, "a power of 2 from 4096 to 1 GiB");
		o->ringbuf_size = v;
		return 0;
	case OPT_OFFSET:
	case OPT_UNSAFE_OFFSET:
		if (!parse_u64(optarg, UINT64_MAX, &v))
			return bad(c == OPT_OFFSET ? "--offset" : "--unsafe-offset", optarg,
				   "a file offset, e.g. 0x1139");
		if (o->noffsets == MAX_BINARY_OPTS) {
			err_msg("too many --offset (at most %d)", MAX_BINARY_OPTS);
			return -EINVAL;
		}
		o->offset_unsafe[o->noffsets] = c == OPT_UNSAFE_OFFSET;
		o->offsets[o->noffsets++] = v;
		return 0;
	case OPT_FILTER:
		if (o->filter) {
			err_msg("--filter given twice (join the tests with && or ||)");
			return -EINVAL;
		}
		o->filter = optarg;
		return 0;
	case OPT_BY:
		o->by = optarg;
		return 0;
	case OPT_BY_MAX:
		if (!parse_u64(optarg, 1u << 24, &v) || !v)
			return bad("--by-max", optarg, "a number of rows from 1 to 16777216");
		o->by_max = v;
		return 0;
	case OPT_LATE_ROOM:
		if (!parse_u64(optarg, 1u << 20, &v))
			return bad("--late-room", optarg, "a number of sites from 0 to 1048576");
		o->late_room = v;
		return 0;
	case OPT_HIST:
		o->hist = optarg;
		return 0;
	case OPT_LHIST:
		o->lhist = optarg;
		return 0;
	case OPT_METRICS:
		if (metrics_addr__parse(optarg, &(struct metrics_addr){}))
			return -EINVAL;
		o->metrics = optarg;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		trace_usage(stdout);
		exit(0);
	case ':':
		err_msg("option '%s' needs a value", argv[optind - 1]);
		return -EINVAL;
	default:
		if ((c = stack_opts__option(&o->stack, c, optarg)) != 0)
			return c < 0 ? c : 0;
		err_msg("unknown option '%s' (see uscope trace --help)", argv[optind - 1]);
		return -EINVAL;
	}
}

/* --metrics serves counts (the default) or histograms, never events. */
static int validate_metrics(struct trace_opts *o)
{
	if (!o->metrics)
		return 0;
	/* Value histograms (--hist/--lhist, keyed or not) have no Prometheus family yet. */
	if (o->hist || o->lhist) {
		err_msg("--metrics serves counts or --latency histograms, not --hist/--lhist value histograms");
		return -EINVAL;
	}
	if (o->noop || o->str_mask || o->json || o->interval) {
		err_msg("--metrics serves counts or --latency histograms; it cannot be used with --noop, --str, "
			"--json or --interval");
		return -EINVAL;
	}
	if (!o->latency)
		o->count = true;
	return 0;
}

/* The checks that need every option: combinations and defaults. */
static int validate(struct trace_opts *o)
{
	int c;

	if (validate_metrics(o))
		return -EINVAL;

	if (o->pid && o->command) {
		err_msg("-p and -c cannot be used together");
		return -EINVAL;
	}
	if (follow__check_opts(o))
		return -EINVAL;
	if (o->count + o->latency + o->noop + !!(o->hist || o->lhist) > 1) {
		err_msg("--count, --latency, --hist/--lhist and --noop cannot be used together");
		return -EINVAL;
	}
	if (o->hist && o->lhist) {
		err_msg("--hist and --lhist: one value histogram per run");
		return -EINVAL;
	}
	if (o->interval && !o->count && !o->latency && !o->hist && !o->lhist) {
		err_msg("--interval needs --count, --latency, --hist or --lhist");
		return -EINVAL;
	}
	if (o->by && !o->count && !o->latency && !o->hist && !o->lhist) {
		err_msg("--by needs --count, --latency, --hist or --lhist");
		return -EINVAL;
	}
	if (o->str_mask && (o->count || o->latency || o->noop)) {
		err_msg("--str prints events; it cannot be used with --count or --latency");
		return -EINVAL;
	}
	for (c = o->nargs; c < USCOPE_FUNC_ARGS; c++)
		if (o->str_mask & (1u << c))
			o->nargs = c + 1;	/* the string's pointer is an argument too */
	for (c = 0; o->latency && c < o->nprobes; c++) {
		if (!strncmp(o->probes[c], "ret:", 4) || !strncmp(o->probes[c], "usdt:", 5)) {
			err_msg("probe '%s': --latency takes function globs only (it adds the returns itself)",
				o->probes[c]);
			return -EINVAL;
		}
	}
	if (o->latency && o->noffsets) {
		err_msg("--offset cannot be used with --latency");
		return -EINVAL;
	}
	o->stack.verbose = o->verbose;
	if (stack_opts__check(&o->stack, &o->count, o->latency, o->noop, o->str_mask != 0))
		return -EINVAL;
	/* Keyed latency keeps its samples in by_lat, the stack's own histograms are per stack: not both. */
	if (o->latency && o->by && o->stack.want != STACK_NONE) {
		err_msg("--latency --stack cannot be used with --by (yet): use one of them");
		return -EINVAL;
	}
	/* A stack record carries the event without the string slots. */
	if (o->str_mask && o->stack.want != STACK_NONE) {
		err_msg("--str cannot be used with --stack (yet)");
		return -EINVAL;
	}
	if (!o->nprobes && !o->noffsets) {
		err_msg("no probe given (see uscope trace --help)");
		return -EINVAL;
	}
	return 0;
}

int trace_opts__parse(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "binary", required_argument, NULL, 'x' },
		{ "pid", required_argument, NULL, 'p' },
		{ "command", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "follow", no_argument, NULL, 'f' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "count", no_argument, NULL, OPT_COUNT },
		{ "latency", no_argument, NULL, OPT_LATENCY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "args", required_argument, NULL, OPT_ARGS },
		{ "str", required_argument, NULL, OPT_STR },
		{ "str-len", required_argument, NULL, OPT_STR_LEN },
		{ "late-room", required_argument, NULL, OPT_LATE_ROOM },
		{ "hex", no_argument, NULL, OPT_HEX },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "noop", no_argument, NULL, OPT_NOOP },
		{ "no-skip-endbr", no_argument, NULL, OPT_NO_SKIP_ENDBR },
		{ "ret-mode", required_argument, NULL, OPT_RET_MODE },
		{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "by", required_argument, NULL, OPT_BY },
		{ "by-max", required_argument, NULL, OPT_BY_MAX },
		{ "hist", required_argument, NULL, OPT_HIST },
		{ "lhist", required_argument, NULL, OPT_LHIST },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "unsafe-offset", required_argument, NULL, OPT_UNSAFE_OFFSET },
		{ "verbose", no_argument, NULL, 'v' },
		STACK_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->nargs = USCOPE_FUNC_ARGS;
	o->str_len = USCOPE_STR_LEN;
	o->tid = o->uid = USCOPE_NO_FILTER;
	o->ringbuf_size = 4 << 20;
	o->by_max = USCOPE_BY_DEFAULT_MAX;
	o->late_room = 4096;	/* LATE_ROOM_DEFAULT (late.h) */
	stack_opts__init(&o->stack);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":x:p:c:fd:i:vh", longopts, NULL)) != -1) {
		int err = parse_one(c, argv, o);

		if (err)
			return err;
	}
	o->probes = argv + optind;
	o->nprobes = argc - optind;
	return validate(o);
}
