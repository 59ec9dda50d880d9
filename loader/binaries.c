// SPDX-License-Identifier: BSD-2-Clause
/*
 * The binary cache (see binaries.h). Each member is loaded by its own
 * accessor the first time someone asks, so a trace of one USDT probe never
 * reads a symbol table, and a failure is reported once, naming the binary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "binaries.h"
#include "binpath.h"
#include "script_hint.h"
#include "util.h"
#include "../helpers/elf_file.h"

int binaries__add(struct binaries *bc, const char *path, const char *open_path)
{
	struct binary *v, *b;
	size_t i;

	for (i = 0; i < bc->n; i++)
		if (strcmp(bc->v[i].path, path) == 0)
			return i;
	v = realloc(bc->v, (bc->n + 1) * sizeof(*v));
	if (!v)
		goto oom;
	bc->v = v;
	b = &v[bc->n];
	memset(b, 0, sizeof(*b));
	b->funcs_flags = bc->funcs_flags;
	b->path = strdup(path);
	b->open_path = strdup(open_path ? open_path : path);
	if (!b->path || !b->open_path) {
		free(b->path);
		free(b->open_path);
		goto oom;
	}
	return bc->n++;
oom:
	err_msg("out of memory");
	return -ENOMEM;
}

int binaries__resolve(struct binaries *bc, const char *name, const struct target *t)
{
	char *shown, *open_path;
	int bi;

	if (binpath_resolve(name, t, &shown, &open_path))
		return -ENOENT;
	bi = binaries__add(bc, shown, open_path);
	free(shown);
	free(open_path);
	return bi;
}

/*
 * The one message for a binary that could not be read. A -p target's files are
 * opened through /proc/PID/...: when they vanish because the process exited
 * meanwhile, say that, not "no such file".
 */
static void report_read_error(const struct binary *b, int err)
{
	char link[64], exe[8];
	int pid;

	if (err == -ENOEXEC && script_hint(b->path, b->open_path))
		return;
	if (err == -ENOENT && sscanf(b->open_path, "/proc/%d/", &pid) == 1) {
		snprintf(link, sizeof(link), "/proc/%d/exe", pid);
		if (readlink(link, exe, sizeof(exe)) < 0) {
			err_msg("'%s': process %d has exited", b->path, pid);
			return;
		}
	}
	err_msg("'%s': %s", b->path, elf_strerror(err));
}

const struct elf_func_list *binary__funcs(struct binary *b)
{
	struct elf_funcs_opts opts = { .sz = sizeof(opts), .flags = b->funcs_flags };
	int err;

	if (b->funcs_loaded)
		return &b->funcs;
	err = elf_funcs__load_opts(b->open_path, &opts, &b->funcs);
	if (err) {
		report_read_error(b, err);
		return NULL;
	}
	if (b->funcs.warning)
		warn_msg("%s", b->funcs.warning);
	b->funcs_loaded = 1;
	return &b->funcs;
}

const struct usdt_note_list *binary__notes(struct binary *b)
{
	int err;

	if (b->notes_loaded)
		return &b->notes;
	err = usdt_notes__load(b->open_path, &b->notes);
	if (err) {
		report_read_error(b, err);
		return NULL;
	}
	if (b->notes.skipped)
		warn_msg("'%s': skipped %zu malformed USDT note(s): %s", b->path, b->notes.skipped,
			 b->notes.skipped_why);
	b->notes_loaded = 1;
	return &b->notes;
}

const struct dwarf_sig_list *binary__sigs(struct binary *b)
{
	int err;

	if (b->sigs_loaded)
		return b->sigs_loaded > 0 ? &b->sigs : NULL;
	err = dwarf_sigs__load(b->open_path, &b->sigs);
	if (err) {
		err_msg("'%s': cannot read its DWARF: %s", b->path, strerror(-err));
		b->sigs_loaded = -1;	/* said once */
		return NULL;
	}
	b->sigs_loaded = 1;
	return &b->sigs;
}

int binary__check_exec_offset(struct binary *b, uint64_t off)
{
	int err = elf_check_exec_offset(b->open_path, off);

	if (err == -ERANGE)
		err_msg("--offset 0x%llx is not inside an executable segment of '%s'", (unsigned long long)off,
			b->path);
	else if (err)
		report_read_error(b, err);
	return err;
}

void binaries__free(struct binaries *bc)
{
	size_t i;

	for (i = 0; i < bc->n; i++) {
		elf_funcs__free(&bc->v[i].funcs);
		usdt_notes__free(&bc->v[i].notes);
		dwarf_sigs__free(&bc->v[i].sigs);
		binary__code_free(&bc->v[i]);
		free(bc->v[i].path);
		free(bc->v[i].open_path);
	}
	free(bc->v);
	memset(bc, 0, sizeof(*bc));
}
