/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * endbr_skip: where does a function's entry probe go? On a CET build
 * (-fcf-protection, every function starting with endbr64), past the endbr64
 * when that counts the same calls, so a hit costs an emulation (~0.6 us
 * here) instead of a single-step (5-7 us). In Go, past the stack check, so
 * that a call whose stack grows (runtime.morestack re-enters the function
 * from its top) counts once.
 */
#ifndef USCOPE_ENDBR_SKIP_H
#define USCOPE_ENDBR_SKIP_H

#include <stdbool.h>
#include "plan.h"

/*
 * Move every entry site of PLAN (and its return site) whose function allows
 * it past its endbr64 (when ENDBR; helpers/insn_cost.c: insn_cost__endbr_skip),
 * and every entry site of a Go function past its stack check
 * (insn_cost__go_entry), saying in one line how many moved. Call before --offset sites are added: those stay where
 * the user put them. Never fails: a function that cannot be read stays put.
 */
void endbr_skip__apply(struct plan *plan, bool endbr);

#endif
