// SPDX-License-Identifier: BSD-2-Clause
/*
 * elf_funcs: list the functions of a binary with the file offsets uprobes use.
 *
 * A uprobe is placed at a file offset, but symbol tables speak in virtual
 * addresses; for a non-PIE executable the two differ, for a PIE or a shared
 * library they often (but not always) coincide. This file reads the best
 * symbol table there is (the binary's .symtab, else a separate debug file's,
 * else MiniDebugInfo's; debug_find.c and minidebuginfo.c find them), merges
 * the binary's .dynsym into it, keeps defined function symbols, maps each
 * address through the BINARY's executable PT_LOAD segment (a debug file has
 * the binary's addresses but not its segments' file offsets) and returns them
 * sorted by offset, so that the caller can group aliases. A symbol found in
 * two tables is listed once, tagged with the better source.
 *
 * Every count, index and string offset read from a file is checked before it
 * is used. Files are mapped (ELF_C_READ_MMAP): names are read in place and
 * copied once into a single arena at the end, so a libc debug file with tens
 * of thousands of symbols costs a few allocations, not tens of thousands.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf */
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug_find.h"
#include "demangle.h"
#include "elf_file.h"
#include "elf_funcs.h"
#include "minidebuginfo.h"

const char *elf_bind_name(uint8_t bind)
{
	switch (bind) {
	case ELF_FUNC_LOCAL:	return "local";
	case ELF_FUNC_GLOBAL:	return "global";
	case ELF_FUNC_WEAK:	return "weak";
	default:		return "other";
	}
}

const char *elf_source_name(uint8_t source)
{
	switch (source) {
	case ELF_SRC_SYMTAB:		return "symtab";
	case ELF_SRC_DYNSYM:		return "dynsym";
	case ELF_SRC_BUILD_ID:		return "build-id";
	case ELF_SRC_DEBUGLINK:		return "debuglink";
	case ELF_SRC_DEBUGINFOD:	return "debuginfod";
	case ELF_SRC_MINIDEBUGINFO:	return "minidebuginfo";
	default:			return "?";
	}
}

static uint8_t func_bind(unsigned char st_bind)
{
	switch (st_bind) {
	case STB_LOCAL:		return ELF_FUNC_LOCAL;
	case STB_GLOBAL:	return ELF_FUNC_GLOBAL;
	case STB_WEAK:		return ELF_FUNC_WEAK;
	default:		return ELF_FUNC_OTHER;
	}
}

/* Sorted by offset, then name; of two equal entries the better source first. */
static int cmp_func(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;
	int c;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->source == ELF_SRC_DYNSYM) - (y->source == ELF_SRC_DYNSYM);
}

/* The functions gathered so far; names still point into mapped tables. */
struct collect {
	struct elf_func *funcs;
	size_t cnt, cap;
};

/* The first section of TYPE in EF (*OUT NULL when none). */
static int find_table(const struct elf_file *ef, unsigned type, Elf_Scn **out, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	const char *name;
	int ret;

	*out = NULL;
	while ((ret = elf_file__next_section(ef, &scn, shdr, &name)) > 0) {
		if (shdr->sh_type == type) {
			*out = scn;
			return 0;
		}
	}
	return ret;
}

/* The symbols and string table of symbol section SCN, checked. *SYMS NULL: no data. */
static int table_data(const struct elf_file *ef, Elf_Scn *scn, const GElf_Shdr *shdr,
		      Elf_Data **syms, Elf_Data **strs)
{
	GElf_Shdr str_shdr;
	Elf_Scn *str_scn;
	int err;

	*syms = *strs = NULL;
	if (shdr->sh_entsize != sizeof(Elf64_Sym) || shdr->sh_size % sizeof(Elf64_Sym) != 0)
		return -EBADMSG;
	err = elf_file__section_data(ef, scn, shdr, syms);
	if (err || !*syms)
		return err;	/* NOBITS (a debug-only stub) or empty */
	if ((*syms)->d_size / sizeof(Elf64_Sym) > INT_MAX)	/* gelf_getsym takes an int */
		return -EBADMSG;
	/* The string table named by sh_link, itself a checked section. */
	if (shdr->sh_link == 0 || shdr->sh_link >= ef->shnum)
		return -EBADMSG;
	str_scn = elf_getscn(ef->elf, shdr->sh_link);
	if (!str_scn || !gelf_getshdr(str_scn, &str_shdr) || str_shdr.sh_type != SHT_STRTAB)
		return -EBADMSG;
	return elf_file__section_data(ef, str_scn, &str_shdr, strs);
}

