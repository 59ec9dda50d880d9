// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reads a program's PT_INTERP and, in the loader it names, the addresses of
 * _dl_debug_state and _r_debug (see elf_rtld.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf_file.h"
#include "elf_rtld.h"

int elf_interp(const char *path, char **out)
{
	struct elf_file ef;
	size_t n, i;
	char *buf;
	int err;

	*out = NULL;
	err = elf_file__open(path, &ef);
	if (err)
		return err;
	err = -ENOENT;
	if (elf_getphdrnum(ef.elf, &n))
		n = 0;
	for (i = 0; i < n && err == -ENOENT; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(ef.elf, i, &ph) || ph.p_type != PT_INTERP)
			continue;
		err = -EBADMSG;
		if (ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset > ef.file_size ||
		    ph.p_filesz > ef.file_size - ph.p_offset)
			break;
		buf = malloc(ph.p_filesz);
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		if (pread(ef.fd, buf, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz ||
		    buf[ph.p_filesz - 1] != 0 || strlen(buf) + 1 != ph.p_filesz) {
			free(buf);
			break;
		}
		*out = buf;
		err = 0;
	}
	elf_file__close(&ef);
	return err;
}

/* The values of the defined symbols NAMES[0..1] in section SCN (a symbol table), where not yet found. */
static void scan_symtab(const struct elf_file *ef, Elf_Scn *scn, const GElf_Shdr *sh, const char *const names[2],
			uint64_t val[2], int found[2])
{
	Elf_Data *d;
	size_t i, n;
	int k;

	if (elf_file__section_data(ef, scn, sh, &d) || !d || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *nm;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		nm = elf_strptr(ef->elf, sh->sh_link, sym.st_name);
		for (k = 0; nm && k < 2; k++) {
			if (!found[k] && !strcmp(nm, names[k])) {
				val[k] = sym.st_value;
				found[k] = 1;
			}
		}
	}
}

int elf_rtld(const char *ld, struct elf_rtld *out)
{
	static const char *const names[2] = { "_dl_debug_state", "_r_debug" };
	uint64_t val[2] = { 0, 0 };
	int found[2] = { 0, 0 }, err, r;
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *sname;

	err = elf_file__open(ld, &ef);
	if (err)
		return err;
	while ((r = elf_file__next_section(&ef, &scn, &sh, &sname)) == 1)
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			scan_symtab(&ef, scn, &sh, names, val, found);
	err = r < 0 ? r : -ENOENT;
	if (r == 0 && found[0] && found[1] && elf_file__vaddr_to_off(&ef, val[0], true, &out->brk_off)) {
		out->rdebug_delta = (int64_t)(val[1] - val[0]);
		err = 0;
	}
	elf_file__close(&ef);
	return err;
}
