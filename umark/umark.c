// SPDX-License-Identifier: GPL-2.0
/*
 * umark: the demo/test target that uscope traces.
 *
 * This file: options, the per-iteration driver, threads, signal handling
 * and the machine-readable summary.  The traced functions are in ops.c,
 * the USDT sites in probes.c and probe3.c, the library in libumark.c.
 * See README.md for the exact per-iteration counts.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "libumark.h"
#include "umark.h"
#include "typed.h"

#define UMARK_MAX_THREADS 1024
#define UMARK_MAX_INTERVAL_MS 86400000ULL /* one day */
#define UMARK_RECURSE_DEPTH 5

unsigned long long umark_counts[UMARK_C_MAX];

static struct {
	unsigned long long iterations; /* valid if have_iterations */
	int have_iterations;
	unsigned long long interval_ms;
	int quiet;
	int sleep;
	int typed;
	int wait;
	unsigned threads;
} opts = { .interval_ms = 1000, .threads = 1 };

/*
 * Stopping: the handler only sets stop_flag and writes a byte to a
 * self-pipe.  Every thread sleeps in ppoll() on the pipe's read end, so all
 * of them wake up at once, whichever thread took the signal.  The loop
 * checks the flag between iterations only, so iterations are never cut
 * short and every count is a whole number of iterations.
 */
static volatile sig_atomic_t stop_flag;
static int stop_pipe[2] = { -1, -1 };

static unsigned long long checksum_total; /* sum of per-thread checksums */

static void on_stop_signal(int sig)
{
	int saved_errno = errno;
	ssize_t r;

	(void)sig;
	stop_flag = 1;
	r = write(stop_pipe[1], "x", 1);
	(void)r;
	errno = saved_errno;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: umark [-n N] [-i MS] [-q] [-s] [-T] [-t N] [-w] [-h]\n"
		"  -n N   run N iterations (default: until SIGINT/SIGTERM)\n"
		"  -i MS  sleep MS milliseconds between iterations (default 1000, 0 = none)\n"
		"  -q     quiet: no per-iteration output on stdout\n"
		"  -s     also call umark_sleep_1ms() and umark_sleep_8ms() each iteration\n"
		"  -T     also call the typed-argument functions (typed.c) each iteration\n"
		"  -t N   run the loop in N threads, each doing all iterations (default 1)\n"
		"  -w     wait for a byte (or EOF) on stdin before starting\n"
		"  -h     show this help\n"
		"On exit prints a summary of all calls and USDT fires to stderr.\n");
}