static int collect_add(struct collect *c, const struct elf_func *f)
{
	if (c->cnt == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct elf_func *bigger = realloc(c->funcs, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		c->funcs = bigger;
		c->cap = cap;
	}
	c->funcs[c->cnt++] = *f;
	return 0;
}

/*
 * Add the wanted functions of symbol section SCN of SYM_EF, tagged SOURCE,
 * with file offsets from BIN's segments. Returns 1 when the table had data,
 * 0 when it was empty or NOBITS, or a negative errno.
 */
static int read_table(const struct elf_file *sym_ef, Elf_Scn *scn, const GElf_Shdr *shdr,
		      const struct elf_file *bin, uint8_t source, struct collect *c)
{
	Elf_Data *syms, *strs;
	size_t nsyms, i;
	int err = table_data(sym_ef, scn, shdr, &syms, &strs);

	if (err || !syms)
		return err;
	nsyms = syms->d_size / sizeof(Elf64_Sym);
	for (i = 1; i < nsyms; i++) {
		struct elf_func f = { .source = source };
		const char *strtab;
		unsigned char type;
		GElf_Sym sym;
		size_t len;

		if (!gelf_getsym(syms, (int)i, &sym))
			return -EBADMSG;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0 || sym.st_name == 0)
			continue;
		if (!strs || sym.st_name >= strs->d_size)
			return -EBADMSG;
		strtab = strs->d_buf;
		len = strnlen(strtab + sym.st_name, strs->d_size - sym.st_name);
		if (len == strs->d_size - sym.st_name)
			return -EBADMSG;	/* name runs off the end of the table */
		if (len == 0 || !elf_file__vaddr_to_off(bin, sym.st_value, true, &f.offset))
			continue;
		f.name = strtab + sym.st_name;
		f.addr = sym.st_value;
		f.size = sym.st_size;
		f.bind = func_bind(GELF_ST_BIND(sym.st_info));
		f.ifunc = type == STT_GNU_IFUNC;
		err = collect_add(c, &f);
		if (err)
			return err;
	}
	return 1;
}

/* Every file whose mapped string tables the collected names point into. */
struct sources {
	struct elf_file bin, dbg, mdi;
	void *mdi_buf;
	int have_dbg, have_mdi;
};

static void sources__close(struct sources *s)
{
	if (s->have_dbg)
		elf_file__close(&s->dbg);
	if (s->have_mdi)
		elf_file__close(&s->mdi);
	free(s->mdi_buf);
	elf_file__close(&s->bin);
}

/* Read symtab section of EF if it has one: 1 read, 0 none, negative errno. */
static int read_symtab_of(const struct elf_file *ef, const struct elf_file *bin, uint8_t source,
			  struct collect *c)
{
	GElf_Shdr shdr;
	Elf_Scn *scn;
	int err = find_table(ef, SHT_SYMTAB, &scn, &shdr);

	if (err || !scn)
		return err;
	return read_table(ef, scn, &shdr, bin, source, c);
}

/*
 * A separate debug file's .symtab. A debug file that cannot be read is not
 * an error of the binary's: the search result is dropped with a warning.
 */
static int read_debug_file(struct sources *s, const char *path, const struct elf_funcs_opts *o,
			   struct elf_func_list *out, struct collect *c)
{
	struct debug_found df;
	int err = debug_find(&s->bin, path, o->debug_roots,
			     !(o->flags & ELF_FUNCS_NO_DEBUGINFOD), &df);

	if (err)
		return err;
	out->warning = df.warning;
	df.warning = NULL;
	if (!df.path)
		return 0;
	err = elf_file__open(df.path, &s->dbg);
	if (err) {
		if (!out->warning && asprintf(&out->warning, "'%s': %s; ignored", df.path,
					      elf_strerror(err)) < 0)
			out->warning = NULL;
		debug_found__free(&df);
		return 0;
	}
	s->have_dbg = 1;
	err = read_symtab_of(&s->dbg, &s->bin, (uint8_t)df.source, c);
	if (err > 0) {
		out->debug_path = df.path;
		out->debug_source = (uint8_t)df.source;
		df.path = NULL;
	}
	debug_found__free(&df);
	return err < 0 ? err : err > 0;
}

static int read_minidebuginfo(struct sources *s, struct collect *c)
{
	size_t size;
	int err = minidebuginfo__read(&s->bin, &s->mdi_buf, &size);

	if (err <= 0)
		return err;
	err = elf_file__open_memory(s->mdi_buf, size, &s->mdi);
	if (err)
		return err;
	s->have_mdi = 1;
	return read_symtab_of(&s->mdi, &s->bin, ELF_SRC_MINIDEBUGINFO, c);
}

/* The symbol sources, best first, then .dynsym merged in. */
static int collect_all(struct sources *s, const char *path, const struct elf_funcs_opts *o,
		       struct elf_func_list *out, struct collect *c)
{
	GElf_Shdr shdr;
	Elf_Scn *scn;
	int got, err;

	err = find_table(&s->bin, SHT_SYMTAB, &scn, &shdr);
	if (err)
		return err;
	out->from_dynsym = scn == NULL;
	got = scn ? read_table(&s->bin, scn, &shdr, &s->bin, ELF_SRC_SYMTAB, c) : 0;
	if (got == 0 && !(o->flags & ELF_FUNCS_OWN_ONLY)) {
		got = read_debug_file(s, path, o, out, c);
		if (got == 0)
			got = read_minidebuginfo(s, c);
	}
	if (got < 0)
		return got;
	out->stripped = got == 0;
	err = find_table(&s->bin, SHT_DYNSYM, &scn, &shdr);
	if (!err && scn)
		err = read_table(&s->bin, scn, &shdr, &s->bin, ELF_SRC_DYNSYM, c);
	return err < 0 ? err : 0;
}

