// SPDX-License-Identifier: BSD-2-Clause
/*
 * Attaches the plan's sites. See attach.h for the two paths.
 *
 * Why uprobe_multi is the default: on this kernel a perf-event uprobe costs
 * about 0.1 s to detach (three serialized RCU grace periods), so 1,000 of
 * them take minutes to go away, at exit and again when the target exits.
 * A uprobe_multi link installs all its probes in one syscall and detaches
 * them together. The perf path stays for kernels before 6.6.
 *
 * A program loaded with expected attach type BPF_TRACE_UPROBE_MULTI cannot
 * make a perf-event link and vice versa, so the path is fixed before load.
 *
 * USDT locations are attached by usdt_attach.c on every path, with
 * uscope's own argument records.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "proc_maps.h"
#include "usdt_attach.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/kernel_features.h"
#include "../helpers/uprobe_multi.h"
#include "../probes/uscope.h"

static const char *kind_name[] = { "entry", "return", "USDT" };

const char *attach_mode_name(enum attach_mode mode)
{
	static const char *names[] = { "auto", "uprobe_multi", "perf-event uprobes",
				       "perf-event uprobes without cookies" };

	return names[mode];
}

const char *attach_kconfig(enum attach_mode mode)
{
	return mode == ATTACH_NOCOOKIE ? "CONFIG_USCOPE_BPF_COOKIE=n\n" : "CONFIG_USCOPE_BPF_COOKIE=y\n";
}

int attach__resolve_mode(enum attach_mode asked, enum attach_mode *out)
{
	int multi;

	if (asked == ATTACH_PERF || asked == ATTACH_NOCOOKIE) {
		*out = asked;
		return 0;
	}
	multi = kfeat_uprobe_multi();
	if (multi < 0) {
		err_msg("cannot probe the kernel for uprobe_multi support: %s", strerror(-multi));
		return multi;
	}
	if (!multi && asked == ATTACH_MULTI) {
		err_msg("--attach multi: this kernel has no uprobe_multi links (needs Linux 6.6+)");
		return -ENOTSUP;
	}
	*out = multi ? ATTACH_MULTI : kfeat_bpf_cookie() > 0 ? ATTACH_PERF : ATTACH_NOCOOKIE;
	return 0;
}

/* The program that serves sites of KIND. */
static struct bpf_program *prog_for(struct uscope_bpf *skel, const struct attach_cfg *cfg, int kind)
{
	if (kind == USCOPE_SITE_ENTRY)
		return cfg->noop ? skel->progs.noop_entry : skel->progs.generic_entry;
	return kind == USCOPE_SITE_RETURN ? skel->progs.generic_return : skel->progs.usdt_site;
}

int attach__prepare(struct uscope_bpf *skel, const struct plan *plan, const struct attach_cfg *cfg)
{
	size_t kinds[3];
	int i, err;

	plan__kind_counts(plan, kinds);
	bpf_program__set_autoload(skel->progs.noop_entry, false);
	bpf_program__set_autoload(skel->progs.generic_entry, false);
	for (i = 0; i < 3; i++) {
		struct bpf_program *prog = prog_for(skel, cfg, i);

		bpf_program__set_autoload(prog, kinds[i] > 0);
		if (cfg->mode == ATTACH_MULTI) {
			err = bpf_program__set_expected_attach_type(
				prog, (enum bpf_attach_type)USCOPE_BPF_TRACE_UPROBE_MULTI);
			if (err)
				return err;
		}
	}
	err = bpf_map__set_max_entries(skel->maps.ip_sites, cfg->mode == ATTACH_NOCOOKIE ? plan->nsites + 1 : 1);
	return err ? err : usdt_attach__prepare(skel, plan, cfg->mode == ATTACH_NOCOOKIE);
}

static int add_link(struct attach_state *st, struct bpf_link *link)
{
	struct bpf_link **n = realloc(st->links, (st->nlinks + 1) * sizeof(*n));

	if (!n) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	st->links = n;
	st->links[st->nlinks++] = link;
	return 0;
}

static int add_fd(struct attach_state *st, int fd)
{
	int *n = realloc(st->fds, (st->nfds + 1) * sizeof(*n));

	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	st->fds = n;
	st->fds[st->nfds++] = fd;
	return 0;
}

/* A traced process that died mid-attach makes the kernel answer ESRCH, or ENOENT for /proc/PID/... */
static bool target_gone(int err, pid_t pid)
{
	return pid > 0 && (err == -ESRCH || (kill(pid, 0) && errno == ESRCH));
}

