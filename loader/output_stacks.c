// SPDX-License-Identifier: BSD-2-Clause
/*
 * Formats stacks. Every program counter goes through the symbolizer, which
 * may expand it into several frames (inlined calls); return addresses are
 * looked up at the call (pc - 1). A frame nothing names prints as
 * [binary+0xOFF], never as a blank.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output_flamegraph.h"
#include "output_stacks.h"
#include "util.h"

#define MAX_FRAMES ((USCOPE_STACK_MAX_DEPTH + 1) * SYM_MAX_INLINE)

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* PCS[N] of PID -> frames, innermost first. Returns the count. */
static int resolve(struct stacks *st, uint32_t pid, const uint64_t *pcs, int n, struct sym_frame *out)
{
	uint64_t t0 = now_ns();
	int i, k = 0;

	for (i = 0; i < n && k < MAX_FRAMES - SYM_MAX_INLINE; i++)
		if (by_stacks__frame(st->by, pcs[i], out + k))	/* --by: the key as the root frame */
			k++;
		else
			k += symbolizer__lookup(st->sym, pid, pcs[i], i > 0, out + k, SYM_MAX_INLINE);
	st->sym_stacks++;
	st->sym_frames += i;
	st->sym_ns += now_ns() - t0;
	return k;
}

static void frame_text(FILE *f, const struct sym_frame *fr)
{
	if (!fr->addr && !fr->binary[0]) {	/* a --by key's root frame (by_stacks.h) */
		fprintf(f, "  %s\n", fr->func);
		return;
	}
	fprintf(f, "  %s", fr->func);
	if (fr->inlined)
		fputs(" (inlined)", f);
	else if (fr->named)
		fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
	if (fr->named && fr->binary[0])
		fprintf(f, " (%s)", base_name(fr->binary));
	else if (!fr->binary[0])
		fprintf(f, " 0x%llx", (unsigned long long)fr->addr);
	if (fr->file)
		fprintf(f, " %s:%d", base_name(fr->file), fr->line);
	fputc('\n', f);
}

static void frame_json(FILE *f, const struct sym_frame *fr)
{
	fprintf(f, "{\"addr\": %llu, \"func\": ", (unsigned long long)fr->addr);
	json_string(f, fr->func);
	fprintf(f, ", \"offset\": %llu, \"binary\": ", (unsigned long long)fr->offset);
	json_string(f, fr->binary);
	fputs(", \"file\": ", f);
	if (fr->file)
		json_string(f, fr->file);
	else
		fputs("null", f);
	if (fr->line)
		fprintf(f, ", \"line\": %d", fr->line);
	else
		fputs(", \"line\": null", f);
	if (fr->inlined)
		fputs(", \"inlined\": true", f);
	fputc('}', f);
}

static void frames_out(FILE *f, bool json, const struct sym_frame *fr, int k)
{
	int i;

	if (json)
		fputs(", \"stack\": [", f);
	for (i = 0; i < k; i++) {
		if (json) {
			if (i)
				fputs(", ", f);
			frame_json(f, &fr[i]);
		} else {
			frame_text(f, &fr[i]);
		}
	}
	if (json)
		fputc(']', f);
}

static struct sym_frame *frames_buf(void)
{
	static struct sym_frame *buf;

	if (!buf)
		buf = calloc(MAX_FRAMES, sizeof(*buf));
	return buf;
}

/*
 * JSON: what PRINT writes (one object and a newline), reopened to take the
 * stack FR[K] as one more member. Text: PRINT's lines, then the frames.
 */
static void with_stack(struct output *out, void (*print)(struct output *, const void *), const void *arg,
		       const struct sym_frame *fr, int k)
{
	FILE *real = out->f;
	char *buf = NULL;
	size_t len = 0;

	if (!out->json) {
		print(out, arg);
		frames_out(out->f, false, fr, k);
		return;
	}
	out->f = open_memstream(&buf, &len);
	if (!out->f) {
		out->f = real;
		print(out, arg);
		return;
	}
	print(out, arg);
	fclose(out->f);
	out->f = real;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '}'))
		if (buf[--len] == '}')
			break;
	fwrite(buf, 1, len, real);
	frames_out(real, true, fr, k);
	fputs("}\n", real);
	free(buf);
}

static void print_event(struct output *out, const void *e)
{
	output__event(out, e, sizeof(struct uscope_event));
}

void output_stacks__event(struct stacks *st, struct output *out, const struct uscope_event *e, const uint64_t *pcs,
			int n)
{
	struct sym_frame *fr = frames_buf();

	if (fr)
		with_stack(out, print_event, e, fr, resolve(st, e->pid, pcs, n, fr));
}

struct named_hist {
	const char *name;
	const struct uscope_hist *h;
};

static void print_hist(struct output *out, const void *arg)
{
	const struct named_hist *nh = arg;

	output__hist(out, nh->name, NULL, NULL, nh->h);
}

