// SPDX-License-Identifier: BSD-2-Clause
/*
 * One binary's answers for the symbolizer: function name and offset, source
 * line, inlined calls, for a file offset.
 *
 * Names come first from elf_funcs__load, the chain `uscope funcs` uses, so a
 * stack never names a function differently from the listing; then from the
 * symbol table libdwfl reads from the separate debug file it finds by build
 * ID or debuglink (how libc's local functions such as __libc_start_call_main
 * get a name with libc6-dbg installed). Lines and inlined scopes come from
 * libdwfl over the same files: elfutils is the library perf uses for this,
 * already in the build for DWARF, and it finds debug files on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include "symbolize_bin.h"
#include "symbolize_inline.h"

static int read_elf_facts(struct sym_binary *b)
{
	const void *id;
	ssize_t idlen;
	size_t i, n;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(b->fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n)) {
		elf_end(elf);
		return -ENOEXEC;
	}
	idlen = dwelf_elf_gnu_build_id(elf, &id);
	if (idlen > 0 && idlen <= SYM_BUILD_ID_MAX) {
		memcpy(b->build_id, id, idlen);
		b->build_id_len = idlen;
	}
	for (i = 0; i < n && b->nloads < SYM_MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		b->loads[b->nloads++] = (struct sym_load){ ph.p_offset, ph.p_filesz, ph.p_vaddr };
	}
	elf_end(elf);
	return 0;
}

int sym_binary__open(const char *open_path, const char *path, struct sym_binary **out)
{
	struct sym_binary *b = calloc(1, sizeof(*b));
	struct stat st;
	int err;

	if (!b)
		return -ENOMEM;
	b->fd = open(open_path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0 || fstat(b->fd, &st)) {
		err = -errno;
		goto err_out;
	}
	b->dev = st.st_dev;
	b->ino = st.st_ino;
	b->path = strdup(path);
	err = b->path ? read_elf_facts(b) : -ENOMEM;
	if (err)
		goto err_out;
	*out = b;
	return 0;
err_out:
	sym_binary__free(b);
	return err;
}

void sym_binary__free(struct sym_binary *b)
{
	size_t i;

	if (!b)
		return;
	sym_inline__free(b->inl);
	if (b->dwfl)
		dwfl_end(b->dwfl);
	elf_funcs__free(&b->funcs);
	if (b->fd >= 0)
		close(b->fd);
	for (i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->owned);
	free(b->dbg);
	free(b->path);
	free(b);
}

static const char *own(struct sym_binary *b, char *s)
{
	char **grown;

	if (!s)
		return "[?]";
	grown = realloc(b->owned, (b->nowned + 1) * sizeof(*grown));
	if (!grown) {
		free(s);
		return "[?]";
	}
	b->owned = grown;
	b->owned[b->nowned++] = s;
	return s;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The function of elf_funcs holding file offset OFF, or NULL. */
