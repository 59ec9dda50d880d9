/*
 * latency.c: which calling stack spends how long in work()? `stacks-lat NA
 * MSA NB MSB` calls work(MSA) NA times through fast_path() and work(MSB) NB
 * times through slow_path() (main -> slow_path -> slow_inner -> work), each
 * call sleeping its milliseconds, then prints what it did. So every call
 * through one path takes at least its sleep, and the counts are known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) int work(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	return ms;
}

__attribute__((noinline)) int fast_path(int ms)
{
	return work(ms) + 1;
}

__attribute__((noinline)) int slow_inner(int ms)
{
	return work(ms) + 2;
}

__attribute__((noinline)) int slow_path(int ms)
{
	return slow_inner(ms) + 3;
}

int main(int argc, char **argv)
{
	int na, msa, nb, msb, i;
	long sum = 0;

	if (argc != 5)
		return 2;
	na = atoi(argv[1]), msa = atoi(argv[2]), nb = atoi(argv[3]), msb = atoi(argv[4]);
	for (i = 0; i < na || i < nb; i++) {
		if (i < na)
			sum += fast_path(msa);
		if (i < nb)
			sum += slow_path(msb);
	}
	printf("lat: fast %d x %d ms, slow %d x %d ms (%ld)\n", na, msa, nb, msb, sum);
	return 0;
}
