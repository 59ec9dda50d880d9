/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * by.bpf.h: under which key does this hit count? (--count --by KEY,...)
 *
 * The keys are the same for every site, so they are read-only knobs, not a
 * per-site record: by_opnd[] holds each key's operand (enum
 * uscope_filter_operand), by_need the operands to read. The operands are
 * read with filter.bpf.h's readers into a struct uscope_by_key, which is
 * counted in a per-CPU hash map (no atomic add on the hot path; user space
 * sums the CPUs), hashed only as far as the last field a key uses (the
 * loader shrinks the map's key size: no str key, no 32 bytes). A new key is inserted with BPF_NOEXIST; if the
 * table is full the hit is counted in by_dropped, so user space reports it
 * ("dropped: key table full"), never loses it silently. With by_nkeys == 0
 * the verifier drops all of this. The same keys also break down value
 * histograms (the bucket in the key's aux), frame-pointer stacks (their own
 * table, keyed by stack and key) and, in by_lat.bpf.h, latency.
 */
#ifndef USCOPE_BY_BPF_H
#define USCOPE_BY_BPF_H

const volatile __u32 by_nkeys = 0;
const volatile __u8 by_opnd[USCOPE_BY_KEYS] = {};
const volatile __u32 by_need = 0;
const volatile __s32 by_str_arg = -1;

/*
 * Rows: sized by --by-max, key size cut to the fields used (bpf_obj_context.c),
 * before load. Sizes, not BTF types: a BTF key type of the full struct would
 * not match the cut size, and the kernel would refuse the map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct uscope_by_key));
	__uint(value_size, sizeof(__u64));
} by_counts SEC(".maps");

/* Hits whose key found the table full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} by_dropped SEC(".maps");

/*
 * The key being built, per CPU: the programs' 512-byte stacks cannot hold
 * it beside everything else inlined into them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_by_stack_key);
} by_scratch SEC(".maps");

static __always_inline struct uscope_by_stack_key *by_key_buf(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&by_scratch, &zero);
}

/* This CPU's count; a sleepable twin may be interleaved on its CPU, so only it adds atomically. */
static __always_inline void by_inc(__u64 *c, const bool sleepable)
{
	if (sleepable)
		__sync_fetch_and_add(c, 1);
	else
		*c += 1;
}

static __always_inline bool by_add(const struct uscope_by_key *k, const bool sleepable)
{
	__u64 *c = bpf_map_lookup_elem(&by_counts, k), one = 1;

	if (c) {
		by_inc(c, sleepable);
		return true;
	}
	if (!bpf_map_update_elem(&by_counts, k, &one, BPF_NOEXIST))
		return true;
	c = bpf_map_lookup_elem(&by_counts, k);	/* another CPU inserted it first */
	if (c)
		by_inc(c, sleepable);
	return c != NULL;
}

/*
 * This hit's key (ret and argN as the site KIND has them); comm only if NEED
 * asks for it; returns the str(argN) read's result (0 without one). CUT: K
 * goes to by_counts, which hashes only the fields the keys use (its key size
 * is cut to them, bpf_obj_context.c), so only those are written: --by comm
 * writes 24 bytes, not 88, and reads no register. Otherwise K is zeroed
 * whole first. A SLEEPABLE twin may fault the string's page in, so K must
 * then be its own (by_key_at): it may sleep, and it is preemptible. COOKIE:
 * the site's, or ~0 (fetched here if an entry's arguments are read).
 */
static __always_inline long by_key_fill(struct pt_regs *ctx, struct uscope_by_key *k, __u32 site, int kind,
					 __u32 need, const bool sleepable, const bool cut, __u64 cookie)
{
	__u64 v[16];
	__u32 i;

	if (need & ~(1u << USCOPE_OPND_COMM))
		opnd_read_nums_c(ctx, need, v, kind, false, cookie);
	if (!cut)
		__builtin_memset(k, 0, sizeof(*k));
	k->site = site;
	k->aux = 0;
	if (NEED(need, USCOPE_OPND_COMM))
		bpf_get_current_comm(k->comm, sizeof(k->comm));	/* the kernel pads it with NULs */
	else if (cut)
		__builtin_memset(k->comm, 0, sizeof(k->comm));
	/* Up to by_nkeys only: past it the verifier sees the break taken and drops the rest. */
	for (i = 0; i < USCOPE_BY_KEYS; i++) {
		if (i >= by_nkeys)
			break;
		if (by_opnd[i] < USCOPE_OPND_COMM) {
			const __u64 *vp = v;

			asm volatile("" : "+r"(vp));	/* no load of v[] hoisted onto a path that did not fill it */
			k->v[i] = vp[by_opnd[i] & 15];
		} else if (cut) {
			k->v[i] = 0;
		}
	}
	if (cut && NEED(need, USCOPE_OPND_STR))	/* the whole key is hashed: v[] past the keys too */
#pragma unroll
		for (i = 0; i < USCOPE_BY_KEYS; i++)
			if (i >= by_nkeys)
				k->v[i] = 0;
	if (!NEED(need, USCOPE_OPND_STR))
		return 0;
	if (cut)
		__builtin_memset(k->str, 0, sizeof(k->str));
	return user_read_str(k->str, sizeof(k->str), (void *)v[by_str_arg & 15], sleepable);
}

/*
 * Where a key is built: per-CPU scratch (the programs' 512-byte stacks cannot
 * hold it beside everything inlined into the plain ones), or the caller's
 * stack copy SK. A sleepable twin must use SK: it may sleep while it faults a
 * page in, and is preemptible, so another program on its CPU could rewrite
 * the scratch half-way. (by_count's key is always on its stack: clang refuses
 * a frame over 512 bytes, so it fits, and a hit spares the scratch lookup.)
 */
static __always_inline struct uscope_by_key *by_key_at(struct uscope_by_key *sk, const bool sleepable)
{
	struct uscope_by_stack_key *b;

	if (sleepable)
		return sk;
	b = by_key_buf();
	return b ? &b->by : NULL;
}

static __always_inline void by_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&by_dropped, &zero);

	if (d)
		__sync_fetch_and_add(d, 1);	/* a rare path; atomic for the sleepable twins */
}

