// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the attach paths share: choosing the path, keeping links, the one
 * printer of attach failures, storing USDT specs, and teardown. The paths
 * themselves are attach_multi.c, attach_perf.c and attach_nocookie.c.
 *
 * Why uprobe_multi is the default: on this kernel a perf-event uprobe costs
 * about 0.1 s to detach (three serialized RCU grace periods), so 1,000 of
 * them take minutes to go away, at exit and again when the target exits.
 * A uprobe_multi link installs all its probes in one syscall and detaches
 * them together. The perf path stays for kernels before 6.6.
 *
 * USDT on every path: location L of plan.locs has its argument record
 * (usdt_read.bpf.h) under spec id L, and the BPF side gets the 64-bit
 * USCOPE_COOKIE(site, L) for it, as the cookie (multi, perf) or through the
 * address map (nocookie). libbpf's bpf_program__attach_usdt() is not used:
 * libbpf 1.1 reads neither scale-index-base nor symbol operands.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach_paths.h"
#include "usdt_spec.h"
#include "util.h"
#include "../helpers/kernel_features.h"

const char *attach_mode_name(enum attach_mode mode)
{
	static const char *names[] = { "auto", "uprobe_multi", "perf-event uprobes",
				       "perf-event uprobes without cookies" };

	return names[mode];
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

int attach__check(const struct plan *plan, const struct attach_cfg *cfg, bool child, struct attach_needs *needs)
{
	memset(needs, 0, sizeof(*needs));
	if (cfg->mode == ATTACH_NOCOOKIE)
		return attach_nocookie_check(plan, cfg, child, needs);
	return 0;
}

int attach_keep_link(struct attach_state *st, struct bpf_link *link, const struct site *s, const char *path,
		     pid_t pid)
{
	char what[256];

	if (!link) {
		int err = -errno;	/* libbpf's; read before anything else runs */

		snprintf(what, sizeof(what), "%s (%s)", s->name, site_kind_name(s->kind));
		attach_report_failure(err, what, 0, path, pid);
		return err;
	}
	if (attach_state__add_link(st, link))
		return -ENOMEM;
	st->probes++;
	return 0;
}

int attach_add_fd(struct attach_state *st, int fd)
{
	int *n = realloc(st->fds, (st->nfds + 1) * sizeof(*n));

	if (!n) {
		close(fd);
		err_msg("out of memory");
		return -ENOMEM;
	}
	st->fds = n;
	st->fds[st->nfds++] = fd;
	return 0;
}

int attach_state__add_fd(struct attach_state *st, int fd)
{
	return attach_add_fd(st, fd);
}

int attach_state__add_link(struct attach_state *st, struct bpf_link *link)
{
	struct bpf_link **n = realloc(st->links, (st->nlinks + 1) * sizeof(*n));

	if (!n) {
		bpf_link__destroy(link);
		err_msg("out of memory");
		return -ENOMEM;
	}
	st->links = n;
	st->links[st->nlinks++] = link;
	return 0;
}

/* A traced process that died mid-attach makes the kernel answer ESRCH, or ENOENT for /proc/PID/... */
static bool target_gone(int err, pid_t pid)
{
	return pid > 0 && (err == -ESRCH || (kill(pid, 0) && errno == ESRCH));
}

void attach_report_failure(int err, const char *what, size_t n, const char *path, pid_t pid)
{
	char count[32] = "";

	if (n)
		snprintf(count, sizeof(count), "%zu ", n);
	if (target_gone(err, pid))
		err_msg("cannot attach %s%s%s in '%s': process %d has exited", count, what, n ? " probe(s)" : "",
			path, pid);
	else if ((err == -EACCES || err == -EPERM) && !n)
		/* Seen here: CAP_BPF + CAP_PERFMON make uprobe_multi links but not perf-event uprobes. */
		err_msg("cannot attach %s in '%s': %s (perf-event uprobes need CAP_SYS_ADMIN; with only "
			"CAP_BPF and CAP_PERFMON use --attach multi)", what, path, strerror(-err));
	else
		err_msg("cannot attach %s%s%s in '%s': %s", count, what, n ? " probe(s)" : "", path, strerror(-err));
}

int attach_store_usdt_spec(const struct attach_progs *progs, const struct plan *plan, uint32_t loc)
{
	const struct usdt_loc *l = &plan->locs[loc];
	struct uscope_usdt_spec spec;
	int err;

	usdt_spec__build(&spec, l->note);
	if (bpf_map_update_elem(progs->usdt_specs_fd, &loc, &spec, BPF_ANY)) {
		err = -errno;
		err_msg("cannot store the USDT spec of %s: %s", plan->sites[l->site].name, strerror(-err));
		return err;
	}
	return 0;
}

uint64_t attach_usdt_cookie(const struct plan *plan, uint32_t loc)
{
	return USCOPE_COOKIE(plan->locs[loc].site, loc);
}

struct bpf_link *attach_usdt_loc(const struct attach_progs *progs, const struct plan *plan, uint32_t loc,
				 pid_t pid, bool cookie)
{
	const struct usdt_note *n = plan->locs[loc].note;
	const struct binary *b = plan__bin(plan, plan->sites[plan->locs[loc].site].bin);
	LIBBPF_OPTS(bpf_uprobe_opts, po, .ref_ctr_offset = n->sema_offset);

	if (cookie)
		po.bpf_cookie = attach_usdt_cookie(plan, loc);
	return bpf_program__attach_uprobe_opts(progs->prog[USCOPE_SITE_USDT], pid > 0 ? pid : -1, b->open_path,
					       n->offset, &po);
}

int attach__run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		volatile sig_atomic_t *stop, struct attach_state *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->mode = cfg->mode;
	if (cfg->mode == ATTACH_MULTI)
		err = attach_multi_run(progs, plan, cfg, stop, st);
	else if (cfg->mode == ATTACH_PERF)
		err = attach_perf_run(progs, plan, cfg, stop, st);
	else
		err = attach_nocookie_run(progs, plan, cfg, stop, st);
	if (err)
		attach__destroy(st);
	return err;
}

int attach__run_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		       uint32_t bi, bool usdt, struct attach_state *st)
{
	int err = -ENOTSUP;

	memset(st, 0, sizeof(*st));
	st->mode = cfg->mode;
	if (cfg->mode == ATTACH_MULTI)
		err = attach_multi_binary(progs, plan, cfg, bi, usdt, st);
	else if (cfg->mode == ATTACH_PERF)
		err = attach_perf_binary(progs, plan, cfg, bi, usdt, st);
	else
		err_msg("--metrics without -p or -c needs cookies (--attach multi or perf)");
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
