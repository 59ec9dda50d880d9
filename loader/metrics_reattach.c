// SPDX-License-Identifier: BSD-2-Clause
/*
 * A probed file was replaced under its path (a package upgrade): how do its
 * probes move to the new file with the counters continuous?
 *
 * - The new file is opened once and both read (libelf) and attached (the
 *   kernel) through /proc/self/fd/N, so the offsets always belong to the
 *   inode they are placed in, even if the path changes again meanwhile.
 * - Every function site of the binary is looked up by name in the new file
 *   and attached there with its old site id (and latency slot): the BPF maps
 *   are indexed by site id, so its count and histogram simply go on. A name
 *   the new file lacks is reported and its count stays where it was.
 * - The new file's links are made before the old file's are let go, so no
 *   hit of a process started meanwhile is lost. The old file's links stay
 *   (as `prev`) while processes started before the upgrade still run it,
 *   until the next replacement; an old inode rewritten in place (same inode,
 *   new code) is detached first instead, since its probes would now sit at
 *   offsets that may be in the middle of the new code's instructions.
 * - USDT sites follow when the new file keeps their locations' spec ids
 *   exactly (metrics_usdt.c); the others are named and count only in the
 *   processes still running the old file. A file uscope cannot read or
 *   attach is reported once and the old probes stay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "metrics_agent.h"
#include "usdt_notes.h"
#include "util.h"

static int by_name(const void *x, const void *y)
{
	return strcmp((*(const struct elf_func *const *)x)->name, (*(const struct elf_func *const *)y)->name);
}

/* The functions of LIST sorted by name, for bsearch; NULL if out of memory. */
static const struct elf_func **name_index(const struct elf_func_list *list)
{
	const struct elf_func **idx = malloc((list->cnt + 1) * sizeof(*idx));
	size_t i;

	if (!idx)
		return NULL;
	for (i = 0; i < list->cnt; i++)
		idx[i] = &list->funcs[i];
	qsort(idx, list->cnt, sizeof(*idx), by_name);
	return idx;
}

/*
 * A view of the plan in which binary BI's function sites have the new file's
 * offsets and BI opens FDPATH; sites not found (and USDT sites, until
 * metrics_usdt__rebase) belong to no binary, so attach__run_binary() skips them.
 */
static void rebase(const struct plan *plan, uint32_t bi, const struct elf_func_list *fl, const char *fdpath,
		     struct plan *view, size_t *missing, const char **first_missing)
{
	const struct elf_func **idx = name_index(fl), **hit;
	struct elf_func key, *kp = &key;
	size_t i;

	*missing = 0;
	*first_missing = NULL;
	view->bins->v[bi].open_path = (char *)fdpath;
	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &view->sites[i];

		if (s->bin != bi)
			continue;
		s->bin = UINT32_MAX;
		if (s->kind == USCOPE_SITE_USDT)
			continue;
		if (s->ret_insn) {	/* its instructions were decoded in the old file (ret_insn.c) */
			warn_msg("the return instructions of %s are not re-placed in the new file: its return "
				 "count stops", s->name);
			continue;
		}
		key.name = plan->sites[i].name;
		hit = idx ? bsearch(&kp, idx, fl->cnt, sizeof(*idx), by_name) : NULL;
		if (!hit) {
			if (!(*missing)++)
				*first_missing = key.name;
			continue;
		}
		s->bin = bi;
		s->offset = (*hit)->offset;
	}
	free(idx);
}

static size_t usdt_sites(const struct plan *plan, uint32_t bi)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nsites; i++)
		n += plan->sites[i].bin == bi && plan->sites[i].kind == USCOPE_SITE_USDT;
	return n;
}

/* Attach through VIEW; on success the new links become current, the old ones `prev`. */
static int swap_in(struct metrics_agent *a, uint32_t bi, const struct plan *view, const struct stat *st)
{
	struct metrics_bin_links *bl = &a->bins[bi];
	struct attach_state fresh;
	int err;

	/* Rewritten in place: the old probes are on the new code; take them off first. */
	if (st->st_dev == bl->cur_dev && st->st_ino == bl->cur_ino) {
		attach__destroy(&bl->cur);
		bl->cur.probes = 0;
	}
	if (st->st_dev == bl->prev_dev && st->st_ino == bl->prev_ino) {
		attach__destroy(&bl->prev);
		bl->prev.probes = 0;
	}
	err = attach__run_binary(a->progs, view, &a->cfg, bi, true, &fresh);
	if (err)
		return err;
	attach__destroy(&bl->prev);
	bl->prev = bl->cur;
	bl->prev_dev = bl->cur_dev;
	bl->prev_ino = bl->cur_ino;
	bl->cur = fresh;
	bl->cur_dev = st->st_dev;
	bl->cur_ino = st->st_ino;
	bl->replaced++;
	return 0;
}

