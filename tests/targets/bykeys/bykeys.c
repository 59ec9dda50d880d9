// SPDX-License-Identifier: BSD-2-Clause
/*
 * bykeys: the --by test target. How long did each call take, per argument
 * value, and under which stack? It counts every call itself and prints the
 * counts on stderr at exit, the oracle of tests/context_by*.bats:
 *
 *   bykeys [-w] N1 N2 N3   by_nap(1) N1 times, by_nap(2) N2 times, by_nap(4)
 *                          N3 times, interleaved; by_nap(ms) sleeps at least
 *                          ms milliseconds and returns -ms.
 *   bykeys -s N1 N2 N3      no sleeping: by_leaf(k) is called N_k times through
 *                          by_path_a, by_path_b and by_path_c (k = 1, 2, 3:
 *                          the stack says which), for --count --stack --by.
 *   -w                      wait for a byte (or EOF) on stdin first, and for EOF
 *                          after the report (so that a stack's mappings can
 *                          still be read when the process has made its calls).
 *
 * Output: "pid P", then "by_nap(MS) COUNT" or "by_leaf(K) via PATH COUNT".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BY_FN __attribute__((noinline, noclone, noipa, used))

static const int naps[3] = { 1, 2, 4 };
static unsigned long nap_calls[3], leaf_calls[3];
static volatile unsigned long sink;

BY_FN int by_nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	sink += (unsigned long)__builtin_frame_address(0);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return -ms;
}

BY_FN int by_leaf(int k)
{
	sink += (unsigned long)__builtin_frame_address(0) + k;
	return k;
}

BY_FN int by_path_a(void) { sink++; return by_leaf(1) + 1; }
BY_FN int by_path_b(void) { sink++; return by_leaf(2) + 1; }
BY_FN int by_path_c(void) { sink++; return by_leaf(3) + 1; }

int main(int argc, char **argv)
{
	int (*const paths[3])(void) = { by_path_a, by_path_b, by_path_c };
	static const char *const names[3] = { "by_path_a", "by_path_b", "by_path_c" };
	unsigned long want[3];
	int i, k, first = 1, stacks = 0, gated = 0;
	char c;

	for (; first < argc && argv[first][0] == '-'; first++) {
		gated |= !strcmp(argv[first], "-w");
		if (!strcmp(argv[first], "-w") && read(0, &c, 1) < 0)
			return 1;
		stacks |= !strcmp(argv[first], "-s");
	}
	if (argc - first != 3) {
		fprintf(stderr, "usage: bykeys [-w] [-s] N1 N2 N3\n");
		return 2;
	}
	for (k = 0; k < 3; k++)
		want[k] = strtoul(argv[first + k], NULL, 10);
	for (i = 0; want[0] + want[1] + want[2]; i++) {
		k = i % 3;
		if (!want[k])
			continue;
		want[k]--;
		if (stacks) {
			paths[k]();
			leaf_calls[k]++;
		} else {
			by_nap(naps[k]);
			nap_calls[k]++;
		}
	}
	fprintf(stderr, "pid %d\n", (int)getpid());
	for (k = 0; k < 3; k++) {
		if (stacks)
			fprintf(stderr, "by_leaf(%d) via %s %lu\n", k + 1, names[k], leaf_calls[k]);
		else
			fprintf(stderr, "by_nap(%d) %lu\n", naps[k], nap_calls[k]);
	}
	while (gated && read(0, &c, 1) > 0)
		;
	return 0;
}
