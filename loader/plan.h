/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plan: what the user asked for, resolved into one site table.
 *
 * A probe spec (entry GLOB, ret:GLOB, usdt:PROVIDER:NAME, each optionally
 * naming its binary) is matched against the functions and USDT notes of its
 * binary. Every match becomes a site; the site's index in plan.sites is its
 * id, which is the BPF cookie, which is the key of every count and event.
 * Functions are deduplicated by file offset (aliases are one site, and the
 * kernel would fire the same offset twice if it were given twice); a USDT
 * site is one PROVIDER:NAME in one binary, with all its locations.
 */
#ifndef USCOPE_PLAN_H
#define USCOPE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../helpers/elf_funcs.h"
#include "../helpers/usdt_notes.h"

struct binary {
	char *path;		/* shown to the user */
	char *open_path;	/* what libelf and the kernel open */
	struct elf_func_list funcs;
	struct usdt_note_list notes;
	int funcs_loaded, notes_loaded;
};

struct site {
	uint8_t kind;		/* enum uscope_site_kind */
	uint32_t bin;		/* index into plan.bins */
	const char *name;	/* function, or "provider:name" */
	uint64_t offset;	/* function's file offset */
	uint32_t slot;		/* --latency: the function's histogram, shared with its pair */
	uint32_t first_loc;	/* USDT: its locations in plan.locs */
	uint32_t nlocs;
};

struct usdt_loc {
	uint32_t site;
	const struct usdt_note *note;
};

enum probe_kind { PROBE_ENTRY, PROBE_RETURN, PROBE_USDT };

struct probe_spec {
	const char *text;	/* as the user wrote it, for messages */
	enum probe_kind kind;
	char *binary;		/* NULL: the default binaries */
	int bin;		/* index of binary in plan.bins, once resolved */
	char *glob;		/* function glob, or provider glob for USDT */
	char *name_glob;	/* USDT name glob */
};

struct plan {
	struct binary *bins;
	size_t nbins;
	struct site *sites;
	size_t nsites;
	struct usdt_loc *locs;
	size_t nlocs;
	char **owned;		/* strings the plan allocated (USDT site names) */
	size_t nowned;
	int latency;		/* each entry site gets a return site in the same slot */
	size_t nslots;		/* --latency: functions timed */
};

/* Parse one PROBE argument. Returns 0 or -EINVAL (message printed). */
int probe_spec__parse(const char *text, struct probe_spec *spec);
void probe_spec__free(struct probe_spec *spec);

/* Add a binary by path (or reuse it); returns its index or a negative errno (message printed). */
int plan__add_binary(struct plan *plan, const char *path, const char *open_path);

/*
 * Match every spec. A spec that names no binary is matched in each of the
 * NDEFAULT binaries DEFAULT_BINS (the -x ones, or the target's executable)
 * and must match in at least one. Prints one message and returns a negative
 * errno on failure.
 */
int plan__build(struct plan *plan, struct probe_spec *specs, size_t nspecs, const int *default_bins,
		size_t ndefault);
void plan__free(struct plan *plan);

/*
 * --offset: an entry site at raw file offset OFF of binary BI, refused unless
 * OFF lies in an executable segment and, unless UNSAFE, is a function start or
 * a USDT location (an instruction start). Named after the function holding it
 * ("main+0x4"). Prints one message on failure.
 */
int plan__add_offset(struct plan *plan, int bi, uint64_t off, bool unsafe);

/* Counts of each kind, for the "Attached" line. */
void plan__kind_counts(const struct plan *plan, size_t out[3]);

/* Load the functions / notes of a binary once (message printed on failure). */
int binary__load_funcs(struct binary *bin);
int binary__load_notes(struct binary *bin);

#endif
