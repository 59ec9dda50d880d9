/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * symbolize: what is at this address of that process?
 *
 * A symbolizer keeps, per process, every snapshot of its executable mappings
 * it has taken (/proc/PID/maps, at attach and again whenever an address
 * falls outside what it knows), and one cache entry per mapped binary, keyed
 * by build ID (by device and inode when a file has none). Binaries are opened
 * while the process lives, through /proc/PID/root, and kept open, so a
 * process that has exited still symbolizes.
 *
 * An address becomes one or more frames, innermost first (several when the
 * compiler inlined calls there):
 *   func + offset   from the same symbol chain as `uscope funcs`
 *                   (elf_funcs__load), then from the symbols of the debug
 *                   file libdwfl finds (build-id and debuglink, libc6-dbg);
 *   file:line       from the DWARF line table, when there is one;
 *   inlined frames  from the DWARF scopes (DW_TAG_inlined_subroutine);
 *   [binary+0xOFF]  when nothing names it (the file offset), never a blank.
 */
#ifndef USCOPE_SYMBOLIZE_H
#define USCOPE_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbolizer;

struct sym_frame {
	uint64_t addr;		/* the address in the process */
	const char *func;	/* function, or "[binary+0xOFF]" / "[unknown]" */
	uint64_t offset;	/* addr - function start; the file offset when unnamed */
	const char *binary;	/* path of the mapped file, "" when unmapped */
	const char *file;	/* source file, NULL when unknown */
	int line;		/* 0 when unknown */
	bool inlined;		/* an inlined call at this address */
	bool named;		/* func is a real name */
};

#define SYM_MAX_INLINE 8	/* frames one address can expand to */

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s);

/*
 * Take a snapshot of PID's executable mappings and open the binaries not yet
 * cached. Returns 0, -ESRCH when the process is gone, or another -errno.
 */
int symbolizer__capture(struct symbolizer *s, pid_t pid);

/*
 * Frames for ADDR in PID, innermost first, into OUT[MAX] (MAX >= 1).
 * RETADDR: ADDR is a return address, so names and lines are looked up at
 * ADDR - 1 (the call), while offsets are shown from ADDR. Returns the number
 * of frames (>= 1). Strings stay valid until symbolizer__free().
 */
int symbolizer__lookup(struct symbolizer *s, pid_t pid, uint64_t addr, bool retaddr, struct sym_frame *out,
		       int max);

/* How many distinct (binary, offset) lookups were made (the cache's size). */
size_t symbolizer__distinct(const struct symbolizer *s);

/* How many addresses fell in no known mapping (so were shown as [unknown]). */
uint64_t symbolizer__unmapped(const struct symbolizer *s);

/*
 * For the DWARF unwinder: the binaries of PID's newest snapshot, one per
 * file, with the address its first byte is mapped at (start - pgoff of its
 * lowest mapping). Calls FN for each; stops at a nonzero return.
 */
typedef int (*sym_module_fn)(void *arg, const char *path, int fd, uint64_t base);
int symbolizer__modules(struct symbolizer *s, pid_t pid, sym_module_fn fn, void *arg);

/* A number that changes whenever PID gets a new snapshot (0: none yet). */
unsigned int symbolizer__generation(const struct symbolizer *s, pid_t pid);

#endif
