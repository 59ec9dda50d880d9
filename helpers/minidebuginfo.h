/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minidebuginfo: what does a binary's .gnu_debugdata hold?
 *
 * MiniDebugInfo (Fedora, RHEL) is an xz-compressed ELF in the .gnu_debugdata
 * section whose .symtab lists the functions the .dynsym lacks, at the
 * binary's own addresses. Internal to helpers/ (elf_funcs.c uses it).
 */
#ifndef USCOPE_MINIDEBUGINFO_H
#define USCOPE_MINIDEBUGINFO_H

#include <stddef.h>
#include "elf_file.h"

/*
 * Decompress BIN's .gnu_debugdata into *BUF (allocated, *SIZE bytes).
 * Returns 1 when there is one, 0 when there is none, -EBADMSG when it does not
 * decompress (or would exceed 256 MiB), -ENOMEM.
 */
int minidebuginfo__read(const struct elf_file *bin, void **buf, size_t *size);

#endif
