// SPDX-License-Identifier: BSD-2-Clause
/*
 * debug_find: find the separate debug file of a binary, the way gdb does.
 *
 * Why not libdwfl's dwfl_standard_find_debuginfo(), which searches the same
 * places: it answers "a file descriptor" and nothing else. uscope must tell
 * the user where every function came from (build-id, debuglink, debuginfod)
 * and must say so when a debuglink file is refused for a wrong CRC, which
 * libdwfl skips in silence. The search itself is a handful of paths; the
 * parts worth not re-writing come from elfutils: the build ID and the
 * .gnu_debuglink are read with libdwelf (libdw), and the network step is
 * libdebuginfod, with its cache. libdebuginfod is dlopen()ed only when
 * DEBUGINFOD_URLS is set, as elfutils itself does: linking it would load
 * libcurl and its TLS stack into every uscope start.
 *
 * The debuglink CRC is the CRC-32 of the whole debug file (zlib's crc32,
 * the same polynomial gdb uses), computed over a read-only mapping.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <elfutils/libdwelf.h>

#include "debug_find.h"
#include "elf_funcs.h"

#define DEFAULT_DEBUG_ROOT "/usr/lib/debug"

const char *debug_roots(const char *roots)
{
	const char *env = getenv("USCOPE_DEBUG_ROOT");

	if (roots)
		return roots;
	return env && *env ? env : DEFAULT_DEBUG_ROOT;
}

void debug_found__free(struct debug_found *f)
{
	free(f->path);
	free(f->warning);
	memset(f, 0, sizeof(*f));
}

/* Keep the first rejection only: one line is enough to explain a miss. */
__attribute__((format(printf, 2, 3)))
static void reject(struct debug_found *out, const char *fmt, ...)
{
	va_list ap;

	if (out->warning)
		return;
	va_start(ap, fmt);
	if (vasprintf(&out->warning, fmt, ap) < 0)
		out->warning = NULL;
	va_end(ap);
}

/* Does PATH hold an ELF whose build ID is ID (LEN bytes)? 0 yes, 1 no such file, -1 mismatch. */
static int check_build_id(const char *path, const void *id, size_t len)
{
	struct elf_file ef;
	const void *got;
	ssize_t n;
	int ret;

	if (elf_file__open(path, &ef) != 0)
		return 1;
	n = dwelf_elf_gnu_build_id(ef.elf, &got);
	ret = n == (ssize_t)len && memcmp(got, id, len) == 0 ? 0 : -1;
	elf_file__close(&ef);
	return ret;
}

static int by_build_id(const char *roots, const unsigned char *id, size_t len,
		       struct debug_found *out)
{
	char hex[2 * 64 + 1], *path;
	const char *r = roots;
	size_t i;

	if (len < 2 || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
	while (*r) {
		size_t rl = strcspn(r, ":");
		int ret;

		if (asprintf(&path, "%.*s/.build-id/%.2s/%s.debug", (int)rl, r, hex, hex + 2) < 0)
			return -ENOMEM;
		ret = check_build_id(path, id, len);
		if (ret == 0) {
			out->path = path;
			out->source = ELF_SRC_BUILD_ID;
			return 0;
		}
		if (ret < 0)
			reject(out, "'%s': build ID differs from the binary's; ignored", path);
		free(path);
		r += rl + (r[rl] == ':');
	}
	return 0;
}

/* CRC-32 of the file at PATH, over a read-only mapping. -1 when it cannot be read. */
static int file_crc(const char *path, const struct stat *bin_st, uint32_t *crc)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	/* Not a regular file, or the binary itself (a link naming its own file). */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_dev == bin_st->st_dev && st.st_ino == bin_st->st_ino)) {
		close(fd);
		return -1;
	}
	*crc = 0;
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			close(fd);
			return -1;
		}
		/* zlib's crc32 takes a uInt length: feed it in pieces. */
		for (off_t done = 0; done < st.st_size;) {
			size_t n = (size_t)(st.st_size - done);

			if (n > (1u << 30))
				n = 1u << 30;
			*crc = (uint32_t)crc32(*crc, (const Bytef *)map + done, (uInt)n);
			done += (off_t)n;
		}
		munmap(map, (size_t)st.st_size);
	}
	close(fd);
	return 0;
}

