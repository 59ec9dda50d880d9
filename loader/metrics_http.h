/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http: where does Prometheus scrape uscope? An ADDR:PORT parser and
 * a GET /metrics server on libmicrohttpd, run from uscope's own event loop
 * (no server thread: a scrape reads the BPF maps in the thread that owns
 * them, so a re-attach never races a scrape).
 */
#ifndef USCOPE_METRICS_HTTP_H
#define USCOPE_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>
#include "metrics_expo.h"

struct metrics_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];		/* as shown in messages: "127.0.0.1:9100", "[::1]:9100" */
};

/*
 * Parse --metrics: "[ADDR]:PORT" or "PORT". ADDR is a numeric IPv4 address,
 * a bracketed IPv6 address or "localhost"; none means 127.0.0.1, so the
 * wildcard 0.0.0.0 (or [::]) is bound only when written out. PORT is 1-65535.
 * Returns 0 or -EINVAL after one message (a usage error).
 */
int metrics_addr__parse(const char *text, struct metrics_addr *out);

/*
 * Write the body of one scrape in FORMAT into OUT (one of the server's
 * buffers, reused: metrics_expo__write() resets it): 0, or a negative errno
 * (then the answer is a 500).
 */
typedef int (*metrics_render_fn)(void *ctx, enum metrics_format format, struct metrics_buf *out);

struct metrics_http;

/*
 * Bind and listen on ADDR now (so a port in use fails before anything is
 * attached) and set up the server; requests are served only from
 * metrics_http__run(). Returns 0 or a negative errno after one message.
 */
int metrics_http__open(const struct metrics_addr *addr, metrics_render_fn render, void *ctx,
		       struct metrics_http **out);

/* The fd to poll for POLLIN; call metrics_http__run() when it is readable (or every so often). */
int metrics_http__fd(const struct metrics_http *h);

/* Serve whatever is ready, without blocking. */
void metrics_http__run(struct metrics_http *h);

/* Scrapes served so far (for tests and the summary). */
unsigned long metrics_http__scrapes(const struct metrics_http *h);

void metrics_http__close(struct metrics_http *h);

#endif
