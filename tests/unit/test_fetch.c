/* fetch: fetch_url against a small HTTP server this test runs on 127.0.0.1
 * (a thread with a listening socket). No traffic leaves this machine: every
 * address that is not 127.0.0.1 is refused by the guard before a socket exists,
 * and each refusal test names the reason, so it fails if the guard is removed. */
#include "models/fetch.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAGE "<html><head><title>Hello</title></head><body><p>Hello, world.</p></body></html>"
#define BIG_BYTES (1u << 20)

enum body_kind { BODY_TEXT, BODY_BIG_UNANNOUNCED, BODY_BIG_ANNOUNCED, BODY_SLOW };

/* The server's pages. `location` may hold one %d, the server's port. */
static const struct route {
    const char *path;
    int status;
    const char *content_type;
    const char *location;
    enum body_kind kind;
} routes[] = {
    {"/page", 200, "text/html; charset=utf-8", NULL, BODY_TEXT},
    {"/json", 200, "application/json", NULL, BODY_TEXT},
    {"/missing", 404, "text/html", NULL, BODY_TEXT},
    {"/loop", 302, "text/html", "/loop", BODY_TEXT},
    {"/hop1", 301, "text/html", "/hop2", BODY_TEXT},
    {"/hop2", 302, "text/html", "/hop3", BODY_TEXT},
    {"/hop3", 307, "text/html", "/page", BODY_TEXT},
    {"/to-numeric", 302, "text/html", "http://127.0.0.1:%d/page", BODY_TEXT},
    {"/to-mapped", 302, "text/html", "http://[::ffff:127.0.0.1]:%d/page", BODY_TEXT},
    {"/to-file", 302, "text/html", "file:///etc/passwd", BODY_TEXT},
    {"/to-gopher", 302, "text/html", "gopher://127.0.0.1:%d/", BODY_TEXT},
    {"/big", 200, "text/html", NULL, BODY_BIG_UNANNOUNCED},
    {"/big-announced", 200, "text/html", NULL, BODY_BIG_ANNOUNCED},
    {"/slow", 200, "text/html", NULL, BODY_SLOW},
};

struct server {
    int fd, port;
    atomic_bool stop;
    pthread_t thread;
};

static struct server srv;

static void
send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void
serve(int fd, struct server *s)
{
    char req[4096] = "";
    size_t n = 0;
    while (n < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            return;
        n += (size_t)r;
        req[n] = '\0';
    }
    char path[256] = "";
    sscanf(req, "GET %255s", path);
    const struct route *rt = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (strcmp(routes[i].path, path) == 0)
            rt = &routes[i];
    char head[1024], location[300] = "";
    if (!rt) {
        snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        send_all(fd, head, strlen(head));
        return;
    }
    if (rt->location) {
        char loc[256];
        snprintf(loc, sizeof loc, rt->location, s->port);
        snprintf(location, sizeof location, "Location: %s\r\n", loc);
    }
    char length[64] = "";
    if (rt->kind == BODY_TEXT)
        snprintf(length, sizeof length, "Content-Length: %zu\r\n", strlen(PAGE));
    else if (rt->kind == BODY_BIG_ANNOUNCED)
        snprintf(length, sizeof length, "Content-Length: %u\r\n", BIG_BYTES);
    snprintf(head, sizeof head,
             "HTTP/1.1 %d X\r\nContent-Type: %s\r\n%s%sConnection: close\r\n\r\n", rt->status,
             rt->content_type, location, length);
    send_all(fd, head, strlen(head));
    if (rt->kind == BODY_TEXT) {
        send_all(fd, PAGE, strlen(PAGE));
    } else if (rt->kind == BODY_SLOW) {
        for (int i = 0; i < 60 && !atomic_load(&s->stop); i++)
            usleep(50 * 1000);
        send_all(fd, PAGE, strlen(PAGE));
    } else {
        static char chunk[16384];
        memset(chunk, 'x', sizeof chunk);
        for (size_t sent = 0; sent < BIG_BYTES; sent += sizeof chunk)
            send_all(fd, chunk, sizeof chunk);
    }
}

