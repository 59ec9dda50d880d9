// SPDX-License-Identifier: BSD-2-Clause
/*
 * usdt_notes: list a binary's USDT probes with the file offsets uprobes use.
 *
 * sys/sdt.h leaves one ELF note per probe site in .note.stapsdt: the address
 * of the nop to probe, the link-time address of .stapsdt.base, the address
 * of the optional semaphore, and three strings (provider, name, argument
 * spec). Attaching needs file offsets instead: the probe's offset, and the
 * semaphore's offset, which the kernel increments while the probe is
 * attached (ref_ctr_offset). This file walks the notes, undoes any prelink
 * shift by comparing the note's base with where .stapsdt.base really is,
 * maps both addresses through the PT_LOAD segments (elf_file.c), parses
 * the argument spec (usdt_args.c) and resolves the symbols it names
 * (usdt_syms.c).
 *
 * Notes come straight from the file, so every size and string is checked
 * against the note's own descriptor; a bad note is counted and skipped, the
 * others still load.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_file.h"
#include "usdt_notes.h"
#include "usdt_syms.h"

#define SDT_NOTE_SEC	".note.stapsdt"
#define SDT_BASE_SEC	".stapsdt.base"
#define SDT_NOTE_OWNER	"stapsdt"
#define SDT_NOTE_TYPE	3

struct note_ctx {
	struct usdt_note_list *list;
	size_t cap;
	size_t strings_len;	/* bytes the arena will need */
	bool have_base;
	uint64_t real_base;	/* sh_addr of .stapsdt.base */
	size_t seen;		/* notes looked at, for messages */
};

static void skip_note(struct note_ctx *c, const char *fmt, ...)
{
	struct usdt_note_list *l = c->list;
	va_list ap;
	int n;

	if (l->skipped++ != 0)
		return;
	n = snprintf(l->skipped_why, sizeof(l->skipped_why), "note %zu: ", c->seen);
	if (n < 0 || (size_t)n >= sizeof(l->skipped_why))
		return;
	va_start(ap, fmt);
	vsnprintf(l->skipped_why + n, sizeof(l->skipped_why) - (size_t)n, fmt, ap);
	va_end(ap);
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];	/* the file is little-endian */
	return v;
}

/*
 * Take the next NUL-terminated string at *POS within DESC[0..SIZE). Returns
 * it, or NULL when it is not terminated inside the descriptor.
 */
static const char *take_str(const char *desc, size_t size, size_t *pos)
{
	const char *s = desc + *pos;
	size_t len;

	if (*pos >= size)
		return NULL;
	len = strnlen(s, size - *pos);
	if (len == size - *pos)
		return NULL;
	*pos += len + 1;
	return s;
}

static int add_note(struct note_ctx *c, const struct elf_file *ef,
		    const GElf_Nhdr *nh, const char *desc)
{
	struct usdt_note_list *l = c->list;
	struct usdt_note *n;
	const char *prov, *name, *args;
	uint64_t pc, base, sema, apc, asema, off, sema_off = 0;
	size_t pos = 24;

	if (nh->n_descsz < 24) {
		skip_note(c, "descriptor of %u bytes is too short", nh->n_descsz);
		return 0;
	}
	pc = get_u64((const unsigned char *)desc);
	base = get_u64((const unsigned char *)desc + 8);
	sema = get_u64((const unsigned char *)desc + 16);

	prov = take_str(desc, nh->n_descsz, &pos);
	name = prov ? take_str(desc, nh->n_descsz, &pos) : NULL;
	args = name ? take_str(desc, nh->n_descsz, &pos) : NULL;
	if (!args) {
		skip_note(c, "strings are not terminated inside the note");
		return 0;
	}
	if (!*prov || !*name) {
		skip_note(c, "empty provider or probe name");
		return 0;
	}

	/* Undo prelink: the note's base is where .stapsdt.base was linked. */
	apc = pc;
	asema = sema;
	if (c->have_base && base != 0) {
		apc = pc - base + c->real_base;
		if (sema)
			asema = sema - base + c->real_base;
	}
	if (!elf_file__vaddr_to_off(ef, apc, true, &off)) {
		skip_note(c, "%s:%s pc 0x%llx is in no executable segment",
			  prov, name, (unsigned long long)apc);
		return 0;
	}
	if (sema && !elf_file__vaddr_to_off(ef, asema, false, &sema_off)) {
		skip_note(c, "%s:%s semaphore 0x%llx is in no loaded segment",
			  prov, name, (unsigned long long)asema);
		return 0;
	}

	if (l->cnt == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct usdt_note *tmp = realloc(l->notes, cap * sizeof(*tmp));

		if (!tmp)
			return -ENOMEM;
		l->notes = tmp;
		c->cap = cap;
	}
	n = &l->notes[l->cnt++];
	memset(n, 0, sizeof(*n));
	/* Strings still point into the mapped file; copied to the arena later. */
	n->provider = prov;
	n->name = name;
	n->args_str = args;
	n->pc = pc;
	n->addr = apc;
	n->base = base;
	n->semaphore = sema;
	n->offset = off;
	n->sema_offset = sema_off;
	c->strings_len += (size_t)(pos - 24);

	n->args_err = usdt_args__parse_all(args, n->args, &n->nargs, n->args_why, sizeof(n->args_why));
	return 0;
}

