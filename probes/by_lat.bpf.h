/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * by_lat.bpf.h: under which key does this call's duration count?
 * (--latency --by KEY,...)
 *
 * Included by uscope.bpf.c after the latency call stack. At the entry the
 * keys only the entry has (argN, str(argN)) are written into this thread's
 * frame at the call's depth, beside the latency frame; the return finds the
 * frame at the depth it popped, checks that the slot pairs, reads what the
 * return has (ret, comm, pid, tid) and adds the duration to the row (key,
 * log2 bucket[, half]) of a per-CPU hash: per-CPU, so min and max stay exact
 * without atomics; one row per bucket, so a key costs only the buckets it
 * filled. A full table counts the sample in by_dropped, as --count does.
 */
#ifndef USCOPE_BY_LAT_BPF_H
#define USCOPE_BY_LAT_BPF_H

struct by_call_frames {
	struct uscope_by_frame f[USCOPE_MAX_DEPTH];
};

/* Sized to USCOPE_BY_THREADS only for --latency --by; LRU like the call stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct stack_key);	/* the latency call stack's: thread, or Go goroutine */
	__type(value, struct by_call_frames);
} by_frames SEC(".maps");

/* (key, bucket[, half]) -> count, sum, min, max; sized by --by-max. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct uscope_by_key);
	__type(value, struct uscope_by_lat);
} by_lat SEC(".maps");

/* A new thread's frames: no slot, so a return never pairs with a frame no entry wrote. */
static const struct by_call_frames empty_by_frames = {
	.f = { [0 ... USCOPE_MAX_DEPTH - 1] = { .slot = ~0u } },
};
static struct uscope_by_lat empty_by_lat;

/* The entry of a timed call whose frame is at index D: keep the keys only the entry has. */
static __always_inline void by_lat_entry(struct pt_regs *ctx, __u32 site, __u64 cookie, __u32 d,
					  const bool sleepable)
{
	__u32 slot = (cookie >> 32) & USCOPE_COOKIE_SLOT_MASK;
	struct by_call_frames *fr;
	struct uscope_by_key own, *k;
	struct uscope_by_frame *f;
	struct stack_key sk;
	__u64 pos;

	if (d >= USCOPE_MAX_DEPTH || !call_where(ctx, cookie, PT_REGS_SP(ctx), &sk, &pos))
		return;
	fr = bpf_map_lookup_elem(&by_frames, &sk);
	if (!fr) {
		bpf_map_update_elem(&by_frames, &sk, &empty_by_frames, BPF_NOEXIST);
		fr = bpf_map_lookup_elem(&by_frames, &sk);
		if (!fr)
			return;
	}
	k = by_key_at(&own, sleepable);
	if (!k)
		return;
	/* comm, pid, tid and ret are read at the return. */
	by_key_fill(ctx, k, site, USCOPE_SITE_ENTRY, by_need & ~(1u << USCOPE_OPND_COMM), sleepable, false, cookie);
	asm volatile("" : "+r"(d));	/* keep the mask: clang would drop it after the check */
	f = &fr->f[d & (USCOPE_MAX_DEPTH - 1)];
	f->site = site;
	f->slot = slot;
	__builtin_memcpy(f->v, k->v, sizeof(f->v));
	__builtin_memcpy(f->str, k->str, sizeof(f->str));
}

/*
 * The return of the call popped at depth D, timed T0 .. NOW. False when its
 * keys were not kept (no entry seen, too deep, the frame evicted): the
 * caller counts it as unpaired.
 */
static __always_inline bool by_lat_return(struct pt_regs *ctx, __u64 cookie, __u32 d, __u64 t0, __u64 now)
{
	__u32 slot = (cookie >> 32) & USCOPE_COOKIE_SLOT_MASK, i;
	struct stack_key sk;
	__u64 pos;
	struct by_call_frames *fr;
	struct uscope_by_frame *f;
	struct uscope_by_stack_key *b = by_key_buf();
	struct uscope_by_key *k;
	struct uscope_by_lat *h;
	__u64 delta = now - t0;

	if (t0 == ~0ull || d >= USCOPE_MAX_DEPTH || !b)
		return false;
	k = &b->by;
	if (!call_where(ctx, cookie, PT_REGS_SP(ctx), &sk, &pos))
		return false;
	fr = bpf_map_lookup_elem(&by_frames, &sk);
	if (!fr)
		return false;
	asm volatile("" : "+r"(d));	/* keep the mask: clang would drop it after the check */
	f = &fr->f[d & (USCOPE_MAX_DEPTH - 1)];
	if (f->slot != slot)
		return false;
	f->slot = ~0u;
	by_key_fill(ctx, k, f->site, USCOPE_SITE_RETURN,
		    by_need & (1u << USCOPE_OPND_COMM | 1u << USCOPE_OPND_RET | 1u << USCOPE_OPND_PID |
			       1u << USCOPE_OPND_TID | 1u << USCOPE_OPND_UID), false, false, cookie);
	for (i = 0; i < USCOPE_BY_KEYS; i++)
		if (i < by_nkeys && by_opnd[i] < USCOPE_OPND_RET)
			k->v[i] = f->v[i];
	__builtin_memcpy(k->str, f->str, sizeof(k->str));
	k->aux = USCOPE_BY_LAT_AUX(log2_u64(delta) & (USCOPE_HIST_BUCKETS - 1), hist_half & 1);
	h = bpf_map_lookup_elem(&by_lat, k);
	if (!h) {
		bpf_map_update_elem(&by_lat, k, &empty_by_lat, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&by_lat, k);
	}
	if (!h) {
		by_drop();
		return true;
	}
	h->count++;
	h->sum_ns += delta;
	if (!h->min_ns || delta < h->min_ns)
		h->min_ns = delta;
	if (delta > h->max_ns)
		h->max_ns = delta;
	return true;
}

#endif
