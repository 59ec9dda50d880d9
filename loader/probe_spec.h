/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_spec: the PROBE grammar of `uscope trace`. What did the user ask
 * for in one PROBE argument?
 *   GLOB | BIN:GLOB                      entries of matching functions
 *   ret:GLOB | ret:BIN:GLOB              their returns
 *   GLOB+OFF | BIN:GLOB+OFF              OFF bytes into each matching function,
 *                                        where an instruction must start (plan.c)
 *   usdt:PROVIDER:NAME | usdt:BIN:PROVIDER:NAME   USDT probes (globs)
 * Parsing only: matching against binaries is the plan's job.
 */
#ifndef USCOPE_PROBE_SPEC_H
#define USCOPE_PROBE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

enum probe_kind { PROBE_ENTRY, PROBE_RETURN, PROBE_USDT };

struct probe_spec {
	const char *text;	/* as the user wrote it, for messages */
	enum probe_kind kind;
	char *binary;		/* NULL: the default binaries */
	int bin;		/* index of binary in the binary cache, once resolved */
	char *glob;		/* function glob, or provider glob for USDT */
	char *name_glob;	/* USDT name glob */
	bool has_off;		/* FUNC+OFF: probe OFF bytes into each matching function */
	uint64_t off;
};

/* Parse one PROBE argument. Returns 0 or a negative errno (message printed). */
int probe_spec__parse(const char *text, struct probe_spec *spec);
void probe_spec__free(struct probe_spec *spec);

#endif
