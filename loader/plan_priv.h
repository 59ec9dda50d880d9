/* SPDX-License-Identifier: BSD-2-Clause */
/* plan_priv: the site table's growth, shared by plan.c and plan_offset.c only. */
#ifndef USCOPE_PLAN_PRIV_H
#define USCOPE_PLAN_PRIV_H

#include "plan.h"

/* Own NAME: the plan frees it. Returns 0 or -ENOMEM (message printed, NAME freed). */
int plan_own(struct plan *plan, char *name);

/* Append S (CAP: the allocated size); returns its site id or -ENOMEM (message printed). */
int plan_add_site(struct plan *plan, size_t *cap, const struct site *s);

#endif