void output_stacks__latency(struct stacks *st, struct output *out, const struct stack_hist *sh)
{
	struct sym_frame *fr = frames_buf();
	struct named_hist nh = { .h = &sh->h };
	char name[300];
	int k;

	if (!fr)
		return;
	k = resolve(st, sh->pid, sh->pcs, sh->n, fr);
	if (sh->no_stack) {	/* the stack map had no room: said, never shown as a stack */
		fr[0] = (struct sym_frame){ .func = "[stack not recorded: stack map bucket taken]", .binary = "" };
		k = 1;
	}
	snprintf(name, sizeof(name), "%s, pid %u", st->plan->sites[sh->site].name, sh->pid);
	nh.name = out->json ? st->plan->sites[sh->site].name : name;
	if (out->json) {
		with_stack(out, print_hist, &nh, fr, k);
		return;
	}
	fprintf(out->f, "Latency of %s by stack:\n", name);
	frames_out(out->f, false, fr, k);
	output__hist(out, name, NULL, NULL, &sh->h);
}

static void counted_stack(struct stacks *st, struct output *out, const struct stack_entry *e)
{
	const struct site *s = &st->plan->sites[e->site];
	struct sym_frame *fr = frames_buf();
	int k;

	if (!fr)
		return;
	k = resolve(st, e->pid, e->pcs, e->n, fr);
	if (out->json) {
		fputs("{\"probe\": ", out->f);
		json_string(out->f, s->name);
		fprintf(out->f, ", \"kind\": \"%s\", \"pid\": %u, \"count\": %llu", site_kind_name(s->kind), e->pid,
			(unsigned long long)e->count);
		if (by_stacks__json(st->by, e->pcs, e->n))	/* --by: the key's members */
			fprintf(out->f, ", \"by\": {%s}", by_stacks__json(st->by, e->pcs, e->n));
		frames_out(out->f, true, fr, k);
		fputs("}\n", out->f);
		return;
	}
	fprintf(out->f, "%s (%s), pid %u: %llu\n", s->name, site_kind_name(s->kind), e->pid,
		(unsigned long long)e->count);
	frames_out(out->f, false, fr, k);
	fputc('\n', out->f);
}

/* "root;...;innermost" for frames FR[K] (innermost first); malloc'd. */
static char *folded_of(const struct sym_frame *fr, int k)
{
	size_t len = 1, at = 0;
	char *s;
	int i;

	for (i = 0; i < k; i++)
		len += strlen(fr[i].func) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	for (i = k - 1; i >= 0; i--) {
		size_t l = strlen(fr[i].func);

		memcpy(s + at, fr[i].func, l);
		at += l;
		if (i)
			s[at++] = ';';
	}
	s[at] = 0;
	return s;
}

static int by_line(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->line, ((const struct folded_line *)b)->line);
}

static int by_count(const void *a, const void *b)
{
	const struct folded_line *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->line, y->line);
}

/* The table as folded lines, identical lines merged, most frequent first. */
static struct folded_line *fold(struct stacks *st, size_t *nout)
{
	struct folded_line *l = calloc(st->table.n + 1, sizeof(*l));
	struct sym_frame *fr = frames_buf();
	size_t i, n = 0;

	if (!l || !fr) {
		free(l);
		return NULL;
	}
	for (i = 0; i < st->table.n; i++) {
		const struct stack_entry *e = &st->table.e[i];

		l[n].line = folded_of(fr, resolve(st, e->pid, e->pcs, e->n, fr));
		l[n].count = e->count;
		if (l[n].line)
			n++;
	}
	qsort(l, n, sizeof(*l), by_line);
	for (i = 0, *nout = 0; i < n; i++) {
		if (*nout && !strcmp(l[*nout - 1].line, l[i].line)) {
			l[*nout - 1].count += l[i].count;
			free(l[i].line);
		} else {
			l[(*nout)++] = l[i];
		}
	}
	qsort(l, *nout, sizeof(*l), by_count);
	return l;
}

int output_stacks__report(struct stacks *st, struct output *out)
{
	struct folded_line *lines = NULL;
	size_t i, n = 0;
	int err = 0;

	if (!st->opts->folded)
		for (i = 0; i < st->table.n; i++)
			counted_stack(st, out, &st->table.e[i]);
	if (!st->opts->folded && !st->opts->flamegraph)
		return 0;
	lines = fold(st, &n);
	if (!lines) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0; st->opts->folded && i < n; i++)
		fprintf(out->f, "%s %llu\n", lines[i].line, (unsigned long long)lines[i].count);
	if (st->opts->flamegraph)
		err = flamegraph__write(st->opts->flamegraph, lines, n);
	for (i = 0; i < n; i++)
		free(lines[i].line);
	free(lines);
	return err;
}
