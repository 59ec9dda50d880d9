// SPDX-License-Identifier: BSD-2-Clause
/*
 * elf_funcs: list the functions of a binary with the file offsets uprobes use.
 *
 * A uprobe is placed at a file offset, but symbol tables speak in virtual
 * addresses; for a non-PIE executable the two differ, for a PIE or a shared
 * library they often (but not always) coincide. This file reads .symtab (or
 * .dynsym when the binary is stripped), keeps defined function symbols, maps
 * each address through its executable PT_LOAD segment (elf_file.c) and
 * returns them sorted by offset, so that the caller can group aliases.
 *
 * Every count, index and string offset read from the file is checked before
 * it is used; names are copied into a single arena, so a libc with tens of
 * thousands of symbols costs two allocations, not tens of thousands.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "elf_file.h"
#include "elf_funcs.h"

const char *elf_bind_name(uint8_t bind)
{
	switch (bind) {
	case ELF_FUNC_LOCAL:	return "local";
	case ELF_FUNC_GLOBAL:	return "global";
	case ELF_FUNC_WEAK:	return "weak";
	default:		return "other";
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

static int cmp_func(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The symbol table to read: .symtab if there is one, else .dynsym (*OUT is
 * NULL when there is neither). *FROM_DYNSYM is 1 whenever .symtab is missing,
 * as elf_funcs.h documents, so a binary with no table at all reads as stripped.
 */
static int find_symtab(const struct elf_file *ef, Elf_Scn **out,
		       GElf_Shdr *out_shdr, int *from_dynsym)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr shdr, dyn_shdr;
	const char *name;
	int ret;

	*out = NULL;
	*from_dynsym = 1;
	while ((ret = elf_file__next_section(ef, &scn, &shdr, &name)) > 0) {
		if (shdr.sh_type == SHT_SYMTAB) {
			*out = scn;
			*out_shdr = shdr;
			*from_dynsym = 0;
			return 0;
		}
		if (shdr.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dyn_shdr = shdr;
		}
	}
	if (ret < 0)
		return ret;
	if (dyn) {
		*out = dyn;
		*out_shdr = dyn_shdr;
	}
	return 0;
}

int elf_funcs__load(const char *path, struct elf_func_list *out)
{
	struct elf_file ef;
	struct elf_func *funcs = NULL;
	char *names = NULL, *p;
	Elf_Scn *sym_scn, *str_scn;
	GElf_Shdr sym_shdr, str_shdr;
	Elf_Data *syms, *strs;
	size_t nsyms, cnt = 0, names_len = 0, i;
	int from_dynsym = 0, err;

	memset(out, 0, sizeof(*out));

	err = elf_file__open(path, &ef);
	if (err)
		return err;

	err = find_symtab(&ef, &sym_scn, &sym_shdr, &from_dynsym);
	if (err)
		goto err_out;
	if (!sym_scn)
		goto done;	/* no symbols at all: an empty list */

	if (sym_shdr.sh_entsize != sizeof(Elf64_Sym) ||
	    sym_shdr.sh_size % sizeof(Elf64_Sym) != 0) {
		err = -EBADMSG;
		goto err_out;
	}
	err = elf_file__section_data(&ef, sym_scn, &sym_shdr, &syms);
	if (err)
		goto err_out;
	if (!syms)
		goto done;	/* NOBITS (a debug-only stub) or empty */
	nsyms = syms->d_size / sizeof(Elf64_Sym);
	if (nsyms > INT_MAX) {		/* gelf_getsym takes an int */
		err = -EBADMSG;
		goto err_out;
	}

	/* The string table named by sh_link, itself a checked section. */
	if (sym_shdr.sh_link == 0 || sym_shdr.sh_link >= ef.shnum) {
		err = -EBADMSG;
		goto err_out;
	}
	str_scn = elf_getscn(ef.elf, sym_shdr.sh_link);
	if (!str_scn || !gelf_getshdr(str_scn, &str_shdr) ||
	    str_shdr.sh_type != SHT_STRTAB) {
		err = -EBADMSG;
		goto err_out;
	}
	err = elf_file__section_data(&ef, str_scn, &str_shdr, &strs);
	if (err)
		goto err_out;

	funcs = calloc(nsyms ? nsyms : 1, sizeof(*funcs));
	if (!funcs) {
		err = -ENOMEM;
		goto err_out;
	}

	/*
	 * One pass keeps the wanted symbols, their names still pointing into
	 * the mapped string table; a second copies the names into the arena.
	 */
	for (i = 1; i < nsyms; i++) {
		const char *strtab;
		GElf_Sym sym;
		uint64_t off;
		unsigned char type;
		size_t len;

		if (!gelf_getsym(syms, (int)i, &sym)) {
			err = -EBADMSG;
			goto err_out;
		}
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0 || sym.st_name == 0)
			continue;
		if (!strs || sym.st_name >= strs->d_size) {
			err = -EBADMSG;
			goto err_out;
		}
		strtab = strs->d_buf;
		len = strnlen(strtab + sym.st_name, strs->d_size - sym.st_name);
		if (len == strs->d_size - sym.st_name) {
			err = -EBADMSG;	/* name runs off the end of the table */
			goto err_out;
		}
		if (len == 0)
			continue;
		if (!elf_file__vaddr_to_off(&ef, sym.st_value, true, &off))
			continue;

		funcs[cnt].name = strtab + sym.st_name;
		funcs[cnt].addr = sym.st_value;
		funcs[cnt].offset = off;
		funcs[cnt].size = sym.st_size;
		funcs[cnt].bind = func_bind(GELF_ST_BIND(sym.st_info));
		funcs[cnt].ifunc = type == STT_GNU_IFUNC;
		names_len += len + 1;
		cnt++;
	}

	names = malloc(names_len ? names_len : 1);
	if (!names) {
		err = -ENOMEM;
		goto err_out;
	}
	p = names;
	for (i = 0; i < cnt; i++) {
		size_t len = strlen(funcs[i].name) + 1;

		memcpy(p, funcs[i].name, len);
		funcs[i].name = p;
		p += len;
	}
	qsort(funcs, cnt, sizeof(*funcs), cmp_func);

done:
	out->funcs = funcs;
	out->cnt = cnt;
	out->names = names;
	out->from_dynsym = from_dynsym;
	elf_file__close(&ef);
	return 0;

err_out:
	free(funcs);
	free(names);
	elf_file__close(&ef);
	return err;
}

void elf_funcs__free(struct elf_func_list *list)
{
	if (!list)
		return;
	free(list->funcs);
	free(list->names);
	memset(list, 0, sizeof(*list));
}
