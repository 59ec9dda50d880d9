// SPDX-License-Identifier: GPL-2.0
/*
 * umark: the plain uprobe targets.  Each function counts its own calls
 * (atomically, so -t N totals are exact) and returns a value the caller
 * folds into the checksum.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "umark.h"

UMARK_FN unsigned long long func_uprobe1(unsigned long long x)
{
	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_FUNC_UPROBE1);
	return x + 1;
}

UMARK_FN unsigned long long func_uprobe2(unsigned long long x,
					 unsigned long long y)
{
	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_FUNC_UPROBE2);
	return x + y;
}

/*
 * umark_op_NN: 64 distinct functions.  The index k is mixed into every
 * constant (xor key, multiplier, shift, addend), so no two bodies are alike.
 */
#define UMARK_X_DEFINE(NN)                                                    \
	UMARK_FN unsigned long long umark_op_##NN(unsigned long long x)       \
	{                                                                     \
		const unsigned long long k = UMARK_OP_INDEX(NN);              \
		UMARK_KEEP_FRAME();                                           \
		umark_count(UMARK_C_OP_##NN);                                 \
		x ^= 0x9e3779b97f4a7c15ULL + k * 0x10001ULL;                  \
		x *= 2 * k + 3;                                               \
		x ^= x >> (k % 29 + 3);                                       \
		return x + k;                                                 \
	}
UMARK_OPS(UMARK_X_DEFINE)
#undef UMARK_X_DEFINE

/*
 * Really recursive: the result of the inner call goes through a non-linear
 * step, so gcc's tail-recursion/accumulator transform cannot turn it into
 * a loop.  umark_recurse(5) makes 6 calls (depth 5, 4, 3, 2, 1, 0).
 */
UMARK_FN unsigned long long umark_recurse(unsigned depth)
{
	unsigned long long r;

	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_RECURSE);
	if (depth == 0)
		return 1;
	r = umark_recurse(depth - 1);
	return (r ^ (r >> 3)) * 7 + depth;
}

/* Sleep for ns nanoseconds, resuming after signals (the sleep is short). */
static void umark_nsleep(long ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ns };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

UMARK_FN void umark_sleep_1ms(void)
{
	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_SLEEP_1MS);
	umark_nsleep(1000000L);
}

UMARK_FN void umark_sleep_8ms(void)
{
	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_SLEEP_8MS);
	umark_nsleep(8000000L);
}

UMARK_FN unsigned long umark_greet(const char *who)
{
	UMARK_KEEP_FRAME();
	umark_count(UMARK_C_GREET);
	return strlen(who);
}
