// SPDX-License-Identifier: BSD-2-Clause
/*
 * victim: the target of tests/noharm_kill.bats. It calls every one of its
 * generated functions f_0 .. f_N-1 (victim_funcs.c, made by noharm.mk) once
 * per round, a round every millisecond, and fires the semaphore-gated USDT
 * probe noharm:tick once per round when a tracer has raised its semaphore.
 *
 *   victim serve   runs rounds until SIGTERM; on SIGUSR1 it times 20 rounds
 *                  back to back and prints "round_ns MIN" on stdout (a leaked
 *                  uprobe makes every call trap: a round goes from about
 *                  0.1 ms to tens of ms)
 */
#define _GNU_SOURCE
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern long (*const victim_table[])(long);
extern const long victim_count;

/* The semaphore the kernel raises while noharm:tick is probed (ref_ctr_offset). */
volatile unsigned short noharm_tick_semaphore __attribute__((unused, section(".probes")));
volatile long victim_sink;
static volatile sig_atomic_t stop, timing;

__attribute__((noinline)) long victim_helper(long x)
{
	return x + 1;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		timing = 1;
	else
		stop = 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void round_once(long r)
{
	for (long i = 0; i < victim_count; i++)
		victim_sink += victim_table[i](i + r);
	if (__builtin_expect(noharm_tick_semaphore, 0))
		DTRACE_PROBE1(noharm, tick, r);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	long r = 0;

	if (argc != 2 || strcmp(argv[1], "serve")) {
		fprintf(stderr, "usage: victim serve\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "victim: pid %d\n", getpid());
	while (!stop) {
		if (timing) {
			long long best = -1;

			for (int k = 0; k < 20; k++) {
				long long t0 = now_ns();

				round_once(r++);
				t0 = now_ns() - t0;
				if (best < 0 || t0 < best)
					best = t0;
			}
			timing = 0;
			printf("round_ns %lld\n", best);
			fflush(stdout);
		}
		round_once(r++);
		usleep(1000);
	}
	fprintf(stderr, "victim: rounds %ld\n", r);
	return 0;
}
