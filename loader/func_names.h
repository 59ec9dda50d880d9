/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * func_names: which name of a function does the user see, and which does a
 * glob match?
 *
 *   a glob with '('    the full demangled signature    'ns::work(int)'
 *   a glob with "::"   the demangled name, no params   'ns::work*', 'ns::*'
 *   any other glob     the raw symbol                  'malloc', '_ZN2ns*'
 * A function that is not mangled is matched by its raw name in every case.
 * A Rust v0 inherent method "<crate::Type>::m" also matches as "crate::Type::m".
 * And where does a probe's binary end: at the first single ':', so "::"
 * never separates a binary ("./app:ns::Widget::*" is ./app, "ns::*" none).
 */
#ifndef USCOPE_FUNC_NAMES_H
#define USCOPE_FUNC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include "../helpers/elf_funcs.h"

/* Does GLOB match F, by the rules above? */
bool func_glob_match(const char *glob, const struct elf_func *f);

/* Does GLOB need the base names (ELF_FUNCS_BASE_NAMES)? */
bool func_glob_wants_base(const char *glob);

struct probe_spec;

/* The ELF_FUNCS_* flags binaries must be loaded with for these NSPECS probes. */
unsigned func_names__load_flags(const struct probe_spec *specs, int nspecs);

/*
 * The ':' that ends the binary prefix of TEXT (a probe without its "ret:"),
 * or NULL when TEXT names no binary: the first ':' not part of "::".
 */
const char *func_binary_colon(const char *text);

/* The name to print: raw when DEMANGLE is false, else demangled if any. */
const char *func_shown_name(const struct elf_func *f, bool demangle);

/*
 * Say on stderr what the symbol sources of SHOWN did not get right: a
 * refused debug file (warning), and a stripped binary with no debug symbols
 * (with how to get them). Each binary is reported once per call site.
 */
void func_names__report(const char *shown, const struct elf_func_list *l);

#endif
