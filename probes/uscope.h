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
};

#endif
