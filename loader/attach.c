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
 * USDT on the multi path: libbpf 1.1's bpf_program__attach_usdt() makes one
 * perf-event uprobe per location, so uscope attaches USDT locations itself,
 * in one link per binary, with each semaphore's file offset as the link's
 * ref_ctr_offset (the kernel then raises the semaphore in the target while
 * the probe is attached), and fills libbpf's spec map from its own parsed
 * argument specs: the BPF cookie of each location is its spec id (what
 * usdt.bpf.h expects), and the spec's usdt_cookie is the site id.
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
#include "usdt_spec.h"
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
	if (!err && cfg->mode == ATTACH_NOCOOKIE && plan->nlocs > 256)
		err = bpf_map__set_max_entries(skel->maps.__bpf_usdt_ip_to_spec_id, plan->nlocs);
	/* One spec per location on the multi and nocookie paths; libbpf dedups specs on the perf path. */
	if (!err && plan->nlocs > 256)
		err = bpf_map__set_max_entries(skel->maps.__bpf_usdt_specs, plan->nlocs);
	return err;
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
	struct uprobe_multi_opts o = { .pid = pid };
	uint64_t *offsets, *refs, *cookies;
	int map_fd = bpf_map__fd(skel->maps.__bpf_usdt_specs), fd, err = 0;
	size_t i, n = 0;

	for (i = 0; i < plan->nlocs; i++)
		n += plan->sites[plan->locs[i].site].bin == bi;
	if (!n)
		return 0;
	offsets = malloc(n * sizeof(*offsets));
	refs = malloc(n * sizeof(*refs));
	cookies = malloc(n * sizeof(*cookies));
	if (!offsets || !refs || !cookies) {
		err_msg("out of memory");
		err = -ENOMEM;
		goto out;
	}
	for (i = 0, n = 0; i < plan->nlocs; i++) {
		const struct usdt_loc *l = &plan->locs[i];
		struct bpf_usdt_spec_abi spec;
		uint32_t key = i;

		if (plan->sites[l->site].bin != bi)
			continue;
		usdt_spec__fill(&spec, l->note, l->site);
		if (bpf_map_update_elem(map_fd, &key, &spec, BPF_ANY)) {
			err = -errno;
			err_msg("cannot store the USDT spec of %s: %s", plan->sites[l->site].name,
				strerror(errno));
			goto out;
		}
		offsets[n] = l->note->offset;
		refs[n] = l->note->sema_offset;
		cookies[n++] = key;	/* spec id: what usdt.bpf.h looks up */
	}
	o.offsets = offsets;
	o.ref_ctr_offsets = refs;
	o.cookies = cookies;
	o.cnt = n;
	fd = uprobe_multi_link_create(bpf_program__fd(skel->progs.usdt_site), plan->bins[bi].open_path, &o);
	if (fd < 0) {
		report_failure(fd, kind_name[USCOPE_SITE_USDT], n, plan->bins[bi].path, pid);
		err = fd;
		goto out;
	}
	st->probes += n;
	err = add_fd(st, fd);
out:
	free(offsets);
	free(refs);
	free(cookies);
	return err;
}

static int attach_perf_site(struct uscope_bpf *skel, const struct plan *plan, size_t id,
			    const struct attach_cfg *cfg, struct attach_state *st)
{
	pid_t pid = cfg->pid;
	const struct site *s = &plan->sites[id];
	const struct binary *b = &plan->bins[s->bin];
	struct bpf_link *link;
	int err;

	if (s->kind == USCOPE_SITE_USDT) {
		const struct usdt_note *n = plan->locs[s->first_loc].note;
		LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = id);

		link = bpf_program__attach_usdt(skel->progs.usdt_site, pid > 0 ? pid : -1, b->open_path,
						n->provider, n->name, &uo);
	} else {
		LIBBPF_OPTS(bpf_uprobe_opts, po, .bpf_cookie = USCOPE_COOKIE(id, s->slot),
			    .retprobe = s->kind == USCOPE_SITE_RETURN);
		link = bpf_program__attach_uprobe_opts(prog_for(skel, cfg, s->kind), pid > 0 ? pid : -1, b->open_path, s->offset, &po);
	}
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
	st->probes += s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;
	return add_link(st, link);
}

