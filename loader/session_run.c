// SPDX-License-Identifier: BSD-2-Clause
/*
 * A session's collecting stage: the event loop (ring buffer, target exit,
 * deadline, intervals, exec detection) and the tables printed from the
 * maps at each interval and at the end.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "session_priv.h"
#include "util.h"

int session_on_event(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	int took = stacks__on_record(&s->stacks, &s->out, data, size);	/* 1: consumed, 2: printed */

	if (!took && size < sizeof(struct uscope_event))
		return 0;
	if (!took)
		output__event(&s->out, data, size);
	s->events += took != 1;
	/*
	 * ring_buffer__consume() returns only once the buffer is empty, which a
	 * target producing faster than we print never lets happen: break off every
	 * so often (the record is consumed either way) so the loop can see a
	 * signal, the deadline or the target's exit.
	 */
	if (!s->final_drain && ++s->batch >= 4096)
		return -EAGAIN;
	return 0;
}

/*
 * --latency --by: the rows of this interval (read and deleted from the map,
 * added to the totals), or the totals and what the map still holds.
 */
static void print_by_lat(struct session *s, bool interval)
{
	struct by_row *rows;
	size_t n;

	if (bpf_obj__by_lat(s->obj, interval, &rows, &n)) {
		err_msg("cannot read the --by table");
		free(rows);
		return;
	}
	n = by__normalize(&s->by, rows, n);
	if (interval && by__add_total(&s->by, rows, n))
		err_msg("out of memory");
	if (!interval && s->by.ntotal) {
		struct by_row *all = realloc(rows, (n + s->by.ntotal + 1) * sizeof(*all));

		if (!all) {
			err_msg("out of memory");
			free(rows);
			return;
		}
		rows = all;
		memcpy(rows + n, s->by.total, s->by.ntotal * sizeof(*rows));
		n = by__normalize(&s->by, rows, n + s->by.ntotal);
	}
	output__by_hists(&s->out, &s->by, &s->hist, rows, n, s->opts->top);
	free(rows);
}

/* --by: the key table, total or (INTERVAL) its growth since the last interval. */
static void print_by(struct session *s, bool interval)
{
	struct by_row *rows;
	size_t n;

	if (s->by.latency) {
		print_by_lat(s, interval);
		return;
	}
	if (bpf_obj__by_rows(s->obj, &rows, &n)) {
		err_msg("cannot read the --by table");
		free(rows);
		return;
	}
	n = by__normalize(&s->by, rows, n);
	if (interval)
		by__deltas(&s->by, rows, n);
	if (s->hist.mode)
		output__by_hists(&s->out, &s->by, &s->hist, rows, n, s->opts->top);
	else
		output__by(&s->out, &s->by, rows, n, s->opts->top);
	free(rows);
}

/* --hist / --lhist: the value histograms, total or (INTERVAL) since the last interval. */
static void print_vhists(struct session *s, bool interval)
{
	uint64_t *b = bpf_obj__vhists(s->obj);

	if (!b) {
		err_msg("cannot read the value histograms");
		return;
	}
	if (interval)
		hist__deltas(&s->hist, b, s->plan.nsites);
	output__vhists(&s->out, &s->hist, b, s->opts->top);
	free(b);
}

/* Counts or histograms, total or (INTERVAL) since the last interval. */
void session_print_aggregates(struct session *s, bool interval)
{
	uint64_t *counts;
	size_t i;

	if (s->by.nkeys) {
		print_by(s, interval);
		return;
	}
	if (s->opts->latency) {
		struct uscope_hist *h = interval ? bpf_obj__hists_interval(s->obj) : bpf_obj__hists(s->obj);

		if (h)
			output__hists(&s->out, h, s->opts->top);
		else
			err_msg("cannot read the histograms");
		free(h);
		return;
	}
	if (s->hist.mode) {
		print_vhists(s, interval);
		return;
	}
	counts = calloc(s->plan.nsites + 1, sizeof(*counts));
	if (!counts || bpf_obj__counts(s->obj, counts)) {
		err_msg("cannot read the counts");
		free(counts);
		return;
	}
	if (interval && s->prev_counts) {
		for (i = 0; i < s->plan.nsites; i++) {
			uint64_t now = counts[i];

			counts[i] -= s->prev_counts[i];
			s->prev_counts[i] = now;
		}
	}
	output__counts(&s->out, counts, s->opts->top);
	free(counts);
}

