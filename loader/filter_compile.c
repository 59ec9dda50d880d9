// SPDX-License-Identifier: BSD-2-Clause
/*
 * filter_compile: what program of comparison steps does each site run?
 *
 * The tree from filter_parse.c is compiled once per site, because the
 * meaning of a test depends on the site: arg2 exists on one USDT probe and
 * not on another, is signed by one note's spec and unsigned by another's, and
 * `ret` exists only on returns. && || ! are compiled the classic way, into
 * jumps: each test is one step whose true and false exits are patched to the
 * next test to try, or to ACCEPT / REJECT. Every jump goes forward, so the
 * BPF interpreter needs one bounded pass. Sites whose steps come out the same
 * (usually all of them) share one record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "plan.h"
#include "../helpers/dwarf_sigs.h"
#include "util.h"

/* What a site offers a filter: its arguments and return value, and their types. */
struct site_view {
	char probe[256];	/* the probe as a user would write it, for messages */
	int kind;		/* enum uscope_site_kind */
	int nargs;		/* arguments it has */
	bool nargs_exact;	/* false: functions without DWARF (up to 6 registers) */
	bool is_signed[USCOPE_MAX_ARGS];
	uint8_t shift[USCOPE_MAX_ARGS];	/* 64 - bits of the C type (DWARF), 0: 64-bit */
	const char *unreadable[USCOPE_MAX_ARGS];	/* why argN cannot be read, NULL: it can */
	const char *names[USCOPE_MAX_ARGS];	/* DWARF parameter names, NULL: unknown */
	bool ret_signed;
	uint8_t ret_shift;
	const char *ret_unreadable;
	const char *func;	/* for "x of FUNC" in messages */
};

/* Holes to patch: step index << 1 | (0: on_true, 1: on_false). */
struct jumps {
	unsigned int n;
	uint8_t at[2 * USCOPE_FILTER_STEPS];
};

struct emitter {
	const struct filter_expr *expr;
	const struct site_view *sv;
	struct uscope_filter f;
	int nstrs;
	const char *what;	/* "--by key", or NULL: "--filter test" */
};

static void patch(struct uscope_filter *f, const struct jumps *j, uint8_t target)
{
	unsigned int i;

	for (i = 0; i < j->n; i++) {
		struct uscope_filter_step *st = &f->steps[j->at[i] >> 1];

		if (j->at[i] & 1)
			st->on_false = target;
		else
			st->on_true = target;
	}
}

static void join(struct jumps *dst, const struct jumps *src)
{
	memcpy(dst->at + dst->n, src->at, src->n);
	dst->n += src->n;
}

static int site_err(const struct emitter *em, const struct fnode *t, const char *fmt, const char *what)
{
	char why[512];

	snprintf(why, sizeof(why), fmt, what);
	err_msg("probe '%s': %s '%s': %s", em->sv->probe, em->what ? em->what : "--filter test", t->text, why);
	return -EINVAL;
}

/* Check that the site has argument N; name it in the message otherwise. */
static int check_arg(const struct emitter *em, const struct fnode *t, int n)
{
	char a[48];

	snprintf(a, sizeof(a), "arg%d", n);
	if (em->sv->kind == USCOPE_SITE_RETURN)
		return site_err(em, t, "a return probe has no argument %s (only ret)", a);
	if (n < em->sv->nargs && em->sv->unreadable[n])
		return site_err(em, t, "%s", em->sv->unreadable[n]);
	if (n < em->sv->nargs)
		return 0;
	if (!em->sv->nargs_exact)
		return site_err(em, t, "no argument %s: functions pass at most 6 in registers", a);
	if (em->sv->nargs == 0)
		return site_err(em, t, "no argument %s: the probe has no arguments", a);
	snprintf(a + strlen(a), sizeof(a) - strlen(a), ": the probe has %d", em->sv->nargs);
	return site_err(em, t, em->sv->nargs == 1 ? "no argument %s argument (arg0)" :
			"no argument %s arguments (arg0 to the last)", a);
}

