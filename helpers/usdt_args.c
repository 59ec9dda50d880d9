// SPDX-License-Identifier: BSD-2-Clause
/*
 * usdt_args: turn a USDT argument string into a description BPF can follow.
 *
 * sys/sdt.h records where each probe argument lives as the assembler operand
 * the compiler chose ("-4@%eax", "8@-80(%rbp)", "4@$42"). A BPF program can
 * only fetch an argument if it knows, before the probe fires, which pt_regs
 * slot to read and whether to dereference it, so each operand is resolved
 * here, once, into a kind, a size, pt_regs offsets, a constant and, for
 * globals and statics, the name of a symbol (resolved by usdt_notes.c).
 * Anything that cannot be fetched that way (the legacy high byte registers,
 * a numeric offset from %rip, relocation operators) is refused with a
 * reason rather than guessed at.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/ptrace.h>

#include "usdt_args.h"

struct reg_name {
	const char *name;
	int16_t off;
};

#define R(n, field) { n, (int16_t)offsetof(struct pt_regs, field) }

/* Every width name of the 16 general purpose registers, and rip. */
static const struct reg_name regs[] = {
	R("rax", rax), R("eax", rax), R("ax", rax), R("al", rax),
	R("rbx", rbx), R("ebx", rbx), R("bx", rbx), R("bl", rbx),
	R("rcx", rcx), R("ecx", rcx), R("cx", rcx), R("cl", rcx),
	R("rdx", rdx), R("edx", rdx), R("dx", rdx), R("dl", rdx),
	R("rsi", rsi), R("esi", rsi), R("si", rsi), R("sil", rsi),
	R("rdi", rdi), R("edi", rdi), R("di", rdi), R("dil", rdi),
	R("rbp", rbp), R("ebp", rbp), R("bp", rbp), R("bpl", rbp),
	R("rsp", rsp), R("esp", rsp), R("sp", rsp), R("spl", rsp),
	R("r8", r8), R("r8d", r8), R("r8w", r8), R("r8b", r8),
	R("r9", r9), R("r9d", r9), R("r9w", r9), R("r9b", r9),
	R("r10", r10), R("r10d", r10), R("r10w", r10), R("r10b", r10),
	R("r11", r11), R("r11d", r11), R("r11w", r11), R("r11b", r11),
	R("r12", r12), R("r12d", r12), R("r12w", r12), R("r12b", r12),
	R("r13", r13), R("r13d", r13), R("r13w", r13), R("r13b", r13),
	R("r14", r14), R("r14d", r14), R("r14w", r14), R("r14b", r14),
	R("r15", r15), R("r15d", r15), R("r15w", r15), R("r15b", r15),
	R("rip", rip),
};

#undef R

/* One argument's text, for error messages. */
struct tok {
	const char *s;
	size_t len;
	int idx;		/* 1-based */
};

static int fail(char *why, size_t why_len, const struct tok *t, const char *reason)
{
	if (why && why_len)
		snprintf(why, why_len, "argument %d '%.*s': %s", t->idx,
			 (int)(t->len > 40 ? 40 : t->len), t->s, reason);
	return -EINVAL;
}

/*
 * Parse a register name "%NAME" at *P (up to END) into NAME and OFF.
 * Returns NULL on success or a reason.
 */
static const char *parse_reg(const char **p, const char *end, char name[8], int16_t *off)
{
	const char *s = *p;
	size_t len = 0, i;

	if (s >= end || *s != '%')
		return "expected a register";
	s++;
	while (s + len < end && isalnum((unsigned char)s[len]))
		len++;
	if (len == 0)
		return "expected a register name after '%'";
	if (len == 2 && s[1] == 'h' && strchr("abcd", s[0]))
		return "high byte registers are not supported";
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (strlen(regs[i].name) == len && memcmp(regs[i].name, s, len) == 0) {
			memcpy(name, s, len);
			name[len] = '\0';
			*off = regs[i].off;
			*p = s + len;
			return NULL;
		}
	}
	return "unknown register";
}

/*
 * Parse an optionally signed decimal, hex (0x) or octal (leading 0) integer
 * at *P (up to END) into *VAL. Values up to 2^64 - 1 are accepted and wrap,
 * as the assembler does.
 */
