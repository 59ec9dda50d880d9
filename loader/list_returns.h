/* SPDX-License-Identifier: BSD-2-Clause */
/* list_returns: `uscope funcs --returns`, the return instructions --ret-mode insn probes. */
#ifndef USCOPE_LIST_RETURNS_H
#define USCOPE_LIST_RETURNS_H

#include <stdbool.h>

/* List them for the functions of the binary matching GLOBS (all: none given); 0, or 1 after a message. */
int list_returns(const char *shown, const char *open_path, char **globs, int nglobs, bool raw);

#endif
