// SPDX-License-Identifier: BSD-2-Clause
/*
 * The attach stage through the guardian: which process runs attach__run()?
 * Not uscope: the guardian (guardian.h), forked here, after the BPF object is
 * loaded, creates the links in its own copy of the session and destroys them
 * when told or when uscope is gone. uscope learns the outcome and the probe
 * count; its own attach_state never holds a link.
 */
#include "session_priv.h"

static int guarded_attach(void *ctx, volatile sig_atomic_t *stop, size_t *probes)
{
	struct session *s = ctx;
	int err = attach__run(&s->progs, &s->plan, &s->cfg, stop, &s->links);

	*probes = s->links.probes;
	return err;
}

static void guarded_detach(void *ctx)
{
	attach__destroy(&((struct session *)ctx)->links);
}

int session_attach_guarded(struct session *s)
{
	static struct guardian_ops ops = { .attach = guarded_attach, .detach = guarded_detach };
	/* The release pipe of a -c child: it must see EOF when uscope dies, not when the guardian does. */
	int close_fds[] = { s->target.go_fd };
	int err;

	ops.ctx = s;
	err = guardian__start(&s->guard, &ops, s->stop, close_fds, 1);
	if (err)
		return err;
	guardian__test_crash("attach");
	err = guardian__wait_attached(&s->guard, &s->links.probes);
	s->links.mode = s->cfg.mode;
	if (err) {
		guardian__detach(&s->guard, true);
		return err;
	}
	guardian__test_crash("attached");
	return 0;
}
