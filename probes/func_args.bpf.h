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
	if (go) {
		v[0] = ctx->ax;
		v[1] = ctx->bx;
		v[2] = ctx->cx;
		v[3] = ctx->di;
		v[4] = ctx->si;
		v[5] = ctx->r8;
		return;
	}
	v[0] = ctx->di;
	v[1] = ctx->si;
	v[2] = ctx->dx;
	v[3] = ctx->cx;
	v[4] = ctx->r8;
	v[5] = ctx->r9;
}

/* Is the site whose cookie is COOKIE in a Go binary? */
static __always_inline bool cookie_is_go(__u64 cookie)
{
	return (cookie >> 32) & USCOPE_COOKIE_GO;
}

#endif
