// SPDX-License-Identifier: BSD-2-Clause
/*
 * elf_file: open one ELF file safely, once, for every helper that reads ELF.
 *
 * elf_funcs and usdt_notes both need the same careful start: open the path,
 * refuse what is not a regular file, hand it to libelf, insist on 64-bit
 * little-endian x86-64, check that the ELF, program and section header tables
 * really lie inside the file (libelf quietly pretends a file whose section
 * headers were cut off has no sections at all, which would turn a truncated
 * binary into an empty but "successful" result), and keep the PT_LOAD segments
 * that turn virtual addresses into the file offsets uprobes are defined by.
 * Keeping it here means both parsers trust the file exactly as far as this
 * file checked it, and no further.
 *
 * elf_strerror() lives here too, since this is where those errnos come from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"
#include "elf_funcs.h"

const char *elf_strerror(int err)
{
	switch (err) {
	case 0:			return "success";
	case -ENOENT:		return "no such file or directory";
	case -EACCES:		return "permission denied";
	case -EISDIR:		return "is a directory";
	case -EINVAL:		return "not a regular file";
	case -ENOEXEC:		return "not an ELF file";
	case -EPROTONOSUPPORT:	return "not a 64-bit x86-64 ELF file";
	case -EBADMSG:		return "malformed or truncated ELF file";
	case -ENOMEM:		return "out of memory";
	default:		return strerror(err < 0 ? -err : err);
	}
}

/* Does the table [off, off + cnt * entsize) fit in a file of SIZE bytes? */
static bool table_fits(uint64_t off, uint64_t cnt, uint64_t entsize, uint64_t size)
{
	if (cnt == 0)
		return true;
	if (off > size || cnt > (size - off) / entsize)
		return false;
	return true;
}

static int check_sections(struct elf_file *ef)
{
	const GElf_Ehdr *eh = &ef->ehdr;

	if (elf_getshdrnum(ef->elf, &ef->shnum) != 0)
		return -EBADMSG;
	if (eh->e_shoff == 0) {
		/* No section header table at all: legal (sstrip'ed files). */
		ef->shnum = 0;
		ef->shstrndx = 0;
		return 0;
	}
	/*
	 * The header names a table: libelf must have found it. When the
	 * table lies beyond the end of the file libelf reports 0 sections.
	 */
	if (ef->shnum == 0 && eh->e_shnum != 0)
		return -EBADMSG;
	if (ef->shnum != 0 && eh->e_shentsize != sizeof(Elf64_Shdr))
		return -EBADMSG;
	if (!table_fits(eh->e_shoff, ef->shnum, sizeof(Elf64_Shdr), ef->file_size))
		return -EBADMSG;
	if (ef->shnum == 0) {
		ef->shstrndx = 0;
		return 0;
	}
	if (elf_getshdrstrndx(ef->elf, &ef->shstrndx) != 0)
		return -EBADMSG;
	if (ef->shstrndx >= ef->shnum)
		return -EBADMSG;
	return 0;
}

static int load_segments(struct elf_file *ef)
{
	const GElf_Ehdr *eh = &ef->ehdr;
	size_t phnum, i;

	if (elf_getphdrnum(ef->elf, &phnum) != 0)
		return -EBADMSG;
	if (phnum == 0)
		return 0;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return -EBADMSG;
	if (!table_fits(eh->e_phoff, phnum, sizeof(Elf64_Phdr), ef->file_size))
		return -EBADMSG;

	ef->loads = calloc(phnum, sizeof(*ef->loads));
	if (!ef->loads)
		return -ENOMEM;

	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(ef->elf, (int)i, &ph))
			return -EBADMSG;
		if (ph.p_type != PT_LOAD)
			continue;
		/*
		 * A PT_LOAD whose file image wraps around or runs past the end
		 * of the file means a truncated or corrupted binary: the
		 * offsets computed through it would point at nothing.
		 */
		if (ph.p_offset > ef->file_size ||
		    ph.p_filesz > ef->file_size - ph.p_offset ||
		    ph.p_vaddr + ph.p_filesz < ph.p_vaddr)
			return -EBADMSG;
		ef->loads[ef->nloads++] = ph;
	}
	return 0;
}

/* What every ELF uscope reads must be, whether it comes from a file or from memory. */
static int check_elf(struct elf_file *ef)
{
	const char *ident;
	int err;

	if (elf_kind(ef->elf) != ELF_K_ELF)
		return -ENOEXEC;
	if (gelf_getclass(ef->elf) != ELFCLASS64)
		return -EPROTONOSUPPORT;
	ident = elf_getident(ef->elf, NULL);
	if (!ident)
		return -EBADMSG;
	if (ident[EI_DATA] != ELFDATA2LSB)
		return -EPROTONOSUPPORT;
	if (ef->file_size < sizeof(Elf64_Ehdr))
		return -ENOEXEC;
	if (!gelf_getehdr(ef->elf, &ef->ehdr))
		return -EBADMSG;
	if (ef->ehdr.e_machine != EM_X86_64)
		return -EPROTONOSUPPORT;

	err = check_sections(ef);
	if (err)
		return err;
	return load_segments(ef);
}