static int walk_notes(struct note_ctx *c, const struct elf_file *ef, Elf_Data *data)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;
	int err;

	while (off < data->d_size) {
		const char *buf = data->d_buf;

		/* gelf_getnote checks that the header, name and desc fit. */
		next = gelf_getnote(data, off, &nh, &name_off, &desc_off);
		c->seen++;
		if (next == 0) {
			skip_note(c, "truncated or malformed note header at offset %zu", off);
			break;	/* cannot find the next note after this one */
		}
		off = next;
		if (nh.n_type != SDT_NOTE_TYPE || nh.n_namesz != sizeof(SDT_NOTE_OWNER) ||
		    memcmp(buf + name_off, SDT_NOTE_OWNER, sizeof(SDT_NOTE_OWNER)) != 0)
			continue;	/* somebody else's note: not ours to judge */
		err = add_note(c, ef, &nh, buf + desc_off);
		if (err)
			return err;
	}
	return 0;
}

int usdt_notes__load(const char *path, struct usdt_note_list *out)
{
	struct note_ctx c = { .list = out };
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	const char *secname;
	char *p;
	size_t i;
	int ret, err;

	memset(out, 0, sizeof(*out));

	err = elf_file__open(path, &ef);
	if (err)
		return err;

	/* Find .stapsdt.base first: every note is corrected against it. */
	while ((ret = elf_file__next_section(&ef, &scn, &shdr, &secname)) > 0) {
		if (strcmp(secname, SDT_BASE_SEC) == 0) {
			c.have_base = true;
			c.real_base = shdr.sh_addr;
			break;
		}
	}
	if (ret < 0) {
		err = ret;
		goto err_out;
	}

	scn = NULL;
	while ((ret = elf_file__next_section(&ef, &scn, &shdr, &secname)) > 0) {
		Elf_Data *data;

		if (shdr.sh_type != SHT_NOTE || strcmp(secname, SDT_NOTE_SEC) != 0)
			continue;
		out->has_section = 1;
		err = elf_file__section_data(&ef, scn, &shdr, &data);
		if (err)
			goto err_out;
		if (!data)
			continue;
		err = walk_notes(&c, &ef, data);
		if (err)
			goto err_out;
	}
	if (ret < 0) {
		err = ret;
		goto err_out;
	}
	/* Symbols named by arguments, while args_str still points into the file. */
	err = usdt_syms__resolve(&ef, path, out->notes, out->cnt);
	if (err)
		goto err_out;

	/* Move every string out of the mapping into one arena. */
	out->strings = malloc(c.strings_len ? c.strings_len : 1);
	if (!out->strings) {
		err = -ENOMEM;
		goto err_out;
	}
	p = out->strings;
	for (i = 0; i < out->cnt; i++) {
		struct usdt_note *n = &out->notes[i];
		const char **strs[3] = { &n->provider, &n->name, &n->args_str };
		int k;

		for (k = 0; k < 3; k++) {
			size_t len = strlen(*strs[k]) + 1;

			memcpy(p, *strs[k], len);
			*strs[k] = p;
			p += len;
		}
	}

	elf_file__close(&ef);
	return 0;

err_out:
	free(out->notes);
	free(out->strings);
	memset(out, 0, sizeof(*out));
	elf_file__close(&ef);
	return err;
}

void usdt_notes__free(struct usdt_note_list *list)
{
	if (!list)
		return;
	free(list->notes);
	free(list->strings);
	memset(list, 0, sizeof(*list));
}
