// SPDX-License-Identifier: BSD-2-Clause
/*
 * usdt_args: turn a USDT argument string into a description BPF can follow.
 *
 * sys/sdt.h records where each probe argument lives as the assembler operand
 * the compiler chose ("-4@%eax", "8@-80(%rbp)", "4@$42"). A BPF program can
 * only fetch an argument if it knows, before the probe fires, which pt_regs
 * slot to read and whether to dereference it, so each operand is resolved
 * here, once, into a kind, a size, pt_regs offsets and a constant. Anything
 * that cannot be fetched that way (symbol-relative operands, the legacy high
 * byte registers) is refused with a reason rather than guessed at.
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

/* Parse one "SIZE@OPERAND" (or legacy "OPERAND") token into ARG. */
static int parse_one(const struct tok *t, struct usdt_arg *arg, char *why, size_t why_len)
{
	const char *p = t->s, *end = t->s + t->len, *at, *r;

	memset(arg, 0, sizeof(*arg));
	arg->reg_off = -1;
	arg->idx_reg_off = -1;

	at = memchr(p, '@', t->len);
	if (at) {
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
	} else {
		arg->size = 8;
		arg->is_signed = false;
	}
	if (p >= end)
		return fail(why, why_len, t, "missing operand");

	if (*p == '$') {
		p++;
		if (p < end && is_sym_start(*p))
			return fail(why, why_len, t, "symbol operands are not supported");
		r = parse_num(&p, end, &arg->val_off);
		if (r)
			return fail(why, why_len, t, r);
		if (p != end)
			return fail(why, why_len, t, "trailing characters after constant");
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

	/* Memory: [OFFSET](%BASE) or [OFFSET](%BASE,%INDEX[,SCALE]). */
	if (is_sym_start(*p))
		return fail(why, why_len, t, "symbol operands are not supported");
	if (*p != '(') {
		r = parse_num(&p, end, &arg->val_off);
		if (r)
			return fail(why, why_len, t, r);
		if (p < end && (*p == '+' || *p == '-'))
			return fail(why, why_len, t, "symbol operands are not supported");
	}
	if (p >= end || *p != '(')
		return fail(why, why_len, t, "expected '(' in memory operand");
	p++;
	if (p < end && *p == ',')
		return fail(why, why_len, t, "memory operands without a base register are not supported");
	r = parse_reg(&p, end, arg->reg, &arg->reg_off);
	if (r)
		return fail(why, why_len, t, r);
	arg->kind = USDT_ARG_MEM;
	if (p < end && *p == ',') {
		p++;
		r = parse_reg(&p, end, arg->idx_reg, &arg->idx_reg_off);
		if (r)
			return fail(why, why_len, t, r);
		if (strcmp(arg->idx_reg, "rip") == 0)
			return fail(why, why_len, t, "%rip cannot be an index register");
		arg->scale = 1;
		if (p < end && *p == ',') {
			p++;
			if (p >= end || !strchr("1248", *p) || *p == '\0')
				return fail(why, why_len, t, "bad scale (want 1, 2, 4 or 8)");
			arg->scale = (uint8_t)(*p - '0');
			p++;
		}
		arg->kind = USDT_ARG_MEM_SIB;
	}
	if (p >= end || *p != ')')
		return fail(why, why_len, t, "expected ')' in memory operand");
	p++;
	if (p != end)
		return fail(why, why_len, t, "trailing characters after memory operand");
	return 0;
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

int usdt_args__parse(const char *str, struct usdt_arg *args, char *why, size_t why_len)
{
	const char *p = str ? str : "";
	struct tok t;
	int n = 0, err;

	if (why && why_len)
		why[0] = '\0';

	/* Count first, so that too many arguments is reported as such. */
	while (next_tok(&p, &t))
		n++;
	if (n > USDT_MAX_ARGS) {
		if (why && why_len)
			snprintf(why, why_len, "%d arguments, more than %d", n, USDT_MAX_ARGS);
		return -E2BIG;
	}

	p = str ? str : "";
	n = 0;
	while (next_tok(&p, &t)) {
		t.idx = n + 1;
		err = parse_one(&t, &args[n], why, why_len);
		if (err)
			return err;
		n++;
	}
	return n;
}
