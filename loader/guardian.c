// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guardian process: creates and destroys every link, so that the last
 * reference is never dropped by a dying task. See guardian.h for why and for
 * the protocol.
 *
 * Why a process and not fd passing: a link fd handed over (SCM_RIGHTS,
 * pidfd_getfd) after BPF_LINK_CREATE returns leaves the syscall itself
 * exposed: SIGKILL during a 10,000-probe registration makes the kernel's
 * error path unregister from the dying caller, which leaks. A guardian that
 * makes the syscall itself is never the one being killed. It is forked after
 * the BPF object is loaded, so it holds the same program and map fds without
 * any passing at all.
 *
 * Why it survives what kills uscope: its own session and process group
 * (kill -PGID, terminal signals miss it), SIGINT/SIGTERM/SIGHUP ignored,
 * oom_score_adj -1000 when uscope has CAP_SYS_RESOURCE (the OOM killer then
 * picks uscope, never it; without the capability the value is left). It watches
 * uscope's pidfd, opened before the fork so that there is no window in which
 * it could watch the wrong process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "guardian.h"
#include "util.h"

#define CTL '\001'	/* first byte of a protocol line */

static volatile sig_atomic_t *shared_stop;	/* MAP_SHARED: seen by both processes */

void guardian__signal(int sig)
{
	if (shared_stop)
		*shared_stop = sig;
}

/* Detached from everything that could kill or block it. */
static void become_guardian(int sock, int uscope_pidfd, const int *close_fds, size_t nclose)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), fd;
	size_t i;

	setsid();
	prctl(PR_SET_NAME, GUARDIAN_NAME, 0, 0, 0);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) != 5)
			{ /* best effort: needs CAP_SYS_RESOURCE, which a tracer has */ }
		close(fd);
	}
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	for (i = 0; i < nclose; i++)
		if (close_fds[i] >= 0 && close_fds[i] != sock && close_fds[i] != uscope_pidfd)
			close(close_fds[i]);
	/* Never hold uscope's stdin/stdout: a pipe reader must see EOF when uscope ends. */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	dup2(sock, STDERR_FILENO);	/* messages travel to uscope, which prints them */
	close(sock);
}

/* Read exactly LEN bytes of the socket into BUF; false at EOF or on an error. */
static bool read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += n;
	}
	return true;
}

/* "mLEN\n" and LEN bytes (the 'm' read already): attach more, answer "more ERR PROBES". False: uscope is gone. */
static bool serve_more(const struct guardian_ops *ops)
{
	char head[24], *msg;
	size_t len = 0, i, probes = 0;
	int err;

	for (i = 0; i < sizeof(head) - 1; i++) {
		if (!read_full(STDERR_FILENO, &head[i], 1))
			return false;
		if (head[i] == '\n')
			break;
	}
	head[i] = 0;
	if (sscanf(head, "%zu", &len) != 1 || len > (64u << 20) || !(msg = malloc(len + 1)))
		return false;
	if (!read_full(STDERR_FILENO, msg, len)) {
		free(msg);
		return false;
	}
	msg[len] = 0;
	err = ops->more ? ops->more(ops->ctx, msg, len, shared_stop, &probes) : -ENOTSUP;
	free(msg);
	dprintf(STDERR_FILENO, "%cmore %d %zu\n", CTL, err, probes);
	return true;
}

