/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * symbolize_bin: what does one binary say about one of its file offsets?
 * The cache entry behind helpers/symbolize.c: an open file descriptor (so the
 * file outlives the process that mapped it), its build ID, its functions from
 * elf_funcs__load, and an offline libdwfl session for line tables, inlined
 * scopes and the symbols of its separate debug file.
 */
#ifndef USCOPE_SYMBOLIZE_BIN_H
#define USCOPE_SYMBOLIZE_BIN_H

#include <stdint.h>
#include <sys/types.h>
#include "elf_funcs.h"
#include "symbolize.h"

#define SYM_BUILD_ID_MAX 64
#define SYM_MAX_LOADS 16

struct sym_load {
	uint64_t offset, filesz, vaddr;
};

struct sym_dbg {
	uint64_t addr, size;	/* module addresses */
	const char *name;	/* owned by libdwfl */
};

struct sym_binary {
	char *path;		/* the path the process mapped */
	int fd;			/* kept open: the file may be gone from the process's view later */
	uint8_t build_id[SYM_BUILD_ID_MAX];
	size_t build_id_len;	/* 0: none; then keyed by dev and inode */
	dev_t dev;
	ino_t ino;
	struct sym_load loads[SYM_MAX_LOADS];	/* PT_LOAD segments: file offset -> address */
	int nloads;
	struct elf_func_list funcs;
	int funcs_state;	/* 0: not loaded yet, 1: loaded, <0: failed (-errno) */
	void *dwfl;		/* Dwfl *, created on first use; NULL when it failed */
	void *mod;		/* Dwfl_Module * */
	uint64_t bias;		/* the module's bias in its offline session */
	int dwfl_state;		/* 0: not tried, 1: ready, -1: failed */
	struct sym_dbg *dbg;	/* functions of the debug file's symbol table, by address */
	size_t ndbg;
	int dbg_loaded;
	void *inl;		/* struct sym_inline_cache *: functions by address, per compile unit */
	char **owned;		/* "[binary+0xOFF]" strings made for this binary */
	size_t nowned;
};

/* Open OPEN_PATH (shown as PATH), read its build ID and segments. Returns 0 or -errno. */
int sym_binary__open(const char *open_path, const char *path, struct sym_binary **out);
void sym_binary__free(struct sym_binary *b);

/*
 * Frames for file offset OFF of B (ADDR is the address in the process, only
 * copied into the frames), innermost first. Returns the count (>= 1).
 */
int sym_binary__frames(struct sym_binary *b, uint64_t off, uint64_t addr, bool retaddr, struct sym_frame *out,
		       int max);

#endif
