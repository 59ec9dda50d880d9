// SPDX-License-Identifier: BSD-2-Clause
/*
 * Go binaries and C++ functions with an LSDA. See elf_traits.h for why.
 *
 * .eh_frame is read here directly (a few dozen lines) rather than through
 * libdw's dwarf_next_cfi(), which hands back the FDE's augmentation data raw
 * anyway: the LSDA pointer's encoding lives in the CIE's augmentation, and
 * decoding it is the same work either way. Every read is bounds-checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "elf_file.h"
#include "elf_traits.h"

int elf_is_go(const char *path)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *name;
	int err, r, go = 0;

	err = elf_file__open(path, &ef);
	if (err)
		return err;
	while (!go && (r = elf_file__next_section(&ef, &scn, &sh, &name)) == 1)
		go = !strcmp(name, ".go.buildinfo") || !strcmp(name, ".gopclntab") ||
		     !strcmp(name, ".note.go.buildid");
	elf_file__close(&ef);
	return go ? 1 : r < 0 ? r : 0;
}

/* A cursor over one section's bytes; any read past END sets bad. */
struct cur {
	const uint8_t *p, *base, *end;
	uint64_t vaddr;		/* the section's address, for pc-relative values */
	bool bad;
};

static uint64_t get(struct cur *c, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0, b;
	int shift = 0;

	do {
		b = get(c, 1);
		if (shift < 64)
			v |= (b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && !c->bad);
	return v;
}

/* A DW_EH_PE-encoded pointer; pc-relative ones are made absolute. */
static uint64_t encoded(struct cur *c, uint8_t enc)
{
	uint64_t here = c->vaddr + (uint64_t)(c->p - c->base), v;

	if (enc == 0xff)	/* DW_EH_PE_omit */
		return 0;
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: v = get(c, 8); break;
	case 0x02: v = get(c, 2); break;
	case 0x0a: v = (uint64_t)(int64_t)(int16_t)get(c, 2); break;
	case 0x03: v = get(c, 4); break;
	case 0x0b: v = (uint64_t)(int64_t)(int32_t)get(c, 4); break;
	case 0x01: v = uleb(c); break;
	default: c->bad = true; return 0;
	}
	return (enc & 0x70) == 0x10 ? here + v : v;	/* DW_EH_PE_pcrel */
}

/* The encodings a CIE gives its FDEs: R (addresses) and L (LSDA, 0xff: none). */
static void parse_cie(struct cur c, uint8_t *fde_enc, uint8_t *lsda_enc)
{
	const char *aug = (const char *)c.p;
	size_t i;

	*fde_enc = 0;
	*lsda_enc = 0xff;
	get(&c, 1);	/* version */
	aug = (const char *)c.p;
	while (get(&c, 1))
		;
	if (c.bad || aug[0] != 'z')
		return;
	uleb(&c);	/* code alignment */
	uleb(&c);	/* data alignment (sleb: skipping is the same) */
	uleb(&c);	/* return address register (version 1: one byte, < 128 here) */
	uleb(&c);	/* augmentation length */
	for (i = 1; aug[i] && !c.bad; i++) {
		if (aug[i] == 'R')
			*fde_enc = get(&c, 1);
		else if (aug[i] == 'L')
			*lsda_enc = get(&c, 1);
		else if (aug[i] == 'P')
			encoded(&c, get(&c, 1) & 0x7f);	/* personality (indirect bit dropped) */
		else if (aug[i] != 'S' && aug[i] != 'B')
			return;
	}
}

