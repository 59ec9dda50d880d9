/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_maps: the one parser of /proc/PID/maps. Which files did a process
 * map, and where? Gives the file-backed mappings (path, permissions, device
 * and inode), and turns a file offset into the virtual address it has in
 * that process, for the attach path that has no BPF cookies and must
 * recognise a probe by its instruction pointer.
 */
#ifndef USCOPE_PROC_MAPS_H
#define USCOPE_PROC_MAPS_H

#include <stdint.h>
#include <sys/types.h>

struct proc_mapping {
	uint64_t start, end, pgoff;
	uint64_t ino;
	unsigned int dev_major, dev_minor;
	int exec;
	char *path;		/* NULL when the line names none; " (deleted)" stripped, see deleted */
	int deleted;		/* the file was replaced or removed since it was mapped */
};

struct proc_maps {
	struct proc_mapping *maps;
	size_t cnt;
};

/* Every file-backed mapping of PID (inode != 0). Returns 0 or a negative errno. */
int proc_maps__load(pid_t pid, struct proc_maps *out);
void proc_maps__free(struct proc_maps *m);

/*
 * The address in the process of file offset OFF of the file (DEV, INO), taken
 * from an executable mapping. Returns 0 or -ENOENT when not mapped.
 */
int proc_maps__addr_of(const struct proc_maps *m, dev_t dev, uint64_t ino, uint64_t off, uint64_t *addr);

#endif
