/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hist.bpf.h: which bucket of its site's value histogram does this hit fill?
 * (--hist VALUE, --lhist VALUE,MIN,MAX,STEP)
 *
 * VALUE (argN or ret) is the same operand for every site, so the shape is
 * read-only knobs; the histograms are a per-CPU array indexed by site id,
 * sized to the site count only when asked for. With vhist_mode NONE the
 * verifier drops all of it. The linear histogram compares signed or
 * unsigned as user space found the value's type (the same on every site).
 */
#ifndef USCOPE_HIST_BPF_H
#define USCOPE_HIST_BPF_H

const volatile __u32 vhist_mode = USCOPE_VHIST_NONE;
const volatile __u32 vhist_opnd = 0;
const volatile bool lhist_signed = false;
const volatile __u64 lhist_min = 0, lhist_max = 0, lhist_step = 1;
const volatile __u32 lhist_steps = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_vhist);
} vhists SEC(".maps");

static __always_inline __u32 vhist_log2_bucket(__u64 v)
{
	__u32 r = 0, shift;

	if (v >> 63)
		return 64;
	if (!v)
		return 0;
	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return (r | (v >> 1)) + 1;
}

static __always_inline __u32 vhist_linear_bucket(__u64 v)
{
	bool under = lhist_signed ? (__s64)v < (__s64)lhist_min : v < lhist_min;
	bool over = lhist_signed ? (__s64)v >= (__s64)lhist_max : v >= lhist_max;

	if (under)
		return 0;
	if (over)
		return lhist_steps + 1;
	return 1 + (v - lhist_min) / lhist_step;	/* v - min < max - min: no sign issue */
}

/* The bucket this hit's value falls in (COOKIE: the site's, as count_hit has it). */
static __always_inline __u32 vhist_bucket(struct pt_regs *ctx, int kind, __u64 cookie)
{
	__u64 v[16];

	opnd_read_nums_c(ctx, 1u << vhist_opnd, v, kind, false, cookie);
	if (vhist_mode == USCOPE_VHIST_LOG2)
		return vhist_log2_bucket(v[vhist_opnd & 15]);
	return vhist_linear_bucket(v[vhist_opnd & 15]);
}

/* With --by the bucket is counted in the key table instead (by.bpf.h: aux = bucket). */
static __always_inline void vhist_add(struct pt_regs *ctx, __u64 cookie, int kind, const bool sleepable)
{
	__u32 site = (__u32)cookie, b;
	struct uscope_vhist *h;

	if (by_nkeys) {
		by_count(ctx, cookie, kind, vhist_bucket(ctx, kind, cookie) & (USCOPE_VHIST_BUCKETS - 1), sleepable);
		return;
	}
	h = bpf_map_lookup_elem(&vhists, &site);
	if (!h)
		return;
	b = vhist_bucket(ctx, kind, cookie);
	h->buckets[b & (USCOPE_VHIST_BUCKETS - 1)]++;
}

#endif
