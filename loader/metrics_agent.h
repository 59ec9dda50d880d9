/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_agent: `uscope trace --metrics`, the per-host exporter. It owns
 * the HTTP server, turns a scrape into map reads and an exposition, and,
 * when the probes are system-wide, owns the links one binary at a time so
 * that a replaced file can be re-attached alone (metrics_reattach.c).
 *
 * The life: metrics_agent__open() right after the options (binds the port:
 * a port in use fails before anything is attached), __prepare() after load;
 * then, in the guardian process that owns every link (guardian.h),
 * __attach() instead of attach__run(), __watch() while attached and
 * __detach(); in uscope, __fds() / __after_poll() serve scrapes from the
 * event loop, and __close().
 */
#ifndef USCOPE_METRICS_AGENT_H
#define USCOPE_METRICS_AGENT_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "attach.h"
#include "metrics_by.h"
#include "metrics_expo.h"
#include "metrics_http.h"
#include "metrics_watch.h"
#include "plan.h"

struct bpf_obj;
struct bpf_obj_reader;

/* One binary's links: the current file's, and the one it replaced. */
struct metrics_bin_links {
	struct attach_state cur;
	struct attach_state prev;	/* processes still running the old file keep counting */
	dev_t cur_dev, prev_dev;	/* the files they are on */
	ino_t cur_ino, prev_ino;
	uint32_t replaced;		/* times the file was replaced */
};

struct metrics_agent {
	struct metrics_http *http;
	struct metrics_watch *watch;	/* NULL with -p / -c: a process keeps its file */
	const struct attach_progs *progs;
	struct bpf_obj_reader *reader;	/* the BPF-object room's batched readers */
	const struct bpf_obj *obj;
	struct metrics_by by;		/* --by: the key table's series */
	struct plan *plan;
	struct attach_cfg cfg;
	const struct attach_state *links;	/* with -p / -c: trace's own links */
	struct metrics_bin_links *bins;		/* system-wide: one per plan binary */
	size_t nbins;
	/* Scrape buffers, sized once from the plan. */
	struct metrics_site *sites, *hist_sites;
	struct metrics_site *by_hist_sites;	/* --latency --by: hist_sites by entry site id */
	struct metrics_buf site_labels, hist_labels;	/* their label sets, escaped once */
	uint64_t *hits;
	struct uscope_hist *hists;
	uint64_t next_full_check;	/* ns: the once-a-second look at every probed path */
	size_t probes;		/* in uscope: probe points in place, as the guardian last said */
};

/* Parse and bind ADDR (--metrics). 0, or a negative errno after one message. */
int metrics_agent__open(struct metrics_agent *a, const char *addr);

/* In uscope, after load: the scrape buffers and the site labels, from PLAN; BY: --by keys (or NULL). */
int metrics_agent__prepare(struct metrics_agent *a, const struct bpf_obj *obj, struct plan *plan,
			   const struct by_spec *by);

/*
 * In the guardian. Attach the plan: system-wide (CFG->pid == 0) one binary at a time into
 * the agent's own link sets, with each binary's path watched; else
 * attach__run() into *LINKS. *LINKS also gets the mode and the probe count
 * for the "Attached" line. Same contract as attach__run().
 */
int metrics_agent__attach(struct metrics_agent *a, const struct attach_progs *progs, struct plan *plan,
			  const struct attach_cfg *cfg, volatile sig_atomic_t *stop, struct attach_state *links);

/*
 * In the guardian, while attached: the inotify fd to poll (-1: none), and
 * the look at the probed files to make when it is readable or once a
 * second. True if a file was replaced (re-attached or refused).
 */
int metrics_agent__watch_fd(const struct metrics_agent *a);
bool metrics_agent__watch(struct metrics_agent *a);

/* Add the HTTP server's fd to PFD (room for 1 more), advancing *N. */
void metrics_agent__fds(struct metrics_agent *a, struct pollfd *pfd, int *n);

/* After every poll(): serve scrapes. */
void metrics_agent__after_poll(struct metrics_agent *a);

/* In the guardian: probe points in place now (uscope_probes_attached). */
uint64_t metrics_agent__probes(const struct metrics_agent *a);

void metrics_agent__detach(struct metrics_agent *a);
void metrics_agent__close(struct metrics_agent *a);

/* metrics_reattach.c: attach the current file of binary BI (its path was replaced). */
void metrics_agent__reattach(struct metrics_agent *a, uint32_t bi);

/*
 * metrics_usdt.c: in VIEW (a copy of PLAN whose sites and locs the caller
 * owns), move binary BI's USDT sites to the locations in NOTES (its new
 * file) that keep their spec ids exactly; the others get no binary. Returns
 * how many were left out, the first one's name in *FIRST_LEFT.
 */
struct usdt_note_list;
size_t metrics_usdt__rebase(const struct plan *plan, uint32_t bi, const struct usdt_note_list *notes,
			    struct plan *view, const char **first_left);

#endif
