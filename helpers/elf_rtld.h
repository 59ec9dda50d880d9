/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_rtld: which dynamic loader does a program name, and where in it is the
 * hook debuggers use to learn that a library was loaded?
 *
 * glibc's ld.so calls _dl_debug_state() (the r_brk of struct r_debug) after
 * it changes the list of loaded objects, with _r_debug.r_state saying what
 * changed (RT_ADD, RT_DELETE, RT_CONSISTENT). gdb sets its breakpoint there.
 */
#ifndef USCOPE_ELF_RTLD_H
#define USCOPE_ELF_RTLD_H

#include <stdint.h>

/*
 * The PT_INTERP path of the program PATH, allocated, in *OUT. Returns 0,
 * -ENOENT when the program has none (static, or a library), -EBADMSG when
 * the segment does not lie inside the file or is not a C string, or the
 * errnos of elf_file__open().
 */
int elf_interp(const char *path, char **out);

/* Where the loader LD keeps its r_brk and its r_debug. */
struct elf_rtld {
	uint64_t brk_off;	/* file offset of _dl_debug_state: the probe goes there */
	int64_t rdebug_delta;	/* &_r_debug - &_dl_debug_state (link-time, so run-time too) */
};

/*
 * Find both symbols in LD's .symtab or .dynsym. Returns 0, -ENOENT when one
 * is missing (not glibc's loader), or the errnos of elf_file__open().
 */
int elf_rtld(const char *ld, struct elf_rtld *out);

#endif
