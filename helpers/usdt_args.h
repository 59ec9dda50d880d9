/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_args: what does one x86-64 USDT argument spec mean?
 *
 * sys/sdt.h writes each argument as SIZE@OPERAND, SIZE being 1, 2, 4 or 8,
 * negative for signed, and OPERAND an AT&T operand:
 *   -4@$-9            constant
 *   8@%rdx  -4@%eax   register (any width name of the 16 GPRs, and %rip)
 *   8@-80(%rbx)       memory at register + offset (offset may be absent)
 *   8@(%rax,%rbx,8)   memory at base + index * scale (+ offset)
 *   4@sym+8(%rip)     memory relative to a symbol: not supported
 * Arguments are separated by blanks.
 */
#ifndef USCOPE_USDT_ARGS_H
#define USCOPE_USDT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define USDT_MAX_ARGS 12

enum usdt_arg_kind {
	USDT_ARG_CONST,		/* value = val_off */
	USDT_ARG_REG,		/* value = register */
	USDT_ARG_MEM,		/* value = *(register + val_off) */
	USDT_ARG_MEM_SIB,	/* value = *(reg + idx_reg * scale + val_off) */
};

struct usdt_arg {
	uint8_t size;		/* bytes: 1, 2, 4 or 8 */
	bool is_signed;
	uint8_t kind;		/* enum usdt_arg_kind */
	uint8_t scale;		/* MEM_SIB only: 1, 2, 4 or 8 */
	int16_t reg_off;	/* offsetof(struct pt_regs, reg), -1 when none */
	int16_t idx_reg_off;	/* MEM_SIB only */
	int64_t val_off;	/* constant, or memory offset */
	char reg[8];		/* register name as written, without '%' */
	char idx_reg[8];	/* MEM_SIB only */
};

/*
 * Parse the whole argument string STR into ARGS (at most USDT_MAX_ARGS).
 * Returns the number of arguments, or -EINVAL with a one-line reason in
 * WHY (e.g. "argument 2 '8@foo(%rip)': symbol operands are not supported").
 * -E2BIG when there are more than USDT_MAX_ARGS arguments.
 */
int usdt_args__parse(const char *str, struct usdt_arg *args, char *why, size_t why_len);

#endif
