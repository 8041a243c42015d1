/* Caching, compression and CORS headers of the real server (issue 6, points
 * 2-4): validators and 304s, Cache-Control and Vary, gzip negotiated with
 * q-values, CORS origins and preflights. curl's own decompression stays off
 * (no CURLOPT_ACCEPT_ENCODING): Accept-Encoding is a plain header here and
 * the tests inflate the body themselves (harness_gunzip). */
#include "handlers/service.h"
#include "tests/support/harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NELEMS(a) (sizeof(a) / sizeof *(a))

#define SEED "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"
#define APP "https://app.example.com"
#define ADMIN "https://admin.example.com"
#define TOKEN "test-write-token"
#define READ_TOKEN "test-read-token"

/* Every content GET: an article, the list (two pages), an article's entities and quotes. */
static const char *const content_paths[] = {
    SEED, "/v1/articles", "/v1/articles?page=2&per_page=2", SEED "/entities", SEED "/quotes",
};

static struct harness h;
static char dir[64];

static void
stop(void)
{
    if (h.svc)
        harness_stop(&h);
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
        dir[0] = '\0';
    }
}

/* ---- helpers ------------------------------------------------------------ */

static const char *
or_else(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

/* GET (or HEAD, ...) with up to three extra header lines, NULL where unused. */
static void
call(const char *method, const char *path, const char *h1, const char *h2, const char *h3,
     struct http_reply *r)
{
    const char *hdrs[4] = {NULL};
    size_t n = 0;
    if (h1)
        hdrs[n++] = h1;
    if (h2)
        hdrs[n++] = h2;
    if (h3)
        hdrs[n++] = h3;
    http_call(&h, method, path, NULL, hdrs, r);
}

static void
expect_header(const struct http_reply *r, const char *name, const char *want, const char *ctx)
{
    char *got = http_header(r, name);
    if (want)
        cr_expect(got && strcmp(got, want) == 0, "%s: %s `%s`, want `%s`", ctx, name,
                  or_else(got, "(absent)"), want);
    else
        cr_expect_null(got, "%s: unexpected %s: %s", ctx, name, got);
    free(got);
}

/* True when the comma-separated header value list holds item (case-insensitively). */
static bool
list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && strncasecmp(p, item, n) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

/* A strong entity tag: a quoted opaque string, no W/ prefix. */
static bool
strong_etag(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    return n >= 3 && t[0] == '"' && strchr(t + 1, '"') == t + n - 1;
}

/* Last-Modified is the second after a change and is withheld until the clock
 * has passed it (catalog_modified_at): waits, at most 3 s, until path has one. */
static void
await_last_modified(const char *path)
{
    for (int i = 0; i < 30; i++) {
        struct http_reply r;
        call("GET", path, NULL, NULL, NULL, &r);
        char *lm = http_header(&r, "Last-Modified");
        http_reply_free(&r);
        free(lm);
        if (lm)
            return;
        usleep(100000);
    }
    cr_assert_fail("%s never got a Last-Modified", path);
}

/* ---- default configuration ---------------------------------------------- */

static void
start_defaults(void)
{
    harness_start(&h, "data/articles", NULL);
}

TestSuite(headers, .init = start_defaults, .fini = stop, .timeout = 60);

Test(headers, sends_a_strong_etag_and_last_modified_on_every_content_get)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++)
        await_last_modified(content_paths[i]);
    time_t now = time(NULL);
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        const char *path = content_paths[i];
        struct http_reply r;
        call("GET", path, NULL, NULL, NULL, &r);
        cr_assert_eq(r.status, 200, "%s: %ld", path, r.status);
        char *etag = http_header(&r, "ETag"), *lm = http_header(&r, "Last-Modified");
        cr_expect(strong_etag(etag), "%s: ETag `%s` is not strong", path,
                  or_else(etag, "(absent)"));
        cr_expect_not_null(lm, "%s: no Last-Modified", path);
        if (lm) {
            time_t t = curl_getdate(lm, NULL);
            cr_expect(t > 0 && t <= now + 1, "%s: Last-Modified `%s` is not a past HTTP date", path,
                      lm);
            cr_expect(strlen(lm) == 29 && strcmp(lm + 25, " GMT") == 0, "%s: not IMF-fixdate: %s",
                      path, lm);
        }
        /* The same bytes, the same tag: a validator is stable between requests. */
        struct http_reply again;
        call("GET", path, NULL, NULL, NULL, &again);
        expect_header(&again, "ETag", etag, path);
        expect_header(&again, "Last-Modified", lm, path);
        free(etag);
        free(lm);
        http_reply_free(&again);
        http_reply_free(&r);
    }
}

Test(headers, gives_different_representations_different_etags)
{
    char *tags[NELEMS(content_paths)];
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply r;
        call("GET", content_paths[i], NULL, NULL, NULL, &r);
        tags[i] = http_header(&r, "ETag");
        cr_assert_not_null(tags[i], "%s", content_paths[i]);
        http_reply_free(&r);
    }
    for (size_t i = 0; i < NELEMS(content_paths); i++)
        for (size_t j = i + 1; j < NELEMS(content_paths); j++)
            cr_expect_str_neq(tags[i], tags[j], "%s and %s share a tag", content_paths[i],
                              content_paths[j]);
    for (size_t i = 0; i < NELEMS(content_paths); i++)
        free(tags[i]);
}

