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
#include <time.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "commands.h"
#include "follow.h"
#include "follow_late.h"
#include "output.h"
#include "plan.h"
#include "target.h"
#include "trace_opts.h"
#include "binpath.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/kernel_features.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run {
	struct trace_opts opts;
	struct target target;
	struct follow follow;	/* -f, --cgroup */
	struct late late;	/* libraries that arrive later */
	struct plan plan;
	struct probe_spec *specs;
	struct uscope_bpf *skel;
	struct attach_state links;
	struct ring_buffer *rb;
	struct output out;
	uint64_t events;
	unsigned int batch;	/* events handled in this ring_buffer__consume() */
	bool final_drain;	/* probes detached: consume everything that is left */
	uint64_t *prev_counts;	/* --interval: totals at the last print */
	struct stat exe_st;	/* -p: the executable, to notice an exec */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (size < sizeof(struct uscope_event))
		return 0;
	r->events++;
	output__event(&r->out, data);
	/*
	 * ring_buffer__consume() returns only once the buffer is empty, which a
	 * target producing faster than we print never lets happen: break off every
	 * so often (the record is consumed either way) so the loop can see a
	 * signal, the deadline or the target's exit.
	 */
	if (!r->final_drain && ++r->batch >= 4096)
		return -EAGAIN;
	return 0;
}

/* Sum the per-CPU values of keys [0, n) of MAP, each value WORDS u64 wide, into OUT. */
static int sum_percpu(struct bpf_map *map, uint64_t *out, size_t n, size_t words)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(map), c;
	uint64_t *vals;
	uint32_t k;
	size_t w;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu * words, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, n * words * sizeof(*out));
	for (k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			for (w = 0; w < words; w++)
				out[k * words + w] += vals[c * words + w];
	}
	free(vals);
	return 0;
}

/* Histograms summed over CPUs; min over the CPUs that saw a sample, max over all. */
static struct uscope_hist *read_hists(struct run *r)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(r->skel->maps.hists), c, b;
	struct uscope_hist *out = calloc(r->plan.nslots + 1, sizeof(*out)), *vals;
	uint32_t k;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (!out || !vals) {
		free(out);
		free(vals);
		return NULL;
	}
	for (k = 0; k < r->plan.nslots; k++) {
		struct uscope_hist *h = &out[k];

		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++) {
			const struct uscope_hist *v = &vals[c];

			if (!v->count)
				continue;
			for (b = 0; b < USCOPE_HIST_BUCKETS; b++)
				h->buckets[b] += v->buckets[b];
			h->count += v->count;
			h->sum_ns += v->sum_ns;
			if (!h->min_ns || v->min_ns < h->min_ns)
				h->min_ns = v->min_ns;
			if (v->max_ns > h->max_ns)
				h->max_ns = v->max_ns;
		}
	}
	free(vals);
	return out;
}

static uint64_t sum_one(struct bpf_map *map, size_t n)
{
	uint64_t *v = calloc(n + 1, sizeof(*v)), total = 0;
	size_t i;

	if (v && !sum_percpu(map, v, n, 1))
		for (i = 0; i < n; i++)
			total += v[i];
	free(v);
	return total;
}

/* -x binaries (resolved like bcc: paths, library names, programs), else the target's executable. */
static int resolve_binaries(struct run *r, int *bins, size_t *nbins)
{
	const struct target *rt = follow__resolver(&r->follow, &r->target);
	bool may_wait = r->target.pid > 0 && !r->follow.cgroup_path;
	char *shown, *open_path;
	int i, bi, err;

	*nbins = 0;
	for (i = 0; i < r->opts.nbinaries; i++) {
		err = late__resolve(&r->late, r->opts.binaries[i], rt, may_wait, &shown, &open_path);
		if (err < 0)
			return err;
		if (err)
			continue;	/* waits for the loader to map it */
		bi = plan__add_binary(&r->plan, shown, open_path);
		free(shown);
		free(open_path);
		if (bi < 0)
			return bi;
		bins[(*nbins)++] = bi;
	}
	if (!r->opts.nbinaries && r->target.exe) {
		bi = plan__add_binary(&r->plan, r->target.exe, r->target.exe_open);
		if (bi < 0)
			return bi;
		bins[(*nbins)++] = bi;
	}
	/* Binaries named inside probes (BIN:GLOB). */
	for (i = 0; i < r->opts.nprobes; i++) {
		struct probe_spec *sp = &r->specs[i];

		if (!sp->binary || late__spec_waits(&r->late, sp))
			continue;
		err = late__resolve(&r->late, sp->binary, rt, may_wait, &shown, &open_path);
		if (err < 0)
			return err;
		if (err) {
			late__spec_waits(&r->late, sp);
			continue;
		}
		sp->bin = plan__add_binary(&r->plan, shown, open_path);
		free(shown);
		free(open_path);
		if (sp->bin < 0)
			return sp->bin;
	}
	return 0;
}

