/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filter.bpf.h: does this hit pass --filter?
 *
 * The filter is data, not code: user space (loader/filter_*.c) compiles the
 * expression once per site into a struct uscope_filter, a short program of
 * comparison steps with forward jumps only, and sites with the same program
 * share one record. Here one generic interpreter runs it:
 *
 *   1. read the operands the program needs (bit mask `need`) into vals[]:
 *      the argument registers or USDT arguments, the return value, pid/tid,
 *      uid, and the comm / str(argN) strings into NUL-padded buffers;
 *   2. walk the steps: each compares one operand (masked, sign- or zero-
 *      extended from its C width) with a constant, and jumps to a later step
 *      or to ACCEPT / REJECT. Since every jump goes forward, at most
 *      USCOPE_FILTER_STEPS iterations of one bounded loop decide, and the
 *      verifier checks that loop once for all sites.
 *
 * The whole path sits behind the read-only knob has_filter: without
 * --filter the verifier sees a constant false and drops it, so unfiltered
 * runs pay nothing.
 */
#ifndef USCOPE_FILTER_BPF_H
#define USCOPE_FILTER_BPF_H

const volatile bool has_filter = false;

/* Per site: the index of its filter in filters[], or USCOPE_FILTER_NONE. Sized to the site count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} filter_ids SEC(".maps");

/* The distinct compiled filters. Sized to their number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_filter);
} filters SEC(".maps");

#define FILTER_WORDS (USCOPE_FILTER_STR_LEN / 8)

struct filter_vals {
	__u64 v[16];		/* indexed by enum uscope_filter_operand below COMM */
	__u64 comm[FILTER_WORDS];	/* NUL-padded, so equality is word by word */
	__u64 str[FILTER_WORDS];
};

#define NEED(need, opnd) ((need) & (1u << (opnd)))

/*
 * The numeric operands NEED asks for into v[16], indexed by enum
 * uscope_filter_operand; those the site does not have stay 0 (the compiler
 * never reads them). COOKIE: the site's, from a caller that has it (~0 when
 * it does not: then it is fetched here, and only if an argument of a function
 * entry is needed, since on uprobe_multi it is a helper call, not a load).
 * Registers are read only when an argument is needed: a filter on comm, pid
 * or uid pays for neither. Shared with --by and --hist (by.bpf.h, hist.bpf.h).
 */
static __always_inline void opnd_read_nums_c(struct pt_regs *ctx, __u32 need, __u64 *v, int kind,
					     const bool sleepable, __u64 cookie)
{
	__u32 args = need & ((1u << USCOPE_MAX_ARGS) - 1);

	__builtin_memset(v, 0, 16 * sizeof(*v));
	if (kind == USCOPE_SITE_ENTRY) {
		if (args)
			func_args_read(ctx, v, cookie_is_go(cookie == ~0ull ? site_cookie(ctx) : cookie));
	} else if (kind == USCOPE_SITE_RETURN) {
		v[USCOPE_OPND_RET] = PT_REGS_RC(ctx);
	} else if (args) {
		__u16 bad;	/* an unreadable argument reads as 0 here */

		usdt_read_args(ctx, (cookie == ~0ull ? usdt_cookie(ctx) : cookie) >> 32, v, &bad, sleepable);	/* usdt_read.bpf.h */
	}
	if (need & (1u << USCOPE_OPND_PID | 1u << USCOPE_OPND_TID)) {
		__u64 id = bpf_get_current_pid_tgid();

		v[USCOPE_OPND_PID] = id >> 32;
		v[USCOPE_OPND_TID] = (__u32)id;
	}
	if (NEED(need, USCOPE_OPND_UID))
		v[USCOPE_OPND_UID] = (__u32)bpf_get_current_uid_gid();
}

/* The comm, NUL-padded to SIZE (a constant) so that it compares and hashes word by word. */
#define opnd_read_comm(buf, size) do {				\
	__builtin_memset(buf, 0, size);				\
	bpf_get_current_comm(buf, USCOPE_COMM_LEN);		\
} while (0)

/*
 * A user string, NUL-padded to SIZE; a failed read leaves "" (equal only to
 * ""). SLEEPABLE: the twin programs fault an untouched page in (str_read.bpf.h).
 */
