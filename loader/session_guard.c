// SPDX-License-Identifier: BSD-2-Clause
/*
 * The attach stage through the guardian: which process runs attach__run()?
 * Not uscope: the guardian (guardian.h), forked here, after the BPF object is
 * loaded, creates the links in its own copy of the session and destroys them
 * when told or when uscope is gone. uscope learns the outcome and the probe
 * count; its own attach_state never holds a link.
 */
#include <errno.h>
#include "session_priv.h"

static int guarded_attach(void *ctx, volatile sig_atomic_t *stop, size_t *probes)
{
	struct session *s = ctx;
	int err;

	if (s->opts->metrics)	/* per-binary links, so that a replaced file is re-attached alone */
		err = metrics_agent__attach(&s->metrics, &s->progs, &s->plan, &s->cfg, stop, &s->links);
	else
		err = attach__run(&s->progs, &s->plan, &s->cfg, stop, &s->links);
	/* A name no file matches yet: the loader's r_brk tells when it arrives (late.h). */
	if (!err && (err = late__guard_attach(&s->late, s->obj, &s->cfg)))
		attach__destroy(&s->links);
	*probes = s->links.probes;
	return err;
}

static void guarded_detach(void *ctx)
{
	struct session *s = ctx;

	/* Stop counting at once (uscope has, unless it died), then let the links go. */
	bpf_obj__stop(s->obj);
	late__guard_detach(&s->late, s->obj);	/* first: no process stays held */
	attach__destroy(&s->links);
	metrics_agent__detach(&s->metrics);
}

/* A library that arrived later: its sites, appended to the guardian's plan, attached and kept. */
static int guarded_more(void *ctx, const char *msg, size_t len, volatile sig_atomic_t *stop, size_t *probes)
{
	struct session *s = ctx;

	(void)stop;	/* one binary's links: too short to be worth stopping */
	return late__guard_more(&s->late, &s->plan, &s->progs, &s->cfg, msg, len, probes);
}

static void guarded_unhold(void *ctx)
{
	struct session *s = ctx;

	late__guard_unhold(&s->late, s->obj);
}

/* --metrics: the guardian watches the probed files, since the links to move are its own. */
static int guarded_watch_fd(void *ctx)
{
	return metrics_agent__watch_fd(&((struct session *)ctx)->metrics);
}

static void guarded_on_watch(void *ctx)
{
	struct metrics_agent *a = &((struct session *)ctx)->metrics;

	if (metrics_agent__watch(a))
		guardian__report_probes(metrics_agent__probes(a));
}

int session_attach_guarded(struct session *s)
{
	static struct guardian_ops ops = { .attach = guarded_attach, .detach = guarded_detach };
	/*
	 * The release pipe of a -c child must see EOF when uscope dies, not when
	 * the guardian does; the target's pidfd is uscope's business (the
	 * guardian holds one pidfd, uscope's, which tests read to tell whom it guards).
	 */
	int close_fds[] = { s->target.go_fd, s->target.pidfd };
	int err;

	ops.ctx = s;
	if (s->late.nnames) {
		ops.more = guarded_more;
		ops.unhold = guarded_unhold;
	}
	if (s->opts->metrics) {
		if (metrics_agent__prepare(&s->metrics, s->obj, &s->plan, &s->by))
			return -ENOMEM;
		ops.watch_fd = guarded_watch_fd;
		ops.on_watch = guarded_on_watch;
	}
	err = guardian__start(&s->guard, &ops, s->stop, close_fds, 2);
	if (err)
		return err;
	guardian__test_crash("attach");
	err = guardian__wait_attached(&s->guard, &s->links.probes);
	s->links.mode = s->cfg.mode;
	s->metrics.probes = s->links.probes;
	if (err) {
		guardian__detach(&s->guard, true);
		return err;
	}
	guardian__test_crash("attached");
	return 0;
}
