// SPDX-License-Identifier: BSD-2-Clause
/*
 * by_stacks: which --by key does a counted stack belong to, and what is
 * that key's root frame called? (See by_stacks.h.)
 *
 * Keys are kept in the order first seen (the frame's index must not move)
 * with a sorted index beside them, so that finding a key costs a binary
 * search even for the dwarf path, which asks once per hit. The key's
 * values are extended from their C width first, as the key table's rows
 * are (by__extend), so that one value never becomes two roots.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bpf_obj.h"
#include "by_stacks.h"
#include "output.h"
#include "stacks.h"
#include "util.h"
#include "../helpers/symbolize.h"

struct by_stacks *by_stacks__new(const struct by_spec *by, const struct output *out)
{
	struct by_stacks *bs;

	if (!by->nkeys)
		return NULL;
	bs = calloc(1, sizeof(*bs));
	if (bs) {
		bs->by = by;
		bs->out = out;
	}
	return bs;
}

void by_stacks__free(struct by_stacks *bs)
{
	size_t i;

	if (!bs)
		return;
	for (i = 0; i < bs->n; i++) {
		free(bs->names[i]);
		free(bs->json[i]);
	}
	free(bs->names);
	free(bs->json);
	free(bs->keys);
	free(bs->sorted);
	free(bs);
}

static int grow(struct by_stacks *bs)
{
	size_t cap = bs->cap ? bs->cap * 2 : 64;
	struct uscope_by_key *k = realloc(bs->keys, cap * sizeof(*k));
	char **nm = k ? realloc(bs->names, cap * sizeof(*nm)) : NULL;
	char **js = nm ? realloc(bs->json, cap * sizeof(*js)) : NULL;
	uint32_t *so = js ? realloc(bs->sorted, cap * sizeof(*so)) : NULL;

	if (k)
		bs->keys = k;
	if (nm)
		bs->names = nm;
	if (js)
		bs->json = js;
	if (!so)
		return -ENOMEM;
	bs->sorted = so;
	bs->cap = cap;
	return 0;
}

/* The frame name: the key as the table prints it, commas for spaces (folded lines split on blanks). */
static char *frame_name(const struct by_stacks *bs, const struct uscope_by_key *k)
{
	struct by_row r = { .key = *k };
	char *s = by__key_label(bs->out, bs->by, &r, false), *p;

	for (p = s; p && *p; p++)
		if (*p == ' ' || *p == ';')
			*p = ',';
	return s;
}

/* The index of key K (extended), added if new; -1 without memory. */
static long key_index(struct by_stacks *bs, struct uscope_by_key *k)
{
	struct by_row r = { .key = *k }, t;
	size_t lo = 0, hi = bs->n, mid;
	int c;

	by__extend(bs->by, &r);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		t.key = bs->keys[bs->sorted[mid]];
		c = by_row__key_cmp(&r, &t);
		if (!c)
			return bs->sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (bs->n == bs->cap && grow(bs))
		return -1;
	bs->names[bs->n] = frame_name(bs, &r.key);
	bs->json[bs->n] = by__key_label(bs->out, bs->by, &r, true);
	if (!bs->names[bs->n] || !bs->json[bs->n]) {
		free(bs->names[bs->n]);
		free(bs->json[bs->n]);
		return -1;
	}
	bs->keys[bs->n] = r.key;
	memmove(&bs->sorted[lo + 1], &bs->sorted[lo], (bs->n - lo) * sizeof(*bs->sorted));
	bs->sorted[lo] = bs->n;
	return bs->n++;
}

static int append(struct by_stacks *bs, struct uscope_by_key *k, uint64_t *pcs, int n)
{
	long i = key_index(bs, k);

	if (i >= 0)
		pcs[n++] = USCOPE_BY_FRAME_PC(i);
	return n;
}

int by_stacks__append_event(struct by_stacks *bs, const struct uscope_event *e, uint64_t *pcs, int n)
{
	struct uscope_by_key k;

	if (!bs)
		return n;
	memset(&k, 0, sizeof(k));
	k.site = e->site;
	memcpy(k.v, e->args, sizeof(k.v));
	memcpy(k.str, &e->args[USCOPE_BY_KEYS], sizeof(k.str));
	memcpy(k.comm, e->comm, sizeof(k.comm));
	return append(bs, &k, pcs, n);
}

static int add_kernel(void *arg, const struct uscope_by_stack_key *k, uint64_t count, const uint64_t *ips,
		      uint32_t depth)
{
	struct stacks *st = arg;
	struct uscope_by_key key = k->by;
	int n = stack_fp_pcs(st, k->stack.site, k->stack.caller, ips, depth);

	n = append(st->by, &key, st->pcs, n);
	if (stack_table__add(&st->table, k->stack.pid, k->stack.site, st->pcs, n, count))
		st->lost_table++;
	return 0;
}

int by_stacks__kernel(struct stacks *st, const struct bpf_obj *obj)
{
	return bpf_obj__by_stacks(obj, add_kernel, st);
}

const char *by_stacks__json(const struct by_stacks *bs, const uint64_t *pcs, uint32_t n)
{
	uint64_t pc = n ? pcs[n - 1] : 0, i = pc & ~USCOPE_BY_FRAME_MASK;

	if (!bs || (pc & USCOPE_BY_FRAME_MASK) != USCOPE_BY_FRAME_PC(0) || i >= bs->n)
		return NULL;
	return bs->json[i];
}

bool by_stacks__frame(const struct by_stacks *bs, uint64_t pc, struct sym_frame *out)
{
	uint64_t i = pc & ~USCOPE_BY_FRAME_MASK;

	if (!bs || (pc & USCOPE_BY_FRAME_MASK) != USCOPE_BY_FRAME_PC(0) || i >= bs->n)
		return false;
	memset(out, 0, sizeof(*out));
	out->func = bs->names[i];
	out->binary = "";
	return true;
}
