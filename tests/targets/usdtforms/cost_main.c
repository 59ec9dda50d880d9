// SPDX-License-Identifier: BSD-2-Clause
/*
 * cost_main: calls each function of cost.S N times and says so, so that a
 * probe's count can be checked against the kernel's class for its first
 * instruction. Usage: cost N
 */
#include <stdio.h>
#include <stdlib.h>

#define EACH(X) X(f_nop5) X(f_nopl4) X(f_nopw6) X(f_push) X(f_push_r12) X(f_nop1) X(f_jmp) X(f_endbr) X(f_mov) X(f_lea) \
	X(f_lock) X(f_nop10) X(f_nop66)
#define DECL(f) void f(int *p);
EACH(DECL)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i, counter = 0;

	for (i = 0; i < n; i++) {
#define CALL(f) f(&counter);
		EACH(CALL)
	}
	printf("calls %d each, lock counter %d\n", n, counter);
	return counter == n ? 0 : 1;
}
