/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * func_args: where are a function's integer arguments at its entry probe?
 * The System V ABI passes them in rdi, rsi, rdx, rcx, r8, r9; Go's register
 * ABI (ABIInternal, Go 1.17+) in rax, rbx, rcx, rdi, rsi, r8, r9, r10, r11.
 * A site of a Go binary carries USCOPE_COOKIE_GO in its cookie (the loader
 * knows the binary), so one program reads both. Both return their first
 * result in rax.
 */
#ifndef USCOPE_FUNC_ARGS_BPF_H
#define USCOPE_FUNC_ARGS_BPF_H

#include "uscope.h"

/* The first USCOPE_FUNC_ARGS integer arguments into V; GO: by Go's register ABI. */
static __always_inline void func_args_read(struct pt_regs *ctx, __u64 *v, bool go)
{
	/* every register loaded at its constant offset, then chosen: the verifier allows no other ctx access */
	__u64 ax = ctx->ax, bx = ctx->bx, cx = ctx->cx, dx = ctx->dx, di = ctx->di, si = ctx->si;
	__u64 r8 = ctx->r8, r9 = ctx->r9;

	v[0] = go ? ax : di;
	v[1] = go ? bx : si;
	v[2] = go ? cx : dx;
	v[3] = go ? di : cx;
	v[4] = go ? si : r8;
	v[5] = go ? r8 : r9;
}

/*
 * One pt_regs slot, at byte offset OFF, by an instruction of its own: clang
 * would merge two loads chosen by a condition into one load at a chosen
 * offset, which the verifier refuses on the context.
 */
#define CTX_SLOT(ctx, off) ({							\
	__u64 _v;								\
	asm volatile("%0 = *(u64 *)(%1 + " #off ")" : "=r"(_v) : "r"(ctx));	\
	_v;									\
})

_Static_assert(__builtin_offsetof(struct pt_regs, ax) == 80 && __builtin_offsetof(struct pt_regs, bx) == 40 &&
	       __builtin_offsetof(struct pt_regs, cx) == 88 && __builtin_offsetof(struct pt_regs, dx) == 96 &&
	       __builtin_offsetof(struct pt_regs, si) == 104 && __builtin_offsetof(struct pt_regs, di) == 112 &&
	       __builtin_offsetof(struct pt_regs, r8) == 72 && __builtin_offsetof(struct pt_regs, r9) == 64,
	       "CTX_SLOT offsets are x86-64 struct pt_regs'");

/*
 * Argument N alone (0 past the sixth), GO as for func_args_read. For a
 * read-only N (a filter step's or a histogram's operand) the verifier keeps
 * only the one load: the offsets are those of x86-64's struct pt_regs.
 */
static __always_inline __u64 func_arg(struct pt_regs *ctx, __u32 n, bool go)
{
	switch (n) {
	case 0: return go ? CTX_SLOT(ctx, 80) : CTX_SLOT(ctx, 112);	/* ax : di */
	case 1: return go ? CTX_SLOT(ctx, 40) : CTX_SLOT(ctx, 104);	/* bx : si */
	case 2: return go ? CTX_SLOT(ctx, 88) : CTX_SLOT(ctx, 96);	/* cx : dx */
	case 3: return go ? CTX_SLOT(ctx, 112) : CTX_SLOT(ctx, 88);	/* di : cx */
	case 4: return go ? CTX_SLOT(ctx, 104) : CTX_SLOT(ctx, 72);	/* si : r8 */
	case 5: return go ? CTX_SLOT(ctx, 72) : CTX_SLOT(ctx, 64);	/* r8 : r9 */
	default: return 0;
	}
}

/* Is the site whose cookie is COOKIE in a Go binary? */
static __always_inline bool cookie_is_go(__u64 cookie)
{
	return (cookie >> 32) & USCOPE_COOKIE_GO;
}

#endif
