// SPDX-License-Identifier: BSD-2-Clause
/*
 * filter_parse: what does a --filter expression say?
 *
 * A recursive-descent parser over a tiny tokenizer; the grammar is in
 * filter.h. Everything that can be checked without knowing the probes is
 * checked here: syntax, a string compared with an integer (or the other way),
 * ordering operators on strings, constants that do not fit 64 bits. What
 * depends on the probe (does it have arg3? is it signed?) is the compiler's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "util.h"

enum tok { T_END, T_INT, T_STR, T_IDENT, T_LP, T_RP, T_AND, T_OR, T_NOT, T_BAND, T_REL, T_BAD };

struct parser {
	const char *expr;	/* the whole text, for messages */
	const char *p;		/* next character */
	const char *tok_at;	/* where the current token starts */
	enum tok tok;
	uint64_t ival;
	bool neg;		/* T_INT written with a leading '-' */
	int rel;		/* T_REL: enum uscope_filter_op */
	char sval[USCOPE_FILTER_STR_LEN];
	char ident[32];
	int err;
};

static int fail(struct parser *ps, const char *what)
{
	if (!ps->err)
		err_msg("--filter '%s': %s at '%s'", ps->expr, what, *ps->tok_at ? ps->tok_at : "(end)");
	ps->err = -EINVAL;
	return -EINVAL;
}

static int lex_number(struct parser *ps)
{
	const char *s = ps->p;
	int base = 10, d;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return fail(ps, "expected hex digits");
	}
	for (; isalnum((unsigned char)*s); s++) {
		d = isdigit((unsigned char)*s) ? *s - '0' : base == 16 && isxdigit((unsigned char)*s) ?
			tolower((unsigned char)*s) - 'a' + 10 : -1;
		if (d < 0)
			return fail(ps, "bad digit in a number");
		if (v > (UINT64_MAX - d) / base)
			return fail(ps, "number does not fit in 64 bits");
		v = v * base + d;
	}
	ps->ival = v;
	ps->p = s;
	return T_INT;
}

static int lex_string(struct parser *ps)
{
	const char *s = ps->p + 1;
	size_t n = 0;

	for (; *s && *s != '"'; s++) {
		char c = *s;

		if (c == '\\') {
			c = *++s;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == '\\' || c == '"' ? c : 0;
			if (!c)
				return fail(ps, "unknown escape in a string (use \\\\ \\\" \\n \\t)");
		}
		if (n >= USCOPE_FILTER_STR_LEN - 2)
			return fail(ps, "string constant too long (at most 62 bytes)");
		ps->sval[n++] = c;
	}
	if (*s != '"')
		return fail(ps, "unterminated string");
	ps->sval[n] = 0;
	ps->p = s + 1;
	return T_STR;
}

static int lex_op(struct parser *ps)
{
	static const struct { const char *s; enum tok t; int rel; } ops[] = {
		{ "&&", T_AND, 0 }, { "||", T_OR, 0 }, { "==", T_REL, USCOPE_FOP_EQ },
		{ "!=", T_REL, USCOPE_FOP_NE }, { "<=", T_REL, USCOPE_FOP_LE }, { ">=", T_REL, USCOPE_FOP_GE },
		{ "<", T_REL, USCOPE_FOP_LT }, { ">", T_REL, USCOPE_FOP_GT }, { "!", T_NOT, 0 },
		{ "&", T_BAND, 0 }, { "(", T_LP, 0 }, { ")", T_RP, 0 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i].s);
		if (!strncmp(ps->p, ops[i].s, n)) {
			ps->p += n;
			ps->rel = ops[i].rel;
			return ops[i].t;
		}
	}
	fail(ps, "unexpected character");
	return T_BAD;
}

