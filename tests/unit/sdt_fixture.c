// SPDX-License-Identifier: BSD-2-Clause
/*
 * sdt_fixture: a small program whose symbols and USDT notes the helpers
 * tests compare with readelf. Built both as PIE and as non-PIE (where file
 * offsets and addresses differ). It has: probes with 0..several arguments of
 * all sizes, constants, memory operands, a probe guarded by a semaphore in
 * .probes (sdt_fixture_sema.c), a function alias, and static functions
 * (local symbols, one with the same name in both files).
 */
#include <sys/sdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct pt { long x, y; int8_t c; };

volatile long sink;
void fixture_guarded(long a, int b);

static __attribute__((noinline)) long local_helper(long v)
{
	return v * 3 + sink;
}

__attribute__((noinline)) long fixture_work(long a, int b, short c, signed char d,
					    struct pt *p, long *arr, long i)
{
	DTRACE_PROBE(fixture, noargs);
	DTRACE_PROBE4(fixture, four, a, b, c, d);
	DTRACE_PROBE3(fixture, mem, p->x, p->y, p->c);
	DTRACE_PROBE2(fixture, consts, 42, -7);
	DTRACE_PROBE2(fixture, idx, arr[i], arr[i + 1]);
	fixture_guarded(a, b);
	return local_helper(a + b + c + d + p->x + arr[i]);
}

long fixture_alias(long a, int b, short c, signed char d, struct pt *p, long *arr, long i)
	__attribute__((alias("fixture_work")));

int main(int argc, char **argv)
{
	struct pt p = { 1, 2, 3 };
	long arr[4] = { 5, 6, 7, 8 };

	(void)argv;
	printf("%ld\n", fixture_work(argc, 2, 3, 4, &p, arr, argc % 2));
	return 0;
}
