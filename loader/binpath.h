/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * binpath: which file does a binary name mean?
 *   a path (has a '/')   itself; with -p PID, opened through /proc/PID/root
 *   a library name       "libc", "libc.so.6", "c": with -p, the file the
 *                        process really mapped (/proc/PID/maps); otherwise
 *                        LD_LIBRARY_PATH, the loader's cache (ldconfig -p)
 *                        and the standard library directories
 *   a program name       "bash": searched on PATH
 */
#ifndef USCOPE_BINPATH_H
#define USCOPE_BINPATH_H

#include "target.h"

/*
 * Resolve NAME. On success *SHOWN is the path to show the user and *OPEN the
 * path libelf and the kernel should open (both allocated). Returns 0, or
 * -ENOENT after printing one message that names NAME.
 */
int binpath_resolve(const char *name, const struct target *t, char **shown, char **open);

/* The same without the message: -ENOENT when no file matches (late.h waits for such names). */
int binpath_lookup(const char *name, const struct target *t, char **shown, char **open);

/* The first file process PID maps that the library name NAME matches (allocated), or NULL. */
char *binpath_mapped(const char *name, pid_t pid);

#endif