static int add_string(struct emitter *em, const struct fnode *t, __u64 *idx)
{
	int i;

	for (i = 0; i < em->nstrs; i++)
		if (!strcmp(em->f.strs[i], t->str))
			break;
	if (i == em->nstrs) {
		if (i == USCOPE_FILTER_STRS)
			return site_err(em, t, "too many string constants (at most %s)", "4");
		strcpy(em->f.strs[em->nstrs++], t->str);
	}
	*idx = i;
	return 0;
}

/* The index of the parameter called NAME, or a message naming the probe. */
static int arg_by_name(const struct emitter *em, const struct fnode *t, const char *name, int *n)
{
	int i;

	for (i = 0; i < em->sv->nargs; i++) {
		if (em->sv->names[i] && !strcmp(em->sv->names[i], name)) {
			*n = i;
			return 0;
		}
	}
	if (em->sv->kind == USCOPE_SITE_RETURN)
		return site_err(em, t, "a return probe has no argument '%s' (only ret)", name);
	return site_err(em, t, em->sv->names[0] ? "no argument named '%s'" :
			"no argument named '%s' (argument names need DWARF)", name);
}

static int string_step(struct emitter *em, const struct fnode *t, struct uscope_filter_step *st)
{
	int n = t->arg;

	if (t->operand == USCOPE_OPND_STR) {
		if (t->name && arg_by_name(em, t, t->name, &n))
			return -EINVAL;
		if (check_arg(em, t, n))
			return -EINVAL;
		if (em->f.str_arg >= 0 && em->f.str_arg != n)
			return site_err(em, t, "str() of %s argument per filter", "only one");
		em->f.str_arg = n;
		em->f.need |= 1u << (USCOPE_OPND_ARG0 + n);
	}
	st->op = t->op;
	return add_string(em, t, &st->value);
}

/* One test -> one step, typed for this site. */
static int test_step(struct emitter *em, const struct fnode *t, struct uscope_filter_step *st)
{
	bool sgn = false;
	int o = t->operand;

	memset(st, 0, sizeof(*st));
	if (o == USCOPE_OPND_COMM || o == USCOPE_OPND_STR) {
		st->operand = o;
		em->f.need |= 1u << o;
		return string_step(em, t, st);
	}
	if (t->name) {
		int n;

		if (arg_by_name(em, t, t->name, &n))
			return -EINVAL;
		o = USCOPE_OPND_ARG0 + n;
	}
	st->operand = o;
	st->mask = t->mask;
	em->f.need |= 1u << o;
	if (o < USCOPE_OPND_RET) {
		if (check_arg(em, t, o - USCOPE_OPND_ARG0))
			return -EINVAL;
		sgn = em->sv->is_signed[o - USCOPE_OPND_ARG0];
		st->shift = em->sv->shift[o - USCOPE_OPND_ARG0];
	} else if (o == USCOPE_OPND_RET) {
		if (em->sv->kind != USCOPE_SITE_RETURN)
			return site_err(em, t, "ret exists on return probes only (ret:%s)",
					em->sv->kind == USCOPE_SITE_ENTRY ? em->sv->probe : "FUNC");
		if (em->sv->ret_unreadable)
			return site_err(em, t, "%s", em->sv->ret_unreadable);
		sgn = em->sv->ret_signed;
		st->shift = em->sv->ret_shift;
	}
	if (t->rhs >= 0) {
		if (t->rhs < USCOPE_OPND_RET && check_arg(em, t, t->rhs - USCOPE_OPND_ARG0))
			return -EINVAL;
		if (t->rhs == USCOPE_OPND_RET && em->sv->kind != USCOPE_SITE_RETURN)
			return site_err(em, t, "ret exists on return probes only (%s)", "ret:FUNC");
		em->f.need |= 1u << t->rhs;
		st->flags |= USCOPE_FSTEP_OPERAND;
	}
	if (t->mask != ~0ull)
		sgn = false;	/* bits are bits */
	st->op = t->op < 0 ? USCOPE_FOP_NE : t->op;
	st->value = t->op < 0 ? 0 : t->rhs >= 0 ? (uint64_t)t->rhs : t->value;
	st->flags |= sgn ? USCOPE_FSTEP_SIGNED : 0;
	if (!sgn && t->negative && st->op != USCOPE_FOP_EQ && st->op != USCOPE_FOP_NE)
		return site_err(em, t, "the value is %s, so ordering it against a negative number is always the "
				"same; compare with == or a non-negative bound", "unsigned");
	return 0;
}

