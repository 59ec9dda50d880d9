/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_cost: which of a trace's function probes will the kernel single-step
 * (slow) or never fire (unprobeable), and how is the user told?
 */
#ifndef USCOPE_PROBE_COST_H
#define USCOPE_PROBE_COST_H

#include "plan.h"

/*
 * Classify the first instruction of every function site of PLAN
 * (helpers/insn_cost.c). Warns once per site the kernel cannot probe (its
 * count would silently stay 0), and prints one line when some are
 * single-stepped. Never fails: a binary that cannot be read is skipped.
 */
void probe_cost__report(const struct plan *plan);

#endif
