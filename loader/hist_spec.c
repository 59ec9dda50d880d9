// SPDX-License-Identifier: BSD-2-Clause
/*
 * hist_spec: which value does --hist / --lhist bucket, and how?
 *
 * VALUE is argN or ret, checked on every site with the filter compiler's
 * rules (no argN on returns, USDT probes have what their notes list). A
 * linear histogram's bounds compare signed or unsigned; BPF is told one way
 * for all sites, so a run whose sites disagree is refused rather than
 * bucketed wrongly on some of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "hist.h"
#include "plan.h"
#include "util.h"

static int parse_value(const char *s, size_t n, struct hist_spec *h)
{
	char *end;
	long a;

	if (n >= sizeof(h->text))
		return -EINVAL;
	memcpy(h->text, s, n);
	h->text[n] = 0;
	if (!strcmp(h->text, "ret")) {
		h->operand = USCOPE_OPND_RET;
		return 0;
	}
	if (strncmp(h->text, "arg", 3) || h->text[3] < '0' || h->text[3] > '9')
		return -EINVAL;
	a = strtol(h->text + 3, &end, 10);
	if (*end || a >= USCOPE_MAX_ARGS || (h->text[3] == '0' && h->text[4]))
		return -EINVAL;
	h->operand = USCOPE_OPND_ARG0 + a;
	return 0;
}

/* A signed 64-bit integer, decimal or 0x hex. */
static bool parse_s64(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t v;

	if (!parse_u64(s + neg, neg ? 1ull << 63 : INT64_MAX, &v))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static int parse_linear(const char *text, const char *rest, struct hist_spec *h)
{
	char buf[96], *f[3], *save = NULL;
	int64_t min, max, step;
	int i;

	if (strlen(rest) >= sizeof(buf))
		goto bad;
	strcpy(buf, rest);
	for (i = 0; i < 3; i++)
		if (!(f[i] = strtok_r(i ? NULL : buf, ",", &save)))
			goto bad;
	if (strtok_r(NULL, ",", &save) || !parse_s64(f[0], &min) || !parse_s64(f[1], &max) ||
	    !parse_s64(f[2], &step) || step <= 0 || max <= min)
		goto bad;
	if ((uint64_t)(max - min) % (uint64_t)step || (uint64_t)(max - min) / (uint64_t)step > USCOPE_LHIST_MAX_STEPS) {
		err_msg("--lhist '%s': MAX - MIN must be a multiple of STEP, at most %d steps", text,
			USCOPE_LHIST_MAX_STEPS);
		return -EINVAL;
	}
	h->min = min;
	h->max = max;
	h->step = step;
	h->steps = (uint64_t)(max - min) / (uint64_t)step;
	return 0;
bad:
	err_msg("--lhist '%s': expected VALUE,MIN,MAX,STEP with integers MIN < MAX and STEP > 0", text);
	return -EINVAL;
}

int hist__parse(const char *text, bool linear, struct hist_spec *out)
{
	const char *comma = strchr(text, ',');

	if (out->mode) {
		err_msg("--hist and --lhist: one value histogram per run");
		return -EINVAL;
	}
	out->mode = linear ? USCOPE_VHIST_LINEAR : USCOPE_VHIST_LOG2;
	if (!linear)
		comma = NULL;
	if (parse_value(text, comma ? (size_t)(comma - text) : strlen(text), out)) {
		err_msg("--%s '%s': VALUE must be argN (0-11) or ret", linear ? "lhist" : "hist", text);
		return -EINVAL;
	}
	if (linear && !comma) {
		err_msg("--lhist '%s': expected VALUE,MIN,MAX,STEP", text);
		return -EINVAL;
	}
	return linear ? parse_linear(text, comma + 1, out) : 0;
}

int hist__check(struct hist_spec *h, const struct plan *plan)
{
	size_t s;

	if (!h->mode)
		return 0;
	h->site_signed = calloc(plan->nsites + 1, sizeof(*h->site_signed));
	if (!h->site_signed) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (s = 0; s < plan->nsites; s++) {
		if (filter__site_operand(plan, s, h->operand, 0, h->text, &h->site_signed[s], NULL))
			return -EINVAL;
		if (h->operand == USCOPE_OPND_RET)
			h->site_signed[s] = true;	/* returns print signed, as events do */
		if (h->mode == USCOPE_VHIST_LINEAR && s && h->site_signed[s] != h->site_signed[0]) {
			err_msg("--lhist '%s': %s is signed on some probes and unsigned on others; trace them "
				"in separate runs", h->text, h->text);
			return -EINVAL;
		}
	}
	h->lin_signed = plan->nsites && h->site_signed[0];
	if (h->mode == USCOPE_VHIST_LINEAR && !h->lin_signed && (int64_t)h->min < 0) {
		err_msg("--lhist: %s is unsigned, so MIN must not be negative", h->text);
		return -EINVAL;
	}
	return 0;
}

void hist__deltas(struct hist_spec *h, uint64_t *buckets, size_t nsites)
{
	size_t i, n = nsites * USCOPE_VHIST_BUCKETS;

	if (!h->prev && !(h->prev = calloc(n + 1, sizeof(*h->prev))))
		return;
	for (i = 0; i < n; i++) {
		uint64_t now = buckets[i];

		buckets[i] -= h->prev[i];
		h->prev[i] = now;
	}
}

void hist__free(struct hist_spec *h)
{
	free(h->site_signed);
	free(h->prev);
	h->site_signed = NULL;
	h->prev = NULL;
}