static int emit(struct emitter *em, const struct fnode *n, struct jumps *t, struct jumps *f)
{
	struct jumps t2 = {}, f2 = {};
	unsigned int idx;

	switch (n->kind) {
	case FN_TEST:
		idx = em->f.nsteps;
		if (idx >= USCOPE_FILTER_STEPS) {
			err_msg("--filter '%s': too many tests (at most %d)", em->expr->text, USCOPE_FILTER_STEPS);
			return -EINVAL;
		}
		if (test_step(em, n, &em->f.steps[idx]))
			return -EINVAL;
		em->f.nsteps++;
		*t = (struct jumps){ .n = 1, .at = { idx << 1 } };
		*f = (struct jumps){ .n = 1, .at = { idx << 1 | 1 } };
		return 0;
	case FN_NOT:
		return emit(em, n->a, f, t);
	case FN_AND:
		if (emit(em, n->a, t, f))
			return -EINVAL;
		patch(&em->f, t, em->f.nsteps);
		if (emit(em, n->b, &t2, &f2))
			return -EINVAL;
		*t = t2;
		join(f, &f2);
		return 0;
	case FN_OR:
		if (emit(em, n->a, t, f))
			return -EINVAL;
		patch(&em->f, f, em->f.nsteps);
		if (emit(em, n->b, &t2, &f2))
			return -EINVAL;
		join(t, &t2);
		*f = f2;
		return 0;
	}
	return -EINVAL;
}

/* The top-level && chain of N, flattened into OUT (at most USCOPE_FILTER_STEPS). */
static size_t conjuncts(const struct fnode *n, const struct fnode **out, size_t k)
{
	if (n->kind == FN_AND)
		return conjuncts(n->b, out, conjuncts(n->a, out, k));
	if (k < USCOPE_FILTER_STEPS)
		out[k] = n;
	return k + 1;
}

/*
 * Compile the conjuncts of the tree that this site evaluates into EM->f.
 * Returns 1 if there were any, 0 if the site is not filtered, or -EINVAL.
 */
static int compile_site(struct emitter *em, bool latency)
{
	const struct fnode *c[USCOPE_FILTER_STEPS];
	struct jumps fails = {}, t, f;
	size_t n = conjuncts(em->expr->root, c, 0), i, used = 0;

	if (n > USCOPE_FILTER_STEPS) {
		err_msg("--filter '%s': too many tests (at most %d)", em->expr->text, USCOPE_FILTER_STEPS);
		return -EINVAL;
	}
	memset(&em->f, 0, sizeof(em->f));
	em->f.str_arg = -1;
	em->nstrs = 0;
	for (i = 0; i < n; i++) {
		if (latency && fnode__uses_ret(c[i]) != (em->sv->kind == USCOPE_SITE_RETURN))
			continue;	/* the other half of the call decides this one */
		if (emit(em, c[i], &t, &f))
			return -EINVAL;
		patch(&em->f, &t, em->f.nsteps);
		join(&fails, &f);
		used++;
	}
	/* The last conjunct's true exit was patched to nsteps: make it ACCEPT. */
	for (i = 0; i < em->f.nsteps; i++) {
		if (em->f.steps[i].on_true == em->f.nsteps)
			em->f.steps[i].on_true = USCOPE_FILTER_ACCEPT;
		if (em->f.steps[i].on_false == em->f.nsteps)
			em->f.steps[i].on_false = USCOPE_FILTER_ACCEPT;
	}
	patch(&em->f, &fails, USCOPE_FILTER_REJECT);
	return used > 0;
}

