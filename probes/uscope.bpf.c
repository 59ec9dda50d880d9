// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF side of uscope: three tiny generic programs.
 *
 *   generic_entry   attached to every probed function entry
 *   generic_return  attached to every probed function return
 *   usdt_site       attached to every USDT probe location (usdt_read.bpf.h)
 *
 * generic_entry_s and usdt_site_s are their sleepable twins (uprobe.s): the
 * same code, inlined with SLEEPABLE true, so that a string in a page the
 * target has not touched yet is faulted in and read (str_read.bpf.h). The
 * loader attaches one or the other to every site of the run, never both:
 * the twins only when strings are read (--str, DWARF char *, str(argN)).
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
#include "site_cookie.bpf.h"
#include "func_args.bpf.h"
#include "str_read.bpf.h"
#include "usdt_read.bpf.h"
#include "follow.bpf.h"

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
 * --latency: each thread's stack of timed calls (in Go each goroutine's:
 * goroutines move between threads mid-call). Indexed by call depth, so
 * recursion pairs each return with its own entry (a key of thread alone
 * would pair the innermost return with the outermost entry), and each frame
 * keeps its stack position (uscope.h, enum uscope_pairing_stat), so calls an
 * exception, longjmp or panic unwound are dropped instead of pairing with a
 * later return. LRU, so threads that died give their room back.
 */
struct frame {
	__u64 t0;
	__u64 pos;	/* stack position at entry: larger is deeper */
	__u32 slot;	/* | USCOPE_SLOT_REJECTED, | FRAME_INSN (latency_pair.bpf.h) */
	__u32 tid;	/* Go: the thread it entered on */
	/* stacks: --latency --stack, the entry's stack (filled by stack__lat_entry) */
	struct uscope_lat_stack stk;
};

/* Thread (a = pid_tgid, b = 0), or Go goroutine (a = its g, b = tgid | 1 << 32). */
struct stack_key {
	__u64 a;
	__u64 b;
};

struct call_stack {
	__u32 depth;
	__u32 pad;
	struct frame frames[USCOPE_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, struct call_stack);
} stacks SEC(".maps");

/* A new thread's stack starts as this (too big for the 512-byte BPF stack). */
static struct call_stack empty_stack;

