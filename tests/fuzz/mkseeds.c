// SPDX-License-Identifier: BSD-2-Clause
/*
 * mkseeds: derive the ELF seed corpus for the fuzzers (run by fuzz.mk).
 *
 *   mkseeds OUTDIR [ELF...]
 *
 * Writes into OUTDIR:
 *  - synth-*: four tiny hand-laid ELF files (a few hundred bytes) with one
 *    executable and one writable PT_LOAD, a symbol table with every kind of
 *    symbol the loader keeps or skips, and .note.stapsdt notes (one with a
 *    semaphore, one of another owner, one prelinked); small inputs keep the
 *    fuzzers fast and put every mutation near a structure that matters;
 *  - for each synth file and each ELF given: a copy, truncated copies (inside
 *    the ELF header, the program headers, the sections, the section header
 *    table), copies with one header field or one section/segment/note field
 *    set to a hostile value, and copies with a few random bit flips
 *    (deterministic: fixed seed).
 * Everything is derived by reading the file as Elf64 with bounds checks; a
 * field that does not exist in a given file is simply not corrupted.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("realloc");
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void pad(struct buf *b, size_t align)
{
	static const unsigned char zero[16];

	while (b->len % align)
		put(b, zero, 1);
}

static const char *outdir;

static void write_file(const char *name, const unsigned char *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f)
		die(path);
	if (len && fwrite(p, 1, len, f) != len)
		die(path);
	if (fclose(f) != 0)
		die(path);
}

/* ---- synthetic ELF ------------------------------------------------------ */

static void note(struct buf *b, const char *owner, uint32_t type,
		 uint64_t pc, uint64_t base, uint64_t sema,
		 const char *prov, const char *name, const char *args)
{
	struct buf d = { 0 };
	Elf64_Nhdr nh;

	if (strcmp(owner, "stapsdt") == 0) {
		put(&d, &pc, 8);
		put(&d, &base, 8);
		put(&d, &sema, 8);
		put(&d, prov, strlen(prov) + 1);
		put(&d, name, strlen(name) + 1);
		put(&d, args, strlen(args) + 1);
	} else {
		put(&d, "\0\0\0\0\3\0\0\0\2\0\0\0\0\0\0\0", 16);
	}
	nh.n_namesz = (uint32_t)strlen(owner) + 1;
	nh.n_descsz = (uint32_t)d.len;
	nh.n_type = type;
	put(b, &nh, sizeof(nh));
	put(b, owner, nh.n_namesz);
	pad(b, 4);
	put(b, d.p, d.len);
	pad(b, 4);
	free(d.p);
}

struct strtab {
	struct buf b;
};

static uint32_t str_add(struct strtab *t, const char *s)
{
	uint32_t off;

	if (t->b.len == 0)
		put(&t->b, "", 1);
	off = (uint32_t)t->b.len;
	put(&t->b, s, strlen(s) + 1);
	return off;
}

static void sym(struct buf *b, uint32_t name, unsigned char bind, unsigned char type,
		uint16_t shndx, uint64_t value, uint64_t size)
{
	Elf64_Sym s = {
		.st_name = name,
		.st_info = ELF64_ST_INFO(bind, type),
		.st_shndx = shndx,
		.st_value = value,
		.st_size = size,
	};

	put(b, &s, sizeof(s));
}

enum { S_NULL, S_TEXT, S_PROBES, S_BASE, S_NOTE, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_NUM };

/*
 * PIE: ET_DYN linked at 0, else ET_EXEC at 0x400000. DYNSYM: the symbols
 * are in .dynsym/.dynstr instead of .symtab/.strtab. PRELINK: the notes'
 * base (and pc, sema) are shifted as if the file had been prelinked.
 */
