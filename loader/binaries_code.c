// SPDX-License-Identifier: BSD-2-Clause
/*
 * The binary cache's code member (binaries.h, "Code"): which function is
 * at an offset, where is its .cold part, and what are its bytes? The
 * decoder (endbr64 skip, Go entries, FUNC+OFF checks, return instructions)
 * asks here, so each function is read once, on demand, through one file
 * descriptor per binary, and never the whole text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "binaries.h"
#include "../helpers/elf_traits.h"

#define MAX_FUNC_BYTES (1u << 20)	/* larger functions are not decoded */

struct code_slot {
	uint64_t offset;	/* of the function; the slot is empty when bytes is NULL */
	uint8_t *bytes;
};

struct binary_code {
	int fd;
	int is_go;		/* 1, 0, negative errno; 2: not asked yet */
	struct code_slot *slots;	/* open addressing by function offset */
	size_t nslots, used;
	const struct elf_func **colds;	/* functions named *.cold*, found once */
	size_t ncolds;
	bool colds_found;
};

static struct binary_code *code_of(struct binary *b)
{
	if (!b->code && (b->code = calloc(1, sizeof(*b->code))) != NULL) {
		b->code->fd = -1;
		b->code->is_go = 2;
	}
	return b->code;
}

const struct elf_func *binary__func_at(struct binary *b, uint64_t off)
{
	const struct elf_func_list *fl = binary__funcs(b);
	size_t lo = 0, hi = fl ? fl->cnt : 0;

	while (lo < hi) {	/* sorted by offset (elf_funcs.h) */
		size_t mid = lo + (hi - lo) / 2;

		if (fl->funcs[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return fl && lo < fl->cnt && fl->funcs[lo].offset == off ? &fl->funcs[lo] : NULL;
}

const struct elf_func *binary__cold_part(struct binary *b, const struct elf_func *f)
{
	const struct elf_func_list *fl = binary__funcs(b);
	struct binary_code *c = code_of(b);
	size_t i, n = strlen(f->name);

	if (!fl || !c)
		return NULL;
	if (!c->colds_found) {	/* gcc names them NAME.cold; few per binary */
		c->colds_found = true;
		for (i = 0; i < fl->cnt; i++) {
			const struct elf_func **v;

			if (!strstr(fl->funcs[i].name, ".cold"))
				continue;
			v = realloc(c->colds, (c->ncolds + 1) * sizeof(*v));
			if (!v)
				break;
			c->colds = v;
			c->colds[c->ncolds++] = &fl->funcs[i];
		}
	}
	for (i = 0; i < c->ncolds; i++)
		if (!strncmp(c->colds[i]->name, f->name, n) && !strcmp(c->colds[i]->name + n, ".cold"))
			return c->colds[i];
	return NULL;
}

/* The slot of OFFSET in C's table (empty if absent); the table is never full. */
static struct code_slot *slot_of(struct binary_code *c, uint64_t offset)
{
	size_t i = (size_t)(offset * 0x9e3779b97f4a7c15ull >> 17) & (c->nslots - 1);

	while (c->slots[i].bytes && c->slots[i].offset != offset)
		i = (i + 1) & (c->nslots - 1);
	return &c->slots[i];
}

/* Keep the table at most half full. */
static int grow(struct binary_code *c)
{
	struct code_slot *old = c->slots;
	size_t i, n = c->nslots;

	if (2 * (c->used + 1) <= c->nslots)
		return 0;
	c->nslots = n ? 2 * n : 64;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		c->nslots = n;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (old[i].bytes)
			*slot_of(c, old[i].offset) = old[i];
	free(old);
	return 0;
}

/* C's file, opened once; -1 (errno set) if it cannot be. */
static int code_fd(struct binary *b, struct binary_code *c)
{
	if (c->fd < 0)
		c->fd = open(b->open_path, O_RDONLY | O_CLOEXEC);
	return c->fd;
}

ssize_t binary__read(struct binary *b, uint64_t off, void *buf, size_t n)
{
	struct binary_code *c = code_of(b);

	if (!c || code_fd(b, c) < 0)
		return -1;
	return pread(c->fd, buf, n, (off_t)off);
}

const uint8_t *binary__func_bytes(struct binary *b, const struct elf_func *f)
{
	struct binary_code *c = code_of(b);
	struct code_slot *s;
	uint8_t *buf;

	errno = c ? E2BIG : ENOMEM;
	if (!c || !f->size || f->size > MAX_FUNC_BYTES)
		return NULL;
	if (c->nslots && (s = slot_of(c, f->offset))->bytes)
		return s->bytes;
	if (code_fd(b, c) < 0)
		return NULL;
	if (grow(c) || !(buf = malloc(f->size))) {
		errno = ENOMEM;
		return NULL;
	}
	if (pread(c->fd, buf, f->size, (off_t)f->offset) != (ssize_t)f->size) {
		free(buf);
		errno = errno ? errno : EIO;
		return NULL;
	}
	s = slot_of(c, f->offset);
	s->offset = f->offset;
	s->bytes = buf;
	c->used++;
	return buf;
}

int binary__is_go(struct binary *b)
{
	struct binary_code *c = code_of(b);

	if (!c)
		return -ENOMEM;
	if (c->is_go == 2)
		c->is_go = elf_is_go(b->open_path);
	return c->is_go;
}

void binary__code_free(struct binary *b)
{
	struct binary_code *c = b->code;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nslots; i++)
		free(c->slots[i].bytes);
	free(c->slots);
	free(c->colds);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	b->code = NULL;
}
