// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later, in uscope while tracing: a process stopped
 * at the loader's r_brk; has an awaited library arrived, and if so, which
 * sites does it get, and what does the guardian attach? Then the process
 * continues, whatever happened. See late.h.
 *
 * What holding costs the target: every dlopen that maps new objects, while
 * a name is awaited, stops the whole process (all threads: SIGSTOP) while
 * uscope reads /proc/PID/maps, and the dlopen that brings an awaited
 * library until its probes are attached (the Summary says how long, in all
 * and at most). The parent sees the stop and the continue (SIGCHLD with
 * CLD_STOPPED / CLD_CONTINUED; waitpid with WUNTRACED reports it; a shell
 * with job control may print it). Once every name has arrived, the r_brk
 * link is dropped and nothing is held any more.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "binpath.h"
#include "endbr_skip.h"
#include "guardian.h"
#include "harm_checks.h"
#include "late.h"
#include "probe_cost.h"
#include "util.h"

static int on_event(void *ctx, void *data, size_t size);

int late__start(struct late *l, const struct bpf_obj *obj, struct plan *plan, struct probe_spec *specs,
		size_t nspecs, struct guardian *guard, const struct target *t, bool skip_endbr)
{
	l->target = t;
	l->plan = plan;
	l->specs = specs;
	l->nspecs = nspecs;
	l->guard = guard;
	l->skip_endbr = skip_endbr;
	l->start_sites = plan->nsites;
	if (!l->nnames)
		return 0;
	bpf_obj__late_handles(obj, &l->h);
	l->rb = ring_buffer__new(l->h.events_fd, on_event, l, NULL);
	if (!l->rb) {
		err_msg("cannot open the loader's ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Plan the probes awaiting name K against binary BI (appended to the plan). 0 or a negative errno. */
static int plan_arrived(struct late *l, size_t k, int bi)
{
	struct probe_spec *specs = calloc(l->nspecs + 1, sizeof(*specs));
	size_t i, n = 0, first = l->plan->nsites;
	struct plan view;
	int err;

	if (!specs) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < l->nspecs; i++) {
		const struct probe_spec *sp = &l->specs[i];

		if (sp->binary ? strcmp(sp->binary, l->names[k].name) : !l->defaults_wait)
			continue;
		specs[n] = *sp;
		specs[n++].bin = bi;
	}
	err = plan__build(l->plan, specs, n, &bi, 1);
	free(specs);
	/* The new sites alone, through what the start's sites went through. */
	view = *l->plan;
	view.sites += first;
	view.nsites -= first;
	view.nlocs = 0;
	if (!err) {
		endbr_skip__apply(&view, l->skip_endbr);
		err = harm__check_plan(&view) ? -EINVAL : 0;
	}
	if (!err)
		probe_cost__report(&view);
	return err;
}

/* The guardian's copy of the new sites: paths, then "KIND OFFSET SLOT NAME" lines. NULL: out of memory. */
static char *site_records(const struct late *l, int bi, size_t first, size_t *len)
{
	const struct binary *b = plan__bin(l->plan, bi);
	size_t i, cap = 0;
	char *msg = NULL;
	FILE *f = open_memstream(&msg, &cap);

	if (!f)
		return NULL;
	fprintf(f, "%s\n%s\n%zu %zu\n", b->path, b->open_path, first, l->plan->nsites - first);
	for (i = first; i < l->plan->nsites; i++) {
		const struct site *s = &l->plan->sites[i];

		fprintf(f, "%u %llu %u %s\n", s->kind, (unsigned long long)s->offset, s->slot, s->name);
	}
	if (fclose(f)) {
		free(msg);
		return NULL;
	}
	*len = cap;
	return msg;
}

/* Name K has arrived in process PID as PATH: plan, attach through the guardian, say so. */
static void arrived(struct late *l, size_t k, const char *path, pid_t pid, uint64_t t0)
{
	char *open_path = target__open_path(l->target, path), *msg = NULL;
	size_t first = l->plan->nsites, room = l->start_sites + l->room - first, len = 0, probes = 0;
	int bi = open_path ? binaries__add(l->plan->bins, path, open_path) : -ENOMEM, err;

	l->names[k].done = true;	/* whatever happens next, it is not waited for again */
	free(open_path);
	err = bi < 0 ? bi : plan_arrived(l, k, bi);
	if (!err && l->plan->nsites - first > room) {
		err_msg("'%s' (named '%s'): %zu probes do not fit in the room kept for libraries loaded later "
			"(%zu left of --late-room %u); nothing attached to it", path, l->names[k].name,
			l->plan->nsites - first, room, l->room);
		err = -E2BIG;
	}
	if (!err && !(msg = site_records(l, bi, first, &len))) {
		err_msg("out of memory");
		err = -ENOMEM;
	}
	if (!err)
		err = guardian__attach_more(l->guard, msg, len, &probes);	/* its failure is printed by it */
	free(msg);
	if (err) {
		l->plan->nsites = first;	/* no site of it counts, nor is shown */
		return;
	}
	l->names[k].attached = true;
	l->probes += probes;
	fprintf(stderr, "Attached %zu probe%s to %s at load (named '%s'; process %d held %.2f ms so far)\n",
		probes, probes == 1 ? "" : "s", path, l->names[k].name, pid, (now_ns() - t0) / 1e6);
}

/* Let process PID go: out of the held set first, so that the guardian never continues it twice. */
static void let_go(struct late *l, const struct uscope_late_event *e)
{
	uint64_t ns = now_ns() - e->time_ns;

	bpf_map_delete_elem(l->h.held_fd, &e->pid);
	kill(e->pid, SIGCONT);
	l->holds++;
	l->held_ns += ns;
	if (ns > l->held_max_ns)
		l->held_max_ns = ns;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct uscope_late_event *e = data;
	struct late *l = ctx;
	bool all = true;
	size_t k;

	if (size < sizeof(*e))
		return 0;
	for (k = 0; k < l->nnames; k++) {
		char *path;

		if (!l->names[k].done && (path = binpath_mapped(l->names[k].name, e->pid))) {
			arrived(l, k, path, e->pid, e->time_ns);
			free(path);
		}
		all &= l->names[k].done;
	}
	let_go(l, e);
	if (all && !l->unheld) {
		guardian__unhold(l->guard);	/* nothing left to wait for: no more holds */
		l->unheld = true;
	}
	return 0;
}

int late__fd(const struct late *l)
{
	return l->rb ? ring_buffer__epoll_fd(l->rb) : -1;
}

void late__consume(struct late *l)
{
	if (l->rb)
		ring_buffer__consume(l->rb);
}

static uint64_t stat_of(const struct late *l, uint32_t which)
{
	uint64_t v = 0;

	bpf_map_lookup_elem(l->h.stats_fd, &which, &v);
	return v;
}

void late__report(const struct late *l)
{
	uint64_t unheld;
	size_t i;

	if (!l->rb)
		return;
	fprintf(stderr, "Held the target %llu time%s at the loader's r_brk: %.2f ms in all, %.2f ms at most\n",
		(unsigned long long)l->holds, l->holds == 1 ? "" : "s", l->held_ns / 1e6, l->held_max_ns / 1e6);
	unheld = stat_of(l, USCOPE_LATE_UNHELD);
	if (unheld)
		err_msg("%llu load%s could not be held (the loader's ring buffer or held set was full): calls "
			"made right after such a dlopen may be missed", (unsigned long long)unheld, unheld == 1 ? "" : "s");
	for (i = 0; i < l->nnames; i++)
		if (!l->names[i].done)
			warn_msg("'%s' was never loaded: nothing was attached to it", l->names[i].name);
}

void late__free(struct late *l)
{
	ring_buffer__free(l->rb);
	l->rb = NULL;
	free(l->ld_path);
	free(l->ld_open);
	l->ld_path = l->ld_open = NULL;
}
