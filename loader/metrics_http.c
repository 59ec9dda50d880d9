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
 * - A response is sent from the buffer it was rendered into, not a copy: a
 *   copy of a 9 MB exposition (10,000 histograms) was a fresh mmap, page
 *   faults and a memcpy per scrape, a fifth of its time. The buffers are a
 *   small pool, each busy from its render until MHD frees the response
 *   (a free callback), so two scrapers served at once never share one; past
 *   HTTP_BUFS at once the spare buffer is rendered and copied. Each buffer
 *   keeps its size (that of one scrape, whatever the history).
 * - libmicrohttpd is dlopen()ed here (metrics_mhd.c), only for --metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "metrics_http.h"
#include "metrics_mhd.h"
#include "util.h"

#define HTTP_BUFS 4	/* scrapes in flight at once without a copy; Prometheus makes one per target */

/* One render buffer of the pool; BUSY while a response is sent from it. */
struct http_buf {
	struct metrics_buf b;
	bool busy;
};

struct metrics_http {
	struct metrics_mhd mhd;
	struct MHD_Daemon *d;
	int sock;
	metrics_render_fn render;
	void *ctx;
	unsigned long scrapes;
	struct http_buf bufs[HTTP_BUFS];
	struct metrics_buf spare;	/* all HTTP_BUFS busy: rendered here, and copied */
};

static void buf_done(void *cls);

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

/* A response from BODY: copied, or sent from POOL (marked busy until MHD frees the response). */
static enum MHD_Result reply(struct metrics_http *h, struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *body, size_t len, struct http_buf *pool)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (pool)
		r = h->mhd.MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)body, buf_done, pool);
	else
		r = h->mhd.MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (pool)
		pool->busy = true;
	h->mhd.MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		h->mhd.MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = h->mhd.MHD_queue_response(c, status, r);
	h->mhd.MHD_destroy_response(r);	/* the connection holds it until sent; then buf_done() */
	return ret;
}

static void buf_done(void *cls)
{
	((struct http_buf *)cls)->busy = false;
}

/* A free buffer of the pool, or NULL (then render into the spare one and copy). */
static struct http_buf *free_buf(struct metrics_http *h)
{
	size_t i;

	for (i = 0; i < HTTP_BUFS; i++)
		if (!h->bufs[i].busy)
			return &h->bufs[i];
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **req)
{
	static const char index_page[] = "uscope: the metrics are at /metrics\n";
	struct metrics_http *h = cls;
	struct http_buf *pool;
	struct metrics_buf *out;
	enum metrics_format fmt;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n", 18, NULL);
	if (!strcmp(url, "/"))
		return reply(h, c, MHD_HTTP_OK, "text/plain", index_page, sizeof(index_page) - 1, NULL);
	if (strcmp(url, "/metrics"))
		return reply(h, c, MHD_HTTP_NOT_FOUND, "text/plain", "not found; try /metrics\n", 24, NULL);
	fmt = metrics_expo__negotiate(
		h->mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	pool = free_buf(h);
	out = pool ? &pool->b : &h->spare;
	if (h->render(h->ctx, fmt, out))
		return reply(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "cannot read the BPF maps\n", 25,
			     NULL);
	h->scrapes++;
	return reply(h, c, MHD_HTTP_OK, metrics_expo__content_type(fmt), out->p, out->len, pool);
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
	if (metrics_mhd__load(&h->mhd)) {
		free(h);
		return -ENOENT;
	}
	h->render = render;
	h->ctx = ctx;
	h->sock = listen_on(addr);
	if (h->sock < 0) {
		int err = h->sock;

		err_msg("cannot listen on %s for --metrics: %s", addr->text, strerror(-err));
		metrics_mhd__unload(&h->mhd);
		free(h);
		return err;
	}
	h->d = h->mhd.MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				MHD_OPTION_LISTEN_SOCKET, h->sock,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_END);
	if (!h->d) {
		err_msg("cannot start the --metrics HTTP server on %s (libmicrohttpd)", addr->text);
		close(h->sock);
		metrics_mhd__unload(&h->mhd);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

int metrics_http__fd(const struct metrics_http *h)
{
	const union MHD_DaemonInfo *i = h->mhd.MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

void metrics_http__run(struct metrics_http *h)
{
	h->mhd.MHD_run(h->d);
}

unsigned long metrics_http__scrapes(const struct metrics_http *h)
{
	return h->scrapes;
}

void metrics_http__close(struct metrics_http *h)
{
	if (!h)
		return;
	size_t i;

	h->mhd.MHD_stop_daemon(h->d);	/* closes the listening socket it was handed, too; frees responses */
	metrics_mhd__unload(&h->mhd);
	for (i = 0; i < HTTP_BUFS; i++)
		metrics_buf__free(&h->bufs[i].b);
	metrics_buf__free(&h->spare);
	free(h);
}
