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

#endif
