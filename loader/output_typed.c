// SPDX-License-Identifier: BSD-2-Clause
/*
 * output_typed: how does an event print when the binary's DWARF gives the
 * function's signature? Entry events show the real number of arguments with
 * their names and C types (`f(x=3, y=-8, ok=true, p=0x7ffd..., s="text")`,
 * JSON "args" plus "arg_names"); returns follow the declared return type.
 * Without a signature output.c prints raw registers, as always. Enums print
 * their enumerator's name (a JSON string), or the number when no enumerator
 * has that value. Floats and by-value
 * structs are `?` (JSON null), and so is every argument after one, since its
 * register is not computed; a note says so once.
 */
#include <string.h>
#include "output.h"
#include "binaries.h"
#include "util.h"
#include "../helpers/dwarf_sigs.h"

/* The site's signature, or NULL (no DWARF, a raw --offset, or two definitions that disagree). */
const struct dwarf_sig *typed__sig(const struct plan *plan, const struct site *s)
{
	const struct dwarf_sig_list *l;
	const struct dwarf_sig *sig;

	if (s->kind == USCOPE_SITE_USDT)
		return NULL;
	l = binary__sigs(plan__bin(plan, s->bin));
	sig = l && l->has_dwarf ? dwarf_sigs__find(l, s->name) : NULL;
	return sig && !sig->ambiguous ? sig : NULL;
}

/*
 * The --str mask the BPF side reads: the user's, plus every `char *`
 * argument (below NARGS, the registers read) of the entry sites, while
 * there is room for USCOPE_MAX_STRS. The mask is per run, so argument K is
 * read as a string at every site; only sites whose K is a `char *` print it.
 */
uint16_t typed__str_mask(const struct plan *plan, uint16_t mask, int nargs)
{
	bool full = false;
	size_t i;
	int k;

	for (i = 0; i < plan->nsites; i++) {
		const struct dwarf_sig *sig = plan->sites[i].kind == USCOPE_SITE_ENTRY ?
					      typed__sig(plan, &plan->sites[i]) : NULL;

		for (k = 0; sig && k < sig->nparams && k < nargs; k++) {
			if (sig->params[k].type.cls != DWC_CHAR_PTR || (mask & (1u << k)))
				continue;
			if (__builtin_popcount(mask) < USCOPE_MAX_STRS)
				mask |= 1u << k;
			else
				full = true;
		}
	}
	if (full)
		err_msg("note: more than %d argument positions are `char *`; the others print as pointers",
			USCOPE_MAX_STRS);
	return mask;
}

static void note_once(struct output *o, const char *what)
{
	static bool said;

	if (said)
		return;
	said = true;
	fprintf(o->log, "note: %s print as ? (not read from registers); so does every argument after one\n",
		what);
}

