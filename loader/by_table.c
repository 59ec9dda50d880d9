// SPDX-License-Identifier: BSD-2-Clause
/*
 * by_table: what does the --by key table hold, and how is it shown?
 *
 * The BPF hash is read whole (it holds at most --by-max rows), sorted by
 * count, and printed like the per-probe counts with one column per key.
 * For -i the previous read is kept sorted by key, and each row prints its
 * growth since then; rows that did not grow are left out, as counts are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "by.h"
#include "output.h"
#include "util.h"
#include "uscope.skel.h"

static int by_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct by_row *)a)->key, &((const struct by_row *)b)->key,
		      sizeof(struct uscope_by_key));
}

static int by_count_desc(const void *a, const void *b)
{
	const struct by_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return by_key_cmp(a, b);
}

/* Every row of the table, sorted by key; *N rows. NULL on failure (message printed). */
static struct by_row *read_rows(const struct by_spec *by, struct uscope_bpf *skel, size_t *n)
{
	struct by_row *rows = calloc(by->max + 1, sizeof(*rows));
	int fd = bpf_map__fd(skel->maps.by_counts);
	struct uscope_by_key k, last;
	bool have_last = false;

	*n = 0;
	if (!rows) {
		err_msg("out of memory");
		return NULL;
	}
	while (*n < by->max && !bpf_map_get_next_key(fd, have_last ? &last : NULL, &k)) {
		last = k;
		have_last = true;
		if (!bpf_map_lookup_elem(fd, &k, &rows[*n].count))
			rows[(*n)++].key = k;
	}
	qsort(rows, *n, sizeof(*rows), by_key_cmp);
	return rows;
}

/* -i: turn ROWS into growth since the last call, and remember them. */
static void to_deltas(struct by_spec *by, struct by_row *rows, size_t n)
{
	struct by_row *copy = malloc((n + 1) * sizeof(*copy)), *p;
	size_t i;

	if (!copy)
		return;
	memcpy(copy, rows, n * sizeof(*rows));
	for (i = 0; i < n; i++) {
		p = by->prev ? bsearch(&rows[i], by->prev, by->nprev, sizeof(*p), by_key_cmp) : NULL;
		if (p)
			rows[i].count -= p->count;
	}
	free(by->prev);
	by->prev = copy;
	by->nprev = n;
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
	const struct site *s = &o->plan->sites[r->key.site];
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
	if (o->plan->nbins > 1) {
		fputs(", \"binary\": ", o->f);
		json_string(o->f, o->plan->bins[s->bin].path);
	}
	fputs("}\n", o->f);
}

void by__print(struct by_spec *by, struct uscope_bpf *skel, struct output *out, size_t top, bool interval)
{
	struct by_row *rows;
	size_t n, i, kept = 0, w = 5;
	int k;

	rows = read_rows(by, skel, &n);
	if (!rows)
		return;
	if (interval)
		to_deltas(by, rows, n);
	for (i = 0; i < n; i++) {
		if (!rows[i].count || rows[i].key.site >= out->plan->nsites)
			continue;
		rows[kept++] = rows[i];
		if (strlen(out->plan->sites[rows[i].key.site].name) > w)
			w = strlen(out->plan->sites[rows[i].key.site].name);
	}
	qsort(rows, kept, sizeof(*rows), by_count_desc);
	if (top && kept > top)
		kept = top;
	if (!out->json) {
		fprintf(out->f, "%-*s %-6s", (int)w, "PROBE", "KIND");
		for (k = 0; k < by->nkeys; k++)
			fprintf(out->f, " %-15s", by->keys[k].text);
		fprintf(out->f, " %12s\n", "COUNT");
	}
	for (i = 0; i < kept; i++)
		print_row(out, by, &rows[i], (int)w);
	free(rows);
}

uint64_t by__dropped(struct uscope_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *vals, total = 0;
	uint32_t zero = 0;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.by_dropped), &zero, vals))
		for (c = 0; c < ncpu; c++)
			total += vals[c];
	free(vals);
	return total;
}