static void report_failure(int err, const char *what, size_t n, const char *path, pid_t pid)
{
	if (target_gone(err, pid))
		err_msg("cannot attach %zu %s probe(s) in '%s': process %d has exited", n, what, path, pid);
	else
		err_msg("cannot attach %zu %s probe(s) in '%s': %s", n, what, path, strerror(-err));
}

/* One uprobe_multi link for the sites of one (binary, function kind). */
static int attach_multi_funcs(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, int kind,
			      const struct attach_cfg *cfg, struct attach_state *st)
{
	struct bpf_program *prog = prog_for(skel, cfg, kind);
	pid_t pid = cfg->pid;
	struct uprobe_multi_opts o = { .retprobe = kind == USCOPE_SITE_RETURN, .pid = pid };
	uint64_t *offsets, *cookies;
	size_t i, n = 0;
	int fd;

	for (i = 0; i < plan->nsites; i++)
		n += plan->sites[i].bin == bi && plan->sites[i].kind == kind;
	if (!n)
		return 0;
	offsets = malloc(n * sizeof(*offsets));
	cookies = malloc(n * sizeof(*cookies));
	if (!offsets || !cookies) {
		free(offsets);
		free(cookies);
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0, n = 0; i < plan->nsites; i++) {
		if (plan->sites[i].bin != bi || plan->sites[i].kind != kind)
			continue;
		offsets[n] = plan->sites[i].offset;
		cookies[n++] = USCOPE_COOKIE(i, plan->sites[i].slot);
	}
	o.offsets = offsets;
	o.cookies = cookies;
	o.cnt = n;
	fd = uprobe_multi_link_create(bpf_program__fd(prog), plan->bins[bi].open_path, &o);
	free(offsets);
	free(cookies);
	if (fd < 0) {
		report_failure(fd, kind_name[kind], n, plan->bins[bi].path, pid);
		return fd;
	}
	st->probes += n;
	return add_fd(st, fd);
}

/* One uprobe_multi link for every USDT location of one binary. */
static int attach_multi_usdt(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, pid_t pid,
			     struct attach_state *st)
{
	size_t n;
	int fd = usdt_attach__multi(skel, plan, bi, pid, &n);

	if (fd < 0) {
		report_failure(fd, kind_name[USCOPE_SITE_USDT], n, plan->bins[bi].path, pid);
		return fd;
	}
	if (!n)
		return 0;
	st->probes += n;
	return add_fd(st, fd);
}

static int attach_perf_site(struct uscope_bpf *skel, const struct plan *plan, size_t id,
			    const struct attach_cfg *cfg, struct attach_state *st)
{
	pid_t pid = cfg->pid;
	const struct site *s = &plan->sites[id];
	const struct binary *b = &plan->bins[s->bin];
	struct bpf_link *link;
	int err;

	LIBBPF_OPTS(bpf_uprobe_opts, po, .bpf_cookie = USCOPE_COOKIE(id, s->slot),
		    .retprobe = s->kind == USCOPE_SITE_RETURN);

	link = bpf_program__attach_uprobe_opts(prog_for(skel, cfg, s->kind), pid > 0 ? pid : -1, b->open_path, s->offset, &po);
	if (!link) {
		err = -errno;
		if (target_gone(err, pid))
			err_msg("cannot attach %s (%s) in '%s': process %d has exited", s->name,
				kind_name[s->kind], b->path, pid);
		else
			err_msg("cannot attach %s (%s) in '%s': %s", s->name, kind_name[s->kind], b->path,
				strerror(-err));
		return err;
	}
	st->probes++;
	return add_link(st, link);
}

/*
 * nocookie: one perf-event uprobe per function site or USDT location, no
 * cookie; perf: the same for the locations of a USDT site, with cookies.
 */
static int attach_nocookie_site(struct uscope_bpf *skel, const struct plan *plan, size_t id,
				const struct attach_cfg *cfg, struct attach_state *st)
{
	const struct site *s = &plan->sites[id];
	const struct binary *b = &plan->bins[s->bin];
	size_t k, nloc = s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;

	for (k = 0; k < nloc; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, po);
		struct bpf_link *link;
		int err;

		if (s->kind == USCOPE_SITE_USDT)
			link = usdt_attach__loc(skel, plan, s->first_loc + k, cfg->pid, cfg->mode != ATTACH_NOCOOKIE);
		else
			link = bpf_program__attach_uprobe_opts(prog_for(skel, cfg, s->kind), cfg->pid, b->open_path,
							       s->offset, &po);
		if (!link) {
			err = -errno;
			if (target_gone(err, cfg->pid))
				err_msg("cannot attach %s (%s) in '%s': process %d has exited", s->name,
					kind_name[s->kind], b->path, cfg->pid);
			else
				err_msg("cannot attach %s (%s) in '%s': %s", s->name, kind_name[s->kind], b->path,
					strerror(-err));
			return err;
		}
		err = add_link(st, link);
		if (err)
			return err;
		st->probes++;
	}
	return 0;
}

