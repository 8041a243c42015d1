/* POST /v1/articles/import and HTML uploads: fetching pages from a local test
 * server, every request-forgery refusal end to end, and the fetch limits. No
 * traffic leaves this machine: the pages are served on 127.0.0.1, which only
 * the configurations of these tests allow. */
#include "tests/support/harness.h"
#include "tests/support/pages.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN "import-token"
static const char *const auth[] = {"Authorization: Bearer " TOKEN,
                                   "Content-Type: application/json", NULL};

static char story[8192];
static struct page pages[] = {
    {"/story.html", 200, "text/html; charset=utf-8", NULL, story, 0, 0},
    {"/latin1.html", 200, "text/html; charset=iso-8859-1", NULL,
     "<html><head><title>Caf\xe9 owners welcome the new bridge</title></head><body><article>"
     "<h1>Caf\xe9 owners welcome the new bridge</h1><p>Owners of the caf\xe9s along the quay "
     "said on Tuesday that the bridge had doubled the number of people walking past their "
     "doors since it opened in the spring.</p><p>\xabIt has changed the street,\xbb one of them "
     "said, adding that the council should now widen the pavements near the harbour.</p>"
     "</article></body></html>",
     0, 0},
    {"/redirect", 302, NULL, "http://127.0.0.1:%d/story.html", "", 0, 0},
    {"/to-loopback", 302, NULL, "http://127.0.0.1:%d/story.html", "", 0, 0},
    {"/to-ftp", 302, NULL, "ftp://127.0.0.1:%d/story.html", "", 0, 0},
    {"/loop", 302, NULL, "http://127.0.0.1:%d/loop", "", 0, 0},
    {"/big", 200, "text/html", NULL, "<p>0123456789abcdef0123456789abcdef</p>\n", 100000, 0},
    {"/slow", 200, "text/html", NULL, "<p>late</p>", 0, 3000}, /* 3x fetch_timeout */
    {"/plain", 200, "text/plain", NULL, "not a page", 0, 0},
    {"/empty.html", 200, "text/html", NULL, "<html><body></body></html>", 0, 0},
};

static struct harness h;
static struct pages *srv;
static char dir[64];
static char allow[64] = "127.0.0.1";

static void
tweak(struct config *cfg)
{
    snprintf(cfg->write_token, sizeof cfg->write_token, "%s", TOKEN);
    snprintf(cfg->fetch_allow, sizeof cfg->fetch_allow, "%s", allow);
    cfg->fetch_timeout = harness_slow(); /* 1 s; longer under valgrind */
    cfg->fetch_max_bytes = 200000;
}

static void
start_with(const char *allowed)
{
    snprintf(allow, sizeof allow, "%s", allowed);
    FILE *f = fopen("tests/fixtures/html/ferry.html", "rb");
    cr_assert_not_null(f);
    story[fread(story, 1, sizeof story - 1, f)] = '\0';
    fclose(f);
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++)
        if (pages[i].delay_ms)
            pages[i].delay_ms = 3000 * harness_slow();
    srv = pages_start(pages, sizeof pages / sizeof *pages);
    cr_assert_not_null(srv);
    snprintf(dir, sizeof dir, "/tmp/articled-import-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[160];
    snprintf(cmd, sizeof cmd, "cp data/articles/kim-visits-china.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    harness_start(&h, dir, tweak);
}

static void
start_allowing_loopback(void)
{
    start_with("127.0.0.1");
}

static void
start_allowing_nothing(void)
{
    start_with("");
}

static void
start_allowing_localhost_by_name(void)
{
    start_with("localhost");
}

static void
stop(void)
{
    harness_stop(&h);
    pages_stop(srv);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* POSTs {"url": url} to the import endpoint (query appended to the path). */
static void
import(const char *query, const char *url, struct http_reply *r)
{
    char body[600], path[64];
    snprintf(body, sizeof body, "{\"url\":\"%s\"}", url);
    snprintf(path, sizeof path, "/v1/articles/import%s", query);
    http_call(&h, "POST", path, body, auth, r);
}

static char *
local(const char *host, const char *path)
{
    static char url[256];
    snprintf(url, sizeof url, "http://%s:%d%s", host, pages_port(srv), path);
    return url;
}

TestSuite(import, .init = start_allowing_loopback, .fini = stop, .timeout = 60);

Test(import, fetches_extracts_and_stores_a_page)
{
    struct http_reply r;
    import("", local("127.0.0.1", "/story.html"), &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cJSON *j = cJSON_ParseWithLength(r.body, r.len);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "headline")->valuestring,
                     "Ferry service resumes after storm damage");
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(j, "annotations"));
    cJSON_Delete(j);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles/ferry-service-resumes-after-storm-damage", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_reply_free(&r);
    import("", local("127.0.0.1", "/story.html"), &r);
    http_expect_problem(&r, 409, "article-exists", NULL);
    http_reply_free(&r);
}

