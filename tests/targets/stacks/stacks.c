// SPDX-License-Identifier: BSD-2-Clause
/*
 * stacks: a target whose call paths are known, so that the stacks uscope
 * reports can be checked against what really happened. It takes
 *   main -> a -> b -> leaf     NB times
 *   main -> a -> c -> leaf     NC times
 *   main -> d -> leaf          ND times
 *   main -> qsort (libc) -> cmp_ints   (through libc's frame-pointer-less code)
 * and prints its own counts ("stacks: path a;b;leaf 300") before exiting.
 * Usage: stacks [NB NC ND [LINGER_MS]]; LINGER_MS waits after the calls, before
 * exiting (a tracer that reads mappings on the first hit needs the process
 * alive for a moment; the default run is long enough on an idle machine).
 *
 * Every function is noinline and does some work after its call, so that no
 * call becomes a tail jump and every frame is really on the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) void leaf(int x)
{
	sink += x;
}

__attribute__((noinline)) void b(int n)
{
	leaf(n);
	sink++;
}

__attribute__((noinline)) void c(int n)
{
	leaf(n);
	sink += 2;
}

__attribute__((noinline)) void a(int nb, int nc)
{
	int i;

	for (i = 0; i < nb; i++)
		b(i);
	for (i = 0; i < nc; i++)
		c(i);
	sink++;
}

__attribute__((noinline)) void d(int n)
{
	leaf(n);
	sink += 3;
}

__attribute__((noinline)) int cmp_ints(const void *x, const void *y)
{
	int p = *(const int *)x, q = *(const int *)y;

	return (p > q) - (p < q);
}

static int arg(int argc, char **argv, int i, int dflt)
{
	return argc > i ? atoi(argv[i]) : dflt;
}

int main(int argc, char **argv)
{
	int nb = arg(argc, argv, 1, 300), nc = arg(argc, argv, 2, 200), nd = arg(argc, argv, 3, 100);
	int linger_ms = arg(argc, argv, 4, 0), v[2] = { 2, 1 }, i;

	a(nb, nc);
	for (i = 0; i < nd; i++)
		d(i);
	qsort(v, 2, sizeof(v[0]), cmp_ints);
	printf("stacks: path a;b;leaf %d\nstacks: path a;c;leaf %d\nstacks: path d;leaf %d\n", nb, nc, nd);
	printf("stacks: sorted %d %d\n", v[0], v[1]);
	if (linger_ms)
		usleep(linger_ms * 1000);
	return 0;
}