static const char *parse_num(const char **p, const char *end, int64_t *val)
{
	char buf[32], *e;
	const char *s = *p;
	unsigned long long v;
	bool neg = false;
	size_t len = 0;

	if (s < end && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	while (s + len < end && isalnum((unsigned char)s[len]))
		len++;
	if (len == 0 || !isdigit((unsigned char)s[0]))
		return "expected a number";
	if (len >= sizeof(buf))
		return "number too long";
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &e, 0);
	if (errno || *e != '\0')
		return "bad number";
	*val = neg ? (int64_t)(0 - (uint64_t)v) : (int64_t)(uint64_t)v;
	*p = s + len;
	return NULL;
}

static bool is_sym_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '.';
}

static bool is_sym_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/*
 * Parse a displacement at *P: terms joined by '+' or '-', each a number or
 * a symbol, at most one symbol and never subtracted ("ti", "8+ti", "ti+8",
 * "ti-8", "-16"). The numbers are summed into *VAL; the symbol's position
 * in the whole argument string (from BASE) goes to ARG.
 */
static const char *parse_disp(const char **p, const char *end, const char *base,
			      int64_t *val, struct usdt_arg *arg)
{
	const char *s = *p, *r;
	bool first = true;

	*val = 0;
	while (s < end && *s != '(') {
		char op = '+';
		int64_t v;

		if (!first || *s == '-' || *s == '+') {
			if (*s != '+' && *s != '-')
				break;
			op = *s++;
		}
		first = false;
		if (s < end && is_sym_start(*s)) {
			const char *n = s;

			if (arg->sym_len)
				return "more than one symbol in an operand";
			if (op == '-')
				return "a subtracted symbol cannot be read";
			while (s < end && is_sym_char(*s))
				s++;
			if (s < end && *s == '@')
				return "relocation operators (sym@GOTPCREL) are not supported";
			if (n - base > UINT16_MAX || s - n > UINT16_MAX)
				return "symbol too long";
			arg->sym_pos = (uint16_t)(n - base);
			arg->sym_len = (uint16_t)(s - n);
			continue;
		}
		r = parse_num(&s, end, &v);
		if (r)
			return r;
		*val = (int64_t)(op == '-' ? (uint64_t)*val - (uint64_t)v : (uint64_t)*val + (uint64_t)v);
	}
	*p = s;
	return NULL;
}

/* Parse "(%BASE[,%INDEX[,SCALE]])" or "(,%INDEX[,SCALE])" at *P into ARG. */
static const char *parse_regs(const char **p, const char *end, struct usdt_arg *arg)
{
	const char *s = *p + 1, *r;

	arg->kind = USDT_ARG_MEM;
	if (s < end && *s != ',') {
		r = parse_reg(&s, end, arg->reg, &arg->reg_off);
		if (r)
			return r;
	}
	if (s < end && *s == ',') {
		s++;
		r = parse_reg(&s, end, arg->idx_reg, &arg->idx_reg_off);
		if (r)
			return r;
		if (strcmp(arg->idx_reg, "rip") == 0)
			return "%rip cannot be an index register";
		if (strcmp(arg->reg, "rip") == 0)
			return "%rip cannot be a base register with an index";
		arg->scale = 1;
		if (s < end && *s == ',') {
			s++;
			if (s >= end || !strchr("1248", *s) || *s == '\0')
				return "bad scale (want 1, 2, 4 or 8)";
			arg->scale = (uint8_t)(*s - '0');
			s++;
		}
		arg->kind = USDT_ARG_MEM_SIB;
	}
	if (s >= end || *s != ')')
		return "expected ')' in memory operand";
	*p = s + 1;
	return NULL;
}

