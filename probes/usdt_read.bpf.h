/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * usdt_read: where are a USDT probe's arguments, and what are their values?
 *
 * uscope's own USDT argument reader, used instead of libbpf 1.1's
 * usdt.bpf.h, which knows constants, registers and register + offset only.
 * Compilers also emit base + index * scale + offset (-2@(%rdx,%rax,2),
 * 8@16(%rsp,%rax,8)) and symbol operands (-1@c(%rip), -8@8+ti(%rip),
 * 4@a32(,%rbx,4)), so each location's record (struct uscope_usdt_spec in
 * uscope.h) says, per argument, which registers to add, whether to add the
 * probe's own address (symbol operands: the loader folded symbol - probe
 * into val_off), and whether to dereference.
 *
 * The cookie of a USDT attachment is USCOPE_COOKIE(site id, spec id), so
 * counting needs no map at all and reading a probe's arguments is one
 * lookup, whatever their number. Without BPF cookies the probe's address
 * finds the same 64-bit value in usdt_ip_cookies. An argument that cannot be read (a bad spec, a page not faulted in)
 * is flagged in the event's bad_args, never passed off as a value.
 */
#ifndef USCOPE_USDT_READ_BPF_H
#define USCOPE_USDT_READ_BPF_H

#include "uscope.h"
#include "site_cookie.bpf.h"

/* One spec per USDT location; max_entries set to the location count before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_usdt_spec);
} usdt_specs SEC(".maps");

/* No-cookie path: probe address in the traced process -> USCOPE_COOKIE(site, spec). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} usdt_ip_cookies SEC(".maps");

/* The cookie of the USDT location that fired; ~0 when it is not known (yet). */
static __always_inline __u64 usdt_cookie(struct pt_regs *ctx)
{
	return cookie_at_ip(ctx, &usdt_ip_cookies);	/* site_cookie.bpf.h */
}

/*
 * Register slot R of the probe's registers, or 0 for none; false when R is
 * out of range. Read from the context with a helper (a variable offset into
 * it cannot be loaded directly), not copied: the filter's operands already
 * use most of the 512-byte BPF stack.
 */
static __always_inline bool usdt_reg(struct pt_regs *ctx, __u8 r, __u64 *v)
{
	*v = 0;
	if (r == USCOPE_USDT_NOREG)
		return true;
	if (r >= USCOPE_PT_REGS_SLOTS)
		return false;
	return bpf_probe_read_kernel(v, sizeof(*v), (void *)ctx + r * 8) == 0;
}

/* The value of argument A, into *OUT; false when it cannot be read. */
static __always_inline bool usdt_arg_value(const struct uscope_usdt_arg *a, struct pt_regs *ctx, __u64 ip,
					   __u64 *out, const bool sleepable)
{
	__u64 v = 0, base, index, addr;
	__u32 size = a->size, shift;

	if (size == 0 || size > 8)
		return false;
	if (!usdt_reg(ctx, a->base, &base) || !usdt_reg(ctx, a->index, &index))
		return false;
	switch (a->kind) {
	case USCOPE_USDT_CONST:
		v = a->val_off + (a->ip_rel ? ip : 0);
		break;
	case USCOPE_USDT_REG:
		v = base;
		break;
	case USCOPE_USDT_MEM:
		addr = a->val_off + (a->ip_rel ? ip : 0) + base + (index << (a->shift & 3));
		if (user_read(&v, size, (void *)addr, sleepable))	/* str_read.bpf.h */
			return false;
		break;
	default:
		return false;
	}
	shift = 64 - size * 8;
	if (a->is_signed)
		*out = (__u64)((__s64)(v << shift) >> shift);
	else
		*out = (v << shift) >> shift;
	return true;
}

/*
 * Fill ARGS[0..USCOPE_MAX_ARGS) from spec SPEC_ID (unused slots 0). Returns
 * the argument count and sets *BAD (bit i: args[i] unreadable); a spec that
 * is missing reads as no arguments. SLEEPABLE: memory operands in a page not
 * touched yet are faulted in (the twin programs only).
 */
static __always_inline __u32 usdt_read_args(struct pt_regs *ctx, __u32 spec_id, __u64 *args, __u16 *bad,
					    const bool sleepable)
{
	struct uscope_usdt_spec *sp = bpf_map_lookup_elem(&usdt_specs, &spec_id);
	__u32 i, n;

	*bad = 0;
	for (i = 0; i < USCOPE_MAX_ARGS; i++)
		args[i] = 0;
	if (!sp)
		return 0;
	n = sp->nargs;
	if (n > USCOPE_MAX_ARGS)
		n = USCOPE_MAX_ARGS;
	for (i = 0; i < USCOPE_MAX_ARGS; i++) {
		__u64 v;

		if (i >= n)
			break;
		if (usdt_arg_value(&sp->args[i], ctx, PT_REGS_IP(ctx), &v, sleepable))
			args[i] = v;
		else
			*bad |= 1u << i;
	}
	return n;
}

#endif
