/* negotiate, cache, encoding, cors: content-coding negotiation, gzip,
 * validators and conditional requests, CORS origins, and the shared response
 * behaviour driven through a struct request without a socket. */
#include "server/negotiate.h"

#include "config/config.h"
#include "server/cache.h"
#include "server/cors.h"
#include "server/encoding.h"
#include "server/request.h"
#include "tests/support/harness.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NELEMS(a) (sizeof(a) / sizeof *(a))

/* s, or fallback when s is NULL: for messages. */
static const char *
or_else(const char *s, const char *fallback)
{
    return s ? s : fallback;
}


/* ---- encoding ----------------------------------------------------------- */

struct accept_case {
    const char *accept_encoding; /* NULL: no header */
    bool gzip;
};

Test(encoding, accepts_gzip_as_the_q_values_say)
{
    static const struct accept_case cases[] = {
        {NULL, false},
        {"", false},
        {"gzip", true},
        {"GZIP", true},
        {"x-gzip", true},
        {"X-Gzip", true},
        {"gzip;q=0", false},
        {"gzip;q=0.000", false},
        {"gzip;q=0.001", true},
        {"gzip; q=0.5", true},
        {"gzip ;q=0", false},
        {"gzip;Q=0", false},
        {"gzip;level=9;q=0", false},
        {"gzip;q=1.0", true},
        {"*", true},
        {"*;q=0", false},
        {"*;q=0.1", true},
        {"*, gzip;q=0", false},
        {"gzip;q=0, *", false},
        {"*;q=0, gzip", true},
        {"identity", false},
        {"identity, *;q=0", false},
        {"br, gzip", true},
        {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
        {"deflate", false},
        {"deflate, br", false},
        {"gzipx", false},
        {"xgzip", false},
        {"gzip-x", false},
        {"x-gzip;q=0", false},
        {"gzip,", true},
        {" , gzip , ", true},
        /* Malformed q values count as 0: refused. */
        {"gzip;q=", false},
        {"gzip;q=abc", false},
        {"gzip;q=1.5", false},
        {"gzip;q=-1", false},
        {"gzip;q=-0", false},
        {"gzip;q=nan", false},
        {"gzip;q=inf", false},
        {"*;q=2", false},
        {"gzip;q=0.5 ", true},
        {"gzip;q=1.000", true},
        {"gzip;q=1.", true},
        {"gzip;q=0.", false},
        {"gzip;q=1.001", false},
        {"gzip;q=0.1234", false},
        {"gzip;q=.5", false},
        {"gzip;q=+1", false},
    };
    for (size_t i = 0; i < NELEMS(cases); i++)
        cr_expect_eq(encoding_accepts_gzip(cases[i].accept_encoding), cases[i].gzip,
                     "Accept-Encoding `%s`: want %s", or_else(cases[i].accept_encoding, "(absent)"),
                     cases[i].gzip ? "gzip" : "identity");
}

Test(encoding, treats_a_q_value_with_trailing_garbage_as_malformed)
{
    /* encoding.c: "1 when absent, 0 when malformed". `0.5x` and `0x1` are not qvalues
     * (RFC 9110 12.4.2: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]). */
    static const char *const values[] = {"gzip;q=0.5x", "gzip;q=0x1", "gzip;q=1e0"};
    for (size_t i = 0; i < NELEMS(values); i++)
        cr_expect(!encoding_accepts_gzip(values[i]), "`%s` should count as q=0", values[i]);
}

Test(encoding, honours_a_refusal_written_with_a_tab)
{
    /* weight = OWS ";" OWS "q=" qvalue, and OWS includes HTAB (RFC 9110 5.6.3, 12.4.2). */
    cr_expect(!encoding_accepts_gzip("gzip;\tq=0"), "gzip;<TAB>q=0 refuses gzip");
    cr_expect(!encoding_accepts_gzip("*, gzip;\tq=0"), "*, gzip;<TAB>q=0 refuses gzip");
}

Test(encoding, gzips_bytes_that_inflate_back_to_the_input)
{
    char big[20000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = "the quick brown fox jumps over the lazy dog "[i % 44];
    char noise[5000];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        noise[i] = (char)(x & 0xff);
    }
    static const char one[] = "{";
    struct {
        const char *data;
        size_t len;
    } cases[] = {{"", 0}, {one, 1}, {big, sizeof big}, {noise, sizeof noise}};
    for (size_t i = 0; i < NELEMS(cases); i++) {
        size_t zlen = 0, back_len = 0;
        char *z = encoding_gzip(cases[i].data, cases[i].len, &zlen);
        cr_assert_not_null(z, "case %zu", i);
        cr_expect_geq(zlen, 18, "a gzip member has a 10-byte header and an 8-byte trailer");
        cr_expect(zlen >= 2 && (unsigned char)z[0] == 0x1f && (unsigned char)z[1] == 0x8b,
                  "case %zu: no gzip magic", i);
        char *back = harness_gunzip(z, zlen, &back_len);
        cr_assert_not_null(back, "case %zu: not a valid gzip stream", i);
        cr_expect_eq(back_len, cases[i].len, "case %zu", i);
        cr_expect(memcmp(back, cases[i].data, cases[i].len) == 0, "case %zu: bytes differ", i);
        free(back);
        free(z);
    }
    size_t zlen = 0;
    char *z = encoding_gzip(big, sizeof big, &zlen);
    cr_expect_lt(zlen, sizeof big / 10, "repetitive text compresses: %zu bytes", zlen);
    free(z);
}

/* ---- cache -------------------------------------------------------------- */

struct etag_case {
    const char *if_none_match;
    bool match;
};

Test(cache, matches_an_etag_in_a_list_or_star_and_nothing_else)
{
    static const char etag[] = "\"0123456789abcdef\"";
    static const struct etag_case cases[] = {
        {"\"0123456789abcdef\"", true},
        {"*", true},
        {"W/\"0123456789abcdef\"", true},
        {"\"aaaa\", \"0123456789abcdef\"", true},
        {"\"aaaa\",\"0123456789abcdef\"", true},
        {"\"aaaa\" , \"0123456789abcdef\" , \"bbbb\"", true},
        {"\"0123456789abcdef\", \"aaaa\"", true},
        {"\"aaaa\", W/\"0123456789abcdef\"", true},
        {"\"0123456789abcdef\" ", true},
        {"", false},
        {"\"aaaa\"", false},
        {"\"aaaa\", \"bbbb\"", false},
        {"\"0123456789abcde\"", false},   /* one digit short */
        {"\"0123456789abcdef", false},    /* no closing quote */
        {"\"0123456789abcdef0\"", false}, /* one digit more */
        {"\"0123456789ABCDEF\"", false},  /* entity tags are case-sensitive */
        {"0123456789abcdef", false},      /* unquoted */
        {"\"0123456789abcdef\"x", false},
        {"\"0123456789abcdef-gzip\"", false},
        {"W/\"0123456789abcde\"", false},
        {"w/\"0123456789abcdef\"", false}, /* the weak prefix is case-sensitive */
    };
    for (size_t i = 0; i < NELEMS(cases); i++)
        cr_expect_eq(cache_etag_matches(cases[i].if_none_match, etag), cases[i].match,
                     "If-None-Match `%s` vs %s: want %s", cases[i].if_none_match, etag,
                     cases[i].match ? "match" : "no match");
}

Test(cache, matches_an_etag_after_a_tab_in_the_list)
{
    /* #("a", "b") allows OWS, which includes HTAB, around the commas (RFC 9110 5.6.1). */
    cr_expect(cache_etag_matches("\"aaaa\",\t\"0123456789abcdef\"", "\"0123456789abcdef\""));
}

struct date_case {
    long long t;
    const char *text;
};

Test(cache, formats_and_parses_imf_fixdates_both_ways)
{
    static const struct date_case cases[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"}, /* RFC 9110's example */
        {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
        {1767225599, "Wed, 31 Dec 2025 23:59:59 GMT"},
        {2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT"}, /* past 32-bit time_t */
        {4102444800LL, "Fri, 01 Jan 2100 00:00:00 GMT"},
    };
    for (size_t i = 0; i < NELEMS(cases); i++) {
        char out[40];
        memset(out, 'x', sizeof out);
        cache_format_date(cases[i].t, out, sizeof out);
        cr_expect_str_eq(out, cases[i].text, "format %lld", cases[i].t);
        cr_expect_eq(cache_parse_date(cases[i].text), cases[i].t, "parse `%s`", cases[i].text);
        cr_expect_eq(cache_parse_date(out), cases[i].t, "round trip of %lld", cases[i].t);
    }
    char exact[30]; /* the header promises 30 bytes are enough: 29 characters and the NUL */
    cache_format_date(784111777, exact, sizeof exact);
    cr_expect_str_eq(exact, "Sun, 06 Nov 1994 08:49:37 GMT");
}

Test(cache, dates_now_as_an_imf_fixdate_of_the_current_second)
{
    long long before = (long long)time(NULL);
    const char *now = cache_date_now();
    long long after = (long long)time(NULL);
    cr_assert_eq(strlen(now), CACHE_DATE_LEN, "`%s`", now);
    long long t = cache_parse_date(now);
    cr_expect(t >= before && t <= after, "`%s` is not between %lld and %lld", now, before, after);
    char again[40];
    cache_format_date(t, again, sizeof again);
    cr_expect_str_eq(now, again);
}

Test(cache, refuses_what_is_not_an_imf_fixdate)
{
    static const char *const bad[] = {
        "",
        "yesterday",
        "Sun, 06 Nov 1994 08:49:37",     /* no zone */
        "Sun, 06 Nov 1994 08:49:37 UTC", /* only GMT */
        "Sun, 06 Nov 1994 08:49:37 GMT x",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "1994-11-06T08:49:37Z",
        "784111777",
    };
    for (size_t i = 0; i < NELEMS(bad); i++)
        cr_expect_eq(cache_parse_date(bad[i]), -1, "`%s` is not an IMF-fixdate", bad[i]);
}

struct conditional_case {
    const char *if_none_match, *if_modified_since, *etag;
    long long last_modified;
    bool not_modified;
    const char *why;
};

#define TAG "\"0123456789abcdef\""
#define LM 784111777LL /* Sun, 06 Nov 1994 08:49:37 GMT */

Test(cache, answers_not_modified_from_the_validators_the_request_sends)
{
    static const struct conditional_case cases[] = {
        {NULL, NULL, TAG, LM, false, "no validators"},
        {TAG, NULL, TAG, LM, true, "If-None-Match matches"},
        {"*", NULL, TAG, LM, true, "If-None-Match *"},
        {"\"other\"", NULL, TAG, LM, false, "If-None-Match differs"},
        {TAG, NULL, "", LM, false, "no current ETag"},
        {NULL, "Sun, 06 Nov 1994 08:49:37 GMT", TAG, LM, true, "since == last modified"},
        {NULL, "Mon, 07 Nov 1994 08:49:37 GMT", TAG, LM, true, "since after last modified"},
        {NULL, "Sun, 06 Nov 1994 08:49:36 GMT", TAG, LM, false, "since one second too early"},
        {NULL, "Sat, 01 Jan 1994 00:00:00 GMT", TAG, LM, false, "since long before"},
        {NULL, "not a date", TAG, LM, false, "invalid date ignored"},
        {NULL, "Sun, 06 Nov 1994 08:49:37 GMT", TAG, 0, false, "last modified unknown"},
        {NULL, "Thu, 01 Jan 1970 00:00:00 GMT", TAG, 0, false, "unknown, epoch since"},
        {"\"other\"", "Mon, 07 Nov 1994 08:49:37 GMT", TAG, LM, false,
         "If-None-Match wins over a current If-Modified-Since"},
        {TAG, "Sat, 01 Jan 1994 00:00:00 GMT", TAG, LM, true,
         "If-None-Match wins over a stale If-Modified-Since"},
    };
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct conditional_case *c = &cases[i];
        cr_expect_eq(
            cache_not_modified(c->if_none_match, c->if_modified_since, c->etag, c->last_modified),
            c->not_modified, "%s: want %s", c->why, c->not_modified ? "304" : "200");
    }
}

/* ---- cors --------------------------------------------------------------- */

struct origin_case {
    const char *origins, *origin;
    const char *want; /* NULL: not allowed */
};

#define APP "https://app.example.com"
#define ADMIN "https://admin.example.com:8443"

Test(cors, allows_only_the_configured_origins)
{
    static const char list[] = APP ", " ADMIN;
    static const struct origin_case cases[] = {
        {"", APP, NULL},
        {"", NULL, NULL},
        {"*", APP, "*"},
        {"*", "null", "*"},
        {"*", NULL, NULL},
        {list, APP, APP},
        {list, ADMIN, ADMIN},
        {list, NULL, NULL},
        {list, "HTTPS://APP.EXAMPLE.COM", "HTTPS://APP.EXAMPLE.COM"},
        {list, "https://app.example.com.evil.test", NULL},
        {list, "https://evil.test/https://app.example.com", NULL},
        {list, "https://app.example.co", NULL},
        {list, "https://pp.example.com", NULL},
        {list, "http://app.example.com", NULL},
        {list, "https://app.example.com:443", NULL},
        {list, "https://admin.example.com", NULL},
        {list, "https://app.example.com, " ADMIN, NULL},
        {list, "", NULL},
        {list, "null", NULL},
        {APP "," ADMIN, ADMIN, ADMIN},
        {"  " APP " ,  " ADMIN "  ", ADMIN, ADMIN},
        {"  " APP " ,  " ADMIN "  ", APP, APP},
    };
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct origin_case *c = &cases[i];
        const char *got = cors_allow_origin(c->origins, c->origin);
        if (!c->want)
            cr_expect_null(got, "origins `%s`, Origin `%s`: allowed as `%s`", c->origins,
                           or_else(c->origin, "(absent)"), got);
        else
            cr_expect(got && strcmp(got, c->want) == 0, "origins `%s`, Origin `%s`: got `%s`",
                      c->origins, or_else(c->origin, "(absent)"), or_else(got, "(refused)"));
    }
}

/* ---- negotiate ---------------------------------------------------------- */

struct fake_header {
    const char *name, *value;
};

/* The header callback over a NULL-terminated table in req->transport. */
static const char *
fake_lookup(const struct request *req, const char *name)
{
    const struct fake_header *h = req->transport;
    for (; h && h->name; h++)
        if (strcasecmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static struct request
make_request(enum http_method method, const struct fake_header *headers)
{
    struct request req = {0};
    req.method = method;
    req.method_name = method == HTTP_HEAD ? "HEAD" : method == HTTP_POST ? "POST" : "GET";
    req.path = "/v1/articles/x";
    req.header = fake_lookup;
    req.transport = (void *)headers;
    return req;
}

static const char *
resp_header(const struct response *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

static size_t
count_header(const struct response *resp, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < resp->nheaders; i++)
        n += strcasecmp(resp->headers[i].name, name) == 0;
    return n;
}

static void
expect_header(const struct response *resp, const char *name, const char *want)
{
    const char *got = resp_header(resp, name);
    if (!want) {
        cr_expect_null(got, "unexpected %s: %s", name, got);
        return;
    }
    cr_expect(got && strcmp(got, want) == 0, "%s: got `%s`, want `%s`", name,
              or_else(got, "(none)"), want);
    cr_expect_eq(count_header(resp, name), 1, "%s sent more than once", name);
}

static struct config
make_config(void)
{
    struct config cfg;
    config_defaults(&cfg);
    return cfg;
}

/* A JSON-like body of n bytes (n >= 2) in a malloc'd buffer. */
static char *
make_body(size_t n)
{
    char *b = malloc(n + 1);
    cr_assert_not_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = "{\"text\":\"lorem ipsum dolor sit amet\"}"[i % 37];
    b[n] = '\0';
    return b;
}

/* A 200 JSON response owning a body of n bytes, with a known ETag and date. */
static void
content_response(struct response *resp, size_t n)
{
    memset(resp, 0, sizeof *resp);
    response_take_body(resp, 200, "application/json", make_body(n), n);
    strcpy(resp->etag, TAG);
    resp->last_modified = LM;
}

Test(negotiate, sends_validators_and_default_cache_control_on_content)
{
    struct config cfg = make_config();
    static const struct fake_header none[] = {{NULL, NULL}};
    static const enum http_method methods[] = {HTTP_GET, HTTP_HEAD};
    for (size_t i = 0; i < NELEMS(methods); i++) {
        struct request req = make_request(methods[i], none);
        struct response resp;
        content_response(&resp, 4000);
        negotiate_response(&req, &resp, &cfg, true, false);
        cr_expect_eq(resp.status, 200);
        expect_header(&resp, "ETag", TAG);
        expect_header(&resp, "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
        expect_header(&resp, "Cache-Control", "public, max-age=60, stale-while-revalidate=30");
        expect_header(&resp, "Vary", "Accept-Encoding");
        expect_header(&resp, "Content-Encoding", NULL);
        expect_header(&resp, "Access-Control-Allow-Origin", NULL);
        cr_expect_eq(resp.body_len, 4000);
        cr_expect_str_eq(resp.content_type, "application/json");
        response_clear(&resp);
    }
}

Test(negotiate, computes_a_strong_etag_from_the_body_when_the_handler_set_none)
{
    struct config cfg = make_config();
    static const struct fake_header none[] = {{NULL, NULL}};
    struct request req = make_request(HTTP_GET, none);
    struct response a, b;
    content_response(&a, 3000);
    content_response(&b, 3001);
    a.etag[0] = b.etag[0] = '\0';
    a.last_modified = 0;
    negotiate_response(&req, &a, &cfg, true, false);
    negotiate_response(&req, &b, &cfg, true, false);
    const char *ta = resp_header(&a, "ETag"), *tb = resp_header(&b, "ETag");
    cr_assert(ta && tb);
    cr_expect(ta[0] == '"' && ta[strlen(ta) - 1] == '"' && strlen(ta) == 18, "strong: %s", ta);
    cr_expect_str_neq(ta, tb, "different bodies, different tags");
    expect_header(&a, "Last-Modified", NULL);
    response_clear(&a);
    response_clear(&b);
}

struct cache_control_case {
    int max_age, s_maxage, swr;
    bool private_reads;
    const char *want;
};

Test(negotiate, builds_cache_control_from_the_configured_ages)
{
    static const struct cache_control_case cases[] = {
        {60, -1, 30, false, "public, max-age=60, stale-while-revalidate=30"},
        {300, 3600, 60, false, "public, max-age=300, s-maxage=3600, stale-while-revalidate=60"},
        {0, 0, 0, false, "public, max-age=0, s-maxage=0, stale-while-revalidate=0"},
        {-1, -1, -1, false, "public"},
        {-1, 600, -1, false, "public, s-maxage=600"},
        {-1, -1, 10, false, "public, stale-while-revalidate=10"},
        {31536000, 31536000, 31536000, false,
         "public, max-age=31536000, s-maxage=31536000, stale-while-revalidate=31536000"},
        /* Content behind a read token is private: a shared cache must not keep it. */
        {60, -1, 30, true, "private, max-age=60, stale-while-revalidate=30"},
        {300, 3600, 60, true, "private, max-age=300, stale-while-revalidate=60"},
        {-1, -1, -1, true, "private"},
    };
    static const struct fake_header none[] = {{NULL, NULL}};
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct cache_control_case *c = &cases[i];
        struct config cfg = make_config();
        cfg.cache_max_age = c->max_age;
        cfg.cache_s_maxage = c->s_maxage;
        cfg.cache_stale_while_revalidate = c->swr;
        struct request req = make_request(HTTP_GET, none);
        struct response resp;
        content_response(&resp, 2000);
        negotiate_response(&req, &resp, &cfg, true, c->private_reads);
        const char *got = resp_header(&resp, "Cache-Control");
        cr_expect(got && strcmp(got, c->want) == 0, "case %zu: got `%s`, want `%s`", i,
                  or_else(got, "(none)"), c->want);
        response_clear(&resp);
    }
}

struct no_store_case {
    enum http_method method;
    int status;
    bool content;
    const char *why;
};

Test(negotiate, marks_non_content_and_errors_no_store_without_validators)
{
    static const struct no_store_case cases[] = {
        {HTTP_GET, 200, false, "a GET of a non-content route (healthz)"},
        {HTTP_HEAD, 200, false, "a HEAD of a non-content route"},
        {HTTP_GET, 404, true, "a content 404"},
        {HTTP_GET, 503, true, "a content 503"},
        {HTTP_GET, 400, true, "a content 400"},
        {HTTP_HEAD, 404, true, "a HEAD 404"},
        {HTTP_POST, 200, false, "a POST (annotate)"},
        {HTTP_POST, 201, true, "a POST that creates"},
    };
    static const struct fake_header validators[] = {
        {"If-None-Match", TAG},
        {"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"},
        {"Accept-Encoding", "gzip"},
        {NULL, NULL}};
    struct config cfg = make_config();
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct no_store_case *c = &cases[i];
        struct request req = make_request(c->method, validators);
        struct response resp;
        content_response(&resp, 4000);
        resp.status = c->status;
        negotiate_response(&req, &resp, &cfg, c->content, false);
        cr_expect_eq(resp.status, c->status, "%s: status changed to %d", c->why, resp.status);
        const char *cc = resp_header(&resp, "Cache-Control");
        cr_expect(cc && strcmp(cc, "no-store") == 0, "%s: Cache-Control `%s`", c->why,
                  or_else(cc, "(none)"));
        cr_expect_null(resp_header(&resp, "ETag"), "%s: ETag sent", c->why);
        cr_expect_null(resp_header(&resp, "Content-Encoding"), "%s: compressed", c->why);
        cr_expect_eq(resp.body_len, 4000, "%s: body changed", c->why);
        response_clear(&resp);
    }
}

Test(negotiate, answers_304_with_the_200s_headers_and_length_but_no_content_type)
{
    static const struct fake_header inm[] = {{"If-None-Match", TAG}, {NULL, NULL}};
    static const struct fake_header inm_list[] = {{"If-None-Match", "\"x\", W/" TAG}, {NULL, NULL}};
    static const struct fake_header ims[] = {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                             {NULL, NULL}};
    static const struct fake_header gz[] = {
        {"If-None-Match", "\"0123456789abcdef-gzip\""}, {"Accept-Encoding", "gzip"}, {NULL, NULL}};
    static const struct fake_header gz_only[] = {{"Accept-Encoding", "gzip"}, {NULL, NULL}};
    static const struct fake_header none[] = {{NULL, NULL}};
    static const struct {
        const struct fake_header *conditional, *unconditional;
    } cases[] = {{inm, none}, {inm_list, none}, {ims, none}, {gz, gz_only}};
    static const char *const kept[] = {"ETag", "Last-Modified", "Cache-Control", "Vary",
                                       "Content-Encoding"};
    struct config cfg = make_config();
    for (size_t i = 0; i < NELEMS(cases); i++) {
        static const enum http_method methods[] = {HTTP_GET, HTTP_HEAD};
        for (size_t m = 0; m < NELEMS(methods); m++) {
            /* The 200 the same request gets without validators. */
            struct request req = make_request(methods[m], cases[i].unconditional);
            struct response full;
            content_response(&full, 4000);
            negotiate_response(&req, &full, &cfg, true, false);
            cr_assert_eq(full.status, 200);

            req = make_request(methods[m], cases[i].conditional);
            struct response resp;
            content_response(&resp, 4000); /* owned: the sanitizers see it if it leaks */
            negotiate_response(&req, &resp, &cfg, true, false);
            cr_expect_eq(resp.status, 304, "case %zu: status %d", i, resp.status);
            cr_expect_null(resp.content_type, "case %zu: a 304 has no content type", i);
            /* No body goes out with a 304; a length kept for Content-Length must be
             * the 200's (RFC 9110 8.6). */
            cr_expect(resp.body_len == 0 || resp.body_len == full.body_len,
                      "case %zu: 304 length %zu, the 200's %zu", i, resp.body_len, full.body_len);
            /* The 304 repeats the 200's validators and caching headers (RFC 9110 15.4.5),
             * and never describes another representation than the one it validates. */
            for (size_t k = 0; k < NELEMS(kept); k++) {
                const char *want = resp_header(&full, kept[k]);
                const char *got = resp_header(&resp, kept[k]);
                if (strcmp(kept[k], "Content-Encoding") == 0 && !got)
                    continue; /* representation metadata a 304 may leave out */
                cr_expect((!want && !got) || (want && got && strcmp(want, got) == 0),
                          "case %zu: %s `%s` on the 304, `%s` on the 200", i, kept[k],
                          or_else(got, "(none)"), or_else(want, "(none)"));
            }
            response_clear(&full);
            response_clear(&resp);
        }
    }
}

Test(negotiate, neither_sends_nor_compares_a_last_modified_in_the_current_second)
{
    /* A change later in the same second would have the same date: a client that
     * revalidates with it would keep stale bytes. */
    static const struct fake_header none[] = {{NULL, NULL}};
    struct config cfg = make_config();
    struct request req = make_request(HTTP_GET, none);
    struct response resp;
    content_response(&resp, 2000);
    resp.last_modified =
        (long long)time(NULL) + 1; /* this second or a later one, whatever the clock does */
    negotiate_response(&req, &resp, &cfg, true, false);
    expect_header(&resp, "Last-Modified", NULL);
    expect_header(&resp, "ETag", TAG);
    response_clear(&resp);

    char now[40];
    long long t = (long long)time(NULL) + 1;
    cache_format_date(t, now, sizeof now);
    struct fake_header ims[] = {{"If-Modified-Since", now}, {NULL, NULL}};
    req = make_request(HTTP_GET, ims);
    content_response(&resp, 2000);
    resp.last_modified = t;
    negotiate_response(&req, &resp, &cfg, true, false);
    cr_expect_eq(resp.status, 200, "If-Modified-Since compared with a date not yet past");
    response_clear(&resp);
}

struct conditional_http_case {
    const char *if_none_match, *if_modified_since, *accept_encoding;
    int status;
    const char *why;
};

Test(negotiate, compares_if_none_match_with_the_tag_of_the_selected_representation)
{
    static const struct conditional_http_case cases[] = {
        {TAG, NULL, NULL, 304, "identity tag, identity chosen"},
        {"\"0123456789abcdef-gzip\"", NULL, "gzip", 304, "gzip tag, gzip chosen"},
        {"\"0123456789abcdef-gzip\"", NULL, NULL, 200, "gzip tag, identity chosen"},
        {TAG, NULL, "gzip", 200, "identity tag, gzip chosen"},
        {TAG ", \"0123456789abcdef-gzip\"", NULL, "gzip", 304, "both tags, gzip chosen"},
        {"\"stale\"", "Mon, 07 Nov 1994 08:49:37 GMT", NULL, 200,
         "a stale tag wins over a current date"},
        {NULL, "Mon, 07 Nov 1994 08:49:37 GMT", "gzip", 304, "date later than Last-Modified"},
        {NULL, "Sat, 05 Nov 1994 08:49:37 GMT", "gzip", 200, "date earlier than Last-Modified"},
        {NULL, "garbage", NULL, 200, "an invalid date"},
    };
    struct config cfg = make_config();
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct conditional_http_case *c = &cases[i];
        struct fake_header h[4] = {{NULL, NULL}};
        size_t n = 0;
        if (c->if_none_match)
            h[n++] = (struct fake_header){"If-None-Match", c->if_none_match};
        if (c->if_modified_since)
            h[n++] = (struct fake_header){"If-Modified-Since", c->if_modified_since};
        if (c->accept_encoding)
            h[n++] = (struct fake_header){"Accept-Encoding", c->accept_encoding};
        struct request req = make_request(HTTP_GET, h);
        struct response resp;
        content_response(&resp, 4000);
        negotiate_response(&req, &resp, &cfg, true, false);
        cr_expect_eq(resp.status, c->status, "%s: status %d, want %d", c->why, resp.status,
                     c->status);
        response_clear(&resp);
    }
}

Test(negotiate, compresses_a_large_body_for_a_gzip_client_under_its_own_tag)
{
    static const struct fake_header gz[] = {{"Accept-Encoding", "br;q=1, gzip;q=0.5"},
                                            {NULL, NULL}};
    struct config cfg = make_config();
    static const enum http_method methods[] = {HTTP_GET, HTTP_HEAD};
    for (size_t m = 0; m < NELEMS(methods); m++) {
        struct request req = make_request(methods[m], gz);
        struct response resp;
        content_response(&resp, 5000);
        char *identity = make_body(5000);
        negotiate_response(&req, &resp, &cfg, true, false);
        cr_expect_eq(resp.status, 200);
        expect_header(&resp, "Content-Encoding", "gzip");
        expect_header(&resp, "ETag", "\"0123456789abcdef-gzip\"");
        expect_header(&resp, "Vary", "Accept-Encoding");
        expect_header(&resp, "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
        cr_expect_str_eq(resp.content_type, "application/json", "the media type stays");
        cr_expect_lt(resp.body_len, 5000);
        size_t back_len = 0;
        char *back = harness_gunzip(resp.body, resp.body_len, &back_len);
        cr_assert_not_null(back, "the body is not gzip");
        cr_expect_eq(back_len, 5000);
        cr_expect(memcmp(back, identity, 5000) == 0, "inflates to the identity body");
        free(back);
        free(identity);
        response_clear(&resp);
    }
}

struct tiny_case {
    size_t len;
    bool compressed;
};

Test(negotiate, leaves_bodies_under_the_threshold_uncompressed)
{
    static const struct tiny_case cases[] = {
        {2, false},
        {100, false},
        {ENCODING_MIN_BYTES - 1, false},
        {ENCODING_MIN_BYTES, true},
        {ENCODING_MIN_BYTES + 1, true},
    };
    static const struct fake_header gz[] = {{"Accept-Encoding", "gzip"}, {NULL, NULL}};
    struct config cfg = make_config();
    for (size_t i = 0; i < NELEMS(cases); i++) {
        struct request req = make_request(HTTP_GET, gz);
        struct response resp;
        content_response(&resp, cases[i].len);
        negotiate_response(&req, &resp, &cfg, true, false);
        const char *ce = resp_header(&resp, "Content-Encoding");
        const char *etag = resp_header(&resp, "ETag");
        const char *vary = resp_header(&resp, "Vary");
        if (cases[i].compressed) {
            cr_expect(ce && strcmp(ce, "gzip") == 0, "%zu bytes: not compressed", cases[i].len);
            cr_expect(etag && strcmp(etag, "\"0123456789abcdef-gzip\"") == 0, "%zu: %s",
                      cases[i].len, etag);
            cr_expect(vary && strcmp(vary, "Accept-Encoding") == 0, "%zu: Vary %s", cases[i].len,
                      vary);
        } else {
            cr_expect_null(ce, "%zu bytes compressed", cases[i].len);
            cr_expect_eq(resp.body_len, cases[i].len);
            cr_expect(etag && strcmp(etag, TAG) == 0, "%zu: %s", cases[i].len, etag);
            /* One representation only: nothing varies. */
            cr_expect_null(vary, "%zu bytes: Vary %s", cases[i].len, vary);
        }
        response_clear(&resp);
    }
}

Test(negotiate, sends_a_borrowed_precompressed_body_when_the_handler_has_one)
{
    static const struct fake_header gz[] = {{"Accept-Encoding", "gzip"}, {NULL, NULL}};
    static const char identity[3000] = "{\"pre\":\"rendered\"}";
    size_t zlen = 0;
    char *pre = encoding_gzip(identity, sizeof identity, &zlen);
    cr_assert_not_null(pre);
    struct config cfg = make_config();
    struct request req = make_request(HTTP_GET, gz);
    struct response resp = {0};
    response_borrow_body(&resp, 200, "application/json", identity, sizeof identity);
    strcpy(resp.etag, TAG);
    resp.last_modified = LM;
    resp.gzip = pre;
    resp.gzip_len = zlen;
    negotiate_response(&req, &resp, &cfg, true, false);
    cr_expect_eq(resp.status, 200);
    cr_expect_eq(resp.body, pre, "the pre-compressed bytes themselves, not a copy");
    cr_expect_eq(resp.body_len, zlen);
    cr_expect_not(resp.body_owned, "borrowed: the snapshot frees it");
    cr_expect_str_eq(resp.content_type, "application/json");
    expect_header(&resp, "Content-Encoding", "gzip");
    expect_header(&resp, "ETag", "\"0123456789abcdef-gzip\"");
    response_clear(&resp);

    /* Without gzip in Accept-Encoding the identity bytes go out, still borrowed. */
    static const struct fake_header none[] = {{NULL, NULL}};
    req = make_request(HTTP_GET, none);
    memset(&resp, 0, sizeof resp);
    response_borrow_body(&resp, 200, "application/json", identity, sizeof identity);
    strcpy(resp.etag, TAG);
    resp.gzip = pre;
    resp.gzip_len = zlen;
    negotiate_response(&req, &resp, &cfg, true, false);
    cr_expect_eq(resp.body, identity);
    cr_expect_eq(resp.body_len, sizeof identity);
    expect_header(&resp, "Content-Encoding", NULL);
    expect_header(&resp, "ETag", TAG);
    response_clear(&resp);
    free(pre);
}

struct vary_case {
    const char *origins;
    size_t len;
    const char *want; /* NULL: no Vary */
};

Test(negotiate, varies_on_accept_encoding_and_on_origin_where_they_change_the_answer)
{
    static const struct vary_case cases[] = {
        {"", 4000, "Accept-Encoding"},
        {"", 100, NULL},
        {"*", 4000, "Accept-Encoding"},
        {"*", 100, NULL},
        {APP ", " ADMIN, 4000, "Accept-Encoding, Origin"},
        {APP, 100, "Origin"},
    };
    static const struct fake_header origin[] = {{"Origin", APP}, {NULL, NULL}};
    static const struct fake_header none[] = {{NULL, NULL}};
    static const struct fake_header *const requests[] = {origin, none};
    for (size_t i = 0; i < NELEMS(cases); i++) {
        for (size_t r = 0; r < NELEMS(requests); r++) {
            struct config cfg = make_config();
            snprintf(cfg.cors_origins, sizeof cfg.cors_origins, "%s", cases[i].origins);
            struct request req = make_request(HTTP_GET, requests[r]);
            struct response resp;
            content_response(&resp, cases[i].len);
            negotiate_response(&req, &resp, &cfg, true, false);
            const char *got = resp_header(&resp, "Vary");
            if (cases[i].want)
                cr_expect(got && strcmp(got, cases[i].want) == 0,
                          "origins `%s`, %zu bytes, %s Origin: Vary `%s`, want `%s`",
                          cases[i].origins, cases[i].len, r ? "without" : "with",
                          or_else(got, "(none)"), cases[i].want);
            else
                cr_expect_null(got, "origins `%s`, %zu bytes: Vary `%s`", cases[i].origins,
                               cases[i].len, got);
            response_clear(&resp);
        }
    }
}

struct cors_response_case {
    const char *origins, *origin;
    const char *allow; /* expected Access-Control-Allow-Origin; NULL: none */
};

Test(negotiate, adds_cors_headers_for_allowed_origins_on_every_answer)
{
    static const struct cors_response_case cases[] = {
        {"", APP, NULL},
        {"*", APP, "*"},
        {"*", NULL, NULL},
        {APP ", " ADMIN, ADMIN, ADMIN},
        {APP ", " ADMIN, "https://app.example.com.evil.test", NULL},
    };
    static const int statuses[] = {200, 404};
    for (size_t i = 0; i < NELEMS(cases); i++) {
        for (size_t s = 0; s < NELEMS(statuses); s++) {
            struct config cfg = make_config();
            snprintf(cfg.cors_origins, sizeof cfg.cors_origins, "%s", cases[i].origins);
            struct fake_header h[2] = {{cases[i].origin ? "Origin" : NULL, cases[i].origin},
                                       {NULL, NULL}};
            struct request req = make_request(HTTP_GET, h);
            struct response resp;
            content_response(&resp, 2000);
            resp.status = statuses[s];
            negotiate_response(&req, &resp, &cfg, true, false);
            expect_header(&resp, "Access-Control-Allow-Origin", cases[i].allow);
            expect_header(&resp, "Access-Control-Expose-Headers",
                          cases[i].allow ? CORS_EXPOSE_HEADERS : NULL);
            /* Preflight-only headers never appear on an actual response. */
            expect_header(&resp, "Access-Control-Max-Age", NULL);
            response_clear(&resp);
        }
    }
    static const char *const exposed[] = {"ETag", "Link", "X-Total-Count", "X-Request-Id"};
    for (size_t i = 0; i < NELEMS(exposed); i++)
        cr_expect_not_null(strstr(CORS_EXPOSE_HEADERS, exposed[i]), "%s not exposed", exposed[i]);
}

struct preflight_case {
    const char *origins, *origin;
    int max_age;
    const char *allow_origin; /* NULL: refused */
    const char *vary;         /* NULL: none */
};

Test(negotiate, answers_a_preflight_with_the_allowed_methods_headers_and_age)
{
    static const struct preflight_case cases[] = {
        {"*", APP, 600, "*", NULL},
        {"*", "https://anything.test", 86400, "*", NULL},
        {APP ", " ADMIN, APP, 0, APP, "Origin"},
        {APP ", " ADMIN, "https://app.example.com.evil.test", 600, NULL, "Origin"},
        {"", APP, 600, NULL, NULL},
    };
    static const char allow[] = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS";
    for (size_t i = 0; i < NELEMS(cases); i++) {
        const struct preflight_case *c = &cases[i];
        struct config cfg = make_config();
        snprintf(cfg.cors_origins, sizeof cfg.cors_origins, "%s", c->origins);
        cfg.cors_max_age = c->max_age;
        struct fake_header h[] = {{"Origin", c->origin},
                                  {"Access-Control-Request-Method", "PUT"},
                                  {"Access-Control-Request-Headers", "authorization, if-match"},
                                  {NULL, NULL}};
        struct request req = make_request(HTTP_OPTIONS, h);
        req.method_name = "OPTIONS";
        struct response resp = {0};
        negotiate_preflight(&req, &resp, &cfg, allow);
        cr_expect_eq(resp.status, 204, "case %zu", i);
        cr_expect_null(resp.body);
        cr_expect_eq(resp.body_len, 0);
        expect_header(&resp, "Allow", allow);
        expect_header(&resp, "Vary", c->vary);
        expect_header(&resp, "Access-Control-Allow-Origin", c->allow_origin);
        if (c->allow_origin) {
            char age[16];
            snprintf(age, sizeof age, "%d", c->max_age);
            expect_header(&resp, "Access-Control-Allow-Methods", allow);
            expect_header(&resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
            expect_header(&resp, "Access-Control-Max-Age", age);
        } else {
            expect_header(&resp, "Access-Control-Allow-Methods", NULL);
            expect_header(&resp, "Access-Control-Allow-Headers", NULL);
            expect_header(&resp, "Access-Control-Max-Age", NULL);
        }
        response_clear(&resp);
    }
    static const char *const needed[] = {"Authorization", "Content-Type", "If-Match"};
    for (size_t i = 0; i < NELEMS(needed); i++)
        cr_expect_not_null(strstr(CORS_ALLOW_HEADERS, needed[i]), "%s not allowed", needed[i]);
}
