// SPDX-License-Identifier: GPL-2.0
/*
 * umark: groupc:probe3, the only USDT probe guarded by a semaphore.
 *
 * The semaphore is declared by hand instead of with dtrace -G: with
 * _SDT_HAS_SEMAPHORES, <sys/sdt.h> records the address of
 * groupc_probe3_semaphore in the probe's note; a tracer attaching to the
 * probe increments it (the kernel does that for uprobes registered with a
 * ref_ctr_offset).  This must stay the only probe in this file, since every
 * probe in a _SDT_HAS_SEMAPHORES unit references <provider>_<name>_semaphore.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include "umark.h"

/* volatile: the tracer changes it behind the compiler's back. */
volatile unsigned short groupc_probe3_semaphore
	__attribute__((unused, section(".probes")));

#define GROUPC_PROBE3_ENABLED() __builtin_expect(groupc_probe3_semaphore, 0)

/* Returns 1 (and counts) when the probe fired, i.e. a tracer was attached. */
UMARK_FN int umark_usdt_probe3(unsigned long long i)
{
	UMARK_KEEP_FRAME();
	if (GROUPC_PROBE3_ENABLED()) {
		DTRACE_PROBE1(groupc, probe3, i);
		umark_count(UMARK_C_USDT_GROUPC_PROBE3);
		return 1;
	}
	return 0;
}