static void next(struct parser *ps)
{
	size_t n = 0;

	while (isspace((unsigned char)*ps->p))
		ps->p++;
	ps->tok_at = ps->p;
	if (!*ps->p) {
		ps->tok = T_END;
	} else if (isdigit((unsigned char)*ps->p) || (*ps->p == '-' && isdigit((unsigned char)ps->p[1]))) {
		ps->neg = *ps->p == '-';
		ps->p += ps->neg;
		ps->tok = lex_number(ps) < 0 ? T_BAD : T_INT;
	} else if (*ps->p == '"') {
		ps->tok = lex_string(ps) < 0 ? T_BAD : T_STR;
	} else if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		while (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
			n++;
		if (n >= sizeof(ps->ident)) {
			fail(ps, "name too long");
			ps->tok = T_BAD;
			return;
		}
		memcpy(ps->ident, ps->p, n);
		ps->ident[n] = 0;
		ps->p += n;
		ps->tok = T_IDENT;
	} else {
		ps->tok = lex_op(ps);
	}
}

static struct fnode *node(struct parser *ps, enum fnode_kind kind, struct fnode *a, struct fnode *b)
{
	struct fnode *n = calloc(1, sizeof(*n));

	if (!n) {
		if (!ps->err)
			err_msg("out of memory");
		ps->err = -ENOMEM;
		fnode_free_tree(a);
		fnode_free_tree(b);
		return NULL;
	}
	n->kind = kind;
	n->a = a;
	n->b = b;
	n->op = -1;
	n->rhs = -1;
	n->mask = ~0ull;
	return n;
}

void fnode_free_tree(struct fnode *n)
{
	if (!n)
		return;
	fnode_free_tree(n->a);
	fnode_free_tree(n->b);
	free(n->name);
	free(n->str);
	free(n->text);
	free(n);
}

/* argN (0..11) -> N, else -1. */
static int arg_index(const char *id)
{
	char *end;
	long n;

	if (strncmp(id, "arg", 3) || !isdigit((unsigned char)id[3]))
		return -1;
	n = strtol(id + 3, &end, 10);
	return *end || n >= USCOPE_MAX_ARGS || (id[3] == '0' && id[4]) ? -1 : n;
}

/* The operand named by the identifier just read (str( handled here too). */
static int parse_value(struct parser *ps, struct fnode *t)
{
	static const struct { const char *s; int o; } words[] = {
		{ "ret", USCOPE_OPND_RET }, { "pid", USCOPE_OPND_PID }, { "tid", USCOPE_OPND_TID },
		{ "uid", USCOPE_OPND_UID }, { "comm", USCOPE_OPND_COMM },
	};
	size_t i;
	int n;

	if (!strcmp(ps->ident, "str")) {
		next(ps);
		if (ps->tok != T_LP)
			return fail(ps, "expected '(' after str");
		next(ps);
		if (ps->tok != T_IDENT || !strcmp(ps->ident, "ret"))
			return fail(ps, "expected an argument (argN or a name) in str()");
		n = arg_index(ps->ident);
		t->operand = USCOPE_OPND_STR;
		if (n >= 0)
			t->arg = n;
		else if (!(t->name = strdup(ps->ident)))
			return fail(ps, "out of memory");
		next(ps);
		if (ps->tok != T_RP)
			return fail(ps, "expected ')' after str(argument");
		next(ps);
		return 0;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcmp(ps->ident, words[i].s)) {
			t->operand = words[i].o;
			next(ps);
			return 0;
		}
	}
	n = arg_index(ps->ident);
	if (n >= 0) {
		t->operand = USCOPE_OPND_ARG0 + n;
	} else if (!strncmp(ps->ident, "arg", 3) && isdigit((unsigned char)ps->ident[3])) {
		return fail(ps, "no such argument (arg0 to arg11)");
	} else {
		t->operand = USCOPE_OPND_ARG0;	/* resolved per site */
		if (!(t->name = strdup(ps->ident)))
			return fail(ps, "out of memory");
	}
	next(ps);
	return 0;
}

static bool is_string_operand(const struct fnode *t)
{
	return t->operand == USCOPE_OPND_COMM || t->operand == USCOPE_OPND_STR;
}

