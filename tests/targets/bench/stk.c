// SPDX-License-Identifier: BSD-2-Clause
/*
 * stk: what does a user stack cost per hit, and how fast are stacks named?
 * A frame-pointer build (-fno-omit-frame-pointer, no sibling calls, -g), so
 * frame-pointer walkers (uscope --stack=fp, bpftrace ustack, bcc -U) see the
 * whole path and --stack=dwarf has CFI and line tables to work with.
 *
 *   stk loop ITER        main -> stk_a -> stk_b -> stk_c -> stk_leaf, ITER
 *                        times; prints "ns_per_call F"
 *   stk pace RATE SECS   the same path at RATE calls a second for SECS
 *                        seconds (busy-waiting on the clock); prints "calls N"
 *   stk tree ROUNDS      every one of 10,000 distinct paths
 *                        tree_g_I -> tree_h_J -> stk_leaf (tree.c, generated),
 *                        once a round; prints "calls N" and "exit_ns T"
 *                        (CLOCK_REALTIME at exit, for timing what follows)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile long stk_sink;

long tree_round(long x);

__attribute__((noinline)) long stk_helper(long x)
{
	return x + 1;
}

/* The probed function: not a leaf, so it starts with push %rbp. */
__attribute__((noinline)) long stk_leaf(long x)
{
	return stk_helper(x) * 3;
}

__attribute__((noinline)) long stk_c(long x)
{
	return stk_leaf(x + 3) + 1;
}

__attribute__((noinline)) long stk_b(long x)
{
	return stk_c(x + 2) + 1;
}

__attribute__((noinline)) long stk_a(long x)
{
	return stk_b(x + 1) + 1;
}

static double now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int pace(double rate, double secs)
{
	double t0 = now_ns(CLOCK_MONOTONIC), step = 1e9 / rate;
	long i, n = (long)(rate * secs);

	for (i = 0; i < n; i++) {
		while (now_ns(CLOCK_MONOTONIC) < t0 + (double)i * step)
			;
		stk_sink += stk_a(i);
	}
	printf("calls %ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	long i, n;
	double t0;

	if (argc == 3 && strcmp(argv[1], "loop") == 0) {
		n = atol(argv[2]);
		t0 = now_ns(CLOCK_MONOTONIC);
		for (i = 0; i < n; i++)
			stk_sink += stk_a(i);
		printf("ns_per_call %.3f\n", n > 0 ? (now_ns(CLOCK_MONOTONIC) - t0) / (double)n : 0.0);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "pace") == 0)
		return pace(atof(argv[2]), atof(argv[3]));
	if (argc == 3 && strcmp(argv[1], "tree") == 0) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++)
			stk_sink += tree_round(i);
		printf("calls %ld\nexit_ns %.0f\n", n * 10000, now_ns(CLOCK_REALTIME));
		fflush(stdout);
		return 0;
	}
	fprintf(stderr, "usage: %s loop ITER | pace RATE SECS | tree ROUNDS\n", argv[0]);
	return 2;
}