/* --count: one more hit under this key; --hist/--lhist: AUX is the value's bucket. */
static __always_inline void by_count(struct pt_regs *ctx, __u64 cookie, int kind, __u32 aux, const bool sleepable)
{
	struct uscope_by_key k;	/* on the stack in every program: see by_key_at */

	by_key_fill(ctx, &k, (__u32)cookie, kind, by_need, sleepable, true, cookie);
	k.aux = aux;
	if (!by_add(&k, sleepable))
		by_drop();
}

/*
 * --count --stack --by with frame pointers: count under (stack, key).
 * Returns 1 for a key seen for the first time (the caller sends its note),
 * 0 when counted, -1 when the table was full (counted as dropped).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct uscope_by_stack_key);
	__type(value, __u64);
} by_stack_counts SEC(".maps");

static __always_inline int by_stack_count(struct pt_regs *ctx, int kind, const struct uscope_stack_key *sk)
{
	struct uscope_by_stack_key *k = by_key_buf();
	__u64 *c, one = 1;

	if (!k)
		return -1;
	by_key_fill(ctx, &k->by, sk->site, kind, by_need, false, false, ~0ull);
	k->stack = *sk;
	c = bpf_map_lookup_elem(&by_stack_counts, k);
	if (c) {
		__sync_fetch_and_add(c, 1);
		return 0;
	}
	if (!bpf_map_update_elem(&by_stack_counts, k, &one, BPF_NOEXIST))
		return 1;
	c = bpf_map_lookup_elem(&by_stack_counts, k);
	if (c) {
		__sync_fetch_and_add(c, 1);
		return 0;
	}
	by_drop();
	return -1;
}

/* --count --stack=dwarf --by: the key rides in the count-only record's event (see uscope.h). */
static __always_inline void by_fill_event(struct pt_regs *ctx, struct uscope_event *e, int kind)
{
	struct uscope_by_stack_key *b = by_key_buf();

	if (!b)
		return;
	by_key_fill(ctx, &b->by, e->site, kind, by_need, false, false, ~0ull);
	__builtin_memcpy(e->args, b->by.v, sizeof(b->by.v));
	__builtin_memcpy(&e->args[USCOPE_BY_KEYS], b->by.str, sizeof(b->by.str));
	__builtin_memcpy(e->comm, b->by.comm, sizeof(b->by.comm));
}

#endif
