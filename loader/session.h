/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session: one `uscope trace` run as an object with a staged life.
 *
 *   session__new      options in, nothing opened yet
 *   session__prepare  the target (-p / -c), the binaries, the plan, the attach path
 *   session__load     the BPF object, sized from the plan; the output writer
 *   session__attach   every site; a -c child released; the Attached line
 *   session__run      collect until stopped (signal, -d, target exit, exec)
 *   session__report   stop counting, read the counts, detach, drain, print
 *   session__free     detach whatever is left, end a -c child, free
 *
 * Each stage returns 0 to go on, or the process exit status to stop with;
 * a stop request (*STOP set by a signal handler) before anything was
 * attached makes the remaining stages no-ops. Nothing outside session*.c
 * sees its insides.
 */
#ifndef USCOPE_SESSION_H
#define USCOPE_SESSION_H

#include <signal.h>
#include "trace_opts.h"

struct session;

struct session *session__new(const struct trace_opts *opts, volatile sig_atomic_t *stop);
int session__prepare(struct session *s);
int session__load(struct session *s);
int session__attach(struct session *s);
int session__run(struct session *s);
int session__report(struct session *s);

/* Frees S; STATUS is the run's exit status so far. Returns the final exit status. */
int session__free(struct session *s, int status);

#endif
