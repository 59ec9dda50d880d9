/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cost: functions whose first instruction is exactly one of each class the
 * kernel's uprobe code knows (helpers/insn_cost.c), byte for byte, so
 * `uscope funcs --cost` can be held against objdump -d and against what
 * the kernel does when they are probed (cost_main.c calls them).
 */
	.text
#define FUNC(name) .globl name; .type name, @function; .p2align 4; name:
#define END(name) ret; .size name, .-name

FUNC(f_nop5)	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00	/* nopl 0x0(%rax,%rax,1): optimized */
END(f_nop5)
FUNC(f_nopl4)	.byte 0x0f, 0x1f, 0x40, 0x00		/* nopl 0x0(%rax): emulated (measured) */
END(f_nopl4)
FUNC(f_nopw6)	.byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00	/* nopw 0x0(%rax,%rax,1): emulated (measured) */
END(f_nopw6)
FUNC(f_push)	push %rbp; pop %rbp			/* emulated */
END(f_push)
FUNC(f_push_r12) push %r12; pop %r12			/* REX 0x41 push: emulated */
END(f_push_r12)
FUNC(f_nop1)	nop					/* emulated */
END(f_nop1)
FUNC(f_jmp)	jmp 1f; 1:				/* emulated */
END(f_jmp)
FUNC(f_endbr)	endbr64					/* single-step */
END(f_endbr)
FUNC(f_mov)	mov %rdi, %rax				/* single-step */
END(f_mov)
FUNC(f_lea)	lea 8(%rdi), %rax			/* single-step */
END(f_lea)
FUNC(f_lock)	lock incl (%rdi)			/* lock prefix: unprobeable */
END(f_lock)
FUNC(f_nop10)	.byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00	/* cs: unprobeable */
END(f_nop10)
FUNC(f_nop66)	.byte 0x66, 0x90			/* xchg %ax,%ax: a nop with 0x66, emulated (measured) */
END(f_nop66)
	.section .note.GNU-stack, "", @progbits
