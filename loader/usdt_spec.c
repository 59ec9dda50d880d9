// SPDX-License-Identifier: BSD-2-Clause
/*
 * Translates a parsed USDT note into the record usdt_read.bpf.h follows.
 *
 * Register operands become pt_regs slots; a symbol operand becomes an
 * offset from the probe's own address: the symbol's run-time address is the
 * probe's run-time address plus (symbol - probe) in link-time values, for a
 * PIE, a shared library or a non-PIE executable alike. So %rip as a base is
 * dropped in favour of the probe address, which is what the kernel reports
 * as the instruction pointer at a uprobe.
 */
#include <string.h>
#include "usdt_spec.h"
#include "util.h"

_Static_assert(sizeof(struct uscope_usdt_arg) == 16, "arg spec size");

static uint8_t slot(int16_t reg_off)
{
	return reg_off < 0 ? USCOPE_USDT_NOREG : (uint8_t)(reg_off / 8);
}

static void build_arg(struct uscope_usdt_arg *s, const struct usdt_arg *a, uint64_t probe)
{
	bool rip = strcmp(a->reg, "rip") == 0;

	memset(s, 0, sizeof(*s));
	s->base = s->index = USCOPE_USDT_NOREG;
	s->size = a->size;
	s->is_signed = a->is_signed;
	s->val_off = a->val_off;
	if (a->sym_len) {
		s->ip_rel = 1;
		s->val_off = (int64_t)((uint64_t)a->val_off + a->sym_addr - probe);
	}
	switch (a->kind) {
	case USDT_ARG_CONST:
		s->kind = USCOPE_USDT_CONST;
		break;
	case USDT_ARG_REG:
		s->kind = USCOPE_USDT_REG;
		s->base = slot(a->reg_off);
		break;
	case USDT_ARG_MEM:
	case USDT_ARG_MEM_SIB:
		/* The parser refuses %rip without a symbol; never read one as the probe address. */
		if (rip && !a->sym_len)
			break;
		s->kind = USCOPE_USDT_MEM;
		s->base = rip ? USCOPE_USDT_NOREG : slot(a->reg_off);
		if (a->kind == USDT_ARG_MEM_SIB) {
			s->index = slot(a->idx_reg_off);
			s->shift = (uint8_t)(a->scale == 8 ? 3 : a->scale == 4 ? 2 : a->scale == 2 ? 1 : 0);
		}
		break;
	default:
		break;	/* USCOPE_USDT_BAD */
	}
}

void usdt_spec__build(struct uscope_usdt_spec *out, const struct usdt_note *note)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->nargs = (uint32_t)(note->nargs < USCOPE_MAX_ARGS ? note->nargs : USCOPE_MAX_ARGS);
	for (i = 0; i < (int)out->nargs; i++)
		build_arg(&out->args[i], &note->args[i], note->addr);
}

int usdt_spec__bad_args(const struct usdt_note *note)
{
	int i, bad = 0;

	for (i = 0; i < note->nargs; i++)
		bad += note->args[i].kind == USDT_ARG_BAD;
	return bad;
}

void usdt_spec__warn_unreadable(const struct usdt_note *n, const char *bin)
{
	int bad = usdt_spec__bad_args(n);

	if (!n->args_err)
		return;
	if (!bad) {	/* more than USDT_MAX_ARGS: the first ones are read */
		warn_msg("USDT probe %s:%s at 0x%llx in '%s': %s; only the first %d are shown", n->provider,
			 n->name, (unsigned long long)n->pc, bin, n->args_why, USDT_MAX_ARGS);
		return;
	}
	warn_msg("USDT probe %s:%s at 0x%llx in '%s': %s; its hits are counted, %d of its %d argument%s shown as unreadable",
		 n->provider, n->name, (unsigned long long)n->pc, bin, n->args_why, bad, n->nargs,
		 n->nargs == 1 ? "" : "s");
}
