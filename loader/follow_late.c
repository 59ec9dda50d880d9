// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later: which probed files has a -p target not mapped
 * yet, so that their probes wait on the file until it dlopens them?
 *
 * A uprobe belongs to the file (its inode), not to a process, so a library
 * named by a path that a file matches is attached from the start, and its
 * calls count from the moment any process maps it; nothing has to happen at
 * dlopen time. The Attached line says so for each such library, so that a
 * user who sees no counts yet knows why. (A name that no file matches before
 * it is loaded, e.g. a bare soname that the target dlopens by full path,
 * waits for the loader instead: late.h.)
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "follow.h"
#include "proc_maps.h"

static bool mapped(const struct proc_maps *pm, const struct stat *st)
{
	size_t i;

	for (i = 0; i < pm->cnt; i++)
		if (pm->maps[i].ino == st->st_ino &&
		    makedev(pm->maps[i].dev_major, pm->maps[i].dev_minor) == st->st_dev)
			return true;
	return false;
}

const char *follow__late_scope(const struct binaries *bins, const struct target *t, const char *prev)
{
	static char buf[4 * PATH_MAX];
	struct proc_maps pm;
	struct stat st;
	size_t i, len;

	/* A -c child has not exec'd yet (nothing is mapped); -p alone names one process to ask. */
	len = (size_t)snprintf(buf, sizeof(buf), "%s", prev);
	if (t->pid <= 0 || t->child || proc_maps__load(t->pid, &pm))
		return prev;
	for (i = 0; i < bins->n && len < sizeof(buf); i++) {
		if (stat(bins->v[i].open_path, &st) || mapped(&pm, &st))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s is not mapped yet: attached by file.",
					bins->v[i].path);
	}
	proc_maps__free(&pm);
	return buf;
}
