// SPDX-License-Identifier: GPL-2.0
/*
 * umark: USDT probe sites WITHOUT semaphores (their notes carry semaphore
 * address 0).  groupc:probe3, the one probe with a semaphore, lives in
 * probe3.c because with _SDT_HAS_SEMAPHORES every probe in a translation
 * unit references a <provider>_<name>_semaphore symbol.
 *
 * Each site is in its own noinline function with no loop around it, so each
 * probe statement produces exactly one note and one nop.
 */
#include <stdint.h>
#include <sys/sdt.h>

#include "umark.h"

/* Make the compiler hold v in a register it cannot see through. */
#define UMARK_IN_REG(v) __asm__("" : "+r"(v))

/* groupa:probe1(var1 = 10) and groupb:probe2(var2 = 20, var3 = 30). */
UMARK_FN void umark_usdt_basic(void)
{
	int var1 = 10, var2 = 20, var3 = 30;

	UMARK_KEEP_FRAME();
	DTRACE_PROBE1(groupa, probe1, var1);
	umark_count(UMARK_C_USDT_GROUPA_PROBE1);
	DTRACE_PROBE2(groupb, probe2, var2, var3);
	umark_count(UMARK_C_USDT_GROUPB_PROBE2);
}

/* groupd:twice, site A: called once per iteration. */
UMARK_FN void umark_usdt_twice_a(void)
{
	UMARK_KEEP_FRAME();
	DTRACE_PROBE(groupd, twice);
	umark_count(UMARK_C_USDT_GROUPD_TWICE);
}

/* groupd:twice, site B: called twice per iteration. */
UMARK_FN void umark_usdt_twice_b(void)
{
	UMARK_KEEP_FRAME();
	DTRACE_PROBE(groupd, twice);
	umark_count(UMARK_C_USDT_GROUPD_TWICE);
}

/*
 * groupe:mixed: 8 arguments of every size and signedness.  Volatile locals
 * are handed to the probe as stack memory operands, UMARK_IN_REG values as
 * registers, and the i-dependent ones are computed into registers, so the
 * note's argument specs mix N(%rbp)-style memory and %reg locations.
 */
UMARK_FN void umark_usdt_mixed(unsigned long long i)
{
	volatile int8_t a1 = -5;
	uint8_t a2 = 200;
	volatile int16_t a3 = -300;
	uint16_t a4 = 65000;
	int32_t a5 = (int32_t)(-100000LL - (long long)i);
	volatile uint32_t a6 = 4000000000u;
	int64_t a7 = -(1LL << 40) - (long long)i;
	volatile uint64_t a8 = i;

	UMARK_IN_REG(a2);
	UMARK_IN_REG(a4);
	DTRACE_PROBE8(groupe, mixed, a1, a2, a3, a4, a5, a6, a7, a8);
	umark_count(UMARK_C_USDT_GROUPE_MIXED);
}