int attach__map_addresses(struct uscope_bpf *skel, const struct plan *plan, pid_t pid)
{
	int site_fd = bpf_map__fd(skel->maps.ip_sites);
	struct proc_maps pm;
	struct stat *st;
	size_t i, k;
	int err;

	err = proc_maps__load(pid, &pm);
	if (err) {
		err_msg("cannot read the mappings of process %d: %s", pid, strerror(-err));
		return err;
	}
	st = calloc(plan->nbins, sizeof(*st));
	if (!st) {
		proc_maps__free(&pm);
		return -ENOMEM;
	}
	for (i = 0; i < plan->nbins; i++)
		if (stat(plan->bins[i].open_path, &st[i]))
			memset(&st[i], 0, sizeof(st[i]));
	for (i = 0; i < plan->nsites; i++) {
		const struct site *s = &plan->sites[i];
		size_t nloc = s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;

		for (k = 0; k < nloc; k++) {
			uint64_t off = s->kind == USCOPE_SITE_USDT ? plan->locs[s->first_loc + k].note->offset : s->offset;
			uint64_t ip, val = USCOPE_COOKIE(i, s->slot);

			if (proc_maps__addr_of(&pm, st[s->bin].st_dev, st[s->bin].st_ino, off, &ip)) {
				warn_msg("'%s' is not mapped in process %d (yet): without cookies, %s cannot be recognised",
					 plan->bins[s->bin].path, pid, s->name);
				break;
			}
			if (s->kind == USCOPE_SITE_USDT)
				err = usdt_attach__map_ip(skel, plan, s->first_loc + k, ip);
			else
				err = bpf_map_update_elem(site_fd, &ip, &val, BPF_ANY) ? -errno : 0;
			if (err) {
				err_msg("cannot store the address of %s: %s", s->name, strerror(-err));
				goto out;
			}
		}
	}
	err = 0;
out:
	free(st);
	proc_maps__free(&pm);
	return err;
}

int attach__run(struct uscope_bpf *skel, const struct plan *plan, const struct attach_cfg *cfg,
		volatile sig_atomic_t *stop, struct attach_state *st)
{
	enum attach_mode mode = cfg->mode;
	size_t i;
	int err = 0;

	memset(st, 0, sizeof(*st));
	st->mode = mode;
	err = usdt_attach__specs(skel, plan);
	if (err)
		return err;
	for (i = 0; mode == ATTACH_PERF && i < 2 * plan->nsites && !err; i++) {
		/* Two passes, returns first (see below). */
		size_t id = i % plan->nsites;

		if (*stop)
			err = -EINTR;
		else if ((plan->sites[id].kind == USCOPE_SITE_RETURN) != (i < plan->nsites))
			continue;
		else if (plan->sites[id].kind == USCOPE_SITE_USDT)
			err = attach_nocookie_site(skel, plan, id, cfg, st);
		else
			err = attach_perf_site(skel, plan, id, cfg, st);
	}
	for (i = 0; mode == ATTACH_NOCOOKIE && i < plan->nsites && !err; i++)
		err = *stop ? -EINTR : attach_nocookie_site(skel, plan, i, cfg, st);
	for (i = 0; mode == ATTACH_MULTI && i < plan->nbins && !err; i++) {
		if (*stop) {
			err = -EINTR;
			break;
		}
		/* Returns first: a return seen before its entry is ignored, the reverse would pair wrongly. */
		err = attach_multi_funcs(skel, plan, i, USCOPE_SITE_RETURN, cfg, st);
		if (!err)
			err = attach_multi_funcs(skel, plan, i, USCOPE_SITE_ENTRY, cfg, st);
		if (!err)
			err = attach_multi_usdt(skel, plan, i, cfg->pid, st);
	}
	if (err)
		attach__destroy(st);
	return err;
}

void attach__destroy(struct attach_state *st)
{
	size_t i;

	for (i = 0; i < st->nfds; i++)
		close(st->fds[i]);
	for (i = 0; i < st->nlinks; i++)
		bpf_link__destroy(st->links[i]);
	free(st->fds);
	free(st->links);
	st->fds = NULL;
	st->links = NULL;
	st->nfds = st->nlinks = 0;
}
