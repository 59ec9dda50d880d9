// SPDX-License-Identifier: BSD-2-Clause
/*
 * A probed file was replaced: which of its USDT probes can follow it to the
 * new file exactly? (metrics_reattach.c moves the functions.)
 *
 * A USDT location's index in plan.locs is its spec id: the BPF side reads
 * its arguments from the spec record stored under that id, and the id is in
 * the cookie next to the site id. The maps are sized at load, and the old
 * file's links (kept for processes still running it) go on using those ids.
 * So a probe moves to the new file only if it keeps every id with the same
 * meaning: the new file has as many locations of the same provider:name,
 * and each one, in file order, has the same argument spec record, byte for
 * byte (the spec is re-stored unchanged). Then its cookies are the same and
 * its count goes on. A probe whose locations or argument registers changed
 * would need new ids; it is left out and named, and counts only in the
 * processes still running the old file.
 */
#include <string.h>
#include "metrics_agent.h"
#include "usdt_spec.h"

/* Is NOTE a location of "provider:name" NAME? */
static bool note_is(const struct usdt_note *note, const char *name)
{
	size_t n = strlen(note->provider);

	return !strncmp(name, note->provider, n) && name[n] == ':' && !strcmp(name + n + 1, note->name);
}

/* Give site SI the locations of NOTES in VIEW, if each keeps its spec; false if not. */
static bool move_site(const struct plan *plan, size_t si, const struct usdt_note_list *notes, struct plan *view)
{
	const struct site *s = &plan->sites[si];
	struct uscope_usdt_spec was, now;
	size_t i, k = 0;

	for (i = 0; i < notes->cnt; i++) {
		if (!note_is(&notes->notes[i], s->name))
			continue;
		if (k == s->nlocs)
			return false;	/* more locations than before */
		usdt_spec__build(&was, plan->locs[s->first_loc + k].note);
		usdt_spec__build(&now, &notes->notes[i]);
		if (memcmp(&was, &now, sizeof(was)))
			return false;
		k++;
	}
	if (k != s->nlocs)
		return false;
	for (i = 0, k = 0; i < notes->cnt; i++)
		if (note_is(&notes->notes[i], s->name))
			view->locs[s->first_loc + k++].note = &notes->notes[i];
	return true;
}

size_t metrics_usdt__rebase(const struct plan *plan, uint32_t bi, const struct usdt_note_list *notes,
			    struct plan *view, const char **first_left)
{
	size_t i, left = 0;

	*first_left = NULL;
	for (i = 0; i < plan->nsites; i++) {
		if (plan->sites[i].bin != bi || plan->sites[i].kind != USCOPE_SITE_USDT)
			continue;
		if (move_site(plan, i, notes, view)) {
			view->sites[i].bin = bi;
		} else {
			view->sites[i].bin = UINT32_MAX;
			if (!left++)
				*first_left = plan->sites[i].name;
		}
	}
	return left;
}
