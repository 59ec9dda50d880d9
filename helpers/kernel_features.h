/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_features: what can this kernel and this process do?
 * Probed once at start so the best attach path is taken, and so that a
 * missing privilege is reported before anything else is touched.
 */
#ifndef USCOPE_KERNEL_FEATURES_H
#define USCOPE_KERNEL_FEATURES_H

#include <stdbool.h>

/* 1: uprobe_multi links work (6.6+); 0: not; negative errno: probe failed. */
int kfeat_uprobe_multi(void);

/* 1: bpf_get_attach_cookie() is available to uprobe programs (5.15+). */
int kfeat_bpf_cookie(void);

/*
 * true when the effective capabilities allow loading and attaching tracing
 * BPF programs: CAP_SYS_ADMIN, or CAP_BPF together with CAP_PERFMON.
 * Otherwise *MISSING names what is lacking ("CAP_BPF and CAP_PERFMON").
 */
bool kfeat_can_trace(const char **missing);

#endif
