/*
 * The program tree_fork's child execs: waits DELAY_MS, then calls
 * treelib_work() (in libtreelib.so) CALLS times and prints
 * "tree: PID calls treelib_work N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int treelib_work(int x);

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 0, i;

	usleep((argc > 2 ? atol(argv[2]) : 0) * 1000);
	for (i = 0; i < calls; i++)
		treelib_work(i);
	printf("tree: %d calls treelib_work %ld\n", getpid(), calls);
	return 0;
}
