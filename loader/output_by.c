// SPDX-License-Identifier: BSD-2-Clause
/*
 * output_by: how is the --by key table shown? (The output room's part.)
 *
 * Like the per-probe counts, busiest first, at most --top rows, with one
 * column (text) or one member of "by" (JSON) per key. Numbers print signed
 * where the site's argument is (USDT spec) and for return values, as events
 * do; comm and str(argN) as strings.
 */
#include <stdlib.h>
#include <string.h>
#include "by.h"
#include "output.h"
#include "util.h"

static int by_count_desc(const void *a, const void *b)
{
	const struct by_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return by_row__key_cmp(a, b);
}

static void print_key(const struct output *o, const struct by_spec *by, const struct by_row *r, int k)
{
	const struct by_key *key = &by->keys[k];
	char s[USCOPE_BY_STR_LEN + 1];
	uint64_t v = r->key.v[k];

	if (key->operand == USCOPE_OPND_COMM || key->operand == USCOPE_OPND_STR) {
		const char *src = key->operand == USCOPE_OPND_COMM ? r->key.comm : r->key.str;
		size_t len = key->operand == USCOPE_OPND_COMM ? USCOPE_COMM_LEN : USCOPE_BY_STR_LEN;

		memcpy(s, src, len);
		s[len] = 0;
		if (o->json)
			json_string(o->f, s);
		else
			fprintf(o->f, " %-15s", s);
		return;
	}
	if (!o->json)
		fputc(' ', o->f);
	if (o->hex && !o->json)
		fprintf(o->f, "%#-15llx", (unsigned long long)v);
	else if (key->operand == USCOPE_OPND_RET || by->is_signed[r->key.site * USCOPE_BY_KEYS + k])
		fprintf(o->f, o->json ? "%lld" : "%-15lld", (long long)v);
	else
		fprintf(o->f, o->json ? "%llu" : "%-15llu", (unsigned long long)v);
}

static void print_row(const struct output *o, const struct by_spec *by, const struct by_row *r, int w)
{
	const struct plan *p = o->plan;
	const struct site *s = &p->sites[r->key.site];
	int k;

	if (!o->json) {
		fprintf(o->f, "%-*s %-6s", w, s->name, site_kind_name(s->kind));
		for (k = 0; k < by->nkeys; k++)
			print_key(o, by, r, k);
		fprintf(o->f, " %12llu\n", (unsigned long long)r->count);
		return;
	}
	fputs("{\"probe\": ", o->f);
	json_string(o->f, s->name);
	fprintf(o->f, ", \"kind\": \"%s\", \"by\": {", site_kind_name(s->kind));
	for (k = 0; k < by->nkeys; k++) {
		fprintf(o->f, "%s", k ? ", " : "");
		json_string(o->f, by->keys[k].text);
		fputs(": ", o->f);
		print_key(o, by, r, k);
	}
	fprintf(o->f, "}, \"count\": %llu", (unsigned long long)r->count);
	if (p->bins->n > 1) {
		fputs(", \"binary\": ", o->f);
		json_string(o->f, plan__bin(p, s->bin)->path);
	}
	fputs("}\n", o->f);
}

void output__by(struct output *o, const struct by_spec *by, struct by_row *rows, size_t n, size_t top)
{
	size_t i, kept = 0, w = 5;
	int k;

	for (i = 0; i < n; i++) {
		if (!rows[i].count || rows[i].key.site >= o->plan->nsites)
			continue;
		rows[kept++] = rows[i];
		if (strlen(o->plan->sites[rows[i].key.site].name) > w)
			w = strlen(o->plan->sites[rows[i].key.site].name);
	}
	qsort(rows, kept, sizeof(*rows), by_count_desc);
	if (top && kept > top)
		kept = top;
	if (!o->json) {
		fprintf(o->f, "%-*s %-6s", (int)w, "PROBE", "KIND");
		for (k = 0; k < by->nkeys; k++)
			fprintf(o->f, " %-15s", by->keys[k].text);
		fprintf(o->f, " %12s\n", "COUNT");
	}
	for (i = 0; i < kept; i++)
		print_row(o, by, &rows[i], (int)w);
}
