/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_funcs: where are the functions of a binary?
 *
 * Reads the function symbols of a 64-bit x86-64 ELF file (executable, PIE or
 * shared library) with libelf and turns each symbol's virtual address into the
 * file offset the kernel's uprobe API wants: find the PT_LOAD segment that holds
 * st_value and take st_value - p_vaddr + p_offset.
 *
 * Symbols come from the best source there is, with .dynsym merged in:
 *   symtab          the binary's own .symtab
 *   build-id        a debug file found by build ID   \  see debug_find.h for
 *   debuglink       a debug file named by .gnu_debuglink  > where these are
 *   debuginfod      a debug file from debuginfod     /  searched
 *   minidebuginfo   the .symtab inside .gnu_debugdata (xz)
 *   dynsym          .dynsym entries none of the above has
 * Each function says which source it came from. A debug file's symbols carry
 * the binary's addresses; file offsets always come from the binary's own
 * program headers. Only defined STT_FUNC and STT_GNU_IFUNC symbols with a
 * nonzero address inside an executable PT_LOAD segment of the binary are
 * kept. Every read is bounds-checked: a truncated or corrupted file yields a
 * negative errno, never a crash. Files are mapped, not read.
 */
#ifndef USCOPE_ELF_FUNCS_H
#define USCOPE_ELF_FUNCS_H

#include <stddef.h>
#include <stdint.h>

enum elf_func_bind {
	ELF_FUNC_LOCAL,
	ELF_FUNC_GLOBAL,
	ELF_FUNC_WEAK,
	ELF_FUNC_OTHER,		/* GNU_UNIQUE and friends */
};

enum elf_func_source {
	ELF_SRC_SYMTAB,
	ELF_SRC_DYNSYM,
	ELF_SRC_BUILD_ID,
	ELF_SRC_DEBUGLINK,
	ELF_SRC_DEBUGINFOD,
	ELF_SRC_MINIDEBUGINFO,
};

struct elf_func {
	const char *name;	/* points into elf_func_list.names */
	uint64_t addr;		/* st_value, as readelf -s prints it */
	uint64_t offset;	/* file offset of addr */
	uint64_t size;		/* st_size */
	uint8_t bind;		/* enum elf_func_bind */
	uint8_t ifunc;		/* 1 for STT_GNU_IFUNC (the type: func or ifunc) */
	uint8_t source;		/* enum elf_func_source */
	const char *demangled;	/* C++/Rust name with parameters, NULL when not
				 * mangled or not asked for (ELF_FUNCS_NO_DEMANGLE) */
	const char *base;	/* demangled without parameters (NULL likewise;
				 * only with ELF_FUNCS_BASE_NAMES) */
};

struct elf_func_list {
	struct elf_func *funcs;	/* sorted by offset, then by name */
	size_t cnt;
	char *names;		/* one arena holding every name */
	int from_dynsym;	/* 1 when the binary has no .symtab of its own */
	char *demangled_names;	/* arena of every demangled and base name */
	int stripped;		/* no .symtab and no debug symbols: .dynsym only */
	char *debug_path;	/* the debug file read (allocated), or NULL */
	uint8_t debug_source;	/* its enum elf_func_source, when debug_path */
	char *warning;		/* why a debug file was refused, for the caller
				 * to print; NULL when nothing was */
};

/* What elf_funcs__load_opts() reads; zeroed fields mean the defaults. */
struct elf_funcs_opts {
	size_t sz;		/* sizeof(struct elf_funcs_opts) */
	unsigned flags;		/* ELF_FUNCS_* */
	const char *debug_roots; /* NULL: $USCOPE_DEBUG_ROOT, else /usr/lib/debug */
};

#define ELF_FUNCS_OWN_ONLY	(1u << 0)  /* no debug file, no MiniDebugInfo */
#define ELF_FUNCS_NO_DEBUGINFOD	(1u << 1)  /* never the network */
#define ELF_FUNCS_NO_DEMANGLE	(1u << 2)  /* leave demangled/base NULL */
#define ELF_FUNCS_BASE_NAMES	(1u << 3)  /* also fill base */

/*
 * Load every function of PATH into *OUT (zeroed first). Returns 0 or a
 * negative errno:
 *   -ENOENT, -EACCES, ...  the file could not be opened (errno of open(2))
 *   -EISDIR                PATH is a directory
 *   -ENOEXEC               not an ELF file
 *   -EPROTONOSUPPORT       ELF, but not 64-bit little-endian x86-64
 *   -EBADMSG               malformed or truncated ELF
 *   -ENOMEM
 * A file with no function symbols is not an error: cnt is 0.
 */
int elf_funcs__load(const char *path, struct elf_func_list *out);

/* The same with options; elf_funcs__load() is this with OPTS NULL. */
int elf_funcs__load_opts(const char *path, const struct elf_funcs_opts *opts,
			 struct elf_func_list *out);
void elf_funcs__free(struct elf_func_list *list);

const char *elf_bind_name(uint8_t bind);	/* "global", "local", "weak", "other" */
/* "symtab", "dynsym", "build-id", "debuglink", "debuginfod", "minidebuginfo" */
const char *elf_source_name(uint8_t source);
/* The name to show: demangled when there is one, else the raw name. */
static inline const char *elf_func__display(const struct elf_func *f)
{
	return f->demangled ? f->demangled : f->name;
}


/* One line of text for the negative errnos above ("not an ELF file", ...). */
const char *elf_strerror(int err);

#endif
