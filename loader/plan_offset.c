// SPDX-License-Identifier: BSD-2-Clause
/*
 * --offset / --unsafe-offset: which raw file offsets may become an entry
 * site, and under what name? See plan__add_offset() in plan.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "insn_check.h"
#include "plan.h"
#include "plan_priv.h"
#include "util.h"
#include "../helpers/elf_traits.h"

/* A place known to start an instruction: a USDT location of B. */
static bool is_usdt_location(struct binary *b, uint64_t off)
{
	const struct usdt_note_list *nl = binary__notes(b);
	size_t i;

	for (i = 0; nl && i < nl->cnt; i++)
		if (nl->notes[i].offset == off)
			return true;
	return false;
}

int plan__add_offset(struct plan *plan, int bi, uint64_t off, bool unsafe)
{
	struct binary *b = plan__bin(plan, bi);
	const struct elf_func_list *fl;
	const struct elf_func *holder = NULL;
	struct site s = { .kind = USCOPE_SITE_ENTRY, .bin = bi, .offset = off };
	size_t i, cap = plan->nsites;
	char *name;
	int err;

	err = binary__check_exec_offset(b, off);
	if (err)
		return err;
	fl = binary__funcs(b);
	if (!fl)
		return -EINVAL;
	for (i = 0; i < plan->nsites; i++)
		if (plan->sites[i].bin == (uint32_t)bi && plan->sites[i].kind == USCOPE_SITE_ENTRY &&
		    plan->sites[i].offset == off)
			return 0;	/* already probed: the kernel would fire it twice */
	for (i = 0; i < fl->cnt && fl->funcs[i].offset <= off; i++)
		if (off - fl->funcs[i].offset < (fl->funcs[i].size ? fl->funcs[i].size : 1))
			holder = &fl->funcs[i];
	/* Safe: a USDT location, a function's start, or an instruction start decoded from it. */
	if (!unsafe && !is_usdt_location(b, off)) {
		char what[48];

		snprintf(what, sizeof(what), "--offset 0x%llx", (unsigned long long)off);
		/* Stripped: no symbol holds OFF, but the unwind info knows where functions start. */
		if (!holder && !elf_offset_is_fde_start(b->open_path, off)) {
			err_msg("%s is neither a function start nor a USDT location in '%s': a probe inside an "
				"instruction corrupts the target (--unsafe-offset takes the risk)", what, b->path);
			return -EINVAL;
		}
		if (holder && holder->offset != off && insn_check__offset(b, holder, off, what))
			return -EINVAL;
	}
	if (holder && holder->offset == off)
		name = strdup(holder->name);
	else if (holder)
		err = asprintf(&name, "%s+0x%llx", holder->name, (unsigned long long)(off - holder->offset));
	else
		err = asprintf(&name, "0x%llx", (unsigned long long)off);
	if (err < 0 || !name) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	if ((err = plan_own(plan, name)))
		return err;
	s.name = name;
	err = plan_add_site(plan, &cap, &s);
	return err < 0 ? err : 0;
}
