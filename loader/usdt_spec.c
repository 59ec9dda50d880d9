// SPDX-License-Identifier: BSD-2-Clause
/*
 * Translates a parsed USDT note into libbpf's BPF-side spec record.
 *
 * libbpf keeps the spec layout private to usdt.c and usdt.bpf.h; it is
 * mirrored here and the loader checks, before use, that the spec map's value
 * size in the loaded object equals sizeof(struct bpf_usdt_spec_abi), so a
 * libbpf that changed the layout is refused rather than misread.
 */
#include <string.h>
#include "usdt_spec.h"

_Static_assert(sizeof(struct bpf_usdt_arg_spec_abi) == 16, "arg spec size");
_Static_assert(sizeof(struct bpf_usdt_spec_abi) == 208, "spec size");

void usdt_spec__fill(struct bpf_usdt_spec_abi *out, const struct usdt_note *note, uint64_t cookie)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->usdt_cookie = cookie;
	out->arg_cnt = note->nargs;
	for (i = 0; i < note->nargs && i < 12; i++) {
		const struct usdt_arg *a = &note->args[i];
		struct bpf_usdt_arg_spec_abi *s = &out->args[i];

		s->arg_type = a->kind == USDT_ARG_CONST ? 0 : a->kind == USDT_ARG_REG ? 1 : 2;
		s->val_off = (uint64_t)a->val_off;
		s->reg_off = a->kind == USDT_ARG_CONST ? 0 : a->reg_off;
		s->arg_signed = a->is_signed;
		/* bpf_usdt_arg() shifts left then right to cut (and sign-extend) 1-4 byte values */
		s->arg_bitshift = 64 - a->size * 8;
	}
}
