/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ifunc: which implementation of a GNU IFUNC symbol does a process run?
 *
 * An IFUNC symbol (glibc's strlen, memcpy, ...) is a resolver that the
 * dynamic linker calls once, at relocation; the calls go to the
 * implementation it returns (__strlen_avx2, ...), chosen for the CPU. A probe
 * on the symbol counts almost nothing.
 *
 * When the library is the very file (device and inode) that is also mapped
 * in uscope itself, uscope's own dynamic linker has made the same choice on
 * the same CPU: dlsym() of an IFUNC returns the resolved implementation, and
 * its address maps back to a file offset of that file. (A process started
 * with different GLIBC_TUNABLES hwcaps could choose otherwise.) Any other
 * library is never loaded just to find out: that would run its constructors
 * inside uscope.
 */
#ifndef USCOPE_IFUNC_H
#define USCOPE_IFUNC_H

#include <stdint.h>

/*
 * The file offset, in PATH, of the implementation NAME resolves to. Returns
 * 0, or -ENOENT with *WHY set (a phrase: why it cannot be known).
 */
int ifunc_resolve(const char *path, const char *name, uint64_t *offset, const char **why);

#endif
