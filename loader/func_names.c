// SPDX-License-Identifier: BSD-2-Clause
/*
 * func_names: demangled names in globs and output, and where a probe's
 * binary name ends.
 *
 * C++ and Rust users think in "ns::Widget::poke", not "_ZN2ns6Widget4pokeEl".
 * A glob is matched against the demangled name as soon as it looks like one
 * ("::"), without the parameter list so that one glob catches every
 * overload; a '(' asks for the full signature, the only way to pick one
 * overload. Plain globs keep matching raw symbols, as before, so 'malloc' or
 * a mangled prefix still work and nothing that matched before stops matching.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "func_names.h"
#include "probe_spec.h"
#include "util.h"

bool func_glob_wants_base(const char *glob)
{
	return strstr(glob, "::") && !strchr(glob, '(');
}

/*
 * Rust v0 names an inherent method "<crate::Type>::method" where legacy
 * mangling (and the user) says "crate::Type::method": match that spelling
 * too. Not for trait impls ("<T as Trait>::m"), whose brackets mean something.
 */
static bool match_unwrapped(const char *glob, const char *name)
{
	char buf[1024];
	size_t i, depth = 0;

	if (name[0] != '<')
		return false;
	for (i = 0; name[i]; i++) {
		depth += name[i] == '<';
		depth -= name[i] == '>';
		if (!depth)
			break;
	}
	if (!name[i] || i < 2 || memmem(name, i, " as ", 4))
		return false;
	if (snprintf(buf, sizeof(buf), "%.*s%s", (int)(i - 1), name + 1, name + i + 1) >=
	    (int)sizeof(buf))
		return false;
	return fnmatch(glob, buf, 0) == 0;
}

bool func_glob_match(const char *glob, const struct elf_func *f)
{
	const char *name = f->name;

	if (strchr(glob, '('))
		name = f->demangled ? f->demangled : f->name;
	else if (strstr(glob, "::"))
		name = f->base ? f->base : (f->demangled ? f->demangled : f->name);
	if (fnmatch(glob, name, 0) == 0)
		return true;
	return name != f->name && match_unwrapped(glob, name);
}

unsigned func_names__load_flags(const struct probe_spec *specs, int nspecs)
{
	unsigned flags = 0;
	int i;

	/* Demangled names are needed even with --no-demangle: globs match them. */
	for (i = 0; i < nspecs; i++)
		if (specs[i].kind != PROBE_USDT && func_glob_wants_base(specs[i].glob))
			flags |= ELF_FUNCS_BASE_NAMES;
	return flags;
}

const char *func_binary_colon(const char *text)
{
	const char *c = text;

	while ((c = strchr(c, ':'))) {
		if (c[1] != ':')
			return c;
		c += 2;		/* "::" is part of a name */
	}
	return NULL;
}

const char *func_shown_name(const struct elf_func *f, bool demangle)
{
	return demangle && f->demangled ? f->demangled : f->name;
}

void func_names__report(const char *shown, const struct elf_func_list *l)
{
	const char *urls = getenv("DEBUGINFOD_URLS");

	if (l->warning)
		warn_msg("%s", l->warning);
	if (l->stripped)
		warn_msg("'%s' is stripped and no debug file was found: only its %zu exported "
			 "functions are listed (install its -dbg or -dbgsym package%s)", shown, l->cnt,
			 urls && *urls ? "; the DEBUGINFOD_URLS servers do not have it" :
			 ", or set DEBUGINFOD_URLS");
}
