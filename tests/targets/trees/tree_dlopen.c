/*
 * tree_dlopen PATH SYMBOL CALLS: prints "ready PID", waits for a line on
 * stdin, then dlopens PATH and, right after dlopen returns, calls the
 * function SYMBOL (int f(int)) CALLS times; prints "tree: PID calls SYMBOL
 * N". For uscope's late-library tests: the library is loaded only after
 * uscope has attached.
 *
 * tree_dlopen (no arguments): prints "ready PID", then runs the commands of
 * its stdin, one a line, printing "done N" after the Nth:
 *   open PATH SYMBOL CALLS   dlopen PATH, then at once CALLS calls of SYMBOL
 *                            ("tree: PID calls SYMBOL CALLS")
 *   close PATH               dlclose it (the library is unmapped)
 *   exit                     exit 0 (as at EOF)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OPEN 8

static struct {
	char path[256];
	void *h;
} opened[MAX_OPEN];

static int open_and_call(const char *path, const char *sym, long calls)
{
	int (*fn)(int);
	void *h = dlopen(path, RTLD_NOW);
	long i;
	int k;

	if (!h) {
		fprintf(stderr, "tree_dlopen: %s\n", dlerror());
		return 1;
	}
	fn = (int (*)(int))dlsym(h, sym);
	if (!fn)
		return 1;
	for (i = 0; i < calls; i++)
		fn((int)i);
	printf("tree: %d calls %s %ld\n", getpid(), sym, calls);
	for (k = 0; k < MAX_OPEN && opened[k].h; k++)
		;
	if (k < MAX_OPEN) {
		snprintf(opened[k].path, sizeof(opened[k].path), "%s", path);
		opened[k].h = h;
	}
	return 0;
}

static int close_path(const char *path)
{
	int k;

	for (k = 0; k < MAX_OPEN; k++) {
		if (opened[k].h && !strcmp(opened[k].path, path)) {
			dlclose(opened[k].h);
			opened[k].h = NULL;
			return 0;
		}
	}
	return 1;
}

static int commands(void)
{
	char line[512], path[256], sym[64];
	long calls, n = 0;

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "open %255s %63s %ld", path, sym, &calls) == 3) {
			if (open_and_call(path, sym, calls))
				return 1;
		} else if (!strcmp(line, "exit\n")) {
			return 0;
		} else if (sscanf(line, "close %255s", path) == 1) {
			if (close_path(path))
				return 1;
		} else {
			continue;
		}
		printf("done %ld\n", ++n);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[64];

	if (argc != 1 && argc < 4) {
		fprintf(stderr, "usage: tree_dlopen [PATH SYMBOL CALLS]\n");
		return 2;
	}
	printf("ready %d\n", getpid());
	fflush(stdout);
	if (argc == 1)
		return commands();
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	return open_and_call(argv[1], argv[2], atol(argv[3]));
}
