// SPDX-License-Identifier: BSD-2-Clause
/*
 * Builds the site table from probe specs. See plan.h for the model.
 *
 * Cost: one fnmatch() per (spec, symbol); functions are already sorted by
 * offset, so aliases sit next to each other and deduplication is an array
 * lookup by the alias group's first index, with no hashing and no
 * per-symbol allocation, so 50,000 functions plan in milliseconds.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "plan.h"
#include "insn_check.h"
#include "usdt_spec.h"
#include "plan_priv.h"
#include "func_names.h"
#include "util.h"
#include "../probes/uscope.h"

/* Per binary and kind: which site each alias group already became (id + 1). */
struct dedup {
	uint32_t *site_of[2];	/* [entry|return][func index of group leader] */
	uint32_t *leader;	/* func index -> index of first func at that offset */
};

/* Own NAME: the plan frees it. */
int plan_own(struct plan *plan, char *name)
{
	char **owned = realloc(plan->owned, (plan->nowned + 1) * sizeof(*owned));

	if (!owned) {
		free(name);
		err_msg("out of memory");
		return -ENOMEM;
	}
	plan->owned = owned;
	owned[plan->nowned++] = name;
	return 0;
}

int plan_add_site(struct plan *plan, size_t *cap, const struct site *s)
{
	if (plan->nsites == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct site *n = realloc(plan->sites, ncap * sizeof(*n));

		if (!n) {
			err_msg("out of memory");
			return -ENOMEM;
		}
		plan->sites = n;
		*cap = ncap;
	}
	plan->sites[plan->nsites] = *s;
	return plan->nsites++;
}

static int dedup_init(struct dedup *d, const struct elf_func_list *fl)
{
	size_t i;

	d->leader = calloc(fl->cnt + 1, sizeof(*d->leader));
	d->site_of[0] = calloc(fl->cnt + 1, sizeof(uint32_t));
	d->site_of[1] = calloc(fl->cnt + 1, sizeof(uint32_t));
	if (!d->leader || !d->site_of[0] || !d->site_of[1]) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < fl->cnt; i++)
		d->leader[i] = (i && fl->funcs[i].offset == fl->funcs[i - 1].offset) ? d->leader[i - 1] : i;
	return 0;
}

static void dedup_free(struct dedup *d)
{
	free(d->leader);
	free(d->site_of[0]);
	free(d->site_of[1]);
}

/* FUNC+OFF: the entry site at F + SPEC's offset, once it is known to start an instruction. */
static int add_func_offset(struct plan *plan, size_t *cap, uint32_t bi, const struct elf_func *f,
			   const struct probe_spec *spec)
{
	struct site s = { .kind = USCOPE_SITE_ENTRY, .bin = bi, .offset = f->offset + spec->off,
			  .func_offset = f->offset };
	char *name;
	size_t i;
	int err;

	if (plan->latency || spec->off >= (f->size ? f->size : 1)) {
		err_msg(plan->latency ? "probe '%s': --latency times whole functions, not FUNC+OFF"
				      : "probe '%s': the offset is past the end of its function", spec->text);
		return -EINVAL;
	}
	if (asprintf(&name, "%s+0x%llx", f->name, (unsigned long long)spec->off) < 0) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	err = plan_own(plan, name);
	if (!err && insn_check__offset(plan__bin(plan, bi), f, s.offset, name))
		err = -EINVAL;
	if (err)
		return err;
	for (i = 0; i < plan->nsites; i++)
		if (plan->sites[i].bin == bi && plan->sites[i].kind == USCOPE_SITE_ENTRY &&
		    plan->sites[i].offset == s.offset)
			return 0;	/* already probed (an alias): the kernel would fire it twice */
	s.name = name;
	return plan_add_site(plan, cap, &s);
}

/* Adds the sites of every function matching SPEC in binary BI; returns how many matched. */
static long match_funcs(struct plan *plan, size_t *cap, struct dedup *dd, uint32_t bi,
			const struct probe_spec *spec)
{
	const struct elf_func_list *fl = &plan__bin(plan, bi)->funcs;	/* loaded by match_in */
	int kind = spec->kind == PROBE_RETURN ? USCOPE_SITE_RETURN : USCOPE_SITE_ENTRY;
	uint32_t *site_of = dd[bi].site_of[kind];
	size_t i;
	long matched = 0;

	for (i = 0; i < fl->cnt; i++) {
		const struct elf_func *f = &fl->funcs[i];
		uint32_t g = dd[bi].leader[i];
		struct site s = { .kind = kind, .bin = bi, .name = func_shown_name(f, !plan->bins->show_raw),
				  .offset = f->offset, .func_offset = f->offset };
		int id;

		if (!func_glob_match(spec->glob, f))
			continue;
		matched++;
		if (spec->has_off) {	/* FUNC+OFF: checked to start an instruction */
			id = add_func_offset(plan, cap, bi, f, spec);
			if (id < 0)
				return id;
			continue;
		}
		if (site_of[g])
			continue;
		if (plan->latency)
			s.slot = plan->nslots++;
		id = plan_add_site(plan, cap, &s);
		if (id < 0)
			return id;
		site_of[g] = id + 1;
		if (plan->latency) {	/* its return, in the same slot */
			s.kind = USCOPE_SITE_RETURN;
			id = plan_add_site(plan, cap, &s);
			if (id < 0)
				return id;
		}
	}
	return matched;
}

