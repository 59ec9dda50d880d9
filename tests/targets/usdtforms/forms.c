// SPDX-License-Identifier: BSD-2-Clause
/*
 * forms: which values did each USDT probe pass? A test target whose probes
 * make gcc and clang at -O2 emit every argument form they use: globals and
 * statics (%rip-relative symbol, symbol+offset), arrays indexed by a variable
 * (scale-index-base), stack slots (%rsp-based SIB), registers and constants,
 * in every width and signedness. Each firing prints the values it passed,
 * one line "NAME v1 v2 ...", so a tracer's output can be compared with it.
 * Probe forms:odd passes a form nothing emits (8@8(%rip)) between two
 * constants, so a tracer must mark that one argument unreadable; in
 * forms:ambiguous, `c` could be this file's or tu2.c's.
 * Usage: forms N  (N rounds; each round fires every probe once)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

int8_t g_s8 = -5;
uint8_t g_u8 = 250;
int16_t g_s16 = -30000;
uint16_t g_u16 = 65000;
int32_t g_s32 = -2000000000;
uint32_t g_u32 = 4000000000u;
int64_t g_s64 = -9000000000000000000ll;
uint64_t g_u64 = 18000000000000000000ull;
static char c = -7;			/* a static: a local symbol */
static int64_t ti[4] = { 11, -22, 33, -44 };	/* symbol+offset */
int NBuffers = 16384;

void fire_tu2(int round);

int16_t a16[8] = { -1, 2, -300, 4000, -32768, 32767, 7, -8 };
uint8_t a8[8] = { 0, 1, 127, 128, 200, 255, 3, 4 };
int64_t a64[8] = { -1, 1, -4611686018427387904ll, 4611686018427387904ll, 5, 6, 7, 8 };
uint32_t a32[8] = { 0, 1, 2147483648u, 4294967295u, 5, 6, 7, 8 };

/* The compiler must not know I, so every index is a register. */
static int __attribute__((noinline)) fire(volatile int *vi, int round)
{
	int i = *vi & 7;
	int64_t stack[8];
	int j;

	for (j = 0; j < 8; j++)
		stack[j] = (int64_t)(round + 1) * (j - 3) * 1000003;
	__asm__ volatile("" : : "r"(stack) : "memory");

	DTRACE_PROBE8(forms, globals, g_s8, g_u8, g_s16, g_u16, g_s32, g_u32, g_s64, g_u64);
	printf("globals %d %u %d %u %" PRId32 " %" PRIu32 " %" PRId64 " %" PRIu64 "\n", g_s8, g_u8,
	       g_s16, g_u16, g_s32, g_u32, g_s64, g_u64);
	DTRACE_PROBE3(forms, statics, c, ti[1], NBuffers);
	printf("statics %d %" PRId64 " %d\n", c, ti[1], NBuffers);
	DTRACE_PROBE4(forms, arrays, a16[i], a8[i], a64[i], a32[i]);
	printf("arrays %d %u %" PRId64 " %" PRIu32 "\n", a16[i], a8[i], a64[i], a32[i]);
	DTRACE_PROBE2(forms, stack, stack[i], stack[(i + 1) & 7]);
	printf("stack %" PRId64 " %" PRId64 "\n", stack[i], stack[(i + 1) & 7]);
	DTRACE_PROBE3(forms, plain, i, round, -42);
	printf("plain %d %d %d\n", i, round, -42);
	__asm__ volatile(STAP_PROBE_ASM(forms, odd, -4@$-3 8@8(%rip) 2@$7));
	printf("odd -3 ? 7\n");
	fire_tu2(round);
	return (int)stack[i];
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, r;
	volatile int vi;
	long sum = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (r = 0; r < n; r++) {
		/* main is global: which file's `c` this is cannot be told from the symbols */
		DTRACE_PROBE1(forms, ambiguous, c);
		printf("ambiguous %d\n", c);
		vi = r * 3 + 1;
		g_s8 -= 1; g_u8 += 1; g_s16 -= 1; g_u16 += 1;
		g_s32 -= 1; g_u32 += 1; g_s64 -= 1; g_u64 += 1;
		c += 1; ti[1] -= 1; NBuffers += 1;
		sum += fire(&vi, r);
	}
	return sum == 12345 ? 1 : 0;
}
