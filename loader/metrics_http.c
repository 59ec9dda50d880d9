// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where does Prometheus scrape uscope? ADDR:PORT parsing, the listening
 * socket and GET /metrics on libmicrohttpd (Debian's libmicrohttpd12, the
 * usual embedded HTTP server in C: HTTP/1.1 parsing, keep-alive, timeouts
 * and connection limits are its job, not uscope's).
 *
 * - uscope makes the listening socket itself and hands it to the daemon
 *   (MHD_OPTION_LISTEN_SOCKET): MHD_start_daemon() only says NULL on failure,
 *   while bind(2) says "Address already in use" or "Cannot assign requested
 *   address", which is the one line the user needs.
 * - The daemon runs without a thread of its own (MHD_USE_EPOLL, external
 *   loop): uscope polls the daemon's epoll fd beside the ring buffer and the
 *   target's pidfd and calls MHD_run(). Scrapes then read the BPF maps in the
 *   same thread that re-attaches a replaced binary; nothing needs a lock.
 * - A response is a copy of the render buffer (MHD_RESPMEM_MUST_COPY): two
 *   scrapers may be served at once while the buffer is rewritten. Its size is
 *   that of one scrape, whatever the history.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "metrics_http.h"
#include "util.h"

struct metrics_http {
	struct MHD_Daemon *d;
	int sock;
	metrics_render_fn render;
	void *ctx;
	unsigned long scrapes;
};

static int bad_addr(const char *text)
{
	err_msg("invalid --metrics address '%s': expected [ADDR]:PORT (ADDR a numeric IPv4 address, [IPv6] or "
		"localhost; default 127.0.0.1) with PORT from 1 to 65535", text);
	return -EINVAL;
}

int metrics_addr__parse(const char *text, struct metrics_addr *out)
{
	const char *colon = strrchr(text, ':'), *port_s = colon ? colon + 1 : text;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	char host[INET6_ADDRSTRLEN + 2];
	size_t hlen = colon ? (size_t)(colon - text) : 0;
	uint64_t port;

	memset(out, 0, sizeof(*out));
	if (!parse_u64(port_s, 65535, &port) || !port || hlen >= sizeof(host))
		return bad_addr(text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
			return bad_addr(text);
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		out->len = sizeof(*v6);
		snprintf(out->text, sizeof(out->text), "[%s]:%u", host + 1, (unsigned)port);
		return 0;
	}
	if (!hlen || !strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) != 1)
		return bad_addr(text);
	v4->sin_family = AF_INET;
	v4->sin_port = htons(port);
	out->len = sizeof(*v4);
	snprintf(out->text, sizeof(out->text), "%s:%u", host, (unsigned)port);
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type, const char *body,
			     size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **req)
{
	static const char index_page[] = "uscope: the metrics are at /metrics\n";
	struct metrics_http *h = cls;
	enum metrics_format fmt;
	const char *body;
	size_t len;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n", 18);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/plain", index_page, sizeof(index_page) - 1);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found; try /metrics\n", 24);
	fmt = metrics_expo__negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	if (h->render(h->ctx, fmt, &body, &len))
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "cannot read the BPF maps\n", 25);
	h->scrapes++;
	return reply(c, MHD_HTTP_OK, metrics_expo__content_type(fmt), body, len);
}

static int listen_on(const struct metrics_addr *a)
{
	int one = 1, err;
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* Restarting uscope must not wait out TIME_WAIT; this does not let two listeners share a port. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int metrics_http__open(const struct metrics_addr *addr, metrics_render_fn render, void *ctx,
		       struct metrics_http **out)
{
	struct metrics_http *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	h->render = render;
	h->ctx = ctx;
	h->sock = listen_on(addr);
	if (h->sock < 0) {
		int err = h->sock;

		err_msg("cannot listen on %s for --metrics: %s", addr->text, strerror(-err));
		free(h);
		return err;
	}
	h->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				MHD_OPTION_LISTEN_SOCKET, h->sock,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_END);
	if (!h->d) {
		err_msg("cannot start the --metrics HTTP server on %s (libmicrohttpd)", addr->text);
		close(h->sock);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

int metrics_http__fd(const struct metrics_http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

void metrics_http__run(struct metrics_http *h)
{
	MHD_run(h->d);
}

unsigned long metrics_http__scrapes(const struct metrics_http *h)
{
	return h->scrapes;
}

void metrics_http__close(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);	/* closes the listening socket it was handed, too */
	free(h);
}