Test(headers, answers_304_to_if_none_match_with_the_identity_or_the_gzip_tag)
{
    static const char *const methods[] = {"GET", "HEAD"};
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        const char *path = content_paths[i];
        struct http_reply plain, gz;
        call("GET", path, NULL, NULL, NULL, &plain);
        call("GET", path, "Accept-Encoding: gzip", NULL, NULL, &gz);
        char *tag = http_header(&plain, "ETag"), *gztag = http_header(&gz, "ETag");
        cr_assert(tag && gztag, "%s", path);
        char *ce = http_header(&gz, "Content-Encoding");
        if (ce) /* a gzip body has its own tag */
            cr_expect_str_neq(tag, gztag, "%s: gzip and identity share a tag", path);
        free(ce);
        char inm[96], inm_gz[96], inm_list[200];
        snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
        snprintf(inm_gz, sizeof inm_gz, "If-None-Match: %s", gztag);
        snprintf(inm_list, sizeof inm_list, "If-None-Match: \"nope\", %s", tag);
        for (size_t m = 0; m < NELEMS(methods); m++) {
            struct {
                const char *h1, *h2;
                long status;
            } cases[] = {
                {inm, NULL, 304},
                {inm_list, NULL, 304},
                {"If-None-Match: *", NULL, 304},
                {inm_gz, "Accept-Encoding: gzip", 304},
                {"If-None-Match: \"0000000000000000\"", NULL, 200},
            };
            for (size_t c = 0; c < NELEMS(cases); c++) {
                struct http_reply r;
                call(methods[m], path, cases[c].h1, cases[c].h2, NULL, &r);
                cr_expect_eq(r.status, cases[c].status, "%s %s [%s] [%s]: %ld", methods[m], path,
                             cases[c].h1, or_else(cases[c].h2, ""), r.status);
                if (r.status == 304) {
                    cr_expect_eq(r.len, 0, "%s: a 304 has no body", path);
                    char *t = http_header(&r, "ETag"), *enc = http_header(&r, "Content-Encoding");
                    cr_expect(t && (strcmp(t, tag) == 0 || strcmp(t, gztag) == 0),
                              "%s: 304 ETag `%s`", path, or_else(t, "(absent)"));
                    /* Content-Encoding, when a 304 repeats it, names the coding of the
                     * representation its tag validates. */
                    bool gz_rep = t && strcmp(t, gztag) == 0 && strcmp(tag, gztag) != 0;
                    cr_expect(!enc || (gz_rep && strcmp(enc, "gzip") == 0),
                              "%s: 304 for %s with Content-Encoding %s", path, or_else(t, "?"),
                              enc);
                    free(enc);
                    free(t);
                    /* RFC 9110 15.4.5: the 304 repeats Cache-Control and Vary. */
                    char *cc = http_header(&r, "Cache-Control");
                    cr_expect_not_null(cc, "%s: 304 without Cache-Control", path);
                    free(cc);
                }
                http_reply_free(&r);
            }
        }
        free(tag);
        free(gztag);
        http_reply_free(&plain);
        http_reply_free(&gz);
    }
}

Test(headers, sends_no_content_length_on_a_304_but_the_200s)
{
    /* RFC 9110 8.6: a server MUST NOT send Content-Length in a 304 unless its value
     * is the length the 200 would have had; `Content-Length: 0` is a false one. */
    static const char *const methods[] = {"GET", "HEAD"};
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply full;
        call("GET", content_paths[i], NULL, NULL, NULL, &full);
        char *tag = http_header(&full, "ETag"), inm[96];
        snprintf(inm, sizeof inm, "If-None-Match: %s", or_else(tag, "*"));
        for (size_t m = 0; m < NELEMS(methods); m++) {
            struct http_reply r;
            call(methods[m], content_paths[i], inm, NULL, NULL, &r);
            cr_expect_eq(r.status, 304);
            char *cl = http_header(&r, "Content-Length");
            cr_expect(!cl || strtoul(cl, NULL, 10) == full.len,
                      "%s %s: 304 with Content-Length %s (the 200 has %zu bytes)", methods[m],
                      content_paths[i], cl, full.len);
            free(cl);
            http_reply_free(&r);
        }
        free(tag);
        http_reply_free(&full);
    }
}

Test(headers, answers_if_modified_since_from_last_modified)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        const char *path = content_paths[i];
        await_last_modified(path);
        struct http_reply first;
        call("GET", path, NULL, NULL, NULL, &first);
        char *lm = http_header(&first, "Last-Modified");
        cr_assert_not_null(lm, "%s", path);
        time_t t = curl_getdate(lm, NULL);
        cr_assert(t > 1, "%s: %s", path, lm);
        char same[96], older[96], newer[96], bogus[96];
        snprintf(same, sizeof same, "If-Modified-Since: %s", lm);
        struct tm tm;
        time_t before = t - 1, after = t + 3600;
        gmtime_r(&before, &tm);
        strftime(older, sizeof older, "If-Modified-Since: %a, %d %b %Y %H:%M:%S GMT", &tm);
        gmtime_r(&after, &tm);
        strftime(newer, sizeof newer, "If-Modified-Since: %a, %d %b %Y %H:%M:%S GMT", &tm);
        snprintf(bogus, sizeof bogus, "If-Modified-Since: %s", "not a date");
        struct {
            const char *ims;
            long status;
        } cases[] = {{same, 304}, {newer, 304}, {older, 200}, {bogus, 200}};
        for (size_t c = 0; c < NELEMS(cases); c++) {
            struct http_reply r;
            call("GET", path, cases[c].ims, NULL, NULL, &r);
            cr_expect_eq(r.status, cases[c].status, "%s [%s]: %ld", path, cases[c].ims, r.status);
            if (cases[c].status == 200)
                cr_expect(r.len == first.len && memcmp(r.body, first.body, r.len) == 0,
                          "%s: a 200 sends the whole body", path);
            else
                cr_expect_eq(r.len, 0);
            http_reply_free(&r);
        }
        /* If-None-Match wins: a stale tag gets the body even with a current date. */
        struct http_reply r;
        call("GET", path, same, "If-None-Match: \"stale\"", NULL, &r);
        cr_expect_eq(r.status, 200, "%s: If-None-Match must win over If-Modified-Since", path);
        http_reply_free(&r);
        free(lm);
        http_reply_free(&first);
    }
}

