// SPDX-License-Identifier: GPL-2.0
/*
 * libumark.so: library-side uprobe targets and the libumark:libprobe USDT
 * probe (no semaphore).  Counts its own calls and fires.
 */
#include <sys/sdt.h>

#include "libumark.h"

#if defined(__GNUC__) && !defined(__clang__)
#define LIBUMARK_FN __attribute__((noinline, noclone, noipa, used))
#else
#define LIBUMARK_FN __attribute__((noinline, used))
#endif

/* Keep push %rbp; mov %rsp,%rbp even in stackless leaf functions. */
#define LIBUMARK_KEEP_FRAME() \
	__asm__ __volatile__("" : : "r"(__builtin_frame_address(0)))

static struct libumark_counts counts;

#define LIBUMARK_COUNT(field) \
	__atomic_fetch_add(&counts.field, 1, __ATOMIC_RELAXED)

LIBUMARK_FN unsigned long long lib_add(unsigned long long a,
				       unsigned long long b)
{
	LIBUMARK_KEEP_FRAME();
	LIBUMARK_COUNT(lib_add);
	return a + b;
}

LIBUMARK_FN unsigned long long lib_mul(unsigned long long a,
				       unsigned long long b)
{
	LIBUMARK_KEEP_FRAME();
	LIBUMARK_COUNT(lib_mul);
	return a * b;
}

LIBUMARK_FN unsigned long long lib_add_probed(unsigned long long a,
					      unsigned long long b)
{
	unsigned long long r;

	LIBUMARK_KEEP_FRAME();
	LIBUMARK_COUNT(lib_add_probed);
	DTRACE_PROBE2(libumark, libprobe, a, b);
	LIBUMARK_COUNT(libprobe);
	r = lib_add(a, b);
	/* No tail call: keep lib_add_probed on the stack under lib_add. */
	__asm__ __volatile__("" : "+r"(r));
	return r;
}

void libumark_get_counts(struct libumark_counts *out)
{
	out->lib_add = __atomic_load_n(&counts.lib_add, __ATOMIC_RELAXED);
	out->lib_mul = __atomic_load_n(&counts.lib_mul, __ATOMIC_RELAXED);
	out->lib_add_probed =
		__atomic_load_n(&counts.lib_add_probed, __ATOMIC_RELAXED);
	out->libprobe = __atomic_load_n(&counts.libprobe, __ATOMIC_RELAXED);
}
