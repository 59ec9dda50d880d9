// SPDX-License-Identifier: BSD-2-Clause
/*
 * The symbolizer: process snapshots of executable mappings, one cache entry
 * per binary (helpers/symbolize_bin.c), address -> frames.
 *
 * Snapshots are never dropped: a process that exited (or unmapped a library)
 * keeps being named by what was mapped when it was last seen. Lookups search
 * the newest snapshot first. An address outside every snapshot triggers one
 * new snapshot (at most every 2 ms per process, and never once the process
 * is known to be gone), then is shown as [unknown] and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "symbolize.h"
#include "symbolize_bin.h"

struct sym_map {
	uint64_t start, end, pgoff;
	struct sym_binary *bin;
	unsigned int gen;	/* the snapshot it came from */
};

struct sym_proc {
	pid_t pid;
	bool gone;
	unsigned int gen;
	uint64_t last_ns;
	struct sym_map *maps;
	size_t n;
};

/* One looked-up (binary, file offset, return address?) and its frames. */
struct sym_cached {
	const struct sym_binary *bin;
	uint64_t off;
	bool retaddr;
	int n;
	struct sym_frame *frames;
};

struct symbolizer {
	struct sym_binary **bins;
	size_t nbins;
	struct sym_proc *procs;
	size_t nprocs;
	uint64_t unmapped;
	struct sym_cached *cache;	/* open addressing, a power of 2 long */
	size_t ncache, cache_len;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct symbolizer *symbolizer__new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

void symbolizer__free(struct symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nbins; i++)
		sym_binary__free(s->bins[i]);
	for (i = 0; i < s->nprocs; i++)
		free(s->procs[i].maps);
	for (i = 0; i < s->cache_len; i++)
		free(s->cache[i].frames);
	free(s->cache);
	free(s->bins);
	free(s->procs);
	free(s);
}

static struct sym_proc *proc_get(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *grown;
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	grown = realloc(s->procs, (s->nprocs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	s->procs = grown;
	s->procs[s->nprocs] = (struct sym_proc){ .pid = pid };
	return &s->procs[s->nprocs++];
}

static bool same_build_id(const struct sym_binary *a, const struct sym_binary *b)
{
	return a->build_id_len && a->build_id_len == b->build_id_len &&
	       !memcmp(a->build_id, b->build_id, a->build_id_len);
}

/*
 * Open the file a mapping of PID shows as PATH (device MAJ:MIN, inode INO):
 * through /proc/PID/root while the process lives (containers), else by PATH
 * itself if that is still the same file (same inode and device).
 */
static int open_mapped(pid_t pid, const char *path, unsigned int maj, unsigned int mnr, uint64_t ino,
		       struct sym_binary **b)
{
	char open_path[4200];

	snprintf(open_path, sizeof(open_path), "/proc/%d/root%s", pid, path);
	if (!sym_binary__open(open_path, path, b))
		return 0;
	if (sym_binary__open(path, path, b))
		return -ENOENT;
	if ((*b)->ino == ino && major((*b)->dev) == maj && minor((*b)->dev) == mnr)
		return 0;
	sym_binary__free(*b);
	return -ESTALE;
}

/* The cached binary for a mapping, opened now if new. */
static struct sym_binary *binary_for(struct symbolizer *s, pid_t pid, const char *path, unsigned int maj,
				     unsigned int mnr, uint64_t ino)
{
	struct sym_binary *b, **grown;
	size_t i;

	if (open_mapped(pid, path, maj, mnr, ino, &b))
		return NULL;
	for (i = 0; i < s->nbins; i++) {
		struct sym_binary *c = s->bins[i];

		if ((c->dev == b->dev && c->ino == b->ino) || same_build_id(c, b)) {
			sym_binary__free(b);
			return c;
		}
	}
	grown = realloc(s->bins, (s->nbins + 1) * sizeof(*grown));
	if (!grown) {
		sym_binary__free(b);
		return NULL;
	}
	s->bins = grown;
	return s->bins[s->nbins++] = b;
}

/* A mapping already known from an earlier snapshot of this process: no need to reopen. */
static struct sym_binary *known_mapping(const struct sym_proc *p, uint64_t start, uint64_t end, uint64_t pgoff)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->maps[i].start == start && p->maps[i].end == end && p->maps[i].pgoff == pgoff)
			return p->maps[i].bin;
	return NULL;
}