Test(headers, sends_the_default_cache_control_on_content_and_no_store_elsewhere)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply r;
        call("GET", content_paths[i], NULL, NULL, NULL, &r);
        expect_header(&r, "Cache-Control", "public, max-age=60, stale-while-revalidate=30",
                      content_paths[i]);
        http_reply_free(&r);
    }
    static const char *const non_content[] = {
        "/healthz", "/readyz",      "/v1/articles/no-such-article", "/v1/articles?page=0",
        "/nowhere", SEED "/nothing"};
    for (size_t i = 0; i < NELEMS(non_content); i++) {
        struct http_reply r;
        call("GET", non_content[i], "Accept-Encoding: gzip", NULL, NULL, &r);
        expect_header(&r, "Cache-Control", "no-store", non_content[i]);
        expect_header(&r, "ETag", NULL, non_content[i]);
        http_reply_free(&r);
    }
}

Test(headers, varies_on_accept_encoding_only_without_a_cors_list)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply r;
        call("GET", content_paths[i], "Origin: " APP, NULL, NULL, &r);
        if (r.len >= 1024)
            expect_header(&r, "Vary", "Accept-Encoding", content_paths[i]);
        else
            expect_header(&r, "Vary", NULL, content_paths[i]);
        http_reply_free(&r);
    }
}

struct accept_case {
    const char *accept_encoding; /* a whole header line; NULL: none */
    bool gzip;
};

Test(headers, negotiates_gzip_from_accept_encoding_q_values)
{
    static const struct accept_case cases[] = {
        {NULL, false},
        {"Accept-Encoding: gzip", true},
        {"Accept-Encoding: GZIP", true},
        {"Accept-Encoding: x-gzip", true},
        {"Accept-Encoding: br;q=1.0, gzip;q=0.8, *;q=0.1", true},
        {"Accept-Encoding: *", true},
        {"Accept-Encoding: gzip;q=0", false},
        {"Accept-Encoding: gzip; q=0.000", false},
        {"Accept-Encoding: *, gzip;q=0", false},
        {"Accept-Encoding: *;q=0", false},
        {"Accept-Encoding: identity", false},
        {"Accept-Encoding: br, deflate", false},
        {"Accept-Encoding:", false},
    };
    for (size_t p = 0; p < NELEMS(content_paths); p++) {
        const char *path = content_paths[p];
        struct http_reply identity;
        call("GET", path, NULL, NULL, NULL, &identity);
        cr_assert_eq(identity.status, 200);
        bool big = identity.len >= 1024;
        char *tag = http_header(&identity, "ETag");
        for (size_t i = 0; i < NELEMS(cases); i++) {
            const char *ae = or_else(cases[i].accept_encoding, "(no Accept-Encoding)");
            struct http_reply r;
            call("GET", path, cases[i].accept_encoding, NULL, NULL, &r);
            cr_assert_eq(r.status, 200, "%s [%s]", path, ae);
            char *ce = http_header(&r, "Content-Encoding"), *etag = http_header(&r, "ETag");
            if (cases[i].gzip && big) {
                cr_expect(ce && strcmp(ce, "gzip") == 0, "%s [%s]: not gzip", path, ae);
                size_t n = 0;
                char *plain = harness_gunzip(r.body, r.len, &n);
                cr_expect_not_null(plain, "%s [%s]: the body is not gzip", path, ae);
                cr_expect(plain && n == identity.len && memcmp(plain, identity.body, n) == 0,
                          "%s [%s]: inflates to %zu bytes, not the identity body's %zu", path, ae,
                          n, identity.len);
                cr_expect_lt(r.len, identity.len, "%s: gzip is not smaller", path);
                free(plain);
                char want[64];
                snprintf(want, sizeof want, "%.*s-gzip\"", (int)strlen(tag) - 1, tag);
                cr_expect(etag && strcmp(etag, want) == 0, "%s [%s]: gzip ETag `%s`, want `%s`",
                          path, ae, or_else(etag, "(absent)"), want);
            } else {
                cr_expect_null(ce, "%s [%s]: Content-Encoding %s", path, ae, ce);
                cr_expect(r.len == identity.len && memcmp(r.body, identity.body, r.len) == 0,
                          "%s [%s]: not the identity body", path, ae);
                cr_expect(etag && strcmp(etag, tag) == 0, "%s [%s]: ETag %s, want %s", path, ae,
                          or_else(etag, "(absent)"), tag);
            }
            free(ce);
            free(etag);
            http_reply_free(&r);
        }
        free(tag);
        http_reply_free(&identity);
    }
}

