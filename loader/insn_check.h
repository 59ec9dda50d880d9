/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * insn_check: may a probe go at a given offset inside a function, that is,
 * does an instruction the kernel can probe start there?
 */
#ifndef USCOPE_INSN_CHECK_H
#define USCOPE_INSN_CHECK_H

#include <stdint.h>
#include "binaries.h"

/*
 * 0 when file offset OFF, inside function F of B, starts an instruction the
 * kernel can probe; else -EINVAL after one message that names WHAT (as the
 * user wrote it) and, for an offset inside an instruction, the instruction
 * starts on either side.
 */
int insn_check__offset(struct binary *b, const struct elf_func *f, uint64_t off, const char *what);

#endif
