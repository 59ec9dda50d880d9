// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for helpers/elf_funcs.c (and helpers/elf_file.c).
 *
 * The input is an ELF file. elf_funcs__load() must either fail with one of
 * its documented errnos and leave the list empty, or return a list whose
 * every entry keeps the promises of elf_funcs.h: names in the arena, file
 * offsets inside the file, sorted by offset then name. Nothing may leak,
 * file descriptors included.
 */
#include <errno.h>
#include <string.h>

#include "elf_funcs.h"
#include "fuzz_common.h"

static void check_err(int err)
{
	FUZZ_CHECK(err == -ENOEXEC || err == -EPROTONOSUPPORT || err == -EBADMSG ||
		   err == -ENOMEM || err == -EINVAL);
	FUZZ_CHECK(elf_strerror(err) != NULL);
}

static void check_list(const struct elf_func_list *l, size_t file_size)
{
	size_t i, names_len = 0;

	FUZZ_CHECK(l->from_dynsym == 0 || l->from_dynsym == 1);
	FUZZ_CHECK(l->cnt == 0 || (l->funcs && l->names));
	/* The arena holds exactly the cnt names, each NUL-terminated. */
	for (i = 0; i < l->cnt; i++) {
		size_t len = strlen(l->funcs[i].name);

		FUZZ_CHECK(len > 0);
		names_len += len + 1;
	}
	for (i = 0; i < l->cnt; i++) {
		const struct elf_func *f = &l->funcs[i];

		FUZZ_CHECK(f->name >= l->names && f->name < l->names + names_len);
		FUZZ_CHECK(f->name == l->names || f->name[-1] == '\0');
		FUZZ_CHECK(f->addr != 0);
		FUZZ_CHECK(f->offset < file_size);
		FUZZ_CHECK(f->bind <= ELF_FUNC_OTHER);
		FUZZ_CHECK(f->ifunc <= 1);
		FUZZ_CHECK(strcmp(elf_bind_name(f->bind), "") != 0);
		if (i > 0) {
			const struct elf_func *g = &l->funcs[i - 1];

			FUZZ_CHECK(g->offset < f->offset ||
				   (g->offset == f->offset && strcmp(g->name, f->name) <= 0));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_file(data, size);
	int fd_before = fuzz_lowest_free_fd();
	struct elf_func_list l;
	int err;

	err = elf_funcs__load(path, &l);
	if (err) {
		check_err(err);
		FUZZ_CHECK(l.funcs == NULL && l.names == NULL && l.cnt == 0);
	} else {
		check_list(&l, size);
	}
	elf_funcs__free(&l);
	FUZZ_CHECK(l.funcs == NULL && l.cnt == 0);
	FUZZ_CHECK(fuzz_lowest_free_fd() == fd_before);
	return 0;
}
