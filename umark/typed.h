/* SPDX-License-Identifier: BSD-2-Clause */
/* typed: umark's functions whose arguments have C types other than unsigned long long (umark -T). */
#ifndef UMARK_TYPED_H
#define UMARK_TYPED_H

#include <stdbool.h>

enum typed_color { TYPED_RED = 0, TYPED_GREEN = 1, TYPED_BLUE = 7 };

struct typed_pair {
	long a, b;
};

/* One round of calls with values derived from I; prints each call and its result unless QUIET. */
void umark_typed_round(unsigned long long i, int quiet);

#endif
