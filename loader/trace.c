// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope trace`: the skeleton's whole life in one place.
 *
 *   parse argv -> check privileges -> find the target -> build the plan ->
 *   open the BPF object, size its maps from the plan, set the read-only
 *   knobs -> load (one verifier run per program, whatever the site count) ->
 *   attach -> release a -c child -> poll events / wait -> detach -> drain
 *   what is left in the ring buffer -> print counts and the summary.
 *
 * SIGINT and SIGTERM only set a flag; every stage checks it, and the one
 * cleanup path detaches everything, so an interrupted uscope leaves nothing
 * attached (links are fds: even SIGKILL cannot leak a probe).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "commands.h"
#include "output.h"
#include "plan.h"
#include "target.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/kernel_features.h"

struct trace_opts {
	const char *binary;	/* -x */
	const char *pid;	/* -p */
	const char *command;	/* -c */
	double duration;	/* -d, 0: until stopped */
	enum attach_mode attach;
	bool count;
	bool json;
	bool hex;
	bool noop;
	int nargs;
	uint64_t ringbuf_size;
	char **probes;
	int nprobes;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void trace_usage(FILE *f)
{
	fprintf(f,
"Usage: uscope trace [options] PROBE...\n"
"Attach to functions and USDT probes of a binary and report hits.\n"
"\n"
"Options:\n"
"  -x, --binary PATH     the binary to probe (default: the executable of -p or -c)\n"
"  -p, --pid PID         trace only this running process; end when it exits\n"
"  -c, --command CMD     run CMD (split like a shell would) with the probes already\n"
"                        attached, trace only it, end when it exits\n"
"  -d, --duration SECS   stop after SECS (fractions allowed)\n"
"      --attach MODE     auto (default), multi (uprobe_multi links) or perf\n"
"      --count           print hit counts per probe at the end instead of events\n"
"      --json            JSON Lines on stdout\n"
"      --args N          function arguments to record, 0-6 (default 6)\n"
"      --hex             print values in hex (text output)\n"
"      --ringbuf-size N  ring buffer bytes, a power of 2 >= 4096 (default 4 MiB)\n"
"      --noop            attach an empty program to entries (benchmark floor; counts nothing)\n"
"  -h, --help            this help\n"
"\n"
"PROBE:\n"
"  GLOB                  entry of every function matching GLOB (fnmatch)\n"
"  ret:GLOB              return of every function matching GLOB (prints the return value)\n"
"  usdt:PROVIDER:NAME    every USDT probe matching, globs allowed in both parts\n"
"  Each may name its binary: BINARY:GLOB, ret:BINARY:GLOB, usdt:BINARY:PROVIDER:NAME\n"
"\n"
"Examples:\n"
"  uscope trace -c './build/umark -n 3 -i 0' func_uprobe1 ret:func_uprobe1\n"
"  uscope trace -p 1234 --count 'umark_op_*'\n"
"  uscope trace -x ./build/umark -d 5 --json 'usdt:group*:*'\n");
}

static int parse_trace_args(int argc, char **argv, struct trace_opts *o)
{
	enum { OPT_ATTACH = 256, OPT_COUNT, OPT_JSON, OPT_ARGS, OPT_HEX, OPT_RINGBUF, OPT_NOOP };
	static const struct option longopts[] = {
		{ "binary", required_argument, NULL, 'x' },
		{ "pid", required_argument, NULL, 'p' },
		{ "command", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "count", no_argument, NULL, OPT_COUNT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "args", required_argument, NULL, OPT_ARGS },
		{ "hex", no_argument, NULL, OPT_HEX },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "noop", no_argument, NULL, OPT_NOOP },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint64_t v;
	int c;

	o->nargs = USCOPE_FUNC_ARGS;
	o->ringbuf_size = 4 << 20;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":x:p:c:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			o->binary = optarg;
			break;
		case 'p':
			o->pid = optarg;
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'd':
			if (!parse_seconds(optarg, &o->duration)) {
				err_msg("invalid duration '%s': expected a positive number of seconds", optarg);
				return -EINVAL;
			}
			break;
		case OPT_ATTACH:
			if (!strcmp(optarg, "auto"))
				o->attach = ATTACH_AUTO;
			else if (!strcmp(optarg, "multi"))
				o->attach = ATTACH_MULTI;
			else if (!strcmp(optarg, "perf"))
				o->attach = ATTACH_PERF;
			else {
				err_msg("invalid --attach mode '%s': expected auto, multi or perf", optarg);
				return -EINVAL;
			}
			break;
		case OPT_COUNT:
			o->count = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_HEX:
			o->hex = true;
			break;
		case OPT_NOOP:
			o->noop = true;
			o->count = true;
			break;
		case OPT_ARGS:
			if (!parse_u64(optarg, USCOPE_FUNC_ARGS, &v)) {
				err_msg("invalid --args '%s': expected 0 to %d", optarg, USCOPE_FUNC_ARGS);
				return -EINVAL;
			}
			o->nargs = v;
			break;
		case OPT_RINGBUF:
			if (!parse_u64(optarg, 1ull << 30, &v) || v < 4096 || (v & (v - 1))) {
				err_msg("invalid --ringbuf-size '%s': expected a power of 2 from 4096 to 1 GiB",
					optarg);
				return -EINVAL;
			}
			o->ringbuf_size = v;
			break;
		case 'h':
			trace_usage(stdout);
			exit(0);
		case ':':
			err_msg("option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			err_msg("unknown option '%s' (see uscope trace --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	o->probes = argv + optind;
	o->nprobes = argc - optind;
	if (o->pid && o->command) {
		err_msg("-p and -c cannot be used together");
		return -EINVAL;
	}
	if (!o->nprobes) {
		err_msg("no probe given (see uscope trace --help)");
		return -EINVAL;
	}
	return 0;
}

struct run {
	struct trace_opts opts;
	struct target target;
	struct plan plan;
	struct probe_spec *specs;
	struct uscope_bpf *skel;
	struct attach_state links;
	struct ring_buffer *rb;
	struct output out;
	uint64_t events;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (size < sizeof(struct uscope_event))
		return 0;
	r->events++;
	output__event(&r->out, data);
	return 0;
}

/* Sum a per-CPU u64 array map into OUT[0..n). */
static int sum_percpu(struct bpf_map *map, uint64_t *out, size_t n)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(map), c;
	uint64_t *vals;
	uint32_t k;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

static int resolve_binaries(struct run *r, int *default_bin)
{
	const char *shown = r->opts.binary ? r->opts.binary : r->target.exe;
	char *open_path;
	int bi;

	*default_bin = -1;
	if (!shown)
		return 0;
	if (r->opts.binary)
		open_path = target__open_path(&r->target, r->opts.binary);
	else
		open_path = strdup(r->target.exe_open);
	if (!open_path)
		return -ENOMEM;
	bi = plan__add_binary(&r->plan, shown, open_path);
	free(open_path);
	if (bi < 0)
		return bi;
	*default_bin = bi;
	return 0;
}

static int setup_bpf(struct run *r, const struct attach_cfg *cfg)
{
	size_t nsites = r->plan.nsites;
	int err;

	r->skel = uscope_bpf__open();
	if (!r->skel) {
		err_msg("cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	r->skel->rodata->target_tgid = r->target.pid;
	r->skel->rodata->emit_events = !r->opts.count;
	r->skel->rodata->func_nargs = r->opts.nargs;
	err = bpf_map__set_max_entries(r->skel->maps.counts, nsites);
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.drops, nsites);
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.events, r->opts.count ? 4096 : r->opts.ringbuf_size);
	if (!err)
		err = attach__prepare(r->skel, &r->plan, cfg);
	if (err) {
		err_msg("cannot size the BPF maps: %s", strerror(-err));
		return err;
	}
	err = uscope_bpf__load(r->skel);
	if (err) {
		err_msg("cannot load the BPF programs: %s", strerror(-err));
		return err;
	}
	if (!r->opts.count) {
		r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), on_event, r, NULL);
		if (!r->rb) {
			err_msg("cannot open the ring buffer: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static void announce(struct run *r, double ms)
{
	size_t kinds[3];

	plan__kind_counts(&r->plan, kinds);
	fprintf(stderr, "Attached %zu probe%s (%zu entry, %zu return, %zu usdt) to %s%s via %s in %.1f ms",
		r->links.probes, r->links.probes == 1 ? "" : "s", kinds[0], kinds[1], kinds[2],
		r->plan.nbins == 1 ? "" : "binaries: ", r->plan.bins[0].path,
		attach_mode_name(r->links.mode), ms);
	for (size_t i = 1; i < r->plan.nbins; i++)
		fprintf(stderr, ", %s", r->plan.bins[i].path);
	fputs(". Ctrl-C to stop.\n", stderr);
}

/* Wait for events, the end of the target, the deadline or a signal. */
static void event_loop(struct run *r)
{
	uint64_t deadline = r->opts.duration > 0 ? now_ns() + (uint64_t)(r->opts.duration * 1e9) : 0;
	struct pollfd pfd[2];
	int n = 0, rb_idx = -1, pid_idx = -1;

	if (r->rb) {
		pfd[n].fd = ring_buffer__epoll_fd(r->rb);
		pfd[n].events = POLLIN;
		rb_idx = n++;
	}
	if (r->target.pidfd >= 0) {
		pfd[n].fd = r->target.pidfd;
		pfd[n].events = POLLIN;
		pid_idx = n++;
	}
	while (!stop_signal) {
		int timeout = 1000;
		uint64_t now = now_ns();

		if (deadline) {
			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < (uint64_t)timeout)
				timeout = (deadline - now + 999999) / 1000000;
		}
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			break;
		if (rb_idx >= 0 && (pfd[rb_idx].revents & POLLIN))
			ring_buffer__consume(r->rb);
		if (fflush(r->out.f) || ferror(r->out.f))
			break;	/* stdout closed (e.g. piped into head) */
		if (pid_idx >= 0 && (pfd[pid_idx].revents & POLLIN))
			break;	/* the target has exited */
	}
}

static void report(struct run *r)
{
	uint64_t *counts = calloc(r->plan.nsites + 1, sizeof(*counts));
	uint64_t *drops = calloc(r->plan.nsites + 1, sizeof(*drops));
	uint64_t hits = 0, lost = 0;
	size_t i;

	if (!counts || !drops || sum_percpu(r->skel->maps.counts, counts, r->plan.nsites) ||
	    sum_percpu(r->skel->maps.drops, drops, r->plan.nsites)) {
		err_msg("cannot read the counts");
		goto out;
	}
	for (i = 0; i < r->plan.nsites; i++) {
		hits += counts[i];
		lost += drops[i];
	}
	if (!r->opts.count && !r->opts.json)
		fputc('\n', r->out.f);
	output__counts(&r->out, counts, 0);
	fflush(r->out.f);
	if (r->opts.count)
		fprintf(stderr, "Summary: %llu hits on %zu probes\n", (unsigned long long)hits, r->links.probes);
	else
		fprintf(stderr, "Summary: %llu hits, %llu events printed, %llu lost, %zu probes\n",
			(unsigned long long)hits, (unsigned long long)r->events, (unsigned long long)lost,
			r->links.probes);
out:
	free(counts);
	free(drops);
}

int cmd_trace(int argc, char **argv)
{
	struct run r = { .target = { .pidfd = -1, .go_fd = -1 } };
	struct sigaction sa = { .sa_handler = on_signal };
	struct attach_cfg cfg = {};
	const char *missing;
	int i, err, default_bin, status = 1;
	uint64_t t;

	if (parse_trace_args(argc, argv, &r.opts))
		return EXIT_USAGE;
	if (!kfeat_can_trace(&missing)) {
		err_msg("not enough privileges to trace: need %s (run as root)", missing);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r.specs = calloc(r.opts.nprobes, sizeof(*r.specs));
	if (!r.specs)
		goto cleanup;
	for (i = 0; i < r.opts.nprobes; i++) {
		if (probe_spec__parse(r.opts.probes[i], &r.specs[i])) {
			status = EXIT_USAGE;
			goto cleanup;
		}
	}
	if (r.opts.pid && target__open_pid(&r.target, r.opts.pid))
		goto cleanup;
	if (r.opts.command && target__spawn(&r.target, r.opts.command))
		goto cleanup;
	r.plan.pid = r.target.pid;
	if (resolve_binaries(&r, &default_bin) ||
	    plan__build(&r.plan, r.specs, r.opts.nprobes, default_bin))
		goto cleanup;
	cfg.pid = r.target.pid;
	cfg.noop = r.opts.noop;
	if (attach__resolve_mode(r.opts.attach, &cfg.mode) || setup_bpf(&r, &cfg))
		goto cleanup;
	r.out = (struct output){ .f = stdout, .plan = &r.plan, .json = r.opts.json, .hex = r.opts.hex };
	if (stop_signal)
		goto cleanup;

	t = now_ns();
	err = attach__run(r.skel, &r.plan, &cfg, &stop_signal, &r.links);
	if (err) {
		if (err == -EINTR)
			status = 0;
		goto cleanup;
	}
	announce(&r, (now_ns() - t) / 1e6);
	r.out.t0_ns = now_ns();
	target__release(&r.target);
	event_loop(&r);

	/* Detach first, so the counts are final; then drain what is left. */
	attach__destroy(&r.links);
	if (r.rb)
		ring_buffer__consume(r.rb);
	report(&r);
	status = 0;
cleanup:
	attach__destroy(&r.links);
	ring_buffer__free(r.rb);
	uscope_bpf__destroy(r.skel);
	target__close(&r.target, status != 0 && r.target.go_fd >= 0);
	for (i = 0; r.specs && i < r.opts.nprobes; i++)
		probe_spec__free(&r.specs[i]);
	free(r.specs);
	plan__free(&r.plan);
	fflush(stdout);
	return status;
}