/* --latency: a conjunct that mixes ret and arguments has no single place to run. */
static int check_latency_split(const struct filter_expr *fe)
{
	const struct fnode *c[USCOPE_FILTER_STEPS];
	size_t n = conjuncts(fe->root, c, 0), i;

	for (i = 0; i < n && i < USCOPE_FILTER_STEPS; i++) {
		if (fnode__uses_ret(c[i]) && fnode__uses_args(c[i])) {
			err_msg("--filter '%s' with --latency: '%s' mixes ret and arguments; only tests joined "
				"by a top-level && can be split between entry and return", fe->text,
				c[i]->kind == FN_TEST ? c[i]->text : "(...)");
			return -EINVAL;
		}
	}
	return 0;
}

/* Shift that sign- or zero-extends a value of SIZE bytes, for integer-like classes. */
static uint8_t width_shift(const struct dwarf_type *t)
{
	return t->size && t->size < 8 ? 64 - 8 * t->size : 0;
}

static const char *unreadable_why(const struct dwarf_type *t)
{
	if (t->cls == DWC_FLOAT)
		return "a floating-point value (passed in an SSE register, not read)";
	if (t->cls == DWC_AGGREGATE)
		return "a struct/union/array passed by value (not read)";
	return NULL;
}

/* A function's site: argument count, names, widths and signedness from DWARF, when there is one. */
static void site_view_dwarf(const struct plan *plan, const struct site *s, struct site_view *sv)
{
	const struct dwarf_sig_list *l = binary__sigs(plan__bin(plan, s->bin));
	const struct dwarf_sig *sig = l ? dwarf_sigs__find(l, s->name) : NULL;
	const char *after = NULL;
	int i;

	if (!sig || sig->ambiguous)
		return;
	if (sig->regs_unknown)
		after = "the function returns a C++ class whose passing (registers or memory) is not known, so no argument's register is";
	sv->nargs_exact = !sig->more_params;
	sv->nargs = sig->nparams < USCOPE_FUNC_ARGS ? sig->nparams : USCOPE_FUNC_ARGS;
	for (i = 0; i < sv->nargs; i++) {
		const struct dwarf_type *t = &sig->params[i].type;

		sv->names[i] = *sig->params[i].name ? sig->params[i].name : NULL;	/* the hidden return slot: "" */
		sv->is_signed[i] = t->is_signed;
		sv->shift[i] = t->cls == DWC_PTR || t->cls == DWC_CHAR_PTR ? 0 : width_shift(t);
		sv->unreadable[i] = after ? after : unreadable_why(t);
		if (unreadable_why(t))	/* the register of every later argument is not computed */
			after = "after a float or by-value struct argument (its register is not computed)";
	}
	sv->ret_signed = sig->ret.is_signed;
	sv->ret_shift = width_shift(&sig->ret);
	sv->ret_unreadable = sig->ret.cls == DWC_VOID ? "the function returns void" : unreadable_why(&sig->ret);
}

static void site_view(const struct plan *plan, const struct site *s, struct site_view *sv)
{
	const char *prefix[] = { "", "ret:", "usdt:" };
	uint32_t l;
	int i;

	memset(sv, 0, sizeof(*sv));
	sv->kind = s->kind;
	snprintf(sv->probe, sizeof(sv->probe), "%s%s", prefix[s->kind % 3], s->name);
	if (s->kind != USCOPE_SITE_USDT) {
		sv->nargs = USCOPE_FUNC_ARGS;	/* no DWARF: unsigned 64-bit registers */
		site_view_dwarf(plan, s, sv);
		return;
	}
	sv->nargs_exact = true;
	sv->nargs = USCOPE_MAX_ARGS;
	for (l = s->first_loc; l < s->first_loc + s->nlocs; l++) {
		if (plan->locs[l].nargs < sv->nargs)	/* every location must have the argument */
			sv->nargs = plan->locs[l].nargs;
	}
	for (i = 0; s->nlocs && i < sv->nargs; i++)
		sv->is_signed[i] = plan->locs[s->first_loc].arg_signed[i];
}