/* Strict decimal parse: digits only, no sign, no overflow, <= max. */
static int parse_ull(const char *s, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (ULLONG_MAX - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

/* Sleep ms milliseconds or until a stop is requested. */
static void interval_sleep(unsigned long long ms)
{
	unsigned long long deadline = now_ns() + ms * 1000000ULL;

	while (!stop_flag) {
		struct pollfd pfd = { .fd = stop_pipe[0], .events = POLLIN };
		unsigned long long now = now_ns(), left;
		struct timespec ts;

		if (now >= deadline)
			break;
		left = deadline - now;
		ts.tv_sec = (time_t)(left / 1000000000ULL);
		ts.tv_nsec = (long)(left % 1000000000ULL);
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			break; /* stop pipe readable */
	}
}

/* -w: wait for one byte (or EOF) on stdin, or a stop request. */
static void wait_for_stdin(void)
{
	char c;

	while (!stop_flag) {
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = stop_pipe[0], .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd[1].revents)
			return;
		if (pfd[0].revents) {
			ssize_t r = read(STDIN_FILENO, &c, 1);

			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return; /* a byte, EOF or an error: start */
		}
	}
}

/*
 * One iteration.  Per call of this function:
 *   func_uprobe1 1, func_uprobe2 1, umark_op_NN NN+1, umark_recurse 6,
 *   umark_sleep_1ms/8ms 1 each with -s (else 0), umark_greet 1,
 *   lib_add 2, lib_mul 3 (lib_add_probed 1);
 *   groupa:probe1 1, groupb:probe2 1, groupc:probe3 1 if its semaphore is
 *   set (else 0), groupd:twice 3 (site A 1 + site B 2), groupe:mixed 1,
 *   libumark:libprobe 1.
 */
static unsigned long long iteration(unsigned long long i, unsigned tid)
{
	unsigned long long acc, r1, r2, x = i + 3, y = i + 8, k;
	unsigned long long la1, la2, lm1, lm2, lm3;
	unsigned long glen;
	char who[32];
	int fired3;

	r1 = func_uprobe1(i);
	r2 = func_uprobe2(x, y);
	acc = r1 * 0x100000001b3ULL + r2;

#define UMARK_X_CALL(NN)                                                      \
	for (k = 0; k <= (unsigned long long)UMARK_OP_INDEX(NN); k++)         \
		acc = umark_op_##NN(acc + k);
	UMARK_OPS(UMARK_X_CALL)
#undef UMARK_X_CALL

	acc = acc * 31 + umark_recurse(UMARK_RECURSE_DEPTH);

	if (opts.sleep) {
		umark_sleep_1ms();
		umark_sleep_8ms();
	}

	snprintf(who, sizeof(who), "umark-%llu", i);
	glen = umark_greet(who);
	acc = acc * 31 + glen;

	la1 = lib_add_probed(i, 100); /* libumark:libprobe(i, 100) + lib_add */
	la2 = lib_add(i, 200);
	lm1 = lib_mul(i, 2);
	lm2 = lib_mul(i, 3);
	lm3 = lib_mul(i, 4);
	acc = acc * 31 + la1;
	acc = acc * 31 + la2;
	acc = acc * 31 + lm1;
	acc = acc * 31 + lm2;
	acc = acc * 31 + lm3;

	umark_usdt_basic();
	fired3 = umark_usdt_probe3(i);
	umark_usdt_twice_a();
	umark_usdt_twice_b();
	umark_usdt_twice_b();
	umark_usdt_mixed(i);
	if (opts.typed)
		umark_typed_round(i, opts.quiet);

	if (!opts.quiet) {
		printf("iteration %llu thread %u\n", i, tid);
		printf("func_uprobe1(%llu) = %llu\n", i, r1);
		printf("func_uprobe2(%llu, %llu) = %llu\n", x, y, r2);
		printf("umark_greet(\"%s\") = %lu\n", who, glen);
		printf("lib_add(%llu, %llu) = %llu\n", i, 100ULL, la1);
		printf("lib_add(%llu, %llu) = %llu\n", i, 200ULL, la2);
		printf("lib_mul(%llu, %llu) = %llu\n", i, 2ULL, lm1);
		printf("lib_mul(%llu, %llu) = %llu\n", i, 3ULL, lm2);
		printf("lib_mul(%llu, %llu) = %llu\n", i, 4ULL, lm3);
		printf("usdt libumark:libprobe(%llu, %llu)\n", i, 100ULL);
		printf("usdt groupe:mixed(-5, 200, -300, 65000, %lld, 4000000000, %lld, %llu)\n",
		       -100000LL - (long long)i, -(1LL << 40) - (long long)i, i);
		if (fired3)
			printf("usdt groupc:probe3(%llu)\n", i);
	}
	return acc;
}

static void run_loop(unsigned tid)
{
	unsigned long long i, sum = 0;

	for (i = 0; !stop_flag && (!opts.have_iterations || i < opts.iterations);
	     i++) {
		sum += iteration(i, tid) ^ (i * 0x9e3779b97f4a7c15ULL);
		umark_count(UMARK_C_ITERATIONS);
		if (opts.interval_ms &&
		    (!opts.have_iterations || i + 1 < opts.iterations))
			interval_sleep(opts.interval_ms);
	}
	__atomic_fetch_add(&checksum_total, sum, __ATOMIC_RELAXED);
}

static void *thread_main(void *arg)
{
	run_loop((unsigned)(unsigned long)arg);
	return NULL;
}

static int run_threads(void)
{
	pthread_t *tids;
	unsigned n, created = 0;
	int err = 0;

	if (opts.threads == 1) {
		run_loop(0);
		return 0;
	}
	tids = calloc(opts.threads, sizeof(*tids));
	if (!tids) {
		fprintf(stderr, "umark: out of memory\n");
		return -1;
	}
	for (n = 0; n < opts.threads; n++) {
		err = pthread_create(&tids[n], NULL, thread_main,
				     (void *)(unsigned long)n);
		if (err) {
			fprintf(stderr, "umark: pthread_create: %s\n",
				strerror(err));
			stop_flag = 1;
			break;
		}
		created++;
	}
	for (n = 0; n < created; n++)
		pthread_join(tids[n], NULL);
	free(tids);
	return err ? -1 : 0;
}

static void print_summary(void)
{
	static const char *const func_names[] = {
		"func_uprobe1",
		"func_uprobe2",
#define UMARK_X_NAME(NN) "umark_op_" #NN,
		UMARK_OPS(UMARK_X_NAME)
#undef UMARK_X_NAME
		"umark_recurse",
		"umark_sleep_1ms",
		"umark_sleep_8ms",
		"umark_greet",
	};
	struct libumark_counts lc;
	unsigned long long c[UMARK_C_MAX];
	unsigned n;

	_Static_assert(sizeof(func_names) / sizeof(func_names[0]) ==
			       UMARK_C_GREET + 1,
		       "function name table out of sync");

	for (n = 0; n < UMARK_C_MAX; n++)
		c[n] = __atomic_load_n(&umark_counts[n], __ATOMIC_RELAXED);
	libumark_get_counts(&lc);

	fprintf(stderr, "umark: iterations %llu\n", c[UMARK_C_ITERATIONS]);
	for (n = 0; n <= UMARK_C_GREET; n++)
		fprintf(stderr, "umark: calls %s %llu\n", func_names[n], c[n]);
	fprintf(stderr, "umark: calls lib_add %llu\n", lc.lib_add);
	fprintf(stderr, "umark: calls lib_mul %llu\n", lc.lib_mul);
	fprintf(stderr, "umark: usdt groupa:probe1 %llu\n",
		c[UMARK_C_USDT_GROUPA_PROBE1]);
	fprintf(stderr, "umark: usdt groupb:probe2 %llu\n",
		c[UMARK_C_USDT_GROUPB_PROBE2]);
	fprintf(stderr, "umark: usdt groupc:probe3 %llu\n",
		c[UMARK_C_USDT_GROUPC_PROBE3]);
	fprintf(stderr, "umark: usdt groupd:twice %llu\n",
		c[UMARK_C_USDT_GROUPD_TWICE]);
	fprintf(stderr, "umark: usdt groupe:mixed %llu\n",
		c[UMARK_C_USDT_GROUPE_MIXED]);
	fprintf(stderr, "umark: usdt libumark:libprobe %llu\n", lc.libprobe);
	fprintf(stderr, "umark: checksum 0x%016llx\n",
		__atomic_load_n(&checksum_total, __ATOMIC_RELAXED));
	fflush(stderr);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long long v;
	int opt;

	while ((opt = getopt(argc, argv, "+n:i:qsTt:wh")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_ull(optarg, ULLONG_MAX, &v))
				goto bad;
			opts.iterations = v;
			opts.have_iterations = 1;
			break;
		case 'i':
			if (parse_ull(optarg, UMARK_MAX_INTERVAL_MS, &v))
				goto bad;
			opts.interval_ms = v;
			break;
		case 'q':
			opts.quiet = 1;
			break;
		case 's':
			opts.sleep = 1;
			break;
		case 'T':
			opts.typed = 1;
			break;
		case 't':
			if (parse_ull(optarg, UMARK_MAX_THREADS, &v) || v == 0)
				goto bad;
			opts.threads = (unsigned)v;
			break;
		case 'w':
			opts.wait = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		goto bad_usage;

	setvbuf(stdout, NULL, _IOLBF, 0);

	if (pipe(stop_pipe) < 0) {
		perror("umark: pipe");
		return 1;
	}
	for (opt = 0; opt < 2; opt++) {
		fcntl(stop_pipe[opt], F_SETFD, FD_CLOEXEC);
		fcntl(stop_pipe[opt], F_SETFL,
		      fcntl(stop_pipe[opt], F_GETFL) | O_NONBLOCK);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: interrupt blocking calls */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill the summary */

	fprintf(stderr, "umark: pid %d\n", (int)getpid());
	fflush(stderr);

	if (opts.wait)
		wait_for_stdin();

	if (run_threads() < 0) {
		print_summary();
		return 1;
	}
	fflush(stdout);
	print_summary();
	return 0;

bad:
	fprintf(stderr, "umark: invalid argument for -%c: '%s'\n", opt, optarg);
bad_usage:
	usage(stderr);
	return 2;
}
