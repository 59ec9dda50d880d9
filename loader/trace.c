// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope trace`: the stages of a session, in order (see session.h).
 *
 *   parse argv -> check privileges -> prepare (target, binaries, plan) ->
 *   load (BPF object sized from the plan) -> attach -> run (collect until
 *   stopped) -> report (counts, tables, summary) -> free (detach, end).
 */
#include <signal.h>
#include <stdlib.h>
#include "commands.h"
#include "guardian.h"
#include "session.h"
#include "trace_opts.h"
#include "util.h"
#include "../helpers/kernel_features.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	guardian__signal(sig);	/* and to an attach in progress in the guardian */
}

int cmd_trace(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct trace_opts opts;
	struct session *s;
	const char *missing;
	int status;

	/* First of all, so that a stop request is never lost (nor ignored, if inherited as SIG_IGN). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (trace_opts__parse(argc, argv, &opts))
		return EXIT_USAGE;
	libbpf_log_verbose(opts.verbose);
	if (opts.metrics)
		signal(SIGHUP, SIG_IGN);	/* an exporter: SIGHUP reloads nothing and is not fatal */
	if (!kfeat_can_trace(&missing)) {
		err_msg("not enough privileges to trace: need %s (run as root)", missing);
		return 1;
	}
	s = session__new(&opts, &stop_signal);
	if (!s)
		return 1;
	status = session__prepare(s);
	if (!status)
		status = session__load(s);
	if (!status)
		status = session__attach(s);
	if (!status)
		status = session__run(s);
	if (!status)
		status = session__report(s);
	return session__free(s, status);
}
