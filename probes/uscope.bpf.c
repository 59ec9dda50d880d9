// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF side of uscope: three tiny generic programs.
 *
 *   generic_entry   attached to every probed function entry
 *   generic_return  attached to every probed function return
 *   usdt_site       attached to every USDT probe location (usdt_read.bpf.h)
 *
 * Each program is loaded once and attached many times. Every attachment
 * carries a 64-bit BPF cookie that user space chose: the site id, an index
 * into its site table. So one verifier run serves thousands of functions,
 * and the programs know nothing but ids: names, binaries and formatting live
 * in user space. For USDT, the cookie's high half is the location's spec id
 * (where each argument lives: usdt_read.bpf.h).
 *
 * Work per hit is kept to the minimum: a per-CPU counter bump in count mode,
 * plus one ring buffer reservation in event mode. A full ring buffer drops
 * the record and counts the drop, so loss is reported, never silent.
 */
/*
 * No CO-RE: the only kernel struct read is pt_regs, whose x86-64 layout is
 * user-space ABI and never moves. Without preserve_access_index there are no
 * CO-RE relocations, so libbpf never parses the kernel's BTF at load (about
 * 60 ms of every start-up here).
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
/*
 * Whether BPF cookies are used is decided by the loader, not only by the
 * kernel: LINUX_HAS_BPF_COOKIE is a Kconfig value the loader supplies at
 * open time. --attach nocookie sets it to n, so the no-cookie path (probe
 * found by instruction pointer) runs, and is tested, on a kernel that has
 * cookies. On a kernel without them the cookie branch is dead code that the
 * verifier never visits.
 */
#define LINUX_HAS_BPF_COOKIE CONFIG_USCOPE_BPF_COOKIE
extern const bool LINUX_HAS_BPF_COOKIE __kconfig;
#include "uscope.h"
#include "usdt_read.bpf.h"
#include "follow.bpf.h"

/* libbpf 1.1's bpf_tracing.h stops at PARM5; x86-64 passes the sixth in r9. */
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) ((x)->r9)
#endif

#include "filter.bpf.h"
#include "by.bpf.h"
#include "hist.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier then prunes dead branches. */
const volatile __u32 target_tgid = 0;	/* 0: every process */
const volatile __u32 target_tid = USCOPE_NO_FILTER;
const volatile __u32 target_uid = USCOPE_NO_FILTER;
const volatile bool emit_events = false;	/* false: count only */
const volatile bool latency = false;	/* time entry -> return per thread */
const volatile __u32 func_nargs = USCOPE_FUNC_ARGS;
const volatile __u16 str_mask = 0;	/* --str: bit i reads argument i as a string */
const volatile __u32 str_len = USCOPE_STR_LEN;	/* --str-len: bytes per string slot */
const volatile __u32 str_record = USCOPE_STR_RECORD(0, 0);	/* --str: the record's bytes */
const volatile __u64 wakeup_bytes = 0;	/* wake user space once this much is queued */

/* Set by user space to stop counting at once (see uscope.h). */
volatile __u32 stopped SEC(".data.stop") = 0;

/* Hits per site. max_entries is resized to the site count before load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* Events for user space; its size is set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Records that did not fit in the ring buffer, per site. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* No-cookie path: the probed address in the traced process -> the cookie it would have had. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} ip_sites SEC(".maps");

/*
 * --latency: one histogram per function slot, twice: samples go to half
 * (hist_half & 1), slots [0, nslots) or [nslots, 2 nslots). With -i user
 * space flips hist_half, lets in-flight programs finish, then reads and
 * zeroes the other half: exact per-interval histograms, min and max
 * included (resized before load).
 */
const volatile __u32 hist_nslots = 0;
volatile __u32 hist_half = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_hist);
} hists SEC(".maps");

/*
 * --latency: each thread's stack of timed calls. Keyed by thread and indexed
 * by call depth, so recursion pairs each return with its own entry (a key of
 * thread alone would pair the innermost return with the outermost entry).
 * LRU, so threads that died give their room back.
 */
struct frame {
	__u64 t0;
	__u32 slot;
	__u32 pad;
};

struct call_stack {
	__u32 depth;
	__u32 pad;
	struct frame frames[USCOPE_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct call_stack);
} stacks SEC(".maps");

/* A new thread's stack starts as this (too big for the 512-byte BPF stack). */
static struct call_stack empty_stack;

