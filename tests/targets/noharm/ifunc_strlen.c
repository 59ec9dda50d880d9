// SPDX-License-Identifier: BSD-2-Clause
/*
 * ifunc_strlen: calls glibc's strlen (a GNU IFUNC) exactly N times through a
 * function pointer, then prints "strlen calls N" on stderr (stdout is the
 * tracer's). The pointer holds what the dynamic linker resolved
 * (__strlen_avx2 or a sibling), so a probe on the IFUNC symbol itself, its
 * resolver, would count nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t (*volatile strlen_ptr)(const char *) = strlen;
volatile size_t sink;

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;

	for (long i = 0; i < n; i++)
		sink += strlen_ptr("a string of some length");
	fprintf(stderr, "strlen calls %ld\n", n);
	return 0;
}
