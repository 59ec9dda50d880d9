// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where does libmicrohttpd come from? dlopen() of its soname, only for
 * --metrics (see metrics_mhd.h for why). Linking it made every run of
 * uscope map libmicrohttpd, GnuTLS, nettle, hogweed, gmp, p11-kit, libidn2,
 * libunistring and libtasn1, and relocate them at start. RTLD_NOW: a
 * library too old to have one of the functions is refused at once, with its
 * name, rather than at the first scrape.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include "metrics_mhd.h"
#include "util.h"

int metrics_mhd__load(struct metrics_mhd *m)
{
	const char *missing = NULL;

	memset(m, 0, sizeof(*m));
	m->dl = dlopen(METRICS_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		err_msg("--metrics needs libmicrohttpd (Debian package libmicrohttpd12): %s", dlerror());
		return -ENOENT;
	}
#define METRICS_MHD_SYM(name)                                          \
	if (!missing && !(m->name = (__typeof__(name) *)dlsym(m->dl, #name))) \
		missing = #name;
	METRICS_MHD_FUNCS(METRICS_MHD_SYM)
#undef METRICS_MHD_SYM
	if (missing) {
		err_msg("--metrics needs libmicrohttpd 0.9.73 or later: %s has no %s", METRICS_MHD_SONAME,
			missing);
		metrics_mhd__unload(m);
		return -ENOENT;
	}
	return 0;
}

void metrics_mhd__unload(struct metrics_mhd *m)
{
	if (m->dl)
		dlclose(m->dl);
	memset(m, 0, sizeof(*m));
}
