// SPDX-License-Identifier: BSD-2-Clause
/*
 * Finds and watches the traced process. See target.h.
 *
 * -c forks first and makes the child wait on a pipe before exec: the probes
 * are attached to the child's pid while it still runs uscope's image, so
 * uprobe_multi's pid filter holds from the first instruction of the new
 * program, and no early call is missed. If attaching fails, the pipe is
 * closed unwritten and the child exits without ever running the command.
 *
 * A child uscope never released must end if uscope dies, whatever the way:
 * EOF on the pipe, and PR_SET_PDEATHSIG (SIGKILL) until it is released. With
 * stop_at_exec it stops itself first, so that uscope can set
 * PTRACE_O_EXITKILL before the exec: a uscope that dies while the new
 * program waits at its exec stop takes it along instead of letting it run
 * untraced. A released child outlives uscope, like any command.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wordexp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "target.h"
#include "util.h"

static int pidfd_open(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

int target__open_pid(struct target *t, const char *pid_str)
{
	char link[64], buf[PATH_MAX];
	uint64_t v;
	ssize_t n;
	int fd;

	if (!parse_u64(pid_str, INT32_MAX, &v) || v == 0) {
		err_msg("invalid PID '%s'", pid_str);
		return -EINVAL;
	}
	t->pid = v;
	fd = pidfd_open(t->pid);
	if (fd < 0) {
		if (fd == -ESRCH)
			err_msg("no process with PID %d", t->pid);
		else
			err_msg("cannot watch PID %d: %s", t->pid, strerror(-fd));
		return fd;
	}
	t->pidfd = fd;
	snprintf(link, sizeof(link), "/proc/%d/exe", t->pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0) {
		int err = -errno;

		err_msg("cannot read the executable of PID %d: %s", t->pid, strerror(-err));
		return err;
	}
	buf[n] = 0;
	t->exe = strdup(buf);
	t->exe_open = strdup(link);
	if (!t->exe || !t->exe_open) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* execvp's search, done up front so an unknown command is reported before forking. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	struct stat st;

	if (strchr(name, '/'))
		return stat(name, &st) == 0 && S_ISREG(st.st_mode) ? realpath(name, NULL) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", name) < (int)sizeof(buf) &&
		    stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		path += len + (path[len] == ':');
	}
	return NULL;
}

int target__spawn(struct target *t, const char *cmd)
{
	wordexp_t *we = calloc(1, sizeof(*we));
	pid_t parent = getpid();
	int go[2], fd;
	char c;

	if (!we) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	t->we = we;
	if (wordexp(cmd, we, WRDE_NOCMD) || we->we_wordc == 0) {
		err_msg("cannot split command '%s'", cmd);
		return -EINVAL;
	}
	t->argv = we->we_wordv;
	t->exe = find_program(t->argv[0]);
	if (!t->exe) {
		err_msg("command '%s' not found", t->argv[0]);
		return -ENOENT;
	}
	t->exe_open = strdup(t->exe);
	if (!t->exe_open) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	if (pipe2(go, O_CLOEXEC)) {
		int err = -errno;

		err_msg("cannot start '%s': pipe: %s", t->argv[0], strerror(-err));
		return err;
	}
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0) {
		int err = -errno;

		t->pid = 0;
		close(go[0]);
		close(go[1]);
		err_msg("cannot start '%s': fork: %s", t->argv[0], strerror(-err));
		return err;
	}
	if (t->pid == 0) {
		close(go[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || read(go[0], &c, 1) != 1)
			_exit(127);	/* uscope gave up or died: never run the command */
		if (c == 's' && (ptrace(PTRACE_TRACEME, 0, NULL, NULL) || raise(SIGSTOP)))
			_exit(127);	/* stop at exec, so uscope sees the mappings first */
		prctl(PR_SET_PDEATHSIG, 0);
		execv(t->exe, t->argv);
		fprintf(stderr, "uscope: cannot run '%s': %s\n", t->exe, strerror(errno));
		_exit(127);
	}
	close(go[0]);
	t->go_fd = go[1];
	t->child = true;
	fd = pidfd_open(t->pid);
	if (fd < 0) {
		err_msg("cannot watch the command's process %d: %s", t->pid, strerror(-fd));
		return fd;
	}
	t->pidfd = fd;
	return 0;
}

int target__release(struct target *t)
{
	int status;

	if (t->go_fd < 0)
		return 0;
	if (write(t->go_fd, t->stop_at_exec ? "s" : "g", 1) != 1) {
		int err = -errno;

		err_msg("cannot release the command: %s", strerror(-err));
		return err;
	}
	close(t->go_fd);
	t->go_fd = -1;
	if (!t->stop_at_exec)
		return 0;
	/* The child's own SIGSTOP: from here on it dies with uscope (EXITKILL). */
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, t->pid, NULL, (void *)(long)PTRACE_O_EXITKILL) ||
	    ptrace(PTRACE_CONT, t->pid, NULL, NULL)) {
		err_msg("command '%s' did not start", t->argv[0]);
		return -ECHILD;
	}
	/* PTRACE_TRACEME: the exec stops the child with SIGTRAP, everything mapped but libraries. */
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFSTOPPED(status)) {
		err_msg("command '%s' did not start", t->argv[0]);
		return -ECHILD;
	}
	return 0;
}

void target__resume(struct target *t)
{
	if (t->stop_at_exec && t->pid > 0)
		ptrace(PTRACE_DETACH, t->pid, NULL, NULL);
}

char *target__open_path(const struct target *t, const char *binary)
{
	char *p;

	if (t->pid > 0 && !t->child && binary[0] == '/') {
		if (asprintf(&p, "/proc/%d/root%s", t->pid, binary) < 0)
			return NULL;
		return p;
	}
	return strdup(binary);
}

/* Wait up to MS for the child to end (its pidfd becomes readable); true if it did. */
static bool wait_end(const struct target *t, int ms)
{
	struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

	return t->pidfd >= 0 && poll(&p, 1, ms) > 0;
}

/* The child still runs but uscope is done: SIGTERM, then SIGKILL after GRACE_MS; reap it. */
static void end_child(struct target *t, int grace_ms)
{
	if (kill(t->pid, SIGTERM) == 0 && !wait_end(t, grace_ms))
		kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	t->reaped = true;
}

int target__finish(struct target *t, int grace_ms)
{
	int status;
	pid_t r;

	if (!t->child || t->pid <= 0 || t->go_fd >= 0 || t->reaped)
		return 0;
	r = waitpid(t->pid, &status, WNOHANG);
	if (r == 0) {
		end_child(t, grace_ms);
		return 0;
	}
	t->reaped = true;
	if (r != t->pid)
		return 0;
	if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		err_msg("child %d killed by SIG%s", t->pid, abbrev ? abbrev : "?");
		return 128 + WTERMSIG(status);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status)) {
		err_msg("child %d exited with status %d", t->pid, WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	return 0;
}

void target__close(struct target *t, bool kill_child)
{
	if (t->child && t->pid > 0 && !t->reaped) {
		if (t->go_fd >= 0) {
			close(t->go_fd);	/* the child exits without running the command */
			t->go_fd = -1;
			if (kill_child)
				kill(t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
		} else if (waitpid(t->pid, NULL, WNOHANG) == 0) {
			end_child(t, TARGET_GRACE_MS);	/* released, still running: uscope stopped first */
		}
	}
	if (t->go_fd >= 0)
		close(t->go_fd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->we) {
		wordfree(t->we);
		free(t->we);
	}
	free(t->exe);
	free(t->exe_open);
	memset(t, 0, sizeof(*t));
	t->pidfd = t->go_fd = -1;
}