/* The constant after a relational operator, type-checked against T's operand. */
static int parse_const(struct parser *ps, struct fnode *t)
{
	if (ps->tok == T_BAD)
		return -EINVAL;
	if (is_string_operand(t)) {
		if (ps->tok != T_STR)
			return fail(ps, "type mismatch: a string (comm, str()) is compared with a \"string\"");
		if (t->op != USCOPE_FOP_EQ && t->op != USCOPE_FOP_NE)
			return fail(ps, "strings compare with == and != only");
		if (t->operand == USCOPE_OPND_COMM && strlen(ps->sval) >= USCOPE_COMM_LEN)
			return fail(ps, "comm is at most 15 characters");
		if (!(t->str = strdup(ps->sval)))
			return fail(ps, "out of memory");
		next(ps);
		return 0;
	}
	if (ps->tok == T_STR)
		return fail(ps, "type mismatch: an integer is compared with a string (use str(argN))");
	if (ps->tok == T_IDENT && !t->name && t->operand != USCOPE_OPND_STR) {
		struct fnode r = { .op = -1 };

		if (parse_value(ps, &r))
			return -EINVAL;
		free(r.name);
		if (r.name || r.operand == USCOPE_OPND_COMM || r.operand == USCOPE_OPND_STR)
			return fail(ps, "only argN, ret, pid, tid and uid compare with each other");
		t->rhs = r.operand;
		return 0;
	}
	if (ps->tok != T_INT)
		return fail(ps, "expected an integer constant (a test compares a value with a constant)");
	if (ps->neg && ps->ival > (1ull << 63))
		return fail(ps, "negative number does not fit in 64 bits");
	t->value = ps->neg ? -ps->ival : ps->ival;
	t->negative = ps->neg && ps->ival;
	next(ps);
	return 0;
}

static const int mirror[] = {
	[USCOPE_FOP_EQ] = USCOPE_FOP_EQ, [USCOPE_FOP_NE] = USCOPE_FOP_NE, [USCOPE_FOP_LT] = USCOPE_FOP_GT,
	[USCOPE_FOP_LE] = USCOPE_FOP_GE, [USCOPE_FOP_GT] = USCOPE_FOP_LT, [USCOPE_FOP_GE] = USCOPE_FOP_LE,
};

static struct fnode *parse_or(struct parser *ps);

/* A value, an optional "& MASK", an optional comparison. */
static int parse_test_tail(struct parser *ps, struct fnode *t)
{
	if (ps->tok == T_BAND) {
		if (is_string_operand(t))
			return fail(ps, "type mismatch: '&' on a string");
		next(ps);
		if (ps->tok != T_INT || ps->neg)
			return fail(ps, "expected a non-negative integer mask after '&'");
		t->mask = ps->ival;
		next(ps);
	}
	if (ps->tok == T_REL) {
		t->op = ps->rel;
		next(ps);
		return parse_const(ps, t);
	}
	if (is_string_operand(t))
		return fail(ps, "a string must be compared (== \"...\" or != \"...\")");
	return 0;
}

/* CONST relop value: mirrored into value relop' CONST. */
static int parse_const_first(struct parser *ps, struct fnode *t)
{
	struct fnode c = { .op = -1 };

	if (ps->tok != T_INT)
		return fail(ps, "a string constant must follow comm == or str(argN) ==");
	if (parse_const(ps, &c))
		return -EINVAL;
	if (ps->tok != T_REL)
		return fail(ps, "expected a comparison after the constant");
	t->op = mirror[ps->rel];
	next(ps);
	if (ps->tok != T_IDENT)
		return fail(ps, "expected a value (argN, ret, pid, tid, uid, comm, str(argN), a name)");
	if (parse_value(ps, t))
		return -EINVAL;
	if (is_string_operand(t))
		return fail(ps, "type mismatch: a string is compared with an integer");
	t->value = c.value;
	t->negative = c.negative;
	return 0;
}

