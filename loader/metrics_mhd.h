/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_mhd: where does libmicrohttpd come from? It is dlopen()ed when
 * --metrics is asked for, so that every other run of uscope maps neither it
 * nor GnuTLS and its crypto libraries (about 4 MB of peak RSS at 100 sites,
 * measured: docs/DESIGN.md). The header still gives the types, and every
 * function pointer has the type of the function it stands for.
 */
#ifndef USCOPE_METRICS_MHD_H
#define USCOPE_METRICS_MHD_H

#include <microhttpd.h>

/* The soname uscope is built against (Debian's libmicrohttpd12). */
#define METRICS_MHD_SONAME "libmicrohttpd.so.12"

/* X(name): every libmicrohttpd function metrics_http.c calls. */
#define METRICS_MHD_FUNCS(X)                                   \
	X(MHD_start_daemon)                                    \
	X(MHD_stop_daemon)                                     \
	X(MHD_run)                                             \
	X(MHD_get_daemon_info)                                 \
	X(MHD_create_response_from_buffer)                     \
	X(MHD_create_response_from_buffer_with_free_callback_cls) \
	X(MHD_add_response_header)                             \
	X(MHD_queue_response)                                  \
	X(MHD_destroy_response)                                \
	X(MHD_lookup_connection_value)

struct metrics_mhd {
	void *dl;
#define METRICS_MHD_PTR(name) __typeof__(name) *name;
	METRICS_MHD_FUNCS(METRICS_MHD_PTR)
#undef METRICS_MHD_PTR
};

/*
 * Load the library into M. Returns 0, or -ENOENT after one line that names
 * the library, the Debian package and dlerror()'s reason.
 */
int metrics_mhd__load(struct metrics_mhd *m);

void metrics_mhd__unload(struct metrics_mhd *m);

#endif
