// SPDX-License-Identifier: BSD-2-Clause
/*
 * The distinct-stack counter: a hash table (FNV-1a over pid, site and the
 * program counters, open addressing, doubled at half full) over an array of
 * entries, so that sorting for output never invalidates the hash.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "stack_table.h"

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t key_hash(uint32_t pid, uint32_t site, const uint64_t *pcs, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &pid, sizeof(pid));
	h = fnv(h, &site, sizeof(site));
	return fnv(h, pcs, n * sizeof(*pcs));
}

static bool same(const struct stack_entry *e, uint32_t pid, uint32_t site, const uint64_t *pcs, uint32_t n)
{
	return e->pid == pid && e->site == site && e->n == n && !memcmp(e->pcs, pcs, n * sizeof(*pcs));
}

static int rehash(struct stack_table *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 1024, i, *slots;

	while (nslots < (t->n + 1) * 2)	/* after a sort the table starts again from nothing */
		nslots *= 2;
	slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct stack_entry *e = &t->e[i];
		size_t s = key_hash(e->pid, e->site, e->pcs, e->n) & (nslots - 1);

		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

int stack_table__add(struct stack_table *t, uint32_t pid, uint32_t site, const uint64_t *pcs, uint32_t n,
		     uint64_t count)
{
	struct stack_entry *e;
	size_t s;

	if ((t->n + 1) * 2 > t->nslots && rehash(t))
		return -ENOMEM;
	for (s = key_hash(pid, site, pcs, n) & (t->nslots - 1); t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
		e = &t->e[t->slots[s] - 1];
		if (same(e, pid, site, pcs, n)) {
			e->count += count;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct stack_entry *grown = realloc(t->e, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->e = grown;
		t->cap = cap;
	}
	e = &t->e[t->n];
	*e = (struct stack_entry){ .pid = pid, .site = site, .n = n, .count = count };
	e->pcs = malloc((n ? n : 1) * sizeof(*pcs));
	if (!e->pcs)
		return -ENOMEM;
	memcpy(e->pcs, pcs, n * sizeof(*pcs));
	t->slots[s] = ++t->n;
	return 0;
}

void stack_table__free(struct stack_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i].pcs);
	free(t->e);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int by_count(const void *a, const void *b)
{
	const struct stack_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->site < y->site ? -1 : x->site > y->site;
}

void stack_table__sort(struct stack_table *t)
{
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), by_count);
	free(t->slots);	/* positions moved: the hash is rebuilt on the next add */
	t->slots = NULL;
	t->nslots = 0;
	if (t->n)
		rehash(t);
}
