// SPDX-License-Identifier: BSD-2-Clause
/*
 * typed: which values does a typed-argument function receive and return?
 * With -T each iteration calls these functions once each, with signed,
 * unsigned, bool, enum, pointer, char * and by-value struct arguments, and
 * (unless -q) prints every call as `name(arg, ...) = ret`, in C's own
 * spelling of each value (%d for int, %u for unsigned, true/false, the
 * enumerator's name or else its number, 0x... for pointers, "..." for
 * strings). That line is the oracle for
 * uscope's DWARF-typed events: tests compare uscope's output with it.
 * typed_neg returns a negative int on every call; typed_long's string is
 * 300 bytes, longer than --str-len's default.
 */
#include <stdio.h>
#include <string.h>
#include "umark.h"
#include "typed.h"

UMARK_FN int typed_neg(int a, short b, signed char c)
{
	UMARK_KEEP_FRAME();
	return a + b + c - 100;
}

UMARK_FN unsigned typed_unsigned(unsigned a, unsigned short b, unsigned long long c)
{
	UMARK_KEEP_FRAME();
	return a + b + (unsigned)c;
}

UMARK_FN bool typed_bool(bool on, int n)
{
	UMARK_KEEP_FRAME();
	return on && n > 1;
}

UMARK_FN enum typed_color typed_enum(enum typed_color c)
{
	UMARK_KEEP_FRAME();
	return c == TYPED_BLUE ? TYPED_RED : TYPED_BLUE;
}

UMARK_FN int typed_str(const char *name, char *label, const int *p)
{
	UMARK_KEEP_FRAME();
	return (int)(strlen(name) + strlen(label)) + (p ? *p : 0);
}

UMARK_FN unsigned long typed_long(const char *text)
{
	UMARK_KEEP_FRAME();
	return strlen(text);
}

UMARK_FN long typed_struct(struct typed_pair pr, int after)
{
	UMARK_KEEP_FRAME();
	return pr.a * pr.b + after;
}

/* C's name of C, or its number when no enumerator has it. */
static const char *color_name(enum typed_color c, char buf[12])
{
	switch (c) {
	case TYPED_RED:
		return "TYPED_RED";
	case TYPED_GREEN:
		return "TYPED_GREEN";
	case TYPED_BLUE:
		return "TYPED_BLUE";
	}
	snprintf(buf, 12, "%d", (int)c);
	return buf;
}

void umark_typed_round(unsigned long long i, int quiet)
{
	int n = (int)(i % 5), ri;
	short sb = (short)(-300 - n);
	signed char sc = (signed char)(-7 + n);
	unsigned ua = 4000000000u - (unsigned)n, ur;
	unsigned short us = (unsigned short)(65000 + n);
	unsigned long long uc = 18000000000000000000ull + i;
	bool on = i % 2 == 0, rb;
	enum typed_color col = (enum typed_color[]){ TYPED_GREEN, TYPED_BLUE, (enum typed_color)5 }[i % 3], rc;
	struct typed_pair pr = { (long)i + 2, -3 };
	char name[24], label[24], cbuf[12], rbuf[12], text[301];
	unsigned long len;
	long rl;
	int k;

	snprintf(name, sizeof(name), "name-%llu", i);
	snprintf(label, sizeof(label), "label %d", n);
	ri = typed_neg(n * 10, sb, sc);
	ur = typed_unsigned(ua, us, uc);
	rb = typed_bool(on, n);
	rc = typed_enum(col);
	if (!quiet) {
		printf("typed_neg(%d, %d, %d) = %d\n", n * 10, sb, sc, ri);
		printf("typed_unsigned(%u, %u, %llu) = %u\n", ua, us, uc, ur);
		printf("typed_bool(%s, %d) = %s\n", on ? "true" : "false", n, rb ? "true" : "false");
		printf("typed_enum(%s) = %s\n", color_name(col, cbuf), color_name(rc, rbuf));
	}
	ri = typed_str(name, label, &n);
	if (!quiet)
		printf("typed_str(\"%s\", \"%s\", 0x%lx) = %d\n", name, label, (unsigned long)&n, ri);
	for (k = 0; k < 300; k++)	/* longer than --str-len's default: "<i>:" then hex digits */
		text[k] = "0123456789abcdef"[k % 16];
	text[300] = 0;
	memcpy(text, name, strlen(name));
	len = typed_long(text);
	if (!quiet)
		printf("typed_long(\"%s\") = %lu\n", text, len);
	rl = typed_struct(pr, n);
	if (!quiet)
		printf("typed_struct({%ld, %ld}, %d) = %ld\n", pr.a, pr.b, n, rl);
}