#define opnd_read_str(buf, size, ptr, sleepable) do {			\
	__builtin_memset(buf, 0, size);					\
	user_read_str(buf, size, (void *)(ptr), sleepable);		\
} while (0)

/*
 * One comparison: V (the operand's value) masked, sign- or zero-extended
 * from its C width (SHIFT = 64 - bits), against C. The step's fields come as
 * scalars, from a map record or from the read-only copy below alike.
 */
static __always_inline bool filter_test(__u64 v, __u64 c, __u64 mask, __u32 shift, __u32 op, __u32 flags)
{
	__u32 sh = shift & 63;

	v &= mask;
	if (flags & USCOPE_FSTEP_SIGNED) {
		__s64 a = (__s64)(v << sh) >> sh, b = (__s64)c;

		switch (op) {
		case USCOPE_FOP_EQ: return a == b;
		case USCOPE_FOP_NE: return a != b;
		case USCOPE_FOP_LT: return a < b;
		case USCOPE_FOP_LE: return a <= b;
		case USCOPE_FOP_GT: return a > b;
		default: return a >= b;
		}
	}
	v = (v << sh) >> sh;
	switch (op) {
	case USCOPE_FOP_EQ: return v == c;
	case USCOPE_FOP_NE: return v != c;
	case USCOPE_FOP_LT: return v < c;
	case USCOPE_FOP_LE: return v <= c;
	case USCOPE_FOP_GT: return v > c;
	default: return v >= c;
	}
}

static __always_inline bool filter_cmp(const struct uscope_filter_step *st, const struct filter_vals *x)
{
	__u64 c = st->flags & USCOPE_FSTEP_OPERAND ? x->v[st->value & 15] : st->value;

	return filter_test(x->v[st->operand & 15], c, st->mask, st->shift, st->op, st->flags);
}

/*
 * A NUL-padded operand BUF against constant K (a map record's, or the
 * read-only copy's: hence volatile, which only forces the loads either reads).
 */
static __always_inline bool filter_words_eq(const __u64 *buf, const volatile __u64 *k)
{
	int i;

	/* Opaque to clang, which would otherwise hoist these loads out of the steps, onto every hit. */
	asm volatile("" : "+r"(buf));
	for (i = 0; i < FILTER_WORDS; i++)
		if (buf[i] != k[i])
			return false;
	return true;
}

static __always_inline bool filter_streq(const __u64 *buf, const struct uscope_filter *f, __u64 idx)
{
	return filter_words_eq(buf, (const __u64 *)f->strs[idx & (USCOPE_FILTER_STRS - 1)]);
}

/* True if the site of COOKIE has no filter or its filter accepts this hit. */
static __always_inline bool filter_pass(struct pt_regs *ctx, __u64 cookie, int kind, const bool sleepable)
{
	__u32 site = (__u32)cookie;
	const struct uscope_filter *f;
	struct filter_vals x;
	__u32 *id, pc = 0, i;

	id = bpf_map_lookup_elem(&filter_ids, &site);
	if (!id || *id == USCOPE_FILTER_NONE)
		return true;
	f = bpf_map_lookup_elem(&filters, id);
	if (!f)
		return true;
	opnd_read_nums_c(ctx, f->need, x.v, kind, sleepable, cookie);
	if (NEED(f->need, USCOPE_OPND_COMM))
		opnd_read_comm(x.comm, sizeof(x.comm));
	if (NEED(f->need, USCOPE_OPND_STR))
		opnd_read_str(x.str, sizeof(x.str), x.v[f->str_arg & 15], sleepable);
#pragma clang loop unroll(disable)
	for (i = 0; i < USCOPE_FILTER_STEPS; i++) {
		const struct uscope_filter_step *st;
		__u32 o;
		bool r;

		if (pc >= f->nsteps || pc >= USCOPE_FILTER_STEPS)
			break;
		/* Hide pc from clang, which would index with an unbounded copy of it. */
		asm volatile("" : "+r"(pc));
		st = &f->steps[pc & (USCOPE_FILTER_STEPS - 1)];
		o = st->operand;
		if (o == USCOPE_OPND_COMM || o == USCOPE_OPND_STR)
			r = filter_streq(o == USCOPE_OPND_COMM ? x.comm : x.str, f, st->value) ==
			    (st->op == USCOPE_FOP_EQ);
		else
			r = filter_cmp(st, &x);
		pc = r ? st->on_true : st->on_false;
	}
	return pc == USCOPE_FILTER_ACCEPT;
}

