// SPDX-License-Identifier: BSD-2-Clause
/*
 * by_keys: which keys did --by ask for, and can every probe provide them?
 *
 * Keys are operands of the filter language (pid, tid, uid, comm, argN, ret,
 * str(argN)); the same availability rules apply (no argN on returns, no ret
 * on entries, a USDT probe has the arguments its notes list), so the check is
 * the filter compiler's. The key list is the same for every site, so it
 * reaches BPF as read-only knobs (set in bpf_obj_context.c). For -i, the
 * previous read is kept sorted by key and each row becomes its growth. A
 * keyed histogram's rows are grouped here too, for the text output and
 * --metrics alike.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "by.h"
#include "filter.h"
#include "plan.h"
#include "util.h"

static int parse_key(const char *s, size_t n, struct by_key *k)
{
	static const struct { const char *s; int o; } words[] = {
		{ "pid", USCOPE_OPND_PID }, { "tid", USCOPE_OPND_TID }, { "uid", USCOPE_OPND_UID },
		{ "comm", USCOPE_OPND_COMM }, { "ret", USCOPE_OPND_RET },
	};
	char *end;
	size_t i;
	long a;

	if (n >= sizeof(k->text))
		return -EINVAL;
	memcpy(k->text, s, n);
	k->text[n] = 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcmp(k->text, words[i].s)) {
			k->operand = words[i].o;
			return 0;
		}
	}
	if (!strncmp(k->text, "str(arg", 7)) {
		a = strtol(k->text + 7, &end, 10);
		if (end == k->text + 7 || strcmp(end, ")") || a < 0 || a >= USCOPE_MAX_ARGS)
			return -EINVAL;
		k->operand = USCOPE_OPND_STR;
		k->arg = a;
		return 0;
	}
	if (!strncmp(k->text, "arg", 3) && k->text[3] >= '0' && k->text[3] <= '9') {
		a = strtol(k->text + 3, &end, 10);
		if (*end || a >= USCOPE_MAX_ARGS || (k->text[3] == '0' && k->text[4]))
			return -EINVAL;
		k->operand = USCOPE_OPND_ARG0 + a;
		return 0;
	}
	return -EINVAL;
}

int by__parse(const char *text, struct by_spec *out)
{
	const char *s = text, *comma;
	int i, j;

	do {
		comma = strchr(s, ',');
		if (out->nkeys == USCOPE_BY_KEYS) {
			err_msg("--by '%s': at most %d keys", text, USCOPE_BY_KEYS);
			return -EINVAL;
		}
		if (parse_key(s, comma ? (size_t)(comma - s) : strlen(s), &out->keys[out->nkeys])) {
			err_msg("--by '%s': unknown key '%.*s' (pid, tid, uid, comm, argN, ret, str(argN))", text,
				comma ? (int)(comma - s) : (int)strlen(s), s);
			return -EINVAL;
		}
		out->nkeys++;
		s = comma + 1;
	} while (comma);
	for (i = 0; i < out->nkeys; i++) {
		for (j = 0; j < i; j++) {
			bool both_str = out->keys[i].operand == USCOPE_OPND_STR &&
					out->keys[j].operand == USCOPE_OPND_STR;

			if (!strcmp(out->keys[i].text, out->keys[j].text) || both_str) {
				err_msg("--by '%s': '%s' %s", text, out->keys[i].text,
					both_str ? "is a second str() key (one per run)" : "given twice");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* --latency: the keys of each function, from its entry site and (ret) its return site. */
static int check_latency(struct by_spec *by, const struct plan *plan)
{
	size_t *ret_of = calloc(plan->nslots + 1, sizeof(*ret_of)), s, at;
	int k, err = 0;

	if (!ret_of) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (s = 0; s < plan->nsites; s++)
		if (plan->sites[s].kind == USCOPE_SITE_RETURN && plan->sites[s].slot < plan->nslots)
			ret_of[plan->sites[s].slot] = s;
	for (s = 0; s < plan->nsites && !err; s++) {
		if (plan->sites[s].kind != USCOPE_SITE_ENTRY || plan->sites[s].slot >= plan->nslots)
			continue;
		for (k = 0; k < by->nkeys && !err; k++) {
			bool ret = by->keys[k].operand == USCOPE_OPND_RET;

			at = s * USCOPE_BY_KEYS + k;
			if (filter__site_operand(plan, ret ? ret_of[plan->sites[s].slot] : s, by->keys[k].operand,
						 by->keys[k].arg, by->keys[k].text, &by->is_signed[at], &by->shift[at]))
				err = -EINVAL;
		}
	}
	free(ret_of);
	return err;
}

