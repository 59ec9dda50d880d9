/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * debug_find: where is the separate debug file of a stripped binary?
 *
 * The places distributions and gdb use, best first:
 *   build-id    ROOT/.build-id/NN/REST.debug, NN/REST the hex NT_GNU_BUILD_ID;
 *               its own build ID must be the binary's
 *   debuglink   the .gnu_debuglink name in the binary's directory, in its
 *               .debug/ subdirectory, and in ROOT/ + the binary's directory;
 *               its CRC32 must be the one the link records
 *   debuginfod  when DEBUGINFOD_URLS is set: elfutils' libdebuginfod (loaded
 *               on first use), which caches what it fetched, so a second run
 *               needs no server
 * ROOT is each directory of USCOPE_DEBUG_ROOT (colon-separated; meant for
 * tests and unusual installs), else /usr/lib/debug. A candidate that exists
 * but does not match is rejected with a warning (the first one is kept as
 * text for the caller to print) and the search goes on.
 * Internal to helpers/ (elf_funcs.c uses it).
 */
#ifndef USCOPE_DEBUG_FIND_H
#define USCOPE_DEBUG_FIND_H

#include <stdbool.h>
#include "elf_file.h"

struct debug_found {
	char *path;		/* the debug file, allocated; NULL when none */
	int source;		/* enum elf_func_source of where it was found */
	char *warning;		/* allocated text of the first rejection, or NULL */
};

/*
 * Look for the debug file of BIN (opened from BIN_PATH). ROOTS overrides the
 * default roots when not NULL; USE_DEBUGINFOD allows the network step. Returns
 * 0 (with or without a file) or -ENOMEM. Call debug_found__free() afterwards.
 */
int debug_find(const struct elf_file *bin, const char *bin_path, const char *roots,
	       bool use_debuginfod, struct debug_found *out);
void debug_found__free(struct debug_found *f);

/* The roots in effect: ROOTS, else $USCOPE_DEBUG_ROOT, else /usr/lib/debug. */
const char *debug_roots(const char *roots);

#endif
