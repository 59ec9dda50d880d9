/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * binaries: the one cache of the files a trace probes. Which binaries are
 * there, what is each one's name for the user and for open(), and what is in
 * it (functions, USDT notes)? Every fact about a binary's contents is loaded
 * here, once, on first use, and nowhere else opens the file: the plan asks
 * this cache. Later facts (debug files, DWARF, an instruction decoder) join
 * struct binary as further lazily loaded members with their own accessor.
 */
#ifndef USCOPE_BINARIES_H
#define USCOPE_BINARIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../helpers/elf_funcs.h"
#include "../helpers/usdt_notes.h"
#include "../helpers/dwarf_sigs.h"

struct target;

struct binary {
	char *path;		/* shown to the user */
	char *open_path;	/* what libelf and the kernel open */
	/* Loaded on demand; read them only through the accessors below. */
	struct elf_func_list funcs;
	struct usdt_note_list notes;
	int funcs_loaded, notes_loaded;
	unsigned funcs_flags;	/* ELF_FUNCS_*, copied from binaries.funcs_flags when added */
	struct dwarf_sig_list sigs;	/* DWARF signatures (binary__sigs) */
	int sigs_loaded;
	struct binary_code *code;	/* function bytes, .cold parts, Go-ness (binaries_code.c) */
};

struct binaries {
	struct binary *v;
	size_t n;
	unsigned funcs_flags;	/* ELF_FUNCS_* for every binary added from now on (names) */
	bool show_raw;		/* --no-demangle: sites are named by raw symbols */
};

/* Add a binary by path (or reuse it); returns its index or a negative errno (message printed). */
int binaries__add(struct binaries *bc, const char *path, const char *open_path);

/* Resolve NAME like bcc (path, library, program; see binpath.h) in T's view and add it. */
int binaries__resolve(struct binaries *bc, const char *name, const struct target *t);

static inline struct binary *binaries__at(const struct binaries *bc, size_t i)
{
	return &bc->v[i];
}

/* The functions / USDT notes of B, loaded once; NULL after printing one message. */
const struct elf_func_list *binary__funcs(struct binary *b);
const struct usdt_note_list *binary__notes(struct binary *b);

/* B's DWARF function signatures, loaded once (has_dwarf false without DWARF); NULL after a message. */
const struct dwarf_sig_list *binary__sigs(struct binary *b);

/*
 * 0 if file offset OFF lies in an executable segment of B; -ERANGE (message
 * printed naming OFF and B) if not; another negative errno if B is unreadable.
 */
int binary__check_exec_offset(struct binary *b, uint64_t off);

/*
 * ---- Code (loader/binaries_code.c): what the instruction decoder reads ----
 * The function of B starting at file offset OFF (NULL if none); its
 * compiler-split part NAME.cold (NULL if none); its bytes (its symbol
 * size), read once and kept until binaries__free (NULL, errno set: no size,
 * too large, unreadable); whether B is a Go binary (1, 0, or a negative
 * errno), decided once.
 */
const struct elf_func *binary__func_at(struct binary *b, uint64_t off);
const struct elf_func *binary__cold_part(struct binary *b, const struct elf_func *f);
const uint8_t *binary__func_bytes(struct binary *b, const struct elf_func *f);
/* N bytes at file offset OFF of B, uncached (a few bytes: a first instruction); pread's result. */
ssize_t binary__read(struct binary *b, uint64_t off, void *buf, size_t n);
int binary__is_go(struct binary *b);
void binary__code_free(struct binary *b);

void binaries__free(struct binaries *bc);

#endif
