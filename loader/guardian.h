/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * guardian: who drops the last reference to uscope's links, so that no dying
 * task ever does?
 *
 * When the last reference to a uprobe (a uprobe_multi or perf-event link, a
 * USDT semaphore reference) is dropped by a task with a fatal signal pending,
 * the kernel cannot write the original instruction back and leaks the uprobe:
 * its int3 bytes stay in the target for good (measured: 1,553-10,000 of
 * 10,000 after a SIGKILL of uscope), and so do raised semaphores. That
 * includes the kernel's own error path inside bpf(BPF_LINK_CREATE): a
 * uscope killed while it registers 10,000 probes unregisters them from a
 * dying task. Handing fds over after creation cannot cover that moment.
 *
 * So uscope never holds a link. Right after the BPF object is loaded it forks
 * a guardian (it inherits the program and map fds) in its own session and
 * process group, named "uscope-guard", with oom_score_adj -1000 (if allowed). The guardian
 * creates the links (the attach callback), waits, and destroys them (the
 * detach callback) when uscope asks, or when uscope's pidfd says uscope is
 * gone, whatever the way: SIGKILL, kill -9 -PGID, the OOM killer, a crash.
 * Then it exits.
 *
 * The two talk over a stream socketpair in lines: the guardian's stderr is
 * its end of the socket, so its error messages reach uscope's stderr through
 * uscope; lines starting with \001 are the protocol ("attached ERR PROBES",
 * "more ERR PROBES", "detached"). uscope sends "d" for "detach now",
 * "mLEN\n" and LEN bytes for "attach more" (a library that arrived later:
 * late.h; the guardian answers "more"), and "r" for "stop holding loads".
 * A MAP_SHARED page carries uscope's stop request (SIGINT/SIGTERM) into an
 * attach in progress.
 */
#ifndef USCOPE_GUARDIAN_H
#define USCOPE_GUARDIAN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define GUARDIAN_NAME "uscope-guard"

struct guardian_ops {
	/* In the guardian: create the links; STOP becomes nonzero on SIGINT/SIGTERM of uscope. */
	int (*attach)(void *ctx, volatile sig_atomic_t *stop, size_t *probes);
	/* In the guardian: destroy them. */
	void (*detach)(void *ctx);
	/*
	 * Optional, in the guardian while attached (--metrics: replaced files):
	 * an fd to poll, and what to do when it is readable or a second passed.
	 */
	int (*watch_fd)(void *ctx);
	void (*on_watch)(void *ctx);
	/*
	 * Optional, in the guardian while attached (late.h): attach more, as MSG
	 * (LEN bytes) says, keeping the links with the others; *PROBES: the probe
	 * points it added. And: drop the links that hold processes at load.
	 */
	int (*more)(void *ctx, const char *msg, size_t len, volatile sig_atomic_t *stop, size_t *probes);
	void (*unhold)(void *ctx);
	void *ctx;
};

struct guardian {
	pid_t pid;		/* 0: not started */
	int sock;		/* uscope's end of the socketpair, -1 when closed */
	bool attached;		/* the attach result has been read */
};

/*
 * Fork the guardian and let it attach. *STOP is uscope's stop flag (set by
 * its signal handler, which must also call guardian__signal()). CLOSE_FDS are
 * closed in the guardian (e.g. the release pipe of a -c child, which must see
 * EOF when uscope dies). Returns 0 or a negative errno (message printed).
 */
int guardian__start(struct guardian *g, const struct guardian_ops *ops, volatile sig_atomic_t *stop,
		    const int *close_fds, size_t nclose);

/* Async-signal-safe: forward uscope's stop request to an attach in progress. */
void guardian__signal(int sig);

/*
 * Wait for the attach result, forwarding the guardian's messages to stderr.
 * Returns the attach callback's result (probes set on success), or a
 * negative errno if the guardian died (message printed).
 */
int guardian__wait_attached(struct guardian *g, size_t *probes);

/*
 * Ask the guardian to detach. With WAIT, return once every link is gone and
 * the guardian has exited; without, return at once (it finishes alone).
 */
void guardian__detach(struct guardian *g, bool wait);

/*
 * In uscope: have the guardian attach more (ops->more reads MSG, LEN bytes)
 * and wait for its answer, forwarding its messages. Returns ops->more's
 * result with *PROBES the probe points added, or -ECHILD if the guardian
 * died (message printed).
 */
int guardian__attach_more(struct guardian *g, const char *msg, size_t len, size_t *probes);

/* In uscope: have the guardian call ops->unhold; no answer. */
void guardian__unhold(struct guardian *g);

/* In the guardian (on_watch): tell uscope how many probes are in place now. */
void guardian__report_probes(size_t probes);

/*
 * In uscope: forward what the guardian printed since (its lines on stderr)
 * and the last probe count it reported into *PROBES; never blocks for long
 * (the guardian sends a count after every batch of lines). The fd to poll:
 * guardian__fd().
 */
bool guardian__pump(struct guardian *g, size_t *probes);	/* false: the guardian is gone */
int guardian__fd(const struct guardian *g);

/* Test-only crash hook: USCOPE_TEST_CRASH=STAGE:segv|abort|kill crashes uscope at STAGE. */
void guardian__test_crash(const char *stage);

#endif