static void *
server_main(void *arg)
{
    struct server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(c, s);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

static void
server_start(void)
{
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(srv.fd, 0);
    int one = 1;
    setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(srv.fd, (struct sockaddr *)&sin, sizeof sin), 0);
    cr_assert_eq(listen(srv.fd, 16), 0);
    socklen_t len = sizeof sin;
    getsockname(srv.fd, (struct sockaddr *)&sin, &len);
    srv.port = ntohs(sin.sin_port);
    atomic_store(&srv.stop, false);
    cr_assert_eq(pthread_create(&srv.thread, NULL, server_main, &srv), 0);
    /* No curl_global_init here: fetch_url initialises libcurl itself. */
}

static void
server_stop(void)
{
    atomic_store(&srv.stop, true);
    pthread_join(srv.thread, NULL);
    close(srv.fd);
    curl_global_cleanup();
}

TestSuite(fetch, .init = server_start, .fini = server_stop);

static const char *const allow_loopback[] = {"127.0.0.1"};
static const struct fetchguard_policy loopback_policy = {allow_loopback, 1};

/* Options for the tests: the given policy, short timeouts, a 64 KiB cap. */
static struct fetch_options
options(const struct fetchguard_policy *p)
{
    struct fetch_options o;
    fetch_options_init(&o);
    o.policy = p;
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 5000;
    o.max_bytes = 64 * 1024;
    return o;
}

static void *
call_fetch_init(void *arg)
{
    *(int *)arg = fetch_init();
    return NULL;
}

Test(fetch, initialises_libcurl_once_whichever_thread_asks_first)
{
    pthread_t t[8];
    int rc[8];
    for (size_t i = 0; i < 8; i++) {
        rc[i] = -2;
        cr_assert_eq(pthread_create(&t[i], NULL, call_fetch_init, &rc[i]), 0);
    }
    for (size_t i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(rc[i], 0, "thread %zu", i);
    }
    cr_expect_eq(fetch_init(), 0, "a later call returns the first outcome");
}

/* Fetches http://HOST:port/PATH (host spelled as given) and returns the reason, NULL on success. */
static const char *
fetch_at(const char *host, const char *path, const struct fetch_options *o,
         struct fetch_result *res)
{
    char url[256];
    snprintf(url, sizeof url, "http://%s:%d%s", host, srv.port, path);
    const char *why = NULL;
    int rc = fetch_url(url, o, res, &why);
    cr_expect_eq(rc == 0, why == NULL, "%s: return code and reason agree", url);
    return rc == 0 ? NULL : why;
}

Test(fetch, fetches_a_page_when_the_policy_allows_loopback)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_assert_null(fetch_at("127.0.0.1", "/page", &o, &r));
    cr_expect_eq(r.status, 200);
    cr_expect_eq(r.len, strlen(PAGE));
    cr_expect_str_eq(r.body, PAGE);
    cr_expect_str_eq(r.content_type, "text/html; charset=utf-8");
    fetch_result_free(&r);
}

Test(fetch, refuses_loopback_without_the_allow_list)
{
    struct fetch_options o = options(NULL);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/page", &o, &r), "address_forbidden");
    cr_expect_null(r.body);
    fetch_result_free(&r);
}

Test(fetch, refuses_loopback_in_every_spelling)
{
    static const char *const spellings[] = {"2130706433", "0x7f.1",          "127.1",
                                            "0177.0.0.1", "[::1]",           "[::ffff:127.0.0.1]",
                                            "localhost",  "127.000.000.001", "0x7f000001"};
    struct fetch_options o = options(NULL);
    for (size_t k = 0; k < sizeof spellings / sizeof *spellings; k++) {
        struct fetch_result r;
        const char *why = fetch_at(spellings[k], "/page", &o, &r);
        cr_expect(why && strcmp(why, "address_forbidden") == 0, "%s refused as %s", spellings[k],
                  why ? why : "(fetched)");
        fetch_result_free(&r);
    }
}

/* The refusals above are meaningful only if libcurl reaches 127.0.0.1 through
 * these spellings; with the loopback allowed they fetch the page. */
Test(fetch, the_ipv4_spellings_reach_the_server_when_loopback_is_allowed)
{
    static const char *const spellings[] = {"2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]"};
    struct fetch_options o = options(&loopback_policy);
    for (size_t k = 0; k < sizeof spellings / sizeof *spellings; k++) {
        struct fetch_result r;
        const char *why = fetch_at(spellings[k], "/page", &o, &r);
        cr_expect_null(why, "%s: %s", spellings[k], why);
        fetch_result_free(&r);
    }
}

