/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * target: the process uscope traces, if any.
 *   -p PID  an existing process; its executable is /proc/PID/exe and other
 *           binaries are opened through /proc/PID/root (containers)
 *   -c CMD  a child started stopped before exec, so the probes are in place
 *           before its first instruction, then released
 * Both end the trace when the process exits (watched through a pidfd); a
 * -c child still running when uscope stops is ended (target__finish).
 */
#ifndef USCOPE_TARGET_H
#define USCOPE_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

struct target {
	pid_t pid;		/* 0: none, trace every process */
	int pidfd;		/* readable when the process has exited, -1 when none */
	bool child;		/* started by -c; reaped by us */
	bool reaped;		/* -c: its exit status has been collected */
	bool stop_at_exec;	/* -c: stop the child right after exec (nocookie) */
	int go_fd;		/* -c: write end of the pipe that releases the child */
	char *exe;		/* executable path shown to the user */
	char *exe_open;		/* executable path to open (/proc/PID/exe for -p) */
	char **argv;		/* -c: the split command (wordexp) */
	void *we;		/* -c: wordexp_t holding argv */
};

/* -p: check PID exists, open its pidfd. Message printed on failure. */
int target__open_pid(struct target *t, const char *pid_str);

/* -c: split CMD like a shell, find the program on PATH, fork it stopped. */
int target__spawn(struct target *t, const char *cmd);

/*
 * -c: let the child exec (call once attached). With stop_at_exec, returns
 * once the child stopped right after exec, with its executable mapped;
 * target__resume() then lets it run. Returns 0 or a negative errno.
 */
int target__release(struct target *t);
void target__resume(struct target *t);

/* Path to open for BINARY in the target's mount namespace (allocated). */
char *target__open_path(const struct target *t, const char *binary);

/* How long a -c child has to end after SIGTERM before SIGKILL. */
#define TARGET_GRACE_MS 1000

/*
 * -c, at the end, after what was gathered is printed: the child's fate. If
 * it has ended other than with exit 0, say so on stderr ("child 1234 killed
 * by SIGSEGV", "child 1234 exited with status 3") and return the status a
 * shell would give (128 + signal, or its exit status). If it still runs
 * (uscope stopped first: -d, Ctrl-C, SIGTERM, stdout closed), end it:
 * SIGTERM, then SIGKILL after GRACE_MS; return 0. Without a child, 0.
 */
int target__finish(struct target *t, int grace_ms);

/* Kill an unreleased child, end a released one still running (as above), reap, close fds. */
void target__close(struct target *t, bool kill_child);

#endif
