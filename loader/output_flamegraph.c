// SPDX-License-Identifier: BSD-2-Clause
/*
 * Writes a flame graph as SVG, in the spirit of Brendan Gregg's
 * flamegraph.pl but with no Perl at run time: the folded lines become a
 * tree (children merged by name, in name order as flamegraph.pl sorts
 * them), each node as wide as its count. Every box carries its exact count
 * in data-count and its depth in data-depth, so tests (and people) can
 * check the picture against the folded output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output_flamegraph.h"
#include "util.h"

#define FG_WIDTH 1200.0
#define FG_PAD 10.0
#define FG_FRAME 16.0

struct fg_node {
	char *name;
	uint64_t count;
	struct fg_node **kids;
	size_t nkids;
};

static struct fg_node *child(struct fg_node *p, const char *name, size_t len)
{
	struct fg_node *c, **grown;
	size_t i;

	for (i = 0; i < p->nkids; i++)
		if (strlen(p->kids[i]->name) == len && !memcmp(p->kids[i]->name, name, len))
			return p->kids[i];
	c = calloc(1, sizeof(*c));
	grown = c ? realloc(p->kids, (p->nkids + 1) * sizeof(*grown)) : NULL;
	if (!grown || !(c->name = strndup(name, len))) {
		free(c);
		return NULL;
	}
	p->kids = grown;
	return p->kids[p->nkids++] = c;
}

static int add_line(struct fg_node *root, const struct folded_line *l, size_t *depth)
{
	const char *s = l->line, *semi;
	struct fg_node *n = root;
	size_t d = 0;

	root->count += l->count;
	for (;;) {
		semi = strchr(s, ';');
		n = child(n, s, semi ? (size_t)(semi - s) : strlen(s));
		if (!n)
			return -ENOMEM;
		n->count += l->count;
		d++;
		if (!semi)
			break;
		s = semi + 1;
	}
	if (d > *depth)
		*depth = d;
	return 0;
}

static void free_node(struct fg_node *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		free_node(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct fg_node *const *)a)->name, (*(struct fg_node *const *)b)->name);
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

/* A warm colour from the name, so a function keeps its colour across graphs. */
static void colour(const char *name, int *r, int *g, int *b)
{
	unsigned int h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	*r = 205 + (int)(h % 50);
	*g = (int)((h >> 8) % 230);
	*b = (int)((h >> 16) % 55);
}

static void box(FILE *f, const struct fg_node *n, double x, double w, size_t depth, double height, uint64_t total)
{
	double y = height - FG_PAD - (depth + 1) * FG_FRAME;
	int r, g, b;

	colour(n->name, &r, &g, &b);
	fprintf(f, "<g class=\"f\" data-count=\"%llu\" data-depth=\"%zu\"><title>", (unsigned long long)n->count,
		depth);
	xml_text(f, n->name);
	fprintf(f, " (%llu, %.2f%%)</title>", (unsigned long long)n->count, 100.0 * n->count / total);
	fprintf(f, "<rect x=\"%.6f\" y=\"%.1f\" width=\"%.6f\" height=\"%.1f\" fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>", x, y,
		w, FG_FRAME - 1, r, g, b);
	fprintf(f, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + FG_FRAME - 4.5);
	xml_text(f, n->name);
	fputs("</text></g>\n", f);
}

static void draw(FILE *f, struct fg_node *n, double x, double scale, size_t depth, double height, uint64_t total)
{
	size_t i;

	box(f, n, x, n->count * scale, depth, height, total);
	if (n->nkids)
		qsort(n->kids, n->nkids, sizeof(*n->kids), by_name);
	for (i = 0; i < n->nkids; i++) {
		draw(f, n->kids[i], x, scale, depth + 1, height, total);
		x += n->kids[i]->count * scale;
	}
}