static const struct elf_func *func_at(struct sym_binary *b, uint64_t off)
{
	char path[64];
	size_t lo = 0, hi;
	const struct elf_func *f;

	if (!b->funcs_state) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
		b->funcs_state = elf_funcs__load(path, &b->funcs);
		if (!b->funcs_state)
			b->funcs_state = 1;
	}
	if (b->funcs_state != 1)
		return NULL;
	hi = b->funcs.cnt;
	while (lo < hi) {	/* the last function starting at or before OFF */
		size_t mid = (lo + hi) / 2;

		if (b->funcs.funcs[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Aliases share an offset: prefer a global name over a local one. */
	for (f = NULL; lo > 0; lo--) {
		const struct elf_func *g = &b->funcs.funcs[lo - 1];

		if (off >= g->offset + (g->size ? g->size : 1))
			break;
		if (!f || g->bind == ELF_FUNC_GLOBAL)
			f = g;
		if (lo > 1 && b->funcs.funcs[lo - 2].offset != g->offset)
			break;
	}
	return f;
}

static int dwfl_ready(struct sym_binary *b)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	int fd;

	if (b->dwfl_state)
		return b->dwfl_state;
	b->dwfl_state = -1;
	b->dwfl = dwfl_begin(&cb);
	fd = b->dwfl ? dup(b->fd) : -1;
	if (fd < 0)
		return -1;
	dwfl_report_begin(b->dwfl);
	b->mod = dwfl_report_offline(b->dwfl, b->path, b->path, fd);	/* takes fd */
	dwfl_report_end(b->dwfl, NULL, NULL);
	if (!b->mod || !dwfl_module_getelf(b->mod, (Dwarf_Addr *)&b->bias))
		return -1;
	return b->dwfl_state = 1;
}

/* File offset -> the address in the file's own numbering; false outside every PT_LOAD. */
static bool offset_vaddr(const struct sym_binary *b, uint64_t off, uint64_t *vaddr)
{
	int i;

	for (i = 0; i < b->nloads; i++) {
		const struct sym_load *l = &b->loads[i];

		if (off >= l->offset && off < l->offset + l->filesz) {
			*vaddr = off - l->offset + l->vaddr;
			return true;
		}
	}
	return false;
}

static int by_addr(const void *x, const void *y)
{
	const struct sym_dbg *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * The functions of the module's symbol table (the debug file's when libdwfl
 * found one), sorted once: dwfl_module_addrinfo scans every symbol on every
 * call, which made libc lookups cost 0.2 ms each.
 */
static void load_debug_syms(struct sym_binary *b)
{
	int n = dwfl_module_getsymtab(b->mod), i;

	b->ndbg = 0;
	b->dbg = n > 0 ? calloc(n, sizeof(*b->dbg)) : NULL;
	for (i = 1; b->dbg && i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(b->mod, i, &sym, &addr, NULL, NULL, NULL);

		if (name && *name && GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF)
			b->dbg[b->ndbg++] = (struct sym_dbg){ addr, sym.st_size, name };
	}
	if (b->dbg)
		qsort(b->dbg, b->ndbg, sizeof(*b->dbg), by_addr);
	b->dbg_loaded = 1;
}

/* The debug-file function holding module address A, or NULL. */
static const char *debug_sym_at(struct sym_binary *b, uint64_t a, GElf_Off *off)
{
	size_t lo = 0, hi;

	if (!b->dbg_loaded)
		load_debug_syms(b);
	hi = b->ndbg;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->dbg[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo > 0; lo--) {	/* aliases and nested sizes: the first that covers A */
		const struct sym_dbg *d = &b->dbg[lo - 1];

		if (a < d->addr + (d->size ? d->size : 1)) {
			*off = a - d->addr;
			return d->name;
		}
		if (lo < 2 || b->dbg[lo - 2].addr != d->addr)
			break;
	}
	return NULL;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n;

	n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
	return n ? n : "?";
}

static const char *call_file(Dwarf_Die *cu, Dwarf_Die *inl, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word fileno = 0, lineno = 0;
	Dwarf_Files *files;
	size_t nfiles;

	*line = 0;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &a), &lineno) == 0)
		*line = (int)lineno;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &a), &fileno) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || fileno >= nfiles)
		return NULL;
	return dwarf_filesrc(files, fileno, NULL, NULL);
}

/*
 * Inlined calls at A (a module address): OUT[0..k) get the inlined functions,
 * innermost first, each with the line in it; the caller's line is returned in
 * *FILE / *LINE for the frame that follows. Returns k.
 */
static int inlined_frames(struct sym_binary *b, Dwarf_Addr a, struct sym_frame *out, int max, const char **file,
			  int *line)
{
	Dwarf_Addr cubias;
	Dwarf_Die *cu = dwfl_module_addrdie(b->mod, a, &cubias), scopes[SYM_MAX_INLINE];
	int n, i;

	if (!cu || max < 2)
		return 0;
	n = sym_inline__scopes((struct sym_inline_cache **)&b->inl, cu, a - cubias, scopes,
			       max - 1 < SYM_MAX_INLINE ? max - 1 : SYM_MAX_INLINE);
	for (i = 0; i < n; i++) {
		out[i] = (struct sym_frame){ .func = die_name(&scopes[i]), .file = *file, .line = *line,
					     .inlined = true, .named = true };
		*file = call_file(cu, &scopes[i], line);
	}
	return n;
}

int sym_binary__frames(struct sym_binary *b, uint64_t off, uint64_t addr, bool retaddr, struct sym_frame *out,
		       int max)
{
	uint64_t look = retaddr && off ? off - 1 : off, vaddr = 0;
	const struct elf_func *f = func_at(b, look);
	const char *file = NULL, *name = NULL;
	int line = 0, k = 0, i;
	GElf_Off symoff = 0;

	if (offset_vaddr(b, look, &vaddr) && dwfl_ready(b) == 1) {
		Dwarf_Addr a = vaddr + b->bias;
		Dwfl_Line *l = dwfl_module_getsrc(b->mod, a);

		if (l)
			file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
		k = inlined_frames(b, a, out, max, &file, &line);
		if (!f)
			name = debug_sym_at(b, a, &symoff);
	}
	for (i = 0; i < k; i++) {
		out[i].addr = addr;
		out[i].binary = b->path;
	}
	out[k] = (struct sym_frame){ .addr = addr, .binary = b->path, .file = file, .line = line, .named = true };
	if (f) {
		out[k].func = f->name;
		out[k].offset = off - f->offset;
	} else if (name) {
		out[k].func = name;
		out[k].offset = symoff + (look != off);
	} else {
		char *s = NULL;

		if (asprintf(&s, "[%s+0x%llx]", base_name(b->path), (unsigned long long)off) < 0)
			s = NULL;
		out[k].func = own(b, s);
		out[k].offset = off;
		out[k].named = false;
	}
	return k + 1;
}
