// SPDX-License-Identifier: BSD-2-Clause
/*
 * split: a C program whose functions are mostly static, built with -g and
 * then split the way distributions ship it (tests/targets/names/names.mk):
 * a stripped binary, and its symbols only in a separate debug file.
 *
 *   split N     calls s_alpha N times, s_beta 2N, s_gamma 3N, and prints the
 *               calls it really made: "names: calls NAME COUNT"
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned long n_alpha, n_beta, n_gamma;
static volatile unsigned long sink;

/* noipa: each stays a real function with its own symbol (no inlining, no clones). */
__attribute__((noipa)) static void s_alpha(unsigned long i) { n_alpha++; sink += i; }
__attribute__((noipa)) static void s_beta(unsigned long i) { n_beta++; sink ^= i; }
__attribute__((noipa)) static void s_gamma(unsigned long i) { n_gamma++; sink -= i; }

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1, i;

	for (i = 0; i < n; i++) {
		s_alpha(i);
		s_beta(i);
		s_beta(i + 1);
		s_gamma(i);
		s_gamma(i + 1);
		s_gamma(i + 2);
	}
	printf("names: calls s_alpha %lu\nnames: calls s_beta %lu\nnames: calls s_gamma %lu\n",
	       n_alpha, n_beta, n_gamma);
	return 0;
}
