/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * symbolize_inline: which inlined calls are at this address of a compile unit?
 *
 * dwarf_getscopes() answers it by walking every DIE of the unit before the
 * address, on every call: a unit with 11,000 functions (or libc's larger
 * ones) made it cost milliseconds per address, 88% of symbolizing. Here each
 * unit is indexed once (its functions' address ranges, sorted), and a lookup
 * is a binary search for the function, then a walk down that one function's
 * DIEs (inlined subroutines and lexical blocks containing the address).
 */
#ifndef USCOPE_SYMBOLIZE_INLINE_H
#define USCOPE_SYMBOLIZE_INLINE_H

#include <elfutils/libdw.h>

struct sym_inline_cache;

/*
 * The DW_TAG_inlined_subroutine DIEs containing A (an address of CU's
 * Dwarf, bias removed) into OUT[MAX], innermost first; *CACHE is created on
 * first use. Returns their count (0: none, or the unit cannot say).
 */
int sym_inline__scopes(struct sym_inline_cache **cache, Dwarf_Die *cu, Dwarf_Addr a, Dwarf_Die *out, int max);

void sym_inline__free(struct sym_inline_cache *cache);

#endif
