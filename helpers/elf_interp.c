// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reads a program's PT_INTERP: the dynamic loader the kernel maps for it
 * (/lib64/ld-linux-x86-64.so.2 on Debian), whose r_brk tells when a library
 * is loaded. See elf_interp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf_file.h"
#include "elf_interp.h"

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
