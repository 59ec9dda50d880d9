// SPDX-License-Identifier: BSD-2-Clause
/*
 * cet_main: built with -fcf-protection=full, so its own functions start with
 * endbr64 too. Calls each function of cet.S, and cet_work (a C function),
 * N times, each looping K = 3 times where it loops, and prints how many times
 * each was entered at its top. With "wait" it first waits for a line on
 * stdin (so a tracer can attach with -p).  Usage: cet N [wait]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void f_cet_plain(int k);
void f_cet_loop(int k);
long f_cet_mov(long x);
void f_cet_top(int k);

static volatile long sink;

long __attribute__((noinline)) cet_work(long x)
{
	sink += x;
	return sink;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i;
	char line[16];

	if (argc > 2 && !strcmp(argv[2], "wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (i = 0; i < n; i++) {
		f_cet_plain(3);
		f_cet_loop(3);
		f_cet_mov(i);
		f_cet_top(3);
		cet_work(i);
	}
	printf("f_cet_plain %d\nf_cet_loop %d\nf_cet_mov %d\nf_cet_top %d\ncet_work %d\n", n, n, n, 3 * n, n);
	return 0;
}