static int setup_bpf(struct run *r, const struct attach_cfg *cfg)
{
	const struct trace_opts *o = &r->opts;
	struct uscope_bpf *skel;
	bool events = !o->count && !o->latency && !o->noop;
	int err;

	LIBBPF_OPTS(bpf_object_open_opts, oo, .kconfig = attach_kconfig(cfg->mode));

	skel = r->skel = uscope_bpf__open_opts(&oo);
	if (!skel) {
		err_msg("cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	skel->rodata->target_tgid = r->target.pid;
	skel->rodata->target_tid = o->tid;
	skel->rodata->target_uid = o->uid;
	skel->rodata->emit_events = events;
	skel->rodata->latency = o->latency;
	skel->rodata->func_nargs = o->nargs;
	skel->rodata->str_arg = o->str_arg;
	skel->rodata->wakeup_bytes = o->ringbuf_size / 8;
	/* Every map is sized from the plan; unused ones shrink to one entry. */
	err = bpf_map__set_max_entries(skel->maps.counts, r->plan.nsites);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.drops, r->plan.nsites);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, events ? o->ringbuf_size : 4096);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists, r->plan.nslots ? r->plan.nslots : 1);
	if (!err && !o->latency)
		err = bpf_map__set_max_entries(skel->maps.stacks, 1);
	if (!err)
		err = attach__prepare(skel, &r->plan, cfg);
	follow__prepare(&r->follow, skel);
	if (err) {
		err_msg("cannot size the BPF maps: %s", strerror(-err));
		return err;
	}
	err = late__prepare(&r->late, skel, &r->plan, cfg->mode, cfg->noop);
	if (err)
		return err;
	err = uscope_bpf__load(skel);
	if (err) {
		err_msg("cannot load the BPF programs: %s", strerror(-err));
		return err;
	}
	if (events) {
		r->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, r, NULL);
		if (!r->rb) {
			err_msg("cannot open the ring buffer: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void announce(struct run *r, double ms)
{
	size_t kinds[3], i;

	plan__kind_counts(&r->plan, kinds);
	fprintf(stderr, "Attached %zu probe%s (%zu entry, %zu return, %zu usdt at %zu location%s) to %s%s",
		r->links.probes, plural(r->links.probes), kinds[0], kinds[1], kinds[2], r->plan.nlocs,
		plural(r->plan.nlocs), r->plan.nbins == 1 ? "" : r->plan.nbins ? "binaries " : "no binary yet",
		r->plan.nbins ? r->plan.bins[0].path : "");
	for (i = 1; i < r->plan.nbins; i++)
		fprintf(stderr, ", %s", r->plan.bins[i].path);
	fprintf(stderr, " via %s in %.2f ms.%s%s Ctrl-C to stop.\n", attach_mode_name(r->links.mode), ms,
		follow__scope(&r->follow), late__scope(&r->late, &r->plan, &r->target));
}

/* Counts or histograms, TOTAL or since the last interval. */
static void print_aggregates(struct run *r, bool interval)
{
	uint64_t *counts;
	size_t i;

	if (r->opts.latency) {
		struct uscope_hist *h = read_hists(r);

		if (h)
			output__hists(&r->out, h, r->opts.top);
		free(h);
		return;
	}
	counts = calloc(r->plan.nsites + 1, sizeof(*counts));
	if (!counts || sum_percpu(r->skel->maps.counts, counts, r->plan.nsites, 1)) {
		err_msg("cannot read the counts");
		free(counts);
		return;
	}
	if (interval && r->prev_counts) {
		for (i = 0; i < r->plan.nsites; i++) {
			uint64_t now = counts[i];

			counts[i] -= r->prev_counts[i];
			r->prev_counts[i] = now;
		}
	}
	output__counts(&r->out, counts, r->opts.top);
	free(counts);
}

static void print_interval(struct run *r)
{
	time_t t = time(NULL);
	char stamp[32];

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&t));
	if (r->opts.json)
		fprintf(r->out.f, "{\"interval_end\": \"%s\"}\n", stamp);
	else
		fprintf(r->out.f, "\n[%s]\n", stamp);
	print_aggregates(r, true);
	fflush(r->out.f);
}

/* -p: true once the process runs another program (exec); its probes are gone. */
static bool target_execed(struct run *r)
{
	struct stat st;

	if (r->target.child || r->target.pid <= 0 || !r->exe_st.st_ino)
		return false;
	if (stat(r->target.exe_open, &st))
		return false;	/* exiting; the pidfd will say so */
	if (st.st_ino == r->exe_st.st_ino && st.st_dev == r->exe_st.st_dev)
		return false;
	err_msg("process %d has exec'd another program; its probes are gone", r->target.pid);
	return true;
}