/*
 * The filter every function entry of the run shares (the common case: one
 * --filter for all probes, the same argument types), when the loader found
 * one (filter_entry_ro): a copy in .rodata instead of the maps. The kernel
 * freezes .rodata before load, and the verifier reads frozen data as
 * constants, so it follows only the steps, operands and comparisons this
 * filter has, and drops the rest of the interpreter: a rejected entry runs
 * about as many instructions as a compiled predicate, and the caller runs it
 * before fetching the cookie. Still data, not code: the same program for
 * any filter. filter_entry_go: every entry site is Go (register ABI).
 */
const volatile bool filter_entry_ro = false;
const volatile bool filter_entry_early = false;	/* ro, no --latency, no str(): decided before the cookie */
const volatile bool filter_entry_go = false;
const volatile struct uscope_filter filter_entry = {};

/* filter_entry's value of a string step's operand (comm or str(argN)), compared with constant IDX. */
static __always_inline bool filter_entry_streq(const __u64 *buf, __u64 idx)
{
	return filter_words_eq(buf, (const volatile __u64 *)filter_entry.strs[idx & (USCOPE_FILTER_STRS - 1)]);
}

/*
 * Operand O at an entry, as filter_pass has it: the first six arguments'
 * registers (each read alone, where the step needs it) and pid/tid/uid when
 * the filter reads them (NEED has a bit for every operand it reads), 0 for
 * the rest (ret, arguments past the sixth).
 */
static __always_inline __u64 entry_opnd(struct pt_regs *ctx, const struct filter_vals *x, __u32 o, __u32 need)
{
	if (o < 6)
		return func_arg(ctx, o, filter_entry_go);
	if (o >= USCOPE_OPND_PID && o <= USCOPE_OPND_UID)
		return NEED(need, o) ? x->v[o & 15] : 0;
	return 0;
}

/* Does this function entry pass filter_entry? (Only when filter_entry_ro.) */
static __always_inline bool filter_entry_pass(struct pt_regs *ctx, const bool sleepable)
{
	const __u32 need = filter_entry.need;
	struct filter_vals x;
	__u32 pc = 0, i;

	/* Only the operands this filter reads: NEED is a constant here, the rest is dropped. */
	if (need & (1u << USCOPE_OPND_PID | 1u << USCOPE_OPND_TID)) {
		__u64 id = bpf_get_current_pid_tgid();

		x.v[USCOPE_OPND_PID] = id >> 32;
		x.v[USCOPE_OPND_TID] = (__u32)id;
	}
	if (NEED(need, USCOPE_OPND_UID))
		x.v[USCOPE_OPND_UID] = (__u32)bpf_get_current_uid_gid();
	if (NEED(need, USCOPE_OPND_COMM))
		opnd_read_comm(x.comm, sizeof(x.comm));
	if (NEED(need, USCOPE_OPND_STR))
		opnd_read_str(x.str, sizeof(x.str), entry_opnd(ctx, &x, filter_entry.str_arg, need), sleepable);
	/*
	 * Unrolled, so that every field is read at a constant offset (a constant
	 * to the verifier); pc is a constant on each path the verifier follows,
	 * so the steps this filter does not reach are dropped too.
	 */
#pragma unroll
	for (i = 0; i < USCOPE_FILTER_STEPS; i++) {
		const volatile struct uscope_filter_step *st = &filter_entry.steps[i];
		__u32 o = st->operand, on_true = st->on_true, on_false = st->on_false;
		bool r;

		if (i >= filter_entry.nsteps)
			break;
		if (pc != i)
			continue;
		if (o == USCOPE_OPND_COMM || o == USCOPE_OPND_STR)
			r = filter_entry_streq(o == USCOPE_OPND_COMM ? x.comm : x.str, st->value) ==
			    (st->op == USCOPE_FOP_EQ);
		else
			r = filter_test(entry_opnd(ctx, &x, o, need),
					st->flags & USCOPE_FSTEP_OPERAND ? entry_opnd(ctx, &x, st->value, need) : st->value,
					st->mask, st->shift, st->op, st->flags);
		pc = r ? on_true : on_false;	/* both loaded (volatile): a constant on each path, not a load at a chosen offset */
	}
	return pc == USCOPE_FILTER_ACCEPT;
}

#endif
