// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later, before anything is attached: which names
 * wait for the loader, which probes wait with them, what such a run cannot
 * do, where the target's ld.so keeps its r_brk, and what the Attached line
 * says. See late.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binpath.h"
#include "late.h"
#include "trace_opts.h"
#include "util.h"

void late__init(struct late *l, uint32_t room)
{
	memset(l, 0, sizeof(*l));
	l->room = room;
}

static int find_name(const struct late *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nnames; i++)
		if (!strcmp(l->names[i].name, name))
			return (int)i;
	return -1;
}

/* "libplug.so" or "libplug.so.1": a bare file name as DT_SONAME has it. */
static bool is_soname(const char *name)
{
	size_t n = strlen(name);

	return !strchr(name, '/') && ((n > 3 && !strcmp(name + n - 3, ".so")) || strstr(name, ".so."));
}

int late__resolve(struct late *l, struct binaries *bins, const char *name, const struct target *t, bool may_wait)
{
	char *shown, *open_path;
	int bi, err = binpath_lookup(name, t, &shown, &open_path);

	if (!err) {
		bi = binaries__add(bins, shown, open_path);
		free(shown);
		free(open_path);
		return bi;
	}
	if (err != -ENOENT)
		return err;
	/*
	 * Only a library's file name, bare, with a -p/-c target, waits: anything
	 * else (a typo, a short name like "libfoo") is a mistake to say now.
	 */
	if (!may_wait || !is_soname(name) || (find_name(l, name) < 0 && l->nnames == LATE_MAX_NAMES)) {
		err_msg("cannot find binary '%s' (not a path, a library or a program on PATH%s)", name,
			may_wait || !is_soname(name) ? "" : "; a library name waits for its dlopen only with -p or -c");
		return -ENOENT;
	}
	if (find_name(l, name) < 0)
		l->names[l->nnames++].name = name;
	return LATE_WAITS;
}

bool late__spec_waits(const struct late *l, const struct probe_spec *sp)
{
	return sp->binary ? find_name(l, sp->binary) >= 0 : l->defaults_wait;
}

int late__start_specs(struct late *l, struct probe_spec *specs, size_t n, size_t ndefault,
		      struct probe_spec **out, size_t *nout)
{
	size_t i;

	*nout = 0;
	*out = calloc(n + 1, sizeof(**out));
	if (!*out) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	/* Probes without BIN: wait only when every -x waits (else they go to the -x that exist). */
	l->defaults_wait = l->nnames && !ndefault;
	for (i = 0; i < n; i++)
		if (!late__spec_waits(l, &specs[i]))
			(*out)[(*nout)++] = specs[i];
	return 0;
}

/* The option, if any, that a run with waiting names cannot take: per-site records sized at load. */
static const char *refused_option(const struct trace_opts *o, enum attach_mode mode)
{
	if (mode == ATTACH_NOCOOKIE)
		return "--attach nocookie";
	if (o->latency)
		return "--latency";
	if (o->filter)
		return "--filter";
	if (o->by)
		return "--by";
	if (o->hist || o->lhist)
		return "--hist/--lhist";
	if (o->stack.want != STACK_NONE)
		return "--stack";
	if (o->metrics)
		return "--metrics";
	if (o->noffsets)
		return "--offset";
	return NULL;
}

static int find_loader(struct late *l, const struct target *t)
{
	int err = elf_interp(t->exe_open, &l->ld_path);

	if (err) {
		err_msg("cannot wait for '%s' (no such file yet): '%s' has no dynamic loader to watch (%s)",
			l->names[0].name, t->exe, err == -ENOENT ? "no PT_INTERP" : elf_strerror(err));
		return err;
	}
	l->ld_open = target__open_path(t, l->ld_path);
	err = l->ld_open ? elf_rtld(l->ld_open, &l->rtld) : -ENOMEM;
	if (err)
		err_msg("cannot wait for '%s' (no such file yet): no r_brk (_dl_debug_state and _r_debug) in the "
			"loader '%s': %s", l->names[0].name, l->ld_path,
			err == -ENOENT ? "not glibc's ld.so" : elf_strerror(err));
	return err;
}

int late__check(struct late *l, const struct trace_opts *o, enum attach_mode mode, const struct target *t,
		const struct probe_spec *specs, size_t nspecs)
{
	const char *opt;
	size_t i;

	if (!l->nnames)
		return 0;
	opt = refused_option(o, mode);
	if (opt) {
		err_msg("'%s' is not a file yet: waiting for its dlopen cannot be combined with %s (its records "
			"are sized at load); name the library's path", l->names[0].name, opt);
		return -EINVAL;
	}
	for (i = 0; i < nspecs; i++) {
		if (specs[i].kind == PROBE_USDT && late__spec_waits(l, &specs[i])) {
			err_msg("probe '%s': USDT probes of a library that is not a file yet are not supported "
				"(name the library's path)", specs[i].text);
			return -EINVAL;
		}
	}
	return find_loader(l, t);
}

void late__knobs(const struct late *l, struct bpf_knobs *k)
{
	if (!l->nnames)
		return;
	k->late = true;
	k->late_room = l->room;
	k->late_kinds[USCOPE_SITE_ENTRY] = k->late_kinds[USCOPE_SITE_RETURN] = true;
	k->late_rdebug_delta = l->rtld.rdebug_delta;
}

const char *late__scope(const struct late *l, const char *prev)
{
	static char buf[4 * PATH_MAX];
	size_t i, len;

	if (!l->nnames)
		return prev;
	len = (size_t)snprintf(buf, sizeof(buf), "%s", prev ? prev : "");
	for (i = 0; i < l->nnames && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					" %s is not a file yet: attached at load (the process is held at %s's r_brk "
					"meanwhile).", l->names[i].name, l->ld_path);
	return buf;
}
