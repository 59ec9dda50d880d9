// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reads /proc/PID/maps (the only place that does). A file is recognised by device and inode, not by
 * path, so a binary opened through /proc/PID/root or a symlink still
 * matches the mapping the process made of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "proc_maps.h"

/* One line; M->path points into LINE. Returns 0, or -1 for lines without a file. */
static int parse_line(char *line, struct proc_mapping *m)
{
	static const char deleted[] = " (deleted)";
	char perms[8], *path;
	size_t len;
	int end = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 "%n", &m->start, &m->end, perms,
		   &m->pgoff, &m->dev_major, &m->dev_minor, &m->ino, &end) != 7 || !m->ino)
		return -1;
	m->exec = perms[2] == 'x';
	path = line + end + strspn(line + end, " \t");
	len = strcspn(path, "\n");
	path[len] = 0;
	if (len >= sizeof(deleted) - 1 && !strcmp(path + len - (sizeof(deleted) - 1), deleted)) {
		m->deleted = 1;
		path[len - (sizeof(deleted) - 1)] = 0;
	}
	m->path = *path ? path : NULL;
	return 0;
}

int proc_maps__load(pid_t pid, struct proc_maps *out)
{
	char path[64], line[4096 + 256];
	size_t cap = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct proc_mapping m = {};

		if (parse_line(line, &m))
			continue;
		if (m.path && !(m.path = strdup(m.path))) {
			fclose(f);
			proc_maps__free(out);
			return -ENOMEM;
		}
		if (out->cnt == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct proc_mapping *n = realloc(out->maps, ncap * sizeof(*n));

			if (!n) {
				free(m.path);
				fclose(f);
				proc_maps__free(out);
				return -ENOMEM;
			}
			out->maps = n;
			cap = ncap;
		}
		out->maps[out->cnt++] = m;
	}
	fclose(f);
	return 0;
}

void proc_maps__free(struct proc_maps *m)
{
	size_t i;

	for (i = 0; i < m->cnt; i++)
		free(m->maps[i].path);
	free(m->maps);
	memset(m, 0, sizeof(*m));
}

int proc_maps__addr_of(const struct proc_maps *m, dev_t dev, uint64_t ino, uint64_t off, uint64_t *addr)
{
	size_t i;

	for (i = 0; i < m->cnt; i++) {
		const struct proc_mapping *p = &m->maps[i];

		if (!p->exec || p->ino != ino || p->dev_major != major(dev) || p->dev_minor != minor(dev))
			continue;
		if (off >= p->pgoff && off - p->pgoff < p->end - p->start) {
			*addr = p->start + (off - p->pgoff);
			return 0;
		}
	}
	return -ENOENT;
}
