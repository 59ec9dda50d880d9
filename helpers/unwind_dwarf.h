/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unwind_dwarf: which calls led here, given the registers and a copy of the
 * top of the user stack? (--stack=dwarf)
 *
 * The way perf's --call-graph dwarf does it (tools/perf/util/unwind-libdw.c):
 * libdwfl's unwinder runs over the CFI (.eh_frame, .debug_frame) of the
 * binaries the process had mapped, with callbacks that hand it the copied
 * registers and read "memory" from the copied stack bytes. One Dwfl per
 * process, rebuilt when the symbolizer takes a new snapshot of its mappings,
 * so the CFI of libc is parsed once, not once per stack.
 */
#ifndef USCOPE_UNWIND_DWARF_H
#define USCOPE_UNWIND_DWARF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "symbolize.h"

struct dwarf_unwinder;

struct dwarf_unwinder *dwarf_unwinder__new(struct symbolizer *sym);
void dwarf_unwinder__free(struct dwarf_unwinder *u);

/*
 * Unwind thread TID of process PID from REGS (17 x86-64 DWARF registers,
 * rip last) over STACK (SIZE bytes copied from regs[7], rsp). Writes at
 * most MAX program counters into PCS, the probed one first, then return
 * addresses. Returns the number written (>= 1) or -errno.
 */
int dwarf_unwinder__unwind(struct dwarf_unwinder *u, pid_t pid, pid_t tid, const uint64_t *regs,
			   const uint8_t *stack, size_t size, uint64_t *pcs, int max);

#endif
