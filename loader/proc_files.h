/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_files: which files does a process run code from? Its executable
 * first, then every other file it maps executable, each once, in map order,
 * for `funcs -p` and `usdt -p`.
 */
#ifndef USCOPE_PROC_FILES_H
#define USCOPE_PROC_FILES_H

#include <stdbool.h>
#include "target.h"

/*
 * Call FN for each file: SHOWN is the path in the process's view, OPEN_PATH
 * the one to open (through /proc/PID/root), IS_EXE true for the executable.
 * A nonzero return of FN for the executable stops the walk and is returned;
 * for libraries it is ignored (a library that cannot be read is skipped).
 * Returns 0, FN's status, or 1 after one message.
 */
int proc_files__each(struct target *t, int (*fn)(const char *shown, const char *open_path,
						 bool is_exe, void *ctx), void *ctx);

#endif
