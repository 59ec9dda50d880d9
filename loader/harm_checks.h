/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harm_checks: would a planned site harm the target or count wrong?
 *
 *   IFUNC      an entry or return on a GNU IFUNC symbol is moved to the
 *              implementation the process uses (helpers/ifunc.h), or refused
 *              with the reason and what to probe instead; a resolver is never
 *              probed silently
 *   Go         return probes (ret:, --latency) in a Go binary are refused:
 *              they corrupt Go stacks (helpers/elf_traits.h)
 *   C++        a return probe on a function with an LSDA (an exception may
 *              unwind through it) is warned about once, naming the function
 */
#ifndef USCOPE_HARM_CHECKS_H
#define USCOPE_HARM_CHECKS_H

#include "plan.h"

/* After the plan is built, before anything is attached. 0 or a negative errno (message printed). */
int harm__check_plan(struct plan *plan);

#endif
