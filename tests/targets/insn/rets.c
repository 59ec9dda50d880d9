// SPDX-License-Identifier: BSD-2-Clause
/*
 * rets: functions whose returns are of every kind --ret-mode insn handles
 * (tests/insn.bats): several `ret`s (multi), a tail call (tail -> helper), a
 * .cold part (coldy), a function that is only `ret` (empty: entry and return
 * on one instruction), and a switch through a jump table (sw, refused).
 * Built with and without -fcf-protection. Prints each function's calls and
 * the sum of what it returned. Usage: rets N
 */
#include <stdio.h>
#include <stdlib.h>

volatile int sink;

__attribute__((noinline)) int helper(int x)
{
	return x * 7 + sink;
}

__attribute__((noinline)) int multi(int x)
{
	if (x & 1)
		return x + sink;
	for (int i = 0; i < (x & 7); i++)
		sink = sink + i;
	return -x;
}

__attribute__((noinline)) int tail(int x)
{
	sink = sink + 1;
	return helper(x + 1);
}

__attribute__((noinline)) int coldy(int x)
{
	if (__builtin_expect(x < -100000, 0)) {	/* never: gcc moves its tail to coldy.cold */
		for (int i = 0; i < 3; i++)
			sink = sink + i * x;
		fprintf(stderr, "rets: never %d\n", sink);
		if (sink == 7)
			return sink;
		abort();
	}
	return x * 2 + sink;
}

__attribute__((noipa)) void empty(void)
{
}

__attribute__((noinline)) int sw(int x)
{
	switch (x & 15) {
	case 0: return sink + 11;
	case 1: return sink * 3;
	case 2: return sink - 5;
	case 3: return sink ^ 9;
	case 4: return sink + 100;
	case 5: return sink * 7;
	case 6: return sink - 50;
	case 7: return sink | 4;
	case 8: return 12345;
	default: return x;
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	long s_multi = 0, s_tail = 0, s_coldy = 0, s_sw = 0;

	for (int i = 0; i < n; i++) {
		s_multi += multi(i);
		s_tail += tail(i);
		s_coldy += coldy(i);
		empty();
		s_sw += sw(i);
	}
	printf("calls multi %d\nsum multi %ld\ncalls tail %d\nsum tail %ld\ncalls coldy %d\nsum coldy %ld\n"
	       "calls empty %d\ncalls helper %d\nsum sw %ld\n", n, s_multi, n, s_tail, n, s_coldy, n, n, s_sw);
	return 0;
}