/* nocookie: one perf-event uprobe per function site or USDT location, no cookie. */
static int attach_nocookie_site(struct uscope_bpf *skel, const struct plan *plan, size_t id,
				const struct attach_cfg *cfg, struct attach_state *st)
{
	const struct site *s = &plan->sites[id];
	const struct binary *b = &plan->bins[s->bin];
	int map_fd = bpf_map__fd(skel->maps.__bpf_usdt_specs);
	size_t k, nloc = s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;

	for (k = 0; k < nloc; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, po);
		uint64_t off = s->offset;
		struct bpf_link *link;
		int err;

		if (s->kind == USCOPE_SITE_USDT) {
			const struct usdt_loc *l = &plan->locs[s->first_loc + k];
			struct bpf_usdt_spec_abi spec;
			uint32_t key = s->first_loc + k;

			usdt_spec__fill(&spec, l->note, id);
			if (bpf_map_update_elem(map_fd, &key, &spec, BPF_ANY)) {
				err = -errno;
				err_msg("cannot store the USDT spec of %s: %s", s->name, strerror(errno));
				return err;
			}
			off = l->note->offset;
			po.ref_ctr_offset = l->note->sema_offset;
		}
		link = bpf_program__attach_uprobe_opts(prog_for(skel, cfg, s->kind), cfg->pid, b->open_path, off, &po);
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
	int site_fd = bpf_map__fd(skel->maps.ip_sites), spec_fd = bpf_map__fd(skel->maps.__bpf_usdt_ip_to_spec_id);
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
			uint32_t spec_id = s->first_loc + k;

			if (proc_maps__addr_of(&pm, st[s->bin].st_dev, st[s->bin].st_ino, off, &ip)) {
				warn_msg("'%s' is not mapped in process %d (yet): without cookies, %s cannot be recognised",
					 plan->bins[s->bin].path, pid, s->name);
				break;
			}
			if (s->kind == USCOPE_SITE_USDT)
				err = bpf_map_update_elem(spec_fd, &ip, &spec_id, BPF_ANY);
			else
				err = bpf_map_update_elem(site_fd, &ip, &val, BPF_ANY);
			if (err) {
				err = -errno;
				err_msg("cannot store the address of %s: %s", s->name, strerror(errno));
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

int attach__binary(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, const struct attach_cfg *cfg,
		   struct attach_state *st)
{
	size_t i;
	int err = 0;

	if (cfg->mode == ATTACH_PERF) {
		/* Two passes, returns first, as in attach__run(). */
		for (i = 0; i < 2 * plan->nsites && !err; i++) {
			const struct site *s = &plan->sites[i % plan->nsites];

			if (s->bin == bi && (s->kind == USCOPE_SITE_RETURN) == (i < plan->nsites))
				err = attach_perf_site(skel, plan, i % plan->nsites, cfg, st);
		}
		return err;
	}
	/* Returns first: a return seen before its entry is ignored, the reverse would pair wrongly. */
	err = attach_multi_funcs(skel, plan, bi, USCOPE_SITE_RETURN, cfg, st);
	if (!err)
		err = attach_multi_funcs(skel, plan, bi, USCOPE_SITE_ENTRY, cfg, st);
	if (!err)
		err = attach_multi_usdt(skel, plan, bi, cfg->pid, st);
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
	if (mode == ATTACH_MULTI &&
	    bpf_map__value_size(skel->maps.__bpf_usdt_specs) != sizeof(struct bpf_usdt_spec_abi)) {
		err_msg("libbpf's USDT spec layout is not the one uscope knows; use --attach perf");
		return -ENOTSUP;
	}
	for (i = 0; mode == ATTACH_PERF && i < 2 * plan->nsites && !err; i++) {
		/* Two passes, returns first (see below). */
		size_t id = i % plan->nsites;

		if (*stop)
			err = -EINTR;
		else if ((plan->sites[id].kind == USCOPE_SITE_RETURN) == (i < plan->nsites))
			err = attach_perf_site(skel, plan, id, cfg, st);
	}
	for (i = 0; mode == ATTACH_NOCOOKIE && i < plan->nsites && !err; i++)
		err = *stop ? -EINTR : attach_nocookie_site(skel, plan, i, cfg, st);
	for (i = 0; mode == ATTACH_MULTI && i < plan->nbins && !err; i++) {
		if (*stop) {
			err = -EINTR;
			break;
		}
		err = attach__binary(skel, plan, i, cfg, st);
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