static struct fnode *parse_test(struct parser *ps)
{
	const char *start = ps->tok_at;
	struct fnode *t = node(ps, FN_TEST, NULL, NULL);
	int err;

	if (!t)
		return NULL;
	if (ps->tok == T_IDENT)
		err = parse_value(ps, t) || parse_test_tail(ps, t);
	else if (ps->tok == T_INT || ps->tok == T_STR)
		err = parse_const_first(ps, t);
	else
		err = fail(ps, "expected a test");
	if (!err && !(t->text = strndup(start, ps->tok_at - start)))
		err = fail(ps, "out of memory");
	if (err) {
		fnode_free_tree(t);
		return NULL;
	}
	while (t->text[0] && isspace((unsigned char)t->text[strlen(t->text) - 1]))
		t->text[strlen(t->text) - 1] = 0;
	return t;
}

static struct fnode *parse_unary(struct parser *ps)
{
	struct fnode *n;

	if (ps->tok == T_NOT) {
		next(ps);
		n = parse_unary(ps);
		return n ? node(ps, FN_NOT, n, NULL) : NULL;
	}
	if (ps->tok != T_LP)
		return parse_test(ps);
	next(ps);
	n = parse_or(ps);
	if (!n)
		return NULL;
	if (ps->tok != T_RP) {
		fail(ps, "expected ')'");
		fnode_free_tree(n);
		return NULL;
	}
	next(ps);
	/* "(arg0 & 0xf) == 3": a parenthesised bare test takes the comparison. */
	if (ps->tok == T_REL) {
		if (n->kind != FN_TEST || n->op >= 0) {
			fail(ps, "only a value (argN & MASK) can be compared");
			fnode_free_tree(n);
			return NULL;
		}
		n->op = ps->rel;
		next(ps);
		if (parse_const(ps, n)) {
			fnode_free_tree(n);
			return NULL;
		}
	}
	return n;
}

/* SUB { OP SUB }, left-associative, into KIND nodes. */
static struct fnode *parse_chain(struct parser *ps, enum tok op, enum fnode_kind kind,
				 struct fnode *(*sub)(struct parser *))
{
	struct fnode *l = sub(ps), *r;

	while (l && ps->tok == op) {
		next(ps);
		r = sub(ps);
		if (!r) {
			fnode_free_tree(l);
			return NULL;
		}
		l = node(ps, kind, l, r);
	}
	return l;
}

static struct fnode *parse_and(struct parser *ps)
{
	return parse_chain(ps, T_AND, FN_AND, parse_unary);
}

static struct fnode *parse_or(struct parser *ps)
{
	return parse_chain(ps, T_OR, FN_OR, parse_and);
}

int filter__parse(const char *expr, struct filter_expr *out)
{
	struct parser ps = { .expr = expr, .p = expr };

	memset(out, 0, sizeof(*out));
	out->text = expr;
	next(&ps);
	if (ps.tok == T_END) {
		err_msg("--filter: empty expression");
		return -EINVAL;
	}
	out->root = parse_or(&ps);
	if (out->root && ps.tok != T_END)
		fail(&ps, ps.tok == T_RP ? "unbalanced ')'" : "expected && or || or the end");
	if (ps.err || !out->root) {
		fnode_free_tree(out->root);
		out->root = NULL;
		return ps.err ? ps.err : -EINVAL;
	}
	return 0;
}

void filter__free(struct filter_expr *f)
{
	fnode_free_tree(f->root);
	f->root = NULL;
}

bool fnode__uses_ret(const struct fnode *n)
{
	if (!n)
		return false;
	if (n->kind == FN_TEST)
		return n->operand == USCOPE_OPND_RET;
	return fnode__uses_ret(n->a) || fnode__uses_ret(n->b);
}

bool fnode__uses_args(const struct fnode *n)
{
	if (!n)
		return false;
	if (n->kind == FN_TEST)
		return n->operand < USCOPE_OPND_RET || n->operand == USCOPE_OPND_STR || n->name;
	return fnode__uses_args(n->a) || fnode__uses_args(n->b);
}
