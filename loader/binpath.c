// SPDX-License-Identifier: BSD-2-Clause
/*
 * Resolves binary names the way users of bcc and bpftrace expect (see
 * binpath.h). A library name matches a file whose name is the name itself,
 * or the name followed by ".so" (libc -> libc.so.6), or, without a "lib"
 * prefix, "lib" + name + ".so" (c -> libc.so.6). With a PID the process's
 * own mappings win, so a container's or a custom-prefix libc is the one
 * probed, not the host's.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "binpath.h"
#include "proc_maps.h"
#include "util.h"

static bool lib_matches(const char *name, const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n = strlen(name);

	base = base ? base + 1 : file;
	if (!strcmp(base, name))
		return true;
	if (!strncmp(base, name, n) && !strncmp(base + n, ".so", 3))
		return true;
	if (strncmp(name, "lib", 3) && !strncmp(base, "lib", 3) && !strncmp(base + 3, name, n) &&
	    !strncmp(base + 3 + n, ".so", 3))
		return true;
	return false;
}

static bool is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first file mapped by PID whose name matches. */
static char *from_maps(const char *name, pid_t pid)
{
	struct proc_maps pm;
	char *found = NULL;
	size_t i;

	if (proc_maps__load(pid, &pm))
		return NULL;
	for (i = 0; i < pm.cnt && !found; i++) {
		const struct proc_mapping *m = &pm.maps[i];

		if (m->path && m->path[0] == '/' && !m->deleted && lib_matches(name, m->path))
			found = strdup(m->path);
	}
	proc_maps__free(&pm);
	return found;
}

/* ldconfig -p lines: "\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6" */
static char *from_ld_cache(const char *name)
{
	char line[PATH_MAX + 256], *found = NULL;
	FILE *p = popen("/sbin/ldconfig -p 2>/dev/null", "re");

	if (!p)
		return NULL;
	while (fgets(line, sizeof(line), p)) {
		char *arrow = strstr(line, " => "), *path;

		if (found || !arrow || !strstr(line, "x86-64"))
			continue;
		path = arrow + 4;
		path[strcspn(path, "\n")] = 0;
		if (lib_matches(name, path) && is_regular(path))
			found = strdup(path);
	}
	pclose(p);
	return found;
}

static char *from_dirs(const char *name, const char *dirs, bool as_lib)
{
	char buf[PATH_MAX];

	while (*dirs) {
		size_t len = strcspn(dirs, ":");

		if (len) {
			const char *suffixes[] = { "", ".so", NULL };

			for (int i = 0; suffixes[i] && (as_lib || i == 0); i++) {
				snprintf(buf, sizeof(buf), "%.*s/%s%s", (int)len, dirs, name, suffixes[i]);
				if (is_regular(buf) && (as_lib || access(buf, X_OK) == 0))
					return realpath(buf, NULL);
			}
		}
		dirs += len + (dirs[len] == ':');
	}
	return NULL;
}

int binpath_resolve(const char *name, const struct target *t, char **shown, char **open)
{
	int err = binpath_lookup(name, t, shown, open);

	if (err == -ENOENT)
		err_msg("cannot find binary '%s' (not a path, a library or a program on PATH)", name);
	return err;
}

char *binpath_mapped(const char *name, pid_t pid)
{
	return from_maps(name, pid);
}

int binpath_lookup(const char *name, const struct target *t, char **shown, char **open)
{
	static const char lib_dirs[] = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:"
				       "/usr/lib64:/lib:/usr/lib:/usr/local/lib";
	char *path = NULL;

	*shown = *open = NULL;
	if (strchr(name, '/')) {
		path = strdup(name);
	} else if (t->pid > 0 && !t->child && (path = from_maps(name, t->pid))) {
		;
	} else if ((getenv("LD_LIBRARY_PATH") && (path = from_dirs(name, getenv("LD_LIBRARY_PATH"), true))) ||
		   (path = from_ld_cache(name)) || (path = from_dirs(name, lib_dirs, true))) {
		;
	} else {
		const char *env = getenv("PATH");

		path = from_dirs(name, env ? env : "/usr/local/bin:/usr/bin:/bin", false);
		if (!path && is_regular(name))
			path = realpath(name, NULL);
	}
	if (!path)
		return -ENOENT;
	*open = target__open_path(t, path);
	*shown = path;
	if (!*open) {
		free(path);
		*shown = NULL;
		return -ENOMEM;
	}
	return 0;
}
