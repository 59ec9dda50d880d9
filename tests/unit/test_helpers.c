// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_helpers: unit tests for helpers/ (elf_funcs, usdt_args, usdt_notes).
 *
 *   test_helpers FIXTURE_PIE FIXTURE_NOPIE WORKDIR
 *
 * FIXTURE_* are sdt_fixture.c + sdt_fixture_sema.c built with -pie and with
 * -no-pie; WORKDIR is a scratch directory for corrupted copies. Checks the
 * argument parser on a table of specs, every documented errno, the fixture's
 * functions and notes, and hand-corrupted notes (skipped, not fatal), and a
 * simulated prelink shift. Prints one line per failure and a summary; exit
 * status 1 when anything failed.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <asm/ptrace.h>

#include "elf_funcs.h"
#include "usdt_args.h"
#include "usdt_notes.h"

static int failures, checks;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define OFF(f) ((int)offsetof(struct pt_regs, f))

/* ---------------------------------------------------------------- args */

static void test_args_ok(const char *spec, int n, const struct usdt_arg *want)
{
	struct usdt_arg got[USDT_MAX_ARGS];
	char why[128];
	int i, ret = usdt_args__parse(spec, got, why, sizeof(why));

	CHECK(ret == n, "'%s' -> %d (%s), want %d", spec, ret, why, n);
	if (ret != n)
		return;
	for (i = 0; i < n; i++) {
		const struct usdt_arg *g = &got[i], *w = &want[i];

		CHECK(g->size == w->size && g->is_signed == w->is_signed &&
		      g->kind == w->kind && g->reg_off == w->reg_off &&
		      g->val_off == w->val_off && strcmp(g->reg, w->reg) == 0,
		      "'%s' arg %d: size %u signed %d kind %u reg %s@%d val %lld", spec,
		      i + 1, g->size, g->is_signed, g->kind, g->reg, g->reg_off,
		      (long long)g->val_off);
		if (w->kind == USDT_ARG_MEM_SIB)
			CHECK(g->scale == w->scale && g->idx_reg_off == w->idx_reg_off &&
			      strcmp(g->idx_reg, w->idx_reg) == 0,
			      "'%s' arg %d: idx %s@%d scale %u", spec, i + 1,
			      g->idx_reg, g->idx_reg_off, g->scale);
		else
			CHECK(g->idx_reg_off == -1, "'%s' arg %d: idx_reg_off %d", spec,
			      i + 1, g->idx_reg_off);
	}
}

static void test_args_bad(const char *spec, int err, const char *why_has)
{
	struct usdt_arg got[USDT_MAX_ARGS];
	char why[128];
	int ret = usdt_args__parse(spec, got, why, sizeof(why));

	CHECK(ret == err, "'%s' -> %d, want %d", spec, ret, err);
	CHECK(strstr(why, why_has) != NULL, "'%s': why '%s' lacks '%s'", spec, why, why_has);
}