Test(headers, answers_head_with_the_headers_of_get)
{
    static const char *const compared[] = {"ETag",           "Last-Modified", "Cache-Control",
                                           "Vary",           "Content-Type",  "Content-Encoding",
                                           "Content-Length", "X-Total-Count", "Link"};
    static const char *const encodings[] = {NULL, "Accept-Encoding: gzip",
                                            "Accept-Encoding: gzip;q=0"};
    for (size_t p = 0; p < NELEMS(content_paths); p++) {
        for (size_t e = 0; e < NELEMS(encodings); e++) {
            struct http_reply get, head;
            call("GET", content_paths[p], encodings[e], NULL, NULL, &get);
            call("HEAD", content_paths[p], encodings[e], NULL, NULL, &head);
            cr_expect_eq(head.status, get.status);
            cr_expect_eq(head.len, 0, "HEAD has no body");
            char ctx[160];
            snprintf(ctx, sizeof ctx, "HEAD %s [%s]", content_paths[p],
                     or_else(encodings[e], "identity"));
            for (size_t i = 0; i < NELEMS(compared); i++) {
                char *want = http_header(&get, compared[i]);
                expect_header(&head, compared[i], want, ctx);
                free(want);
            }
            char *cl = http_header(&get, "Content-Length");
            cr_expect(cl && (size_t)atol(cl) == get.len, "%s: Content-Length %s, body %zu", ctx,
                      or_else(cl, "(absent)"), get.len);
            free(cl);
            http_reply_free(&get);
            http_reply_free(&head);
        }
    }
}

Test(headers, leaves_tiny_bodies_uncompressed)
{
    /* /healthz, /readyz and a page past the last are all far below the threshold. */
    static const char *const tiny[] = {"/healthz", "/readyz", "/v1/articles?page=99"};
    for (size_t i = 0; i < NELEMS(tiny); i++) {
        struct http_reply r;
        call("GET", tiny[i], "Accept-Encoding: gzip", NULL, NULL, &r);
        cr_expect_eq(r.status, 200, "%s", tiny[i]);
        cr_expect_lt(r.len, 1024, "%s is not tiny: %zu bytes", tiny[i], r.len);
        cr_expect(r.len > 0 && r.body[0] == '{', "%s: not plain JSON", tiny[i]);
        expect_header(&r, "Content-Encoding", NULL, tiny[i]);
        expect_header(&r, "Vary", NULL, tiny[i]);
        http_reply_free(&r);
    }
    /* A tiny content body still gets its validators. */
    struct http_reply r;
    call("GET", "/v1/articles?page=99", "Accept-Encoding: gzip", NULL, NULL, &r);
    char *etag = http_header(&r, "ETag");
    cr_expect(strong_etag(etag), "ETag `%s`", or_else(etag, "(absent)"));
    cr_expect(etag && !strstr(etag, "gzip"), "identity tag: %s", etag);
    free(etag);
    http_reply_free(&r);
}

Test(headers, sends_no_cors_headers_when_cors_is_off)
{
    static const char *const paths[] = {SEED, "/v1/articles", "/healthz", "/nowhere"};
    for (size_t i = 0; i < NELEMS(paths); i++) {
        struct http_reply r;
        call("GET", paths[i], "Origin: " APP, NULL, NULL, &r);
        expect_header(&r, "Access-Control-Allow-Origin", NULL, paths[i]);
        expect_header(&r, "Access-Control-Expose-Headers", NULL, paths[i]);
        http_reply_free(&r);
    }
    struct http_reply r;
    call("OPTIONS", SEED, "Origin: " APP, "Access-Control-Request-Method: GET", NULL, &r);
    cr_expect_eq(r.status, 204);
    char *allow = http_header(&r, "Allow");
    cr_expect(allow && list_has(allow, "GET"), "Allow `%s`", or_else(allow, "(absent)"));
    free(allow);
    static const char *const absent[] = {"Access-Control-Allow-Origin",
                                         "Access-Control-Allow-Methods",
                                         "Access-Control-Allow-Headers", "Access-Control-Max-Age"};
    for (size_t i = 0; i < NELEMS(absent); i++)
        expect_header(&r, absent[i], NULL, "preflight with CORS off");
    http_reply_free(&r);
}

/* ---- tuned: custom ages, CORS for any origin ---------------------------- */

static void
tuned(struct config *cfg)
{
    cfg->cache_max_age = 300;
    cfg->cache_s_maxage = 3600;
    cfg->cache_stale_while_revalidate = -1;
    snprintf(cfg->cors_origins, sizeof cfg->cors_origins, "*");
    cfg->cors_max_age = 1234;
    cfg->max_body_bytes = 1000;
}

static void
start_tuned(void)
{
    harness_start(&h, "data/articles", tuned);
}

TestSuite(headers_tuned, .init = start_tuned, .fini = stop, .timeout = 60);

Test(headers_tuned, sends_cache_control_with_the_configured_ages)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply r, nm;
        call("GET", content_paths[i], NULL, NULL, NULL, &r);
        expect_header(&r, "Cache-Control", "public, max-age=300, s-maxage=3600", content_paths[i]);
        char *tag = http_header(&r, "ETag"), inm[96];
        snprintf(inm, sizeof inm, "If-None-Match: %s", or_else(tag, "\"\""));
        call("GET", content_paths[i], inm, NULL, NULL, &nm);
        cr_expect_eq(nm.status, 304);
        expect_header(&nm, "Cache-Control", "public, max-age=300, s-maxage=3600", "the 304");
        free(tag);
        http_reply_free(&nm);
        http_reply_free(&r);
    }
}

