/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unwind_fp: what does a frame-pointer walk see in this binary?
 *   - whether the kernel's user callchain adds the caller itself at a probe
 *     on file offset OFF (it does when the probed instruction is push %rbp or
 *     endbr64; elsewhere at a function start the caller is missing);
 *   - whether the binary keeps frame pointers at all (most of its sizeable
 *     functions start with push %rbp; mov %rsp,%rbp), which --stack=auto asks.
 */
#ifndef USCOPE_UNWIND_FP_H
#define USCOPE_UNWIND_FP_H

#include <stdbool.h>
#include <stdint.h>
#include "elf_funcs.h"

/* True when the instruction at file offset OFF of the open file FD is push %rbp or endbr64. */
bool fp_kernel_adds_caller(int fd, uint64_t off);

/*
 * 1 when the binary at PATH (functions FUNCS) keeps frame pointers, 0 when
 * not, -errno when it cannot be read. Functions that call nothing may be
 * frameless either way, so only functions of 32 bytes or more are sampled.
 */
int fp_binary_keeps_frame_pointers(const char *path, const struct elf_func_list *funcs);

#endif
