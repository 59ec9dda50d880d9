/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_funcs: where are the functions of a binary?
 *
 * Reads the function symbols of a 64-bit x86-64 ELF file (executable, PIE or
 * shared library) with libelf and turns each symbol's virtual address into the
 * file offset the kernel's uprobe API wants: find the PT_LOAD segment that holds
 * st_value and take st_value - p_vaddr + p_offset.
 *
 * Symbols come from .symtab when the file has one, else from .dynsym. Only
 * defined STT_FUNC and STT_GNU_IFUNC symbols with a nonzero address inside an
 * executable PT_LOAD segment are kept. Every read is bounds-checked: a
 * truncated or corrupted file yields a negative errno, never a crash.
 */
#ifndef USCOPE_ELF_FUNCS_H
#define USCOPE_ELF_FUNCS_H

#include <stddef.h>
#include <stdint.h>

enum elf_func_bind {
	ELF_FUNC_LOCAL,
	ELF_FUNC_GLOBAL,
	ELF_FUNC_WEAK,
	ELF_FUNC_OTHER,		/* GNU_UNIQUE and friends */
};

struct elf_func {
	const char *name;	/* points into elf_func_list.names */
	uint64_t addr;		/* st_value, as readelf -s prints it */
	uint64_t offset;	/* file offset of addr */
	uint64_t size;		/* st_size */
	uint8_t bind;		/* enum elf_func_bind */
	uint8_t ifunc;		/* 1 for STT_GNU_IFUNC */
};

struct elf_func_list {
	struct elf_func *funcs;	/* sorted by offset, then by name */
	size_t cnt;
	char *names;		/* one arena holding every name */
	int from_dynsym;	/* 1 when .symtab was missing */
};

/*
 * Load every function of PATH into *OUT (zeroed first). Returns 0 or a
 * negative errno:
 *   -ENOENT, -EACCES, ...  the file could not be opened (errno of open(2))
 *   -EISDIR                PATH is a directory
 *   -ENOEXEC               not an ELF file
 *   -EPROTONOSUPPORT       ELF, but not 64-bit little-endian x86-64
 *   -EBADMSG               malformed or truncated ELF
 *   -ENOMEM
 * A file with no function symbols is not an error: cnt is 0.
 */
int elf_funcs__load(const char *path, struct elf_func_list *out);
void elf_funcs__free(struct elf_func_list *list);

const char *elf_bind_name(uint8_t bind);	/* "global", "local", "weak", "other" */

/* One line of text for the negative errnos above ("not an ELF file", ...). */
const char *elf_strerror(int err);

#endif