/* Returns whose entry was not seen (attached mid-call, too deep), and the other enum uscope_pairing_stat. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, USCOPE_PAIR_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} unpaired SEC(".maps");

/* SLEEPABLE: the cgroup array is not allowed there (the loader keeps --cgroup non-sleepable). */
static __always_inline bool wanted(const bool sleepable)
{
	__u64 id;

	if (!target_tgid && target_tid == USCOPE_NO_FILTER && target_uid == USCOPE_NO_FILTER &&
	    !follow_filtering())
		return true;
	id = bpf_get_current_pid_tgid();
	if (target_tgid && (id >> 32) != target_tgid)
		return false;
	if (follow_filtering() && !follow_wanted(id >> 32, sleepable))
		return false;
	if (target_tid != USCOPE_NO_FILTER && (__u32)id != target_tid)
		return false;
	if (target_uid != USCOPE_NO_FILTER && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	return true;
}

static __always_inline void bump(void *map, __u32 key)
{
	__u64 *c = bpf_map_lookup_elem(map, &key);

	if (c)
		*c += 1;
}

/*
 * A sleepable program runs with migration, not preemption, disabled: two
 * tasks on one CPU may interleave a per-CPU increment, so the twins add
 * atomically (only they pay for it).
 */
static __always_inline void bump_s(void *map, __u32 key, const bool sleepable)
{
	__u64 *c;

	if (!sleepable) {
		bump(map, key);
		return;
	}
	c = bpf_map_lookup_elem(map, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* With --str the larger record (its size is a load-time constant, so the verifier knows it). */
static __always_inline struct uscope_event *reserve(__u32 site, __u16 kind, const bool sleepable)
{
	struct uscope_event *e;
	__u64 id;

	if (str_mask && kind != USCOPE_SITE_RETURN)
		e = bpf_ringbuf_reserve(&events, str_record, 0);
	else
		e = bpf_ringbuf_reserve(&events, sizeof(struct uscope_event), 0);
	if (!e) {
		bump_s(&drops, site, sleepable);
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
 * Wake the reader only when a record of SIZE takes the queue past
 * wakeup_bytes: at high rates one wakeup serves many events. A reader that
 * is behind is awake already, and while it stays behind a wakeup on every
 * record above the mark cost an IPI each (it doubled the cost of a --stack
 * hit). An awake reader drains the ring before it sleeps, its poll returns
 * at once while anything is queued, and it polls with a short timeout, so
 * no event is stranded.
 */
static __always_inline __u64 wake_flags(__u64 size)
{
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return queued < wakeup_bytes && queued + size >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(struct uscope_event *e)
{
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
}

#include "stack.bpf.h"	/* --stack; uses bump(), submit(), events */

/* A full slot: is the byte after the kept ones (at P) not the string's end? */
static __always_inline bool str_goes_on(const void *p, const bool sleepable)
{
	char c = 0;

	return !user_read(&c, 1, p, sleepable) && c;
}

/*
 * --str: each argument named in str_mask (at most USCOPE_MAX_STRS) read as a
 * C string. The loop has constant bounds and i, k are constants per
 * unrolled step, so no index masking is needed (nor possible to get wrong).
 */
static __always_inline void read_strs(struct uscope_event *e, const bool sleepable)
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
		if (i < e->nargs) {
			long r = user_read_str(slots + k * str_len, str_len, (void *)e->args[i], sleepable);

			if (r > 0)
				e->str_ok |= 1u << k;
			if (r == str_len && str_goes_on((void *)e->args[i] + str_len - 1, sleepable))
				e->str_ok |= 1u << (k + USCOPE_STR_CUT_SHIFT);
		}
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

#include "latency_pair.bpf.h"	/* latency_entry(), latency_pop() */

/* One sample into histogram H (NULL: none). */
static __always_inline void hist_add(struct uscope_hist *h, __u64 delta)
{
	if (!h)
		return;
	h->buckets[log2_u64(delta) & (USCOPE_HIST_BUCKETS - 1)]++;
	h->count++;
	h->sum_ns += delta;
	if (!h->min_ns || delta < h->min_ns)
		h->min_ns = delta;
	if (delta > h->max_ns)
		h->max_ns = delta;
}

/* Where this call's timed frame lives, for --latency --stack (stack.bpf.h). */
static __always_inline bool lat_stack_key(struct pt_regs *ctx, __u64 cookie, struct stack_key *k)
{
	__u64 pos;

	return stack_mode == USCOPE_STACK_FP && call_where(ctx, cookie, PT_REGS_SP(ctx), k, &pos);
}

/* The sample of a return with COOKIE whose entry was at T0 (~0: none seen). */
static __always_inline void latency_record(struct pt_regs *ctx, __u64 cookie, __u64 t0, __u64 now)
{
	__u32 slot = (cookie >> 32) & USCOPE_COOKIE_SLOT_MASK;
	struct stack_key k;

	if (t0 == ~0ull) {
		bump(&unpaired, USCOPE_PAIR_UNPAIRED);
		return;
	}
	slot += (hist_half & 1) * hist_nslots;
	hist_add(bpf_map_lookup_elem(&hists, &slot), now - t0);
	if (lat_stack_key(ctx, cookie, &k))	/* --latency --stack: the entry's stack's own */
		hist_add(stack__lat_hist(&k), now - t0);
}

#include "by_lat.bpf.h"	/* --latency --by; uses log2_u64, hist_half, call_where */

/* Count one hit of the KIND site of COOKIE in every table this run keeps (the cookie spares --by and --hist a second fetch). */
static __always_inline void count_hit(struct pt_regs *ctx, __u64 cookie, int kind, const bool sleepable)
{
	__u32 site = (__u32)cookie;

	bump_s(&counts, site, sleepable);
	if (!sleepable)	/* stack maps are not for sleepable programs: no twin with --stack */
		stack__count(ctx, site, kind);
	/* --by: counted here with --count only; keyed histograms and latency are counted where they are made. */
	if (by_nkeys && !vhist_mode && !(latency && kind != USCOPE_SITE_USDT))
		by_count(ctx, cookie, kind, 0, sleepable);
	if (vhist_mode)
		vhist_add(ctx, cookie, kind, sleepable);
}

/* Counting is on, the cookie is known (nocookie: its address was mapped) and the process is traced. */
static __always_inline bool hit_wanted(__u64 cookie, const bool sleepable)
{
	if (stopped)
		return false;
	if (!LINUX_HAS_BPF_COOKIE && cookie == ~0ull)
		return false;	/* an address the loader did not map (yet) */
	return wanted(sleepable);
}

/* A function entry; SLEEPABLE (a constant per program): the twin that may fault strings in. */
static __always_inline int entry_hit(struct pt_regs *ctx, const bool sleepable)
{
	__u64 cookie;
	__u32 site;
	struct uscope_event *e;

	/*
	 * One filter for every entry, and no latency frame to mark: decided
	 * before anything else, unless it reads a string (a twin could fault in
	 * a page of a process that wanted() would have left alone).
	 */
	if (has_filter && filter_entry_ro && !latency && !NEED(filter_entry.need, USCOPE_OPND_STR) &&
	    !filter_entry_pass(ctx, sleepable))
		return 0;
	cookie = site_cookie(ctx);
	site = (__u32)cookie;
	if (!hit_wanted(cookie, sleepable))
		return 0;
	if (has_filter && filter_entry_ro && (latency || NEED(filter_entry.need, USCOPE_OPND_STR)) &&
	    !filter_entry_pass(ctx, sleepable)) {
		if (latency)	/* its return must know it was not timed */
			latency_entry(ctx, cookie, USCOPE_SLOT_REJECTED);
		return 0;
	}
	if (has_filter && !filter_entry_ro && !filter_pass(ctx, cookie, USCOPE_SITE_ENTRY, sleepable)) {
		if (latency)	/* its return must know it was not timed */
			latency_entry(ctx, cookie, USCOPE_SLOT_REJECTED);
		return 0;
	}
	count_hit(ctx, cookie, USCOPE_SITE_ENTRY, sleepable);
	if (latency) {
		struct stack_key k;
		__u32 d = latency_entry(ctx, cookie, 0);

		if (by_nkeys)	/* keep the keys only the entry has */
			by_lat_entry(ctx, site, cookie, d, sleepable);
		if (!sleepable && lat_stack_key(ctx, cookie, &k))	/* no stack maps in sleepable programs */
			stack__lat_entry(ctx, site, &k);
	}
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_ENTRY, sleepable);
	if (!e)
		return 0;
	e->nargs = func_nargs;
	func_args_read(ctx, e->args, cookie_is_go(cookie));
	read_strs(e, sleepable);
	if (sleepable)
		submit(e);
	else
		stack__submit(ctx, e);
	return 0;
}

SEC("uprobe")
int generic_entry(struct pt_regs *ctx)
{
	return entry_hit(ctx, false);
}

SEC("uprobe.s")
int generic_entry_s(struct pt_regs *ctx)
{
	return entry_hit(ctx, true);
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

/*
 * A function return, seen by a uretprobe (generic_return) or by an
 * entry-style probe on one of its return instructions (insn_return,
 * --ret-mode insn): COOKIE as attached; SP the stack pointer the call
 * entered with (a uretprobe fires after the ret popped the return address).
 */
static __always_inline int on_return(struct pt_regs *ctx, __u64 cookie, __u64 sp)
{
	__u32 site = (__u32)cookie;
	struct uscope_event *e;
	__u64 now = latency ? bpf_ktime_get_ns() : 0, t0 = 0;
	__u32 depth = ~0u;

	if (stopped || !wanted(false))
		return 0;
	if (latency) {
		t0 = latency_pop(ctx, cookie, sp, &depth);
		if (!t0)
			return 0;	/* the filter rejected its entry */
	}
	if (has_filter && !filter_pass(ctx, cookie, USCOPE_SITE_RETURN, false))
		return 0;
	count_hit(ctx, cookie, USCOPE_SITE_RETURN, false);
	if (latency && by_nkeys) {
		if (!by_lat_return(ctx, cookie, depth, t0, now))
			bump(&unpaired, USCOPE_PAIR_UNPAIRED);
	} else if (latency) {
		latency_record(ctx, cookie, t0, now);
	}
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_RETURN, false);
	if (!e)
		return 0;
	e->nargs = 1;
	e->args[0] = PT_REGS_RC(ctx);
	if ((cookie >> 32) & USCOPE_COOKIE_TAIL)
		e->bad_args = 1;	/* a tail call: the callee computes the value later */
	stack__submit(ctx, e);
	return 0;
}

SEC("uretprobe")
int generic_return(struct pt_regs *ctx)
{
	/* No cookie-less path here: the IP of a return probe is the caller's. */
	return on_return(ctx, bpf_get_attach_cookie(ctx), PT_REGS_SP(ctx) - 8);
}

/* A return instruction (ret, or a tail-call jmp) of a --ret-mode insn function: the call ends here. */
SEC("uprobe")
int insn_return(struct pt_regs *ctx)
{
	__u64 cookie = site_cookie(ctx);

	if (!LINUX_HAS_BPF_COOKIE && cookie == ~0ull)
		return 0;	/* an address the loader did not map (yet) */
	return on_return(ctx, cookie, PT_REGS_SP(ctx));
}

/* A USDT location; SLEEPABLE as for entry_hit. */
static __always_inline int usdt_hit(struct pt_regs *ctx, const bool sleepable)
{
	__u64 cookie = usdt_cookie(ctx);
	__u32 site = (__u32)cookie;
	struct uscope_event *e;

	if (!hit_wanted(cookie, sleepable))
		return 0;
	if (has_filter && !filter_pass(ctx, cookie, USCOPE_SITE_USDT, sleepable))
		return 0;
	count_hit(ctx, cookie, USCOPE_SITE_USDT, sleepable);
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_USDT, sleepable);
	if (!e)
		return 0;
	e->nargs = usdt_read_args(ctx, cookie >> 32, e->args, &e->bad_args, sleepable);
	e->loc = cookie >> 32;	/* the location's spec id = its index in the plan, on every path */
	read_strs(e, sleepable);
	if (sleepable)
		submit(e);
	else
		stack__submit(ctx, e);
	return 0;
}

SEC("uprobe")
int usdt_site(struct pt_regs *ctx)
{
	return usdt_hit(ctx, false);
}

SEC("uprobe.s")
int usdt_site_s(struct pt_regs *ctx)
{
	return usdt_hit(ctx, true);
}

#include "late.bpf.h"	/* libraries that arrive later: the loader's r_brk */