Test(headers_tuned, allows_any_origin_and_exposes_the_headers_a_frontend_reads)
{
    static const char *const origins[] = {APP, "https://anyone.test", "null",
                                          "http://localhost:3000"};
    static const char *const paths[] = {SEED, "/v1/articles", "/healthz", "/nowhere"};
    for (size_t o = 0; o < NELEMS(origins); o++) {
        for (size_t p = 0; p < NELEMS(paths); p++) {
            char origin[96], ctx[160];
            snprintf(origin, sizeof origin, "Origin: %s", origins[o]);
            snprintf(ctx, sizeof ctx, "%s from %s", paths[p], origins[o]);
            struct http_reply r;
            call("GET", paths[p], origin, NULL, NULL, &r);
            expect_header(&r, "Access-Control-Allow-Origin", "*", ctx);
            char *expose = http_header(&r, "Access-Control-Expose-Headers");
            static const char *const exposed[] = {"ETag", "Link", "X-Total-Count", "X-Request-Id"};
            for (size_t i = 0; i < NELEMS(exposed); i++)
                cr_expect(expose && list_has(expose, exposed[i]), "%s: %s not in `%s`", ctx,
                          exposed[i], or_else(expose, "(absent)"));
            free(expose);
            /* `*` does not depend on the Origin, so nothing varies on it. */
            char *vary = http_header(&r, "Vary");
            cr_expect(!vary || !list_has(vary, "Origin"), "%s: Vary `%s`", ctx, vary);
            free(vary);
            http_reply_free(&r);
        }
    }
    struct http_reply r;
    call("GET", SEED, NULL, NULL, NULL, &r);
    expect_header(&r, "Access-Control-Allow-Origin", NULL, "a request without Origin");
    http_reply_free(&r);
}

Test(headers_tuned, answers_a_preflight_with_methods_headers_and_max_age)
{
    static const struct {
        const char *path, *method, *must_allow;
    } cases[] = {
        {SEED, "PUT", "PUT"},
        {SEED, "DELETE", "DELETE"},
        {"/v1/articles", "POST", "POST"},
        {"/v1/articles", "GET", "GET"},
        {SEED "/entities", "GET", "GET"},
    };
    for (size_t i = 0; i < NELEMS(cases); i++) {
        char acrm[96];
        snprintf(acrm, sizeof acrm, "Access-Control-Request-Method: %s", cases[i].method);
        struct http_reply r;
        call("OPTIONS", cases[i].path, "Origin: " APP, acrm,
             "Access-Control-Request-Headers: authorization, content-type, if-match", &r);
        cr_expect_eq(r.status, 204, "%s: %ld", cases[i].path, r.status);
        cr_expect_eq(r.len, 0);
        expect_header(&r, "Access-Control-Allow-Origin", "*", cases[i].path);
        expect_header(&r, "Access-Control-Max-Age", "1234", cases[i].path);
        char *methods = http_header(&r, "Access-Control-Allow-Methods");
        cr_expect(methods && list_has(methods, cases[i].must_allow), "%s: Allow-Methods `%s`",
                  cases[i].path, or_else(methods, "(absent)"));
        free(methods);
        char *allowed = http_header(&r, "Access-Control-Allow-Headers");
        static const char *const needed[] = {"Authorization", "Content-Type", "If-Match"};
        for (size_t n = 0; n < NELEMS(needed); n++)
            cr_expect(allowed && list_has(allowed, needed[n]), "%s: %s not in `%s`", cases[i].path,
                      needed[n], or_else(allowed, "(absent)"));
        free(allowed);
        http_reply_free(&r);
    }
}

