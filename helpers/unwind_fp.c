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
static const unsigned char MOV_RSP_RBP[3] = { 0x48, 0x89, 0xe5 };

bool fp_kernel_adds_caller(int fd, uint64_t off)
{
	unsigned char b[4];

	if (pread(fd, b, sizeof(b), off) != (ssize_t)sizeof(b))
		return false;
	return b[0] == 0x55 || !memcmp(b, ENDBR64, sizeof(b));
}

/*
 * Does the function at OFF set up a frame? It starts (after an optional
 * endbr64) with push %rbp, and mov %rsp,%rbp follows within a few
 * instructions: gcc's scheduler may move argument set-up in between.
 * (Frame-pointer-less code also pushes %rbp, as a callee-saved register, but
 * does not copy %rsp into it.)
 */
static bool has_prologue(int fd, uint64_t off)
{
	unsigned char b[28];
	size_t at = 0, i;

	if (pread(fd, b, sizeof(b), off) != (ssize_t)sizeof(b))
		return false;
	if (!memcmp(b, ENDBR64, sizeof(ENDBR64)))
		at = sizeof(ENDBR64);
	if (b[at] != 0x55)
		return false;
	for (i = at + 1; i + sizeof(MOV_RSP_RBP) <= sizeof(b); i++)
		if (!memcmp(b + i, MOV_RSP_RBP, sizeof(MOV_RSP_RBP)))
			return true;
	return false;
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
