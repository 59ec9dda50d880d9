/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * latency_pair: which entry does this return end? (--latency; included by
 * uscope.bpf.c after the `stacks` and `unpaired` maps and bump()).
 *
 * Each thread, or in Go each goroutine, has a stack of timed calls. A call
 * is known by its stack position as well as its depth: the stack pointer it
 * entered with (at a function's first instruction it points at the return
 * address, and again at its ret or tail-call jmp; a uretprobe fires 8 bytes
 * higher, which its caller subtracts). In Go a goroutine's stack is copied
 * when it grows, so the position is the distance from the stack's top
 * (g.stack.hi, at 8(%r14): ABIInternal keeps g in r14), which copying keeps.
 * Goroutines also move between threads mid-call, so their calls are keyed
 * by g, not by thread. A frame deeper than a new entry or a return belongs
 * to a call that will never return (unwound by an exception, longjmp or
 * panic): it is dropped and counted as abandoned, so it cannot pair with
 * someone else's return.
 */
#ifndef USCOPE_LATENCY_PAIR_BPF_H
#define USCOPE_LATENCY_PAIR_BPF_H

#include "uscope.h"
#include "func_args.bpf.h"

#define FRAME_INSN 0x40000000u	/* frame.slot: its returns are return instructions (USCOPE_COOKIE_INSN) */

/* Where this call lives: *K its stack's key, *POS its position (larger is deeper); SP as it entered. */
static __always_inline bool call_where(struct pt_regs *ctx, __u64 cookie, __u64 sp, struct stack_key *k,
				       __u64 *pos)
{
	__u64 id = bpf_get_current_pid_tgid(), hi = 0, g;

	if (cookie_is_go(cookie)) {
		g = ctx->r14;
		if (!g || bpf_probe_read_user(&hi, sizeof(hi), (void *)(g + 8)) || hi < sp)
			return false;	/* not a goroutine's stack: this call is not timed */
		k->a = g;
		k->b = (id >> 32) | 1ull << 32;
		*pos = hi - sp;
		return true;
	}
	k->a = id;
	k->b = 0;
	*pos = 0 - sp;
	return true;
}

/* Frame I of ST, I < USCOPE_MAX_DEPTH, in a form the verifier can bound. */
static __always_inline struct frame *frame_at(struct call_stack *st, __u32 i)
{
	barrier_var(i);
	return &st->frames[i & (USCOPE_MAX_DEPTH - 1)];
}

/*
 * Drop the frames of ST deeper than POS (calls that never returned); at an
 * entry (ENTRY) also those at POS itself whose returns are instructions:
 * their ret or tail-call jmp would have popped them. A uretprobe frame at
 * POS may be a live caller that tail-called this function; it stays.
 * Returns the depth left.
 */
static __always_inline __u32 drop_deeper(struct call_stack *st, __u64 pos, bool entry)
{
	__u32 d = st->depth;
	struct frame *f;
	int i;

	for (i = 0; i < USCOPE_MAX_DEPTH; i++) {
		if (d == 0 || d > USCOPE_MAX_DEPTH)
			break;
		f = frame_at(st, d - 1);
		if (f->pos < pos || (f->pos == pos && !(entry && (f->slot & FRAME_INSN))))
			break;
		d--;
		bump(&unpaired, USCOPE_PAIR_ABANDONED);
	}
	st->depth = d;
	return d;
}

/*
 * A timed entry; REJECTED: USCOPE_SLOT_REJECTED when the filter rejected it
 * (its return must know). Returns its frame's index (by_lat.bpf.h keeps the
 * call's keys at the same index), ~0 if it has none.
 */
static __always_inline __u32 latency_entry(struct pt_regs *ctx, __u64 cookie, __u32 rejected)
{
	struct call_stack *st;
	struct stack_key k;
	__u64 pos;
	__u32 d;

	if (!call_where(ctx, cookie, PT_REGS_SP(ctx), &k, &pos))
		return ~0u;
	st = bpf_map_lookup_elem(&stacks, &k);
	if (!st) {
		bpf_map_update_elem(&stacks, &k, &empty_stack, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stacks, &k);
		if (!st)
			return ~0u;
	}
	d = drop_deeper(st, pos, true);
	if (d < USCOPE_MAX_DEPTH) {
		st->frames[d].slot = ((cookie >> 32) & USCOPE_COOKIE_SLOT_MASK) | rejected |
				     ((cookie >> 32) & USCOPE_COOKIE_INSN ? FRAME_INSN : 0);
		st->frames[d].pos = pos;
		st->frames[d].tid = (__u32)bpf_get_current_pid_tgid();
		st->frames[d].t0 = bpf_ktime_get_ns();
	}
	st->depth = d + 1;
	return d;
}

/*
 * The return of the call that entered with stack pointer SP: pop its frame.
 * Returns its start time, 0 for a call whose entry the filter rejected (skip
 * it silently), or ~0 if the return has no entry (counted as unpaired);
 * *DEPTH the popped frame's index.
 */
static __always_inline __u64 latency_pop(struct pt_regs *ctx, __u64 cookie, __u64 sp, __u32 *depth)
{
	__u32 slot = (cookie >> 32) & USCOPE_COOKIE_SLOT_MASK, d;
	struct call_stack *st;
	struct frame *f;
	struct stack_key k;
	__u64 pos;

	if (!call_where(ctx, cookie, sp, &k, &pos))
		return ~0ull;
	st = bpf_map_lookup_elem(&stacks, &k);
	if (!st || st->depth == 0)
		return ~0ull;
	d = drop_deeper(st, pos, false);
	if (d == 0)
		return ~0ull;
	if (d > USCOPE_MAX_DEPTH) {	/* its frame was too deep to keep */
		st->depth = d - 1;
		return ~0ull;
	}
	f = frame_at(st, d - 1);
	if (f->pos != pos)
		return ~0ull;	/* a caller's frame: this call's entry was not seen */
	st->depth = d - 1;
	*depth = d - 1;
	if ((f->slot & ~FRAME_INSN) == (slot | USCOPE_SLOT_REJECTED))
		return 0;
	if ((f->slot & ~FRAME_INSN) != slot)
		return ~0ull;
	if (cookie_is_go(cookie)) {
		bump(&unpaired, USCOPE_PAIR_GO_CALLS);
		if (f->tid != (__u32)bpf_get_current_pid_tgid())
			bump(&unpaired, USCOPE_PAIR_GO_MOVED);
	}
	return f->t0;
}

#endif
