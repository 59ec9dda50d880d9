/* SPDX-License-Identifier: BSD-2-Clause */
/* bpf_obj_late: (bpf_obj room) the r_brk program and maps of libraries that arrive later. */
#ifndef USCOPE_BPF_OBJ_LATE_H
#define USCOPE_BPF_OBJ_LATE_H

#include "bpf_obj.h"

struct uscope_bpf;

/* Before load: loader_brk's autoload and attach type, the r_debug knob. 0 or a negative errno. */
int bpf_obj_late__prepare(struct uscope_bpf *skel, const struct bpf_knobs *k);

void bpf_obj_late__handles(struct uscope_bpf *skel, struct late_handles *out);

#endif