int filter__site_operand(const struct plan *plan, size_t site, int operand, int arg, const char *text,
			 bool *is_signed, uint8_t *shift)
{
	struct fnode t = { .kind = FN_TEST, .operand = operand, .text = (char *)text, .rhs = -1, .mask = ~0ull,
			   .op = -1 };
	struct emitter em = { .what = "--by key" };
	struct site_view sv;
	struct uscope_filter_step st;

	site_view(plan, &plan->sites[site], &sv);
	em.sv = &sv;
	em.f.str_arg = -1;
	*is_signed = false;
	if (shift)
		*shift = 0;
	if (operand == USCOPE_OPND_COMM)
		return 0;
	if (operand == USCOPE_OPND_STR)
		return check_arg(&em, &t, arg);
	if (test_step(&em, &t, &st))
		return -EINVAL;
	if (shift)
		*shift = st.shift;
	else if (st.shift)
		return site_err(&em, &t, "a %s-byte value: --hist reads whole registers (not done yet)",
				st.shift == 32 ? "4" : st.shift == 48 ? "2" : "1");
	*is_signed = st.flags & USCOPE_FSTEP_SIGNED;
	return 0;
}

/* Index of F in OUT's programs, added if new; negative errno on failure. */
static int intern(struct filter_set *out, const struct uscope_filter *f)
{
	struct uscope_filter *p;
	size_t i;

	for (i = 0; i < out->nprogs; i++)
		if (!memcmp(&out->progs[i], f, sizeof(*f)))
			return i;
	p = realloc(out->progs, (out->nprogs + 1) * sizeof(*p));
	if (!p) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	out->progs = p;
	p[out->nprogs] = *f;
	return out->nprogs++;
}

/* OUT's entry_prog / entry_go: one program for every entry site, of one ABI, or -1. */
static void find_entry_prog(struct filter_set *out, const struct plan *plan)
{
	bool seen = false;
	size_t i;

	out->entry_prog = -1;
	for (i = 0; i < plan->nsites; i++) {
		const struct site *s = &plan->sites[i];
		bool go = s->cflags & USCOPE_COOKIE_GO;

		if (s->kind != USCOPE_SITE_ENTRY)
			continue;
		if (out->ids[i] == USCOPE_FILTER_NONE || (seen && (out->ids[i] != (uint32_t)out->entry_prog ||
								      go != out->entry_go))) {
			out->entry_prog = -1;
			return;
		}
		out->entry_prog = out->ids[i];
		out->entry_go = go;
		seen = true;
	}
}

int filter__compile(const struct filter_expr *fe, const struct plan *plan, bool latency,
		    struct filter_set *out)
{
	struct emitter em = { .expr = fe };
	struct site_view sv;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	if (latency && check_latency_split(fe))
		return -EINVAL;
	out->ids = calloc(plan->nsites + 1, sizeof(*out->ids));
	if (!out->ids) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	out->nids = plan->nsites;
	em.sv = &sv;
	for (i = 0; i < plan->nsites; i++) {
		site_view(plan, &plan->sites[i], &sv);
		r = compile_site(&em, latency);
		out->ids[i] = USCOPE_FILTER_NONE;
		if (r > 0) {
			r = intern(out, &em.f);
			out->ids[i] = r;
		}
		if (r < 0) {
			filter_set__free(out);
			return r;
		}
	}
	find_entry_prog(out, plan);
	return 0;
}

void filter_set__free(struct filter_set *s)
{
	free(s->ids);
	free(s->progs);
	memset(s, 0, sizeof(*s));
}
