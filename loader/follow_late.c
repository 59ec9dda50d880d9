// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later, before load: which names wait, which probes
 * wait with them, how much room the maps keep, what the Attached line says.
 * follow_late_attach.c does the waiting. See follow_late.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "binpath.h"
#include "follow_late.h"
#include "proc_maps.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/uprobe_multi.h"

static int find_name(const struct late *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nnames; i++)
		if (!strcmp(l->names[i], name))
			return i;
	return -1;
}

/* "libplug.so" or "libplug.so.1": a file name as DT_SONAME has it. */
static bool is_soname(const char *name)
{
	size_t n = strlen(name);

	return !strchr(name, '/') && ((n > 3 && !strcmp(name + n - 3, ".so")) || strstr(name, ".so."));
}

int late__resolve(struct late *l, const char *name, const struct target *rt, bool allowed, char **shown,
		  char **open)
{
	int err = binpath_lookup(name, rt, shown, open);

	if (err != -ENOENT)
		return err;
	/*
	 * Only a library's file name (libplug.so, libplug.so.1), bare, with a
	 * -p/-c target, can wait: anything else (a typo, a short name like
	 * "libfoo") is a mistake to report now.
	 */
	if (!allowed || !is_soname(name) || rt->pid <= 0 || l->nnames == LATE_MAX_NAMES) {
		err_msg("cannot find binary '%s' (not a path, a library or a program on PATH)", name);
		return -ENOENT;
	}
	if (find_name(l, name) < 0)
		l->names[l->nnames++] = name;
	return 1;
}

bool late__spec_waits(struct late *l, struct probe_spec *sp)
{
	if (!sp->binary || find_name(l, sp->binary) < 0)
		return false;
	sp->bin = -1;
	return true;
}

struct probe_spec *late__start_specs(struct late *l, struct probe_spec *specs, size_t n, size_t ndefault,
				     size_t *nout)
{
	struct probe_spec *out = calloc(n + 1, sizeof(*out));
	size_t i;

	*nout = 0;
	if (!out)
		return NULL;
	l->specs = specs;
	l->nspecs = n;
	/* Probes without BIN: wait only when every -x waits (else they go to the -x that exist). */
	l->defaults_wait = l->nnames && !ndefault;
	for (i = 0; i < n; i++) {
		if (specs[i].binary ? specs[i].bin < 0 : l->defaults_wait)
			continue;
		out[(*nout)++] = specs[i];
	}
	return out;
}

/* The programs of the kinds the waiting probes have load too, though no site of theirs exists yet. */
static int load_programs(const struct late *l, struct uscope_bpf *skel, enum attach_mode mode, bool noop)
{
	struct bpf_program *progs[4] = { skel->progs.loader_brk, NULL, NULL, NULL };
	size_t i;
	int err = 0;

	for (i = 0; i < l->nspecs; i++) {
		const struct probe_spec *sp = &l->specs[i];

		if (sp->binary ? sp->bin >= 0 : !l->defaults_wait)
			continue;
		if (sp->kind == PROBE_ENTRY)
			progs[1] = noop ? skel->progs.noop_entry : skel->progs.generic_entry;
		else if (sp->kind == PROBE_RETURN)
			progs[2] = skel->progs.generic_return;
		else
			progs[3] = skel->progs.usdt_site;
	}
	for (i = 0; i < 4 && !err; i++) {
		if (!progs[i])
			continue;
		bpf_program__set_autoload(progs[i], true);
		if (mode == ATTACH_MULTI)
			err = bpf_program__set_expected_attach_type(progs[i],
								    (enum bpf_attach_type)USCOPE_BPF_TRACE_UPROBE_MULTI);
	}
	return err;
}

int late__prepare(struct late *l, struct uscope_bpf *skel, const struct plan *plan, enum attach_mode mode,
		  bool noop)
{
	int err = 0;

	l->capacity = plan->nsites;
	bpf_program__set_autoload(skel->progs.loader_brk, l->nnames > 0);
	if (!l->nnames)
		return 0;
	if (mode == ATTACH_NOCOOKIE) {
		err_msg("--attach nocookie cannot wait for '%s' (not found): without cookies a probe is recognised "
			"by an address known only once mapped", l->names[0]);
		return -EINVAL;
	}
	if (plan->latency) {
		err_msg("--latency cannot wait for '%s' (not found): name a library file", l->names[0]);
		return -EINVAL;
	}
	l->capacity = plan->nsites + LATE_RESERVE;
	err = load_programs(l, skel, mode, noop);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.counts, l->capacity);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.drops, l->capacity);
	if (!err && plan->nlocs + LATE_RESERVE > 256)
		err = bpf_map__set_max_entries(skel->maps.__bpf_usdt_specs, plan->nlocs + LATE_RESERVE);
	if (err)
		err_msg("cannot make room for libraries loaded later: %s", strerror(-err));
	return err;
}

/* -p: is binary BI of the plan mapped by the target already? */
static bool mapped(const struct proc_maps *pm, const struct binary *b)
{
	struct stat st;
	size_t i;

	if (stat(b->open_path, &st))
		return true;	/* say nothing about what cannot be checked */
	for (i = 0; i < pm->cnt; i++)
		if (pm->maps[i].ino == st.st_ino && makedev(pm->maps[i].dev_major, pm->maps[i].dev_minor) == st.st_dev)
			return true;
	return false;
}

static void add_text(char *buf, size_t len, const char *fmt, const char *what)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, fmt, what);
}

const char *late__scope(const struct late *l, const struct plan *plan, const struct target *t)
{
	static char buf[4096];
	struct proc_maps pm;
	size_t i;

	buf[0] = 0;
	if (t->pid > 0 && !t->child && !proc_maps__load(t->pid, &pm)) {
		for (i = 0; i < plan->nbins; i++)
			if (strcmp(plan->bins[i].path, t->exe ? t->exe : "") && !mapped(&pm, &plan->bins[i]))
				add_text(buf, sizeof(buf), " %s is not mapped yet: attached by file.", plan->bins[i].path);
		proc_maps__free(&pm);
	}
	for (i = 0; i < l->nnames; i++)
		add_text(buf, sizeof(buf), " %s: no such file yet; attached when the loader maps it (r_brk), the "
			 "process held meanwhile.", l->names[i]);
	return buf;
}

void late__report(const struct late *l)
{
	size_t i;

	if (l->holds)
		fprintf(stderr, "Held the target %llu time%s at the loader's r_brk, %.2f ms in all\n",
			(unsigned long long)l->holds, l->holds == 1 ? "" : "s", l->held_ns / 1e6);
	for (i = 0; i < l->nnames; i++)
		if (!l->attached[i])
			warn_msg("'%s' was never loaded: nothing was attached to it", l->names[i]);
}
