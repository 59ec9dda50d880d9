/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_spec: uscope's parsed USDT arguments, written in the form libbpf's
 * usdt.bpf.h reads (struct __bpf_usdt_spec), so that the uprobe_multi path
 * can fill the spec map itself and BPF_USDT / bpf_usdt_arg() keep working.
 */
#ifndef USCOPE_USDT_SPEC_H
#define USCOPE_USDT_SPEC_H

#include <stdint.h>
#include "../helpers/usdt_notes.h"

/* Mirror of usdt.bpf.h's private structs (libbpf 1.1: 16 and 208 bytes). */
struct bpf_usdt_arg_spec_abi {
	uint64_t val_off;
	int32_t arg_type;	/* 0 const, 1 register, 2 register + dereference */
	int16_t reg_off;
	uint8_t arg_signed;
	int8_t arg_bitshift;
};

struct bpf_usdt_spec_abi {
	struct bpf_usdt_arg_spec_abi args[12];
	uint64_t usdt_cookie;
	int16_t arg_cnt;
};

/* Fill OUT for NOTE, whose arguments are supported; COOKIE is the site id. */
void usdt_spec__fill(struct bpf_usdt_spec_abi *out, const struct usdt_note *note, uint64_t cookie);

#endif
