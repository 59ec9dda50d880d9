/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_syms: which link-time address has each symbol that a USDT argument
 * names (-1@c(%rip), -8@8+ti(%rip), 4@a32(,%rbx,4), 8@$buf)?
 *
 * Internal to helpers/ (usdt_notes.c calls it while the ELF is open).
 */
#ifndef USCOPE_USDT_SYMS_H
#define USCOPE_USDT_SYMS_H

#include <stddef.h>
#include "elf_file.h"
#include "usdt_notes.h"

/*
 * Resolve every symbol named by the arguments of NOTES[0..CNT), whose
 * args_str must still be readable, from .symtab and .dynsym of EF (opened
 * from PATH; without a .symtab, its debug file's .symtab if one is found). A
 * resolved argument gets sym_addr; one that cannot be resolved becomes
 * USDT_ARG_BAD, with the reason in its note's args_why when it is the
 * note's first error (also when a symbol table is malformed). Returns 0, or
 * -ENOMEM.
 */
int usdt_syms__resolve(const struct elf_file *ef, const char *path, struct usdt_note *notes, size_t cnt);

#endif
