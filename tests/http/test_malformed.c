/* Hand-written malformed requests over raw sockets: smuggling, broken chunked
 * framing, folded headers, NUL bytes and invalid UTF-8, a missing Host,
 * oversized request lines and headers, absurd query numbers. libmicrohttpd
 * 0.9.75 accepts several of these by itself (../shared/PITFALLS.md); articled
 * must refuse every one with one 4xx response, `Connection: close` and the end
 * of the stream, and never serve the request. Then the whole-request deadlines
 * (slowloris): headers or a body dribbled slower than header_timeout or
 * body_timeout are cut off in time. */
#include "tests/support/harness.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEED "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"

static double
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct exchange {
    char *out; /* everything the server sent, NUL-terminated */
    size_t len;
    bool eof;  /* the server closed the stream (FIN or reset) */
    double ms; /* from the first byte sent to the end */
};

/* Reads from fd until the server closes it or timeout_ms pass. */
static void
read_all(int fd, struct exchange *e, int timeout_ms, double t0)
{
    double deadline = now_ms() + timeout_ms;
    char buf[8192];
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0) {
            e->eof = true;
            break;
        }
        e->out = realloc(e->out, e->len + (size_t)r + 1);
        cr_assert_not_null(e->out);
        memcpy(e->out + e->len, buf, (size_t)r);
        e->len += (size_t)r;
        e->out[e->len] = '\0';
    }
    if (!e->out)
        e->out = calloc(1, 1);
    e->ms = now_ms() - t0;
}

static void
send_raw(int port, const char *bytes, size_t len, struct exchange *e)
{
    memset(e, 0, sizeof *e);
    int fd = harness_connect(port);
    double t0 = now_ms();
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* refused before it was all sent: what came back still counts */
        off += (size_t)w;
    }
    read_all(fd, e, 3000, t0);
    close(fd);
}

/* The header lines of out's first header block that start with line. */
static int
count_header(const char *out, const char *line)
{
    const char *end = strstr(out, "\r\n\r\n");
    size_t n = strlen(line);
    int found = 0;
    for (const char *p = strstr(out, "\r\n"); p && (!end || p < end); p = strstr(p + 2, "\r\n"))
        found += strncasecmp(p + 2, line, n) == 0;
    return found;
}

static bool
has_header(const char *out, const char *line)
{
    return count_header(out, line) > 0;
}

struct probe {
    const char *name;
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    int status;
    bool problem; /* refused by articled as problem+json (else libmicrohttpd's page) */
};

#define SMUGGLED "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
#define CHUNKED_POST                                                                               \
    "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"                        \
    "Transfer-Encoding: chunked\r\n\r\n"

