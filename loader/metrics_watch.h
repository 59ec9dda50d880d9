/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_watch: has a probed file been replaced? A package upgrade writes
 * the new version beside the old one and renames it over the path, so the
 * path names a new inode while the kernel's uprobes stay on the old one.
 * inotify on the file's directory says when to look; stat(2) says whether
 * the path's inode changed.
 */
#ifndef USCOPE_METRICS_WATCH_H
#define USCOPE_METRICS_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct metrics_watch;

/* Returns 0 or a negative errno (message printed). */
int metrics_watch__open(struct metrics_watch **out);
void metrics_watch__close(struct metrics_watch *w);

/* Watch PATH (as the kernel opens it) under the caller's index ID; its current inode is the one probed. */
int metrics_watch__add(struct metrics_watch *w, const char *path, int id);

/* The inotify fd to poll for POLLIN. */
int metrics_watch__fd(const struct metrics_watch *w);

/*
 * Read pending inotify events (never blocks). Then, for every watched path
 * that an event named, or every path when FULL (the caller's once-a-second
 * check, for changes inotify cannot see), return the first ID whose path now
 * is a different file (another dev/inode, or the same inode written to) that
 * was not accepted or refused yet, or -1 if none. Call it again until -1.
 */
int metrics_watch__next(struct metrics_watch *w, bool full);

/*
 * The current file of ID: an O_RDONLY fd of it (the caller reads and attaches
 * through /proc/self/fd/FD, so both see the same inode) or a negative errno.
 * metrics_watch__accept() then records its inode as the probed one; after
 * metrics_watch__refuse() that inode is not reported again.
 */
int metrics_watch__open_current(struct metrics_watch *w, int id);
void metrics_watch__accept(struct metrics_watch *w, int id, int fd);
void metrics_watch__refuse(struct metrics_watch *w, int id, int fd);

#endif
