// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stages of a trace (see session.h). Each stage owns one step of the
 * skeleton's life and hands the next one what it built; the rooms it calls
 * (binaries, plan, bpf_obj, attach, output, target) never call each other
 * behind its back.
 *
 * SIGINT and SIGTERM only set *stop; every stage checks it, and the one
 * cleanup path detaches everything. uscope itself never holds a link: the
 * guardian process (guardian.h) creates and destroys them, so that even a
 * SIGKILL or a crash of uscope leaves the target exactly as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "endbr_skip.h"
#include "probe_cost.h"
#include "ret_insn.h"
#include "func_names.h"
#include "harm_checks.h"
#include "session_priv.h"
#include "util.h"

struct session *session__new(const struct trace_opts *opts, volatile sig_atomic_t *stop)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		err_msg("out of memory");
		return NULL;
	}
	s->opts = opts;
	s->stop = stop;
	s->target.pidfd = s->target.go_fd = -1;
	s->follow.cgroup_fd = -1;
	s->guard.sock = -1;
	s->plan.bins = &s->bins;
	s->plan.latency = opts->latency;
	s->plan.ret_mode = opts->ret_mode;
	late__init(&s->late, opts->late_room);
	return s;
}

/* -x binaries (resolved like bcc: paths, library names, programs), else the target's executable. */
static int resolve_binaries(struct session *s)
{
	const struct trace_opts *o = s->opts;
	const struct target *rt = follow__resolver(&s->follow, &s->target);	/* --cgroup: a member */
	bool may_wait = s->target.pid > 0 && !s->follow.cgroup_path;	/* a process whose loader tells */
	int i, bi;

	for (i = 0; i < o->nbinaries; i++) {
		bi = late__resolve(&s->late, &s->bins, o->binaries[i], rt, may_wait);
		if (bi == LATE_WAITS)
			continue;	/* waits for the loader to map it (late.h) */
		if (bi < 0)
			return bi;
		s->default_bins[s->ndefault++] = bi;
	}
	if (!o->nbinaries && s->target.exe) {
		bi = binaries__add(&s->bins, s->target.exe, s->target.exe_open);
		if (bi < 0)
			return bi;
		s->default_bins[s->ndefault++] = bi;
	}
	/* Binaries named inside probes (BIN:GLOB). */
	for (i = 0; i < o->nprobes; i++) {
		struct probe_spec *sp = &s->specs[i];

		if (!sp->binary || late__spec_waits(&s->late, sp))
			continue;
		sp->bin = late__resolve(&s->late, &s->bins, sp->binary, rt, may_wait);
		if (sp->bin < 0 && sp->bin != LATE_WAITS)
			return sp->bin;
	}
	return 0;
}

static int parse_specs(struct session *s)
{
	int i;

	s->specs = calloc(s->opts->nprobes + 1, sizeof(*s->specs));
	if (!s->specs) {
		err_msg("out of memory");
		return 1;
	}
	for (i = 0; i < s->opts->nprobes; i++)
		if (probe_spec__parse(s->opts->probes[i], &s->specs[i]))
			return EXIT_USAGE;
	return 0;
}

static int open_target(struct session *s)
{
	const struct trace_opts *o = s->opts;

	if (o->pid && target__open_pid(&s->target, o->pid))
		return -1;
	if (s->target.pid > 0 && stat(s->target.exe_open, &s->exe_st))
		memset(&s->exe_st, 0, sizeof(s->exe_st));
	if (o->command && target__spawn(&s->target, o->command))
		return -1;
	return 0;
}

/* Does some --filter, --by key or --hist read a return value? */
static bool ret_value_read(const struct session *s)
{
	int i;

	for (i = 0; i < s->by.nkeys; i++)
		if (s->by.keys[i].operand == USCOPE_OPND_RET)
			return true;
	return (s->filter.root && fnode__uses_ret(s->filter.root)) ||
	       (s->hist.mode && s->hist.operand == USCOPE_OPND_RET);
}