/* Returns whose entry was not seen (attached mid-call, longjmp, too deep). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unpaired SEC(".maps");

static __always_inline bool wanted(void)
{
	__u64 id;

	if (!target_tgid && target_tid == USCOPE_NO_FILTER && target_uid == USCOPE_NO_FILTER &&
	    !follow_filtering())
		return true;
	id = bpf_get_current_pid_tgid();
	if (target_tgid && (id >> 32) != target_tgid)
		return false;
	if (follow_filtering() && !follow_wanted(id >> 32))
		return false;
	if (target_tid != USCOPE_NO_FILTER && (__u32)id != target_tid)
		return false;
	if (target_uid != USCOPE_NO_FILTER && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	return true;
}

/* The site (low half) and latency slot (high half) of the probe that fired; ~0 if unknown. */
static __always_inline __u64 site_cookie(struct pt_regs *ctx)
{
	__u64 ip, *c;

	if (LINUX_HAS_BPF_COOKIE)
		return bpf_get_attach_cookie(ctx);
	ip = PT_REGS_IP(ctx);
	c = bpf_map_lookup_elem(&ip_sites, &ip);
	return c ? *c : ~0ull;
}

static __always_inline void bump(void *map, __u32 key)
{
	__u64 *c = bpf_map_lookup_elem(map, &key);

	if (c)
		*c += 1;
}

/* With --str the larger record (its size is a load-time constant, so the verifier knows it). */
static __always_inline struct uscope_event *reserve(__u32 site, __u16 kind)
{
	struct uscope_event *e;
	__u64 id;

	if (str_mask && kind != USCOPE_SITE_RETURN)
		e = bpf_ringbuf_reserve(&events, str_record, 0);
	else
		e = bpf_ringbuf_reserve(&events, sizeof(struct uscope_event), 0);
	if (!e) {
		bump(&drops, site);
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	e->time_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->site = site;
	e->kind = kind;
	e->loc = USCOPE_NO_LOC;
	e->str_ok = 0;
	e->bad_args = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/*
 * Wake the reader only once wakeup_bytes are queued: at high rates one
 * wakeup serves many events; user space also polls with a short timeout,
 * so a lone event is never stranded.
 */
static __always_inline void submit(struct uscope_event *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + sizeof(*e) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

#include "stack.bpf.h"	/* --stack; uses bump(), submit(), events */

/*
 * --str: each argument named in str_mask (at most USCOPE_MAX_STRS) read as a
 * C string. The loop has constant bounds and i, k are constants per
 * unrolled step, so no index masking is needed (nor possible to get wrong).
 */
static __always_inline void read_strs(struct uscope_event *e)
{
	char *slots = (char *)(e + 1);
	__u32 k = 0;
	int i;

	if (!str_mask)
		return;
#pragma unroll
	for (i = 0; i < USCOPE_MAX_ARGS; i++) {
		if (!(str_mask & (1u << i)) || k >= USCOPE_MAX_STRS)
			continue;
		slots[k * str_len] = 0;
		if (i < e->nargs &&
		    bpf_probe_read_user_str(slots + k * str_len, str_len, (void *)e->args[i]) > 0)
			e->str_ok |= 1u << k;
		k++;
	}
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (v >> 1);
}

/* Returns the call's depth (its frame's index), ~0 if the thread has no stack. */
static __always_inline __u32 latency_entry(__u32 slot)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call_stack *st = bpf_map_lookup_elem(&stacks, &tid);
	__u32 d;

	if (!st) {
		bpf_map_update_elem(&stacks, &tid, &empty_stack, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stacks, &tid);
		if (!st)
			return ~0u;
	}
	d = st->depth;
	if (d < USCOPE_MAX_DEPTH) {
		st->frames[d].slot = slot;
		st->frames[d].t0 = bpf_ktime_get_ns();
	}
	st->depth = d + 1;
	return d;
}

/*
 * Pop this thread's innermost timed call. Returns its start time, 0 for a
 * call whose entry the filter rejected (skip it silently), or ~0 if the
 * return has no entry (counted as unpaired).
 */
static __always_inline __u64 latency_pop(__u32 slot, __u32 *depth)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call_stack *st = bpf_map_lookup_elem(&stacks, &tid);
	__u32 d;

	if (!st || st->depth == 0)
		return ~0ull;
	d = --st->depth;
	*depth = d;
	if (d >= USCOPE_MAX_DEPTH)
		return ~0ull;
	if (st->frames[d].slot == (slot | USCOPE_SLOT_REJECTED))
		return 0;
	if (st->frames[d].slot != slot)
		return ~0ull;
	return st->frames[d].t0;
}

static __always_inline void latency_record(__u32 slot, __u64 t0, __u64 now)
{
	struct uscope_hist *h;
	__u64 delta;

	if (t0 == ~0ull) {
		bump(&unpaired, 0);
		return;
	}
	slot += (hist_half & 1) * hist_nslots;
	h = bpf_map_lookup_elem(&hists, &slot);
	if (!h)
		return;
	delta = now - t0;
	h->buckets[log2_u64(delta) & (USCOPE_HIST_BUCKETS - 1)]++;
	h->count++;
	h->sum_ns += delta;
	if (!h->min_ns || delta < h->min_ns)
		h->min_ns = delta;
	if (delta > h->max_ns)
		h->max_ns = delta;
}

#include "by_lat.bpf.h"	/* --latency --by; uses log2_u64, hist_half */

SEC("uprobe")
int generic_entry(struct pt_regs *ctx)
{
	__u64 cookie = site_cookie(ctx);
	__u32 site = (__u32)cookie;
	struct uscope_event *e;

	if (stopped)
		return 0;
	if (!LINUX_HAS_BPF_COOKIE && cookie == ~0ull)
		return 0;	/* an address the loader did not map (yet) */
	if (!wanted())
		return 0;
	if (has_filter && !filter_pass(ctx, site, USCOPE_SITE_ENTRY)) {
		if (latency)	/* its return must know it was not timed */
			latency_entry(cookie >> 32 | USCOPE_SLOT_REJECTED);
		return 0;
	}
	bump(&counts, site);
	stack__count(ctx, site, USCOPE_SITE_ENTRY);
	if (by_nkeys && !latency && !vhist_mode)
		by_count(ctx, site, USCOPE_SITE_ENTRY, 0);
	if (vhist_mode)
		vhist_add(ctx, site, USCOPE_SITE_ENTRY);
	if (latency) {
		__u32 d = latency_entry(cookie >> 32);

		if (by_nkeys)	/* keep the keys only the entry has */
			by_lat_entry(ctx, site, cookie >> 32, d);
	}
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_ENTRY);
	if (!e)
		return 0;
	e->nargs = func_nargs;
	e->args[0] = PT_REGS_PARM1(ctx);
	e->args[1] = PT_REGS_PARM2(ctx);
	e->args[2] = PT_REGS_PARM3(ctx);
	e->args[3] = PT_REGS_PARM4(ctx);
	e->args[4] = PT_REGS_PARM5(ctx);
	e->args[5] = PT_REGS_PARM6(ctx);
	read_strs(e);
	stack__submit(ctx, e);
	return 0;
}