static void synth(const char *fname, int pie, int dynsym, int prelink)
{
	const uint64_t load = pie ? 0 : 0x400000, data_load = load + 0x200000;
	const uint64_t shift = prelink ? 0x10000 : 0;
	struct buf f = { 0 }, notes = { 0 }, syms = { 0 };
	struct strtab str = { { 0 } }, shstr = { { 0 } };
	Elf64_Shdr sh[S_NUM];
	Elf64_Phdr ph[2];
	Elf64_Ehdr eh;
	size_t off[S_NUM] = { 0 }, size[S_NUM] = { 0 }, phoff, shoff;
	static const unsigned char text[32] = {
		0x55, 0x90, 0x90, 0xc3, 0x55, 0x90, 0x90, 0xc3,
		0x55, 0x90, 0x90, 0xc3, 0x55, 0x90, 0x90, 0xc3,
		0x55, 0x90, 0x90, 0xc3, 0x55, 0x90, 0x90, 0xc3,
		0x55, 0x90, 0x90, 0xc3, 0x55, 0x90, 0x90, 0xc3,
	};
	uint32_t n_text, n_probes, n_base, n_note, n_symtab, n_strtab, n_shstrtab;

	memset(&eh, 0, sizeof(eh));
	memset(ph, 0, sizeof(ph));
	memset(sh, 0, sizeof(sh));
	put(&f, &eh, sizeof(eh));			/* filled in at the end */
	phoff = f.len;
	put(&f, ph, sizeof(ph));

	off[S_TEXT] = f.len;
	size[S_TEXT] = sizeof(text);
	put(&f, text, sizeof(text));
	off[S_PROBES] = f.len;
	size[S_PROBES] = 8;
	put(&f, "\0\0\0\0\0\0\0\0", 8);		/* two semaphores */
	off[S_BASE] = f.len;
	size[S_BASE] = 1;
	put(&f, "\0", 1);
	pad(&f, 8);

#define VA(sec, x)	(load + off[sec] + (x))
	note(&notes, "stapsdt", 3, VA(S_TEXT, 1) + shift, VA(S_BASE, 0) + shift, 0,
	     "synth", "basic", "-4@%eax 8@-80(%rbx) -4@$1 8@(%rax,%rbx,8) 2@%r9w");
	note(&notes, "stapsdt", 3, VA(S_TEXT, 5) + shift, VA(S_BASE, 0) + shift,
	     data_load + off[S_PROBES] + shift,
	     "synth", "guarded", "-8@$-9 1@%sil -2@0x10(%rbp,%rcx,2) 8@%rip");
	note(&notes, "GNU", 1, 0, 0, 0, NULL, NULL, NULL);
	note(&notes, "stapsdt", 3, VA(S_TEXT, 9) + shift, VA(S_BASE, 0) + shift, 0,
	     "synth", "noargs", "");
	note(&notes, "stapsdt", 3, VA(S_TEXT, 13) + shift, VA(S_BASE, 0) + shift, 0,
	     "synth", "refused", "4@sym+8(%rip) 1@%ah");
	off[S_NOTE] = f.len;
	size[S_NOTE] = notes.len;
	put(&f, notes.p, notes.len);
	pad(&f, 8);

	sym(&syms, 0, 0, 0, 0, 0, 0);
	sym(&syms, str_add(&str, "synth_local"), STB_LOCAL, STT_FUNC, S_TEXT, VA(S_TEXT, 0), 4);
	sym(&syms, str_add(&str, "synth_global"), STB_GLOBAL, STT_FUNC, S_TEXT, VA(S_TEXT, 4), 4);
	sym(&syms, str_add(&str, "synth_alias"), STB_GLOBAL, STT_FUNC, S_TEXT, VA(S_TEXT, 4), 4);
	sym(&syms, str_add(&str, "synth_weak"), STB_WEAK, STT_FUNC, S_TEXT, VA(S_TEXT, 8), 4);
	sym(&syms, str_add(&str, "synth_ifunc"), STB_GLOBAL, STT_GNU_IFUNC, S_TEXT, VA(S_TEXT, 12), 4);
	sym(&syms, str_add(&str, "synth_unique"), STB_GNU_UNIQUE, STT_FUNC, S_TEXT, VA(S_TEXT, 16), 4);
	sym(&syms, str_add(&str, "synth_undef"), STB_GLOBAL, STT_FUNC, SHN_UNDEF, 0, 0);
	sym(&syms, str_add(&str, "synth_data"), STB_GLOBAL, STT_OBJECT, S_PROBES, data_load + off[S_PROBES], 2);
	sym(&syms, str_add(&str, "synth_outside"), STB_GLOBAL, STT_FUNC, S_TEXT, 0x7fff0000, 4);
	sym(&syms, str_add(&str, "synth_zero"), STB_GLOBAL, STT_FUNC, S_TEXT, 0, 4);
	sym(&syms, 0, STB_GLOBAL, STT_FUNC, S_TEXT, VA(S_TEXT, 20), 4);	/* no name */
	off[S_SYMTAB] = f.len;
	size[S_SYMTAB] = syms.len;
	put(&f, syms.p, syms.len);
	off[S_STRTAB] = f.len;
	size[S_STRTAB] = str.b.len;
	put(&f, str.b.p, str.b.len);

	n_text = str_add(&shstr, ".text");
	n_probes = str_add(&shstr, ".probes");
	n_base = str_add(&shstr, ".stapsdt.base");
	n_note = str_add(&shstr, ".note.stapsdt");
	n_symtab = str_add(&shstr, dynsym ? ".dynsym" : ".symtab");
	n_strtab = str_add(&shstr, dynsym ? ".dynstr" : ".strtab");
	n_shstrtab = str_add(&shstr, ".shstrtab");
	off[S_SHSTRTAB] = f.len;
	size[S_SHSTRTAB] = shstr.b.len;
	put(&f, shstr.b.p, shstr.b.len);
	pad(&f, 8);

	shoff = f.len;
#define SH(i, n, t, fl, addr, al)						\
	sh[i] = (Elf64_Shdr){ .sh_name = n, .sh_type = t, .sh_flags = fl,	\
			      .sh_addr = addr, .sh_offset = off[i],		\
			      .sh_size = size[i], .sh_addralign = al }
	SH(S_TEXT, n_text, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, VA(S_TEXT, 0), 16);
	SH(S_PROBES, n_probes, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data_load + off[S_PROBES], 2);
	SH(S_BASE, n_base, SHT_PROGBITS, SHF_ALLOC, VA(S_BASE, 0), 1);
	SH(S_NOTE, n_note, SHT_NOTE, 0, 0, 4);
	SH(S_SYMTAB, n_symtab, dynsym ? SHT_DYNSYM : SHT_SYMTAB, 0, 0, 8);
	sh[S_SYMTAB].sh_link = S_STRTAB;
	sh[S_SYMTAB].sh_info = 2;
	sh[S_SYMTAB].sh_entsize = sizeof(Elf64_Sym);
	SH(S_STRTAB, n_strtab, SHT_STRTAB, 0, 0, 1);
	SH(S_SHSTRTAB, n_shstrtab, SHT_STRTAB, 0, 0, 1);
	put(&f, sh, sizeof(sh));

	/* Segment 0: the whole file, R+X. Segment 1: .probes, RW. */
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			      .p_vaddr = load, .p_paddr = load, .p_filesz = f.len,
			      .p_memsz = f.len, .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
			      .p_offset = off[S_PROBES],
			      .p_vaddr = data_load + off[S_PROBES],
			      .p_paddr = data_load + off[S_PROBES],
			      .p_filesz = size[S_PROBES], .p_memsz = size[S_PROBES],
			      .p_align = 0x1000 };
	memcpy(f.p + phoff, ph, sizeof(ph));

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = pie ? ET_DYN : ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = VA(S_TEXT, 0);
	eh.e_phoff = phoff;
	eh.e_shoff = shoff;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = S_NUM;
	eh.e_shstrndx = S_SHSTRTAB;
	memcpy(f.p, &eh, sizeof(eh));
