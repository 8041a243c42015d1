/* http: the request side of the transport, and (with server/loop.c, which
 * runs its daemons) the only code that calls libmicrohttpd.
 *
 * Runs a libmicrohttpd daemon per HTTP thread (server/loop.h; see
 * docs/operations.md for why not libmicrohttpd's own threads), turns each
 * request into a struct request, routes it through the route table and sends
 * the struct response the handler filled. Bounds every request: body size,
 * header size, idle time. */
#ifndef ARTICLED_HTTP_H
#define ARTICLED_HTTP_H

#include "server/router.h"

#include <stdint.h>

struct service;
struct http_server;

/* Starts listening on svc->cfg.bind:port, serving routes[0..n) (borrowed for the
 * server's life). Returns NULL with *errstr (static) when the daemon cannot start. */
struct http_server *http_start(struct service *svc, const struct route *routes, size_t n,
                               const char **errstr);

/* The bound port (useful with port 0). */
uint16_t http_port(const struct http_server *srv);

/* The HTTP threads: how many, how many are bound to a CPU of their own
 * (cpu_affinity), how many run in the slice they asked for (sched_slice_us),
 * and whether new local connections are steered to their client's CPU's
 * thread (steer_local_connections, server/steer.h). */
struct http_threads {
    unsigned threads, bound, sliced;
    bool steered;
};
struct http_threads http_threads(const struct http_server *srv);

/* Stops accepting, lets in-flight requests finish for up to grace_ms, then
 * closes every connection and frees the server. */
void http_stop(struct http_server *srv, int grace_ms);

#endif
