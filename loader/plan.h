/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plan: what the user asked for, resolved into one site table.
 *
 * Each probe spec (probe_spec.h) is matched against the functions and USDT
 * notes of its binary, which the plan asks of the binary cache
 * (binaries.h). Every match becomes a site; the site's index in plan.sites
 * is its id, which is the BPF cookie, which is the key of every count and
 * event. Functions are deduplicated by file offset (aliases are one site,
 * and the kernel would fire the same offset twice if it were given twice);
 * a USDT site is one PROVIDER:NAME in one binary, with all its locations.
 * The plan also keeps each site's display facts (kind, name, per-location
 * argument signedness and width), so that output needs nothing else.
 */
#ifndef USCOPE_PLAN_H
#define USCOPE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "binaries.h"
#include "probe_spec.h"
#include "../helpers/usdt_notes.h"
#include <linux/types.h>
#include "../probes/uscope.h"

struct site {
	uint8_t kind;		/* enum uscope_site_kind */
	uint32_t bin;		/* index into the binary cache */
	const char *name;	/* function, or "provider:name" */
	uint64_t offset;	/* function's file offset */
	uint32_t slot;		/* --latency: the function's histogram, shared with its pair */
	uint32_t first_loc;	/* USDT: its locations in plan.locs; insn return: in plan.rets */
	uint32_t nlocs;
	uint64_t func_offset;	/* function sites: the function's file offset (offset may move past endbr64) */
	uint32_t cflags;	/* USCOPE_COOKIE_* flags of its cookie (USCOPE_COOKIE_GO) */
	bool ret_insn;		/* a return probed on its return instructions (loader/ret_insn.c) */
};

/* --ret-mode (loader/ret_insn.c): how function returns are probed. */
enum ret_mode {
	RET_MODE_AUTO = 0,	/* uretprobes, but return instructions where a uretprobe harms (Go, C++ unwinding) */
	RET_MODE_URETPROBE,	/* uretprobes everywhere they do not crash the target (C++: warned) */
	RET_MODE_INSN,		/* return instructions everywhere */
};

/* One return instruction of an insn-mode return site; its index in plan.rets. */
struct ret_loc {
	uint32_t site;
	uint64_t offset;	/* file offset of the instruction */
	bool tail;		/* a tail-call jmp: the return value is not known there */
};

/* One USDT location of a site; its index in plan.locs is its spec id. */
struct usdt_loc {
	uint32_t site;
	const struct usdt_note *note;	/* for attach only (offsets, argument specs) */
	uint8_t nargs;			/* display facts, from the note */
	bool arg_signed[USCOPE_MAX_ARGS];
	uint8_t arg_width[USCOPE_MAX_ARGS];	/* bytes: 1, 2, 4 or 8 */
};

struct plan {
	struct binaries *bins;	/* the cache the plan asks; owned by the caller */
	struct site *sites;
	size_t nsites;
	struct usdt_loc *locs;
	size_t nlocs;
	char **owned;		/* strings the plan allocated (USDT site names) */
	size_t nowned;
	int latency;		/* each entry site gets a return site in the same slot */
	enum ret_mode ret_mode;	/* set before plan__build, like latency */
	struct ret_loc *rets;	/* insn return sites' instructions (ret_insn.c) */
	size_t nrets;
	size_t nslots;		/* --latency: functions timed */
};

#define PLAN_NO_LOC UINT32_MAX	/* the location of an event is not known */

static inline struct binary *plan__bin(const struct plan *plan, size_t bi)
{
	return binaries__at(plan->bins, bi);
}

/*
 * Match every spec. A spec that names no binary is matched in each of the
 * NDEFAULT binaries DEFAULT_BINS (the -x ones, or the target's executable)
 * and must match in at least one. Prints one message and returns a negative
 * errno on failure. Sites are appended to those PLAN has (late.h plans a
 * library that arrived later this way); on failure some may have been.
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

/* The cookie of function site ID, or of insn return location K of plan.rets. */
static inline uint64_t plan__cookie(const struct plan *plan, size_t id)
{
	return USCOPE_COOKIE(id, plan->sites[id].slot | plan->sites[id].cflags);
}

static inline uint64_t plan__ret_cookie(const struct plan *plan, size_t k)
{
	const struct ret_loc *r = &plan->rets[k];

	return plan__cookie(plan, r->site) | (uint64_t)(r->tail ? USCOPE_COOKIE_TAIL : 0) << 32;
}

/* How many return sites are probed on their return instructions. */
size_t plan__ret_insn_sites(const struct plan *plan);

/*
 * Append a copy of site S named NAME (copied), as the guardian does for the
 * sites of a library that arrived later (late.h). Its id, or -ENOMEM.
 */
int plan__append_site(struct plan *plan, const struct site *s, const char *name);

/* Counts of each kind, for the "Attached" line. */
void plan__kind_counts(const struct plan *plan, size_t out[3]);

/* The one table of kind names: "entry", "return", "usdt". */
const char *site_kind_name(int kind);

/* Is argument I of site S, hit at location LOC (or PLAN_NO_LOC), signed? Returns are. */
bool plan__arg_signed(const struct plan *plan, const struct site *s, uint32_t loc, int i);

#endif
