// SPDX-License-Identifier: BSD-2-Clause
/*
 * usdt_syms: resolve the symbols that USDT argument operands name.
 *
 * gcc -O2 passes a global or static that lives in memory as the memory
 * operand itself: -1@c(%rip) in PIE code and shared libraries, ti+8(%rip),
 * or a16(%rbx,%rbx) in non-PIE code. The assembler measures sym(%rip) from
 * the next instruction, which a probe site does not have, so the address is
 * computed from the symbol instead: at run time it is the probe's address
 * plus (symbol - probe) in link-time values, whatever the load bias. This
 * file finds the link-time value.
 *
 * Names are looked up in .symtab, then .dynsym. A static has a local symbol,
 * and two translation units may each have their own `c`; the one meant is the
 * one of the probe's own file, known when the probe lies in a local function
 * that follows the same STT_FILE symbol. When the right one cannot be told,
 * the argument is refused as ambiguous, never guessed. Thread-local and
 * undefined symbols are refused too: their address is not a link-time value
 * of this file. A stripped binary keeps only .dynsym, where a static's name
 * is absent and an exported namesake would be taken for it: so when the
 * binary has no .symtab, the .symtab of its separate debug file (found as
 * `funcs` finds it, debug_find.c: build ID, debuglink, debuginfod) is read
 * instead, whose link-time values are the binary's own. Without one, the
 * limit stands.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug_find.h"
#include "usdt_syms.h"

/* One symbolic argument to resolve. */
struct want {
	const char *name;
	size_t len;
	struct usdt_note *note;
	struct usdt_arg *arg;
	int arg_idx;		/* 1-based, for messages */
	long group;		/* STT_FILE group of the probe's function, -1: unknown */
	uint64_t vals[2];	/* distinct defined values seen (two are enough to know) */
	int nvals;
	bool have_group_val;
	uint64_t group_val;	/* the local of the probe's own file */
	int ngroup;
	bool tls, undef;
};

struct syms_ctx {
	struct want *w;
	size_t n;
};

