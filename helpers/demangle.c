// SPDX-License-Identifier: BSD-2-Clause
/*
 * demangle: C++ and Rust symbol names, through GNU libiberty.
 *
 * libiberty (libiberty-dev, static) is the demangler behind c++filt, nm -C,
 * objdump -C and gdb, and it knows Rust's legacy and v0 manglings as well as
 * C++'s Itanium ABI; libstdc++'s abi::__cxa_demangle knows only C++, and a
 * hand-written demangler would be a second opinion nobody can check.
 *
 * Two flavours are deliberate. Rust is printed the way rustfilt prints it:
 * without DMGL_VERBOSE, so without the legacy "::h0123..." hash and the v0
 * crate disambiguators, which name nothing a user types. C++ is printed the
 * way c++filt prints it by default (DMGL_VERBOSE: substitutions such as "Ss"
 * spelled out), so that what uscope shows can be checked against c++filt.
 * Rust is tried first because a legacy Rust symbol is also a valid C++ one
 * (_ZN...17h<hash>E); rust_demangle() accepts only real Rust symbols.
 */
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>

#include "demangle.h"

bool sym_maybe_mangled(const char *raw)
{
	return raw[0] == '_' && (raw[1] == 'Z' || raw[1] == 'R' ||
				 (raw[1] == '_' && raw[2] == 'Z'));
}

char *sym_demangle(const char *raw, bool params)
{
	int flags = DMGL_ANSI | (params ? DMGL_PARAMS : 0);
	char *out;

	if (!sym_maybe_mangled(raw))
		return NULL;
	out = rust_demangle(raw, flags);
	if (!out)
		out = cplus_demangle_v3(raw, flags | DMGL_VERBOSE);
	if (out && strcmp(out, raw) == 0) {
		free(out);
		out = NULL;
	}
	return out;
}
