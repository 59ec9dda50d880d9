// SPDX-License-Identifier: BSD-2-Clause
/*
 * symop [N]: a USDT probe whose arguments gcc -O2 passes as symbol operands
 * of statics (-4@counter(%rip) -8@total(%rip)). The binary is stripped (no
 * .symtab: the statics' names exist only in its separate debug file); each
 * round prints the values the probe saw, the oracle of
 * tests/context_str_usdtsyms.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

static int counter;
static long total;

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;

	for (int i = 0; i < n; i++) {
		counter = i * 3 - argc;
		total += counter;
		__asm__ volatile("" ::: "memory");	/* keep both in memory at the probe */
		STAP_PROBE2(symop, vals, counter, total);
		printf("symop:vals(%d, %ld)\n", counter, total);
	}
	return 0;
}
