/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * script_hint: is this "binary" really a script?
 *
 * A -c command or a binary name often is a shim (pyenv, rbenv, a wrapper
 * shell script) whose real program is its interpreter. libelf would only say
 * "not an ELF file"; this says what it is and what to probe instead.
 */
#ifndef USCOPE_SCRIPT_HINT_H
#define USCOPE_SCRIPT_HINT_H

#include <stdbool.h>

/*
 * When OPEN_PATH starts with "#!", print one message naming SHOWN, its
 * interpreter and what to do instead, and return true; false otherwise
 * (nothing printed).
 */
bool script_hint(const char *shown, const char *open_path);

#endif