/* Parse a memory operand at *P: [DISP](REGS) or a bare symbolic DISP. */
static const char *parse_mem(const char *p, const char *end, const char *base, struct usdt_arg *arg)
{
	const char *r;

	r = parse_disp(&p, end, base, &arg->val_off, arg);
	if (r)
		return r;
	if (p < end && *p == '(') {
		r = parse_regs(&p, end, arg);
		if (r)
			return r;
	} else {
		arg->kind = USDT_ARG_MEM;	/* absolute: DISP alone */
	}
	if (p != end)
		return "trailing characters after memory operand";
	if (arg->reg_off < 0 && arg->idx_reg_off < 0 && !arg->sym_len)
		return "a memory operand needs a register or a symbol";
	/*
	 * %rip-relative is only meaningful with a symbol: the assembler measures
	 * sym(%rip) from the next instruction, and the probe site has none, so
	 * the symbol is resolved instead. A numeric offset from %rip (8@8(%rip))
	 * is nothing a compiler emits and has no value to read.
	 */
	if (strcmp(arg->reg, "rip") == 0 && !arg->sym_len)
		return "%rip-relative without a symbol (nothing emits this form)";
	return NULL;
}

/* Parse one "SIZE@OPERAND" (or legacy "OPERAND") token into ARG; BASE is the whole string. */
static int parse_one(const struct tok *t, const char *base, struct usdt_arg *arg, char *why,
		     size_t why_len)
{
	const char *p = t->s, *end = t->s + t->len, *at, *r;

	memset(arg, 0, sizeof(*arg));
	arg->reg_off = -1;
	arg->idx_reg_off = -1;
	arg->size = 8;

	at = memchr(p, '@', t->len);
	if (at && p[0] != '$' && !is_sym_start(p[0])) {
		const char *q = p;
		bool neg = false;

		if (*q == '-') {
			neg = true;
			q++;
		}
		if (at - q != 1 || !strchr("1248", *q))
			return fail(why, why_len, t, "bad size (want 1, 2, 4 or 8, negative when signed)");
		arg->size = (uint8_t)(*q - '0');
		arg->is_signed = neg;
		p = at + 1;
	}
	if (p >= end)
		return fail(why, why_len, t, "missing operand");

	if (*p == '$') {
		const char *d = ++p;

		r = parse_disp(&p, end, base, &arg->val_off, arg);
		if (!r && p == d)
			r = "expected a number";
		if (!r && p != end)
			r = "trailing characters after constant";
		if (r)
			return fail(why, why_len, t, r);
		arg->kind = USDT_ARG_CONST;
		return 0;
	}

	if (*p == '%') {
		r = parse_reg(&p, end, arg->reg, &arg->reg_off);
		if (r)
			return fail(why, why_len, t, r);
		if (p != end)
			return fail(why, why_len, t, "trailing characters after register");
		arg->kind = USDT_ARG_REG;
		return 0;
	}

	r = parse_mem(p, end, base, arg);
	return r ? fail(why, why_len, t, r) : 0;
}

/* The next blank-separated token at *P, or false at the end of the string. */
static bool next_tok(const char **p, struct tok *t)
{
	const char *s = *p;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	t->s = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	t->len = (size_t)(s - t->s);
	*p = s;
	return true;
}

int usdt_args__parse_all(const char *str, struct usdt_arg *args, int *nargs, char *why, size_t why_len)
{
	const char *p = str ? str : "";
	struct tok t;
	int n = 0, err, first = 0;

	if (why && why_len)
		why[0] = '\0';
	*nargs = 0;

	/* Count first, so that too many arguments is reported as such. */
	while (next_tok(&p, &t))
		n++;
	if (n > USDT_MAX_ARGS) {
		if (why && why_len)
			snprintf(why, why_len, "%d arguments, more than %d", n, USDT_MAX_ARGS);
		first = -E2BIG;
	}

	p = str ? str : "";
	n = 0;
	while (n < USDT_MAX_ARGS && next_tok(&p, &t)) {
		t.idx = n + 1;
		/* Only the first error's reason is kept. */
		err = parse_one(&t, str, &args[n], first ? NULL : why, first ? 0 : why_len);
		if (err) {
			args[n].kind = USDT_ARG_BAD;
			if (!first)
				first = err;
		}
		n++;
	}
	*nargs = n;
	return first;
}

int usdt_args__parse(const char *str, struct usdt_arg *args, char *why, size_t why_len)
{
	int n, err = usdt_args__parse_all(str, args, &n, why, why_len);

	return err ? err : n;
}
