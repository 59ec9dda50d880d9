// SPDX-License-Identifier: BSD-2-Clause
/*
 * hsite: the test target of tests/house.bats. It prints what it really did
 * (the oracle) and offers what umark does not:
 *   - string arguments at positions 4 and 5 of a function and 6 and 7 of a
 *     USDT probe, one of them NULL (unreadable);
 *   - one USDT probe (house:sign) at two locations whose argument is
 *     unsigned (4@) at one and signed (-4@) at the other;
 *   - one USDT probe (house:riponly) whose only argument is %rip-relative
 *     (house_global(%rip), always 7), which uscope reads from the symbol;
 *   - a fate for the process: exit 0, exit with a status, die by a signal,
 *     wait to be stopped, or ignore SIGTERM.
 * Usage: hsite run N | exit STATUS | segv | wait | ignore-term
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sdt.h>

volatile long house_global = 7;
volatile int house_minus5 = -5;

__attribute__((noinline)) long str_args(long a0, long a1, long a2, long a3, const char *s4, const char *s5)
{
	__asm__ volatile("" ::: "memory");
	return a0 + a1 + a2 + a3 + (s4 ? (long)strlen(s4) : 0) + (s5 ? (long)strlen(s5) : 0);
}

static void one_round(int i)
{
	static const char six[] = "six", seven[] = "seven";
	unsigned int u = (unsigned int)house_minus5;
	int s = house_minus5;
	long r = str_args(0, 1, 2, 3, "four", NULL);

	printf("str_args(0, 1, 2, 3, \"four\", NULL) = %ld\n", r);
	DTRACE_PROBE8(house, strs, 0L, 1L, 2L, 3L, 4L, 5L, six, seven);
	printf("house:strs six seven\n");
	DTRACE_PROBE1(house, sign, u);
	printf("house:sign %u\n", u);
	DTRACE_PROBE1(house, sign, s);
	printf("house:sign %d\n", s);
	DTRACE_PROBE1(house, riponly, house_global);
	(void)i;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "run";
	int i, n = argc > 2 ? atoi(argv[2]) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "run")) {
		for (i = 0; i < n; i++)
			one_round(i);
		return 0;
	}
	if (!strcmp(mode, "exit")) {
		one_round(0);
		return n;
	}
	if (!strcmp(mode, "segv")) {
		one_round(0);
		raise(SIGSEGV);
		return 0;
	}
	if (!strcmp(mode, "ignore-term"))
		signal(SIGTERM, SIG_IGN);
	if (!strcmp(mode, "wait") || !strcmp(mode, "ignore-term")) {
		one_round(0);
		printf("hsite: waiting\n");
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: hsite run N | exit STATUS | segv | wait | ignore-term\n");
	return 2;
}
