/*
 * tree_dlopen PATH CALLS: prints "ready", waits for a line on stdin, then
 * dlopens PATH and, right after dlopen returns, calls plug_work() CALLS
 * times; prints "tree: PID calls plug_work N". For uscope's late-library
 * test: the library is loaded only after uscope has attached.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long calls = argc > 2 ? atol(argv[2]) : 0, i;
	int (*fn)(int);
	char line[64];
	void *h;

	if (argc < 3) {
		fprintf(stderr, "usage: tree_dlopen PATH CALLS\n");
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
	fn = (int (*)(int))dlsym(h, "plug_work");
	if (!fn)
		return 1;
	for (i = 0; i < calls; i++)
		fn(i);
	printf("tree: %d calls plug_work %ld\n", getpid(), calls);
	return 0;
}
