/*
 * tree_dlopen PATH SYMBOL CALLS: prints "ready PID", waits for a line on
 * stdin, then dlopens PATH and, right after dlopen returns, calls the
 * function SYMBOL (int f(int)) CALLS times; prints "tree: PID calls SYMBOL
 * N". For uscope's late-library tests: the library is loaded only after
 * uscope has attached.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long calls = argc > 3 ? atol(argv[3]) : 0, i;
	int (*fn)(int);
	char line[64];
	void *h;

	if (argc < 4) {
		fprintf(stderr, "usage: tree_dlopen PATH SYMBOL CALLS\n");
		return 2;
	}
	printf("ready %d\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "tree_dlopen: %s\n", dlerror());
		return 1;
	}
	fn = (int (*)(int))dlsym(h, argv[2]);
	if (!fn)
		return 1;
	for (i = 0; i < calls; i++)
		fn(i);
	printf("tree: %d calls %s %ld\n", getpid(), argv[2], calls);
	return 0;
}
