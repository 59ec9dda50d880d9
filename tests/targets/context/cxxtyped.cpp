// SPDX-License-Identifier: BSD-2-Clause
/*
 * cxxtyped [N]: C++ member functions for the typed events of
 * tests/context_str_cxx.bats. Each function prints its own call, with the
 * values it received, in the form uscope's typed events take: the oracle.
 * Covered: a constructor and destructor, a const method (this is
 * `const Shape *const`), a static method with a const char *, methods
 * declared in the class and defined out of line (DW_AT_specification), a
 * method defined inside the class, a reference and an rvalue reference, a
 * class passed by value (then ?), a function template instance, overloads,
 * a namespace; returns in memory (a hidden first argument in %rdi: a
 * std::string, an 8-byte class with a destructor) and a 16-byte struct
 * returned in registers (no hidden argument).
 */
#include <cstdio>
#include <cstdlib>
#include <string>

struct Point {
	long x, y;
};

namespace geo {

class Shape {
public:
	__attribute__((noinline)) explicit Shape(int id);
	__attribute__((noinline)) ~Shape();
	int area(int scale) const;
	static long count(const char *tag, unsigned n);
	__attribute__((noinline)) bool inside(long v) { std::printf("geo::Shape::inside(this=%p, v=%ld)\n", (void *)this, v); return v < id_; }
	long scale(long f);
	long scale(long f, short g);
	std::string label(int k) const;
private:
	int id_;
};

__attribute__((noinline)) Shape::Shape(int id) : id_(id)
{
	std::printf("geo::Shape::Shape(this=%p, id=%d)\n", (void *)this, id);
}

__attribute__((noinline)) Shape::~Shape()
{
	std::printf("geo::Shape::~Shape(this=%p)\n", (void *)this);
}

__attribute__((noinline)) int Shape::area(int scale) const
{
	std::printf("geo::Shape::area(this=%p, scale=%d)\n", (const void *)this, scale);
	return -id_ * scale;
}

__attribute__((noinline)) long Shape::count(const char *tag, unsigned n)
{
	std::printf("geo::Shape::count(tag=\"%s\", n=%u)\n", tag, n);
	return (long)n * 2;
}

__attribute__((noinline)) long Shape::scale(long f)
{
	std::printf("geo::Shape::scale(this=%p, f=%ld)\n", (void *)this, f);
	return f * id_;
}

__attribute__((noinline)) long Shape::scale(long f, short g)
{
	std::printf("geo::Shape::scale(this=%p, f=%ld, g=%d)\n", (void *)this, f, g);
	return f * g;
}

__attribute__((noinline)) long dist(const Point &a, Point &&b, Point c, int after)
{
	std::printf("geo::dist(a=%p, b=%p, c=?, after=?)\n", (const void *)&a, (void *)&b);
	return a.x - b.y + c.x + after;
}

__attribute__((noinline)) std::string Shape::label(int k) const
{
	std::printf("geo::Shape::label[abi:cxx11](this=%p, k=%d)\n", (const void *)this, k);
	return std::string(40, (char)('a' + k % 26));
}

/* 8 bytes, but a user-provided destructor: returned through a hidden pointer (Itanium ABI). */
struct Handle {
	long fd;
	~Handle() { __asm__ volatile("" ::: "memory"); }
};

__attribute__((noinline)) Handle open_handle(long fd, int flags)
{
	std::printf("geo::open_handle(fd=%ld, flags=%d)\n", fd, flags);
	return Handle{fd + flags};
}

/* 16 trivially copyable bytes: returned in %rax:%rdx, the arguments where they always are. */
__attribute__((noinline)) Point make_point(long x, long y)
{
	std::printf("geo::make_point(x=%ld, y=%ld)\n", x, y);
	return Point{x, y};
}

} // namespace geo

template <typename T>
__attribute__((noinline)) T twice(T v, const char *why)
{
	std::printf("twice<%s>(v=%lld, why=\"%s\")\n", sizeof(T) == 8 ? "long" : "int", (long long)v, why);
	return v * 2;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 1;
	long sum = 0;

	for (int i = 0; i < n; i++) {
		geo::Shape s(i + 3);
		Point p{i, 2}, q{3, i};

		int a = s.area(i - 2);

		std::printf("return geo::Shape::area(int) const = %d\n", a);
		long c = geo::Shape::count(i % 2 ? "odd" : "even", (unsigned)i + 4000000000u);

		std::printf("return geo::Shape::count(char const*, unsigned int) = %ld\n", c);
		sum += a + c;
		sum += s.inside(-i);
		sum += s.scale(i * 10) + s.scale(-i, (short)(-i - 1));
		sum += geo::dist(p, Point{q}, q, i);
		sum += twice<int>(-i, "int") + twice<long>(i * 100000000000L, "long");
		sum += (long)s.label(i).size() + geo::open_handle(i + 10, -i).fd + geo::make_point(-i, i * 7).y;
	}
	std::fprintf(stderr, "cxxtyped: sum %ld\n", sum);
	return 0;
}
