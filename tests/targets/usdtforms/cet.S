/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cet: CET-style functions (endbr64 first) for the endbr64 skip, byte for
 * byte: one that may skip, one with a loop back to the instruction after
 * endbr64 (must not: the loop would count as calls), one whose second
 * instruction is single-stepped too (no gain), and one looping back to its
 * very top (may skip: both places count each iteration).
 */
	.text
#define FUNC(name) .globl name; .type name, @function; .p2align 4; name:
#define END(name) .size name, .-name

FUNC(f_cet_plain)	endbr64; push %rbp; mov %rsp, %rbp; pop %rbp; ret
END(f_cet_plain)
FUNC(f_cet_loop)	endbr64
1:			push %rbp; pop %rbp; dec %edi; jg 1b; ret
END(f_cet_loop)
FUNC(f_cet_mov)		endbr64; mov %rdi, %rax; ret
END(f_cet_mov)
FUNC(f_cet_top)		endbr64; push %rbp; pop %rbp; dec %edi; jg f_cet_top; ret
END(f_cet_top)
	.section .note.GNU-stack, "", @progbits
