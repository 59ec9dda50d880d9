// SPDX-License-Identifier: BSD-2-Clause
/*
 * seed_sema: one USDT probe guarded by a semaphore (in .probes), so that the
 * seed's notes carry a nonzero semaphore address. A translation unit of its
 * own because _SDT_HAS_SEMAPHORES applies to every probe in it.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short seed_guarded_semaphore __attribute__((unused, section(".probes")));

__attribute__((noinline)) void seed_guarded(long a, int b)
{
	if (seed_guarded_semaphore)
		DTRACE_PROBE2(seed, guarded, a, b);
}