int session__prepare(struct session *s)
{
	const struct trace_opts *o = s->opts;
	int i, status = parse_specs(s);

	if (status)
		return status;
	s->bins.funcs_flags = func_names__load_flags(s->specs, o->nprobes);
	s->bins.show_raw = o->no_demangle;
	if ((o->filter && filter__parse(o->filter, &s->filter)) || (o->by && by__parse(o->by, &s->by)) ||
	    (o->hist && hist__parse(o->hist, false, &s->hist)) || (o->lhist && hist__parse(o->lhist, true, &s->hist)))
		return EXIT_USAGE;
	s->by.max = o->by_max;
	s->by.hist = s->hist.mode;
	/* Bound before anything starts or attaches, so that a port in use costs nothing. */
	if (o->metrics && metrics_agent__open(&s->metrics, o->metrics))
		return 1;
	if (follow__init(&s->follow, o) || open_target(s) || resolve_binaries(s) ||
	    late__start_specs(&s->late, s->specs, o->nprobes, s->ndefault, &s->start_specs, &s->nstart) ||
	    plan__build(&s->plan, s->start_specs, s->nstart, s->default_bins, s->ndefault))
		return 1;
	endbr_skip__apply(&s->plan, !o->no_skip_endbr);	/* before --offset sites: those stay put */
	for (i = 0; i < o->noffsets; i++) {
		if (!s->ndefault) {
			err_msg("--offset needs a binary (give -x, -p or -c)");
			return 1;
		}
		if (plan__add_offset(&s->plan, s->default_bins[0], o->offsets[i], o->offset_unsafe[i]))
			return 1;
	}
	/* After --offset: every site, raw offsets included, gets its filter, keys and histogram checked. */
	if ((o->filter && filter__compile(&s->filter, &s->plan, o->latency, &s->fset)) || by__check(&s->by, &s->plan) ||
	    hist__check(&s->hist, &s->plan))
		return EXIT_USAGE;
	if (harm__check_plan(&s->plan) || ret_insn__plan(&s->plan, ret_value_read(s)))
		return 1;
	probe_cost__report(&s->plan);	/* single-stepped and unprobeable probes, said before attaching */
	s->cfg.pid = follow__link_pid(&s->follow, s->target.pid);	/* -f: children have other pids */
	if (attach__resolve_mode(o->attach, &s->cfg.mode) ||
	    attach__check(&s->plan, &s->cfg, s->target.child, &s->needs) ||
	    late__check(&s->late, o, s->cfg.mode, &s->target, s->specs, o->nprobes))
		return 1;
	s->target.stop_at_exec = s->needs.stop_child_at_exec;
	if (stacks__prepare(&s->stacks, &o->stack, &s->plan, o->count))
		return 1;
	/* --count --stack --by: keys become the stacks' root frames. */
	if (s->stacks.mode != USCOPE_STACK_OFF && s->stacks.count && s->by.nkeys &&
	    !(s->stacks.by = by_stacks__new(&s->by, &s->out))) {
		err_msg("out of memory");
		return 1;
	}
	return 0;
}

int session__load(struct session *s)
{
	const struct trace_opts *o = s->opts;
	struct bpf_knobs k = {
		.mode = s->cfg.mode, .tgid = s->target.pid, .tid = o->tid, .uid = o->uid,
		.events = !o->count && !o->latency && !o->noop && !s->hist.mode, .latency = o->latency, .interval = o->interval > 0, .noop = o->noop,
		.nargs = o->nargs, .str_mask = o->str_mask, .str_len = o->str_len, .ringbuf_size = o->ringbuf_size,
		.verbose = o->verbose, .filter = &s->fset, .by = &s->by, .hist = &s->hist,
		.follow = s->follow.tree, .cgroup = s->follow.cgroup_fd >= 0,
	};
	int fd;

	/* Events without stacks read DWARF `char *` arguments as strings too (one mask per run). */
	if (k.events && !o->metrics && o->stack.want == STACK_NONE)
		k.str_mask = typed__str_mask(&s->plan, o->str_mask, o->nargs);
	stacks__knobs(&s->stacks, &k);
	late__knobs(&s->late, &k);
	if (bpf_obj__load(&k, &s->plan, &s->obj))
		return 1;
	bpf_obj__attach_progs(s->obj, &s->progs);
	fd = bpf_obj__events_fd(s->obj);
	if (fd >= 0) {
		s->rb = ring_buffer__new(fd, session_on_event, s, NULL);
		if (!s->rb) {
			err_msg("cannot open the ring buffer: %s", strerror(errno));
			return 1;
		}
	}
	s->out = (struct output){ .f = stdout, .log = stderr, .plan = &s->plan, .json = o->json,
				  .hex = o->hex, .str_mask = o->str_mask,
				  .read_mask = k.str_mask, .str_len = o->str_len };
	if (o->interval && !o->latency) {
		s->prev_counts = calloc(s->plan.nsites + s->late.room + 1, sizeof(*s->prev_counts));
		if (!s->prev_counts) {
			err_msg("out of memory");
			return 1;
		}
	}
	return 0;
}

