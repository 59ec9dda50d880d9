// SPDX-License-Identifier: BSD-2-Clause
/*
 * ctx: what does a hit cost when the probe reads context (a filter, a key, a
 * histogram value, a string)? `make bench` probes bench_int or bench_str and
 * times the loop here; the loop's own clock is the measurement.
 *
 *   ctx loop ITER      bench_int(i) for i = 0 .. ITER-1; prints "ns_per_call F"
 *   ctx strloop ITER   bench_str(word[i % 8], i), the same
 *
 * Both functions call a helper, so at -O2 with frame pointers they start with
 * `push %rbp` (emulated at a uprobe, like the f_i of scripts/gen-target.sh):
 * the measured differences are the BPF program's, not the kernel's. Built a
 * second time with -fcf-protection=full (ctx-cet): then they start with
 * endbr64, the case of the endbr64 skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile long bench_sink;

__attribute__((noinline)) long bench_helper(long x)
{
	return x + 1;
}

__attribute__((noinline)) long bench_int(long x)
{
	return bench_helper(x ^ 0x5a5a) * 3 + 1;
}

__attribute__((noinline)) long bench_str(const char *s, long x)
{
	return bench_helper(x + s[0]) * 5 + 2;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const char *const words[8] = { "alpha", "bravo", "charlie", "delta",
					      "echo", "foxtrot", "golf", "hotel-india-juliett" };
	long i, iter;
	double t0;

	if (argc != 3 || (strcmp(argv[1], "loop") && strcmp(argv[1], "strloop"))) {
		fprintf(stderr, "usage: %s loop ITER | strloop ITER\n", argv[0]);
		return 2;
	}
	iter = atol(argv[2]);
	t0 = now_ns();
	if (argv[1][0] == 'l')
		for (i = 0; i < iter; i++)
			bench_sink += bench_int(i);
	else
		for (i = 0; i < iter; i++)
			bench_sink += bench_str(words[i & 7], i);
	printf("ns_per_call %.3f\n", iter > 0 ? (now_ns() - t0) / (double)iter : 0.0);
	return 0;
}