/* V, a register holding a value of type T, as T says; false when it cannot be read (`?`). */
static bool print_typed(struct output *o, const struct dwarf_type *t, uint64_t v)
{
	unsigned int bits = t->size && t->size < 8 ? t->size * 8 : 64;

	if (t->cls == DWC_FLOAT || t->cls == DWC_AGGREGATE || t->cls == DWC_OTHER || t->cls == DWC_VOID)
		return false;
	if (t->cls == DWC_BOOL) {
		fputs(v & 0xff ? "true" : "false", o->f);
		return true;
	}
	if (t->cls == DWC_PTR || t->cls == DWC_CHAR_PTR) {
		fprintf(o->f, o->json ? "%llu" : "0x%llx", (unsigned long long)v);
		return true;
	}
	if (bits < 64 && t->is_signed)
		v = (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
	else if (bits < 64)
		v &= (1ull << bits) - 1;
	if (t->cls == DWC_ENUM && dwarf_type__enum_name(t, (long long)v)) {
		o->json ? json_string(o->f, dwarf_type__enum_name(t, (long long)v))
			: (void)fputs(dwarf_type__enum_name(t, (long long)v), o->f);
		return true;
	}
	if (o->hex && !o->json)
		fprintf(o->f, "0x%llx", (unsigned long long)(bits < 64 ? v & ((1ull << bits) - 1) : v));
	else
		fprintf(o->f, t->is_signed ? "%lld" : "%llu", (long long)v);
	return true;
}

/* Argument I's string into BUF (USCOPE_STR_MAX_LEN + 1 bytes), when it was read as one (str_ok bit of its rank in the mask). */
const char *typed__arg_str(const struct output *o, const struct uscope_event *e, int i, char *buf)
{
	int k = __builtin_popcount(o->read_mask & ((1u << i) - 1));

	if (!(o->read_mask & (1u << i)) || !(e->str_ok & (1u << k)))
		return NULL;
	memcpy(buf, (const char *)(e + 1) + (size_t)k * o->str_len, o->str_len);
	buf[o->str_len] = 0;
	return buf;
}

/* Was argument I's string longer than its slot (str_ok cut bit)? */
bool typed__arg_cut(const struct output *o, const struct uscope_event *e, int i)
{
	int k = __builtin_popcount(o->read_mask & ((1u << i) - 1));

	return o->read_mask & (1u << i) && e->str_ok & (1u << (k + USCOPE_STR_CUT_SHIFT));
}

/* A string as text: quoted, and `...` after the quote when the target's string went on. */
void typed__put_str(struct output *o, const struct uscope_event *e, int i, const char *str)
{
	json_string(o->f, str);
	if (!o->json && typed__arg_cut(o, e, i))
		fputs("...", o->f);
}

static void print_param(struct output *o, const struct dwarf_param *p, const struct uscope_event *e, int i,
			bool *lost)
{
	char buf[USCOPE_STR_MAX_LEN + 1];
	const char *str = p->type.cls == DWC_CHAR_PTR ? typed__arg_str(o, e, i, buf) : NULL;

	if (!o->json)
		fprintf(o->f, "%s=", *p->name ? p->name : "?");
	if (str)
		typed__put_str(o, e, i, str);
	else if (*lost || i >= e->nargs || !print_typed(o, &p->type, e->args[i])) {
		fputs(o->json ? "null" : "?", o->f);
		if (!*lost && i < e->nargs)
			note_once(o, "float and by-value struct arguments");
		*lost = *lost || i < e->nargs;
	}
}

/* Entry: `(x=3, y=8)` or `, "args": [3, 8], "arg_names": ["x", "y"]`; --args N still cuts. */
void typed__args(struct output *o, const struct dwarf_sig *sig, const struct uscope_event *e)
{
	int i, n = sig->nparams < e->nargs ? sig->nparams : e->nargs, shown = 0;
	bool lost = sig->regs_unknown;	/* no parameter's register is known */

	if (lost && n > 0)
		note_once(o, "parameters of a function returning a C++ class whose passing is not known");
	fputs(o->json ? ", \"args\": [" : "(", o->f);
	for (i = 0; i < n; i++) {
		if (sig->params[i].hidden)	/* the return slot: params[i] is register i all the same */
			continue;
		if (shown++)
			fputs(", ", o->f);
		print_param(o, &sig->params[i], e, i, &lost);
	}
	if (!o->json) {
		fputs(n < sig->nparams || sig->more_params ? (n ? ", ...)" : "...)") : ")", o->f);
		return;
	}
	fputs("], \"arg_names\": [", o->f);
	for (i = 0, shown = 0; i < n; i++) {
		if (sig->params[i].hidden)
			continue;
		fputs(shown++ ? ", " : "", o->f);
		json_string(o->f, sig->params[i].name);
	}
	fputc(']', o->f);
}

/* Return: the register as the declared return type; void or unreadable is `?` (JSON null). */
void typed__ret(struct output *o, const struct dwarf_sig *sig, const struct uscope_event *e)
{
	if (!print_typed(o, &sig->ret, e->args[0]))
		fputs(o->json ? "null" : "?", o->f);
}
