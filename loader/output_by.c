// SPDX-License-Identifier: BSD-2-Clause
/*
 * output_by: how is the --by key table shown? (The output room's part.)
 *
 * Like the per-probe counts, busiest first, at most --top rows, with one
 * column (text) or one member of "by" (JSON) per key. Numbers print signed
 * where the site's argument is (USDT spec) and for return values, as events
 * do; comm and str(argN) as strings. Histogram rows (one per key and bucket)
 * are drawn as the unkeyed histograms are, one per (probe, key), the key
 * after the probe's name ("pid=12 arg0=3") or as "by" in JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "by.h"
#include "hist.h"
#include "output.h"
#include "util.h"

static int by_count_desc(const void *a, const void *b)
{
	const struct by_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return by_row__key_cmp(a, b);
}

enum key_style { KEY_COLUMN, KEY_LABEL, KEY_JSON };

/* Key K of row R into F: a padded column, a bare value (label) or a JSON value. */
static void put_key(FILE *f, const struct output *o, const struct by_spec *by, const struct by_row *r, int k,
		    enum key_style style)
{
	const struct by_key *key = &by->keys[k];
	char s[USCOPE_BY_STR_LEN + 1];
	uint64_t v = r->key.v[k];
	bool json = style == KEY_JSON, col = style == KEY_COLUMN;

	if (key->operand == USCOPE_OPND_COMM || key->operand == USCOPE_OPND_STR) {
		const char *src = key->operand == USCOPE_OPND_COMM ? r->key.comm : r->key.str;
		size_t len = key->operand == USCOPE_OPND_COMM ? USCOPE_COMM_LEN : USCOPE_BY_STR_LEN;

		memcpy(s, src, len);
		s[len] = 0;
		if (json)
			json_string(f, s);
		else
			fprintf(f, col ? " %-15s" : "%s", s);
		return;
	}
	if (col)
		fputc(' ', f);
	if (o->hex && !json)
		fprintf(f, col ? "%#-15llx" : "%#llx", (unsigned long long)v);
	else if (key->operand == USCOPE_OPND_RET || by->is_signed[r->key.site * USCOPE_BY_KEYS + k])
		fprintf(f, col ? "%-15lld" : "%lld", (long long)v);
	else
		fprintf(f, col ? "%-15llu" : "%llu", (unsigned long long)v);
}

static void print_key(const struct output *o, const struct by_spec *by, const struct by_row *r, int k)
{
	put_key(o->f, o, by, r, k, o->json ? KEY_JSON : KEY_COLUMN);
}

char *by__key_label(const struct output *o, const struct by_spec *by, const struct by_row *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int k;

	if (!f)
		return NULL;
	for (k = 0; k < by->nkeys; k++) {
		if (json) {
			fputs(k ? ", " : "", f);
			json_string(f, by->keys[k].text);
			fputs(": ", f);
		} else {
			fprintf(f, "%s%s=", k ? " " : "", by->keys[k].text);
		}
		put_key(f, o, by, r, k, json ? KEY_JSON : KEY_LABEL);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
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

static int group_count_desc(const void *a, const void *b)
{
	const struct by_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return by_row__key_cmp(&x->rows[x->first], &y->rows[y->first]);
}

static void draw_group(struct output *o, const struct by_spec *by, const struct hist_spec *hist,
		       const struct by_group *g)
{
	const struct by_row *r = &g->rows[g->first];
	char *label = by__key_label(o, by, r, false), *json = by__key_label(o, by, r, true);
	uint64_t b[USCOPE_VHIST_BUCKETS] = { 0 };
	struct uscope_hist h;
	size_t i;

	if (!label || !json) {
		err_msg("out of memory");
	} else if (by->latency) {
		by__group_latency(g, &h);
		output__hist(o, o->plan->sites[r->key.site].name, label, json, &h);
	} else {
		for (i = g->first; i < g->first + g->n; i++)
			b[g->rows[i].key.aux & (USCOPE_VHIST_BUCKETS - 1)] += g->rows[i].count;
		output__vhist(o, hist, r->key.site, b, label, json);
	}
	free(label);
	free(json);
}

void output__by_hists(struct output *o, const struct by_spec *by, const struct hist_spec *hist, struct by_row *rows,
		      size_t n, size_t top)
{
	struct by_group *g = calloc(n + 1, sizeof(*g));
	size_t i, ng, kept = 0;

	if (!g) {
		err_msg("out of memory");
		return;
	}
	for (i = 0; i < n; i++) {	/* sorted by key, then bucket: a key's buckets are a run */
		if (!rows[i].count || rows[i].key.site >= o->plan->nsites)
			continue;
		rows[kept++] = rows[i];
	}
	ng = by__groups(rows, kept, g);
	qsort(g, ng, sizeof(*g), group_count_desc);
	if (top && ng > top)
		ng = top;
	for (i = 0; i < ng; i++)
		draw_group(o, by, hist, &g[i]);
	free(g);
}
