/* router: matches a method and path against a route table.
 *
 * Patterns are literal segments and `{name}` captures: "/v1/articles/{id}".
 * A path that a capture-free pattern matches exactly is matched by such
 * patterns only, so a literal route shadows captures for every method.
 * The table belongs to the caller (handlers/routes.c); the router only reads it. */
#ifndef ARTICLED_ROUTER_H
#define ARTICLED_ROUTER_H

#include "server/request.h"

/* Who may call a route: anyone; a client with the read token when one is
 * configured; a client with the write token. */
enum route_access { ACCESS_PUBLIC, ACCESS_READ, ACCESS_WRITE };

struct route {
    unsigned methods; /* enum http_method bits; HEAD is implied by GET */
    const char *pattern;
    int (*handler)(const struct request *req, struct response *resp);
    const char *params; /* space-separated query parameters the route accepts */
    const char *name;   /* for logs and metrics */
    bool needs_content; /* answered 503 until the first snapshot is published */
    enum route_access access;
};

enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

/* Looks path up in routes[0..n). On ROUTER_FOUND, *out is the route and the
 * captures are stored in req->params (pointers into caps_buf, which must hold
 * strlen(path)+1 bytes). On ROUTER_NO_METHOD, *allowed is the union of methods
 * of the routes whose pattern matched (HEAD added for GET, OPTIONS always). */
enum router_result router_match(const struct route *routes, size_t n, enum http_method method,
                                const char *path, struct request *req, char *caps_buf,
                                const struct route **out, unsigned *allowed);

/* Writes an Allow header value ("GET, HEAD, OPTIONS") for methods into buf. */
void router_allow_header(unsigned methods, char *buf, size_t len);

/* True when key is one of the space-separated names in params. */
bool router_param_allowed(const char *params, const char *key);

/* The method bit for a method name; HTTP_OTHER when unknown. */
enum http_method router_method(const char *name);

#endif
