// SPDX-License-Identifier: BSD-2-Clause
/*
 * Formats what the BPF side reported. Text is for people (one event per
 * line, aligned columns); JSON Lines is for programs, with every integer a
 * JSON number. Function arguments print unsigned (their C types are not in
 * the binary), return values signed, USDT arguments as their note's spec
 * says (a leading '-' in the size marks a signed argument).
 */
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "util.h"

const char *site_kind_name(int kind)
{
	static const char *names[] = { "entry", "return", "usdt" };

	return kind >= 0 && kind < 3 ? names[kind] : "?";
}

static bool usdt_arg_signed(const struct plan *plan, const struct site *s, int i)
{
	const struct usdt_note *n;

	if (!s->nlocs)
		return true;
	n = plan->locs[s->first_loc].note;
	return i < n->nargs ? n->args[i].is_signed : true;
}

static void print_value(struct output *o, uint64_t v, bool is_signed)
{
	if (o->hex && !o->json)
		fprintf(o->f, "0x%llx", (unsigned long long)v);
	else if (is_signed)
		fprintf(o->f, "%lld", (long long)v);
	else
		fprintf(o->f, "%llu", (unsigned long long)v);
}

static void print_args(struct output *o, const struct site *s, const struct uscope_event *e,
		       const char *open, const char *close)
{
	int i, n = e->nargs < USCOPE_MAX_ARGS ? e->nargs : USCOPE_MAX_ARGS;

	fputs(open, o->f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", o->f);
		print_value(o, e->args[i], s->kind == USCOPE_SITE_USDT && usdt_arg_signed(o->plan, s, i));
	}
	fputs(close, o->f);
}

static void event_json(struct output *o, const struct site *s, const struct uscope_event *e)
{
	char comm[USCOPE_COMM_LEN + 1];

	memcpy(comm, e->comm, USCOPE_COMM_LEN);
	comm[USCOPE_COMM_LEN] = 0;
	fprintf(o->f, "{\"time_ns\": %llu, \"pid\": %u, \"tid\": %u, \"comm\": ",
		(unsigned long long)e->time_ns, e->pid, e->tid);
	json_string(o->f, comm);
	fputs(", \"probe\": ", o->f);
	json_string(o->f, s->name);
	fprintf(o->f, ", \"kind\": \"%s\"", site_kind_name(s->kind));
	if (o->plan->nbins > 1) {
		fputs(", \"binary\": ", o->f);
		json_string(o->f, o->plan->bins[s->bin].path);
	}
	if (s->kind == USCOPE_SITE_RETURN) {
		fputs(", \"ret\": ", o->f);
		print_value(o, e->args[0], true);
	} else {
		print_args(o, s, e, ", \"args\": [", "]");
	}
	fputs("}\n", o->f);
}

void output__event(struct output *o, const struct uscope_event *e)
{
	char comm[USCOPE_COMM_LEN + 1];
	const struct site *s;

	if (e->site >= o->plan->nsites)
		return;		/* cannot happen: cookies are site ids */
	s = &o->plan->sites[e->site];
	if (o->json) {
		event_json(o, s, e);
		return;
	}
	if (!o->header_done) {
		fprintf(o->f, "%-11s %-7s %-7s %-15s %-6s %s\n", "TIME(s)", "PID", "TID", "COMM", "KIND",
			"EVENT");
		o->header_done = true;
	}
	memcpy(comm, e->comm, USCOPE_COMM_LEN);
	comm[USCOPE_COMM_LEN] = 0;
	fprintf(o->f, "%-11.6f %-7u %-7u %-15s %-6s %s", e->time_ns > o->t0_ns ? (e->time_ns - o->t0_ns) / 1e9 : 0.0,
		e->pid, e->tid, comm, site_kind_name(s->kind), s->name);
	if (s->kind == USCOPE_SITE_RETURN) {
		fputs(" = ", o->f);
		print_value(o, e->args[0], true);
	} else {
		print_args(o, s, e, "(", ")");
	}
	fputc('\n', o->f);
}

struct count_row {
	uint64_t count;
	uint32_t site;
};

static int by_count_desc(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->site < y->site ? -1 : x->site > y->site;
}

void output__counts(struct output *o, const uint64_t *counts, size_t top)
{
	const struct plan *p = o->plan;
	struct count_row *rows = malloc((p->nsites + 1) * sizeof(*rows));
	size_t i, n = 0, w = 5;

	if (!rows) {
		err_msg("out of memory");
		return;
	}
	for (i = 0; i < p->nsites; i++) {
		if (!counts[i])
			continue;
		rows[n].count = counts[i];
		rows[n++].site = i;
		if (strlen(p->sites[i].name) > w)
			w = strlen(p->sites[i].name);
	}
	qsort(rows, n, sizeof(*rows), by_count_desc);
	if (top && n > top)
		n = top;
	if (!o->json)
		fprintf(o->f, "%-*s %-6s %12s\n", (int)w, "PROBE", "KIND", "COUNT");
	for (i = 0; i < n; i++) {
		const struct site *s = &p->sites[rows[i].site];

		if (o->json) {
			fputs("{\"probe\": ", o->f);
			json_string(o->f, s->name);
			fprintf(o->f, ", \"kind\": \"%s\", \"count\": %llu", site_kind_name(s->kind),
				(unsigned long long)rows[i].count);
			if (p->nbins > 1) {
				fputs(", \"binary\": ", o->f);
				json_string(o->f, p->bins[s->bin].path);
			}
			fputs("}\n", o->f);
		} else {
			fprintf(o->f, "%-*s %-6s %12llu\n", (int)w, s->name, site_kind_name(s->kind),
				(unsigned long long)rows[i].count);
		}
	}
	free(rows);
}
