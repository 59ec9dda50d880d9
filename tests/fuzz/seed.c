// SPDX-License-Identifier: BSD-2-Clause
/*
 * seed: the program fuzz.mk compiles (PIE, non-PIE, stripped) to seed the
 * ELF fuzzers with real compiler output. Small on purpose: a few functions
 * of every binding (global, local, weak, an alias, an ifunc) and USDT probes
 * whose argument specs cover constants, registers, base+offset and
 * base+index*scale memory operands; seed_sema.c adds a probe guarded by a
 * semaphore.
 */
#include <sys/sdt.h>
#include <stdint.h>
#include <stdio.h>

struct pt { long x, y; int8_t c; };

volatile long sink;
void seed_guarded(long a, int b);

static __attribute__((noinline)) long local_helper(long v)
{
	return v * 3 + sink;
}

__attribute__((noinline)) long seed_work(long a, int b, short c, signed char d,
					 struct pt *p, long *arr, long i)
{
	DTRACE_PROBE(seed, noargs);
	DTRACE_PROBE4(seed, four, a, b, c, d);
	DTRACE_PROBE3(seed, mem, p->x, p->y, p->c);
	DTRACE_PROBE2(seed, consts, 42, -7);
	DTRACE_PROBE2(seed, idx, arr[i], arr[i + 1]);
	seed_guarded(a, b);
	return local_helper(a + b + c + d + p->x + arr[i]);
}

long seed_alias(long a, int b, short c, signed char d, struct pt *p, long *arr, long i)
	__attribute__((alias("seed_work")));

__attribute__((weak, noinline)) int seed_weak(int x)
{
	return x + 1;
}

static int impl_a(int x) { return x * 2; }
static int (*resolve_ifunc(void))(int) { return impl_a; }
int seed_ifunc(int x) __attribute__((ifunc("resolve_ifunc")));

int main(int argc, char **argv)
{
	struct pt p = { 1, 2, 3 };
	long arr[4] = { 5, 6, 7, 8 };

	(void)argv;
	printf("%ld %d\n", seed_work(argc, 2, 3, 4, &p, arr, argc % 2),
	       seed_weak(argc) + seed_ifunc(argc));
	return 0;
}