static void test_args(void)
{
	struct usdt_arg w[USDT_MAX_ARGS];
	struct usdt_arg got[USDT_MAX_ARGS];
	char why[128] = "x";
	static const struct { const char *name; int off; } all_regs[] = {
		{ "rax", OFF(rax) }, { "eax", OFF(rax) }, { "ax", OFF(rax) }, { "al", OFF(rax) },
		{ "rbx", OFF(rbx) }, { "ebx", OFF(rbx) }, { "bx", OFF(rbx) }, { "bl", OFF(rbx) },
		{ "rcx", OFF(rcx) }, { "ecx", OFF(rcx) }, { "cx", OFF(rcx) }, { "cl", OFF(rcx) },
		{ "rdx", OFF(rdx) }, { "edx", OFF(rdx) }, { "dx", OFF(rdx) }, { "dl", OFF(rdx) },
		{ "rsi", OFF(rsi) }, { "esi", OFF(rsi) }, { "si", OFF(rsi) }, { "sil", OFF(rsi) },
		{ "rdi", OFF(rdi) }, { "edi", OFF(rdi) }, { "di", OFF(rdi) }, { "dil", OFF(rdi) },
		{ "rbp", OFF(rbp) }, { "ebp", OFF(rbp) }, { "bp", OFF(rbp) }, { "bpl", OFF(rbp) },
		{ "rsp", OFF(rsp) }, { "esp", OFF(rsp) }, { "sp", OFF(rsp) }, { "spl", OFF(rsp) },
		{ "r8", OFF(r8) }, { "r8d", OFF(r8) }, { "r8w", OFF(r8) }, { "r8b", OFF(r8) },
		{ "r9", OFF(r9) }, { "r9d", OFF(r9) }, { "r9w", OFF(r9) }, { "r9b", OFF(r9) },
		{ "r10", OFF(r10) }, { "r10d", OFF(r10) }, { "r10w", OFF(r10) }, { "r10b", OFF(r10) },
		{ "r11", OFF(r11) }, { "r11d", OFF(r11) }, { "r11w", OFF(r11) }, { "r11b", OFF(r11) },
		{ "r12", OFF(r12) }, { "r12d", OFF(r12) }, { "r12w", OFF(r12) }, { "r12b", OFF(r12) },
		{ "r13", OFF(r13) }, { "r13d", OFF(r13) }, { "r13w", OFF(r13) }, { "r13b", OFF(r13) },
		{ "r14", OFF(r14) }, { "r14d", OFF(r14) }, { "r14w", OFF(r14) }, { "r14b", OFF(r14) },
		{ "r15", OFF(r15) }, { "r15d", OFF(r15) }, { "r15w", OFF(r15) }, { "r15b", OFF(r15) },
		{ "rip", OFF(rip) },
	};
	size_t i;

	CHECK(usdt_args__parse("", got, why, sizeof(why)) == 0 && why[0] == '\0', "empty");
	CHECK(usdt_args__parse("  \t ", got, why, sizeof(why)) == 0, "blank");
	CHECK(usdt_args__parse(NULL, got, NULL, 0) == 0, "NULL string");

	for (i = 0; i < sizeof(all_regs) / sizeof(all_regs[0]); i++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "-4@%%%s", all_regs[i].name);
		memset(w, 0, sizeof(w));
		w[0] = (struct usdt_arg){ .size = 4, .is_signed = true, .kind = USDT_ARG_REG,
					  .reg_off = (int16_t)all_regs[i].off };
		snprintf(w[0].reg, sizeof(w[0].reg), "%s", all_regs[i].name);
		test_args_ok(spec, 1, w);
	}

	memset(w, 0, sizeof(w));
	w[0] = (struct usdt_arg){ .size = 4, .is_signed = true, .kind = USDT_ARG_CONST,
				  .reg_off = -1, .val_off = -9 };
	w[1] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_CONST, .reg_off = -1, .val_off = 16 };
	w[2] = (struct usdt_arg){ .size = 2, .kind = USDT_ARG_CONST, .reg_off = -1, .val_off = -16 };
	w[3] = (struct usdt_arg){ .size = 1, .kind = USDT_ARG_CONST, .reg_off = -1, .val_off = 0 };
	test_args_ok("-4@$-9 8@$0x10  2@$-0x10\t1@$0", 4, w);

	memset(w, 0, sizeof(w));
	w[0] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_CONST, .reg_off = -1, .val_off = -1 };
	test_args_ok("8@$0xffffffffffffffff", 1, w);

	memset(w, 0, sizeof(w));
	w[0] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_MEM, .reg_off = OFF(rbx), .val_off = -80, .reg = "rbx" };
	w[1] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_MEM, .reg_off = OFF(rax), .val_off = 0, .reg = "rax" };
	w[2] = (struct usdt_arg){ .size = 4, .is_signed = true, .kind = USDT_ARG_MEM, .reg_off = OFF(rsp), .val_off = 0x10, .reg = "rsp" };
	test_args_ok("8@-80(%rbx) 8@(%rax) -4@0x10(%rsp)", 3, w);

	memset(w, 0, sizeof(w));
	w[0] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_MEM_SIB, .reg_off = OFF(rax), .val_off = -8,
				  .reg = "rax", .idx_reg = "rbx", .idx_reg_off = OFF(rbx), .scale = 8 };
	w[1] = (struct usdt_arg){ .size = 4, .is_signed = true, .kind = USDT_ARG_MEM_SIB, .reg_off = OFF(r9),
				  .reg = "r9", .idx_reg = "r10d", .idx_reg_off = OFF(r10), .scale = 1 };
	w[2] = (struct usdt_arg){ .size = 2, .kind = USDT_ARG_MEM_SIB, .reg_off = OFF(rsi), .val_off = 0x18,
				  .reg = "rsi", .idx_reg = "rdi", .idx_reg_off = OFF(rdi), .scale = 2 };
	test_args_ok("8@-8(%rax,%rbx,8) -4@(%r9,%r10d) 2@0x18(%rsi,%rdi,2)", 3, w);

	/* The old form without SIZE@: 8 bytes, unsigned. */
	memset(w, 0, sizeof(w));
	w[0] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_REG, .reg_off = OFF(rdi), .reg = "rdi" };
	w[1] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_MEM, .reg_off = OFF(rbp), .val_off = -4, .reg = "rbp" };
	w[2] = (struct usdt_arg){ .size = 8, .kind = USDT_ARG_CONST, .reg_off = -1, .val_off = 5 };
	test_args_ok("%rdi -4(%rbp) $5", 3, w);

	/* Symbol operands and %rip: tests/unit/test_usdt_forms.c. */
	test_args_bad("1@-0x20(%rip)", -EINVAL, "argument 1 '1@-0x20(%rip)': %rip-relative without a symbol");
	test_args_bad("1@%ah", -EINVAL, "high byte");
	test_args_bad("-1@%bh", -EINVAL, "high byte");
	test_args_bad("1@%ch", -EINVAL, "high byte");
	test_args_bad("1@%dh", -EINVAL, "high byte");
	test_args_bad("8@%rzx", -EINVAL, "argument 1 '8@%rzx': unknown register");
	test_args_bad("8@%eip", -EINVAL, "unknown register");
	test_args_bad("8@%", -EINVAL, "argument 1");
	test_args_bad("3@%rax", -EINVAL, "bad size");
	test_args_bad("16@%rax", -EINVAL, "bad size");
	test_args_bad("0@%rax", -EINVAL, "bad size");
	test_args_bad("+4@%rax", -EINVAL, "bad size");
	test_args_bad("@%rax", -EINVAL, "bad size");
	test_args_bad("4@", -EINVAL, "missing operand");
	test_args_bad("4@12345", -EINVAL, "needs a register or a symbol");
	test_args_bad("4@!!", -EINVAL, "argument 1");
	test_args_bad("4@$", -EINVAL, "argument 1");
	test_args_bad("4@$12x", -EINVAL, "bad number");
	test_args_bad("4@$0x", -EINVAL, "argument 1");
	test_args_bad("4@%raxx", -EINVAL, "unknown register");
	test_args_bad("4@%rax)", -EINVAL, "trailing");
	test_args_bad("4@8(%rax", -EINVAL, "expected ')'");
	test_args_bad("4@8(%rax)x", -EINVAL, "trailing");
	test_args_bad("4@8(rax)", -EINVAL, "expected a register");
	test_args_bad("4@(%rax,%rbx,3)", -EINVAL, "bad scale");
	test_args_bad("4@(%rax,%rbx,)", -EINVAL, "bad scale");
	test_args_bad("4@(%rax,%rbx,8", -EINVAL, "expected ')'");
	test_args_bad("4@(%rax,%rip)", -EINVAL, "index");
	test_args_bad("4@99999999999999999999(%rax)", -EINVAL, "argument 1");
	test_args_bad("8@%rax 8@%rbx 8@%rcx 4@%r8b$", -EINVAL, "argument 4");
	test_args_bad("1 2 3 4 5 6 7 8 9 10 11 12 13", -E2BIG, "more than 12");

	/* Exactly 12 is fine. */
	CHECK(usdt_args__parse("$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 $12", got, why, sizeof(why)) == 12,
	      "12 args: %s", why);
	/* A tiny WHY buffer is truncated, never overrun. */
	{
		char small[8];

		memset(small, 'z', sizeof(small));
		CHECK(usdt_args__parse("8@%bogus", got, small, 4) == -EINVAL && small[3] == '\0' &&
		      small[4] == 'z', "small why");
	}
}

