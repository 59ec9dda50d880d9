// SPDX-License-Identifier: BSD-2-Clause
/*
 * The semaphore-guarded probe of sdt_fixture (sys/sdt.h wants a semaphore for
 * every probe of a file built with _SDT_HAS_SEMAPHORES, hence its own file).
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short fixture_guarded_semaphore __attribute__((unused, section(".probes")));

extern volatile long sink;

static __attribute__((noinline)) long local_helper(long v)
{
	return v * 5 + sink;
}

__attribute__((noinline)) void fixture_guarded(long a, int b)
{
	if (fixture_guarded_semaphore)
		DTRACE_PROBE2(fixture, guarded, a, b);
	sink = local_helper(a + b);
}
