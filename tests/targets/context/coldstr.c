// SPDX-License-Identifier: BSD-2-Clause
/*
 * coldstr [N]: N rounds; each round unmaps coldlib's string page(s), checks
 * with /proc/self/pagemap that they are absent, fires the USDT probe, does
 * the same again and calls cold_take(), then prints what the strings really
 * were (the oracle of tests/context_str_cold.bats). Both strings each round:
 * 0 (inside one page) and 1 (across a page boundary).
 */
#include <stdio.h>
#include <stdlib.h>

const char *cold_string(int which);
int cold_forget(int which);
void cold_usdt(int which);
size_t cold_take(const char *s, int which);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i, w;

	for (i = 0; i < n; i++)
		for (w = 0; w < 2; w++) {
			const char *s = cold_string(w);
			int present = cold_forget(w);

			cold_usdt(w);
			present |= cold_forget(w);
			cold_take(s, w);
			printf("string %d: %s (page present before the probes: %s)\n", w, s,
			       present ? "yes" : "no");
		}
	return 0;
}