/* Sort, drop what .dynsym repeats, and copy the names into one arena. */
static int finish_names(struct collect *c, struct elf_func_list *out)
{
	size_t i, n = 0, len = 0;
	char *p;

	if (c->cnt)
		qsort(c->funcs, c->cnt, sizeof(*c->funcs), cmp_func);
	for (i = 0; i < c->cnt; i++) {
		/*
		 * A .dynsym entry the better table also has is dropped. Two
		 * entries of one table are both kept: they are different
		 * symbol versions of one function (dlopen@GLIBC_2.2.5 and
		 * dlopen@@GLIBC_2.34), as readelf lists them.
		 */
		if (n && c->funcs[i].source == ELF_SRC_DYNSYM &&
		    c->funcs[n - 1].source != ELF_SRC_DYNSYM &&
		    c->funcs[n - 1].offset == c->funcs[i].offset &&
		    strcmp(c->funcs[n - 1].name, c->funcs[i].name) == 0)
			continue;
		c->funcs[n++] = c->funcs[i];
		len += strlen(c->funcs[i].name) + 1;
	}
	out->names = malloc(len ? len : 1);
	if (!out->names)
		return -ENOMEM;
	for (i = 0, p = out->names; i < n; i++) {
		size_t l = strlen(c->funcs[i].name) + 1;

		memcpy(p, c->funcs[i].name, l);
		c->funcs[i].name = p;
		p += l;
	}
	out->funcs = c->funcs;
	out->cnt = n;
	c->funcs = NULL;
	return 0;
}

/* Append S (or nothing, when NULL) to the arena; returns its offset + 1, 0 for none. */
static size_t arena_put(char **arena, size_t *len, size_t *cap, char *s)
{
	size_t l, at;

	if (!s)
		return 0;
	l = strlen(s) + 1;
	if (*len + l > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + l;
		char *bigger = realloc(*arena, ncap);

		if (!bigger) {
			free(s);
			return SIZE_MAX;
		}
		*arena = bigger;
		*cap = ncap;
	}
	at = *len;
	memcpy(*arena + at, s, l);
	*len += l;
	free(s);
	return at + 1;
}

/*
 * Demangled names, into their own arena. Offsets are stored in the pointer
 * fields while the arena grows and turned into pointers once it is final.
 */
static int demangle_all(struct elf_func_list *out, bool base)
{
	size_t len = 0, cap = 0, i, d, b;
	char *arena = NULL;

	for (i = 0; i < out->cnt; i++) {
		struct elf_func *f = &out->funcs[i];

		if (!sym_maybe_mangled(f->name))
			continue;
		d = arena_put(&arena, &len, &cap, sym_demangle(f->name, true));
		b = base && d ? arena_put(&arena, &len, &cap, sym_demangle(f->name, false)) : 0;
		if (d == SIZE_MAX || b == SIZE_MAX) {
			free(arena);
			for (i = 0; i < out->cnt; i++)
				out->funcs[i].demangled = out->funcs[i].base = NULL;
			return -ENOMEM;
		}
		f->demangled = (const char *)(uintptr_t)d;
		f->base = (const char *)(uintptr_t)b;
	}
	for (i = 0; i < out->cnt; i++) {
		struct elf_func *f = &out->funcs[i];

		if (f->demangled)
			f->demangled = arena + ((uintptr_t)f->demangled - 1);
		if (f->base)
			f->base = arena + ((uintptr_t)f->base - 1);
	}
	out->demangled_names = arena;
	return 0;
}

int elf_funcs__load_opts(const char *path, const struct elf_funcs_opts *opts,
			 struct elf_func_list *out)
{
	struct elf_funcs_opts o = { .sz = sizeof(o) };
	struct collect c = { 0 };
	struct sources s = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	err = elf_file__open(path, &s.bin);
	if (err)
		return err;
	err = collect_all(&s, path, &o, out, &c);
	if (!err)
		err = finish_names(&c, out);
	sources__close(&s);
	free(c.funcs);
	if (!err && !(o.flags & ELF_FUNCS_NO_DEMANGLE))
		err = demangle_all(out, o.flags & ELF_FUNCS_BASE_NAMES);
	if (err)
		elf_funcs__free(out);
	return err;
}

int elf_funcs__load(const char *path, struct elf_func_list *out)
{
	return elf_funcs__load_opts(path, NULL, out);
}

void elf_funcs__free(struct elf_func_list *list)
{
	if (!list)
		return;
	free(list->funcs);
	free(list->names);
	free(list->demangled_names);
	free(list->debug_path);
	free(list->warning);
	memset(list, 0, sizeof(*list));
}
