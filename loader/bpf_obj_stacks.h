/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_obj_stacks: the stack part of the BPF object's room (--stack). Which
 * knobs, how big are stack_traces and stack_counts, and what do they say?
 * Called by bpf_obj.c only: nothing else sees the skeleton.
 */
#ifndef USCOPE_BPF_OBJ_STACKS_H
#define USCOPE_BPF_OBJ_STACKS_H

#include "bpf_obj.h"

struct uscope_bpf;

void bpf_obj_stacks__knobs(struct uscope_bpf *skel, const struct bpf_knobs *k);
int bpf_obj_stacks__size(struct uscope_bpf *skel, const struct bpf_knobs *k);
int bpf_obj_stacks__counts(struct uscope_bpf *skel, uint32_t depth, bpf_stack_fn fn, void *arg);
int bpf_obj_stacks__hists(struct uscope_bpf *skel, uint32_t depth, bpf_stack_hist_fn fn, void *arg);
uint64_t bpf_obj_stacks__lost(struct uscope_bpf *skel, uint32_t why);

#endif
