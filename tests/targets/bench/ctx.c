// SPDX-License-Identifier: BSD-2-Clause
/*
 * ctx: what does a hit cost when the probe reads context (a filter, a key, a
 * histogram value, a string)? `make bench` probes bench_int or bench_str and
 * times the loop here; the loop's own clock is the measurement.
 *
 *   ctx loop ITER      bench_int(i) for i = 0 .. ITER-1; prints "ns_per_call F"
 *   ctx strloop ITER   bench_str(word[i % 8], i), the same
 *   ctx pair ITER      bench_int(i) and its twin bench_int_b(i), each for
 *                      i = 0 .. ITER-1, in alternating blocks of 100 calls;
 *                      prints "ns_per_call_a F", "ns_per_call_b F" (each
 *                      function's blocks summed), "ns_per_call F" (both) and
 *                      "dropped_blocks D of N" (block pairs left out of the
 *                      sums: preempted, see pair_print)
 *   ctx strpair ITER   bench_str and its twin bench_str_b, the same
 *
 * The pairs are for comparing two tracers at once, one on each twin (scripts/
 * bench-lib.sh, pair_cost): whatever else the machine does falls on both
 * alike, since their blocks interleave every ~100 us. Which twin's block goes
 * first alternates, so neither always follows the other. A twin is the same
 * code (built with -fno-ipa-icf, so gcc keeps both).
 *
 * Every probed function calls a helper, so at -O2 with frame pointers it
 * starts with `push %rbp` (emulated at a uprobe, like the f_i of
 * scripts/gen-target.sh): the measured differences are the BPF program's,
 * not the kernel's. Built a second time with -fcf-protection=full (ctx-cet):
 * then they start with endbr64, the case of the endbr64 skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAIR_BLOCK 100

volatile long bench_sink;

static const char *const words[8] = { "alpha", "bravo", "charlie", "delta",
				      "echo", "foxtrot", "golf", "hotel-india-juliett" };

__attribute__((noinline)) long bench_helper(long x)
{
	return x + 1;
}

__attribute__((noinline)) long bench_int(long x)
{
	return bench_helper(x ^ 0x5a5a) * 3 + 1;
}

/*
 * bench_int's twin: the same code, probed by the other tracer of a pair. In
 * ctx-cetpair (-fcf-protection=full, CTX_TWIN_NOCF) it alone has no endbr64,
 * so one process holds a CET and a non-CET copy of the same function.
 */
#ifdef CTX_TWIN_NOCF
__attribute__((noinline, nocf_check)) long bench_int_b(long x)
#else
__attribute__((noinline)) long bench_int_b(long x)
#endif
{
	return bench_helper(x ^ 0x5a5a) * 3 + 1;
}

__attribute__((noinline)) long bench_str(const char *s, long x)
{
	return bench_helper(x + s[0]) * 5 + 2;
}

/* bench_str's twin */
__attribute__((noinline)) long bench_str_b(const char *s, long x)
{
	return bench_helper(x + s[0]) * 5 + 2;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* calls i = from .. to-1 of one function of a pair (b: the twin), timed */
static double pair_block(int str, int b, long from, long to)
{
	double t0 = now_ns();
	long i;

	if (str && b)
		for (i = from; i < to; i++)
			bench_sink += bench_str_b(words[i & 7], i);
	else if (str)
		for (i = from; i < to; i++)
			bench_sink += bench_str(words[i & 7], i);
	else if (b)
		for (i = from; i < to; i++)
			bench_sink += bench_int_b(i);
	else
		for (i = from; i < to; i++)
			bench_sink += bench_int(i);
	return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The blocks' times, t[2k] (bench_int's block k) and t[2k+1] (its twin's),
 * summed per twin over the block pairs in which neither block took over
 * PAIR_DROP times the median block: a block the process was preempted in (a
 * few ms, all charged to one twin) would tilt the ratio by percents. Both
 * blocks of such a pair go, so both sums keep the same calls.
 */
#define PAIR_DROP 3.0
static void pair_print(const double *t, long nblk, long iter)
{
	double *sorted = malloc(sizeof(*t) * 2 * (size_t)nblk), med, sum[2] = { 0, 0 };
	long k, kept = 0, dropped = 0, n;

	if (!sorted) {
		perror("ctx: malloc");
		exit(1);
	}
	for (k = 0; k < 2 * nblk; k++) /* per call: the last block may be short */
		sorted[k] = t[k] / (double)(k / 2 < nblk - 1 ? PAIR_BLOCK : iter - (nblk - 1) * PAIR_BLOCK);
	qsort(sorted, 2 * (size_t)nblk, sizeof(*sorted), cmp_double);
	med = nblk ? sorted[nblk] : 0;
	for (k = 0; k < nblk; k++) {
		n = k < nblk - 1 ? PAIR_BLOCK : iter - k * PAIR_BLOCK;
		if (t[2 * k] > PAIR_DROP * med * (double)n || t[2 * k + 1] > PAIR_DROP * med * (double)n) {
			dropped++;
			continue;
		}
		sum[0] += t[2 * k];
		sum[1] += t[2 * k + 1];
		kept += n;
	}
	free(sorted);
	if (kept == 0)
		kept = 1;
	printf("ns_per_call_a %.3f\nns_per_call_b %.3f\nns_per_call %.3f\n", sum[0] / (double)kept,
	       sum[1] / (double)kept, (sum[0] + sum[1]) / (2.0 * (double)kept));
	printf("dropped_blocks %ld of %ld\n", dropped, nblk);
}

static void pair(int str, long iter)
{
	long nblk = iter > 0 ? (iter + PAIR_BLOCK - 1) / PAIR_BLOCK : 0, k, i, to;
	double *t = calloc(2 * (size_t)nblk + 1, sizeof(*t));
	int first;

	if (!t) {
		perror("ctx: calloc");
		exit(1);
	}
	for (k = 0; k < nblk; k++) {
		i = k * PAIR_BLOCK;
		to = i + PAIR_BLOCK < iter ? i + PAIR_BLOCK : iter;
		first = (int)(k & 1);
		t[2 * k + first] = pair_block(str, first, i, to);
		t[2 * k + !first] = pair_block(str, !first, i, to);
	}
	pair_print(t, nblk, iter);
	free(t);
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : "";
	long i, iter;
	double t0;

	if (strcmp(mode, "loop") && strcmp(mode, "strloop") && strcmp(mode, "pair") && strcmp(mode, "strpair")) {
		fprintf(stderr, "usage: %s loop ITER | strloop ITER | pair ITER | strpair ITER\n", argv[0]);
		return 2;
	}
	iter = atol(argv[2]);
	if (!strcmp(mode, "pair") || !strcmp(mode, "strpair")) {
		pair(mode[0] == 's', iter);
		return 0;
	}
	t0 = now_ns();
	if (mode[0] == 'l')
		for (i = 0; i < iter; i++)
			bench_sink += bench_int(i);
	else
		for (i = 0; i < iter; i++)
			bench_sink += bench_str(words[i & 7], i);
	printf("ns_per_call %.3f\n", iter > 0 ? (now_ns() - t0) / (double)iter : 0.0);
	return 0;
}
