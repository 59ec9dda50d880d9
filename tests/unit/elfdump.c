// SPDX-License-Identifier: BSD-2-Clause
/*
 * elfdump: print what helpers/ make of a binary, one fact per line, so that
 * tests can compare it with readelf (the oracle) and fuzz it with corrupted
 * files. Not installed; a test tool only.
 *
 *   elfdump funcs FILE   name addr offset size bind [ifunc]
 *   elfdump usdt FILE    provider name pc base sema offset sema_offset args nargs
 *   elfdump all FILE     both; exit status 0 even when loading fails (fuzzing)
 * Numbers are hex (0x...). On a load error prints "error: ERRNO TEXT" and
 * exits 1 (except for "all").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_funcs.h"
#include "usdt_notes.h"

static int dump_funcs(const char *path)
{
	struct elf_func_list l;
	size_t i;
	int err = elf_funcs__load(path, &l);

	if (err) {
		printf("error: %d %s\n", err, elf_strerror(err));
		return 1;
	}
	printf("# funcs %zu from_dynsym %d\n", l.cnt, l.from_dynsym);
	for (i = 0; i < l.cnt; i++) {
		const struct elf_func *f = &l.funcs[i];

		printf("%s 0x%llx 0x%llx %llu %s%s\n", f->name,
		       (unsigned long long)f->addr, (unsigned long long)f->offset,
		       (unsigned long long)f->size, elf_bind_name(f->bind),
		       f->ifunc ? " ifunc" : "");
	}
	elf_funcs__free(&l);
	return 0;
}

static void print_arg(const struct usdt_arg *a)
{
	printf(" [%s%u ", a->is_signed ? "-" : "", a->size);
	switch (a->kind) {
	case USDT_ARG_CONST:
		printf("const %lld", (long long)a->val_off);
		break;
	case USDT_ARG_REG:
		printf("reg %s@%d", a->reg, a->reg_off);
		break;
	case USDT_ARG_MEM:
		printf("mem %lld(%s@%d)", (long long)a->val_off, a->reg, a->reg_off);
		break;
	case USDT_ARG_MEM_SIB:
		printf("sib %lld(%s@%d,%s@%d,%u)", (long long)a->val_off, a->reg,
		       a->reg_off, a->idx_reg, a->idx_reg_off, a->scale);
		break;
	}
	printf("]");
}

static int dump_usdt(const char *path)
{
	struct usdt_note_list l;
	size_t i;
	int j, err = usdt_notes__load(path, &l);

	if (err) {
		printf("error: %d %s\n", err, elf_strerror(err));
		return 1;
	}
	printf("# usdt %zu has_section %d skipped %zu%s%s\n", l.cnt, l.has_section,
	       l.skipped, l.skipped ? " " : "", l.skipped_why);
	for (i = 0; i < l.cnt; i++) {
		const struct usdt_note *n = &l.notes[i];

		printf("%s %s 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx '%s' ", n->provider,
		       n->name, (unsigned long long)n->pc, (unsigned long long)n->base,
		       (unsigned long long)n->semaphore, (unsigned long long)n->offset,
		       (unsigned long long)n->sema_offset, n->args_str);
		if (n->args_err) {
			printf("err %d %s\n", n->args_err, n->args_why);
			continue;
		}
		printf("%d", n->nargs);
		for (j = 0; j < n->nargs; j++)
			print_arg(&n->args[j]);
		printf("\n");
	}
	usdt_notes__free(&l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		goto usage;
	if (strcmp(argv[1], "funcs") == 0)
		return dump_funcs(argv[2]);
	if (strcmp(argv[1], "usdt") == 0)
		return dump_usdt(argv[2]);
	if (strcmp(argv[1], "all") == 0) {
		dump_funcs(argv[2]);
		dump_usdt(argv[2]);
		return 0;
	}
usage:
	fprintf(stderr, "usage: elfdump funcs|usdt|all FILE\n");
	return 2;
}