/* Wait for events, the end of the target, the deadline, an interval or a signal. */
static void event_loop(struct run *r)
{
	uint64_t start = now_ns();
	uint64_t deadline = r->opts.duration > 0 ? start + (uint64_t)(r->opts.duration * 1e9) : 0;
	uint64_t step = r->opts.interval > 0 ? (uint64_t)(r->opts.interval * 1e9) : 0;
	uint64_t next_print = step ? start + step : 0, next_exec_check = start;
	struct pollfd pfd[3];
	int n = 0, pid_idx = -1;

	if (r->rb) {
		pfd[n].fd = ring_buffer__epoll_fd(r->rb);
		pfd[n++].events = POLLIN;
	}
	if (late__poll_fd(&r->late) >= 0) {
		pfd[n].fd = late__poll_fd(&r->late);	/* before the pidfd, which is dropped with -f */
		pfd[n++].events = POLLIN;
	}
	if (r->target.pidfd >= 0) {
		pfd[n].fd = r->target.pidfd;
		pfd[n].events = POLLIN;
		pid_idx = n++;
	}
	while (!stop_signal) {
		/* Short timeout: BPF wakes us only per batch, so poll for stragglers. */
		uint64_t now = now_ns(), wake = now + (r->rb || r->follow.tree ? 100 : 1000) * 1000000ull;

		if (deadline && deadline < wake)
			wake = deadline;
		if (next_print && next_print < wake)
			wake = next_print;
		if (poll(pfd, n, wake > now ? (int)((wake - now + 999999) / 1000000) : 0) < 0 && errno != EINTR)
			break;
		late__consume(&r->late);	/* first: a process may be held */
		if (r->rb) {
			r->batch = 0;
			ring_buffer__consume(r->rb);
		}
		if (fflush(r->out.f) || ferror(r->out.f))
			break;	/* stdout closed (e.g. piped into head) */
		if (pid_idx >= 0 && (pfd[pid_idx].revents & POLLIN)) {
			if (!r->follow.tree)
				break;	/* the target has exited */
			n = pid_idx--;	/* -f: its descendants may live on */
		}
		if (r->follow.tree && !follow__tree_alive(&r->follow, r->skel))
			break;	/* the whole tree has exited */
		now = now_ns();
		if (deadline && now >= deadline)
			break;
		if (next_print && now >= next_print) {
			print_interval(r);
			next_print += step;
		}
		if (now >= next_exec_check) {
			if (!r->follow.tree && target_execed(r))
				break;
			next_exec_check = now + 1000000000ull;
		}
	}
}

static void report(struct run *r)
{
	uint64_t hits = sum_one(r->skel->maps.counts, r->plan.nsites);

	follow__report(&r->follow, r->skel);
	late__report(&r->late);

	if (!r->opts.noop) {
		if (!r->opts.count && !r->opts.latency && !r->opts.json)
			fputc('\n', r->out.f);
		if (r->opts.interval)
			fputs(r->opts.json ? "{\"totals\": true}\n" : "\nTotal:\n", r->out.f);
		print_aggregates(r, false);
	}
	fflush(r->out.f);
	if (r->opts.noop)
		fprintf(stderr, "Summary: an empty program on %zu probe%s (--noop counts nothing)\n", r->links.probes,
			plural(r->links.probes));
	else if (r->opts.latency)
		fprintf(stderr, "Summary: %llu hits, %llu returns without a timed entry, %zu probe%s\n",
			(unsigned long long)hits, (unsigned long long)sum_one(r->skel->maps.unpaired, 1),
			r->links.probes, plural(r->links.probes));
	else if (r->rb)
		fprintf(stderr, "Summary: %llu hits, %llu events printed, %llu lost, %zu probe%s\n",
			(unsigned long long)hits, (unsigned long long)r->events,
			(unsigned long long)sum_one(r->skel->maps.drops, r->plan.nsites), r->links.probes,
			plural(r->links.probes));
	else
		fprintf(stderr, "Summary: %llu hits on %zu probe%s\n", (unsigned long long)hits, r->links.probes,
			plural(r->links.probes));
}

