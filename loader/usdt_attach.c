// SPDX-License-Identifier: BSD-2-Clause
/*
 * Puts USDT locations on the attach paths; see usdt_attach.h.
 *
 * Why not libbpf's bpf_program__attach_usdt(): libbpf 1.1 reads neither
 * scale-index-base nor symbol operands, and makes one perf-event uprobe per
 * location even where a uprobe_multi link could take them all. uscope
 * parses the notes itself (helpers/usdt_notes.c), so attaching a location is
 * a plain uprobe at its file offset with its semaphore as ref_ctr_offset,
 * and the argument records are uscope's own.
 *
 * Every location is attached, whatever its arguments: one whose arguments
 * cannot all be read is still counted (its events show those arguments as
 * unreadable), and a warning names it, so a probe's count never silently
 * loses locations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "usdt_attach.h"
#include "usdt_spec.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/uprobe_multi.h"
#include "../probes/uscope.h"

int usdt_attach__prepare(struct uscope_bpf *skel, const struct plan *plan, bool nocookie)
{
	uint32_t n = plan->nlocs ? (uint32_t)plan->nlocs : 1;
	int err = bpf_map__set_max_entries(skel->maps.usdt_specs, n);

	if (!err)
		err = bpf_map__set_max_entries(skel->maps.usdt_ip_cookies, nocookie ? n : 1);
	return err;
}

int usdt_attach__specs(struct uscope_bpf *skel, const struct plan *plan)
{
	int fd = bpf_map__fd(skel->maps.usdt_specs);
	uint32_t i;

	for (i = 0; i < plan->nlocs; i++) {
		struct uscope_usdt_spec spec;

		usdt_spec__build(&spec, plan->locs[i].note);
		if (bpf_map_update_elem(fd, &i, &spec, BPF_ANY)) {
			int err = -errno;

			err_msg("cannot store the USDT spec of %s: %s", plan->sites[plan->locs[i].site].name,
				strerror(errno));
			return err;
		}
	}
	return 0;
}

static uint64_t loc_cookie(const struct plan *plan, size_t l)
{
	return USCOPE_COOKIE(plan->locs[l].site, l);
}

int usdt_attach__multi(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, pid_t pid, size_t *n)
{
	struct uprobe_multi_opts o = { .pid = pid };
	uint64_t *offsets, *refs, *cookies;
	size_t i, k = 0;
	int fd;

	*n = 0;
	for (i = 0; i < plan->nlocs; i++)
		k += plan->sites[plan->locs[i].site].bin == bi;
	if (!k)
		return 0;
	offsets = calloc(k, sizeof(*offsets));
	refs = calloc(k, sizeof(*refs));
	cookies = calloc(k, sizeof(*cookies));
	if (!offsets || !refs || !cookies) {
		fd = -ENOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < plan->nlocs; i++) {
		const struct usdt_note *note = plan->locs[i].note;

		if (plan->sites[plan->locs[i].site].bin != bi)
			continue;
		offsets[k] = note->offset;
		refs[k] = note->sema_offset;
		cookies[k++] = loc_cookie(plan, i);
	}
	o.offsets = offsets;
	o.ref_ctr_offsets = refs;
	o.cookies = cookies;
	o.cnt = (uint32_t)k;
	fd = uprobe_multi_link_create(bpf_program__fd(skel->progs.usdt_site), plan->bins[bi].open_path, &o);
out:
	*n = k;
	free(offsets);
	free(refs);
	free(cookies);
	return fd;
}

struct bpf_link *usdt_attach__loc(struct uscope_bpf *skel, const struct plan *plan, size_t l, pid_t pid,
				  bool cookie)
{
	const struct usdt_note *note = plan->locs[l].note;
	const struct binary *b = &plan->bins[plan->sites[plan->locs[l].site].bin];
	LIBBPF_OPTS(bpf_uprobe_opts, po, .ref_ctr_offset = note->sema_offset);

	if (cookie)
		po.bpf_cookie = loc_cookie(plan, l);
	return bpf_program__attach_uprobe_opts(skel->progs.usdt_site, pid > 0 ? pid : -1, b->open_path,
					       note->offset, &po);
}

int usdt_attach__map_ip(struct uscope_bpf *skel, const struct plan *plan, size_t l, uint64_t ip)
{
	uint64_t val = loc_cookie(plan, l);

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.usdt_ip_cookies), &ip, &val, BPF_ANY))
		return -errno;
	return 0;
}

void usdt_attach__warn_unreadable(const struct usdt_note *n, const char *bin)
{
	int bad = usdt_spec__bad_args(n);

	if (!n->args_err)
		return;
	if (!bad) {	/* more than 12: the first 12 are read */
		warn_msg("USDT probe %s:%s at 0x%llx in '%s': %s; only the first %d are shown", n->provider,
			 n->name, (unsigned long long)n->pc, bin, n->args_why, USDT_MAX_ARGS);
		return;
	}
	warn_msg("USDT probe %s:%s at 0x%llx in '%s': %s; its hits are counted, %d of its %d argument%s shown as unreadable",
		 n->provider, n->name, (unsigned long long)n->pc, bin, n->args_why, bad, n->nargs,
		 n->nargs == 1 ? "" : "s");
}