static const struct probe probes[] = {
    {"Content-Length with Transfer-Encoding",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" SMUGGLED,
     0, 400, true},
    {"Transfer-Encoding with Content-Length",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 40\r\n\r\n0\r\n\r\n" SMUGGLED,
     0, 400, true},
    {"two different Content-Lengths",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
     "Content-Length: 38\r\n\r\n" SMUGGLED,
     0, 400, true},
    {"two identical Content-Lengths",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
     "Content-Length: 5\r\n\r\nhello",
     0, 400, true},
    {"a Content-Length list", /* refused by libmicrohttpd before articled sees it */
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
     "Content-Length: 5, 5\r\n\r\nhello",
     0, 400, false},
    {"Transfer-Encoding chunked twice",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, "
     "chunked\r\n\r\n0\r\n\r\n",
     0, 400, true},
    {"Transfer-Encoding gzip, chunked",
     "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
     0, 400, true},
    {"a chunk size that is not hex", CHUNKED_POST "zz\r\nhello\r\n0\r\n\r\n", 0, 400, false},
    {"a chunk without its CRLF", CHUNKED_POST "5\r\nhelloXX0\r\n\r\n", 0, 400, false},
    {"a chunk size past 64 bits", CHUNKED_POST "1FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", 0, 413,
     false},
    {"a negative chunk size", CHUNKED_POST "-5\r\nhello\r\n0\r\n\r\n", 0, 400, false},
    {"a folded header", "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n  b\r\n\r\n", 0, 400,
     true},
    {"a folded header with an empty first line",
     "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note:\r\n\tb\r\n\r\n", 0, 400, true},
    {"a folded Host header", "GET " SEED " HTTP/1.1\r\nHost: \r\n x\r\n\r\n", 0, 400, true},
    {"a NUL byte in the path", "GET " SEED "\0x HTTP/1.1\r\nHost: x\r\n\r\n",
     sizeof("GET " SEED "\0x HTTP/1.1\r\nHost: x\r\n\r\n") - 1, 400, true},
    {"%00 in the path", "GET " SEED "%00.json HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"%00 in a query value", "GET /v1/articles?page=1%00x HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400,
     true},
    {"a NUL byte in a header value", "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: a\0b\r\n\r\n",
     sizeof("GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: a\0b\r\n\r\n") - 1, 400, true},
    {"a NUL byte in the last header value", "GET " SEED " HTTP/1.1\r\nHost: x\0y\r\n\r\n",
     sizeof("GET " SEED " HTTP/1.1\r\nHost: x\0y\r\n\r\n") - 1, 400, true},
    {"invalid UTF-8 in the path", "GET " SEED "\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"invalid UTF-8 percent-encoded in the path", "GET " SEED "%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
     0, 400, true},
    {"invalid UTF-8 in a header value",
     "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: \xc3\x28\r\n\r\n", 0, 400, true},
    {"a bare CR in a header value", "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: a\rb\r\n\r\n", 0,
     400, true},
    {"no Host on HTTP/1.1", "GET " SEED " HTTP/1.1\r\n\r\n", 0, 400, true},
    {"two Host headers", "GET " SEED " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 0, 400, true},
    {"a space before the colon", "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note : a\r\n\r\n", 0, 400,
     true},
    {"a space in the target", "GET /v1/articles/a b HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"two spaces in the request line", "GET  " SEED " HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"a header line without a colon", "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note\r\n\r\n", 0, 400,
     false},
    {"page past 64 bits", "GET /v1/articles?page=99999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
     0, 400, true},
    {"per_page -1", "GET /v1/articles?per_page=-1 HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"page 1e9", "GET /v1/articles?page=1e9 HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
    {"page 0x10", "GET /v1/articles?page=0x10 HTTP/1.1\r\nHost: x\r\n\r\n", 0, 400, true},
};

/* A request for an article whose id is target_len bytes long, with headers
 * header lines of header_len bytes each. */
static char *
oversized(size_t target_len, size_t header_len, size_t headers)
{
    size_t cap = target_len + headers * (header_len + 32) + 256;
    char *r = malloc(cap);
    cr_assert_not_null(r);
    size_t n = (size_t)snprintf(r, cap, "GET /v1/articles/");
    memset(r + n, 'a', target_len);
    n += target_len;
    n += (size_t)snprintf(r + n, cap - n, " HTTP/1.1\r\nHost: x\r\n");
    for (size_t h = 0; h < headers; h++) {
        n += (size_t)snprintf(r + n, cap - n, "X-Big-%zu: ", h);
        memset(r + n, 'b', header_len);
        n += header_len;
        n += (size_t)snprintf(r + n, cap - n, "\r\n");
    }
    snprintf(r + n, cap - n, "\r\n");
    return r;
}

static struct harness h;

static void
start(void)
{
    harness_start(&h, "data/articles", NULL);
}

static void
stop(void)
{
    harness_stop(&h);
}

TestSuite(malformed, .init = start, .fini = stop, .timeout = 120);

/* Asserts one refusal with status, Connection: close and the end of the stream. */
static void
assert_refused(const char *name, const struct exchange *e, int status, bool problem)
{
    char want[16];
    snprintf(want, sizeof want, "HTTP/1.1 %d ", status);
    cr_assert(strncmp(e->out, want, strlen(want)) == 0, "%s: want %d, got: %.300s", name, status,
              e->out);
    cr_assert(has_header(e->out, "Connection: close"), "%s: no Connection: close in %.400s", name,
              e->out);
    cr_assert(e->eof, "%s: the connection was left open", name);
    /* libmicrohttpd 0.9.75 sends the head of its own error page twice (a bug of
     * its own, harmless on a closed connection); a second status line is
     * otherwise a second response. */
    for (const char *p = strstr(e->out + 1, "\nHTTP/1.1 "); p; p = strstr(p + 1, "\nHTTP/1.1 "))
        cr_assert(!problem && strncmp(p + 1, want, strlen(want)) == 0, "%s: a second response: %s",
                  name, e->out);
    cr_assert_null(strstr(e->out, "\"headline\""), "%s: the article was served", name);
    if (problem) {
        cr_assert(has_header(e->out, "Content-Type: application/problem+json"),
                  "%s: not problem+json: %.400s", name, e->out);
        cr_assert(has_header(e->out, "X-Request-Id: "), "%s: no request id", name);
        cr_assert_eq(count_header(e->out, "Date: "), 1, "%s: one Date: %.400s", name, e->out);
        cr_assert_not_null(strstr(e->out, "\"type\":\"urn:articled:problem:"), "%s: %s", name,
                           e->out);
    }
}

static char *
get_body(const char *path, size_t *len)
{
    struct http_reply r;
    http_call(&h, "GET", path, NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "GET %s: %ld", path, r.status);
    char *body = r.body;
    *len = r.len;
    r.body = NULL;
    http_reply_free(&r);
    return body;
}

Test(malformed, refuses_every_probe_with_one_4xx_and_closes_then_serves_the_same_bytes)
{
    size_t before_len, after_len;
    char *before = get_body(SEED, &before_len);
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        const struct probe *p = &probes[i];
        struct exchange e;
        send_raw(h.port, p->bytes, p->len ? p->len : strlen(p->bytes), &e);
        assert_refused(p->name, &e, p->status, p->problem);
        free(e.out);
    }
    char *after = get_body(SEED, &after_len);
    cr_assert(before_len == after_len && memcmp(before, after, before_len) == 0,
              "the seed article changed after the probes");
    struct http_reply r;
    http_call(&h, "GET", "/healthz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_reply_free(&r);
    free(before);
    free(after);
}

Test(malformed, answers_414_and_431_as_problems_with_a_request_id)
{
    static const struct {
        const char *name;
        size_t target, header, headers;
        int status;
        const char *code;
    } cases[] = {
        {"a target one byte past 8 KiB", 8192, 10, 1, 414, "uri-too-long"},
        {"a 20 KiB target", 20000, 10, 1, 414, "uri-too-long"},
        {"a header line past 8 KiB", 10, 8200, 1, 431, "header-too-large"},
        {"20 KiB of headers in 5 KiB lines", 10, 5000, 4, 431, "headers-too-large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *req = oversized(cases[i].target, cases[i].header, cases[i].headers);
        struct exchange e;
        send_raw(h.port, req, strlen(req), &e);
        assert_refused(cases[i].name, &e, cases[i].status, true);
        char code[64];
        snprintf(code, sizeof code, "\"code\":\"%s\"", cases[i].code);
        cr_assert_not_null(strstr(e.out, code), "%s: %s", cases[i].name, e.out);
        free(e.out);
        free(req);
    }
    /* Just inside every limit: routed (and no such article). */
    char *req = oversized(8000, 8000, 1); /* 16 KiB in all, just under max_header_bytes */
    struct exchange e;
    send_raw(h.port, req, strlen(req), &e);
    cr_assert(strncmp(e.out, "HTTP/1.1 404 ", 13) == 0, "at the limits: %.300s", e.out);
    free(e.out);
    free(req);
}

Test(malformed, accepts_what_is_odd_but_well_formed)
{
    static const char *const fine[] = {
        "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Note: caf\xc3\xa9\r\n\r\n", /* UTF-8 in a value */
        "GET " SEED " HTTP/1.1\nHost: x\nX-Note:\tq \n\n",                 /* bare LF, tab */
        "GET " SEED " HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n",            /* an empty value */
        "GET " SEED " HTTP/1.0\r\n\r\n",                                   /* HTTP/1.0, no Host */
        "GET /v1/articles?q=caf%C3%A9 HTTP/1.1\r\nHost: x\r\nCookie: a=b; c=d\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        struct exchange e;
        send_raw(h.port, fine[i], strlen(fine[i]), &e);
        cr_assert(strncmp(e.out, "HTTP/1.1 200 ", 13) == 0, "request %zu: %.300s", i, e.out);
        free(e.out);
    }
}

/* ---- Whole-request deadlines ---- */

static void
short_deadlines(struct config *cfg)
{
    cfg->header_timeout = 1;
    cfg->body_timeout = 1;
    cfg->connection_timeout = 30; /* the idle timer alone would wait this long */
}

TestSuite(deadline, .timeout = 60);

/* Sends head at once, then one byte of drip every interval_ms until the server
 * closes the stream or limit_ms pass; returns what came back. */
static void
dribble(int port, const char *head, const char *drip, int interval_ms, int limit_ms,
        struct exchange *e)
{
    memset(e, 0, sizeof *e);
    int fd = harness_connect(port);
    double t0 = now_ms();
    if (*head)
        cr_assert(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    size_t n = strlen(drip);
    for (size_t i = 0; !e->eof && now_ms() - t0 < limit_ms; i++) {
        if (n && send(fd, drip + i % n, 1, MSG_NOSIGNAL) != 1)
            break;
        read_all(fd, e, interval_ms, t0);
    }
    if (!e->eof)
        read_all(fd, e, 500, t0);
    close(fd);
}

Test(deadline, closes_headers_dribbled_slower_than_header_timeout_with_408)
{
    struct harness dh;
    harness_start(&dh, "data/articles", short_deadlines);
    struct exchange e;
    /* One byte every 200 ms: each resets an idle timer, never a whole-request one. */
    dribble(dh.port, "GET " SEED " HTTP/1.1\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 200,
            6000, &e);
    assert_refused("dribbled headers", &e, 408, true);
    cr_assert(e.ms >= 900 && e.ms < 2500, "closed after %.0f ms, want about 1000", e.ms);
    free(e.out);
    /* A connection that never sends a byte is closed too, without a response. */
    dribble(dh.port, "", "", 200, 6000, &e);
    cr_assert(e.eof && e.len == 0, "idle: eof %d, %zu bytes", e.eof, e.len);
    cr_assert(e.ms >= 900 && e.ms < 2500, "idle closed after %.0f ms", e.ms);
    free(e.out);
    harness_stop(&dh);
}

Test(deadline, cuts_a_body_dribbled_slower_than_body_timeout)
{
    struct harness dh;
    harness_start(&dh, "data/articles", short_deadlines);
    struct exchange e;
    dribble(dh.port,
            "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            "Content-Length: 200\r\n\r\n",
            "abcdefghij", 200, 6000, &e);
    cr_assert(e.eof, "the slow body was left open");
    cr_assert_null(strstr(e.out, "HTTP/1.1 200"), "the slow body was served: %s", e.out);
    cr_assert(e.ms >= 900 && e.ms < 2500, "closed after %.0f ms", e.ms);
    free(e.out);
    /* A chunk that announces 2^64-1 bytes never ends: the body deadline ends it. */
    dribble(dh.port, CHUNKED_POST "FFFFFFFFFFFFFFFF\r\nhello", "x", 200, 6000, &e);
    cr_assert(e.eof, "the endless chunk was left open");
    cr_assert_null(strstr(e.out, "HTTP/1.1 200"), "%s", e.out);
    cr_assert(e.ms >= 900 && e.ms < 2500, "closed after %.0f ms", e.ms);
    free(e.out);
    harness_stop(&dh);
}

/* This client sleeps between requests and may wake on another CPU, and a
 * steered connection whose client moved may be closed after a response
 * (server/steer.h): HTTP allows it, but this test is about deadlines. */
static void
short_deadlines_unsteered(struct config *cfg)
{
    short_deadlines(cfg);
    cfg->steer_local_connections = false;
}

Test(deadline, gives_each_request_on_a_kept_alive_connection_its_own_deadline)
{
    struct harness dh;
    harness_start(&dh, "data/articles", short_deadlines_unsteered);
    int fd = harness_connect(dh.port);
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    /* Five requests 600 ms apart: 3 s on one connection, each well inside 1 s. */
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1),
                     "request %d: the connection was closed", i);
        struct exchange e = {0};
        double t0 = now_ms();
        while (!e.eof && (!e.out || !strstr(e.out, "}")) && now_ms() - t0 < 2000)
            read_all(fd, &e, 100, t0);
        cr_assert(e.out && strncmp(e.out, "HTTP/1.1 200 ", 13) == 0, "request %d: %s", i, e.out);
        cr_assert(!has_header(e.out, "Connection: close"), "request %d closed the connection", i);
        free(e.out);
        usleep(600 * 1000);
    }
    close(fd);
    harness_stop(&dh);
}
