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
	char str[USCOPE_STR_LEN];	/* --str: the argument read as a C string */
};

/* Latency of one function, per CPU; user space sums the CPUs. */
struct uscope_hist {
	__u64 buckets[USCOPE_HIST_BUCKETS];
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;		/* 0: no sample yet */
	__u64 max_ns;
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

/* A traced process reached the dynamic loader's r_brk (probes/late.bpf.h). */
struct uscope_loader_event {
	__u64 time_ns;		/* bpf_ktime_get_ns(): when it was held */
	__u32 pid;		/* tgid */
	__u32 tid;
};

#endif