int session__attach(struct session *s)
{
	uint64_t t;
	int err;

	if (*s->stop) {		/* asked to stop before anything was attached */
		s->done = true;
		return 0;
	}
	t = now_ns();
	/* Tracepoints and seeds before the probes, so no fork of the tree slips between them. */
	if (follow__start(&s->follow, s->obj, &s->target))
		return 1;
	libbpf_log_quiet(true);	/* attach reports its failures itself, once (the guardian inherits this) */
	err = session_attach_guarded(s);
	libbpf_log_quiet(false);
	if (err == -EINTR)
		s->done = true;
	if (err)
		return err == -EINTR ? 0 : 1;
	if (s->needs.after_exec) {
		/* Addresses exist once the process has mapped the binaries: after exec for -c. */
		if (target__release(&s->target))
			return 1;
		guardian__test_crash("released");
		if (attach__after_exec(&s->progs, &s->plan, s->target.pid))
			return 1;
	}
	if (late__start(&s->late, s->obj, &s->plan, s->specs, s->opts->nprobes, &s->guard, &s->target,
			!s->opts->no_skip_endbr))
		return 1;
	s->out.scope = late__scope(&s->late, follow__late_scope(&s->bins, &s->target, follow__scope(&s->follow)));
	output__attached(&s->out, s->links.probes, attach_mode_name(s->links.mode), (now_ns() - t) / 1e6);
	s->out.t0_ns = now_ns();
	if (target__release(&s->target))
		return 1;
	target__resume(&s->target);
	stacks__attached(&s->stacks, s->target.child ? 0 : s->target.pid);	/* -c: not exec'd yet */
	return 0;
}

int session__run(struct session *s)
{
	if (!s->done)
		session_event_loop(s);
	return 0;
}

int session__report(struct session *s)
{
	const struct trace_opts *o = s->opts;
	struct output_summary sum = { .probes = s->links.probes };
	uint64_t pairing[USCOPE_PAIR_NSTATS];

	if (s->done)
		return 0;
	/*
	 * Stop counting at one instant (releasing a link takes 25-70 ms while
	 * the others still count), read the counts, then detach (the guardian
	 * holds the links) and drain.
	 */
	bpf_obj__stop(s->obj);
	sum.hits = bpf_obj__hits(s->obj);
	sum.lost = bpf_obj__lost(s->obj);
	sum.unpaired = bpf_obj__unpaired(s->obj);
	guardian__detach(&s->guard, true);
	s->final_drain = true;
	if (s->rb)
		ring_buffer__consume(s->rb);
	follow__report(&s->follow);
	late__report(&s->late);
	if (!o->noop) {
		if (!o->count && !o->latency && !s->hist.mode)
			output__end_of_events(&s->out);
		if (o->interval)
			output__totals_mark(&s->out);
		if (!o->stack.folded)
			session_print_aggregates(s, false);
		stacks__report(&s->stacks, s->obj, &s->out);
	}
	sum.probes += s->late.probes;
	sum.events = s->events;
	if (o->noop) {
		sum.what = SUMMARY_NOOP;
	} else if (o->latency) {
		sum.what = SUMMARY_LATENCY;
	} else if (s->rb && !o->count) {
		sum.what = SUMMARY_EVENTS;
	} else {
		sum.what = SUMMARY_COUNTS;
	}
	if (s->by.nkeys) {
		sum.by_max = s->by.max;
		sum.by_dropped = bpf_obj__by_dropped(s->obj);
	}
	output__summary(&s->out, &sum);
	if (o->latency && !bpf_obj__pairing(s->obj, pairing))
		ret_insn__report_pairing(pairing);
	return target__finish(&s->target, TARGET_GRACE_MS);
}

int session__free(struct session *s, int status)
{
	int i;

	if (!s)
		return status;
	guardian__detach(&s->guard, true);
	metrics_agent__close(&s->metrics);
	ring_buffer__free(s->rb);
	follow__free(&s->follow);
	late__free(&s->late);
	free(s->start_specs);
	bpf_obj__free(s->obj);
	target__close(&s->target, status != 0 && s->target.go_fd >= 0);
	for (i = 0; s->specs && i < s->opts->nprobes; i++)
		probe_spec__free(&s->specs[i]);
	free(s->specs);
	free(s->prev_counts);
	filter_set__free(&s->fset);
	filter__free(&s->filter);
	by__free(&s->by);
	hist__free(&s->hist);
	stacks__free(&s->stacks);
	plan__free(&s->plan);
	binaries__free(&s->bins);
	fflush(stdout);
	free(s);
	return status;
}
