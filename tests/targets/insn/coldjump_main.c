// SPDX-License-Identifier: BSD-2-Clause
/* coldjump: calls f_coldjump (coldjump.S) N times, half with a negative argument. Usage: coldjump N */
#include <stdio.h>
#include <stdlib.h>

int f_coldjump(int x);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum += f_coldjump(i % 2 ? -i : i);
	printf("calls f_coldjump %d\nsum f_coldjump %ld\n", n, sum);
	return 0;
}