/* ------------------------------------------------------------- strerror */

static void test_strerror(void)
{
	CHECK(strcmp(elf_strerror(-ENOENT), "no such file or directory") == 0, "ENOENT");
	CHECK(strcmp(elf_strerror(-EACCES), "permission denied") == 0, "EACCES");
	CHECK(strcmp(elf_strerror(-EISDIR), "is a directory") == 0, "EISDIR");
	CHECK(strcmp(elf_strerror(-EINVAL), "not a regular file") == 0, "EINVAL");
	CHECK(strcmp(elf_strerror(-ENOEXEC), "not an ELF file") == 0, "ENOEXEC");
	CHECK(strcmp(elf_strerror(-EPROTONOSUPPORT), "not a 64-bit x86-64 ELF file") == 0, "EPROTO");
	CHECK(strcmp(elf_strerror(-EBADMSG), "malformed or truncated ELF file") == 0, "EBADMSG");
	CHECK(strcmp(elf_strerror(-ENOMEM), "out of memory") == 0, "ENOMEM");
	CHECK(strcmp(elf_strerror(-EPERM), strerror(EPERM)) == 0, "EPERM");
}

/* ------------------------------------------------------------ file utils */

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static int spill(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static unsigned char *find(unsigned char *buf, size_t len, const void *what, size_t wlen)
{
	return memmem(buf, len, what, wlen);
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void wr64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void expect_err(const char *path, int err, const char *what)
{
	struct elf_func_list fl;
	struct usdt_note_list nl;
	int e1 = elf_funcs__load(path, &fl);
	int e2 = usdt_notes__load(path, &nl);

	CHECK(e1 == err, "%s: elf_funcs__load %d (%s), want %d", what, e1, elf_strerror(e1), err);
	CHECK(e2 == err, "%s: usdt_notes__load %d (%s), want %d", what, e2, elf_strerror(e2), err);
	CHECK(fl.cnt == 0 && fl.funcs == NULL && nl.cnt == 0 && nl.notes == NULL,
	      "%s: output not zeroed", what);
	if (!e1)
		elf_funcs__free(&fl);
	if (!e2)
		usdt_notes__free(&nl);
}

static void test_errors(const char *fixture, const char *work)
{
	unsigned char *buf, *copy;
	char path[4096];
	size_t len, cuts[] = { 0, 3, 16, 40, 63, 64, 100, 1000, 3000 }, i;

	expect_err("/nonexistent/uscope", -ENOENT, "missing file");
	expect_err(work, -EISDIR, "directory");
	expect_err("/dev/null", -EINVAL, "character device");
	snprintf(path, sizeof(path), "%s/text", work);
	spill(path, "hello, world, this is not an ELF file at all\n", 45);
	expect_err(path, -ENOEXEC, "text file");

	buf = slurp(fixture, &len);
	CHECK(buf != NULL, "read %s", fixture);
	if (!buf)
		return;
	copy = malloc(len);
	if (!copy) {
		free(buf);
		return;
	}

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char what[64];

		snprintf(path, sizeof(path), "%s/cut%zu", work, cuts[i]);
		spill(path, buf, cuts[i]);
		snprintf(what, sizeof(what), "truncated to %zu", cuts[i]);
		expect_err(path, cuts[i] < 64 ? -ENOEXEC : -EBADMSG, what);
	}
	snprintf(path, sizeof(path), "%s/cut-1", work);
	spill(path, buf, len - 1);
	expect_err(path, -EBADMSG, "truncated by one byte");

	snprintf(path, sizeof(path), "%s/class32", work);
	memcpy(copy, buf, len);
	copy[EI_CLASS] = ELFCLASS32;
	spill(path, copy, len);
	expect_err(path, -EPROTONOSUPPORT, "ELFCLASS32");

	snprintf(path, sizeof(path), "%s/msb", work);
	memcpy(copy, buf, len);
	copy[EI_DATA] = ELFDATA2MSB;
	spill(path, copy, len);
	expect_err(path, -EPROTONOSUPPORT, "big endian");

	snprintf(path, sizeof(path), "%s/arm64", work);
	memcpy(copy, buf, len);
	copy[18] = EM_AARCH64;
	copy[19] = 0;
	spill(path, copy, len);
	expect_err(path, -EPROTONOSUPPORT, "aarch64");

	free(copy);
	free(buf);
}

/* ------------------------------------------------------------- fixtures */

static const struct elf_func *find_func(const struct elf_func_list *l, const char *name, int nth)
{
	size_t i;

	for (i = 0; i < l->cnt; i++)
		if (strcmp(l->funcs[i].name, name) == 0 && nth-- == 0)
			return &l->funcs[i];
	return NULL;
}

static const struct usdt_note *find_note(const struct usdt_note_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->cnt; i++)
		if (strcmp(l->notes[i].name, name) == 0)
			return &l->notes[i];
	return NULL;
}

