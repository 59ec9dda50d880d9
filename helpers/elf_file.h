/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_file: the part of reading an ELF that elf_funcs and usdt_notes share.
 *
 * Opens a file with libelf, checks that it is a well-formed 64-bit
 * little-endian x86-64 ELF whose headers lie inside the file, keeps its
 * PT_LOAD program headers, and maps virtual addresses to file offsets.
 * Internal to helpers/: not part of the public API.
 */
#ifndef USCOPE_ELF_FILE_H
#define USCOPE_ELF_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

struct elf_file {
	int fd;
	Elf *elf;
	uint64_t file_size;
	GElf_Ehdr ehdr;
	size_t shnum;		/* number of section headers, 0 when none */
	size_t shstrndx;	/* section header string table index */
	GElf_Phdr *loads;	/* the PT_LOAD program headers, in file order */
	size_t nloads;
};

/* Open and validate PATH. Negative errno as documented in elf_funcs.h. */
int elf_file__open(const char *path, struct elf_file *ef);
/* The same checks on an ELF image in memory (BUF must outlive EF; fd is -1). */
int elf_file__open_memory(void *buf, size_t size, struct elf_file *ef);
void elf_file__close(struct elf_file *ef);

/*
 * Map virtual address VADDR to its file offset through the PT_LOAD that holds
 * it in its file image (p_vaddr <= vaddr < p_vaddr + p_filesz). With
 * NEED_EXEC only executable (PF_X) segments count. Returns false when no
 * segment holds VADDR.
 */
bool elf_file__vaddr_to_off(const struct elf_file *ef, uint64_t vaddr,
			    bool need_exec, uint64_t *off);

/*
 * Walk sections: *SCN starts at NULL; each call advances it and fills SHDR
 * and NAME (never NULL; "" when the section has no name). Returns 1 for a
 * section, 0 at the end, -EBADMSG when a header or name cannot be read.
 */
int elf_file__next_section(const struct elf_file *ef, Elf_Scn **scn,
			   GElf_Shdr *shdr, const char **name);

/*
 * The data of section SCN (header SHDR), checked to lie inside the file
 * unless the section is SHT_NOBITS. Returns 0 with *DATA set (NULL when the
 * section is empty or NOBITS), or -EBADMSG.
 */
int elf_file__section_data(const struct elf_file *ef, Elf_Scn *scn,
			   const GElf_Shdr *shdr, Elf_Data **data);

/*
 * A raw probe offset is safe only where the file holds code: 0 when OFF lies
 * in the file image of an executable PT_LOAD segment of PATH, -ERANGE when
 * not, or the errnos of elf_file__open(). (Whether it starts an instruction
 * cannot be known from the ELF; that is why raw offsets need --offset.)
 */
int elf_check_exec_offset(const char *path, uint64_t off);

#endif
