/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * coldjump: a CET function whose .cold part jumps back to the instruction
 * right after its endbr64 (tests/insn.bats). A call with a negative argument
 * passes +4 twice, so an entry probe moved past the endbr64 would count it
 * twice: the skip must see the .cold part and stay at +0.
 */
	.text
	.globl	f_coldjump
	.type	f_coldjump, @function
f_coldjump:
	endbr64
	push	%rbp			/* +4: emulated, where the skip would move the probe */
	mov	%rsp, %rbp
	test	%edi, %edi
	js	f_coldjump.cold
	mov	%edi, %eax
	pop	%rbp
	ret
	.size	f_coldjump, .-f_coldjump

	.section .text.unlikely,"ax",@progbits
	.type	f_coldjump.cold, @function
f_coldjump.cold:
	pop	%rbp
	neg	%edi
	jmp	f_coldjump + 4
	.size	f_coldjump.cold, .-f_coldjump.cold
	.section .note.GNU-stack,"",@progbits
