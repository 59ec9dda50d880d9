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
#define USCOPE_STR_LEN 64	/* --str: bytes of a string argument kept */
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
	__u16 str_ok;		/* --str: bit k set when strs[k] was read */
	__u16 pad;
};

/*
 * With --str the ring buffer carries this larger record instead (the event
 * is its prefix): strs[k] is the k-th argument named by --str, in argument
 * order, NUL-terminated when read (see str_ok). Without --str events stay
 * small.
 */
struct uscope_event_strs {
	struct uscope_event e;
	char strs[USCOPE_MAX_STRS][USCOPE_STR_LEN];
};

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

#endif
