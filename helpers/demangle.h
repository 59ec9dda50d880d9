/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * demangle: what is this symbol called in its source language?
 *
 * C++ (Itanium ABI) and Rust (legacy and v0) symbols, through GNU libiberty,
 * the demangler of binutils (c++filt, nm -C) and gdb. Why libiberty and not
 * libstdc++'s abi::__cxa_demangle: the latter knows only C++.
 */
#ifndef USCOPE_DEMANGLE_H
#define USCOPE_DEMANGLE_H

#include <stdbool.h>

/*
 * The demangled form of RAW, allocated, or NULL when RAW is not a mangled
 * name (plain C) or cannot be demangled. With PARAMS the full signature
 * ("ns::work(int)", as c++filt prints it); without, the name alone
 * ("ns::work"), which is what globs containing "::" are matched against.
 * Rust names are printed as rustfilt prints them (no hash, no crate
 * disambiguator).
 */
char *sym_demangle(const char *raw, bool params);

/* Could RAW be a mangled name at all? A cheap test that skips plain C names. */
bool sym_maybe_mangled(const char *raw);

#endif
