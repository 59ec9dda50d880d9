// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF side of uscope: three tiny generic programs.
 *
 *   generic_entry   attached to every probed function entry
 *   generic_return  attached to every probed function return
 *   usdt_site       attached to every USDT probe location (libbpf's usdt.bpf.h)
 *
 * Each program is loaded once and attached many times. Every attachment
 * carries a 64-bit BPF cookie that user space chose: the site id, an index
 * into its site table. So one verifier run serves thousands of functions,
 * and the programs know nothing but ids: names, binaries and formatting live
 * in user space. For USDT, libbpf's usdt.bpf.h owns the BPF cookie (it holds
 * the spec id that says where each argument lives), so the site id travels
 * as the spec's usdt_cookie and is read with bpf_usdt_cookie().
 *
 * Work per hit is kept to the minimum: a per-CPU counter bump in count mode,
 * plus one ring buffer reservation in event mode. A full ring buffer drops
 * the record and counts the drop, so loss is reported, never silent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "uscope.h"

/* libbpf 1.1's bpf_tracing.h stops at PARM5; x86-64 passes the sixth in r9. */
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) ((x)->r9)
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier then prunes dead branches. */
const volatile __u32 target_tgid = 0;	/* 0: every process */
const volatile bool emit_events = false;	/* false: count only */
const volatile __u32 func_nargs = USCOPE_FUNC_ARGS;

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

static __always_inline bool wanted(void)
{
	return !target_tgid || (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void count(__u32 site)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &site);

	if (c)
		*c += 1;
}

static __always_inline struct uscope_event *reserve(__u32 site, __u16 kind)
{
	struct uscope_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id;

	if (!e) {
		__u64 *d = bpf_map_lookup_elem(&drops, &site);

		if (d)
			*d += 1;
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	e->time_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->site = site;
	e->kind = kind;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

SEC("uprobe")
int generic_entry(struct pt_regs *ctx)
{
	__u32 site = bpf_get_attach_cookie(ctx);
	struct uscope_event *e;

	if (!wanted())
		return 0;
	count(site);
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
	bpf_ringbuf_submit(e, 0);
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
	__u32 site = bpf_get_attach_cookie(ctx);
	struct uscope_event *e;

	if (!wanted())
		return 0;
	count(site);
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_RETURN);
	if (!e)
		return 0;
	e->nargs = 1;
	e->args[0] = PT_REGS_RC(ctx);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("usdt")
int usdt_site(struct pt_regs *ctx)
{
	__u32 site = bpf_usdt_cookie(ctx);
	struct uscope_event *e;
	int n, i;

	if (!wanted())
		return 0;
	count(site);
	if (!emit_events)
		return 0;
	e = reserve(site, USCOPE_SITE_USDT);
	if (!e)
		return 0;
	n = bpf_usdt_arg_cnt(ctx);
	if (n < 0)
		n = 0;
	if (n > USCOPE_MAX_ARGS)
		n = USCOPE_MAX_ARGS;
	e->nargs = n;
	for (i = 0; i < USCOPE_MAX_ARGS; i++) {
		long v = 0;

		if (i < n)
			bpf_usdt_arg(ctx, i, &v);
		e->args[i] = v;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