static int add_addr(struct elf_lsda_list *l, size_t *cap, uint64_t a)
{
	if (l->cnt == *cap) {
		uint64_t *n = realloc(l->addrs, (*cap ? *cap * 2 : 64) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->addrs = n;
		*cap = *cap ? *cap * 2 : 64;
	}
	l->addrs[l->cnt++] = a;
	return 0;
}

/* Walk every CIE/FDE of .eh_frame (bytes D, at address VADDR): starts of the FDEs with an LSDA, or of all. */
static int walk_eh_frame(const uint8_t *d, size_t size, uint64_t vaddr, bool all, struct elf_lsda_list *out)
{
	struct cur c = { .p = d, .base = d, .end = d + size, .vaddr = vaddr };
	size_t cap = 0;

	while (!c.bad && c.p < c.end) {
		uint64_t len = get(&c, 4), id;
		const uint8_t *start = c.p, *next;

		if (len == 0)
			break;	/* terminator */
		if (len == 0xffffffff || len > (uint64_t)(c.end - c.p))
			return -EBADMSG;	/* 64-bit DWARF is not emitted for x86-64 .eh_frame */
		next = c.p + len;
		id = get(&c, 4);
		if (id != 0 && id <= (uint64_t)(start - d)) {
			const uint8_t *cie = start - id;
			struct cur cc = { .p = cie + 8, .base = d, .end = c.end, .vaddr = vaddr };
			uint8_t fde_enc, lsda_enc;
			uint64_t pc;

			if (cie + 8 > c.end)
				return -EBADMSG;
			parse_cie(cc, &fde_enc, &lsda_enc);
			pc = encoded(&c, fde_enc);
			encoded(&c, fde_enc & 0x0f);	/* range: a value, never pc-relative */
			if (all) {
				if (!c.bad && add_addr(out, &cap, pc))
					return -ENOMEM;
			} else if (lsda_enc != 0xff) {
				uleb(&c);
				if (encoded(&c, lsda_enc) && !c.bad && add_addr(out, &cap, pc))
					return -ENOMEM;
			}
		}
		c.p = next;
	}
	return c.bad ? -EBADMSG : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int load_fdes(const char *path, bool all, struct elf_lsda_list *out, struct elf_file *keep)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	const char *name;
	int err, r;

	memset(out, 0, sizeof(*out));
	err = elf_file__open(path, &ef);
	if (err)
		return err;
	while ((r = elf_file__next_section(&ef, &scn, &sh, &name)) == 1) {
		if (strcmp(name, ".eh_frame") || sh.sh_type != SHT_PROGBITS)
			continue;
		err = elf_file__section_data(&ef, scn, &sh, &data);
		if (!err && data && data->d_buf)
			err = walk_eh_frame(data->d_buf, data->d_size, sh.sh_addr, all, out);
		break;
	}
	if (keep && !err && r >= 0)
		*keep = ef;
	else
		elf_file__close(&ef);
	if (!err && r < 0)
		err = r;
	if (err) {
		elf_lsda__free(out);
		return err;
	}
	if (out->cnt)	/* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(out->addrs, out->cnt, sizeof(*out->addrs), cmp_u64);
	return 0;
}

int elf_lsda__load(const char *path, struct elf_lsda_list *out)
{
	return load_fdes(path, false, out, NULL);
}

bool elf_offset_is_fde_start(const char *path, uint64_t off)
{
	struct elf_lsda_list all;
	struct elf_file ef;
	bool found = false;
	uint64_t o;
	size_t i;

	if (load_fdes(path, true, &all, &ef))
		return false;
	for (i = 0; i < all.cnt && !found; i++)
		found = elf_file__vaddr_to_off(&ef, all.addrs[i], true, &o) && o == off;
	elf_file__close(&ef);
	elf_lsda__free(&all);
	return found;
}

bool elf_lsda__has(const struct elf_lsda_list *l, uint64_t addr)
{
	return l->cnt && bsearch(&addr, l->addrs, l->cnt, sizeof(addr), cmp_u64);
}

void elf_lsda__free(struct elf_lsda_list *l)
{
	free(l->addrs);
	memset(l, 0, sizeof(*l));
}

int elf_throw_info__load(const char *path, struct elf_throw_info *out)
{
	static const char name[] = "__cxa_throw";
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	const char *sn;
	int err, r;

	memset(out, 0, sizeof(*out));
	err = elf_file__open(path, &ef);
	if (err)
		return err;
	while ((r = elf_file__next_section(&ef, &scn, &sh, &sn)) == 1) {
		if (!strncmp(sn, ".plt", 4) && (sh.sh_flags & SHF_EXECINSTR) && out->nplt < 4) {
			out->plt_lo[out->nplt] = sh.sh_addr;
			out->plt_hi[out->nplt++] = sh.sh_addr + sh.sh_size;
		}
		if (sh.sh_type != SHT_STRTAB || (strcmp(sn, ".dynstr") && strcmp(sn, ".strtab")) ||
		    elf_file__section_data(&ef, scn, &sh, &data) || !data || !data->d_buf)
			continue;
		if (memmem(data->d_buf, data->d_size, name, sizeof(name)))	/* with its NUL */
			out->can_throw = true;
	}
	elf_file__close(&ef);
	return r < 0 ? r : 0;
}

int elf_branch_targets(const char *path, uint64_t off, uint64_t size, uint64_t addr, uint64_t *targets,
		       size_t max)
{
	uint8_t *b;
	size_t i, n = 0;
	int fd, err = 0;

	if (size > (1u << 20))
		size = 1u << 20;
	b = malloc(size ? size : 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!b || fd < 0) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	if (pread(fd, b, size, (off_t)off) != (ssize_t)size) {
		err = -EIO;
		goto out;
	}
	for (i = 0; i + 5 <= size && n < max; i++) {
		int32_t rel;

		if (b[i] != 0xe8 && b[i] != 0xe9)
			continue;
		memcpy(&rel, b + i + 1, 4);
		targets[n++] = addr + i + 5 + (int64_t)rel;
	}
out:
	if (fd >= 0)
		close(fd);
	free(b);
	return err ? err : (int)n;
}
