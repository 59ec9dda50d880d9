// SPDX-License-Identifier: BSD-2-Clause
/*
 * filter_maps: how does a compiled filter set reach the BPF side?
 *
 * Before load: the has_filter knob (false lets the verifier drop the whole
 * filter path) and the sizes of filter_ids (one entry per site) and filters
 * (one per distinct program). After load: the records themselves, written
 * with one batch update per map, so that 10,000 filtered sites cost two
 * syscalls, not 10,000.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "filter.h"
#include "util.h"
#include "uscope.skel.h"

int filter__size_maps(const struct filter_set *s, struct uscope_bpf *skel, size_t nsites)
{
	int err;

	skel->rodata->has_filter = s && s->nprogs > 0;
	if (!skel->rodata->has_filter)
		return 0;
	err = bpf_map__set_max_entries(skel->maps.filter_ids, nsites ? nsites : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.filters, s->nprogs);
	return err;
}

/* Keys 0..N-1 of array FD := VALUES, in one batch where the kernel has it. */
static int fill_array(int fd, const void *values, size_t size, size_t n)
{
	uint32_t *keys = malloc((n + 1) * sizeof(*keys)), count = n, i;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = i;
	if (n && bpf_map_update_batch(fd, keys, values, &count, NULL)) {
		for (i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &keys[i], (const char *)values + i * size, 0))
				err = -errno;
	}
	free(keys);
	return err;
}

int filter__fill_maps(const struct filter_set *s, struct uscope_bpf *skel)
{
	int err;

	if (!s || !s->nprogs)
		return 0;
	err = fill_array(bpf_map__fd(skel->maps.filters), s->progs, sizeof(*s->progs), s->nprogs);
	if (!err)
		err = fill_array(bpf_map__fd(skel->maps.filter_ids), s->ids, sizeof(*s->ids), s->nids);
	if (err)
		err_msg("cannot write the --filter maps: %s", strerror(-err));
	return err;
}
