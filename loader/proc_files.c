// SPDX-License-Identifier: BSD-2-Clause
/* proc_files: the executable and every distinct file a process maps executable. */
#include <stdlib.h>
#include <string.h>
#include "proc_files.h"
#include "proc_maps.h"
#include "util.h"

int proc_files__each(struct target *t, int (*fn)(const char *shown, const char *open_path,
						 bool is_exe, void *ctx), void *ctx)
{
	struct proc_maps pm;
	size_t i, j;
	int status, err;

	status = fn(t->exe, t->exe_open, true, ctx);
	if (status)
		return status;
	err = proc_maps__load(t->pid, &pm);
	if (err) {
		err_msg("cannot read /proc/%d/maps: %s", t->pid, strerror(-err));
		return 1;
	}
	for (i = 0; i < pm.cnt; i++) {
		const struct proc_mapping *m = &pm.maps[i];
		bool dup = false;
		char *open_path;

		if (!m->exec || !m->path || m->path[0] != '/' || m->deleted || !strcmp(m->path, t->exe))
			continue;
		for (j = 0; j < i && !dup; j++)
			dup = pm.maps[j].exec && pm.maps[j].path && !strcmp(pm.maps[j].path, m->path);
		if (dup)
			continue;
		open_path = target__open_path(t, m->path);
		if (open_path)
			fn(m->path, open_path, false, ctx);
		free(open_path);
	}
	proc_maps__free(&pm);
	return 0;
}