int by__check(struct by_spec *by, const struct plan *plan)
{
	size_t s;
	int k;

	if (!by->nkeys)
		return 0;
	by->is_signed = calloc((plan->nsites + 1) * USCOPE_BY_KEYS, sizeof(*by->is_signed));
	by->shift = calloc((plan->nsites + 1) * USCOPE_BY_KEYS, sizeof(*by->shift));
	if (!by->is_signed || !by->shift) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	by->latency = plan->latency;
	if (by->latency)
		return check_latency(by, plan);
	for (s = 0; s < plan->nsites; s++)
		for (k = 0; k < by->nkeys; k++)
			if (filter__site_operand(plan, s, by->keys[k].operand, by->keys[k].arg, by->keys[k].text,
						 &by->is_signed[s * USCOPE_BY_KEYS + k], &by->shift[s * USCOPE_BY_KEYS + k]))
				return -EINVAL;
	return 0;
}

int by_row__key_cmp(const void *a, const void *b)
{
	const struct uscope_by_key *x = &((const struct by_row *)a)->key, *y = &((const struct by_row *)b)->key;
	int c;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	c = memcmp(x->v, y->v, sizeof(x->v));	/* numbers, comm, str: the order rows are listed in */
	if (!c)
		c = memcmp(x->comm, y->comm, sizeof(x->comm));
	if (!c)
		c = memcmp(x->str, y->str, sizeof(x->str));
	if (c)
		return c;
	return x->aux < y->aux ? -1 : x->aux > y->aux;
}

bool by_row__same_key(const struct by_row *a, const struct by_row *b)
{
	return a->key.site == b->key.site &&
	       !memcmp(a->key.comm, b->key.comm, sizeof(a->key) - offsetof(struct uscope_by_key, comm));
}

/* Two rows of one key (and bucket) become one: counts add, min and max over both. */
static void merge_row(struct by_row *into, const struct by_row *r)
{
	into->count += r->count;
	into->sum_ns += r->sum_ns;
	if (r->min_ns && (!into->min_ns || r->min_ns < into->min_ns))
		into->min_ns = r->min_ns;
	if (r->max_ns > into->max_ns)
		into->max_ns = r->max_ns;
}

void by__extend(const struct by_spec *by, struct by_row *r)
{
	int j;

	for (j = 0; j < by->nkeys; j++) {
		size_t at = (size_t)r->key.site * USCOPE_BY_KEYS + j;
		unsigned int sh = by->shift[at];

		if (sh && by->is_signed[at])
			r->key.v[j] = (uint64_t)((int64_t)(r->key.v[j] << sh) >> sh);
		else if (sh)
			r->key.v[j] = r->key.v[j] << sh >> sh;
	}
}

size_t by__normalize(const struct by_spec *by, struct by_row *rows, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		by__extend(by, &rows[i]);
	qsort(rows, n, sizeof(*rows), by_row__key_cmp);
	for (i = 0; i < n; i++) {
		if (k && !by_row__key_cmp(&rows[k - 1], &rows[i]))
			merge_row(&rows[k - 1], &rows[i]);
		else
			rows[k++] = rows[i];
	}
	return k;
}

size_t by__groups(const struct by_row *rows, size_t n, struct by_group *g)
{
	size_t i, ng = 0;

	for (i = 0; i < n; i++) {
		if (!ng || !by_row__same_key(&rows[g[ng - 1].first], &rows[i]))
			g[ng++] = (struct by_group){ .first = i, .rows = rows };
		g[ng - 1].n++;
		g[ng - 1].count += rows[i].count;
	}
	return ng;
}

void by__group_latency(const struct by_group *g, struct uscope_hist *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	for (i = g->first; i < g->first + g->n; i++) {
		const struct by_row *r = &g->rows[i];

		h->buckets[r->key.aux & (USCOPE_HIST_BUCKETS - 1)] += r->count;
		h->count += r->count;
		h->sum_ns += r->sum_ns;
		if (r->min_ns && (!h->min_ns || r->min_ns < h->min_ns))
			h->min_ns = r->min_ns;
		if (r->max_ns > h->max_ns)
			h->max_ns = r->max_ns;
	}
}

void by__deltas(struct by_spec *by, struct by_row *rows, size_t n)
{
	struct by_row *copy = malloc((n + 1) * sizeof(*copy)), *p;
	size_t i;

	if (!copy)
		return;
	memcpy(copy, rows, n * sizeof(*rows));
	for (i = 0; i < n; i++) {
		p = by->prev ? bsearch(&rows[i], by->prev, by->nprev, sizeof(*p), by_row__key_cmp) : NULL;
		if (p)
			rows[i].count -= p->count;
	}
	free(by->prev);
	by->prev = copy;
	by->nprev = n;
}

int by__add_total(struct by_spec *by, const struct by_row *rows, size_t n)
{
	struct by_row *t = realloc(by->total, (by->ntotal + n + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	memcpy(t + by->ntotal, rows, n * sizeof(*rows));
	by->total = t;
	by->ntotal = by__normalize(by, t, by->ntotal + n);
	return 0;
}

void by__free(struct by_spec *by)
{
	free(by->is_signed);
	free(by->shift);
	free(by->prev);
	free(by->total);
	by->total = NULL;
	by->is_signed = NULL;
	by->shift = NULL;
	by->prev = NULL;
}
