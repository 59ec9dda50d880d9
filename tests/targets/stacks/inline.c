/*
 * inline.c: which frames does a call from inside inlined code show? outer()
 * has mid() inlined into it and mid() has inner() inlined into it, and
 * inner() calls the real function leaf(): leaf's return address lies in
 * outer's code, where the DWARF says inner and mid were inlined. Run as
 * `stacks-inline N MS`: N calls of leaf, through that one path, then MS
 * milliseconds of sleep before exiting (so that uscope reads the mappings
 * of a process that lives).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) void leaf(int x)
{
	sink += x;
}

static inline __attribute__((always_inline)) void inner(int x)
{
	leaf(x);
	sink ^= x;
}

static inline __attribute__((always_inline)) void mid(int x)
{
	inner(x * 3);
	sink -= x;
}

__attribute__((noinline)) void outer(int x)
{
	mid(x + 1);
	sink += 2;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i;

	for (i = 0; i < n; i++)
		outer(i);
	printf("inline: %d calls\n", n);
	if (argc > 2)
		usleep(atoi(argv[2]) * 1000);
	return 0;
}
