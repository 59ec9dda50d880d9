/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * debug_find_dwfl: the same debug-file search for libdwfl sessions.
 *
 * A drop-in Dwfl_Callbacks.find_debuginfo, so that code symbolizing or
 * unwinding with libdwfl (stacks) finds debug files exactly where `uscope
 * funcs` does: build ID and .gnu_debuglink under the same roots
 * (USCOPE_DEBUG_ROOT), then debuginfod. When that finds nothing it falls
 * back to dwfl_standard_find_debuginfo().
 */
#ifndef USCOPE_DEBUG_FIND_DWFL_H
#define USCOPE_DEBUG_FIND_DWFL_H

#include <elfutils/libdwfl.h>

int debug_find__dwfl(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		     const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		     char **debuginfo_file_name);

#endif
