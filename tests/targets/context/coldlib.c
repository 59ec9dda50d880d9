// SPDX-License-Identifier: BSD-2-Clause
/*
 * coldlib: a shared library whose string literal sits alone in a page of
 * .rodata, so a probe can fire before the process has touched that page
 * (tests/context_str_cold.bats). The 64 KiB block is aligned to 64 KiB so
 * that the kernel's fault-around (which maps neighbours in 64 KiB-aligned
 * windows) cannot map it when some other page of .rodata faults; and
 * cold_forget() unmaps the page from this process again before each
 * firing, since a previous read (the target's own print) mapped it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sdt.h>

#define COLD_BLOCK 65536

/* Only the string is initialised; the rest of the block is zero bytes of .rodata. */
__attribute__((aligned(COLD_BLOCK))) const char cold_block[COLD_BLOCK] =
	"a string in a page this process has not touched";

/* A second string that starts 20 bytes before a page end and runs on into the next page. */
__attribute__((aligned(COLD_BLOCK))) const char cold_span[COLD_BLOCK] = {
	[4076] = 's', 'p', 'a', 'n', 's', ' ', 't', 'w', 'o', ' ', 'p', 'a', 'g', 'e', 's', ' ', 'o', 'f', ' ',
	'.', 'r', 'o', 'd', 'a', 't', 'a', ' ', 'u', 'n', 't', 'o', 'u', 'c', 'h', 'e', 'd',
};

const char *cold_string(int which)
{
	return which ? cold_span + 4076 : cold_block;
}

/* Is the page holding P mapped in this process? 1 yes, 0 no, -1 unknown (bit 63 of /proc/self/pagemap). */
static int page_present(const void *p)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = pread(fd, &entry, sizeof(entry), (off_t)((uintptr_t)p / ps * sizeof(entry)));
		close(fd);
	}
	return n == sizeof(entry) ? (int)(entry >> 63) : -1;
}

/* Drop the pages of string WHICH from this process's page table; 0 when none is present after. */
int cold_forget(int which)
{
	long ps = sysconf(_SC_PAGESIZE);
	const char *s = cold_string(which);
	uintptr_t first = (uintptr_t)s / ps * ps, last = ((uintptr_t)s + 64) / ps * ps, a;
	int bad = 0;

	for (a = first; a <= last; a += ps) {
		madvise((void *)a, ps, MADV_DONTNEED);	/* a clean private file page: unmapped, not lost */
		bad |= page_present((void *)a) != 0;
	}
	return bad;
}

/* The USDT probe: fires with the string's address before anything reads it. */
__attribute__((noinline)) void cold_usdt(int which)
{
	const char *s = cold_string(which);

	STAP_PROBE2(coldlib, cold, s, which);
}

/* A function argument: the entry probe sees S before the function reads it. */
__attribute__((noinline)) size_t cold_take(const char *s, int which)
{
	__asm__ volatile("" ::: "memory");
	return which >= 0 ? strlen(s) : 0;
}
