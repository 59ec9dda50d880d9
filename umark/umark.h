/* SPDX-License-Identifier: GPL-2.0 */
/*
 * umark - the demo/test target that uscope traces.
 *
 * Shared declarations: the traced functions (ops.c), the USDT probe sites
 * (probes.c, probe3.c) and the call/fire counters that form umark's own
 * accounting (the oracle the tests compare uscope's output against).
 */
#ifndef UMARK_H
#define UMARK_H

/*
 * Every traced function is a real, separate, out-of-line function:
 * noinline + noclone (no .constprop/.isra clones) and, with gcc, noipa so
 * callers assume nothing about it.  -fno-ipa-icf in umark.mk keeps
 * look-alike bodies from being folded together.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define UMARK_FN __attribute__((noinline, noclone, noipa, used))
#else
#define UMARK_FN __attribute__((noinline, used))
#endif

/*
 * gcc drops the frame pointer of leaf functions that never touch the stack,
 * even with -fno-omit-frame-pointer (ix86_finalize_stack_frame_flags).
 * Asking for the frame address keeps "push %rbp; mov %rsp,%rbp" as the
 * first instructions of every traced function; it emits no other code.
 */
#define UMARK_KEEP_FRAME() __asm__ __volatile__("" : : "r"(__builtin_frame_address(0)))

/* The 64 ops, umark_op_00 .. umark_op_63: X(NN) with NN a two-digit token. */
#define UMARK_OPS(X)                                                         \
	X(00) X(01) X(02) X(03) X(04) X(05) X(06) X(07)                      \
	X(08) X(09) X(10) X(11) X(12) X(13) X(14) X(15)                      \
	X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)                      \
	X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31)                      \
	X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39)                      \
	X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47)                      \
	X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55)                      \
	X(56) X(57) X(58) X(59) X(60) X(61) X(62) X(63)

/* Decimal value of a two-digit token without octal trouble: 1##08 - 100 = 8. */
#define UMARK_OP_INDEX(NN) (1##NN - 100)
#define UMARK_NOPS 64

/* Counter slots.  Functions first, in summary order, then USDT probes. */
enum umark_counter {
	UMARK_C_FUNC_UPROBE1,
	UMARK_C_FUNC_UPROBE2,
#define UMARK_X_ENUM(NN) UMARK_C_OP_##NN,
	UMARK_OPS(UMARK_X_ENUM)
#undef UMARK_X_ENUM
	UMARK_C_RECURSE,
	UMARK_C_SLEEP_1MS,
	UMARK_C_SLEEP_8MS,
	UMARK_C_GREET,
	/* USDT fires counted in umark itself (libumark counts its own). */
	UMARK_C_USDT_GROUPA_PROBE1,
	UMARK_C_USDT_GROUPB_PROBE2,
	UMARK_C_USDT_GROUPC_PROBE3,
	UMARK_C_USDT_GROUPD_TWICE,
	UMARK_C_USDT_GROUPE_MIXED,
	UMARK_C_ITERATIONS,
	UMARK_C_MAX
};

extern unsigned long long umark_counts[UMARK_C_MAX];

static inline void umark_count(enum umark_counter c)
{
	__atomic_fetch_add(&umark_counts[c], 1, __ATOMIC_RELAXED);
}

/* ops.c: the uprobe targets. */
unsigned long long func_uprobe1(unsigned long long x);
unsigned long long func_uprobe2(unsigned long long x, unsigned long long y);
#define UMARK_X_DECL(NN) unsigned long long umark_op_##NN(unsigned long long x);
UMARK_OPS(UMARK_X_DECL)
#undef UMARK_X_DECL
unsigned long long umark_recurse(unsigned depth);
void umark_sleep_1ms(void);
void umark_sleep_8ms(void);
unsigned long umark_greet(const char *who);

/* probes.c: USDT sites without semaphores. */
void umark_usdt_basic(void);                    /* groupa:probe1, groupb:probe2 */
void umark_usdt_twice_a(void);                  /* groupd:twice, site A */
void umark_usdt_twice_b(void);                  /* groupd:twice, site B */
void umark_usdt_mixed(unsigned long long i);    /* groupe:mixed */

/* probe3.c: the only USDT probe with a semaphore. */
int umark_usdt_probe3(unsigned long long i);    /* groupc:probe3; 1 if fired */

#endif /* UMARK_H */