/* Click a box: it fills the width, its ancestors stay, the rest hides. Labels fit their boxes. */
static const char *script =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"var W = %.1f, P = %.1f, boxes = [];\n"
	"function init() {\n"
	"  var gs = document.getElementsByClassName('f');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var r = gs[i].getElementsByTagName('rect')[0];\n"
	"    boxes.push({g: gs[i], r: r, t: gs[i].getElementsByTagName('text')[0],\n"
	"                x: +r.getAttribute('x'), w: +r.getAttribute('width'), d: +gs[i].getAttribute('data-depth'),\n"
	"                name: gs[i].getElementsByTagName('title')[0].textContent.replace(/ \\([^(]*\\)$/, '')});\n"
	"    gs[i].onclick = (function (b) { return function () { zoom(b); }; })(boxes[i]);\n"
	"  }\n"
	"  zoom(boxes[0]);\n"
	"}\n"
	"function label(b, x, w) {\n"
	"  var n = Math.floor((w - 6) / 7);\n"
	"  b.t.setAttribute('x', x + 3);\n"
	"  b.t.textContent = n < 3 ? '' : b.name.length <= n ? b.name : b.name.substring(0, n - 2) + '..';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var s = (W - 2 * P) / z.w;\n"
	"  boxes.forEach(function (b) {\n"
	"    var inside = b.x >= z.x - 1e-9 && b.x + b.w <= z.x + z.w + 1e-9 && b.d >= z.d;\n"
	"    var above = b.d < z.d && b.x <= z.x + 1e-9 && b.x + b.w >= z.x + z.w - 1e-9;\n"
	"    b.g.style.display = inside || above ? '' : 'none';\n"
	"    var x = inside ? P + (b.x - z.x) * s : P, w = inside ? b.w * s : W - 2 * P;\n"
	"    b.r.setAttribute('x', x); b.r.setAttribute('width', w); label(b, x, w);\n"
	"    b.g.style.opacity = above ? 0.6 : 1;\n"
	"  });\n"
	"}\n"
	"]]></script>\n";

static void svg(FILE *f, struct fg_node *root, size_t depth)
{
	double height = (depth + 1) * FG_FRAME + 2 * FG_PAD + 24, scale = (FG_WIDTH - 2 * FG_PAD) / root->count;

	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" onload=\"init()\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", FG_WIDTH, height, FG_WIDTH, height);
	fputs("<style>text { font-family: monospace; font-size: 12px; fill: #000; pointer-events: none; }\n"
	      ".f { cursor: pointer; } .f:hover rect { stroke: #000; stroke-width: 0.5; }</style>\n", f);
	fprintf(f, script, FG_WIDTH, FG_PAD);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fbf6ee\"/>\n", FG_WIDTH, height);
	fprintf(f, "<text x=\"%.0f\" y=\"20\" style=\"font-size: 16px\">uscope flame graph: %llu hits "
		"(click a frame to zoom, the bottom one to reset)</text>\n", FG_PAD, (unsigned long long)root->count);
	draw(f, root, FG_PAD, scale, 0, height, root->count);
	fputs("</svg>\n", f);
}

int flamegraph__write(const char *path, const struct folded_line *lines, size_t n)
{
	struct fg_node root = { .name = "all" };
	size_t i, depth = 0;
	FILE *f;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = add_line(&root, &lines[i], &depth);
	if (err) {
		err_msg("out of memory");
		goto out;
	}
	f = fopen(path, "we");
	if (!f) {
		err = -errno;
		err_msg("cannot write the flame graph '%s': %s", path, strerror(errno));
		goto out;
	}
	if (root.count)
		svg(f, &root, depth);
	else
		fputs("<?xml version=\"1.0\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"1200\" height=\"40\" "
		      "xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"24\">no stacks were counted</text>"
		      "</svg>\n", f);
	if (fclose(f)) {
		err = -errno;
		err_msg("cannot write the flame graph '%s': %s", path, strerror(errno));
	}
out:
	root.name = NULL;
	free_node(&root);
	return err;
}
