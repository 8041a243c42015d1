/* Fuzz target: what a client controls in a request line and its headers.
 *
 * The input is lines: the method name, the path (with an optional `?query`),
 * then the values of Accept-Encoding, If-None-Match, If-Modified-Since, Origin,
 * X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host; a missing line is
 * an absent header. The path and query go through the real route table as
 * server/http.c sends them (router_match, router_param_allowed, query_int);
 * each header value goes to the parser that reads it. */
#include "handlers/query.h"
#include "handlers/routes.h"
#include "server/cache.h"
#include "server/cors.h"
#include "server/encoding.h"
#include "server/proxy.h"
#include "server/router.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { F_METHOD, F_PATH, F_ACCEPT_ENCODING, F_IF_NONE_MATCH, F_IF_MODIFIED_SINCE, F_ORIGIN,
       F_XFF, F_XPROTO, F_XHOST, F_COUNT };

/* Splits "k=v&k&..." in place into req->query, as the transport would. */
static void
split_query(char *q, struct request *req)
{
    while (q && *q && req->nquery < REQUEST_MAX_QUERY) {
        char *amp = strchr(q, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(q, '=');
        if (eq)
            *eq = '\0';
        req->query[req->nquery].key = q;
        req->query[req->nquery].value = eq ? eq + 1 : "";
        req->nquery++;
        q = amp ? amp + 1 : NULL;
    }
}

static void
fuzz_route(const char *method_name, char *path)
{
    struct request req;
    memset(&req, 0, sizeof req);
    char *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    req.method_name = method_name;
    req.method = router_method(method_name);
    req.path = path;
    split_query(query, &req);
    char *caps = malloc(strlen(path) + 1);
    if (!caps)
        abort();
    const struct route *route = NULL;
    unsigned allowed = 0;
    char allow[128];
    enum router_result r =
        router_match(routes, routes_count, req.method, path, &req, caps, &route, &allowed);
    if (r == ROUTER_NO_METHOD)
        router_allow_header(allowed, allow, sizeof allow);
    if (r == ROUTER_FOUND) {
        if (!route || req.nparams > REQUEST_MAX_PARAMS)
            abort();
        for (size_t i = 0; i < req.nparams; i++)
            if (strlen(req.params[i]) > strlen(path))
                abort();
        for (size_t i = 0; i < req.nquery; i++)
            (void)router_param_allowed(route->params, req.query[i].key);
        struct response resp;
        memset(&resp, 0, sizeof resp);
        long page, per_page;
        (void)query_int(&req, &resp, "page", 1, 1000000, 1, &page);
        response_clear(&resp);
        memset(&resp, 0, sizeof resp);
        (void)query_int(&req, &resp, "per_page", 1, 100, 20, &per_page);
        response_clear(&resp);
    }
    free(caps);
}

static void
fuzz_cache(const char *inm, const char *ims)
{
    static const char etag[] = "\"5d41402abc4b2a76\"";
    if (inm)
        (void)cache_etag_matches(inm, etag);
    if (ims) {
        long long t = cache_parse_date(ims);
        if (t >= 0) {
            /* A date it accepts formats and parses back to the same second. */
            char again[64];
            cache_format_date(t, again, sizeof again);
            if (cache_parse_date(again) != t) {
                fprintf(stderr, "date %lld formats as \"%s\", which parses differently\n", t,
                        again);
                abort();
            }
        }
    }
    (void)cache_not_modified(inm, ims, etag, 1546939800);
}

static void
fuzz_proxy(const char *xff, const char *xproto, const char *xhost)
{
    static const char *const trusted_list[] = {"10.0.0.0/8", "::1"};
    const struct fetchguard_policy trusted = {trusted_list, 2};
    static const char *const peers[] = {"10.1.2.3", "::1", "203.0.113.9"};
    for (size_t i = 0; i < sizeof peers / sizeof *peers; i++) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, peers[i], &v4->sin_addr) == 1)
            v4->sin_family = AF_INET;
        else if (inet_pton(AF_INET6, peers[i], &v6->sin6_addr) == 1)
            v6->sin6_family = AF_INET6;
        struct proxy_view v;
        proxy_resolve((struct sockaddr *)&ss, xff, xproto, xhost, "", &trusted, &v);
        if (!memchr(v.client, '\0', sizeof v.client) || !memchr(v.base, '\0', sizeof v.base))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *field[F_COUNT] = {0};
    char *p = buf;
    for (size_t i = 0; i < F_COUNT && p; i++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        field[i] = p;
        p = nl ? nl + 1 : NULL;
    }
    if (field[F_PATH])
        fuzz_route(field[F_METHOD], (char *)field[F_PATH]);
    else
        (void)router_method(field[F_METHOD]);

    (void)encoding_accepts_gzip(field[F_ACCEPT_ENCODING]);
    fuzz_cache(field[F_IF_NONE_MATCH], field[F_IF_MODIFIED_SINCE]);
    static const char *const settings[] = {"", "*",
                                           "https://app.example.com, https://b.example.org:8443"};
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        const char *allow = cors_allow_origin(settings[i], field[F_ORIGIN]);
        if (allow && strcmp(allow, "*") != 0 &&
            (!field[F_ORIGIN] || strcmp(allow, field[F_ORIGIN]) != 0))
            abort(); /* only "*" or the origin itself may be echoed */
    }
    fuzz_proxy(field[F_XFF], field[F_XPROTO], field[F_XHOST]);
    free(buf);
    return 0;
}