/*
 * Adds the sites of every USDT probe matching SPEC in binary BI; returns how
 * many notes matched. Every note can be traced (arguments that cannot be
 * read are flagged per event, not the note dropped), so *SKIPPED is never set.
 */
static long match_usdt(struct plan *plan, size_t *cap, uint32_t bi, const struct probe_spec *spec,
		       const char **skipped)
{
	const struct usdt_note_list *nl = &plan__bin(plan, bi)->notes;	/* loaded by match_in */
	size_t i, j;
	long matched = 0;

	(void)skipped;

	for (i = 0; i < nl->cnt; i++) {
		const struct usdt_note *n = &nl->notes[i];
		struct site s = { .kind = USCOPE_SITE_USDT, .bin = bi };
		char *name;
		int found = 0, id;

		if (fnmatch(spec->glob, n->provider, 0) || fnmatch(spec->name_glob, n->name, 0))
			continue;
		matched++;
		/* Sites of this binary may come from earlier specs too. */
		for (j = 0; j < plan->nsites && !found; j++) {
			const struct site *o = &plan->sites[j];
			size_t pl = strlen(n->provider);

			found = o->kind == USCOPE_SITE_USDT && o->bin == bi &&
				strncmp(o->name, n->provider, pl) == 0 && o->name[pl] == ':' &&
				strcmp(o->name + pl + 1, n->name) == 0;
		}
		if (found)
			continue;
		if (asprintf(&name, "%s:%s", n->provider, n->name) < 0) {
			err_msg("out of memory");
			return -ENOMEM;
		}
		if (plan_own(plan, name))
			return -ENOMEM;
		s.name = name;
		s.offset = n->offset;
		id = plan_add_site(plan, cap, &s);
		if (id < 0)
			return id;
	}
	return matched;
}

/* A location and its display facts, copied from its note so output never reads notes. */
static void loc_init(struct usdt_loc *l, uint32_t site, const struct usdt_note *n)
{
	int i;

	l->site = site;
	l->note = n;
	l->nargs = n->nargs < USCOPE_MAX_ARGS ? n->nargs : USCOPE_MAX_ARGS;
	for (i = 0; i < l->nargs; i++) {
		l->arg_signed[i] = n->args[i].is_signed;
		l->arg_width[i] = n->args[i].size;
	}
}

/* Gather each USDT site's locations, contiguous, deduplicated by offset. */
/* The locations of sites FROM.. (a later plan__build appends: late.h), after those there are. */
static int collect_locations(struct plan *plan, size_t from)
{
	struct usdt_loc *locs;
	size_t i, k, total = 0;

	for (i = from; i < plan->nsites; i++)
		if (plan->sites[i].kind == USCOPE_SITE_USDT)
			total += plan__bin(plan, plan->sites[i].bin)->notes.cnt;
	if (!total)
		return 0;
	locs = realloc(plan->locs, (plan->nlocs + total) * sizeof(*plan->locs));
	if (!locs) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	plan->locs = locs;
	memset(locs + plan->nlocs, 0, total * sizeof(*locs));
	for (i = from; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];
		const struct usdt_note_list *nl = &plan__bin(plan, s->bin)->notes;

		if (s->kind != USCOPE_SITE_USDT)
			continue;
		s->first_loc = plan->nlocs;
		for (k = 0; k < nl->cnt; k++) {
			const struct usdt_note *n = &nl->notes[k];
			size_t pl = strlen(n->provider), d;
			int dup = 0;

			if (strncmp(s->name, n->provider, pl) || s->name[pl] != ':' ||
			    strcmp(s->name + pl + 1, n->name))
				continue;
			for (d = s->first_loc; d < plan->nlocs && !dup; d++)
				dup = plan->locs[d].note->offset == n->offset;
			if (dup)
				continue;
			loc_init(&plan->locs[plan->nlocs++], i, n);
			/* every location is attached; one with unreadable arguments is said so */
			usdt_spec__warn_unreadable(n, plan__bin(plan, s->bin)->path);
		}
		s->nlocs = plan->nlocs - s->first_loc;
	}
	return 0;
}

