/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared bits of the libFuzzer harnesses in tests/fuzz/.
 *
 * The ELF loaders take a path, so the input is written to one memfd created
 * once per process and the loaders are handed "/proc/self/fd/N": opening
 * that path opens the memfd anew, exactly like a regular file (S_ISREG).
 *
 * fuzz_lowest_free_fd() lets a harness notice a leaked file descriptor,
 * which LeakSanitizer cannot see: the lowest free descriptor before and
 * after a load must be the same.
 */
#ifndef USCOPE_FUZZ_COMMON_H
#define USCOPE_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

static int fuzz_memfd = -1;
static char fuzz_path[64];

/* Put DATA into the memfd; returns the path to hand to a loader. */
static inline const char *fuzz_write_file(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("uscope-fuzz", MFD_CLOEXEC);
		if (fuzz_memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_memfd);
	}
	if (ftruncate(fuzz_memfd, 0) != 0) {
		perror("ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(fuzz_memfd, data + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("pwrite");
			abort();
		}
		done += (size_t)n;
	}
	return fuzz_path;
}

/* Call after fuzz_write_file(): the memfd is what gets duplicated. */
static inline int fuzz_lowest_free_fd(void)
{
	int fd = fcntl(fuzz_memfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0) {
		perror("F_DUPFD");
		abort();
	}
	close(fd);
	return fd;
}

/* Is S a NUL-terminated string of fewer than CAP bytes? */
static inline int fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

#endif
