// SPDX-License-Identifier: BSD-2-Clause
/*
 * tu2: a second translation unit with its own static `c` (forms.c has one
 * too), so that two local symbols share the name the probe's -2@c(%rip)
 * names; the right one is the one of this file.
 */
#include <stdio.h>
#include <sys/sdt.h>

static short c = 1234;

static void __attribute__((noinline)) fire_local(int round)
{
	DTRACE_PROBE1(forms, tu2, c);
	printf("tu2 %d\n", c);
	c = (short)(c + round * 3 - 7);
}

void fire_tu2(int round)
{
	fire_local(round);
}
