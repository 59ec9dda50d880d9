// SPDX-License-Identifier: BSD-2-Clause
/*
 * Inlined calls at an address, from a per-unit index of function ranges (see
 * symbolize_inline.h for why not dwarf_getscopes). The index holds, per
 * compile unit seen, every address range of every function with code
 * (DW_TAG_subprogram with low_pc/high_pc or DW_AT_ranges, including those in
 * namespaces, classes and imported partial units), sorted by start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dwarf.h>
#include "symbolize_inline.h"

struct fn_range {
	Dwarf_Addr lo, hi;
	Dwarf_Die die;
};

struct unit {
	Dwarf_Off off;		/* the unit DIE's offset: the key */
	struct fn_range *r;
	size_t n, cap;
};

struct sym_inline_cache {
	struct unit *u;		/* sorted by off */
	size_t n, cap;
};

#define MAX_NEST 16	/* namespaces and imports followed (also a guard against cycles) */

static int add_ranges(struct unit *u, Dwarf_Die *fn)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(fn, off, &base, &lo, &hi)) > 0) {
		if (u->n == u->cap) {
			size_t cap = u->cap ? u->cap * 2 : 64;
			struct fn_range *grown = realloc(u->r, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			u->r = grown;
			u->cap = cap;
		}
		u->r[u->n++] = (struct fn_range){ lo, hi, *fn };
	}
	return 0;
}

/* The functions among PARENT's children, not descending into functions. */
static void index_children(struct unit *u, Dwarf_Die *parent, int nest)
{
	Dwarf_Die child, imported;
	Dwarf_Attribute at;

	if (nest > MAX_NEST || dwarf_child(parent, &child) != 0)
		return;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			if (add_ranges(u, &child))
				return;
			break;
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
		case DW_TAG_module:
			index_children(u, &child, nest + 1);
			break;
		case DW_TAG_imported_unit:
			if (dwarf_formref_die(dwarf_attr(&child, DW_AT_import, &at), &imported))
				index_children(u, &imported, nest + 1);
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int by_lo(const void *a, const void *b)
{
	const struct fn_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The unit's index, built on first use. NULL when out of memory. */
static struct unit *unit_of(struct sym_inline_cache *c, Dwarf_Die *cu)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	size_t lo = 0, hi = c->n;
	struct unit *u;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->u[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n && c->u[lo].off == off)
		return &c->u[lo];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct unit *grown = realloc(c->u, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		c->u = grown;
		c->cap = cap;
	}
	memmove(&c->u[lo + 1], &c->u[lo], (c->n - lo) * sizeof(*c->u));
	c->n++;
	u = &c->u[lo];
	*u = (struct unit){ .off = off };
	index_children(u, cu, 0);
	if (u->n)
		qsort(u->r, u->n, sizeof(*u->r), by_lo);
	return u;
}

/* The function of U whose range holds A, or NULL. */
static Dwarf_Die *function_at(struct unit *u, Dwarf_Addr a)
{
	size_t lo = 0, hi = u->n, k;

	while (lo < hi) {	/* the first range starting after A */
		size_t mid = (lo + hi) / 2;

		if (u->r[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = 0; lo > 0 && k < 8; lo--, k++)	/* nested (GNU C nested functions): the innermost first */
		if (a < u->r[lo - 1].hi)
			return &u->r[lo - 1].die;
	return NULL;
}

static bool is_scope(int tag)
{
	return tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block || tag == DW_TAG_try_block ||
	       tag == DW_TAG_catch_block;
}

int sym_inline__scopes(struct sym_inline_cache **cache, Dwarf_Die *cu, Dwarf_Addr a, Dwarf_Die *out, int max)
{
	Dwarf_Die chain[64], cur, child, *fn;
	struct unit *u;
	int k = 0, i;
	bool deeper;

	if (!*cache && !(*cache = calloc(1, sizeof(**cache))))
		return 0;
	u = unit_of(*cache, cu);
	fn = u ? function_at(u, a) : NULL;
	if (!fn)
		return 0;
	/* Down the one function: the child scope holding A, until none does. */
	for (cur = *fn, deeper = true; deeper && k < (int)(sizeof(chain) / sizeof(*chain));) {
		deeper = false;
		if (dwarf_child(&cur, &child) != 0)
			break;
		do {
			if (is_scope(dwarf_tag(&child)) && dwarf_haspc(&child, a) == 1) {
				if (dwarf_tag(&child) == DW_TAG_inlined_subroutine)
					chain[k++] = child;
				cur = child;
				deeper = true;
				break;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	for (i = 0; i < k && i < max; i++)	/* innermost first */
		out[i] = chain[k - 1 - i];
	return i;
}

void sym_inline__free(struct sym_inline_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->u[i].r);
	free(c->u);
	free(c);
}