Test(headers_tuned, adds_cors_and_no_store_to_a_refusal_made_before_the_handler)
{
    /* A 413 answered from Content-Length alone is still read by a browser script
     * only when it carries Access-Control-Allow-Origin. */
    char body[2001];
    memset(body, 'a', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    static const char *const hdrs[] = {"Origin: " APP, "Content-Type: text/plain", NULL};
    struct http_reply r;
    http_call(&h, "POST", "/v1/annotate", body, hdrs, &r);
    cr_expect_eq(r.status, 413, "%ld %s", r.status, r.body);
    expect_header(&r, "Access-Control-Allow-Origin", "*", "the 413");
    expect_header(&r, "Cache-Control", "no-store", "the 413");
    http_reply_free(&r);
}

/* ---- a list of origins -------------------------------------------------- */

static void
origin_list(struct config *cfg)
{
    snprintf(cfg->cors_origins, sizeof cfg->cors_origins, "%s", APP ", " ADMIN);
    cfg->cors_max_age = 77;
}

static void
start_origin_list(void)
{
    harness_start(&h, "data/articles", origin_list);
}

TestSuite(headers_cors_list, .init = start_origin_list, .fini = stop, .timeout = 60);

Test(headers_cors_list, allows_only_the_listed_origins)
{
    static const struct {
        const char *origin, *allow;
    } cases[] = {
        {APP, APP},
        {ADMIN, ADMIN},
        {"https://app.example.com.evil.test", NULL},
        {"https://evil.test", NULL},
        {"http://app.example.com", NULL},
        {"https://app.example.com:8443", NULL},
        {"null", NULL},
    };
    static const char *const paths[] = {SEED, "/v1/articles", "/nowhere"};
    for (size_t i = 0; i < NELEMS(cases); i++) {
        for (size_t p = 0; p < NELEMS(paths); p++) {
            char origin[96], ctx[160];
            snprintf(origin, sizeof origin, "Origin: %s", cases[i].origin);
            snprintf(ctx, sizeof ctx, "%s from %s", paths[p], cases[i].origin);
            struct http_reply r;
            call("GET", paths[p], origin, NULL, NULL, &r);
            expect_header(&r, "Access-Control-Allow-Origin", cases[i].allow, ctx);
            char *expose = http_header(&r, "Access-Control-Expose-Headers");
            if (cases[i].allow)
                cr_expect(expose && list_has(expose, "X-Total-Count"), "%s: Expose `%s`", ctx,
                          or_else(expose, "(absent)"));
            else
                cr_expect_null(expose, "%s: Expose `%s` for a refused origin", ctx, expose);
            free(expose);
            http_reply_free(&r);
        }
    }
}

Test(headers_cors_list, varies_on_origin_as_well_as_accept_encoding)
{
    static const char *const origins[] = {"Origin: " APP, "Origin: https://evil.test", NULL};
    for (size_t p = 0; p < NELEMS(content_paths); p++) {
        for (size_t o = 0; o < NELEMS(origins); o++) {
            struct http_reply r;
            call("GET", content_paths[p], origins[o], NULL, NULL, &r);
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s [%s]", content_paths[p], or_else(origins[o], "none"));
            expect_header(&r, "Vary", r.len >= 1024 ? "Accept-Encoding, Origin" : "Origin", ctx);
            http_reply_free(&r);
        }
    }
}

Test(headers_cors_list, answers_a_listed_origins_preflight_and_refuses_others)
{
    struct http_reply r;
    call("OPTIONS", SEED, "Origin: " ADMIN, "Access-Control-Request-Method: PUT",
         "Access-Control-Request-Headers: if-match", &r);
    cr_expect_eq(r.status, 204);
    expect_header(&r, "Access-Control-Allow-Origin", ADMIN, "listed preflight");
    expect_header(&r, "Access-Control-Max-Age", "77", "listed preflight");
    expect_header(&r, "Vary", "Origin", "listed preflight");
    char *methods = http_header(&r, "Access-Control-Allow-Methods");
    cr_expect(methods && list_has(methods, "PUT"), "Allow-Methods `%s`", methods);
    free(methods);
    http_reply_free(&r);

    static const char *const refused[] = {"Origin: https://app.example.com.evil.test",
                                          "Origin: https://evil.test"};
    for (size_t i = 0; i < NELEMS(refused); i++) {
        call("OPTIONS", SEED, refused[i], "Access-Control-Request-Method: PUT", NULL, &r);
        cr_expect_eq(r.status, 204, "%s: %ld", refused[i], r.status);
        expect_header(&r, "Access-Control-Allow-Origin", NULL, refused[i]);
        expect_header(&r, "Access-Control-Allow-Methods", NULL, refused[i]);
        expect_header(&r, "Access-Control-Allow-Headers", NULL, refused[i]);
        expect_header(&r, "Access-Control-Max-Age", NULL, refused[i]);
        char *allow = http_header(&r, "Allow");
        cr_expect(allow && list_has(allow, "GET"), "%s: Allow `%s`", refused[i], allow);
        free(allow);
        http_reply_free(&r);
    }
}

/* ---- reads behind a token ----------------------------------------------- */

static void
private_reads(struct config *cfg)
{
    snprintf(cfg->read_token, sizeof cfg->read_token, "%s", READ_TOKEN);
    snprintf(cfg->cors_origins, sizeof cfg->cors_origins, "*");
}

static void
start_private(void)
{
    harness_start(&h, "data/articles", private_reads);
}

TestSuite(headers_private, .init = start_private, .fini = stop, .timeout = 60);

Test(headers_private, marks_content_behind_a_read_token_private)
{
    for (size_t i = 0; i < NELEMS(content_paths); i++) {
        struct http_reply r;
        call("GET", content_paths[i], "Authorization: Bearer " READ_TOKEN, NULL, NULL, &r);
        cr_expect_eq(r.status, 200, "%s: %ld", content_paths[i], r.status);
        expect_header(&r, "Cache-Control", "private, max-age=60, stale-while-revalidate=30",
                      content_paths[i]);
        http_reply_free(&r);
    }
}

Test(headers_private, answers_a_preflight_that_carries_no_token)
{
    /* A browser sends no Authorization on a preflight (Fetch standard, CORS-preflight request). */
    struct http_reply r;
    call("OPTIONS", SEED, "Origin: " APP, "Access-Control-Request-Method: GET",
         "Access-Control-Request-Headers: authorization", &r);
    cr_expect_eq(r.status, 204, "preflight: %ld %s", r.status, r.body);
    expect_header(&r, "Access-Control-Allow-Origin", "*", "preflight");
    char *allowed = http_header(&r, "Access-Control-Allow-Headers");
    cr_expect(allowed && list_has(allowed, "Authorization"), "Allow-Headers `%s`", allowed);
    free(allowed);
    http_reply_free(&r);
}

Test(headers_private, adds_cors_and_no_store_to_a_refused_read)
{
    /* Without Access-Control-Allow-Origin a browser hides the 401/403 from the
     * script (it sees a network error), so a frontend cannot tell it must log in. */
    static const char *const auths[] = {NULL, "Authorization: Bearer wrong-token"};
    static const long statuses[] = {401, 403};
    for (size_t i = 0; i < NELEMS(auths); i++) {
        struct http_reply r;
        call("GET", SEED, "Origin: " APP, auths[i], NULL, &r);
        cr_expect_eq(r.status, statuses[i]);
        char ctx[32];
        snprintf(ctx, sizeof ctx, "the %ld", statuses[i]);
        expect_header(&r, "Access-Control-Allow-Origin", "*", ctx);
        expect_header(&r, "Cache-Control", "no-store", ctx);
        http_reply_free(&r);
    }
}

/* ---- writes on a private copy ------------------------------------------- */

static const char *const auth[] = {"Authorization: Bearer " TOKEN, "Content-Type: application/json",
                                   NULL};

static void
with_token(struct config *cfg)
{
    snprintf(cfg->write_token, sizeof cfg->write_token, "%s", TOKEN);
}

static void
start_writable(void)
{
    snprintf(dir, sizeof dir, "/tmp/articled-headers-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp data/articles/*.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    harness_start(&h, dir, with_token);
}

TestSuite(headers_writes, .init = start_writable, .fini = stop, .timeout = 60);

static const char doc_v1[] =
    "{\"headline\":\"Council passes budget\",\"body\":[{\"type\":\"paragraph\","
    "\"text\":\"The council voted 7-6.\"}]}";
static const char doc_v2[] =
    "{\"headline\":\"Council passes budget after recount\",\"body\":[{\"type\":\"paragraph\","
    "\"text\":\"The recount confirmed it.\"}]}";

static void
put(const char *path, const char *doc, long want)
{
    struct http_reply r;
    http_call(&h, "PUT", path, doc, auth, &r);
    cr_assert_eq(r.status, want, "PUT %s: %ld %s", path, r.status, r.body);
    expect_header(&r, "Cache-Control", NULL, "a PUT response");
    http_reply_free(&r);
}

Test(headers_writes, changes_the_list_etag_after_a_write_and_stops_matching_the_old_one)
{
    static const char *const lists[] = {"/v1/articles", "/v1/articles?page=1&per_page=2"};
    char *before[NELEMS(lists)], *before_gz[NELEMS(lists)];
    for (size_t i = 0; i < NELEMS(lists); i++) {
        struct http_reply r;
        call("GET", lists[i], NULL, NULL, NULL, &r);
        before[i] = http_header(&r, "ETag");
        http_reply_free(&r);
        call("GET", lists[i], "Accept-Encoding: gzip", NULL, NULL, &r);
        before_gz[i] = http_header(&r, "ETag");
        http_reply_free(&r);
        cr_assert(before[i] && before_gz[i]);
    }
    put("/v1/articles/budget-vote", doc_v1, 201);
    for (size_t i = 0; i < NELEMS(lists); i++) {
        struct http_reply r;
        call("GET", lists[i], NULL, NULL, NULL, &r);
        char *after = http_header(&r, "ETag");
        cr_expect(after && strcmp(after, before[i]) != 0, "%s: ETag %s unchanged by a write",
                  lists[i], before[i]);
        cr_expect(strong_etag(after), "%s: %s", lists[i], after);
        free(after);
        http_reply_free(&r);
        char inm[96];
        snprintf(inm, sizeof inm, "If-None-Match: %s", before[i]);
        call("GET", lists[i], inm, NULL, NULL, &r);
        cr_expect_eq(r.status, 200, "%s: the old tag still gets 304", lists[i]);
        http_reply_free(&r);
        snprintf(inm, sizeof inm, "If-None-Match: %s", before_gz[i]);
        call("GET", lists[i], inm, "Accept-Encoding: gzip", NULL, &r);
        cr_expect_eq(r.status, 200, "%s: the old gzip tag still gets 304", lists[i]);
        http_reply_free(&r);
        free(before[i]);
        free(before_gz[i]);
    }
}

/* Sleeps until just after the wall clock starts a new second, so that the
 * steps that follow run within one second. */
static void
wait_for_a_fresh_second(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct timespec pause = {0, 1000000000L - now.tv_nsec + 5000000L};
    if (pause.tv_nsec >= 1000000000L)
        pause = (struct timespec){1, pause.tv_nsec - 1000000000L};
    nanosleep(&pause, NULL);
}

/* Sleeps for ms milliseconds. */
static void
sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* Checks that a client whose copy was sent in the second of a later change,
 * revalidating with If-Modified-Since set to that copy's header `kind`
 * (Last-Modified, or Date), gets the new content rather than a 304. HTTP dates
 * have a resolution of one second (RFC 9110 13.1.3). */
static void
expect_no_stale_304_by(const char *kind)
{
    static const char *const paths[] = {"/v1/articles", "/v1/articles/budget-vote"};
    wait_for_a_fresh_second();
    put("/v1/articles/budget-vote", doc_v1, 201);
    char *date[NELEMS(paths)], *tag[NELEMS(paths)];
    for (size_t i = 0; i < NELEMS(paths); i++) {
        struct http_reply r;
        call("GET", paths[i], NULL, NULL, NULL, &r);
        cr_assert_eq(r.status, 200);
        date[i] = http_header(&r, kind);
        tag[i] = http_header(&r, "ETag");
        cr_assert_not_null(tag[i], "%s: no ETag", paths[i]);
        http_reply_free(&r);
    }
    put("/v1/articles/budget-vote", doc_v2, 200);
    sleep_ms(1100); /* every date above is in the past now */
    for (size_t i = 0; i < NELEMS(paths); i++) {
        struct http_reply fresh, r;
        call("GET", paths[i], NULL, NULL, NULL, &fresh);
        char *now_tag = http_header(&fresh, "ETag"), *now_lm = http_header(&fresh, "Last-Modified");
        cr_expect(now_tag && strcmp(now_tag, tag[i]) != 0, "%s: the content did change", paths[i]);
        if (date[i]) { /* no such header on the old copy: nothing to revalidate with */
            char ims[96];
            snprintf(ims, sizeof ims, "If-Modified-Since: %s", date[i]);
            call("GET", paths[i], ims, NULL, NULL, &r);
            cr_expect_eq(r.status, 200,
                         "%s: 304 to If-Modified-Since `%s` (the old copy's %s) though the "
                         "content changed after it (ETag %s -> %s, Last-Modified now `%s`)",
                         paths[i], date[i], kind, tag[i], or_else(now_tag, "?"),
                         or_else(now_lm, "(absent)"));
            if (r.status == 200)
                cr_expect(strstr(r.body, "after recount") != NULL, "%s: not the new content",
                          paths[i]);
            http_reply_free(&r);
        }
        free(date[i]);
        free(now_tag);
        free(now_lm);
        free(tag[i]);
        http_reply_free(&fresh);
    }
}

Test(headers_writes, never_answers_304_to_a_last_modified_sent_before_a_change_in_its_second)
{
    expect_no_stale_304_by("Last-Modified");
}

Test(headers_writes, never_answers_304_to_a_date_sent_before_a_change_in_its_second)
{
    /* A cache may revalidate a copy that had no Last-Modified with its Date
     * (RFC 9110 13.1.3, RFC 9111 4.3.1). */
    char *date = NULL;
    struct http_reply r;
    call("GET", "/healthz", NULL, NULL, NULL, &r);
    date = http_header(&r, "Date");
    cr_assert_not_null(date, "the server sends no Date header");
    free(date);
    http_reply_free(&r);
    expect_no_stale_304_by("Date");
}

/* ---- reloading the content directory ------------------------------------ */

#define NEWEST "kim-visits-china.txt"
#define OLD_TIME 1735689600LL    /* Wed, 01 Jan 2025 00:00:00 GMT */
#define NEWEST_TIME 1748736000LL /* Sun, 01 Jun 2025 00:00:00 GMT */

/* A private copy whose files all date from OLD_TIME but NEWEST, from NEWEST_TIME. */
static void
start_dated(void)
{
    snprintf(dir, sizeof dir, "/tmp/articled-headers-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp data/articles/*.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    static const char *const names[] = {"central-bank-holds-rates.txt",
                                        "harbour-bridge-reopens.txt", NEWEST,
                                        "river-cleanup-volunteers.txt", "summit-talks-quotes.txt"};
    for (size_t i = 0; i < NELEMS(names); i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        time_t t = (time_t)(strcmp(names[i], NEWEST) == 0 ? NEWEST_TIME : OLD_TIME);
        struct timespec times[2] = {{t, 0}, {t, 0}};
        cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0, "%s", path);
    }
    harness_start(&h, dir, NULL);
}

TestSuite(headers_reload, .init = start_dated, .fini = stop, .timeout = 60);

Test(headers_reload, never_answers_304_for_a_list_that_lost_an_article_on_reload)
{
    /* Removing the newest file makes the list's newest date an older one; a
     * client holding the five-item list must not be told it is still current. */
    struct http_reply r;
    await_last_modified("/v1/articles");
    call("GET", "/v1/articles", NULL, NULL, NULL, &r);
    char *lm = http_header(&r, "Last-Modified"), *tag = http_header(&r, "ETag");
    cr_assert(lm, "Last-Modified of the list: `%s`", or_else(lm, "(absent)"));
    cr_assert_not_null(strstr(r.body, "\"total\":5"));
    http_reply_free(&r);

    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, NEWEST);
    cr_assert_eq(unlink(path), 0);
    const char *why = NULL;
    cr_assert_eq(service_reload(h.svc, &why), 0, "reload: %s", why);

    call("GET", "/v1/articles", NULL, NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"total\":4"), "the reload removed the article");
    char *now_tag = http_header(&r, "ETag"), *now_lm = http_header(&r, "Last-Modified");
    cr_expect(now_tag && strcmp(now_tag, tag) != 0, "the list's ETag did not change");
    http_reply_free(&r);

    char ims[96];
    snprintf(ims, sizeof ims, "If-Modified-Since: %s", lm);
    call("GET", "/v1/articles", ims, NULL, NULL, &r);
    cr_expect_eq(r.status, 200,
                 "304 to If-Modified-Since `%s` for a list that changed since (Last-Modified now "
                 "`%s`)",
                 lm, or_else(now_lm, "(absent)"));
    http_reply_free(&r);
    free(lm);
    free(tag);
    free(now_tag);
    free(now_lm);
}

