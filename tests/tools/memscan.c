// SPDX-License-Identifier: BSD-2-Clause
/*
 * memscan: what does a process's memory hold where a file is mapped?
 * A test oracle independent of uscope: it compares the bytes of a running
 * process (read through /proc/PID/mem) with the bytes of the file it mapped.
 *
 *   memscan int3 PID FILE       bytes of FILE's executable mappings in PID
 *                               that are 0xcc (int3) where the file's byte is
 *                               not; also the number of differing bytes
 *   memscan u16 PID FILE OFF    the 16-bit value at file offset OFF of FILE as
 *                               PID sees it (a USDT semaphore)
 *
 * Mappings are matched by device and inode, not by name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct mapping {
	uint64_t start, end, off;
	char perms[5];
};

/* Next mapping of FILE (by dev+inode) in MAPS, or 0 at the end. */
static int next_mapping(FILE *maps, const struct stat *st, struct mapping *m)
{
	char line[4096];
	unsigned int maj, min;
	unsigned long ino;

	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %lu", &m->start, &m->end,
			   m->perms, &m->off, &maj, &min, &ino) != 7)
			continue;
		if (ino == st->st_ino && maj == major(st->st_dev) && min == minor(st->st_dev))
			return 1;
	}
	return 0;
}

static int open_all(const char *pid, const char *file, FILE **maps, int *mem, int *fd, struct stat *st)
{
	char path[64];

	*fd = open(file, O_RDONLY);
	if (*fd < 0 || fstat(*fd, st)) {
		fprintf(stderr, "memscan: %s: %s\n", file, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	*maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	*mem = open(path, O_RDONLY);
	if (!*maps || *mem < 0) {
		fprintf(stderr, "memscan: process %s: %s\n", pid, strerror(errno));
		return -1;
	}
	return 0;
}

static int scan_int3(FILE *maps, int mem, int fd, const struct stat *st)
{
	uint64_t int3 = 0, diff = 0, bytes = 0;
	struct mapping m;

	while (next_mapping(maps, st, &m)) {
		size_t len = m.end - m.start, i;
		unsigned char *a, *b;
		ssize_t n, k;

		if (m.perms[2] != 'x')
			continue;
		a = malloc(len);
		b = calloc(1, len);
		if (!a || !b)
			return 1;
		n = pread(mem, a, len, (off_t)m.start);
		k = pread(fd, b, len, (off_t)m.off);	/* past the file's end: zeros, as mapped */
		if (n != (ssize_t)len || k < 0) {
			fprintf(stderr, "memscan: cannot read %#" PRIx64 "-%#" PRIx64 ": %s\n", m.start, m.end,
				strerror(errno));
			return 1;
		}
		for (i = 0; i < len; i++) {
			diff += a[i] != b[i];
			int3 += a[i] == 0xcc && b[i] != 0xcc;
		}
		bytes += len;
		free(a);
		free(b);
	}
	if (!bytes) {
		fprintf(stderr, "memscan: the file has no executable mapping in the process\n");
		return 1;
	}
	printf("int3 %" PRIu64 " differing %" PRIu64 " scanned %" PRIu64 "\n", int3, diff, bytes);
	return 0;
}

static int peek_u16(FILE *maps, int mem, const struct stat *st, uint64_t off)
{
	struct mapping m;
	uint16_t v;

	while (next_mapping(maps, st, &m)) {
		if (off < m.off || off + 2 > m.off + (m.end - m.start))
			continue;
		if (pread(mem, &v, 2, (off_t)(m.start + off - m.off)) != 2)
			break;
		printf("%u\n", v);
		return 0;
	}
	fprintf(stderr, "memscan: file offset %#" PRIx64 " is not mapped in the process\n", off);
	return 1;
}

int main(int argc, char **argv)
{
	struct stat st;
	FILE *maps;
	int mem, fd;

	if (argc == 4 && !strcmp(argv[1], "int3")) {
		if (open_all(argv[2], argv[3], &maps, &mem, &fd, &st))
			return 1;
		return scan_int3(maps, mem, fd, &st);
	}
	if (argc == 5 && !strcmp(argv[1], "u16")) {
		if (open_all(argv[2], argv[3], &maps, &mem, &fd, &st))
			return 1;
		return peek_u16(maps, mem, &st, strtoull(argv[4], NULL, 0));
	}
	fprintf(stderr, "usage: memscan int3 PID FILE | memscan u16 PID FILE OFFSET\n");
	return 2;
}