static int add_map(struct sym_proc *p, const struct sym_map *m)
{
	struct sym_map *grown = realloc(p->maps, (p->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	p->maps = grown;
	p->maps[p->n++] = *m;
	return 0;
}

/* /proc/PID/maps in one go: the process may exit at any moment, its files are opened afterwards. */
static char *read_maps(pid_t pid)
{
	char path[64], *buf = NULL;
	size_t len = 0;
	FILE *f, *out;
	int c;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	out = open_memstream(&buf, &len);
	if (out) {
		while ((c = getc_unlocked(f)) != EOF)
			putc_unlocked(c, out);
		fclose(out);
	}
	fclose(f);
	if (buf && !len) {	/* a zombie's maps are empty */
		free(buf);
		buf = NULL;
	}
	return buf;
}

static int add_line(struct symbolizer *s, struct sym_proc *p, const char *line)
{
	unsigned long long start, end, pgoff, ino;
	unsigned int maj, mnr;
	char perms[8], file[4096];
	struct sym_map m = { .gen = p->gen };
	size_t len;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %4095[^\n]", &start, &end, perms, &pgoff, &maj, &mnr, &ino,
		   file) != 8 || perms[2] != 'x' || file[0] != '/')
		return 0;
	len = strlen(file);
	if (len > 10 && !strcmp(file + len - 10, " (deleted)"))
		file[len - 10] = 0;
	m.start = start;
	m.end = end;
	m.pgoff = pgoff;
	m.bin = known_mapping(p, start, end, pgoff);
	if (!m.bin)
		m.bin = binary_for(s, p->pid, file, maj, mnr, ino);
	return m.bin ? add_map(p, &m) : 0;
}

int symbolizer__capture(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = proc_get(s, pid);
	char *maps, *line, *save = NULL;
	int err = 0;

	if (!p)
		return -ENOMEM;
	p->last_ns = mono_ns();
	maps = read_maps(pid);
	if (!maps) {
		p->gone = true;
		return -ESRCH;
	}
	p->gen++;
	for (line = strtok_r(maps, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save))
		err = add_line(s, p, line);
	free(maps);
	return err;
}

static const struct sym_map *map_of(const struct sym_proc *p, uint64_t addr)
{
	size_t i;

	for (i = p->n; i > 0; i--)	/* newest snapshot first */
		if (addr >= p->maps[i - 1].start && addr < p->maps[i - 1].end)
			return &p->maps[i - 1];
	return NULL;
}

static size_t cache_slot(const struct sym_cached *c, size_t len, const struct sym_binary *bin, uint64_t off,
			 bool retaddr)
{
	size_t h = ((uintptr_t)bin * 31 + off * 2 + retaddr) * 0x9e3779b97f4a7c15ull >> 7, i;

	for (i = h & (len - 1); c[i].bin; i = (i + 1) & (len - 1))
		if (c[i].bin == bin && c[i].off == off && c[i].retaddr == retaddr)
			break;
	return i;
}

static int cache_grow(struct symbolizer *s)
{
	size_t len = s->cache_len ? s->cache_len * 2 : 4096, i;
	struct sym_cached *c = calloc(len, sizeof(*c));

	if (!c)
		return -ENOMEM;
	for (i = 0; i < s->cache_len; i++)
		if (s->cache[i].bin)
			c[cache_slot(c, len, s->cache[i].bin, s->cache[i].off, s->cache[i].retaddr)] = s->cache[i];
	free(s->cache);
	s->cache = c;
	s->cache_len = len;
	return 0;
}