/* Try one debuglink candidate; 1 when it was taken. */
static int try_link(char *path, uint32_t want, const struct stat *bin_st, struct debug_found *out)
{
	uint32_t got;

	if (file_crc(path, bin_st, &got) != 0)
		return 0;
	if (got != want) {
		reject(out, "'%s': CRC 0x%08x does not match the .gnu_debuglink CRC 0x%08x; ignored",
		       path, got, want);
		return 0;
	}
	out->path = path;
	out->source = ELF_SRC_DEBUGLINK;
	return 1;
}

static int by_debuglink(const struct elf_file *bin, const char *bin_path, const char *roots,
			struct debug_found *out)
{
	char real[PATH_MAX], *slash, *path;
	const char *name, *r = roots;
	struct stat bin_st;
	GElf_Word crc;
	int i;

	name = dwelf_elf_gnu_debuglink(bin->elf, &crc);
	if (!name || !*name || strchr(name, '/') || fstat(bin->fd, &bin_st) != 0)
		return 0;
	if (!realpath(bin_path, real))
		return 0;
	slash = strrchr(real, '/');
	*slash = '\0';		/* real is now the binary's directory ("" for "/") */

	for (i = 0; i < 2; i++) {
		if (asprintf(&path, i ? "%s/.debug/%s" : "%s/%s", real, name) < 0)
			return -ENOMEM;
		if (try_link(path, crc, &bin_st, out))
			return 0;
		free(path);
	}
	while (*r) {
		size_t rl = strcspn(r, ":");

		if (asprintf(&path, "%.*s%s/%s", (int)rl, r, real, name) < 0)
			return -ENOMEM;
		if (try_link(path, crc, &bin_st, out))
			return 0;
		free(path);
		r += rl + (r[rl] == ':');
	}
	return 0;
}

/* The few libdebuginfod entry points uscope needs, resolved once. */
struct dfd_api {
	void *(*begin)(void);
	int (*find_debuginfo)(void *client, const unsigned char *id, int len, char **path);
	void (*end)(void *client);
};

static const struct dfd_api *dfd_load(void)
{
	static struct dfd_api api;
	static int tried;
	void *h;

	if (tried)
		return api.begin ? &api : NULL;
	tried = 1;
	h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return NULL;
	*(void **)&api.begin = dlsym(h, "debuginfod_begin");
	*(void **)&api.find_debuginfo = dlsym(h, "debuginfod_find_debuginfo");
	*(void **)&api.end = dlsym(h, "debuginfod_end");
	if (!api.begin || !api.find_debuginfo || !api.end)
		api.begin = NULL;
	return api.begin ? &api : NULL;
}

static int by_debuginfod(const char *bin_path, const unsigned char *id, size_t len,
			 struct debug_found *out)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	const struct dfd_api *api;
	char *path = NULL;
	void *client;
	int fd;

	if (!urls || !*urls || len == 0)
		return 0;
	api = dfd_load();
	if (!api) {
		reject(out, "DEBUGINFOD_URLS is set but %s could not be loaded",
		       "libdebuginfod.so.1");
		return 0;
	}
	client = api->begin();
	if (!client)
		return 0;
	fd = api->find_debuginfo(client, id, (int)len, &path);
	api->end(client);
	if (fd < 0) {
		if (fd != -ENOENT)
			reject(out, "'%s': debuginfod (%s): %s", bin_path, urls, strerror(-fd));
		free(path);
		return 0;
	}
	close(fd);
	out->path = path;
	out->source = ELF_SRC_DEBUGINFOD;
	return 0;
}

int debug_find(const struct elf_file *bin, const char *bin_path, const char *roots,
	       bool use_debuginfod, struct debug_found *out)
{
	const void *id = NULL;
	ssize_t len;
	int err;

	memset(out, 0, sizeof(*out));
	roots = debug_roots(roots);
	len = dwelf_elf_gnu_build_id(bin->elf, &id);
	if (len < 0)
		len = 0;
	err = by_build_id(roots, id, (size_t)len, out);
	if (!err && !out->path)
		err = by_debuglink(bin, bin_path, roots, out);
	if (!err && !out->path && use_debuginfod)
		err = by_debuginfod(bin_path, id, (size_t)len, out);
	return err;
}
