/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter: --filter EXPR, from text to the per-site records BPF interprets.
 *
 *   filter_parse.c    text -> expression tree (syntax and type errors)
 *   filter_compile.c  tree x site -> struct uscope_filter (unknown arguments,
 *                     signedness from the USDT spec), deduplicated per site
 *   bpf_obj_context.c the compiled set -> the BPF maps filter_ids / filters
 *
 * The grammar (bpftrace-like, but & binds tighter than comparisons):
 *   expr := and { '||' and }        and := unary { '&&' unary }
 *   unary := '!' unary | '(' expr ')' [relop const] | test
 *   test := value [ '&' int ] [ relop const ] | const relop value
 *   value := argN | ret | pid | tid | uid | comm | str(argN) | NAME
 *   const := int (decimal, 0x hex, leading '-') | "string" (comm, str() only)
 * A test without a comparison is true when the (masked) value is nonzero.
 */
#ifndef USCOPE_FILTER_H
#define USCOPE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../probes/uscope.h"

struct plan;

enum fnode_kind { FN_AND, FN_OR, FN_NOT, FN_TEST };

struct fnode {
	enum fnode_kind kind;
	struct fnode *a, *b;	/* AND/OR: both; NOT: a */
	/* FN_TEST */
	int operand;		/* enum uscope_filter_operand; ARG0 + n for argN */
	int arg;		/* str(argN): N */
	char *name;		/* an argument by name (DWARF), resolved per site; else NULL */
	uint64_t mask;		/* ~0 unless "& MASK" */
	int op;			/* enum uscope_filter_op; -1: "is nonzero" */
	uint64_t value;		/* integer constant */
	int rhs;		/* -1, or an operand compared instead of a constant (tid == pid) */
	bool negative;		/* the constant was written with a '-' */
	char *str;		/* string constant, for comm / str() */
	char *text;		/* the test as written, for messages */
};

struct filter_expr {
	const char *text;	/* the whole --filter argument */
	struct fnode *root;
};

/* Parse EXPR. Returns 0, or -EINVAL / -ENOMEM after printing one message naming the culprit. */
int filter__parse(const char *expr, struct filter_expr *out);
void filter__free(struct filter_expr *f);
void fnode_free_tree(struct fnode *n);

/* Which operands a tree reads (1 << operand; ARG bits for names too). */
bool fnode__uses_ret(const struct fnode *n);
bool fnode__uses_args(const struct fnode *n);

/* The compiled filters of a run: ids[site] indexes progs, or USCOPE_FILTER_NONE. */
struct filter_set {
	uint32_t *ids;
	size_t nids;
	struct uscope_filter *progs;
	size_t nprogs;
	/*
	 * The program every function entry shares, all of one ABI (entry_go),
	 * or -1: it goes to .rodata, where the verifier specializes the
	 * interpreter to it (probes/filter.bpf.h, filter_entry).
	 */
	int entry_prog;
	bool entry_go;
};

/*
 * Compile F for every site of PLAN. With LATENCY, the &&-conjuncts without
 * `ret` go to the entries (they decide whether a call is timed) and those with
 * `ret` to the returns (whether a sample is kept). Returns 0, or -EINVAL after
 * one message naming the probe and the argument (a usage error).
 */
int filter__compile(const struct filter_expr *f, const struct plan *plan, bool latency,
		    struct filter_set *out);
void filter_set__free(struct filter_set *s);

/*
 * Can SITE of PLAN provide OPERAND (ARG: N of str(argN)), a --by key written
 * TEXT? Sets *IS_SIGNED from its type and *SHIFT to 64 - its width in bits
 * (SHIFT NULL: a narrower than 64-bit value is refused). Returns 0, or
 * -EINVAL after one message naming the probe.
 */
int filter__site_operand(const struct plan *plan, size_t site, int operand, int arg, const char *text,
			 bool *is_signed, uint8_t *shift);

#endif