Test(import, returns_the_article_without_storing_it_on_a_dry_run)
{
    struct http_reply r;
    import("?dry_run=true", local("127.0.0.1", "/redirect"), &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"headline\":\"Ferry service resumes after storm damage\""));
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles/ferry-service-resumes-after-storm-damage", NULL, NULL, &r);
    cr_assert_eq(r.status, 404, "a dry run stores nothing");
    http_reply_free(&r);
    import("?dry_run=maybe", local("127.0.0.1", "/story.html"), &r);
    http_expect_problem(&r, 400, "invalid-parameter", NULL);
    http_reply_free(&r);
}

Test(import, honours_the_declared_charset)
{
    struct http_reply r;
    import("?dry_run=true", local("127.0.0.1", "/latin1.html"), &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"headline\":\"Café owners welcome the new bridge\""), "%s",
                       r.body);
    http_reply_free(&r);
}

Test(import, refuses_what_breaks_the_fetch_limits)
{
    static const struct {
        const char *path, *code;
        long status;
    } cases[] = {
        {"/loop", "fetch-too-many-redirects", 422}, {"/big", "fetch-too-large", 422},
        {"/plain", "fetch-not-html", 422},         {"/missing", "fetch-http-status", 422},
        {"/to-ftp", "fetch-scheme-forbidden", 400}, {"/empty.html", "extract-failed", 422},
        /* last: the test server answers one request at a time */
        {"/slow", "fetch-timeout", 422},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_reply r;
        import("", local("127.0.0.1", cases[i].path), &r);
        http_expect_problem(&r, cases[i].status, cases[i].code, NULL);
        http_reply_free(&r);
    }
}

Test(import, validates_the_request)
{
    static const char *const bodies[] = {"{}", "{\"url\":7}", "{\"url\":\"x\",\"more\":1}", "[]"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        struct http_reply r;
        http_call(&h, "POST", "/v1/articles/import", bodies[i], auth, &r);
        http_expect_problem(&r, 400, "invalid-import", NULL);
        http_reply_free(&r);
    }
    const char *const no_token[] = {"Content-Type: application/json", NULL};
    struct http_reply r;
    http_call(&h, "POST", "/v1/articles/import", "{\"url\":\"http://127.0.0.1/\"}", no_token, &r);
    http_expect_problem(&r, 401, "unauthenticated", NULL);
    http_reply_free(&r);
}

Test(import, extracts_an_uploaded_html_page)
{
    const char *const hdr[] = {auth[0], "Content-Type: text/html; charset=utf-8", NULL};
    struct http_reply r;
    http_call(&h, "POST", "/v1/articles", story, hdr, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"byline\":\"Mairead Collins\""), "%s", r.body);
    http_reply_free(&r);
    http_call(&h, "POST", "/v1/articles", "<html><body></body></html>", hdr, &r);
    http_expect_problem(&r, 422, "extract-failed", NULL);
    http_reply_free(&r);
}

/* With nothing allowed, every spelling of this machine is refused. */
TestSuite(import_guard, .init = start_allowing_nothing, .fini = stop, .timeout = 60);

Test(import_guard, refuses_loopback_however_it_is_spelled)
{
    static const char *const hosts[] = {"127.0.0.1", "2130706433", "0x7f.1",      "127.1",
                                        "localhost", "[::1]",      "0177.0.0.1", "[::ffff:127.0.0.1]"};
    for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
        struct http_reply r;
        import("?dry_run=true", local(hosts[i], "/story.html"), &r);
        http_expect_problem(&r, 403, "fetch-address-forbidden", NULL);
        http_reply_free(&r);
    }
    static const char *const urls[] = {"file:///etc/passwd", "gopher://127.0.0.1/",
                                       "dict://127.0.0.1:11211/stat", "ftp://127.0.0.1/"};
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        struct http_reply r;
        import("?dry_run=true", urls[i], &r);
        http_expect_problem(&r, 400, "fetch-scheme-forbidden", NULL);
        http_reply_free(&r);
    }
}

/* A host allowed by name may not redirect to an address that is not allowed. */
TestSuite(import_redirect, .init = start_allowing_localhost_by_name, .fini = stop,
          .timeout = 60);

Test(import_redirect, refuses_a_redirect_to_a_forbidden_address)
{
    struct http_reply r;
    import("?dry_run=true", local("localhost", "/story.html"), &r);
    cr_assert_eq(r.status, 200, "the host allowed by name is fetched: %s", r.body);
    http_reply_free(&r);
    import("?dry_run=true", local("localhost", "/to-loopback"), &r);
    http_expect_problem(&r, 403, "fetch-address-forbidden", NULL);
    http_reply_free(&r);
}
