// SPDX-License-Identifier: BSD-2-Clause
/*
 * Facts a frame-pointer walk depends on, read from the instruction bytes of
 * a binary's functions (by file offset, as elf_funcs gives them).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "unwind_fp.h"

static const unsigned char ENDBR64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const unsigned char PROLOGUE[4] = { 0x55, 0x48, 0x89, 0xe5 };	/* push %rbp; mov %rsp,%rbp */

bool fp_kernel_adds_caller(int fd, uint64_t off)
{
	unsigned char b[4];

	if (pread(fd, b, sizeof(b), off) != (ssize_t)sizeof(b))
		return false;
	return b[0] == 0x55 || !memcmp(b, ENDBR64, sizeof(b));
}

/* Does the function at OFF set up a frame (after an optional endbr64)? */
static bool has_prologue(int fd, uint64_t off)
{
	unsigned char b[8];

	if (pread(fd, b, sizeof(b), off) != (ssize_t)sizeof(b))
		return false;
	if (!memcmp(b, ENDBR64, sizeof(ENDBR64)))
		return !memcmp(b + 4, PROLOGUE, sizeof(PROLOGUE));
	return !memcmp(b, PROLOGUE, sizeof(PROLOGUE));
}

int fp_binary_keeps_frame_pointers(const char *path, const struct elf_func_list *funcs)
{
	size_t i, sampled = 0, framed = 0, step;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* At most about 500 functions, spread over the binary. */
	step = funcs->cnt / 500 + 1;
	for (i = 0; i < funcs->cnt; i += step) {
		if (funcs->funcs[i].size < 32)
			continue;
		sampled++;
		framed += has_prologue(fd, funcs->funcs[i].offset);
	}
	close(fd);
	return sampled && framed * 2 >= sampled;
}
