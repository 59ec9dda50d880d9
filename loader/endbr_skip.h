/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * endbr_skip: on a CET build (-fcf-protection, every function starting with
 * endbr64), which function probes can move past the endbr64 and so cost an
 * emulation (~0.6 us a hit here) instead of a single-step (5-7 us)?
 */
#ifndef USCOPE_ENDBR_SKIP_H
#define USCOPE_ENDBR_SKIP_H

#include "plan.h"

/*
 * Move every entry and return site of PLAN whose function allows it
 * (helpers/insn_cost.c: insn_cost__endbr_skip) 4 bytes on, and say how many
 * moved in one line. Call before --offset sites are added: those stay where
 * the user put them. Never fails: a function that cannot be read stays put.
 */
void endbr_skip__apply(struct plan *plan);

#endif
