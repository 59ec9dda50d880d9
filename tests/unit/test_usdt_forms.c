// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_usdt_forms: does uscope understand every USDT argument form that gcc
 * and clang emit, and turn each into the right BPF-side record?
 *
 *   test_usdt_forms               unit tests of helpers/usdt_args.c and
 *                                 loader/usdt_spec.c; ends "N checks, N failures"
 *   test_usdt_forms dump BINARY   one line per argument of every note:
 *                                 "PROVIDER:NAME PC ARG# SPEC -> KIND [SYMBOL ADDR]"
 *                                 for tests/usdt_forms.bats to hold against
 *                                 readelf -n and readelf -s
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/ptrace.h>

#include "usdt_args.h"
#include "usdt_notes.h"
#include "usdt_spec.h"
#include "util.h"

/* usdt_spec.c warns through util.c's warn_msg; here the last warning is kept to be checked. */
static char last_warning[512];

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
}

static int checks, failures;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define SLOT(f) ((int)(offsetof(struct pt_regs, f) / 8))
#define NONE USCOPE_USDT_NOREG

/* What one argument should become. */
struct want {
	const char *sym;	/* NULL: none */
	int kind;		/* enum usdt_arg_kind */
	int base, index, scale;	/* pt_regs slots, -1 none */
	int64_t off;
};

/* Parse SPEC (one argument) and compare with W. */
static void parse_ok(const char *spec, const struct want *w)
{
	struct usdt_arg a[USDT_MAX_ARGS];
	char why[128];
	int n = usdt_args__parse(spec, a, why, sizeof(why));

	CHECK(n == 1, "'%s' -> %d (%s)", spec, n, why);
	if (n != 1)
		return;
	CHECK(a[0].kind == w->kind, "'%s': kind %d, want %d", spec, a[0].kind, w->kind);
	CHECK(a[0].val_off == w->off, "'%s': offset %" PRId64 ", want %" PRId64, spec, a[0].val_off, w->off);
	CHECK((a[0].reg_off < 0 ? -1 : a[0].reg_off / 8) == w->base, "'%s': base %d", spec, a[0].reg_off);
	CHECK((a[0].idx_reg_off < 0 ? -1 : a[0].idx_reg_off / 8) == w->index, "'%s': index %d", spec,
	      a[0].idx_reg_off);
	CHECK(a[0].scale == (w->index < 0 ? 0 : w->scale), "'%s': scale %d", spec, a[0].scale);
	if (w->sym)
		CHECK(a[0].sym_len == strlen(w->sym) && memcmp(spec + a[0].sym_pos, w->sym, a[0].sym_len) == 0,
		      "'%s': symbol '%.*s', want '%s'", spec, a[0].sym_len, spec + a[0].sym_pos, w->sym);
	else
		CHECK(a[0].sym_len == 0, "'%s': unexpected symbol", spec);
}

static void parse_bad(const char *spec, const char *why_has)
{
	struct usdt_arg a[USDT_MAX_ARGS];
	char why[128];
	int n, ret = usdt_args__parse_all(spec, a, &n, why, sizeof(why));

	CHECK(ret == -EINVAL && strstr(why, why_has), "'%s' -> %d '%s', want '%s'", spec, ret, why, why_has);
	CHECK(n >= 1 && a[n - 1].kind == USDT_ARG_BAD, "'%s': last argument not marked bad", spec);
}