static void test_fixture(const char *path, int pie)
{
	struct elf_func_list fl;
	struct usdt_note_list nl;
	const struct elf_func *work, *alias, *lh1, *lh2, *mainf;
	const struct usdt_note *n;
	size_t i;
	int err;

	err = elf_funcs__load(path, &fl);
	CHECK(err == 0, "%s: %s", path, elf_strerror(err));
	if (err)
		return;
	CHECK(!fl.from_dynsym, "%s: from_dynsym", path);
	for (i = 1; i < fl.cnt; i++)
		CHECK(fl.funcs[i - 1].offset < fl.funcs[i].offset ||
		      (fl.funcs[i - 1].offset == fl.funcs[i].offset &&
		       strcmp(fl.funcs[i - 1].name, fl.funcs[i].name) <= 0),
		      "%s: not sorted at %zu", path, i);
	work = find_func(&fl, "fixture_work", 0);
	alias = find_func(&fl, "fixture_alias", 0);
	lh1 = find_func(&fl, "local_helper", 0);
	lh2 = find_func(&fl, "local_helper", 1);
	mainf = find_func(&fl, "main", 0);
	CHECK(work && alias && work->offset == alias->offset && work->addr == alias->addr,
	      "%s: alias", path);
	CHECK(work && work->bind == ELF_FUNC_GLOBAL && work->size > 0, "%s: fixture_work", path);
	CHECK(lh1 && lh2 && lh1->offset != lh2->offset && lh1->bind == ELF_FUNC_LOCAL &&
	      lh2->bind == ELF_FUNC_LOCAL, "%s: two local statics", path);
	CHECK(mainf != NULL, "%s: main", path);
	if (work)
		CHECK(pie ? work->offset == work->addr : work->offset != work->addr,
		      "%s: offset 0x%llx addr 0x%llx", path,
		      (unsigned long long)work->offset, (unsigned long long)work->addr);
	CHECK(find_func(&fl, "printf", 0) == NULL, "%s: undefined printf listed", path);

	err = usdt_notes__load(path, &nl);
	CHECK(err == 0, "%s: notes %s", path, elf_strerror(err));
	if (err)
		goto out_funcs;
	CHECK(nl.has_section && nl.cnt == 6 && nl.skipped == 0, "%s: %zu notes, %zu skipped (%s)",
	      path, nl.cnt, nl.skipped, nl.skipped_why);
	for (i = 0; i < nl.cnt; i++) {
		n = &nl.notes[i];
		CHECK(strcmp(n->provider, "fixture") == 0 && n->args_err == 0,
		      "%s: note %s:%s err %d %s", path, n->provider, n->name, n->args_err, n->args_why);
		if (strcmp(n->name, "guarded") == 0)
			/* In .probes, in the RW segment: offset != address even for PIE. */
			CHECK(n->semaphore && n->sema_offset && n->sema_offset != n->semaphore,
			      "%s: guarded semaphore 0x%llx at 0x%llx", path,
			      (unsigned long long)n->semaphore, (unsigned long long)n->sema_offset);
		else
			CHECK(n->semaphore == 0 && n->sema_offset == 0, "%s: %s semaphore", path, n->name);
		/* Every probe of the fixture sits inside fixture_work/_guarded. */
		CHECK(pie ? n->offset == n->pc : n->offset != n->pc, "%s: %s offset", path, n->name);
	}
	n = find_note(&nl, "noargs");
	CHECK(n && n->nargs == 0 && strcmp(n->args_str, "") == 0, "%s: noargs", path);
	n = find_note(&nl, "four");
	CHECK(n && n->nargs == 4 && n->args[0].size == 8 && n->args[1].size == 4 &&
	      n->args[2].size == 2 && n->args[3].size == 1 && n->args[3].is_signed, "%s: four", path);
	n = find_note(&nl, "consts");
	CHECK(n && n->nargs == 2 && n->args[0].kind == USDT_ARG_CONST && n->args[0].val_off == 42 &&
	      n->args[1].kind == USDT_ARG_CONST && n->args[1].val_off == -7, "%s: consts", path);
	if (work) {
		n = find_note(&nl, "four");
		CHECK(n && n->offset >= work->offset && n->offset < work->offset + work->size,
		      "%s: probe 'four' outside fixture_work", path);
	}
	usdt_notes__free(&nl);
out_funcs:
	elf_funcs__free(&fl);
}

