// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope funcs --returns BINARY [GLOB...]`: where would --ret-mode insn
 * probe each function's returns? One line per return instruction (its file
 * offset, address, kind and text, as `objdump -d` shows it), or one line
 * saying why the function is refused. It is what `trace` attaches, from the
 * same code (loader/ret_insn.c), so a user (and tests/insn.bats, against
 * objdump) can check it before tracing.
 */
#include <stdio.h>
#include <stdlib.h>
#include "binaries.h"
#include "func_names.h"
#include "list_returns.h"
#include "ret_insn.h"
#include "../helpers/insn_rets.h"

#define MAX_RETS 4096

static bool wanted(const struct elf_func *f, char **globs, int nglobs)
{
	int i;

	for (i = 0; i < nglobs; i++)
		if (func_glob_match(globs[i], f))
			return true;
	return !nglobs;
}

/* The lines of function F. */
static void list_func(struct binary *b, const struct elf_func *f, bool raw, struct insn_ret *out)
{
	const struct elf_func *cold = binary__cold_part(b, f), *in, *part;
	const char *name = func_shown_name(f, !raw);
	struct insn_rets_refusal ref;
	long n = ret_insn__find(b, f, 0, out, MAX_RETS, &ref, &in), k;

	if (n < 0) {
		printf("%-18s %-18s %-9s %-32s %s+0x%llx: %s (trace --ret-mode insn refuses %s)\n", "-", "-", "refused",
		       ref.text, in->name, (unsigned long long)(ref.vaddr - in->addr), ref.why, name);
		return;
	}
	for (k = 0; k < n && k < MAX_RETS; k++) {
		part = out[k].part ? cold : f;
		printf("0x%016llx 0x%016llx %-9s %-32s %s+0x%llx\n",
		       (unsigned long long)(part->offset + out[k].vaddr - part->addr), (unsigned long long)out[k].vaddr,
		       out[k].kind == INSN_RET_TAIL ? "tail-call" : "ret", out[k].text, part->name,
		       (unsigned long long)(out[k].vaddr - part->addr));
	}
}

/* The ELF_FUNCS_* flags the globs need, as list_funcs.c loads them. */
static unsigned load_flags(char **globs, int nglobs, bool raw)
{
	unsigned flags = 0;
	int i;

	for (i = 0; i < nglobs; i++)
		if (func_glob_wants_base(globs[i]))
			flags |= ELF_FUNCS_BASE_NAMES;
	return raw && !(flags & ELF_FUNCS_BASE_NAMES) ? flags | ELF_FUNCS_NO_DEMANGLE : flags;
}

int list_returns(const char *shown, const char *open_path, char **globs, int nglobs, bool raw)
{
	struct binaries bc = { .funcs_flags = load_flags(globs, nglobs, raw), .show_raw = raw };
	const struct elf_func_list *fl;
	struct insn_ret *out = calloc(MAX_RETS, sizeof(*out));
	size_t i;
	int bi = out ? binaries__add(&bc, shown, open_path) : -1, status = 1;

	if (bi >= 0 && (fl = binary__funcs(binaries__at(&bc, bi))) != NULL) {
		printf("%-18s %-18s %-9s %-32s %s\n", "OFFSET", "ADDRESS", "KIND", "INSN", "WHERE");
		for (i = 0; i < fl->cnt; i++)
			if (wanted(&fl->funcs[i], globs, nglobs))
				list_func(binaries__at(&bc, bi), &fl->funcs[i], raw, out);
		status = 0;
	}
	free(out);
	binaries__free(&bc);
	return status;
}
