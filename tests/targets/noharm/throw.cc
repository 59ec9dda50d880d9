// SPDX-License-Identifier: BSD-2-Clause
// throw: the C++ target of tests/noharm.bats. through() has a local with a
// destructor, so its FDE names an LSDA (a cleanup an exception runs on its way
// out); relay() has none but calls thrower(); plain() calls nothing (all
// extern "C", for plain names). `throw N` calls each N times; through() throws
// on odd calls, relay() on even ones, and main catches. Prints "caught K".
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

volatile int sink;

struct Guard {
	~Guard() { sink = sink + 1; }
};

__attribute__((noinline)) void thrower(int i)
{
	if (i % 2)
		throw std::runtime_error("odd");
}

extern "C" __attribute__((noinline)) int through(int i)
{
	Guard g;
	thrower(i);
	return i;
}

// No destructor, no LSDA: an exception still passes through it, since it calls thrower().
extern "C" __attribute__((noinline)) int relay(int i)
{
	thrower(i + 1);
	return i + sink;
}

extern "C" __attribute__((noinline)) int plain(int i)
{
	return i * 2 + sink;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, caught = 0;

	for (int i = 0; i < n; i++) {
		try {
			sink = sink + through(i);
		} catch (const std::exception &) {
			caught++;
		}
		try {
			sink = sink + relay(i);
		} catch (const std::exception &) {
			caught++;
		}
		sink = sink + plain(i);
	}
	printf("caught %d\n", caught);
	return 0;
}
