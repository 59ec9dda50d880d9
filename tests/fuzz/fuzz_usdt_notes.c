// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for helpers/usdt_notes.c (and elf_file.c, usdt_args.c).
 *
 * The input is an ELF file. usdt_notes__load() must either fail with a
 * documented errno and an empty list, or return notes whose strings live in
 * the arena, whose offsets lie inside the file, and whose parsed arguments
 * are what usdt_args__parse() says about the note's own argument string.
 * Nothing may leak, file descriptors included.
 */
#include <errno.h>
#include <string.h>

#include "elf_funcs.h"	/* elf_strerror */
#include "usdt_notes.h"
#include "fuzz_common.h"

static void check_err(int err)
{
	FUZZ_CHECK(err == -ENOEXEC || err == -EPROTONOSUPPORT || err == -EBADMSG ||
		   err == -ENOMEM || err == -EINVAL);
	FUZZ_CHECK(elf_strerror(err) != NULL);
}

static void check_list(const struct usdt_note_list *l, size_t file_size)
{
	const char *p = l->strings;
	size_t i;

	FUZZ_CHECK(l->has_section == 0 || l->has_section == 1);
	FUZZ_CHECK(fuzz_terminated(l->skipped_why, sizeof(l->skipped_why)));
	FUZZ_CHECK(l->skipped == 0 || l->skipped_why[0] != '\0');
	FUZZ_CHECK(l->cnt == 0 || (l->notes && l->strings && l->has_section));
	for (i = 0; i < l->cnt; i++) {
		const struct usdt_note *n = &l->notes[i];
		struct usdt_arg args[USDT_MAX_ARGS];
		char why[96];
		int ret, k;

		/* provider, name, args_str: consecutive in the arena. */
		FUZZ_CHECK(n->provider == p);
		p += strlen(p) + 1;
		FUZZ_CHECK(n->name == p);
		p += strlen(p) + 1;
		FUZZ_CHECK(n->args_str == p);
		p += strlen(p) + 1;
		FUZZ_CHECK(n->provider[0] != '\0' && n->name[0] != '\0');

		FUZZ_CHECK(n->offset < file_size);
		FUZZ_CHECK(n->sema_offset < file_size || (n->semaphore == 0 && n->sema_offset == 0));
		if (n->semaphore == 0)
			FUZZ_CHECK(n->sema_offset == 0);

		FUZZ_CHECK(fuzz_terminated(n->args_why, sizeof(n->args_why)));
		ret = usdt_args__parse(n->args_str, args, why, sizeof(why));
		FUZZ_CHECK(n->nargs >= 0 && n->nargs <= USDT_MAX_ARGS);
		if (n->args_err) {
			FUZZ_CHECK(n->args_err == -EINVAL || n->args_err == -E2BIG);
			FUZZ_CHECK(n->args_why[0] != '\0');
			/* a parse error, or else a symbol that did not resolve */
			FUZZ_CHECK(ret == n->args_err || (ret == n->nargs && n->args_err == -EINVAL));
		} else {
			FUZZ_CHECK(ret == n->nargs);
		}
		for (k = 0; k < n->nargs; k++) {
			struct usdt_arg a = n->args[k];

			if (a.kind == USDT_ARG_BAD)
				continue;
			FUZZ_CHECK(ret < 0 || args[k].kind != USDT_ARG_BAD);
			a.sym_addr = 0;	/* resolved in the note, not by the parser */
			if (ret >= 0)
				FUZZ_CHECK(memcmp(&args[k], &a, sizeof(a)) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_file(data, size);
	int fd_before = fuzz_lowest_free_fd();
	struct usdt_note_list l;
	int err;

	err = usdt_notes__load(path, &l);
	if (err) {
		check_err(err);
		FUZZ_CHECK(l.notes == NULL && l.strings == NULL && l.cnt == 0);
	} else {
		check_list(&l, size);
	}
	usdt_notes__free(&l);
	FUZZ_CHECK(l.notes == NULL && l.cnt == 0);
	FUZZ_CHECK(fuzz_lowest_free_fd() == fd_before);
	return 0;
}