Test(headers_reload, never_answers_304_for_a_list_that_gained_an_article_with_an_older_file_date)
{
    /* A file restored or synced with its original date (cp -p, rsync -t, tar)
     * changes the list without moving its newest date forward. */
    struct http_reply r;
    await_last_modified("/v1/articles");
    call("GET", "/v1/articles", NULL, NULL, NULL, &r);
    char *lm = http_header(&r, "Last-Modified"), *tag = http_header(&r, "ETag");
    cr_assert(lm && tag);
    http_reply_free(&r);

    char path[128];
    snprintf(path, sizeof path, "%s/ferry-service-resumes.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("Ferry service resumes\n\nBoats sail again from Monday after a month.\n", f);
    cr_assert_eq(fclose(f), 0);
    struct timespec times[2] = {{(time_t)OLD_TIME, 0}, {(time_t)OLD_TIME, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    const char *why = NULL;
    cr_assert_eq(service_reload(h.svc, &why), 0, "reload: %s", why);

    call("GET", "/v1/articles", NULL, NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"total\":6"), "the reload added the article");
    char *now_tag = http_header(&r, "ETag");
    cr_expect(now_tag && strcmp(now_tag, tag) != 0, "the list's ETag did not change");
    http_reply_free(&r);

    char ims[96];
    snprintf(ims, sizeof ims, "If-Modified-Since: %s", lm);
    call("GET", "/v1/articles", ims, NULL, NULL, &r);
    cr_expect_eq(r.status, 200, "304 to If-Modified-Since `%s` for a list that gained an article",
                 lm);
    http_reply_free(&r);
    free(lm);
    free(tag);
    free(now_tag);
}
