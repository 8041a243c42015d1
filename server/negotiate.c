#include "server/negotiate.h"

#include "models/catalog.h"
#include "server/cache.h"
#include "server/cors.h"
#include "server/encoding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
header(const struct request *req, const char *name)
{
    return req->header ? req->header(req, name) : NULL;
}

static void
add_cors(const struct request *req, struct response *resp, const struct config *cfg)
{
    const char *allow = cors_allow_origin(cfg->cors_origins, header(req, "Origin"));
    if (!allow)
        return;
    response_header(resp, "Access-Control-Allow-Origin", allow);
    response_header(resp, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
}

void
negotiate_preflight(const struct request *req, struct response *resp, const struct config *cfg,
                    const char *allow)
{
    resp->status = 204;
    response_header(resp, "Allow", allow);
    const char *origin = cors_allow_origin(cfg->cors_origins, header(req, "Origin"));
    if (strcmp(cfg->cors_origins, "*") != 0 && cfg->cors_origins[0])
        response_header(resp, "Vary", "Origin");
    if (!origin)
        return;
    char age[16];
    snprintf(age, sizeof age, "%d", cfg->cors_max_age);
    response_header(resp, "Access-Control-Allow-Origin", origin);
    response_header(resp, "Access-Control-Allow-Methods", allow);
    response_header(resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    response_header(resp, "Access-Control-Max-Age", age);
}

/* Cache-Control for content: public or private, then the configured ages.
 * The value depends only on those four settings, so each thread formats it
 * once for the ones it last saw. */
static void
cache_control(struct response *resp, const struct config *cfg, bool private_reads)
{
    static __thread struct {
        int max_age, s_maxage, swr;
        bool private_reads;
        char v[160];
    } last;
    if (!last.v[0] || last.private_reads != private_reads || last.max_age != cfg->cache_max_age ||
        last.s_maxage != cfg->cache_s_maxage || last.swr != cfg->cache_stale_while_revalidate) {
        char *v = last.v;
        size_t n = (size_t)snprintf(v, sizeof last.v, "%s", private_reads ? "private" : "public");
        if (cfg->cache_max_age >= 0)
            n += (size_t)snprintf(v + n, sizeof last.v - n, ", max-age=%d", cfg->cache_max_age);
        if (cfg->cache_s_maxage >= 0 && !private_reads)
            n += (size_t)snprintf(v + n, sizeof last.v - n, ", s-maxage=%d", cfg->cache_s_maxage);
        if (cfg->cache_stale_while_revalidate >= 0)
            snprintf(v + n, sizeof last.v - n, ", stale-while-revalidate=%d",
                     cfg->cache_stale_while_revalidate);
        last.max_age = cfg->cache_max_age;
        last.s_maxage = cfg->cache_s_maxage;
        last.swr = cfg->cache_stale_while_revalidate;
        last.private_reads = private_reads;
    }
    response_header(resp, "Cache-Control", last.v);
}

void
negotiate_response(const struct request *req, struct response *resp, const struct config *cfg,
                   bool content, bool private_reads)
{
    add_cors(req, resp, cfg);
    bool read = req->method == HTTP_GET || req->method == HTTP_HEAD;
    if (!read || resp->status != 200 || !content) {
        if (read || req->method == HTTP_POST || resp->status >= 400)
            response_header(resp, "Cache-Control", "no-store");
        return;
    }
    bool list_origins = cfg->cors_origins[0] && strcmp(cfg->cors_origins, "*") != 0;
    bool compressible = resp->pre_gzipped || resp->body_len >= ENCODING_MIN_BYTES;
    bool gzip = resp->pre_gzipped ||
                (compressible && encoding_accepts_gzip(header(req, "Accept-Encoding")));
    if (!resp->etag[0])
        catalog_etag(resp->body, resp->body_len, resp->etag);
    /* Last-Modified has one-second resolution: a time in the current second
     * could still change within it, so it is neither sent nor compared until
     * the second has passed. Every response that carried a date D was sent
     * after D, so any later change has a later date: no 304 for a stale copy. */
    long long now = (long long)time(NULL);
    long long modified = resp->last_modified > 0 && resp->last_modified < now
                             ? resp->last_modified
                             : 0;
    /* The gzip form is another representation, so it has its own strong tag. */
    char etag[40];
    size_t n = strlen(resp->etag); /* at most 31: a quoted tag */
    memcpy(etag, resp->etag, n - 1);
    memcpy(etag + n - 1, gzip ? "-gzip\"" : "\"", gzip ? 7 : 2);
    response_header(resp, "ETag", etag);
    if (modified) {
        char date[40];
        cache_format_date(modified, date, sizeof date);
        response_header(resp, "Last-Modified", date);
    }
    cache_control(resp, cfg, private_reads);
    if (compressible || list_origins)
        response_header(resp, "Vary",
                        compressible && list_origins ? "Accept-Encoding, Origin"
                        : compressible               ? "Accept-Encoding"
                                                     : "Origin");
    if (resp->pre_gzipped) {
        response_header(resp, "Content-Encoding", "gzip");
    } else if (gzip) {
        size_t zlen = resp->gzip_len;
        char *z = resp->gzip ? NULL : encoding_gzip(resp->body, resp->body_len, &zlen);
        if (resp->gzip)
            response_borrow_body(resp, 200, resp->content_type, resp->gzip, zlen);
        else if (z)
            response_take_body(resp, 200, resp->content_type, z, zlen);
        if (resp->gzip || z)
            response_header(resp, "Content-Encoding", "gzip");
    }
    if (cache_not_modified(header(req, "If-None-Match"), header(req, "If-Modified-Since"), etag,
                           modified)) {
        /* The body stays: the transport sends none with a 304, and its length
         * becomes the Content-Length, the one the 200 would have had. */
        resp->status = 304;
        resp->content_type = NULL;
    }
}
