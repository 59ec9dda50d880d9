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

/* Is the site whose cookie is COOKIE in a Go binary? */
static __always_inline bool cookie_is_go(__u64 cookie)
{
	return (cookie >> 32) & USCOPE_COOKIE_GO;
}

#endif
