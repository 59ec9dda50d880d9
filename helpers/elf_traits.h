/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_traits: is a binary one where a return probe harms the target?
 *
 *   Go: a uretprobe replaces the return address on the stack with the
 *   kernel's trampoline; Go's runtime walks and copies its stacks itself
 *   and dies on the unknown address ("fatal error: unknown caller pc", then
 *   SIGILL from the kernel). A Go binary has .go.buildinfo (Go 1.13+) or
 *   .gopclntab, or a Go build-id note.
 *
 *   C++ exceptions: the unwinder looks for the trampoline's address in
 *   .eh_frame, finds nothing and calls std::terminate. A function an
 *   exception is known to unwind through has a language-specific data area
 *   (LSDA: its cleanups and handlers in .gcc_except_table), named by its FDE
 *   in .eh_frame.
 */
#ifndef USCOPE_ELF_TRAITS_H
#define USCOPE_ELF_TRAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when PATH is a Go binary, 0 when not, or a negative errno (elf_funcs.h). */
int elf_is_go(const char *path);

/* Start addresses (sorted) of the functions whose .eh_frame FDE names an LSDA. */
struct elf_lsda_list {
	uint64_t *addrs;
	size_t cnt;
};

/* 0 (an empty list when there is no .eh_frame) or a negative errno. */
int elf_lsda__load(const char *path, struct elf_lsda_list *out);
bool elf_lsda__has(const struct elf_lsda_list *l, uint64_t addr);
void elf_lsda__free(struct elf_lsda_list *l);

/* True when file offset OFF of PATH is where an .eh_frame FDE starts (a function start, stripped or not). */
bool elf_offset_is_fde_start(const char *path, uint64_t off);

/*
 * Can an exception leave a function without an LSDA? Yes if it calls, or
 * jumps to, code that may throw. What uscope knows without decoding:
 *   can_throw  the binary names __cxa_throw (it throws or links a thrower)
 *   plt        the PLT sections' address ranges: calls out of the binary
 */
struct elf_throw_info {
	bool can_throw;
	uint64_t plt_lo[4], plt_hi[4];
	int nplt;
};

int elf_throw_info__load(const char *path, struct elf_throw_info *out);

/*
 * The targets of the rel32 calls and jumps (e8, e9) in SIZE bytes at file
 * offset OFF (a function at address ADDR), at most MAX of them. A byte scan,
 * not a decoder: the caller keeps only targets that are a function start or a
 * PLT entry, which a stray e8/e9 byte inside another instruction almost never
 * hits. Returns the number found or a negative errno.
 */
int elf_branch_targets(const char *path, uint64_t off, uint64_t size, uint64_t addr, uint64_t *targets,
		       size_t max);

#endif