#undef VA
#undef SH

	write_file(fname, f.p, f.len);
	free(f.p);
	free(notes.p);
	free(syms.p);
	free(str.b.p);
	free(shstr.b.p);
}

/* ---- variants of an existing file --------------------------------------- */

static const unsigned char *in;
static size_t in_len;
static const char *in_name;
static unsigned char *scratch;

static void emit(const char *what, const unsigned char *p, size_t len)
{
	char name[512];

	snprintf(name, sizeof(name), "%s.%s", in_name, what);
	write_file(name, p, len);
}

static void truncated(size_t len, const char *why)
{
	char what[64];

	if (len >= in_len)
		return;
	snprintf(what, sizeof(what), "trunc-%s-%zu", why, len);
	emit(what, in, len);
}

/* A copy with LEN bytes at OFF replaced by VAL (little-endian). */
static void patched(const char *what, size_t off, size_t len, uint64_t val)
{
	size_t i;

	if (off > in_len || len > in_len - off)
		return;
	memcpy(scratch, in, in_len);
	for (i = 0; i < len; i++)
		scratch[off + i] = (unsigned char)(val >> (8 * i));
	emit(what, scratch, in_len);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void variants(const char *path)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh = NULL;
	const char *shstr = NULL;
	size_t shstr_len = 0, i, k;
	unsigned char *data;
	const char *base;
	FILE *f;
	long len;
	char what[96];

	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die(path);
	data = malloc((size_t)len + 1);
	scratch = malloc((size_t)len + 1);
	if (!data || !scratch)
		die("malloc");
	if (len && fread(data, 1, (size_t)len, f) != (size_t)len)
		die(path);
	fclose(f);
	base = strrchr(path, '/');
	in_name = base ? base + 1 : path;
	in = data;
	in_len = (size_t)len;

	emit("orig", in, in_len);
	if (in_len < sizeof(Elf64_Ehdr))
		goto out;
	eh = (const Elf64_Ehdr *)in;

	/* Truncations. */
	truncated(4, "ident");
	truncated(EI_NIDENT, "ident");
	truncated(sizeof(Elf64_Ehdr) - 1, "ehdr");
	truncated(sizeof(Elf64_Ehdr), "ehdr");
	truncated(eh->e_phoff + sizeof(Elf64_Phdr) / 2, "phdr");
	truncated(in_len / 2, "half");
	truncated(eh->e_shoff, "shoff");
	truncated(eh->e_shoff + sizeof(Elf64_Shdr) + 3, "shdr1");
	truncated(in_len - sizeof(Elf64_Shdr) / 2, "lastshdr");
	truncated(in_len - 1, "last");

	/* ELF header fields. */
#define EH(field, val)								\
	patched("ehdr-" #field "-" #val, offsetof(Elf64_Ehdr, field),		\
		sizeof(eh->field), (uint64_t)(val))
	patched("ehdr-class32", EI_CLASS, 1, ELFCLASS32);
	patched("ehdr-msb", EI_DATA, 1, ELFDATA2MSB);
	patched("ehdr-nomagic", 0, 4, 0);
	EH(e_machine, EM_AARCH64);
	EH(e_type, ET_REL);
	EH(e_phoff, in_len);
	EH(e_phoff, 0xfffffffffffffff0ull);
	EH(e_phnum, 0xffff);
	EH(e_phnum, 0);
	EH(e_phentsize, 0);
	EH(e_phentsize, 32);
	EH(e_shoff, in_len);
	EH(e_shoff, 0xfffffffffffffff0ull);
	EH(e_shoff, 0);
	EH(e_shoff, 1);
	EH(e_shnum, 0xffff);
	EH(e_shnum, 0);
	EH(e_shnum, 1);
	EH(e_shentsize, 0);
	EH(e_shentsize, 40);
	EH(e_shstrndx, 0xffff);
	EH(e_shstrndx, 0);
	EH(e_shstrndx, 1);
#undef EH

	/* Program headers: the first two PT_LOADs. */
	for (i = 0, k = 0; i < eh->e_phnum && k < 2; i++) {
		size_t o = eh->e_phoff + i * sizeof(Elf64_Phdr);
		const Elf64_Phdr *ph;

		if (eh->e_phoff > in_len || o + sizeof(*ph) > in_len || o < eh->e_phoff)
			break;
		ph = (const Elf64_Phdr *)(in + o);
		if (ph->p_type != PT_LOAD)
			continue;
#define PH(field, val)								\
		snprintf(what, sizeof(what), "load%zu-%s-%llx", k, #field,	\
			 (unsigned long long)(val));				\
		patched(what, o + offsetof(Elf64_Phdr, field), sizeof(ph->field), (val))
		PH(p_offset, (uint64_t)in_len);
		PH(p_filesz, (uint64_t)in_len + 1);
		PH(p_filesz, 0xfffffffffffffff0ull);
		PH(p_vaddr, 0xfffffffffffff000ull);
		PH(p_flags, (uint64_t)PF_R);
		PH(p_type, (uint64_t)PT_NULL);
#undef PH
		k++;
	}

	/* Section headers of interest, found by name. */
	if (eh->e_shoff && eh->e_shentsize == sizeof(Elf64_Shdr) &&
	    eh->e_shoff <= in_len && eh->e_shnum <= (in_len - eh->e_shoff) / sizeof(Elf64_Shdr) &&
	    eh->e_shstrndx < eh->e_shnum) {
		sh = (const Elf64_Shdr *)(in + eh->e_shoff);
		if (sh[eh->e_shstrndx].sh_offset <= in_len &&
		    sh[eh->e_shstrndx].sh_size <= in_len - sh[eh->e_shstrndx].sh_offset) {
			shstr = (const char *)in + sh[eh->e_shstrndx].sh_offset;
			shstr_len = sh[eh->e_shstrndx].sh_size;
		}
	}
	for (i = 1; shstr && i < eh->e_shnum; i++) {
		static const char *const wanted[] = {
			".symtab", ".dynsym", ".strtab", ".dynstr", ".note.stapsdt",
			".stapsdt.base", ".shstrtab", ".text",
		};
		size_t o = eh->e_shoff + i * sizeof(Elf64_Shdr);
		const char *name;
		char sec[32];
		size_t w;

		if (sh[i].sh_name >= shstr_len ||
		    !memchr(shstr + sh[i].sh_name, '\0', shstr_len - sh[i].sh_name))
			continue;
		name = shstr + sh[i].sh_name;
		for (w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++)
			if (strcmp(name, wanted[w]) == 0)
				break;
		if (w == sizeof(wanted) / sizeof(wanted[0]))
			continue;
		snprintf(sec, sizeof(sec), "%s", name + 1);
#define SHF(field, val)								\
		snprintf(what, sizeof(what), "%s-%s-%llx", sec, #field,		\
			 (unsigned long long)(val));				\
		patched(what, o + offsetof(Elf64_Shdr, field), sizeof(sh[i].field), (val))
		SHF(sh_offset, (uint64_t)in_len);
		SHF(sh_offset, 0xfffffffffffffff0ull);
		SHF(sh_size, (uint64_t)in_len + 1);
		SHF(sh_size, 0xfffffffffffffff0ull);
		SHF(sh_size, 1ull);
		SHF(sh_size, 0ull);
		SHF(sh_name, (uint64_t)shstr_len);
		SHF(sh_name, 0ull);
		SHF(sh_type, (uint64_t)SHT_NOBITS);
		SHF(sh_type, (uint64_t)SHT_NOTE);
		SHF(sh_type, (uint64_t)SHT_STRTAB);
		SHF(sh_type, (uint64_t)SHT_SYMTAB);
		SHF(sh_flags, (uint64_t)SHF_COMPRESSED);
		SHF(sh_link, 0ull);
		SHF(sh_link, (uint64_t)eh->e_shnum);
		SHF(sh_link, (uint64_t)i);
		SHF(sh_entsize, 0ull);
		SHF(sh_entsize, 25ull);
		SHF(sh_addr, 0xffffffffffffff00ull);
#undef SHF
		/* Inside the data of the first note / the symbols. */
		if (strcmp(name, ".note.stapsdt") == 0 && sh[i].sh_offset <= in_len &&
		    sh[i].sh_size >= 12 && sh[i].sh_size <= in_len - sh[i].sh_offset) {
			size_t d = sh[i].sh_offset;

			patched("note-namesz-0", d, 4, 0);
			patched("note-namesz-big", d, 4, 0xfffffff0);
			patched("note-descsz-0", d + 4, 4, 0);
			patched("note-descsz-23", d + 4, 4, 23);
			patched("note-descsz-big", d + 4, 4, 0xfffffff0);
			patched("note-descsz-size", d + 4, 4, sh[i].sh_size);
			patched("note-pc-0", d + 20, 8, 0);
			patched("note-pc-max", d + 20, 8, UINT64_MAX);
			patched("note-base-max", d + 28, 8, UINT64_MAX);
			patched("note-sema-max", d + 36, 8, UINT64_MAX);
			/* Unterminated strings: every NUL of the desc made 'A'. */
			if (sh[i].sh_size >= 20 + 24) {
				uint32_t descsz;
				size_t j;

				memcpy(&descsz, in + d + 4, 4);
				memcpy(scratch, in, in_len);
				for (j = 24; j < descsz && 20 + j < sh[i].sh_size; j++)
					if (scratch[d + 20 + j] == 0)
						scratch[d + 20 + j] = 'A';
				emit("note-unterminated", scratch, in_len);
			}
		}
		if ((strcmp(name, ".symtab") == 0 || strcmp(name, ".dynsym") == 0) &&
		    sh[i].sh_offset <= in_len && sh[i].sh_size >= 2 * sizeof(Elf64_Sym) &&
		    sh[i].sh_size <= in_len - sh[i].sh_offset) {
			size_t s = sh[i].sh_offset + sizeof(Elf64_Sym) * (sh[i].sh_size / sizeof(Elf64_Sym) - 1);

			snprintf(what, sizeof(what), "%s-lastsym-name-big", sec);
			patched(what, s + offsetof(Elf64_Sym, st_name), 4, 0xfffffff0);
			snprintf(what, sizeof(what), "%s-lastsym-value-max", sec);
			patched(what, s + offsetof(Elf64_Sym, st_value), 8, UINT64_MAX);
		}
	}

	/* Random bit flips: 1, 2, 4 ... 64 flips, twice each. */
	for (i = 0; i < 14; i++) {
		size_t flips = (size_t)1 << (i / 2), j;

		memcpy(scratch, in, in_len);
		for (j = 0; j < flips; j++) {
			uint64_t r = next_rand();

			scratch[r % in_len] ^= (unsigned char)(1u << ((r >> 32) % 8));
		}
		snprintf(what, sizeof(what), "flip-%zu", i);
		emit(what, scratch, in_len);
	}
out:
	free(data);
	free(scratch);
	scratch = NULL;
}

int main(int argc, char **argv)
{
	static const char *const synths[] = {
		"synth-exec", "synth-pie", "synth-pie-dynsym", "synth-exec-prelink",
	};
	char path[4096];
	size_t i;
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OUTDIR [ELF...]\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	synth("synth-exec", 0, 0, 0);
	synth("synth-pie", 1, 0, 0);
	synth("synth-pie-dynsym", 1, 1, 0);
	synth("synth-exec-prelink", 0, 0, 1);
	/* Variants of the synth files, then of every file given. */
	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, synths[i]);
		variants(path);
		remove(path);	/* the ".orig" copy stays */
	}
	for (a = 2; a < argc; a++)
		variants(argv[a]);
	return 0;
}
