// SPDX-License-Identifier: BSD-2-Clause
/*
 * The lines around the trace: the Attached line and the Summary (stderr,
 * for people; the trace itself stays parseable), and the interval markers
 * between the tables of -i (stdout).
 */
#include <time.h>
#include "output.h"

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void output__attached(struct output *o, size_t probes, const char *mode, double ms)
{
	const struct plan *p = o->plan;
	size_t kinds[3], i;

	plan__kind_counts(p, kinds);
	fprintf(o->log, "Attached %zu probe%s (%zu entry, %zu return, %zu usdt at %zu location%s) to %s%s",
		probes, plural(probes), kinds[0], kinds[1], kinds[2], p->nlocs, plural(p->nlocs),
		p->bins->n == 1 ? "" : p->bins->n ? "binaries " : "no binary yet", p->bins->n ? plan__bin(p, 0)->path : "");
	for (i = 1; i < p->bins->n; i++)
		fprintf(o->log, ", %s", plan__bin(p, i)->path);
	fprintf(o->log, " via %s in %.2f ms.%s Ctrl-C to stop.\n", mode, ms, o->scope ? o->scope : "");
}

void output__interval_mark(struct output *o)
{
	time_t t = time(NULL);
	char stamp[32];

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&t));
	if (o->json)
		fprintf(o->f, "{\"interval_end\": \"%s\"}\n", stamp);
	else
		fprintf(o->f, "\n[%s]\n", stamp);
}

void output__totals_mark(struct output *o)
{
	fputs(o->json ? "{\"totals\": true}\n" : "\nTotal:\n", o->f);
}

void output__end_of_events(struct output *o)
{
	if (!o->json)
		fputc('\n', o->f);
}

void output__summary(struct output *o, const struct output_summary *s)
{
	unsigned long long hits = s->hits;

	if (o->json)	/* the last record, for programs: every field always present */
		fprintf(o->f, "{\"summary\": true, \"hits\": %llu, \"events\": %llu, \"lost\": %llu, "
			"\"unpaired\": %llu, \"probes\": %zu}\n", hits, (unsigned long long)s->events,
			(unsigned long long)s->lost, (unsigned long long)s->unpaired, s->probes);
	fflush(o->f);
	switch (s->what) {
	case SUMMARY_NOOP:
		fprintf(o->log, "Summary: an empty program on %zu probe%s (--noop counts nothing)\n", s->probes,
			plural(s->probes));
		break;
	case SUMMARY_LATENCY:
		fprintf(o->log, "Summary: %llu hits, %llu returns without a timed entry, %zu probe%s\n", hits,
			(unsigned long long)s->unpaired, s->probes, plural(s->probes));
		break;
	case SUMMARY_EVENTS:
		fprintf(o->log, "Summary: %llu hits, %llu events printed, %llu lost, %zu probe%s\n", hits,
			(unsigned long long)s->events, (unsigned long long)s->lost, s->probes, plural(s->probes));
		break;
	case SUMMARY_COUNTS:
		fprintf(o->log, "Summary: %llu hits on %zu probe%s\n", hits, s->probes, plural(s->probes));
		break;
	}
	if (s->by_max)
		fprintf(o->log, "Summary: %llu dropped: key table full (--by-max %u)\n",
			(unsigned long long)s->by_dropped, s->by_max);
}
