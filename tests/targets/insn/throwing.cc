// SPDX-License-Identifier: BSD-2-Clause
// throwing: the C++ target of tests/insn.bats. guarded() has a local with a
// destructor (its FDE names an LSDA) and calls thrower(), which throws on
// every third call; main catches. Prints how many calls of guarded()
// returned normally and the sum of what they returned, so a tracer's ret:
// counts and values can be checked, and that the program ended well.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

volatile int sink;

struct Guard {
	~Guard() { sink = sink + 1; }
};

__attribute__((noinline)) void thrower(int i)
{
	if (i % 3 == 0)
		throw std::runtime_error("third");
}

extern "C" __attribute__((noinline)) int guarded(int i)
{
	Guard g;
	thrower(i);
	return i * 2;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, caught = 0, returned = 0;
	long sum = 0;

	for (int i = 0; i < n; i++) {
		try {
			sum += guarded(i);
			returned++;
		} catch (const std::exception &) {
			caught++;
		}
	}
	printf("returned guarded %d\nsum guarded %ld\ncaught %d\n", returned, sum, caught);
	return 0;
}
