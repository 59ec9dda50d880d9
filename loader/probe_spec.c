// SPDX-License-Identifier: BSD-2-Clause
/* Parses PROBE arguments (grammar in probe_spec.h); every bad one is named in its message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "probe_spec.h"
#include "func_names.h"
#include "util.h"

static char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r)
		err_msg("out of memory");
	return r;
}

/* usdt:PROVIDER:NAME or usdt:BINARY:PROVIDER:NAME; REST follows "usdt:". */
static int parse_usdt(const char *text, const char *rest, struct probe_spec *spec)
{
	const char *p[3];
	int n = 0;

	spec->kind = PROBE_USDT;
	for (const char *c = rest; *c; c++)
		if (*c == ':' && n < 3)
			p[n++] = c;
	if (n == 1) {
		spec->glob = xstrndup(rest, p[0] - rest);
		spec->name_glob = xstrndup(p[0] + 1, strlen(p[0] + 1));
	} else if (n == 2) {
		spec->binary = xstrndup(rest, p[0] - rest);
		spec->glob = xstrndup(p[0] + 1, p[1] - p[0] - 1);
		spec->name_glob = xstrndup(p[1] + 1, strlen(p[1] + 1));
	} else {
		err_msg("probe '%s': expected usdt:PROVIDER:NAME or usdt:BINARY:PROVIDER:NAME", text);
		return -EINVAL;
	}
	if (!spec->glob || !spec->name_glob || (n == 2 && !spec->binary))
		return -ENOMEM;
	if (!*spec->glob || !*spec->name_glob || (spec->binary && !*spec->binary)) {
		err_msg("probe '%s': empty provider, name or binary", text);
		return -EINVAL;
	}
	return 0;
}

/* FUNC+OFF (decimal or 0x hex; symbol names never hold '+'): cut OFF from the glob. */
static int parse_func_off(const char *text, struct probe_spec *spec)
{
	char *plus = strrchr(spec->glob, '+');

	if (!plus)
		return 0;
	if (plus == spec->glob || !parse_u64(plus + 1, UINT32_MAX, &spec->off)) {
		err_msg("probe '%s': expected FUNC+OFFSET with a number after '+'", text);
		return -EINVAL;
	}
	if (spec->kind == PROBE_RETURN) {
		err_msg("probe '%s': a return probe takes no +OFFSET", text);
		return -EINVAL;
	}
	*plus = '\0';
	spec->has_off = true;
	return 0;
}

int probe_spec__parse(const char *text, struct probe_spec *spec)
{
	const char *rest = text, *colon;

	memset(spec, 0, sizeof(*spec));
	spec->text = text;
	if (strncmp(text, "usdt:", 5) == 0)
		return parse_usdt(text, text + 5, spec);
	spec->kind = PROBE_ENTRY;
	if (strncmp(text, "ret:", 4) == 0) {
		spec->kind = PROBE_RETURN;
		rest = text + 4;
	}
	/* BINARY:GLOB; the binary ends at the first single ':' ("::" is C++/Rust). */
	colon = func_binary_colon(rest);
	if (colon) {
		spec->binary = xstrndup(rest, colon - rest);
		rest = colon + 1;
		if (!spec->binary)
			return -ENOMEM;
		if (!*spec->binary) {
			err_msg("probe '%s': empty binary name", text);
			return -EINVAL;
		}
	}
	if (!*rest) {
		err_msg("probe '%s': empty function glob", text);
		return -EINVAL;
	}
	spec->glob = xstrndup(rest, strlen(rest));
	return spec->glob ? parse_func_off(text, spec) : -ENOMEM;
}

void probe_spec__free(struct probe_spec *spec)
{
	free(spec->binary);
	free(spec->glob);
	free(spec->name_glob);
	memset(spec, 0, sizeof(*spec));
}
