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
	__u16 bad_args;		/* USDT: bit i set = args[i] could not be read */
	__u16 pad[3];
};

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

#endif