/*
 * Frames of a binary's file offset, from the cache or computed once: the
 * same return addresses recur in most stacks, and a DWARF lookup (lines,
 * inlined scopes) costs tens of microseconds.
 */
static int cached_frames(struct symbolizer *s, struct sym_binary *bin, uint64_t off, uint64_t addr, bool retaddr,
			 struct sym_frame *out, int max)
{
	struct sym_cached *c;
	int n, i;

	if ((s->ncache + 1) * 2 > s->cache_len && cache_grow(s))
		return sym_binary__frames(bin, off, addr, retaddr, out, max);
	c = &s->cache[cache_slot(s->cache, s->cache_len, bin, off, retaddr)];
	if (!c->bin) {
		struct sym_frame f[SYM_MAX_INLINE];

		n = sym_binary__frames(bin, off, addr, retaddr, f, SYM_MAX_INLINE);
		c->frames = malloc(n * sizeof(*f));
		if (!c->frames)
			return sym_binary__frames(bin, off, addr, retaddr, out, max);
		memcpy(c->frames, f, n * sizeof(*f));
		*c = (struct sym_cached){ .bin = bin, .off = off, .retaddr = retaddr, .n = n, .frames = c->frames };
		s->ncache++;
	}
	n = c->n < max ? c->n : max;
	for (i = 0; i < n; i++) {
		out[i] = c->frames[c->n - n + i];	/* when cut, keep the outermost (the real function) */
		out[i].addr = addr;
	}
	return n;
}

int symbolizer__lookup(struct symbolizer *s, pid_t pid, uint64_t addr, bool retaddr, struct sym_frame *out,
		       int max)
{
	struct sym_proc *p = proc_get(s, pid);
	const struct sym_map *m = p ? map_of(p, addr) : NULL;

	if (!m && p && !p->gone && mono_ns() - p->last_ns > 2000000ull) {
		symbolizer__capture(s, pid);
		m = map_of(p, addr);
	}
	if (!m) {
		s->unmapped++;
		out[0] = (struct sym_frame){ .addr = addr, .func = "[unknown]", .offset = addr, .binary = "" };
		return 1;
	}
	return cached_frames(s, m->bin, addr - m->start + m->pgoff, addr, retaddr, out, max);
}

size_t symbolizer__distinct(const struct symbolizer *s)
{
	return s->ncache;
}

uint64_t symbolizer__unmapped(const struct symbolizer *s)
{
	return s->unmapped;
}

unsigned int symbolizer__generation(const struct symbolizer *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return s->procs[i].gen;
	return 0;
}

/* The load bias of mapping M: its address minus the address its file offset has in the file. */
static bool map_bias(const struct sym_map *m, uint64_t *bias)
{
	int i;

	for (i = 0; i < m->bin->nloads; i++) {
		const struct sym_load *l = &m->bin->loads[i];

		if (m->pgoff >= (l->offset & ~0xfffull) && m->pgoff < l->offset + l->filesz) {
			*bias = m->start - (m->pgoff - l->offset + l->vaddr);
			return true;
		}
	}
	return false;
}

int symbolizer__modules(struct symbolizer *s, pid_t pid, sym_module_fn fn, void *arg)
{
	struct sym_proc *p = proc_get(s, pid);
	size_t i, j;
	int err;

	for (i = p ? p->n : 0; i > 0; i--) {
		const struct sym_map *m = &p->maps[i - 1];
		uint64_t bias;
		bool seen = false;

		if (m->gen != p->gen)
			break;	/* only the newest snapshot */
		for (j = i; j < p->n && !seen; j++)
			seen = p->maps[j].bin == m->bin;
		if (seen || !map_bias(m, &bias))
			continue;
		err = fn(arg, m->bin->path, m->bin->fd, bias);
		if (err)
			return err;
	}
	return 0;
}
