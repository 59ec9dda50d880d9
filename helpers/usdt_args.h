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
 *   -1@c(%rip)        memory at a symbol (+ offset: sym+8, 8+sym, sym-8),
 *   -8@8+ti(%rip)     %rip-relative (PIE, shared libraries) or absolute
 *   4@a32(,%rbx,4)    with base and/or index (non-PIE executables)
 *   8@$sym            the address of a symbol (non-PIE)
 * Arguments are separated by blanks. A symbol's address is resolved later
 * (usdt_notes.c, from the binary's symbol tables); the parser only records
 * where its name is in the string.
 */
#ifndef USCOPE_USDT_ARGS_H
#define USCOPE_USDT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define USDT_MAX_ARGS 12

/* SYM below is the symbol's address when the operand names one, else 0. */
enum usdt_arg_kind {
	USDT_ARG_CONST,		/* value = SYM + val_off */
	USDT_ARG_REG,		/* value = register */
	USDT_ARG_MEM,		/* value = *(SYM + [register] + val_off) */
	USDT_ARG_MEM_SIB,	/* value = *(SYM + [reg] + idx_reg * scale + val_off) */
	USDT_ARG_BAD,		/* cannot be read: why is in the note (usdt_notes.h) */
};

struct usdt_arg {
	uint8_t size;		/* bytes: 1, 2, 4 or 8 */
	bool is_signed;
	uint8_t kind;		/* enum usdt_arg_kind */
	uint8_t scale;		/* MEM_SIB only: 1, 2, 4 or 8 */
	int16_t reg_off;	/* offsetof(struct pt_regs, reg), -1 when none */
	int16_t idx_reg_off;	/* MEM_SIB only */
	int64_t val_off;	/* constant, or memory offset */
	char reg[8];		/* register name as written, without '%'; "rip": symbol-relative */
	char idx_reg[8];	/* MEM_SIB only */
	uint16_t sym_pos;	/* the symbol's name: SYM_LEN bytes at this offset of the */
	uint16_t sym_len;	/* whole argument string; sym_len 0: no symbol */
	uint64_t sym_addr;	/* its link-time address, once resolved (usdt_notes.c) */
};

/*
 * Parse the whole argument string STR into ARGS (at most USDT_MAX_ARGS).
 * Returns the number of arguments, or -EINVAL with a one-line reason in
 * WHY (e.g. "argument 2 '8@foo(%rip)': symbol operands are not supported").
 * -E2BIG when there are more than USDT_MAX_ARGS arguments.
 */
int usdt_args__parse(const char *str, struct usdt_arg *args, char *why, size_t why_len);

/*
 * The same, but every argument is parsed even when one is bad: *NARGS gets
 * how many there are (at most USDT_MAX_ARGS, the rest ignored), a bad one
 * is USDT_ARG_BAD, and the return is 0 or the first error (WHY as above),
 * so a probe can still be counted with only its bad arguments marked.
 */
int usdt_args__parse_all(const char *str, struct usdt_arg *args, int *nargs, char *why, size_t why_len);

#endif