/* Match SPEC in binary BI: load what it needs, return how many matched. */
static long match_in(struct plan *plan, size_t *cap, struct dedup **dd, size_t *ndd, int bi,
		     const struct probe_spec *spec, const char **skipped)
{
	size_t nbins = plan->bins->n;
	const struct elf_func_list *fl;
	int err;

	if (spec->kind == PROBE_USDT)
		return binary__notes(plan__bin(plan, bi)) ? match_usdt(plan, cap, bi, spec, skipped) : -EINVAL;
	fl = binary__funcs(plan__bin(plan, bi));
	if (!fl)
		return -EINVAL;
	if (*ndd < nbins) {
		struct dedup *n = realloc(*dd, nbins * sizeof(**dd));

		if (!n) {
			err_msg("out of memory");
			return -ENOMEM;
		}
		memset(n + *ndd, 0, (nbins - *ndd) * sizeof(*n));
		*dd = n;
		*ndd = nbins;
	}
	if (!(*dd)[bi].leader && (err = dedup_init(&(*dd)[bi], fl)))
		return err;
	return match_funcs(plan, cap, *dd, bi, spec);
}

static void report_no_match(const struct plan *plan, const struct probe_spec *spec, const int *bins,
			    size_t nbins, const char *skipped)
{
	const struct binary *b = plan__bin(plan, bins[0]);

	if (skipped)
		err_msg("every USDT location matching '%s:%s' was skipped (%s), so there is nothing to probe",
			spec->glob, spec->name_glob, skipped);
	else if (spec->kind == PROBE_USDT && nbins == 1 && !b->notes.has_section)
		err_msg("'%s' has no USDT notes (.note.stapsdt), so nothing matches '%s'", b->path, spec->text);
	else if (spec->kind == PROBE_USDT)
		err_msg("no USDT probe matches '%s:%s' in '%s'%s", spec->glob, spec->name_glob, b->path,
			nbins > 1 ? " or the other binaries" : "");
	else
		err_msg("no function matches '%s' in '%s'%s%s", spec->glob, b->path,
			nbins > 1 ? " or the other binaries" : "",
			nbins == 1 && b->funcs.stripped ? " (it is stripped and no debug file was found: "
			"install its -dbg or -dbgsym package, or set DEBUGINFOD_URLS)" : "");
}

int plan__build(struct plan *plan, struct probe_spec *specs, size_t nspecs, const int *default_bins,
		size_t ndefault)
{
	struct dedup *dd = NULL;
	size_t cap = plan->nsites, first = plan->nsites, i, k, ndd = 0;
	int err = 0;

	for (i = 0; i < nspecs && !err; i++) {
		const int *bins = default_bins;
		size_t nbins = ndefault;
		const char *skipped = NULL;
		long matched = 0, m;
		int bi;

		if (specs[i].binary) {
			bi = specs[i].bin;	/* resolved by the caller */
			bins = &bi;
			nbins = 1;
		}
		if (!nbins) {
			err_msg("probe '%s': no binary to probe (give -x, -p or -c)", specs[i].text);
			err = -EINVAL;
			break;
		}
		for (k = 0; k < nbins && !err; k++) {
			m = match_in(plan, &cap, &dd, &ndd, bins[k], &specs[i], &skipped);
			if (m < 0)
				err = m;
			else
				matched += m;
		}
		if (!err && !matched) {
			report_no_match(plan, &specs[i], bins, nbins, skipped);
			err = -ENOENT;
		}
	}
	for (i = 0; i < ndd; i++)
		dedup_free(&dd[i]);
	free(dd);
	if (!err)
		err = collect_locations(plan, first);
	return err;
}

int plan__append_site(struct plan *plan, const struct site *s, const char *name)
{
	size_t cap = plan->nsites;
	char *own = strdup(name);
	int id;

	if (!own || plan_own(plan, own)) {
		if (!own)
			err_msg("out of memory");
		return -ENOMEM;
	}
	id = plan_add_site(plan, &cap, s);
	if (id >= 0)
		plan->sites[id].name = own;
	return id;
}

const char *site_kind_name(int kind)
{
	static const char *names[] = { "entry", "return", "usdt" };

	return kind >= 0 && kind < 3 ? names[kind] : "?";
}

bool plan__arg_signed(const struct plan *plan, const struct site *s, uint32_t loc, int i)
{
	const struct usdt_loc *l;

	if (s->kind == USCOPE_SITE_RETURN)
		return true;
	if (s->kind != USCOPE_SITE_USDT)
		return false;	/* function arguments: their C types are not in the binary */
	if (loc < s->first_loc || loc - s->first_loc >= s->nlocs) {
		/* The location is not known (cannot happen: BPF reports it); say signed, like C's int. */
		return true;
	}
	l = &plan->locs[loc];
	return i < l->nargs ? l->arg_signed[i] : true;
}

size_t plan__ret_insn_sites(const struct plan *plan)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nsites; i++)
		n += plan->sites[i].ret_insn;
	return n;
}

void plan__kind_counts(const struct plan *plan, size_t out[3])
{
	size_t i;

	out[0] = out[1] = out[2] = 0;
	for (i = 0; i < plan->nsites; i++)
		out[plan->sites[i].kind]++;
}

void plan__free(struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nowned; i++)
		free(plan->owned[i]);
	free(plan->owned);
	free(plan->sites);
	free(plan->locs);
	free(plan->rets);
	memset(plan, 0, sizeof(*plan));
}