int elf_file__open(const char *path, struct elf_file *ef)
{
	struct stat st;
	int err;

	memset(ef, 0, sizeof(*ef));
	ef->fd = -1;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		err = -EBADMSG;
		goto err_out;
	}

	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	ef->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (ef->fd < 0) {
		err = -errno;
		goto err_out;
	}
	if (fstat(ef->fd, &st) != 0) {
		err = -errno;
		goto err_out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto err_out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto err_out;
	}
	ef->file_size = (uint64_t)st.st_size;

	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf) {
		/*
		 * libelf refuses an ELF identification followed by less than a
		 * full ELF header; anything longer it refuses is corrupt.
		 */
		if (ef->file_size < sizeof(Elf64_Ehdr))
			err = -ENOEXEC;
		else
			err = -EBADMSG;
		goto err_out;
	}
	err = check_elf(ef);
	if (err)
		goto err_out;
	return 0;

err_out:
	elf_file__close(ef);
	return err;
}

int elf_file__open_memory(void *buf, size_t size, struct elf_file *ef)
{
	int err;

	memset(ef, 0, sizeof(*ef));
	ef->fd = -1;
	ef->file_size = size;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EBADMSG;
	ef->elf = elf_memory(buf, size);
	if (!ef->elf)
		return size < sizeof(Elf64_Ehdr) ? -ENOEXEC : -EBADMSG;
	err = check_elf(ef);
	if (err)
		elf_file__close(ef);
	return err;
}

void elf_file__close(struct elf_file *ef)
{
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->loads);
	memset(ef, 0, sizeof(*ef));
	ef->fd = -1;
}

bool elf_file__vaddr_to_off(const struct elf_file *ef, uint64_t vaddr,
			    bool need_exec, uint64_t *off)
{
	size_t i;

	for (i = 0; i < ef->nloads; i++) {
		const GElf_Phdr *ph = &ef->loads[i];

		if (need_exec && !(ph->p_flags & PF_X))
			continue;
		/* Written as a difference so that no sum can wrap around. */
		if (vaddr < ph->p_vaddr || vaddr - ph->p_vaddr >= ph->p_filesz)
			continue;
		*off = vaddr - ph->p_vaddr + ph->p_offset;
		return true;
	}
	return false;
}

int elf_file__next_section(const struct elf_file *ef, Elf_Scn **scn,
			   GElf_Shdr *shdr, const char **name)
{
	const char *n;
	size_t idx;

	/* Section 0 is the null section; walk 1 .. shnum - 1 by index. */
	idx = *scn ? elf_ndxscn(*scn) + 1 : 1;
	if (idx >= ef->shnum)
		return 0;
	*scn = elf_getscn(ef->elf, idx);
	if (!*scn)
		return -EBADMSG;
	if (!gelf_getshdr(*scn, shdr))
		return -EBADMSG;
	/* elf_strptr checks the index and that the name ends in the table. */
	n = elf_strptr(ef->elf, ef->shstrndx, shdr->sh_name);
	if (!n)
		return -EBADMSG;
	*name = n;
	return 1;
}

int elf_file__section_data(const struct elf_file *ef, Elf_Scn *scn,
			   const GElf_Shdr *shdr, Elf_Data **data)
{
	Elf_Data *d;

	*data = NULL;
	if (shdr->sh_type == SHT_NOBITS || shdr->sh_size == 0)
		return 0;
	if (shdr->sh_offset > ef->file_size ||
	    shdr->sh_size > ef->file_size - shdr->sh_offset)
		return -EBADMSG;
	d = elf_getdata(scn, NULL);
	if (!d)
		return -EBADMSG;
	if (d->d_size > shdr->sh_size || (d->d_size && !d->d_buf))
		return -EBADMSG;
	*data = d;
	return 0;
}

int elf_check_exec_offset(const char *path, uint64_t off)
{
	struct elf_file ef;
	size_t i;
	int err = elf_file__open(path, &ef);

	if (err)
		return err;
	err = -ERANGE;
	for (i = 0; i < ef.nloads; i++) {
		const GElf_Phdr *p = &ef.loads[i];

		if ((p->p_flags & PF_X) && off >= p->p_offset && off - p->p_offset < p->p_filesz)
			err = 0;
	}
	elf_file__close(&ef);
	return err;
}
