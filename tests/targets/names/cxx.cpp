// SPDX-License-Identifier: BSD-2-Clause
/*
 * cxx: C++ names to demangle and to glob on: namespaces, overloads, a class
 * with a static and a const member, templates. Counts its own calls.
 *
 *   cxx N     prints "names: calls NAME COUNT" for each function below,
 *             NAME as c++filt prints it without parameters (ns::work).
 */
#include <cstdio>
#include <cstdlib>

static unsigned long n_work, n_widget, n_twice, n_deep, n_other;
static volatile long sink;

#define PROBED __attribute__((noipa))

namespace ns {
PROBED int work(int x) { n_work++; return x + 1; }
PROBED double work(double x) { n_work++; return x * 2; }
PROBED long work(const char *s, long k) { n_work++; return s[0] + k; }

template <typename T> PROBED T twice(T x) { n_twice++; return x + x; }

struct Widget {
	long v;
	PROBED long poke(long d) { n_widget++; v += d; return v; }
	PROBED long peek() const { n_widget++; return v; }
	PROBED static Widget make(long v) { n_widget++; return Widget{v}; }
};

namespace inner {
PROBED void deep(unsigned long i) { n_deep++; sink += i; }
}
}

namespace other {
PROBED int work(int x) { n_other++; return x - 1; }
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1;

	for (unsigned long i = 0; i < n; i++) {
		ns::Widget w = ns::Widget::make((long)i);

		sink += ns::work((int)i) + (long)ns::work(1.5) + ns::work("x", 2);
		sink += w.poke(3) + w.peek();
		sink += ns::twice((int)i) + (long)ns::twice(2.5) + ns::twice<long>(7);
		ns::inner::deep(i);
		sink += other::work((int)i);
		sink += other::work(2);
	}
	std::printf("names: calls ns::work %lu\nnames: calls ns::Widget %lu\n"
		    "names: calls ns::twice %lu\nnames: calls ns::inner::deep %lu\n"
		    "names: calls other::work %lu\n", n_work, n_widget, n_twice, n_deep, n_other);
	return 0;
}
