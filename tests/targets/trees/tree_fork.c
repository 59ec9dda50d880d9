/*
 * A process tree with counts of its own, for uscope -f (tests/trees.bats).
 *
 *   tree_fork CALLS EXEC_PROG EXEC_CALLS [DELAY_MS]
 *
 * The parent calls tree_work() CALLS times, forks 4 children, child i
 * calling it (i + 1) * CALLS times, and forks one more that execs EXEC_PROG
 * EXEC_CALLS DELAY_MS (which calls a library function). It waits for the 4
 * and exits without waiting for the exec'd one, which outlives it by
 * DELAY_MS. Every process prints what it called: "tree: PID calls NAME N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

__attribute__((noinline)) int tree_work(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

static void work(long n)
{
	long i;

	for (i = 0; i < n; i++)
		tree_work(i);
	printf("tree: %d calls tree_work %ld\n", getpid(), n);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long calls;
	pid_t kids[4];
	int i;

	if (argc < 4) {
		fprintf(stderr, "usage: tree_fork CALLS EXEC_PROG EXEC_CALLS [DELAY_MS]\n");
		return 2;
	}
	calls = atol(argv[1]);
	work(calls);
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			work((i + 1) * calls);
			_exit(0);
		}
	}
	if (fork() == 0) {
		execl(argv[2], argv[2], argv[3], argc > 4 ? argv[4] : "0", (char *)NULL);
		perror("exec");
		_exit(127);
	}
	for (i = 0; i < 4; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}