/* Wait until uscope asks to detach, closes its end, or is gone; meanwhile serve OPS's watch. */
static void wait_for_end(const struct guardian_ops *ops, int uscope_pidfd)
{
	struct pollfd p[3] = { { .fd = STDERR_FILENO, .events = POLLIN }, { .fd = uscope_pidfd, .events = POLLIN },
			       { .fd = ops->watch_fd ? ops->watch_fd(ops->ctx) : -1, .events = POLLIN } };
	int n = p[2].fd >= 0 ? 3 : 2;
	char c;

	for (;;) {
		if (poll(p, n, n == 3 ? 1000 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents)
			return;
		if (n == 3 && !p[0].revents)
			ops->on_watch(ops->ctx);	/* readable, or the once-a-second look */
		if (p[0].revents) {
			ssize_t n = read(STDERR_FILENO, &c, 1);

			if (n < 0 && errno == EINTR)
				continue;
			if (n == 1 && c == 'm' && serve_more(ops))
				continue;
			if (n == 1 && c == 'r' && ops->unhold) {
				ops->unhold(ops->ctx);
				continue;
			}
			return;	/* "d", EOF or an error: all mean "detach now" */
		}
	}
}

static void __attribute__((noreturn))
guardian_main(const struct guardian_ops *ops, int uscope_pidfd)
{
	size_t probes = 0;
	int err;

	err = ops->attach(ops->ctx, shared_stop, &probes);
	dprintf(STDERR_FILENO, "%cattached %d %zu\n", CTL, err, probes);
	if (err)
		_exit(0);	/* a failed attach has already detached what it made */
	wait_for_end(ops, uscope_pidfd);
	ops->detach(ops->ctx);
	dprintf(STDERR_FILENO, "%cdetached\n", CTL);
	_exit(0);
}

int guardian__start(struct guardian *g, const struct guardian_ops *ops, volatile sig_atomic_t *stop,
		    const int *close_fds, size_t nclose)
{
	int sv[2], pidfd, err;

	g->pid = 0;
	g->sock = -1;
	g->attached = false;
	if (!shared_stop) {
		void *p = mmap(NULL, sizeof(*shared_stop), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			err = -errno;
			err_msg("cannot map the guardian's stop flag: %s", strerror(errno));
			return err;
		}
		shared_stop = p;
	}
	*shared_stop = *stop;	/* a signal before the page existed */
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		err_msg("cannot set up the guardian process: %s", strerror(errno));
		if (pidfd >= 0)
			close(pidfd);
		return err;
	}
	fflush(NULL);
	g->pid = fork();
	if (g->pid < 0) {
		err = -errno;
		err_msg("cannot fork the guardian process: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		close(pidfd);
		g->pid = 0;
		return err;
	}
	if (g->pid == 0) {
		close(sv[0]);
		become_guardian(sv[1], pidfd, close_fds, nclose);
		guardian_main(ops, pidfd);
	}
	close(sv[1]);
	close(pidfd);
	g->sock = sv[0];
	return 0;
}

/*
 * Read the guardian's lines until the protocol line WANT ("attached" or
 * "detached"), printing the others on stderr. Returns the line's text after
 * WANT, in BUF, or NULL at EOF.
 */
static const char *read_until(struct guardian *g, const char *want, char *buf, size_t size)
{
	static char acc[8192];
	static size_t len;

	for (;;) {
		char *nl = memchr(acc, '\n', len);
		ssize_t n;

		if (nl || len == sizeof(acc) - 1) {
			size_t l = nl ? (size_t)(nl - acc) + 1 : len;
			bool ctl = acc[0] == CTL && l > strlen(want) && !strncmp(acc + 1, want, strlen(want));

			if (ctl)
				snprintf(buf, size, "%.*s", (int)(l - 1 - strlen(want) - 1), acc + 1 + strlen(want));
			else if (acc[0] != CTL)
				fwrite(acc, 1, l, stderr);
			memmove(acc, acc + l, len - l);
			len -= l;
			if (ctl)
				return buf;
			continue;
		}
		n = read(g->sock, acc + len, sizeof(acc) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;	/* a stop request: the guardian sees it through the shared page */
		if (n <= 0) {
			if (len)
				fwrite(acc, 1, len, stderr);
			len = 0;
			return NULL;
		}
		len += n;
	}
}

int guardian__wait_attached(struct guardian *g, size_t *probes)
{
	char buf[64];
	int err;

	if (!read_until(g, "attached", buf, sizeof(buf)) || sscanf(buf, "%d %zu", &err, probes) != 2) {
		err_msg("the guardian process (pid %d) died while attaching", g->pid);
		return -ECHILD;
	}
	g->attached = true;
	return err;
}

void guardian__detach(struct guardian *g, bool wait)
{
	char buf[16];

	if (g->sock < 0)
		return;
	if (write(g->sock, "d", 1) != 1)
		{ /* the guardian is gone or going: it detaches on EOF as well */ }
	guardian__test_crash("detach");
	if (wait && g->attached)
		read_until(g, "detached", buf, sizeof(buf));
	close(g->sock);
	g->sock = -1;
	if (wait && g->pid > 0)
		waitpid(g->pid, NULL, 0);
	g->pid = 0;
}

/* Write all of BUF (LEN bytes) to the guardian; false if it is gone. */
static bool write_full(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

int guardian__attach_more(struct guardian *g, const char *msg, size_t len, size_t *probes)
{
	char head[32], buf[64];
	int err, n = snprintf(head, sizeof(head), "m%zu\n", len);

	*probes = 0;
	if (g->sock < 0 || !write_full(g->sock, head, n) || !write_full(g->sock, msg, len)) {
		err_msg("the guardian process (pid %d) is gone: cannot attach more", g->pid);
		return -ECHILD;
	}
	guardian__test_crash("late");
	if (!read_until(g, "more", buf, sizeof(buf)) || sscanf(buf, "%d %zu", &err, probes) != 2) {
		err_msg("the guardian process (pid %d) died while attaching more", g->pid);
		return -ECHILD;
	}
	return err;
}

void guardian__unhold(struct guardian *g)
{
	if (g->sock >= 0 && write(g->sock, "r", 1) != 1)
		{ /* the guardian is gone: it has continued every held process */ }
}

void guardian__report_probes(size_t probes)
{
	dprintf(STDERR_FILENO, "%cprobes %zu\n", CTL, probes);
}

int guardian__fd(const struct guardian *g)
{
	return g->sock;
}

bool guardian__pump(struct guardian *g, size_t *probes)
{
	struct pollfd p = { .fd = g->sock, .events = POLLIN };
	char buf[64];

	while (g->sock >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP))) {
		if (!read_until(g, "probes", buf, sizeof(buf))) {
			err_msg("the guardian process (pid %d) is gone, and the probes with it", g->pid);
			return false;
		}
		sscanf(buf, "%zu", probes);
	}
	return true;
}

void guardian__test_crash(const char *stage)
{
	const char *e = getenv("USCOPE_TEST_CRASH"), *how;
	size_t n = strlen(stage);

	if (!e || strncmp(e, stage, n) || e[n] != ':')
		return;
	how = e + n + 1;
	if (!strcmp(how, "segv")) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	else if (!strcmp(how, "abort"))
		abort();
	else if (!strcmp(how, "kill"))
		raise(SIGKILL);
}