/* Every form seen in readelf -n of gcc 12 and clang 14 builds at -O2 (tests/targets/usdtforms). */
static void test_forms(void)
{
	const int rax = SLOT(rax), rbx = SLOT(rbx), rcx = SLOT(rcx), rdx = SLOT(rdx), rsp = SLOT(rsp);
	const int rip = SLOT(rip);

	parse_ok("-1@c(%rip)", &(struct want){ "c", USDT_ARG_MEM, rip, -1, 0, 0 });
	parse_ok("-8@8+ti(%rip)", &(struct want){ "ti", USDT_ARG_MEM, rip, -1, 0, 8 });
	parse_ok("-8@ti+8(%rip)", &(struct want){ "ti", USDT_ARG_MEM, rip, -1, 0, 8 });
	parse_ok("-8@ti-16(%rip)", &(struct want){ "ti", USDT_ARG_MEM, rip, -1, 0, -16 });
	parse_ok("-4@NBuffers(%rip)", &(struct want){ "NBuffers", USDT_ARG_MEM, rip, -1, 0, 0 });
	parse_ok("4@counter.0(%rip)", &(struct want){ "counter.0", USDT_ARG_MEM, rip, -1, 0, 0 });
	parse_ok("-2@(%rdx,%rbx,2)", &(struct want){ NULL, USDT_ARG_MEM_SIB, rdx, rbx, 2, 0 });
	parse_ok("1@(%rcx,%rbx)", &(struct want){ NULL, USDT_ARG_MEM_SIB, rcx, rbx, 1, 0 });
	parse_ok("8@16(%rsp,%rax,8)", &(struct want){ NULL, USDT_ARG_MEM_SIB, rsp, rax, 8, 16 });
	parse_ok("-8@(%rsp,%rbx,8)", &(struct want){ NULL, USDT_ARG_MEM_SIB, rsp, rbx, 8, 0 });
	parse_ok("-2@a16(%rbx,%rbx)", &(struct want){ "a16", USDT_ARG_MEM_SIB, rbx, rbx, 1, 0 });
	parse_ok("1@a8(%rbx)", &(struct want){ "a8", USDT_ARG_MEM, rbx, -1, 0, 0 });
	parse_ok("-8@a64(,%rbx,8)", &(struct want){ "a64", USDT_ARG_MEM_SIB, -1, rbx, 8, 0 });
	parse_ok("4@a32+4(,%rbx,4)", &(struct want){ "a32", USDT_ARG_MEM_SIB, -1, rbx, 4, 4 });
	parse_ok("4@(,%rbx,4)", &(struct want){ NULL, USDT_ARG_MEM_SIB, -1, rbx, 4, 0 });
	parse_ok("-1@17(%rsp)", &(struct want){ NULL, USDT_ARG_MEM, rsp, -1, 0, 17 });
	parse_ok("8@$buf", &(struct want){ "buf", USDT_ARG_CONST, -1, -1, 0, 0 });
	parse_ok("8@$buf+24", &(struct want){ "buf", USDT_ARG_CONST, -1, -1, 0, 24 });
	parse_ok("4@counter", &(struct want){ "counter", USDT_ARG_MEM, -1, -1, 0, 0 });
	parse_ok("-4@$-42", &(struct want){ NULL, USDT_ARG_CONST, -1, -1, 0, -42 });
	parse_ok("_ZN2ns1vE(%rip)", &(struct want){ "_ZN2ns1vE", USDT_ARG_MEM, rip, -1, 0, 0 });
}

/* Forms nothing emits, and the reason named for each. */
static void test_refused(void)
{
	struct usdt_arg a[USDT_MAX_ARGS];
	char why[128];
	int n, ret;

	parse_bad("8@8(%rip)", "%rip-relative without a symbol");
	parse_bad("8@(%rip)", "%rip-relative without a symbol");
	parse_bad("8@sym@GOTPCREL(%rip)", "relocation operators");
	parse_bad("8@8-sym(%rip)", "a subtracted symbol");
	parse_bad("8@a+b(%rip)", "more than one symbol");
	parse_bad("8@a(%rip,%rax,8)", "%rip cannot be a base register with an index");
	parse_bad("4@4096", "needs a register or a symbol");
	parse_bad("1@%ah", "high byte");
	parse_bad("8@$", "expected a number");

	/* The good arguments around a bad one are still parsed: the probe can still be counted. */
	ret = usdt_args__parse_all("-4@%eax 8@8(%rip) 2@$7", a, &n, why, sizeof(why));
	CHECK(ret == -EINVAL && n == 3, "mixed: ret %d n %d", ret, n);
	CHECK(strstr(why, "argument 2 '8@8(%rip)'") != NULL, "mixed: why '%s'", why);
	CHECK(a[0].kind == USDT_ARG_REG && a[1].kind == USDT_ARG_BAD && a[2].kind == USDT_ARG_CONST &&
	      a[2].val_off == 7, "mixed: kinds %d %d %d", a[0].kind, a[1].kind, a[2].kind);
}

/* A note with ARGS at link-time address PC; SYM (named "sym" in ARGS) at SYM_ADDR. */
static void spec_of(const char *args, uint64_t pc, uint64_t sym_addr, struct uscope_usdt_spec *out)
{
	struct usdt_note n;
	int i;

	memset(&n, 0, sizeof(n));
	n.addr = pc;
	n.args_str = args;
	usdt_args__parse_all(args, n.args, &n.nargs, n.args_why, sizeof(n.args_why));
	for (i = 0; i < n.nargs; i++)
		if (n.args[i].sym_len)
			n.args[i].sym_addr = sym_addr;
	usdt_spec__build(out, &n);
}