/* Without cookies a probe is recognised by its address, which exists only in one process. */
static int check_nocookie(struct run *r, struct attach_cfg *cfg)
{
	size_t kinds[3];

	if (cfg->mode != ATTACH_NOCOOKIE)
		return 0;
	plan__kind_counts(&r->plan, kinds);
	if (!r->target.pid) {
		err_msg("--attach nocookie needs -p or -c: without cookies a probe is recognised by its "
			"address, which is known only in one process");
		return -EINVAL;
	}
	if (kinds[USCOPE_SITE_RETURN]) {
		err_msg("--attach nocookie cannot probe returns (ret:, --latency): a return probe's address "
			"is its caller's");
		return -EINVAL;
	}
	r->target.stop_at_exec = r->target.child;
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct run r = { .target = { .pidfd = -1, .go_fd = -1 }, .follow = { .cgroup_fd = -1 },
			 .late = { .ld_fd = -1 } };
	struct probe_spec *start_specs = NULL;	/* the probes planned now; the rest wait (late) */
	size_t nstart = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int bins[MAX_BINARY_OPTS + 1];
	struct attach_cfg cfg = {};
	const char *missing;
	int i, err, status = 1;
	size_t nbins;
	uint64_t t;

	/* First of all, so that a stop request is never lost (nor ignored, if inherited as SIG_IGN). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (trace_opts__parse(argc, argv, &r.opts))
		return EXIT_USAGE;
	if (!kfeat_can_trace(&missing)) {
		err_msg("not enough privileges to trace: need %s (run as root)", missing);
		return 1;
	}

	r.specs = calloc(r.opts.nprobes, sizeof(*r.specs));
	if (!r.specs)
		goto cleanup;
	for (i = 0; i < r.opts.nprobes; i++) {
		if (probe_spec__parse(r.opts.probes[i], &r.specs[i])) {
			status = EXIT_USAGE;
			goto cleanup;
		}
	}
	if (follow__init(&r.follow, &r.opts))
		goto cleanup;
	if (r.opts.pid && target__open_pid(&r.target, r.opts.pid))
		goto cleanup;
	if (r.target.pid > 0 && stat(r.target.exe_open, &r.exe_st))
		memset(&r.exe_st, 0, sizeof(r.exe_st));
	if (r.opts.command && target__spawn(&r.target, r.opts.command))
		goto cleanup;
	r.plan.latency = r.opts.latency;
	if (resolve_binaries(&r, bins, &nbins) ||
	    !(start_specs = late__start_specs(&r.late, r.specs, r.opts.nprobes, nbins, &nstart)) ||
	    plan__build(&r.plan, start_specs, nstart, bins, nbins))
		goto cleanup;
	for (i = 0; i < r.opts.noffsets; i++) {
		if (!nbins) {
			err_msg("--offset needs a binary (give -x, -p or -c)");
			goto cleanup;
		}
		if (plan__add_offset(&r.plan, bins[0], r.opts.offsets[i]))
			goto cleanup;
	}
	cfg.pid = follow__link_pid(&r.follow, r.target.pid);
	cfg.noop = r.opts.noop;
	if (attach__resolve_mode(r.opts.attach, &cfg.mode) || check_nocookie(&r, &cfg) || setup_bpf(&r, &cfg))
		goto cleanup;
	r.out = (struct output){ .f = stdout, .plan = &r.plan, .json = r.opts.json, .hex = r.opts.hex,
				 .str_arg = r.opts.str_arg };
	if (r.opts.interval && !r.opts.latency) {
		r.prev_counts = calloc(r.late.capacity + r.plan.nsites + 1, sizeof(*r.prev_counts));
		if (!r.prev_counts)
			goto cleanup;
	}
	if (stop_signal) {	/* asked to stop before anything was attached */
		status = 0;
		goto cleanup;
	}

	t = now_ns();
	if (follow__start(&r.follow, r.skel, &r.target))
		goto cleanup;
	err = attach__run(r.skel, &r.plan, &cfg, &stop_signal, &r.links);
	if (err) {
		if (err == -EINTR)
			status = 0;
		goto cleanup;
	}
	if (late__start(&r.late, r.skel, &r.plan, &cfg, &r.links, &r.target))
		goto cleanup;
	if (cfg.mode == ATTACH_NOCOOKIE) {
		/* Addresses exist once the process has mapped the binaries: after exec for -c. */
		if (target__release(&r.target) || attach__map_addresses(r.skel, &r.plan, r.target.pid))
			goto cleanup;
	}
	announce(&r, (now_ns() - t) / 1e6);
	r.out.t0_ns = now_ns();
	if (target__release(&r.target))
		goto cleanup;
	target__resume(&r.target);
	event_loop(&r);

	/* Detach first, so the counts are final; then drain what is left. */
	attach__destroy(&r.links);
	r.final_drain = true;
	if (r.rb)
		ring_buffer__consume(r.rb);
	report(&r);
	status = 0;
cleanup:
	attach__destroy(&r.links);
	follow__free(&r.follow);
	late__free(&r.late);
	ring_buffer__free(r.rb);
	uscope_bpf__destroy(r.skel);
	target__close(&r.target, status != 0 && r.target.go_fd >= 0);
	for (i = 0; r.specs && i < r.opts.nprobes; i++)
		probe_spec__free(&r.specs[i]);
	free(r.specs);
	free(start_specs);
	free(r.prev_counts);
	plan__free(&r.plan);
	fflush(stdout);
	return status;
}
