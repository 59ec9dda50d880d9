/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * site_cookie: which site fired, and what does its cookie say? With BPF
 * cookies it is the attachment's cookie; without them (--attach nocookie)
 * the probe's address in the one traced process finds the same 64-bit value
 * in a map the loader filled. One lookup serves function sites (ip_sites)
 * and USDT locations (usdt_ip_cookies, usdt_read.bpf.h).
 */
#ifndef USCOPE_SITE_COOKIE_BPF_H
#define USCOPE_SITE_COOKIE_BPF_H

#include "uscope.h"

/* No-cookie path: the probed address in the traced process -> the cookie it would have had. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} ip_sites SEC(".maps");

/* The cookie of the probe that fired, from MAP when there are no cookies; ~0 if unknown (yet). */
static __always_inline __u64 cookie_at_ip(struct pt_regs *ctx, void *map)
{
	__u64 ip, *c;

	if (LINUX_HAS_BPF_COOKIE)
		return bpf_get_attach_cookie(ctx);
	ip = PT_REGS_IP(ctx);
	c = bpf_map_lookup_elem(map, &ip);
	return c ? *c : ~0ull;
}

/* A function site's cookie: the site (low half), its latency slot and USCOPE_COOKIE_* flags (high half). */
static __always_inline __u64 site_cookie(struct pt_regs *ctx)
{
	return cookie_at_ip(ctx, &ip_sites);
}

/*
 * A run with one function entry site knows that site's cookie at load: the
 * loader writes it here (not with --attach nocookie, nor when libraries may
 * arrive later with more sites), and every entry hit is spared the helper
 * call, the one thing such a run's program does that bpftrace's does not.
 */
const volatile bool one_entry = false;
const volatile __u64 one_entry_cookie = 0;

static __always_inline __u64 entry_cookie(struct pt_regs *ctx)
{
	return one_entry ? one_entry_cookie : site_cookie(ctx);
}

#endif