/*
 * Does nothing: attached instead of generic_entry by `uscope trace --noop`
 * so benchmarks can measure the floor, the cost of the uprobe itself.
 */
SEC("uprobe")
int noop_entry(struct pt_regs *ctx __attribute__((unused)))
{
	return 0;
}

SEC("uretprobe")
int generic_return(struct pt_regs *ctx)
{
	/* No cookie-less path here: the IP of a return probe is the caller's. */
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 site = (__u32)cookie;
	struct uscope_event *e;
	__u64 now = latency ? bpf_ktime_get_ns() : 0, t0 = 0;
	__u32 depth = ~0u;

	if (stopped || !wanted())
		return 0;
	if (latency) {
		t0 = latency_pop(cookie >> 32, &depth);
		if (!t0)
			return 0;	/* the filter rejected its entry */
	}
	if (has_filter && !filter_pass(ctx, site, USCOPE_SITE_RETURN))
		return 0;
	bump(&counts, site);
	stack__count(ctx, site, USCOPE_SITE_RETURN);
	if (by_nkeys && !latency && !vhist_mode)
		by_count(ctx, site, USCOPE_SITE_RETURN, 0);
	if (vhist_mode)
		vhist_add(ctx, site, USCOPE_SITE_RETURN);
	if (latency && by_nkeys) {
		if (!by_lat_return(ctx, cookie >> 32, depth, t0, now))
			bump(&unpaired, 0);
	} else if (latency) {
		latency_record(cookie >> 32, t0, now);
	}
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_RETURN);
	if (!e)
		return 0;
	e->nargs = 1;
	e->args[0] = PT_REGS_RC(ctx);
	stack__submit(ctx, e);
	return 0;
}

SEC("uprobe")
int usdt_site(struct pt_regs *ctx)
{
	__u64 cookie = usdt_cookie(ctx);
	__u32 site = (__u32)cookie;
	struct uscope_event *e;

	if (stopped)
		return 0;
	if (!LINUX_HAS_BPF_COOKIE && cookie == ~0ull)
		return 0;	/* an address the loader did not map (yet) */
	if (!wanted())
		return 0;
	if (has_filter && !filter_pass(ctx, site, USCOPE_SITE_USDT))
		return 0;
	bump(&counts, site);
	stack__count(ctx, site, USCOPE_SITE_USDT);
	if (by_nkeys && !vhist_mode)
		by_count(ctx, site, USCOPE_SITE_USDT, 0);
	if (vhist_mode)
		vhist_add(ctx, site, USCOPE_SITE_USDT);
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_USDT);
	if (!e)
		return 0;
	e->nargs = usdt_read_args(ctx, cookie >> 32, e->args, &e->bad_args);
	e->loc = cookie >> 32;	/* the location's spec id = its index in the plan, on every path */
	read_strs(e);
	stack__submit(ctx, e);
	return 0;
}
