/* SPDX-License-Identifier: BSD-2-Clause */
/* elf_interp: which dynamic loader does a program name (its PT_INTERP)? */
#ifndef USCOPE_ELF_INTERP_H
#define USCOPE_ELF_INTERP_H

/*
 * The PT_INTERP path of the program PATH, allocated, in *OUT. Returns 0,
 * -ENOENT when the program has none (static, or a library), -EBADMSG when
 * the segment does not lie inside the file or is not a C string, or the
 * errnos of elf_funcs__load().
 */
int elf_interp(const char *path, char **out);

#endif