static int cmp_name(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static int cmp_want(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return cmp_name(x->name, x->len, y->name, y->len);
}

/* Note order, then argument order: the first bad argument is the one reported. */
static int cmp_place(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	if (x->note != y->note)
		return x->note < y->note ? -1 : 1;
	return x->arg_idx - y->arg_idx;
}

/* The first want named NAME, or NULL. */
static struct want *find(const struct syms_ctx *c, const char *name, size_t len)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_name(c->w[mid].name, c->w[mid].len, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && cmp_name(c->w[lo].name, c->w[lo].len, name, len) == 0 ? &c->w[lo] : NULL;
}

typedef void (*sym_fn)(struct syms_ctx *c, const GElf_Sym *sym, const char *name, long group);

/* Call FN for every symbol of the first section of TYPE; GROUP is its STT_FILE index for locals. */
static int walk(const struct elf_file *ef, Elf64_Word type, struct syms_ctx *c, sym_fn fn)
{
	Elf_Scn *scn = NULL, *str_scn;
	GElf_Shdr shdr, str_shdr;
	Elf_Data *data;
	const char *secname;
	size_t i, nsyms;
	long group = -1;
	int ret;

	while ((ret = elf_file__next_section(ef, &scn, &shdr, &secname)) > 0)
		if (shdr.sh_type == type)
			break;
	if (ret <= 0)
		return ret;
	if (shdr.sh_entsize != sizeof(Elf64_Sym) || shdr.sh_link == 0 || shdr.sh_link >= ef->shnum)
		return -EBADMSG;
	str_scn = elf_getscn(ef->elf, shdr.sh_link);
	if (!str_scn || !gelf_getshdr(str_scn, &str_shdr) || str_shdr.sh_type != SHT_STRTAB)
		return -EBADMSG;
	ret = elf_file__section_data(ef, scn, &shdr, &data);
	if (ret || !data)
		return ret;
	if (elf_file__section_data(ef, str_scn, &str_shdr, &(Elf_Data *){ NULL }))
		return -EBADMSG;	/* elf_strptr below then reads inside the file */
	nsyms = data->d_size / sizeof(Elf64_Sym);
	for (i = 1; i < nsyms && i <= INT_MAX; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			return -EBADMSG;
		name = elf_strptr(ef->elf, shdr.sh_link, sym.st_name);
		if (GELF_ST_TYPE(sym.st_info) == STT_FILE)
			group = (long)i;
		if (!name || !*name)
			continue;
		fn(c, &sym, name, GELF_ST_BIND(sym.st_info) == STB_LOCAL ? group : -1);
	}
	return 0;
}

/* Pass 1: the file group of each probe, from the local function that holds it. */
static void note_groups(struct syms_ctx *c, const GElf_Sym *sym, const char *name, long group)
{
	size_t i;

	(void)name;
	if (group < 0 || GELF_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF)
		return;
	for (i = 0; i < c->n; i++)
		if (c->w[i].note->addr >= sym->st_value && c->w[i].note->addr < sym->st_value + sym->st_size)
			c->w[i].group = group;
}

/* Pass 2: every definition of every wanted name. */
static void candidates(struct syms_ctx *c, const GElf_Sym *sym, const char *name, long group)
{
	size_t len = strlen(name);
	struct want *w = find(c, name, len);

	for (; w && w < c->w + c->n && cmp_name(w->name, w->len, name, len) == 0; w++) {
		if (sym->st_shndx == SHN_UNDEF) {
			w->undef = true;
			continue;
		}
		if (GELF_ST_TYPE(sym->st_info) == STT_TLS) {
			w->tls = true;
			continue;
		}
		if (group >= 0 && group == w->group) {
			w->have_group_val = true;
			w->group_val = sym->st_value;
			w->ngroup++;
		}
		if (w->nvals == 0 || (w->vals[0] != sym->st_value && (w->nvals < 2 || w->vals[1] != sym->st_value))) {
			if (w->nvals < 2)
				w->vals[w->nvals] = sym->st_value;
			w->nvals += w->nvals < 2;
		}
	}
}

static void refuse(struct want *w, const char *fmt)
{
	struct usdt_note *n = w->note;

	w->arg->kind = USDT_ARG_BAD;
	if (!n->args_err) {
		n->args_err = -EINVAL;
		snprintf(n->args_why, sizeof(n->args_why), "argument %d: symbol '%.*s' %s", w->arg_idx,
			 (int)(w->len > 40 ? 40 : w->len), w->name, fmt);
	}
}

/* Decide each argument from what the passes saw. */
static void settle(struct want *w)
{
	if (w->have_group_val && w->ngroup == 1)
		w->arg->sym_addr = w->group_val;
	else if (w->nvals == 1)
		w->arg->sym_addr = w->vals[0];
	else if (w->nvals > 1)
		refuse(w, "is ambiguous (several definitions, none known to be the probe's own)");
	else if (w->tls)
		refuse(w, "is thread-local: its address is per thread");
	else if (w->undef)
		refuse(w, "is defined in another object");
	else
		refuse(w, "is in no symbol table (stripped binary?)");
}

/* The symbolic arguments of NOTES, as wants; *OUT NULL when there are none. */
static int gather(struct usdt_note *notes, size_t cnt, struct syms_ctx *c)
{
	size_t i, n = 0;
	int k;

	c->w = NULL;
	c->n = 0;
	for (i = 0; i < cnt; i++)
		for (k = 0; k < notes[i].nargs; k++)
			n += notes[i].args[k].kind != USDT_ARG_BAD && notes[i].args[k].sym_len;
	if (!n)
		return 0;
	c->w = calloc(n, sizeof(*c->w));
	if (!c->w)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		for (k = 0; k < notes[i].nargs; k++) {
			struct usdt_arg *a = &notes[i].args[k];

			if (a->kind == USDT_ARG_BAD || !a->sym_len)
				continue;
			c->w[c->n] = (struct want){ .name = notes[i].args_str + a->sym_pos, .len = a->sym_len,
						    .note = &notes[i], .arg = a, .arg_idx = k + 1, .group = -1 };
			c->n++;
		}
	}
	qsort(c->w, c->n, sizeof(*c->w), cmp_want);
	return 0;
}

static bool has_symtab(const struct elf_file *ef)
{
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr shdr;

	while (elf_file__next_section(ef, &scn, &shdr, &name) > 0)
		if (shdr.sh_type == SHT_SYMTAB)
			return true;
	return false;
}

/* A stripped EF: its debug file, opened into DBG; false when there is none (or it cannot be read). */
static bool open_debug_file(const struct elf_file *ef, const char *path, struct elf_file *dbg)
{
	struct debug_found df;
	bool ok;

	if (!path || has_symtab(ef) || debug_find(ef, path, NULL, true, &df))
		return false;
	ok = df.path && !elf_file__open(df.path, dbg);
	debug_found__free(&df);
	return ok;
}

int usdt_syms__resolve(const struct elf_file *ef, const char *path, struct usdt_note *notes, size_t cnt)
{
	struct elf_file dbg;
	struct syms_ctx c;
	bool use_dbg;
	size_t i;
	int err = gather(notes, cnt, &c);

	if (err || !c.n)
		return err;
	use_dbg = open_debug_file(ef, path, &dbg);
	err = walk(use_dbg ? &dbg : ef, SHT_SYMTAB, &c, note_groups);
	if (!err)
		err = walk(use_dbg ? &dbg : ef, SHT_SYMTAB, &c, candidates);
	if (use_dbg)
		elf_file__close(&dbg);
	if (!err)
		err = walk(ef, SHT_DYNSYM, &c, candidates);
	/* A malformed table costs only the arguments that needed it. */
	qsort(c.w, c.n, sizeof(*c.w), cmp_place);
	for (i = 0; i < c.n; i++) {
		if (err)
			refuse(&c.w[i], "cannot be looked up: the symbol table is malformed");
		else
			settle(&c.w[i]);
	}
	free(c.w);
	return 0;
}
