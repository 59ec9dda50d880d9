// SPDX-License-Identifier: BSD-2-Clause
/*
 * Formats events (see output.h for the other files). Text is for people (one event per
 * line, aligned columns); JSON Lines is for programs, with every integer a
 * JSON number. Functions with a DWARF signature print typed (output_typed.c);
 * without one their arguments print unsigned, return values signed; USDT
 * arguments as their note's spec says (a leading '-' marks a signed one).
 */
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "util.h"

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
		if (s->kind == USCOPE_SITE_USDT && e->bad_args & (1u << i)) {
			fputs(o->json ? "null" : "?", o->f);	/* unreadable: usdt_read.bpf.h */
			continue;
		}
		print_value(o, e->args[i], plan__arg_signed(o->plan, s, e->loc, i));
	}
	fputs(close, o->f);
}

/*
 * --str: text ` argK="..."` (or argK=<unreadable>) per argument; JSON
 * `"str"` (the first one, or null) and `"strs": {"K": "..." | null, ...}`.
 */
static void print_strs(struct output *o, const struct uscope_event *e)
{
	char buf[USCOPE_STR_MAX_LEN + 1];
	const char *str;
	int i, k = 0;

	if (o->json) {
		fputs(", \"str\": ", o->f);
		str = o->str_mask ? typed__arg_str(o, e, __builtin_ctz(o->str_mask), buf) : NULL;
		str ? json_string(o->f, str) : (void)fputs("null", o->f);
		fputs(", \"strs\": {", o->f);
	}
	for (i = 0; i < USCOPE_MAX_ARGS && k < USCOPE_MAX_STRS; i++) {
		if (!(o->str_mask & (1u << i)))
			continue;
		str = typed__arg_str(o, e, i, buf);
		if (o->json)
			fprintf(o->f, "%s\"%d\": ", k ? ", " : "", i);
		else
			fprintf(o->f, " arg%d=", i);
		if (str)
			typed__put_str(o, e, i, str);
		else
			fputs(o->json ? "null" : "<unreadable>", o->f);
		k++;
	}
	if (o->json)
		fputc('}', o->f);
}

/*
 * JSON: `"truncated": [I, ...]`, the arguments shown as strings (--str, or a
 * DWARF char *) that went on past --str-len; nothing when none did.
 */
static void print_cuts(struct output *o, const struct dwarf_sig *sig, const struct uscope_event *e)
{
	int i, n = 0;

	for (i = 0; i < USCOPE_MAX_ARGS; i++) {
		bool shown = o->str_mask & (1u << i) ||
			     (sig && i < sig->nparams && sig->params[i].type.cls == DWC_CHAR_PTR);

		if (!shown || !typed__arg_cut(o, e, i))
			continue;
		fprintf(o->f, "%s%d", n++ ? ", " : ", \"truncated\": [", i);
	}
	if (n)
		fputc(']', o->f);
}

static void event_json(struct output *o, const struct site *s, const struct dwarf_sig *sig,
		       const struct uscope_event *e)
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
	if (o->plan->bins->n > 1) {
		fputs(", \"binary\": ", o->f);
		json_string(o->f, plan__bin(o->plan, s->bin)->path);
	}
	if (s->kind == USCOPE_SITE_RETURN && (e->bad_args & 1)) {
		fputs(", \"ret\": null", o->f);	/* a tail call: the callee's value, not known yet */
	} else if (sig && s->kind == USCOPE_SITE_RETURN) {
		fputs(", \"ret\": ", o->f);
		typed__ret(o, sig, e);
	} else if (sig) {
		typed__args(o, sig, e);
	} else if (s->kind == USCOPE_SITE_RETURN) {
		fputs(", \"ret\": ", o->f);
		print_value(o, e->args[0], true);
	} else {
		print_args(o, s, e, ", \"args\": [", "]");
	}
	if (o->str_mask && s->kind != USCOPE_SITE_RETURN)
		print_strs(o, e);
	if (s->kind != USCOPE_SITE_RETURN)
		print_cuts(o, sig, e);
	fputs("}\n", o->f);
}

void output__event(struct output *o, const void *data, size_t size)
{
	const struct uscope_event *e = data;
	char comm[USCOPE_COMM_LEN + 1];
	const struct dwarf_sig *sig;
	const struct site *s;

	if (size < sizeof(*e) || e->site >= o->plan->nsites)
		return;		/* cannot happen: BPF sends whole records, cookies are site ids */
	s = &o->plan->sites[e->site];
	if (o->read_mask && s->kind != USCOPE_SITE_RETURN && size < USCOPE_STR_RECORD(__builtin_popcount(o->read_mask), o->str_len))
		return;
	sig = typed__sig(o->plan, s);
	if (s->kind == USCOPE_SITE_RETURN && (s->cflags & USCOPE_COOKIE_GO))
		sig = NULL;	/* Go's DWARF gives no result type (results are ~r0 parameters): rax as is */
	if (o->json) {
		event_json(o, s, sig, e);
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
		e->pid, e->tid, comm, site_kind_name(s->kind),
		sig && s->kind != USCOPE_SITE_RETURN ? sig->display : s->name);	/* C++: "ns::f(x=1)", not "ns::f(int)(x=1)" */
	if (s->kind == USCOPE_SITE_RETURN) {
		fputs(" = ", o->f);
		if (e->bad_args & 1)
			fputs("? (tail call)", o->f);	/* the callee's value, not known yet */
		else
			sig ? typed__ret(o, sig, e) : print_value(o, e->args[0], true);
	} else {
		sig ? typed__args(o, sig, e) : print_args(o, s, e, "(", ")");
		if (o->str_mask)
			print_strs(o, e);
	}
	fputc('\n', o->f);
}


bool output__flush(struct output *o)
{
	return !fflush(o->f) && !ferror(o->f);
}