/*
 * Corrupt single notes of a copy of the non-PIE fixture by hand and check
 * that each bad note is skipped with a reason while the others load, and
 * that a simulated prelink shift is undone.
 */
static void test_bad_notes(const char *fixture, const char *work)
{
	static const char noargs[] = "fixture\0noargs\0";	/* + args "" */
	static const char consts[] = "fixture\0consts\0-4@$42";
	struct usdt_note_list nl, orig;
	const struct usdt_note *n, *o;
	unsigned char *buf, *copy, *p;
	char path[4096];
	size_t len;
	int err;

	buf = slurp(fixture, &len);
	if (!buf || usdt_notes__load(fixture, &orig) != 0) {
		CHECK(0, "cannot read %s", fixture);
		free(buf);
		return;
	}
	copy = malloc(len);
	if (!copy)
		goto out;
	snprintf(path, sizeof(path), "%s/notes", work);

	/* 1. Strings of "noargs" not terminated inside the descriptor. */
	memcpy(copy, buf, len);
	p = find(copy, len, noargs, sizeof(noargs));
	CHECK(p != NULL, "noargs note not found");
	if (p) {
		p[7] = 'x';
		p[14] = 'x';
		p[15] = 'x';
		spill(path, copy, len);
		err = usdt_notes__load(path, &nl);
		CHECK(err == 0 && nl.cnt == 5 && nl.skipped == 1 &&
		      strstr(nl.skipped_why, "not terminated"), "unterminated: %d %zu %zu '%s'",
		      err, nl.cnt, nl.skipped, nl.skipped_why);
		if (!err)
			usdt_notes__free(&nl);
	}

	/* 2. "noargs" pc outside every executable segment; bad args of "consts". */
	memcpy(copy, buf, len);
	p = find(copy, len, noargs, sizeof(noargs));
	if (p) {
		wr64(p - 24, 0x10);	/* pc */
		p = find(copy, len, consts, sizeof(consts) - 1);
		CHECK(p != NULL, "consts note not found");
		if (p)
			p[16] = '3';	/* -4@$42 -> -3@$42 */
		spill(path, copy, len);
		err = usdt_notes__load(path, &nl);
		CHECK(err == 0 && nl.cnt == 5 && nl.skipped == 1 &&
		      strstr(nl.skipped_why, "no executable segment"), "bad pc: %d %zu %zu '%s'",
		      err, nl.cnt, nl.skipped, nl.skipped_why);
		if (!err) {
			n = find_note(&nl, "consts");
			/* The probe stays traceable: the bad argument is marked, not the note dropped. */
			CHECK(n && n->args_err == -EINVAL && n->nargs >= 1 && n->args[0].kind == USDT_ARG_BAD &&
			      strstr(n->args_why, "argument 1 '-3@$42': bad size"),
			      "bad args: %d '%s'", n ? n->args_err : 0, n ? n->args_why : "");
			usdt_notes__free(&nl);
		}
	}

	/*
	 * 3. Prelink: notes written when .stapsdt.base was 0x1000 lower than
	 * where the file now has it. Offsets must come out unchanged.
	 */
	memcpy(copy, buf, len);
	o = find_note(&orig, "guarded");
	if (o) {
		unsigned char key[24];

		wr64(key, o->pc);
		wr64(key + 8, o->base);
		wr64(key + 16, o->semaphore);
		p = find(copy, len, key, sizeof(key));
		CHECK(p != NULL, "guarded note descriptor not found");
		if (p) {
			wr64(p, rd64(p) - 0x1000);
			wr64(p + 8, rd64(p + 8) - 0x1000);
			wr64(p + 16, rd64(p + 16) - 0x1000);
			spill(path, copy, len);
			err = usdt_notes__load(path, &nl);
			CHECK(err == 0 && nl.cnt == 6, "prelink: %d", err);
			if (!err) {
				n = find_note(&nl, "guarded");
				CHECK(n && n->pc == o->pc - 0x1000 && n->base == o->base - 0x1000 &&
				      n->offset == o->offset && n->sema_offset == o->sema_offset,
				      "prelink: offset 0x%llx sema_offset 0x%llx",
				      n ? (unsigned long long)n->offset : 0ULL,
				      n ? (unsigned long long)n->sema_offset : 0ULL);
				usdt_notes__free(&nl);
			}
		}
	}
	free(copy);
out:
	usdt_notes__free(&orig);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test_helpers FIXTURE_PIE FIXTURE_NOPIE WORKDIR\n");
		return 2;
	}
	test_args();
	test_strerror();
	test_errors(argv[2], argv[3]);
	test_fixture(argv[1], 1);
	test_fixture(argv[2], 0);
	test_bad_notes(argv[2], argv[3]);
	printf("test_helpers: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
