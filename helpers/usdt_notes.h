/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_notes: what do a binary's USDT notes say?
 *
 * Parses the SystemTap SDT notes (.note.stapsdt, owner "stapsdt", type 3) of a
 * 64-bit x86-64 ELF with libelf. Each note carries three addresses (pc, base,
 * semaphore) and three NUL-terminated strings (provider, name, argument spec).
 * Addresses are kept exactly as written in the note (what readelf -n prints);
 * the file offsets the kernel wants are computed after correcting for prelink
 * with the real address of the .stapsdt.base section:
 *   offset      = (pc + real_base - note_base) mapped through its executable PT_LOAD
 *   sema_offset = (sema + real_base - note_base) mapped through its PT_LOAD
 *                 (this is the kernel's ref_ctr_offset; 0 when there is none)
 * Every read is bounds-checked; a malformed note is skipped and reported.
 */
#ifndef USCOPE_USDT_NOTES_H
#define USCOPE_USDT_NOTES_H

#include <stddef.h>
#include <stdint.h>
#include "usdt_args.h"

struct usdt_note {
	const char *provider;	/* point into usdt_note_list.strings */
	const char *name;
	const char *args_str;	/* the raw argument string, "" when none */
	uint64_t pc;		/* as in the note */
	uint64_t addr;		/* pc corrected for prelink: the probe's link-time address */
	uint64_t base;		/* as in the note */
	uint64_t semaphore;	/* as in the note, 0 when none */
	uint64_t offset;	/* file offset of the probe location */
	uint64_t sema_offset;	/* file offset of the semaphore, 0 when none */
	int nargs;		/* arguments (at most USDT_MAX_ARGS), bad ones included */
	struct usdt_arg args[USDT_MAX_ARGS];	/* a bad one is USDT_ARG_BAD */
	int args_err;		/* 0, or the first bad argument's negative errno */
	char args_why[128];	/* why, when args_err != 0 ("argument 2 '...': ...") */
};

struct usdt_note_list {
	struct usdt_note *notes;	/* in file order */
	size_t cnt;
	char *strings;			/* one arena holding every string */
	size_t skipped;			/* malformed notes that were skipped */
	char skipped_why[160];		/* reason for the first skipped note */
	int has_section;		/* 1 when .note.stapsdt exists */
};

/*
 * Load every USDT note of PATH into *OUT (zeroed first). Same errnos as
 * elf_funcs__load(). No .note.stapsdt is not an error: has_section is 0.
 */
int usdt_notes__load(const char *path, struct usdt_note_list *out);
void usdt_notes__free(struct usdt_note_list *list);

#endif
