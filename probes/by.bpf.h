/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * by.bpf.h: under which key does this hit count? (--count --by KEY,...)
 *
 * The keys are the same for every site, so they are read-only knobs, not a
 * per-site record: by_opnd[] holds each key's operand (enum
 * uscope_filter_operand), by_need the operands to read. The operands are
 * read with filter.bpf.h's readers into a struct uscope_by_key, which is
 * counted in a hash map. A new key is inserted with BPF_NOEXIST; if the
 * table is full the hit is counted in by_dropped, so user space reports it
 * ("dropped: key table full"), never loses it silently. With by_nkeys == 0
 * the verifier drops all of this.
 */
#ifndef USCOPE_BY_BPF_H
#define USCOPE_BY_BPF_H

const volatile __u32 by_nkeys = 0;
const volatile __u8 by_opnd[USCOPE_BY_KEYS] = {};
const volatile __u32 by_need = 0;
const volatile __s32 by_str_arg = -1;

/* Rows: sized by --by-max before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct uscope_by_key);
	__type(value, __u64);
} by_counts SEC(".maps");

/* Hits whose key found the table full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} by_dropped SEC(".maps");

static __always_inline bool by_add(const struct uscope_by_key *k)
{
	__u64 *c = bpf_map_lookup_elem(&by_counts, k), one = 1;

	if (c) {
		__sync_fetch_and_add(c, 1);
		return true;
	}
	if (!bpf_map_update_elem(&by_counts, k, &one, BPF_NOEXIST))
		return true;
	c = bpf_map_lookup_elem(&by_counts, k);	/* another CPU inserted it first */
	if (c)
		__sync_fetch_and_add(c, 1);
	return c != NULL;
}

/* SLEEPABLE: from a twin program, str(argN) faults an untouched page in (str_read.bpf.h). */
static __always_inline void by_count(struct pt_regs *ctx, __u32 site, int kind, const bool sleepable)
{
	struct uscope_by_key k;
	__u32 zero = 0;
	__u64 v[16], *d;
	__u32 i;

	__builtin_memset(&k, 0, sizeof(k));
	k.site = site;
	opnd_read_nums(ctx, by_need, v, kind);
	for (i = 0; i < USCOPE_BY_KEYS; i++)
		if (i < by_nkeys && by_opnd[i] < USCOPE_OPND_COMM)
			k.v[i] = v[by_opnd[i] & 15];
	if (NEED(by_need, USCOPE_OPND_COMM))
		bpf_get_current_comm(k.comm, sizeof(k.comm));
	if (NEED(by_need, USCOPE_OPND_STR))
		user_read_str(k.str, sizeof(k.str), (void *)v[by_str_arg & 15], sleepable);
	if (by_add(&k))
		return;
	d = bpf_map_lookup_elem(&by_dropped, &zero);
	if (d)
		__sync_fetch_and_add(d, 1);	/* a rare path; atomic for the sleepable twins */
}

#endif
