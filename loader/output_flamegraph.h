/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * output_flamegraph: --flamegraph FILE.svg. A self-contained SVG flame graph of
 * folded stacks: one box per frame, its width proportional to its count,
 * the root at the bottom, a tooltip (<title>) with the name and count, click
 * to zoom (a small inline script; no script, font or style is fetched).
 */
#ifndef USCOPE_OUTPUT_FLAMEGRAPH_H
#define USCOPE_OUTPUT_FLAMEGRAPH_H

#include <stddef.h>
#include "output_stacks.h"

/* Write LINES[N] (folded stacks with counts) to PATH. Returns 0 or -errno (message printed). */
int flamegraph__write(const char *path, const struct folded_line *lines, size_t n);

#endif
