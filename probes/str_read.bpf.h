/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * str_read.bpf.h: how is user memory read when the page may not be there yet?
 *
 * A non-sleepable program reads user memory with page faults disabled
 * (bpf_probe_read_user*), so a string literal in a page of .rodata the
 * process has not touched yet reads as nothing: the first firing of a
 * probe prints "" or <unreadable>. The sleepable twins of the entry and
 * USDT programs (uprobe.s, loaded only when strings are asked for) may
 * take the fault: bpf_copy_from_user (a helper since 5.10, sleepable
 * programs only) faults the page in, the way the target itself would.
 *
 * The fast path stays the non-faulting read: only when it fails does the
 * twin fault in the page the string starts in and read again, then, if the
 * string runs on past that page, the next one (a slot is at most 4096 bytes,
 * so two pages at most). A page beyond the string's end is never touched,
 * and a pointer that is simply bad fails all three reads: unreadable.
 *
 * SLEEPABLE is a compile-time constant in each program (the callers are
 * always inlined), so the non-sleepable programs contain no copy at all;
 * the verifier would refuse bpf_copy_from_user there.
 *
 * Why the helper and not the kfunc bpf_copy_from_user_str (6.12+): a kfunc
 * call is resolved by BTF id, which libbpf 1.1 finds by parsing the kernel's
 * BTF at every load (the ~60 ms the object avoids), and it would tie the
 * twins to 6.12; the helper gives the same result from 6.0 on (sleepable
 * uprobes), at the cost of one extra read on the first hit of a page only.
 */
#ifndef USCOPE_STR_READ_BPF_H
#define USCOPE_STR_READ_BPF_H

#define USCOPE_PAGE_SIZE 4096ull

/* Fault in the page holding ADDR (a 1-byte copy); harmless if it is not mapped. */
static __always_inline void user_fault_in(__u64 addr)
{
	char b;

	bpf_copy_from_user(&b, 1, (const void *)addr);
}

/* SIZE bytes at SRC into DST; 0 or a negative errno. */
static __always_inline long user_read(void *dst, __u32 size, const void *src, const bool sleepable)
{
	long r = bpf_probe_read_user(dst, size, src);

	if (r && sleepable)
		r = bpf_copy_from_user(dst, size, src);
	return r;
}

/* A C string at SRC into DST (SIZE bytes, NUL-terminated); its length + 1, or a negative errno. */
static __always_inline long user_read_str(void *dst, __u32 size, const void *src, const bool sleepable)
{
	__u64 a = (__u64)src, next = (a | (USCOPE_PAGE_SIZE - 1)) + 1;
	long r = bpf_probe_read_user_str(dst, size, src);

	if (r > 0 || !sleepable)
		return r;
	user_fault_in(a);
	r = bpf_probe_read_user_str(dst, size, src);
	if (r > 0 || a + size <= next)
		return r;
	user_fault_in(next);	/* the string runs on into the next page */
	return bpf_probe_read_user_str(dst, size, src);
}

#endif