static void print_interval(struct session *s)
{
	output__interval_mark(&s->out);
	session_print_aggregates(s, true);
	output__flush(&s->out);
}

/* -p: true once the process runs another program (exec); its probes are gone. */
static bool target_execed(struct session *s)
{
	struct stat st;

	if (s->target.child || s->target.pid <= 0 || !s->exe_st.st_ino)
		return false;
	if (stat(s->target.exe_open, &st))
		return false;	/* exiting; the pidfd will say so */
	if (st.st_ino == s->exe_st.st_ino && st.st_dev == s->exe_st.st_dev)
		return false;
	err_msg("process %d has exec'd another program; its probes are gone", s->target.pid);
	return true;
}

/* Wait for events, the end of the target, the deadline, an interval or a signal. */
void session_event_loop(struct session *s)
{
	const struct trace_opts *o = s->opts;
	uint64_t start = now_ns();
	uint64_t deadline = o->duration > 0 ? start + (uint64_t)(o->duration * 1e9) : 0;
	uint64_t step = o->interval > 0 ? (uint64_t)(o->interval * 1e9) : 0;
	uint64_t next_print = step ? start + step : 0, next_exec_check = start;
	struct pollfd pfd[5];
	int n = 0, pid_idx = -1;

	if (s->rb) {
		pfd[n].fd = ring_buffer__epoll_fd(s->rb);
		pfd[n++].events = POLLIN;
	}
	if (late__fd(&s->late) >= 0) {
		pfd[n].fd = late__fd(&s->late);	/* before the pidfd, which is dropped with -f */
		pfd[n++].events = POLLIN;
	}
	if (s->target.pidfd >= 0) {
		pfd[n].fd = s->target.pidfd;
		pfd[n].events = POLLIN;
		pid_idx = n++;
	}
	if (o->metrics) {
		metrics_agent__fds(&s->metrics, pfd, &n);
		/* the guardian's news: re-attached files, the probe count */
		pfd[n].fd = guardian__fd(&s->guard);
		pfd[n++].events = POLLIN;
	}
	while (!*s->stop) {
		/* Short timeout: BPF wakes us only per batch, so poll for stragglers. */
		uint64_t now = now_ns(), wake = now + (s->rb || s->follow.tree ? 100 : 1000) * 1000000ull;

		if (deadline && deadline < wake)
			wake = deadline;
		if (next_print && next_print < wake)
			wake = next_print;
		if (poll(pfd, n, wake > now ? (int)((wake - now + 999999) / 1000000) : 0) < 0 && errno != EINTR)
			break;
		late__consume(&s->late);	/* first: a process may be held */
		if (s->rb) {
			s->batch = 0;
			ring_buffer__consume(s->rb);
		}
		if (o->metrics) {
			if (!guardian__pump(&s->guard, &s->metrics.probes))
				break;
			metrics_agent__after_poll(&s->metrics);
		}
		if (!output__flush(&s->out))
			break;	/* stdout closed (e.g. piped into head) */
		if (pid_idx >= 0 && (pfd[pid_idx].revents & POLLIN)) {
			if (!s->follow.tree)
				break;	/* the target has exited */
			n = pid_idx--;	/* -f: its descendants may live on (the pidfd is the last entry) */
		}
		if (s->follow.tree && !follow__tree_alive(&s->follow))
			break;	/* the whole tree has exited */
		now = now_ns();
		if (deadline && now >= deadline)
			break;
		if (next_print && now >= next_print) {
			print_interval(s);
			next_print += step;
		}
		if (now >= next_exec_check) {
			if (!s->follow.tree && target_execed(s))
				break;
			next_exec_check = now + 1000000000ull;
		}
	}
}
