/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one header shared by the BPF programs (probes/uscope.bpf.c) and the
 * loader. It holds only what both sides must agree on byte for byte: the
 * event record sent through the ring buffer and the site kinds.
 *
 * A site is one probe point user space attached: a function entry, a
 * function return or a USDT probe in one binary. Its id (an index into the
 * loader's site table) travels to BPF as the attach cookie; the BPF side
 * never learns names, it only counts and records by site id.
 */
#ifndef USCOPE_SHARED_H
#define USCOPE_SHARED_H

#define USCOPE_MAX_ARGS 12	/* USDT allows 12; functions use the first 6 */
#define USCOPE_FUNC_ARGS 6	/* integer arguments in registers on x86-64 */
#define USCOPE_COMM_LEN 16
#define USCOPE_STR_LEN 64	/* --str-len default: bytes of a string argument kept */
#define USCOPE_STR_MAX_LEN 4096	/* --str-len at most */
#define USCOPE_MAX_STRS 4	/* --str: string arguments read per event */
#define USCOPE_NO_LOC 0xffffffffu	/* uscope_event.loc of a function event */
#define USCOPE_HIST_BUCKETS 64	/* log2 buckets: bucket b holds [2^b, 2^(b+1)) ns */
#define USCOPE_MAX_DEPTH 32	/* latency: nested calls timed per thread */
#define USCOPE_NO_FILTER 0xffffffffu	/* tid / uid filter off */

/*
 * The 64-bit attach cookie: the low half is the site id; in --latency mode
 * the high half is the function's latency slot, shared by its entry and its
 * return site, so that the return can check it pairs with the right entry.
 */
#define USCOPE_COOKIE(site, slot) ((__u64)(slot) << 32 | (__u32)(site))

enum uscope_site_kind {
	USCOPE_SITE_ENTRY = 0,
	USCOPE_SITE_RETURN = 1,
	USCOPE_SITE_USDT = 2,
};

/* One hit, as the ring buffer carries it. */
struct uscope_event {
	__u64 time_ns;		/* bpf_ktime_get_ns() */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 site;		/* site id = attach cookie */
	__u16 kind;		/* enum uscope_site_kind */
	__u16 nargs;		/* how many of args[] are valid */
	char comm[USCOPE_COMM_LEN];
	__u64 args[USCOPE_MAX_ARGS];	/* arguments; args[0] = return value for returns */
	__u32 loc;		/* USDT: the location that fired (its spec id); else USCOPE_NO_LOC */
	__u16 str_ok;		/* --str: bit k set when strs[k] was read; bit k + 8 when it was cut */
	__u16 bad_args;		/* USDT: bit i set = args[i] could not be read (usdt_read.bpf.h) */
};

/*
 * With --str the ring buffer carries a larger record instead: the event,
 * then one slot of --str-len bytes per string argument (popcount of the
 * mask), slot k the k-th argument read as a string, in argument order,
 * NUL-terminated when read (see str_ok). Its size is a load-time constant
 * (USCOPE_STR_RECORD). Without --str events stay small.
 */
#define USCOPE_STR_RECORD(nstrs, len) (sizeof(struct uscope_event) + (nstrs) * (len))
/*
 * str_ok bit USCOPE_STR_CUT_SHIFT + k: string k went on past its slot (the
 * slot holds --str-len - 1 bytes and the byte after them is not NUL), so
 * output marks it cut instead of passing a prefix off as the whole string.
 */
#define USCOPE_STR_CUT_SHIFT 8

/*
 * Stopping: the BPF global `stopped` (section .data.stop, its own one-entry
 * array map of one __u32, `stop` in the skeleton) is checked first by
 * every generic program. Writing 1 there (bpf_map_update_elem(fd, &key0,
 * &one) or through the skeleton's mmap) stops all counting at one instant,
 * whatever is still attached. uscope sets it before it detaches anything,
 * then reads the counts, then detaches, so entries and returns stay paired
 * however long the links take to go away. A guardian process that owns the
 * links can set it the same way.
 */

/* Latency of one function, per CPU; user space sums the CPUs. */
struct uscope_hist {
	__u64 buckets[USCOPE_HIST_BUCKETS];
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;		/* 0: no sample yet */
	__u64 max_ns;
};

/* ---- USDT argument specs (probes/usdt_read.bpf.h, loader/usdt_spec.c) ----
 *
 * One record per USDT location: how to compute each argument from the
 * registers at the probe. value = val_off [+ probe address] [+ reg(base)]
 * [+ reg(index) << shift], dereferenced (SIZE bytes) for MEM, then cut to
 * SIZE bytes and sign- or zero-extended. Registers are pt_regs slots
 * (offsetof / 8). A symbol operand (c(%rip), ti+8(%rip), a32(,%rbx,4),
 * $buf) has ip_rel set and val_off = symbol + offset - probe, in link-time
 * addresses: at run time the probe's own address supplies the load bias.
 */
#define USCOPE_USDT_NOREG 0xff
#define USCOPE_PT_REGS_SLOTS 21	/* x86-64 struct pt_regs: 21 u64 */

enum uscope_usdt_arg_kind {
	USCOPE_USDT_BAD = 0,	/* cannot be read: reported as such, never as a value */
	USCOPE_USDT_CONST = 1,
	USCOPE_USDT_REG = 2,
	USCOPE_USDT_MEM = 3,
};

struct uscope_usdt_arg {
	__s64 val_off;
	__u8 kind;		/* enum uscope_usdt_arg_kind */
	__u8 size;		/* 1, 2, 4 or 8 */
	__u8 is_signed;
	__u8 ip_rel;		/* add the probe's run-time address */
	__u8 base;		/* pt_regs slot or USCOPE_USDT_NOREG */
	__u8 index;		/* pt_regs slot or USCOPE_USDT_NOREG */
	__u8 shift;		/* log2 of the index's scale */
	__u8 pad;
};

struct uscope_usdt_spec {
	__u32 nargs;		/* 0..USCOPE_MAX_ARGS */
	__u32 pad;
	struct uscope_usdt_arg args[USCOPE_MAX_ARGS];
};

/*
 * ---- Filters (--filter; probes/filter.bpf.h, loader/filter_*.c) ----
 *
 * A filter is compiled per site into a short program of comparison steps
 * with forward jumps only (short-circuit && || ! become jump targets), so
 * the generic programs evaluate it in one bounded pass of at most
 * USCOPE_FILTER_STEPS iterations. Sites whose compiled form is the same share
 * one record: filter_ids[site] indexes filters[], or is USCOPE_FILTER_NONE.
 */
#define USCOPE_FILTER_STEPS 16	/* comparisons in one filter */
#define USCOPE_FILTER_STRS 4	/* string constants in one filter */
#define USCOPE_FILTER_STR_LEN 64	/* bytes compared; constants are shorter by 2 */
#define USCOPE_FILTER_ACCEPT 0xfe	/* jump target: the hit is kept */
#define USCOPE_FILTER_REJECT 0xff	/* jump target: the hit is dropped */
#define USCOPE_FILTER_NONE 0xffffffffu	/* filter_ids: this site is not filtered */
#define USCOPE_SLOT_REJECTED 0x80000000u	/* latency frame of an entry the filter rejected */

/* Operands, also the index into the values the program reads before the steps. */
enum uscope_filter_operand {
	USCOPE_OPND_ARG0 = 0,	/* .. USCOPE_OPND_ARG0 + 11 */
	USCOPE_OPND_RET = 12,
	USCOPE_OPND_PID = 13,
	USCOPE_OPND_TID = 14,
	USCOPE_OPND_UID = 15,
	USCOPE_OPND_COMM = 16,	/* string operands from here on */
	USCOPE_OPND_STR = 17,	/* str(argN): filter.str_arg read as a C string */
};

enum uscope_filter_op {
	USCOPE_FOP_EQ, USCOPE_FOP_NE, USCOPE_FOP_LT, USCOPE_FOP_LE, USCOPE_FOP_GT, USCOPE_FOP_GE,
};

#define USCOPE_FSTEP_SIGNED 1	/* compare as signed 64-bit after extension */
#define USCOPE_FSTEP_OPERAND 2	/* value is an operand (tid == pid), not a constant */

struct uscope_filter_step {
	__u64 mask;		/* value & mask is compared (~0: the whole value) */
	__u64 value;		/* the constant; for strings, the index into strs */
	__u8 operand;		/* enum uscope_filter_operand */
	__u8 op;		/* enum uscope_filter_op; strings: EQ or NE */
	__u8 flags;		/* USCOPE_FSTEP_* */
	__u8 shift;		/* 64 - bits of the C type: sign/zero-extend from that width */
	__u8 on_true;		/* next step (always later), or ACCEPT / REJECT */
	__u8 on_false;
	__u8 pad[2];
};

struct uscope_filter {
	__u32 nsteps;
	__u32 need;		/* bit per operand the steps read (1 << enum uscope_filter_operand) */
	__s32 str_arg;		/* the argument str() reads, -1: none */
	__u32 pad;
	struct uscope_filter_step steps[USCOPE_FILTER_STEPS];
	char strs[USCOPE_FILTER_STRS][USCOPE_FILTER_STR_LEN];	/* NUL-padded constants */
};

/*
 * ---- Keys (--by; probes/by.bpf.h, loader/by_keys.c) ----
 *
 * --count --by KEY,...: hits counted in a hash keyed by the site and the
 * key values. Numeric keys go to v[] in --by order (a string key leaves its
 * slot 0); comm and str(argN) are NUL-padded so equal strings hash equal.
 */
#define USCOPE_BY_KEYS 4
#define USCOPE_BY_STR_LEN 32	/* str(argN) key: bytes kept */
#define USCOPE_BY_DEFAULT_MAX 10240	/* --by-max default: rows in the key table */

struct uscope_by_key {
	__u32 site;
	__u32 aux;		/* --count: 0; --hist/--lhist: the bucket; --latency: USCOPE_BY_LAT_AUX */
	char comm[USCOPE_COMM_LEN];	/* before v[]: the key table hashes only the fields used (by_key_size) */
	__u64 v[USCOPE_BY_KEYS];
	char str[USCOPE_BY_STR_LEN];
};

/*
 * ---- Keyed latency and keyed histograms (--by with --latency, --hist,
 * --lhist; probes/by.bpf.h, probes/by_lat.bpf.h, loader/by_*.c) ----
 *
 * A keyed histogram is rows of the key table, one per (key, bucket): aux
 * holds the bucket, so a key costs only the buckets it filled and one
 * --by-max bounds the memory. --latency rows count (count, sum, min, max)
 * per CPU; aux is the log2 bucket of the duration and, with -i, the half
 * (hist_half) the sample went to, so an interval's rows are read and deleted
 * whole while the next interval fills the other half.
 *
 * The keys known only at the entry (argN, str(argN)) travel to the return in
 * a per-thread array of frames indexed by call depth, beside the latency
 * call stack (slot checks the pairing); comm, pid, tid and ret are read at
 * the return.
 */
#define USCOPE_BY_LAT_AUX(bucket, half) ((__u32)(bucket) | (__u32)(half) << 8)
#define USCOPE_BY_THREADS 8192	/* threads whose timed calls carry keys at once */

struct uscope_by_lat {
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;		/* 0: no sample on this CPU */
	__u64 max_ns;
};

struct uscope_by_frame {
	__u32 site;		/* the entry site */
	__u32 slot;		/* the latency slot; ~0 once popped */
	__u64 v[USCOPE_BY_KEYS];
	char str[USCOPE_BY_STR_LEN];
};

/*
 * ---- Value histograms (--hist, --lhist; probes/hist.bpf.h, loader/hist_*.c) ----
 *
 * One per site, per CPU. --hist (log2): bucket 0 holds 0, bucket b (1..63)
 * holds [2^(b-1), 2^b), bucket 64 the values with the top bit set (negative
 * if the value is signed, >= 2^63 if not: user space knows which). --lhist:
 * bucket 0 is the underflow (< MIN), 1..n the steps, n + 1 the overflow (>= MAX).
 */
#define USCOPE_VHIST_BUCKETS 128
#define USCOPE_LHIST_MAX_STEPS (USCOPE_VHIST_BUCKETS - 2)

enum uscope_vhist_mode { USCOPE_VHIST_NONE, USCOPE_VHIST_LOG2, USCOPE_VHIST_LINEAR };

struct uscope_vhist {
	__u64 buckets[USCOPE_VHIST_BUCKETS];
};

/*
 * ---- Stacks (--stack, issue 13) ----
 * Frame-pointer stacks come from the kernel (bpf_get_stackid/bpf_get_stack
 * with BPF_F_USER_STACK); --stack=dwarf copies the registers and the top of
 * the user stack so that user space unwinds them with the CFI (libdwfl).
 */
#define USCOPE_STACK_MAX_DEPTH 127	/* the kernel's default perf_event_max_stack */
#define USCOPE_STACK_MAX_BYTES 16384	/* --stack-size: user stack bytes copied, at most */
#define USCOPE_STACK_CHUNK 256		/* stack copied in pieces when one read would cross the top */
#define USCOPE_DWARF_REGS 17		/* x86-64 DWARF registers 0-16, rax..r15 and rip */

enum uscope_stack_mode {
	USCOPE_STACK_OFF = 0,
	USCOPE_STACK_FP = 1,		/* frame pointers, walked by the kernel */
	USCOPE_STACK_DWARF = 2,		/* registers + stack bytes, unwound in user space */
};

/* Why a stack was not recorded, indexes of the stack_lost map. */
enum uscope_stack_loss {
	USCOPE_STACK_LOST_ID = 0,	/* bpf_get_stackid failed (bucket taken): sent to user space instead */
	USCOPE_STACK_LOST_KEY = 1,	/* the (site, stack) count table is full: sent instead */
	USCOPE_STACK_LOST_RB = 2,	/* ring buffer full */
	USCOPE_STACK_LOSSES = 3,
};

/*
 * --count --stack with frame pointers: one count per (site, stack). The
 * kernel's walk misses the immediate caller at a function's first
 * instruction unless that is push %rbp or endbr64 (the frame does not exist
 * yet), so entry probes also key by the return address at [rsp]; user space
 * inserts it where the kernel did not.
 */
struct uscope_stack_key {
	__u32 site;
	__s32 stack_id;		/* in the stack_traces map */
	__u64 caller;		/* [rsp] at an entry probe, 0 elsewhere */
	__u32 pid;		/* addresses mean something only in their process */
	__u32 pad;
};

/*
 * stacks: --latency --stack (frame pointers). The entry's stack, kept in the
 * thread's latency call stack (struct frame, probes/uscope.bpf.c) until its
 * return, which adds the time to the histogram of (entry site, stack id,
 * caller, pid) in stack_hists.
 */
struct uscope_lat_stack {
	__u64 caller;		/* [rsp] at the entry */
	__s32 stack_id;		/* in stack_traces; < 0: not recorded */
	__u32 site;		/* the entry site */
};

/* Ring buffer record sent the first time a (site, stack) key is counted. */
struct uscope_stack_note {
	__u64 magic;		/* USCOPE_STACK_NOTE_MAGIC: tells it from events */
	struct uscope_stack_key key;
};
#define USCOPE_STACK_NOTE_MAGIC 0x6b636174735f7375ull	/* "us_stack" */

/* What follows a uscope_event in the ring buffer when a stack is taken. */
struct uscope_stack_tail {
	__u16 mode;		/* USCOPE_STACK_FP or USCOPE_STACK_DWARF */
	__u16 count_only;	/* dwarf --count: no event to print, only a stack to count */
	__u32 size;		/* bytes of data[]: fp, 8 per frame; dwarf, stack bytes from rsp */
	__u64 caller;		/* [rsp] at an entry probe, 0 elsewhere */
	__u64 regs[USCOPE_DWARF_REGS];	/* dwarf: DWARF register order; fp: zero */
};

/* The whole record as BPF builds it in a per-CPU buffer; only its used part is sent. */
struct uscope_stack_record {
	struct uscope_event ev;
	struct uscope_stack_tail tail;
	__u8 data[USCOPE_STACK_MAX_BYTES];
};

/*
 * Process trees and cgroups (-f, --cgroup; probes/follow.bpf.h). The set of
 * traced processes holds at most USCOPE_FOLLOW_MAX; a fork that finds it full
 * is counted, and reported, never silently untraced.
 */
#define USCOPE_FOLLOW_MAX 65536

enum uscope_follow_stat {
	USCOPE_FOLLOW_FORKS = 0,	/* processes added by a member's fork */
	USCOPE_FOLLOW_SET_FULL = 1,	/* children not followed: the set was full */
	USCOPE_FOLLOW_BAD_LAYOUT = 2,	/* task_struct is not the build's: -f cannot work */
	USCOPE_FOLLOW_NSTATS = 3,
};


/*
 * ---- Function-site cookie flags, return instructions, Go (issue 14; loader/ret_insn.c) ----
 *
 * The high half of a function site's cookie is its latency slot with flags
 * above it. --ret-mode insn (and Go, and C++ an exception may unwind
 * through) probes a function's return instructions with entry-style
 * uprobes run by insn_return, which acts as the return probe; a tail-call
 * jmp among them has USCOPE_COOKIE_TAIL (the value in rax is not the
 * function's: the callee has not run yet).
 */
#define USCOPE_COOKIE_SLOT_MASK 0x0fffffffu	/* the latency slot */
#define USCOPE_COOKIE_GO 0x40000000u		/* Go binary: register ABI, calls timed per goroutine */
#define USCOPE_COOKIE_TAIL 0x20000000u		/* insn return at a tail-call jmp */
#define USCOPE_COOKIE_INSN 0x10000000u		/* entry site whose returns are insn returns */

/*
 * --latency pairing statistics, indexes of the `unpaired` per-CPU array.
 * A timed call is known by its stack position (the stack pointer at entry,
 * or in Go its distance from the goroutine stack's top, which survives stack
 * copying): a frame deeper than a later entry or return belongs to a call
 * that never returned (an exception, longjmp or panic unwound it, or its
 * goroutine ended) and is dropped as abandoned.
 */
enum uscope_pairing_stat {
	USCOPE_PAIR_UNPAIRED = 0,	/* returns without a timed entry */
	USCOPE_PAIR_ABANDONED = 1,	/* timed entries that never returned */
	USCOPE_PAIR_GO_CALLS = 2,	/* Go calls timed (paired by goroutine) */
	USCOPE_PAIR_GO_MOVED = 3,	/* ... of which returned on another thread than they entered on */
	USCOPE_PAIR_NSTATS = 4,
};


/*
 * Libraries that arrive later (probes/late.bpf.h): a traced process reached
 * the dynamic loader's r_brk with new objects mapped, and was stopped
 * (SIGSTOP from BPF) until user space has attached to them.
 */
struct uscope_late_event {
	__u64 time_ns;		/* bpf_ktime_get_ns() when it was stopped */
	__u32 pid;		/* tgid */
	__u32 tid;		/* the thread that called dlopen */
};

/* Counters of late_stats. */
enum uscope_late_stat {
	USCOPE_LATE_HOLDS = 0,		/* processes stopped at r_brk */
	USCOPE_LATE_UNHELD = 1,		/* loads not held: the ring buffer or the held set was full */
	USCOPE_LATE_NSTATS = 2,
};

#define USCOPE_LATE_HELD_MAX 4096	/* processes held at once, at most */

/*
 * ---- Keyed stacks (--count --stack --by; probes/by.bpf.h, loader/by_stacks.c) ----
 *
 * Frame pointers: one count per (stack, key) in a hash of its own, so that
 * stacks without --by keep their table. --stack=dwarf: the count-only record
 * carries the key in its event (uscope_event.args[0..3] the values,
 * args[4..7] the str() bytes, comm), and user space counts it.
 */
struct uscope_by_stack_key {
	struct uscope_stack_key stack;
	struct uscope_by_key by;
};

#endif
