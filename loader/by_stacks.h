/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * by_stacks: under which --by key was each stack counted? (--count --stack --by)
 *
 * A key becomes the stack's root frame: one more program counter after the
 * outermost frame, a made-up address (USCOPE_BY_FRAME_PC, above every
 * user-space address) that indexes the run's distinct keys. So the stack
 * table, the folded lines and the flame graph need nothing new to count and
 * draw stacks per (key, stack); only naming the frame asks here. Frame
 * pointers: the kernel counts (stack, key) (bpf_obj__by_stacks); dwarf: the
 * key rides in each count-only record's event and is counted in user space.
 */
#ifndef USCOPE_BY_STACKS_H
#define USCOPE_BY_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "by.h"

#define USCOPE_BY_FRAME_PC(i) (0xfffe000000000000ull | (uint64_t)(i))
#define USCOPE_BY_FRAME_MASK 0xffff000000000000ull

struct output;
struct stacks;
struct sym_frame;
struct bpf_obj;

struct by_stacks {
	const struct by_spec *by;
	const struct output *out;
	struct uscope_by_key *keys;	/* in the order first seen: frame i names keys[i] */
	char **names;			/* "pid=12,comm=x" per key */
	char **json;			/* "\"pid\": 12, \"comm\": \"x\"" per key */
	uint32_t *sorted;		/* indexes into keys, ordered by key, for lookups */
	size_t n, cap;
};

/* For --count --stack --by; NULL (nothing to do) without --by. */
struct by_stacks *by_stacks__new(const struct by_spec *by, const struct output *out);
void by_stacks__free(struct by_stacks *bs);

/* dwarf: append the root frame of the key E carries to PCS[N]; returns the new count. */
int by_stacks__append_event(struct by_stacks *bs, const struct uscope_event *e, uint64_t *pcs, int n);

/* Frame pointers: every (stack, key) the kernel counted, into ST's table. */
int by_stacks__kernel(struct stacks *st, const struct bpf_obj *obj);

/* JSON: the members of the key whose root frame ends PCS[N], or NULL. */
const char *by_stacks__json(const struct by_stacks *bs, const uint64_t *pcs, uint32_t n);

/* If PC is a key's root frame, name it in *OUT and return true. */
bool by_stacks__frame(const struct by_stacks *bs, uint64_t pc, struct sym_frame *out);

#endif