Test(fetch, follows_redirects_up_to_the_limit_and_reports_the_final_url)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_assert_null(fetch_at("127.0.0.1", "/hop1", &o, &r));
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/page", srv.port);
    cr_expect_str_eq(r.final_url, want);
    cr_expect_str_eq(r.body, PAGE);
    fetch_result_free(&r);

    o.max_redirects = 2;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/hop1", &o, &r), "too_many_redirects");
    fetch_result_free(&r);
}

Test(fetch, refuses_a_redirect_loop)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/loop", &o, &r), "too_many_redirects");
    fetch_result_free(&r);
}

/* The policy allows the name `localhost` only; its redirects to 127.0.0.1 spelled
 * as an address are checked at connect time and refused. */
Test(fetch, refuses_a_redirect_to_a_forbidden_address)
{
    static const char *const allow[] = {"localhost"};
    struct fetchguard_policy p = {allow, 1};
    struct fetch_options o = options(&p);
    struct fetch_result r;
    cr_assert_null(fetch_at("localhost", "/page", &o, &r), "the allowed name is fetched");
    fetch_result_free(&r);
    cr_expect_str_eq(fetch_at("localhost", "/to-numeric", &o, &r), "address_forbidden");
    fetch_result_free(&r);
    cr_expect_str_eq(fetch_at("localhost", "/to-mapped", &o, &r), "address_forbidden");
    fetch_result_free(&r);
}

Test(fetch, refuses_a_redirect_to_another_scheme)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/to-file", &o, &r), "scheme_forbidden");
    fetch_result_free(&r);
    cr_expect_str_eq(fetch_at("127.0.0.1", "/to-gopher", &o, &r), "scheme_forbidden");
    fetch_result_free(&r);
}

Test(fetch, refuses_non_http_schemes)
{
    static const char *const urls[] = {"file:///etc/passwd",          "gopher://127.0.0.1:70/_x",
                                       "dict://127.0.0.1:11211/stat", "ftp://127.0.0.1/",
                                       "FILE:///etc/passwd",          "ldap://127.0.0.1/"};
    struct fetch_options o = options(&loopback_policy);
    for (size_t k = 0; k < sizeof urls / sizeof *urls; k++) {
        struct fetch_result r;
        const char *why = NULL;
        cr_expect_eq(fetch_url(urls[k], &o, &r, &why), -1, "%s", urls[k]);
        cr_expect_str_eq(why, "scheme_forbidden", "%s", urls[k]);
        fetch_result_free(&r);
    }
}

Test(fetch, stops_an_oversized_body_with_or_without_content_length)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/big", &o, &r), "too_large");
    cr_expect_null(r.body);
    fetch_result_free(&r);
    cr_expect_str_eq(fetch_at("127.0.0.1", "/big-announced", &o, &r), "too_large");
    fetch_result_free(&r);
    o.max_bytes = 2 * BIG_BYTES;
    cr_expect_null(fetch_at("127.0.0.1", "/big", &o, &r), "under a larger cap it fits");
    cr_expect_eq(r.len, BIG_BYTES);
    fetch_result_free(&r);
}

Test(fetch, gives_up_on_a_slow_response_at_the_total_timeout)
{
    struct fetch_options o = options(&loopback_policy);
    o.timeout_ms = 300;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/slow", &o, &r), "timeout");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_lt(s, 1.5, "took %.2f s", s);
    fetch_result_free(&r);
}

Test(fetch, refuses_error_statuses_and_content_that_is_not_html)
{
    struct fetch_options o = options(&loopback_policy);
    struct fetch_result r;
    cr_expect_str_eq(fetch_at("127.0.0.1", "/missing", &o, &r), "http_status");
    cr_expect_eq(r.status, 404);
    fetch_result_free(&r);
    cr_expect_str_eq(fetch_at("127.0.0.1", "/json", &o, &r), "not_html");
    cr_expect_str_eq(r.content_type, "application/json");
    fetch_result_free(&r);
    o.require_html = false;
    cr_expect_null(fetch_at("127.0.0.1", "/json", &o, &r));
    fetch_result_free(&r);
}

Test(fetch, reports_a_malformed_url)
{
    struct fetch_result r;
    const char *why = NULL;
    cr_expect_eq(fetch_url("http://", NULL, &r, &why), -1);
    cr_expect_str_eq(why, "bad_url");
    fetch_result_free(&r);
}