/* What the new file lacks: MISSING functions (FIRST_MISSING first), USDT_LEFT probes (FIRST_USDT first). */
static void say_left(const char *path, size_t missing, const char *first_missing, size_t usdt_left,
		     const char *first_usdt)
{
	if (missing)
		warn_msg("%zu function%s of '%s' (%s first) %s not in its new file; %s count%s stop%s", missing,
			 missing == 1 ? "" : "s", path, first_missing, missing == 1 ? "is" : "are",
			 missing == 1 ? "its" : "their", missing == 1 ? "" : "s", missing == 1 ? "s" : "");
	if (usdt_left)
		warn_msg("%zu USDT probe%s of '%s' (%s first) %s other locations or arguments in its new file: not "
			 "re-attached, counted only in processes still running the old file", usdt_left,
			 usdt_left == 1 ? "" : "s", path, first_usdt, usdt_left == 1 ? "has" : "have");
}

static void attach_view(struct metrics_agent *a, uint32_t bi, int fd, const char *fdpath,
			const struct elf_func_list *fl, const struct usdt_note_list *notes)
{
	const struct plan *plan = a->plan;
	const char *path = plan__bin(plan, bi)->path, *first_missing, *first_usdt;
	struct binaries bins = { .n = plan->bins->n };
	struct plan view = *plan;
	size_t missing, usdt_left = 0;
	struct stat st;
	int err = -ENOMEM;

	view.sites = malloc(plan->nsites * sizeof(*view.sites));
	view.locs = malloc((plan->nlocs + 1) * sizeof(*view.locs));
	bins.v = malloc(bins.n * sizeof(*bins.v));
	view.bins = &bins;
	if (view.sites && view.locs && bins.v && !fstat(fd, &st)) {
		memcpy(view.sites, plan->sites, plan->nsites * sizeof(*view.sites));
		if (plan->nlocs)	/* no USDT probes: plan->locs may be NULL */
			memcpy(view.locs, plan->locs, plan->nlocs * sizeof(*view.locs));
		memcpy(bins.v, plan->bins->v, bins.n * sizeof(*bins.v));
		rebase(plan, bi, fl, fdpath, &view, &missing, &first_missing);
		usdt_left = metrics_usdt__rebase(plan, bi, notes, &view, &first_usdt);
		err = swap_in(a, bi, &view, &st);
	}
	if (err) {
		metrics_watch__refuse(a->watch, bi, fd);
		warn_msg("'%s' was replaced, and its new file could not be probed; its counts stop", path);
	} else {
		metrics_watch__accept(a->watch, bi, fd);
		fprintf(stderr, "Re-attached %zu probe%s to the new '%s' (inode %lu)\n", a->bins[bi].cur.probes,
			a->bins[bi].cur.probes == 1 ? "" : "s", path, (unsigned long)st.st_ino);
		say_left(path, missing, first_missing, usdt_left, first_usdt);
	}
	free(view.sites);
	free(view.locs);
	free(bins.v);
}

void metrics_agent__reattach(struct metrics_agent *a, uint32_t bi)
{
	const char *path = plan__bin(a->plan, bi)->path;
	struct usdt_note_list notes = { 0 };
	struct elf_func_list fl;
	char fdpath[32];
	int fd = metrics_watch__open_current(a->watch, bi), err;

	if (fd < 0)
		return;	/* gone again: the next look retries */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	err = elf_funcs__load(fdpath, &fl);
	/* Notes that cannot be read leave the list empty: every USDT probe is then named as left out. */
	if (!err && usdt_sites(a->plan, bi) && usdt_notes__load(fdpath, &notes))
		memset(&notes, 0, sizeof(notes));
	if (err) {
		warn_msg("'%s' was replaced by a file uscope cannot read (%s); its probes stay on the old file",
			 path, elf_strerror(err));
		metrics_watch__refuse(a->watch, bi, fd);
		close(fd);
		return;
	}
	attach_view(a, bi, fd, fdpath, &fl, &notes);
	usdt_notes__free(&notes);
	elf_funcs__free(&fl);
	close(fd);
}
