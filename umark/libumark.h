/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libumark.so: the shared library umark links against, so uscope can be
 * tested on uprobes and a USDT probe inside a library.
 */
#ifndef LIBUMARK_H
#define LIBUMARK_H

/* Traced: a + b.  umark calls it 2 times per iteration (see below). */
unsigned long long lib_add(unsigned long long a, unsigned long long b);

/* Traced: a * b.  umark calls it 3 times per iteration. */
unsigned long long lib_mul(unsigned long long a, unsigned long long b);

/*
 * lib_add's caller-side helper: fires USDT libumark:libprobe(a, b) once,
 * then returns lib_add(a, b) (a real call, through the library's PLT).
 * umark calls it once per iteration and calls lib_add directly once more,
 * so per iteration: lib_add 2 calls, libumark:libprobe 1 fire.
 */
unsigned long long lib_add_probed(unsigned long long a, unsigned long long b);

/* The library's own call/fire counters (atomic, totals over all threads). */
struct libumark_counts {
	unsigned long long lib_add;
	unsigned long long lib_mul;
	unsigned long long lib_add_probed;
	unsigned long long libprobe;
};

void libumark_get_counts(struct libumark_counts *out);

#endif /* LIBUMARK_H */
