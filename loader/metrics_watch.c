// SPDX-License-Identifier: BSD-2-Clause
/*
 * Has a probed file been replaced? inotify on each probed file's directory,
 * confirmed with stat(2).
 *
 * - The directory is watched, not the file: dpkg, rpm and `install` write
 *   the new version under a temporary name and rename(2) it over the path
 *   (IN_MOVED_TO in the directory); the old inode, which a watch on the file
 *   would follow, never changes. `cp new path` rewrites the same inode in
 *   place (IN_CLOSE_WRITE): the offsets may have moved though the inode has
 *   not, so that counts as replaced too. A file that was only created
 *   (IN_CREATE, e.g. by a copy that is still writing) is looked at once it
 *   is closed.
 * - An event only says "look"; the decision is stat(2) against the inode
 *   that is probed, so unrelated names in the directory cost one compare.
 * - The caller also asks for a full check once a second: a directory
 *   replaced as a whole, a symlink in the path changed, or an overflowed
 *   event queue are seen that way.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "metrics_watch.h"
#include "util.h"

struct watched {
	char *path;
	char *base;		/* the name in its directory */
	int wd;			/* inotify watch of the directory */
	int id;
	dev_t dev;		/* the file now probed */
	ino_t ino;
	dev_t bad_dev;		/* a file that could not be probed: not reported again */
	ino_t bad_ino;
	bool dirty;		/* an event named it since the last look */
	bool written;		/* IN_CLOSE_WRITE: the same inode may hold new code */
};

struct metrics_watch {
	int fd;
	struct watched *w;
	size_t n;
};

int metrics_watch__open(struct metrics_watch **out)
{
	struct metrics_watch *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int err = -errno;

		err_msg("cannot watch the probed files (inotify): %s", strerror(-err));
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void metrics_watch__close(struct metrics_watch *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->n; i++)
		free(w->w[i].path);
	free(w->w);
	close(w->fd);
	free(w);
}

int metrics_watch__fd(const struct metrics_watch *w)
{
	return w->fd;
}

int metrics_watch__add(struct metrics_watch *w, const char *path, int id)
{
	struct watched *n = realloc(w->w, (w->n + 1) * sizeof(*n)), *e;
	char *dir_copy;
	struct stat st;

	if (!n)
		return -ENOMEM;
	w->w = n;
	e = &n[w->n];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->path = strdup(path);
	dir_copy = strdup(path);
	if (!e->path || !dir_copy) {
		free(e->path);
		free(dir_copy);
		return -ENOMEM;
	}
	e->base = strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path;
	e->wd = inotify_add_watch(w->fd, dirname(dir_copy),
				  IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF);
	free(dir_copy);
	if (e->wd < 0) {
		int err = -errno;

		err_msg("cannot watch the directory of '%s' (inotify): %s", path, strerror(-err));
		free(e->path);
		return err;
	}
	if (!stat(path, &st)) {
		e->dev = st.st_dev;
		e->ino = st.st_ino;
	}
	w->n++;
	return 0;
}

/* Mark the entries an event names. */
static void drain(struct metrics_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	size_t i;

	while ((len = read(w->fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			for (i = 0; i < w->n; i++) {
				struct watched *e = &w->w[i];
				bool named = ev->len && !strcmp(ev->name, e->base);

				if (ev->mask & IN_Q_OVERFLOW || (ev->wd == e->wd && (!ev->len || named))) {
					e->dirty = true;
					if (named && (ev->mask & IN_CLOSE_WRITE))
						e->written = true;
				}
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

int metrics_watch__next(struct metrics_watch *w, bool full)
{
	struct stat st;
	size_t i;

	drain(w);
	for (i = 0; i < w->n; i++) {
		struct watched *e = &w->w[i];

		if (!e->dirty && !full && !e->written)
			continue;
		e->dirty = false;
		if (stat(e->path, &st))
			continue;	/* gone for now: the new one has not arrived yet */
		if (st.st_dev == e->bad_dev && st.st_ino == e->bad_ino && !e->written)
			continue;
		if (e->written || st.st_dev != e->dev || st.st_ino != e->ino)
			return e->id;
	}
	return -1;
}

static struct watched *find(struct metrics_watch *w, int id)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->w[i].id == id)
			return &w->w[i];
	return NULL;
}

int metrics_watch__open_current(struct metrics_watch *w, int id)
{
	struct watched *e = find(w, id);
	int fd;

	if (!e)
		return -ENOENT;
	fd = open(e->path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void metrics_watch__accept(struct metrics_watch *w, int id, int fd)
{
	struct watched *e = find(w, id);
	struct stat st;

	if (!e || fstat(fd, &st))
		return;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->written = false;
}

void metrics_watch__refuse(struct metrics_watch *w, int id, int fd)
{
	struct watched *e = find(w, id);
	struct stat st;

	if (!e || fstat(fd, &st))
		return;
	e->bad_dev = st.st_dev;
	e->bad_ino = st.st_ino;
	e->written = false;
}
