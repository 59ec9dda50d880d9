// SPDX-License-Identifier: BSD-2-Clause
/*
 * The loader's side of --stack: mode, map sizes, records, the kernel's counts.
 *
 * Frame-pointer stacks: the kernel walks them (bpf_get_stack /
 * bpf_get_stackid). At an entry probe whose first instruction is not push
 * %rbp or endbr64 the walk misses the immediate caller (the frame does not
 * exist yet, and the kernel adds [rsp] only for those two instructions), so
 * BPF hands up [rsp] and it is inserted here, after the probed frame. Which
 * sites need it is decided once, from the instruction bytes.
 *
 * DWARF stacks: every record carries registers and stack bytes; they are
 * unwound here with libdwfl, then printed or counted (in count mode the
 * kernel cannot key a stack it cannot walk, so the counting happens here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stacks.h"
#include "output_stacks.h"
#include "util.h"
#include "../helpers/unwind_fp.h"

static bool at_function_start(const struct elf_func_list *funcs, uint64_t off)
{
	size_t i;

	for (i = 0; funcs && i < funcs->cnt; i++)
		if (funcs->funcs[i].offset == off)
			return true;
	return false;
}

/* Per entry site: does the frame-pointer walk miss its caller? */
static int find_insert_caller(struct stacks *st)
{
	const struct plan *p = st->plan;
	size_t i;

	st->adds_caller = calloc(p->nsites + 1, sizeof(*st->adds_caller));
	if (!st->adds_caller)
		return -ENOMEM;
	for (i = 0; i < p->nsites; i++) {
		const struct site *s = &p->sites[i];
		struct binary *b = plan__bin(p, s->bin);
		int fd;

		if (s->kind != USCOPE_SITE_ENTRY || !at_function_start(binary__funcs(b), s->offset))
			continue;
		fd = open(b->open_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		st->adds_caller[i] = !fp_kernel_adds_caller(fd, s->offset);
		close(fd);
	}
	return 0;
}

/* --stack=auto: DWARF as soon as one probed binary does without frame pointers. */
static int resolve_auto(struct stacks *st)
{
	size_t i;

	for (i = 0; i < st->plan->bins->n; i++) {
		struct binary *b = plan__bin(st->plan, i);
		const struct elf_func_list *funcs = binary__funcs(b);

		if (!funcs)
			return -EINVAL;
		if (fp_binary_keeps_frame_pointers(b->open_path, funcs) == 0) {
			fprintf(stderr, "Stacks: DWARF unwinding (%s keeps no frame pointers)\n", b->path);
			return USCOPE_STACK_DWARF;
		}
	}
	return USCOPE_STACK_FP;
}

int stacks__prepare(struct stacks *st, const struct stack_opts *opts, const struct plan *plan, bool count)
{
	memset(st, 0, sizeof(*st));
	st->opts = opts;
	st->plan = plan;
	st->count = count;
	if (opts->want == STACK_NONE)
		return 0;
	st->mode = opts->want == STACK_FP ? USCOPE_STACK_FP : USCOPE_STACK_DWARF;
	if (opts->want == STACK_AUTO)
		st->mode = resolve_auto(st);
	if (st->mode < 0)
		return st->mode;
	if (plan->latency && st->mode == USCOPE_STACK_DWARF) {
		err_msg("--latency --stack needs frame-pointer stacks: a probed binary keeps none, and a DWARF "
			"stack cannot key the kernel's histograms (--stack=fp gives its partial stacks)");
		return -EINVAL;
	}
	st->sym = symbolizer__new();
	st->dw = st->mode == USCOPE_STACK_DWARF ? dwarf_unwinder__new(st->sym) : NULL;
	st->pcs = calloc(USCOPE_STACK_MAX_DEPTH + 2, sizeof(*st->pcs));
	if (!st->sym || !st->pcs || (st->mode == USCOPE_STACK_DWARF && !st->dw)) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	return st->mode == USCOPE_STACK_FP ? find_insert_caller(st) : 0;
}

void stacks__knobs(const struct stacks *st, struct bpf_knobs *k)
{
	k->stack_mode = st->mode;
	k->stack_count = st->count;
	k->stack_depth = st->opts->depth;
	k->stack_bytes = st->opts->bytes;
	/* [%rsp] is read only if some site's caller is inserted (stack_fp_pcs): a user read a hit saved. */
	for (size_t i = 0; st->adds_caller && !k->stack_caller && i < st->plan->nsites; i++)
		k->stack_caller = st->adds_caller[i];
}

void stacks__attached(struct stacks *st, pid_t pid)
{
	if (st->mode != USCOPE_STACK_OFF && pid > 0)
		symbolizer__capture(st->sym, pid);
}

/* The program counters of a record: the probed one first, then return addresses. */
static int record_pcs(struct stacks *st, const struct uscope_stack_record *rec, size_t size)
{
	const struct uscope_stack_tail *t = &rec->tail;
	size_t have = size - offsetof(struct uscope_stack_record, data);
	uint32_t bytes = t->size < have ? t->size : have;

	if (t->mode == USCOPE_STACK_DWARF)
		return dwarf_unwinder__unwind(st->dw, rec->ev.pid, rec->ev.tid, (const uint64_t *)t->regs, rec->data, bytes, st->pcs,
					      st->opts->depth);
	return stack_fp_pcs(st, rec->ev.site, t->caller, (const uint64_t *)rec->data, bytes / sizeof(uint64_t));
}

int stack_fp_pcs(struct stacks *st, uint32_t site, uint64_t caller, const uint64_t *ips, uint32_t n)
{
	uint32_t i, k = 0;

	for (i = 0; i < n && ips[i] && k < st->opts->depth; i++) {
		st->pcs[k++] = ips[i];
		if (i == 0 && caller && site < st->plan->nsites && st->adds_caller[site] && k < st->opts->depth)
			st->pcs[k++] = caller;
	}
	return k;
}

static void on_note(struct stacks *st, const struct uscope_stack_note *note)
{
	/* A new stack: make sure its process's mappings are known while it lives. */
	if (!symbolizer__generation(st->sym, note->key.pid))
		symbolizer__capture(st->sym, note->key.pid);
}

int stacks__on_record(struct stacks *st, struct output *out, const void *data, size_t size)
{
	const struct uscope_stack_record *rec = data;
	int n;

	if (st->mode == USCOPE_STACK_OFF)
		return 0;
	if (size == sizeof(struct uscope_stack_note) && *(const uint64_t *)data == USCOPE_STACK_NOTE_MAGIC) {
		on_note(st, data);
		return 1;
	}
	if (size < offsetof(struct uscope_stack_record, data) || rec->ev.site >= st->plan->nsites)
		return 0;
	if (!symbolizer__generation(st->sym, rec->ev.pid))
		symbolizer__capture(st->sym, rec->ev.pid);
	n = record_pcs(st, rec, size);
	if (n < 0)
		n = 0;
	if (rec->tail.count_only) {
		n = by_stacks__append_event(st->by, &rec->ev, st->pcs, n);	/* --by: the key's root frame */
		if (stack_table__add(&st->table, rec->ev.pid, rec->ev.site, st->pcs, n, 1))
			st->lost_table++;
		return 1;
	}
	output_stacks__event(st, out, &rec->ev, st->pcs, n);
	return 2;
}

/* Frame pointers: every (site, stack, caller, pid) the kernel counted, into the table. */
static int add_kernel_stack(void *arg, const struct uscope_stack_key *key, uint64_t count, const uint64_t *ips,
			    uint32_t depth)
{
	struct stacks *st = arg;
	int n = stack_fp_pcs(st, key->site, key->caller, ips, depth);

	if (stack_table__add(&st->table, key->pid, key->site, st->pcs, n, count))
		st->lost_table++;
	return 0;
}

/* --latency --stack: every (entry site, stack, pid) histogram, with its program counters. */
static int add_kernel_hist(void *arg, const struct uscope_stack_key *key, const struct uscope_hist *h,
			   const uint64_t *ips, uint32_t depth)
{
	struct stacks *st = arg;
	struct stack_hist *grown, *sh;
	int n = key->stack_id < 0 || key->site >= st->plan->nsites ? 0 : stack_fp_pcs(st, key->site, key->caller, ips, depth);

	if (key->site >= st->plan->nsites)
		return 0;
	grown = realloc(st->hists, (st->nhists + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	st->hists = grown;
	sh = &st->hists[st->nhists];
	*sh = (struct stack_hist){ .h = *h, .site = key->site, .pid = key->pid, .n = n, .no_stack = key->stack_id < 0 };
	sh->pcs = malloc((n ? n : 1) * sizeof(*sh->pcs));
	if (!sh->pcs)
		return -ENOMEM;
	memcpy(sh->pcs, st->pcs, n * sizeof(*sh->pcs));
	st->nhists++;
	return 0;
}

static int by_hist_count(const void *a, const void *b)
{
	const struct stack_hist *x = a, *y = b;

	if (x->h.count != y->h.count)
		return x->h.count < y->h.count ? 1 : -1;
	return x->site < y->site ? -1 : x->site > y->site;
}

static int report_latency(struct stacks *st, const struct bpf_obj *obj, struct output *out)
{
	int err = bpf_obj__stack_hists(obj, add_kernel_hist, st);
	size_t i;

	if (err) {
		err_msg("reading the stack histograms: %s", strerror(-err));
		return err;
	}
	if (st->nhists)
		qsort(st->hists, st->nhists, sizeof(*st->hists), by_hist_count);
	for (i = 0; i < st->nhists; i++)
		output_stacks__latency(st, out, &st->hists[i]);
	return 0;
}

/* Never silent: what could not be recorded or named, one line on stderr. */
static void report_losses(struct stacks *st, const struct bpf_obj *obj, FILE *log)
{
	uint64_t id = bpf_obj__stack_lost(obj, USCOPE_STACK_LOST_ID), key = bpf_obj__stack_lost(obj, USCOPE_STACK_LOST_KEY);
	uint64_t rb = bpf_obj__stack_lost(obj, USCOPE_STACK_LOST_RB), unmapped = symbolizer__unmapped(st->sym);

	if (st->plan->latency && (id || key))	/* timed in the function's histogram, not in a stack's */
		fprintf(log, "Stacks: %llu calls timed without their stack (stack map bucket taken: %llu, histogram "
			"table full: %llu)\n", (unsigned long long)(id + key), (unsigned long long)id,
			(unsigned long long)key);
	/* A stack the kernel's maps had no room for went to user space whole: counted, not lost. */
	else if (st->opts->verbose && (id || key))
		fprintf(stderr, "uscope: %llu hits counted in user space (stack map bucket taken: %llu, count "
			"table full: %llu)\n", (unsigned long long)(id + key), (unsigned long long)id,
			(unsigned long long)key);
	if (rb || st->lost_table)
		fprintf(log, "Stacks: %llu hits without a stack (ring buffer: %llu, memory: %llu)\n",
			(unsigned long long)(rb + st->lost_table), (unsigned long long)rb,
			(unsigned long long)st->lost_table);
	if (unmapped)
		fprintf(log, "Stacks: %llu frames in no mapping uscope saw (shown as [unknown])\n",
			(unsigned long long)unmapped);
	/* The format `make bench` parses (scripts/bench*.sh): keep it. */
	if (st->opts->verbose)
		fprintf(stderr, "uscope: symbolized %llu stacks (%llu frames, %zu distinct addresses) in %.1f ms\n",
			(unsigned long long)st->sym_stacks, (unsigned long long)st->sym_frames,
			symbolizer__distinct(st->sym), st->sym_ns / 1e6);
}

int stacks__report(struct stacks *st, const struct bpf_obj *obj, struct output *out)
{
	int err = 0;

	if (st->mode == USCOPE_STACK_OFF)
		return 0;
	if (st->plan->latency && st->mode == USCOPE_STACK_FP)
		err = report_latency(st, obj, out);
	if (st->count) {
		if (st->mode == USCOPE_STACK_FP)
			err = st->by ? by_stacks__kernel(st, obj) : bpf_obj__stack_counts(obj, add_kernel_stack, st);
		stack_table__sort(&st->table);
		if (!err)
			err = output_stacks__report(st, out);
	}
	report_losses(st, obj, out->log);
	return err;
}

void stacks__free(struct stacks *st)
{
	size_t i;

	for (i = 0; i < st->nhists; i++)
		free(st->hists[i].pcs);
	free(st->hists);
	stack_table__free(&st->table);
	by_stacks__free(st->by);
	dwarf_unwinder__free(st->dw);
	symbolizer__free(st->sym);
	free(st->adds_caller);
	free(st->pcs);
}
