// SPDX-License-Identifier: BSD-2-Clause
/* Resolves a GNU IFUNC through uscope's own dynamic linker. See ifunc.h. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "ifunc.h"

/*
 * Find in uscope's own mappings the file ST: with ADDR == 0, any mapping (its
 * path in PATH); else the one holding ADDR (its file offset in *OFF).
 */
static int self_mapping(const struct stat *st, uintptr_t addr, char *path, uint64_t *off)
{
	char line[PATH_MAX + 128];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		uint64_t start, end, moff;
		unsigned int maj, min;
		unsigned long ino;
		int n = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %x:%x %lu %n", &start, &end, &moff, &maj,
			   &min, &ino, &n) < 6 || !n)
			continue;
		if (ino != st->st_ino || maj != major(st->st_dev) || min != minor(st->st_dev))
			continue;
		if (!addr) {
			snprintf(path, PATH_MAX, "%s", line + n);
			path[strcspn(path, "\n")] = 0;
			found = 1;
		} else if (addr >= start && addr < end) {
			*off = addr - start + moff;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int ifunc_resolve(const char *path, const char *name, uint64_t *offset, const char **why)
{
	char self_path[PATH_MAX];
	struct stat st;
	void *h, *impl;
	int found;

	if (stat(path, &st)) {
		*why = "the file cannot be read";
		return -ENOENT;
	}
	if (!self_mapping(&st, 0, self_path, NULL)) {
		*why = "this library is not loaded in uscope, so uscope cannot see which implementation the "
		       "dynamic linker picks";
		return -ENOENT;
	}
	/* RTLD_NOLOAD: only a handle on what is mapped already; nothing runs. */
	h = dlopen(self_path, RTLD_LAZY | RTLD_NOLOAD);
	if (!h) {
		*why = "uscope's dynamic linker does not know this library";
		return -ENOENT;
	}
	impl = dlsym(h, name);
	found = impl && self_mapping(&st, (uintptr_t)impl, NULL, offset);
	dlclose(h);
	if (!found) {
		*why = "its implementation does not lie in the same file";
		return -ENOENT;
	}
	return 0;
}
