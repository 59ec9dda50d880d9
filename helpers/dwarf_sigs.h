/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwarf_sigs: what are a binary's functions' signatures, by its DWARF?
 *
 * Reads the binary's own .debug_info with elfutils' libdw (the same project
 * as libelf, which uscope already uses): for every function defined there
 * (a DW_TAG_subprogram with code, its abstract origin followed for names
 * and types), the return type and each parameter's name and type, as C text
 * ("const char *") and as the class uscope needs to read and print it.
 */
#ifndef USCOPE_DWARF_SIGS_H
#define USCOPE_DWARF_SIGS_H

#include <stdbool.h>
#include <stddef.h>

#define DWARF_SIG_MAX_PARAMS 12

enum dwarf_class {
	DWC_VOID, DWC_INT, DWC_BOOL, DWC_ENUM, DWC_PTR, DWC_CHAR_PTR, DWC_FLOAT, DWC_AGGREGATE, DWC_OTHER,
};

#define DWARF_SIG_MAX_ENUMERATORS 256	/* a larger enum prints numerically */

struct dwarf_enumerator {
	long long value;
	char *name;
};

struct dwarf_type {
	enum dwarf_class cls;
	unsigned int size;	/* bytes; 0 for void */
	bool is_signed;
	char *text;		/* C spelling, e.g. "unsigned long long", "const char *" */
	struct dwarf_enumerator *enums;	/* DWC_ENUM: its enumerators (NULL: print the number) */
	int nenums;
};

struct dwarf_param {
	char *name;		/* "" when unnamed */
	struct dwarf_type type;
	bool hidden;		/* the caller's return slot (first register), not in the source: never shown */
};

struct dwarf_sig {
	char *name;		/* the lookup key: C's name, or C++'s demangled "ns::f(int) const" */
	char *display;		/* shown: C's name, or the qualified "ns::f" */
	struct dwarf_type ret;
	int nparams;
	bool more_params;	/* more than DWARF_SIG_MAX_PARAMS, or variadic */
	struct dwarf_param params[DWARF_SIG_MAX_PARAMS];
	bool ambiguous;		/* two definitions of this name disagree */
	/*
	 * The return is a C++ class of at most 16 bytes whose passing (in
	 * registers, or in memory through a hidden first argument) could not be
	 * told: no register position of a parameter is known, all print ?.
	 * A return known to be in memory gets params[0], hidden, instead.
	 */
	bool regs_unknown;
};

struct dwarf_sig_list {
	struct dwarf_sig *sigs;	/* sorted by name, one per name */
	size_t cnt;
	bool has_dwarf;		/* false: the file has no .debug_info */
};

/* Load every signature of PATH; no DWARF is not an error (has_dwarf false). Negative errno on failure. */
int dwarf_sigs__load(const char *path, struct dwarf_sig_list *out);

/* The signature of function NAME, or NULL. */
const struct dwarf_sig *dwarf_sigs__find(const struct dwarf_sig_list *l, const char *name);

/* The name of enum type T's enumerator of value V, or NULL. */
const char *dwarf_type__enum_name(const struct dwarf_type *t, long long v);

/* "RET NAME(T1 a, T2 b)" into BUF. */
void dwarf_sig__format(const struct dwarf_sig *s, char *buf, size_t len);

void dwarf_sigs__free(struct dwarf_sig_list *l);

#endif