static void test_spec(void)
{
	struct uscope_usdt_spec s;
	const struct uscope_usdt_arg *a = s.args;

	/* sym(%rip): probe address + (sym + 8 - pc); %rip itself is not read. */
	spec_of("-8@8+sym(%rip) -2@(%rdx,%rax,2) 8@16(%rsp,%rax,8) 4@sym(,%rbx,4) 8@$sym 8@8(%rip) -4@%eax",
		0x1000, 0x4010, &s);
	CHECK(s.nargs == 7, "nargs %u", s.nargs);
	CHECK(a[0].kind == USCOPE_USDT_MEM && a[0].ip_rel && a[0].base == NONE && a[0].index == NONE &&
	      a[0].val_off == 0x4010 + 8 - 0x1000 && a[0].size == 8 && a[0].is_signed, "sym+8(%%rip)");
	CHECK(a[1].kind == USCOPE_USDT_MEM && !a[1].ip_rel && a[1].base == SLOT(rdx) &&
	      a[1].index == SLOT(rax) && a[1].shift == 1 && a[1].val_off == 0 && a[1].size == 2, "SIB");
	CHECK(a[2].base == SLOT(rsp) && a[2].index == SLOT(rax) && a[2].shift == 3 && a[2].val_off == 16 &&
	      !a[2].is_signed, "SIB + offset");
	CHECK(a[3].kind == USCOPE_USDT_MEM && a[3].ip_rel && a[3].base == NONE && a[3].index == SLOT(rbx) &&
	      a[3].shift == 2 && a[3].val_off == 0x4010 - 0x1000, "symbol + index, no base");
	CHECK(a[4].kind == USCOPE_USDT_CONST && a[4].ip_rel && a[4].val_off == 0x3010, "$sym");
	CHECK(a[5].kind == USCOPE_USDT_BAD, "8@8(%%rip) is unreadable");
	CHECK(a[6].kind == USCOPE_USDT_REG && a[6].base == SLOT(rax) && a[6].size == 4, "register");

	/* The warning names the probe, the argument and how many cannot be read. */
	{
		struct usdt_note n;

		memset(&n, 0, sizeof(n));
		n.provider = "p";
		n.name = "n";
		n.pc = 0x1234;
		n.args_err = usdt_args__parse_all("2@$1 8@8(%rip)", n.args, &n.nargs, n.args_why, sizeof(n.args_why));
		last_warning[0] = 0;
		usdt_spec__warn_unreadable(&n, "bin");
		CHECK(strcmp(last_warning, "USDT probe p:n at 0x1234 in 'bin': argument 2 '8@8(%rip)': %rip-relative "
			     "without a symbol (nothing emits this form); its hits are counted, 1 of its 2 arguments "
			     "shown as unreadable") == 0, "warning '%s'", last_warning);
		n.args_err = usdt_args__parse_all("2@$1", n.args, &n.nargs, n.args_why, sizeof(n.args_why));
		last_warning[0] = 0;
		usdt_spec__warn_unreadable(&n, "bin");
		CHECK(last_warning[0] == 0, "no warning when every argument reads: '%s'", last_warning);
	}

	/* A symbol below the probe: a negative offset. */
	spec_of("-1@sym(%rip)", 0x5000, 0x4000, &s);
	CHECK(a[0].val_off == -0x1000 && a[0].ip_rel, "negative %lld", (long long)a[0].val_off);
}

static const char *kind_name(int k)
{
	static const char *names[] = { "const", "reg", "mem", "sib", "BAD" };

	return k >= 0 && k <= USDT_ARG_BAD ? names[k] : "?";
}

/* Print every argument of every note of PATH (see the top of the file). */
static int dump(const char *path)
{
	struct usdt_note_list l;
	size_t i;
	int err = usdt_notes__load(path, &l), k;

	if (err) {
		fprintf(stderr, "%s: %s\n", path, strerror(-err));
		return 1;
	}
	for (i = 0; i < l.cnt; i++) {
		const struct usdt_note *n = &l.notes[i];
		const char *p = n->args_str;

		for (k = 0; k < n->nargs; k++) {
			const struct usdt_arg *a = &n->args[k];
			size_t len;

			while (*p == ' ')
				p++;
			len = strcspn(p, " ");
			printf("%s:%s 0x%" PRIx64 " %d %.*s -> %s", n->provider, n->name, n->pc, k + 1,
			       (int)len, p, kind_name(a->kind));
			if (a->sym_len && a->kind != USDT_ARG_BAD)
				printf(" %.*s 0x%" PRIx64, a->sym_len, n->args_str + a->sym_pos, a->sym_addr);
			putchar('\n');
			p += len;
		}
		if (n->args_err)
			printf("%s:%s 0x%" PRIx64 " why %s\n", n->provider, n->name, n->pc, n->args_why);
	}
	usdt_notes__free(&l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return dump(argv[2]);
	test_forms();
	test_refused();
	test_spec();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
