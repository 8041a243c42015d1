/* HTTP behaviour of the real server (libmicrohttpd on 127.0.0.1, port 0),
 * driven with libcurl and, for malformed requests, raw sockets. */
#include "handlers/routes.h"
#include "handlers/service.h"
#include "server/http.h"
#include "models/utf8.h"
#include "tests/support/harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SEED "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"

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

TestSuite(http, .init = start, .fini = stop, .timeout = 60);

Test(http, serves_the_seed_article_as_structured_json)
{
    struct http_reply r;
    http_call(&h, "GET", SEED, NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_expect_header(&r, "Content-Type", "application/json");
    cJSON *j = http_json(&r);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "headline")->valuestring,
                     "North Korea’s Kim visiting China at Xi Jinping’s invitation");
    cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");
    int images = 0, subheadings = 0;
    for (cJSON *b = body->child; b; b = b->next) {
        const char *type = cJSON_GetObjectItemCaseSensitive(b, "type")->valuestring;
        images += strcmp(type, "image") == 0;
        subheadings += strcmp(type, "subheading") == 0;
    }
    cr_assert_eq(images, 3);
    cr_assert_eq(subheadings, 1);
    cJSON *source = cJSON_GetObjectItemCaseSensitive(j, "source");
    cr_assert_eq(cJSON_GetArraySize(source), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(source, 0)->valuestring, "Al Jazeera");
    char *etag = http_header(&r, "ETag");
    cr_assert(etag && etag[0] == '"' && strlen(etag) == 18, "strong ETag: %s", etag);
    free(etag);
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, finds_an_article_by_slug_as_well_as_by_id)
{
    struct http_reply r;
    /* harbour-bridge-reopens has an id in its front matter that differs from its slug. */
    http_call(&h, "GET",
              "/v1/articles/galways-claddagh-harbour-bridge-reopens-after-year-long-repair", NULL,
              NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "id")->valuestring,
                     "harbour-bridge-reopens");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, answers_404_problem_for_an_unknown_article)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles/no-such-article", NULL, NULL, &r);
    http_expect_problem(&r, 404, "article-not-found", NULL);
    http_reply_free(&r);
}

Test(http, answers_404_problem_for_an_unknown_path)
{
    static const char *const paths[] = {
        "/", "/v1", "/v1/articles/", "/v2/articles", "/v1/articles/x/y/z", "/healthz/"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct http_reply r;
        http_call(&h, "GET", paths[i], NULL, NULL, &r);
        http_expect_problem(&r, 404, "not-found", NULL);
        http_reply_free(&r);
    }
}

Test(http, lists_every_sample_article_with_total_and_links)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_expect_header(&r, "X-Total-Count", "5");
    cJSON *j = http_json(&r);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")), 5);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble, 5);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "items"), 0);
    static const char *const fields[] = {"id",        "headline",   "standfirst",
                                         "published", "word_count", "links"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(first, fields[i]), "%s", fields[i]);
    /* Newest first: the central bank story (2025-10-08) leads, the undated seed is last. */
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(first, "id")->valuestring,
                     "central-bank-holds-rates");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, pages_the_list_with_link_headers)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles?page=2&per_page=2", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_expect_header(&r, "X-Total-Count", "5");
    http_expect_header(&r, "Link",
                       "</v1/articles?page=1&per_page=2>; rel=\"first\", "
                       "</v1/articles?page=1&per_page=2>; rel=\"prev\", "
                       "</v1/articles?page=3&per_page=2>; rel=\"next\", "
                       "</v1/articles?page=3&per_page=2>; rel=\"last\"");
    cJSON *j = http_json(&r);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")), 2);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "pages")->valuedouble, 3);
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles?page=3&per_page=2", NULL, NULL, &r);
    j = http_json(&r);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")), 1);
    char *link = http_header(&r, "Link");
    cr_assert_null(strstr(link, "rel=\"next\""), "no next on the last page: %s", link);
    free(link);
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles?page=9", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "a page past the end is empty, not an error");
    j = http_json(&r);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")), 0);
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, rejects_unknown_repeated_and_out_of_range_query_parameters)
{
    static const struct {
        const char *path, *code;
    } cases[] = {
        {"/v1/articles?foo=1", "unknown-parameter"},
        {"/v1/articles?page=1&page=2", "duplicate-parameter"},
        {"/v1/articles?page=0", "invalid-parameter"},
        {"/v1/articles?page=-1", "invalid-parameter"},
        {"/v1/articles?page=abc", "invalid-parameter"},
        {"/v1/articles?page=1x", "invalid-parameter"},
        {"/v1/articles?page=99999999999999999999", "invalid-parameter"},
        {"/v1/articles?per_page=0", "invalid-parameter"},
        {"/v1/articles?per_page=101", "invalid-parameter"},
        {"/v1/articles?per_page=", "invalid-parameter"},
        {SEED "?page=1", "unknown-parameter"},
        {"/healthz?x", "unknown-parameter"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_reply r;
        http_call(&h, "GET", cases[i].path, NULL, NULL, &r);
        http_expect_problem(&r, 400, cases[i].code, NULL);
        http_reply_free(&r);
    }
}

Test(http, answers_head_with_the_headers_of_get_and_no_body)
{
    struct http_reply g, hd;
    http_call(&h, "GET", SEED, NULL, NULL, &g);
    http_call(&h, "HEAD", SEED, NULL, NULL, &hd);
    cr_assert_eq(hd.status, 200);
    cr_assert_eq(hd.len, 0);
    char want[32];
    snprintf(want, sizeof want, "%zu", g.len);
    http_expect_header(&hd, "Content-Length", want);
    http_expect_header(&hd, "Content-Type", "application/json");
    http_reply_free(&g);
    http_reply_free(&hd);
    http_call(&h, "HEAD", "/v1/articles?per_page=1", NULL, NULL, &hd);
    cr_assert_eq(hd.status, 200);
    http_expect_header(&hd, "X-Total-Count", "5");
    http_reply_free(&hd);
}

Test(http, answers_options_with_allow)
{
    static const struct {
        const char *path, *allow;
    } cases[] = {
        {"/v1/articles", "GET, HEAD, POST, OPTIONS"},
        {SEED, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"},
        {SEED "/quotes", "GET, HEAD, OPTIONS"},
        {"/v1/annotate", "POST, OPTIONS"},
        {"/healthz", "GET, HEAD, OPTIONS"},
        {"/readyz", "GET, HEAD, OPTIONS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_reply r;
        http_call(&h, "OPTIONS", cases[i].path, NULL, NULL, &r);
        cr_assert_eq(r.status, 204, "%s", cases[i].path);
        http_expect_header(&r, "Allow", cases[i].allow);
        cr_assert_eq(r.len, 0);
        http_reply_free(&r);
    }
}

Test(http, answers_405_with_allow_for_a_wrong_method)
{
    static const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"PUT", "/v1/articles", "GET, HEAD, POST, OPTIONS"},
        {"PATCH", "/v1/articles", "GET, HEAD, POST, OPTIONS"},
        {"DELETE", "/v1/articles", "GET, HEAD, POST, OPTIONS"},
        {"POST", SEED, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"},
        {"DELETE", SEED "/entities", "GET, HEAD, OPTIONS"},
        {"GET", "/v1/annotate", "POST, OPTIONS"},
        {"POST", "/healthz", "GET, HEAD, OPTIONS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_reply r;
        http_call(&h, cases[i].method, cases[i].path, NULL, NULL, &r);
        http_expect_problem(&r, 405, "method-not-allowed", NULL);
        http_expect_header(&r, "Allow", cases[i].allow);
        http_reply_free(&r);
    }
}

Test(http, answers_501_for_an_unknown_method)
{
    struct http_reply r;
    http_call(&h, "BREW", "/v1/articles", NULL, NULL, &r);
    http_expect_problem(&r, 501, "method-not-implemented", NULL);
    http_reply_free(&r);
}

Test(http, reports_health_and_readiness)
{
    struct http_reply r;
    http_call(&h, "GET", "/healthz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    http_reply_free(&r);
    http_call(&h, "GET", "/readyz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "status")->valuestring, "ready");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "articles")->valuedouble, 5);
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, echoes_a_plain_request_id_and_replaces_a_bad_one)
{
    struct http_reply r;
    const char *good[] = {"X-Request-Id: trace-42.a_b:c", NULL};
    http_call(&h, "GET", "/healthz", NULL, good, &r);
    http_expect_header(&r, "X-Request-Id", "trace-42.a_b:c");
    http_reply_free(&r);
    const char *bad[] = {"X-Request-Id: <script>", NULL};
    http_call(&h, "GET", "/healthz", NULL, bad, &r);
    char *id = http_header(&r, "X-Request-Id");
    cr_assert(id && !strchr(id, '<') && strlen(id) > 3, "generated id: %s", id);
    free(id);
    http_reply_free(&r);
}

/* Responses to one article are reused by the server thread that made them,
 * with X-Request-Id swapped per request (server/http.c, "Responses kept for
 * reuse"). Four client threads on keep-alive connections, each request with
 * its own id and a mix of variants (identity, gzip, 304, HEAD, an id of the
 * server's making): every answer must carry exactly the id of its request. */
struct id_client {
    const struct harness *h;
    int n;
    int wrong; /* answers with another request's id, or none, or two */
    char seen[200][72];
};

struct header_block {
    char text[4096];
    size_t len;
};

static size_t
collect(char *b, size_t size, size_t n, void *cls)
{
    struct header_block *head = cls;
    size_t len = size * n;
    if (head->len + len < sizeof head->text) {
        memcpy(head->text + head->len, b, len);
        head->len += len;
        head->text[head->len] = '\0';
    }
    return len;
}

static size_t
discard(char *b, size_t size, size_t n, void *cls)
{
    (void)b;
    (void)cls;
    return size * n;
}

/* True when the response head holds one Date header, an IMF-fixdate within
 * a second of the clock (a reused response has its Date rewritten). */
static bool
one_current_date(const char *head)
{
    const char *at = strcasestr(head, "\nDate: ");
    if (!at || strcasestr(at + 1, "\nDate: "))
        return false;
    char value[64] = "";
    sscanf(at + 7, "%63[^\r\n]", value);
    time_t t = curl_getdate(value, NULL), now = time(NULL);
    return strlen(value) == 29 && t != -1 && t <= now && t >= now - 1;
}

static void *
ask_with_ids(void *arg)
{
    struct id_client *c = arg;
    CURL *curl = curl_easy_init();
    char url[256], etag[64] = "";
    snprintf(url, sizeof url, "%s/v1/articles/%s", c->h->base,
             "north-koreas-kim-visiting-china-at-xi-jinpings-invitation");
    for (int i = 0; i < 200; i++) {
        struct header_block head = {.len = 0};
        char id[72] = "", line[128], cond[128];
        int variant = i % 5;
        struct curl_slist *hs = NULL;
        if (variant != 4) {
            snprintf(id, sizeof id, "client%d-request%d", c->n, i);
            snprintf(line, sizeof line, "X-Request-Id: %s", id);
            hs = curl_slist_append(hs, line);
        }
        if (variant == 1)
            hs = curl_slist_append(hs, "Accept-Encoding: gzip");
        if (variant == 2 && etag[0]) {
            snprintf(cond, sizeof cond, "If-None-Match: %s", etag);
            hs = curl_slist_append(hs, cond);
        }
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(curl, CURLOPT_NOBODY, variant == 3 ? 1L : 0L);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        CURLcode rc = curl_easy_perform(curl);
        curl_slist_free_all(hs);
        const char *first = strcasestr(head.text, "\nX-Request-Id: ");
        const char *second = first ? strcasestr(first + 1, "\nX-Request-Id: ") : NULL;
        char got[72] = "";
        if (first)
            sscanf(first + 15, "%71[^\r\n]", got);
        const char *tag = strcasestr(head.text, "\nETag: ");
        if (tag && variant == 0)
            sscanf(tag + 7, "%63[^\r\n]", etag);
        snprintf(c->seen[i], sizeof c->seen[i], "%s", got);
        if (rc != CURLE_OK || !first || second || (id[0] && strcmp(got, id) != 0) ||
            (!id[0] && strncmp(got, "client", 6) == 0) || !one_current_date(head.text))
            c->wrong++;
    }
    curl_easy_cleanup(curl);
    return NULL;
}

Test(http, every_answer_carries_its_own_request_id_under_concurrency)
{
    static struct id_client clients[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        clients[i] = (struct id_client){.h = &h, .n = i};
        cr_assert_eq(pthread_create(&t[i], NULL, ask_with_ids, &clients[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(clients[i].wrong, 0, "client %d: %d answers with the wrong request id", i,
                     clients[i].wrong);
    /* The ids the server made (every fifth request) are all different. */
    for (int a = 0; a < 4; a++)
        for (int i = 4; i < 200; i += 5)
            for (int b = a; b < 4; b++)
                for (int j = b == a ? i + 5 : 4; j < 200; j += 5)
                    cr_assert_str_neq(clients[a].seen[i], clients[b].seen[j]);
}

Test(http, a_reused_response_carries_the_date_it_is_sent, .timeout = 20)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/articles/%s", h.base,
             "north-koreas-kim-visiting-china-at-xi-jinpings-invitation");
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    /* A few requests a second for four seconds on one connection (one HTTP
     * thread): the thread sends its kept response again, whose Date must move
     * on. (Just after start-up, Last-Modified is left out until its second has
     * passed, so the response kept in the first second is not the last.) */
    for (int second = 0; second < 4; second++) {
        for (int i = 0; i < 6; i++) {
            struct header_block head = {.len = 0};
            curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
            cr_assert_eq(curl_easy_perform(curl), CURLE_OK);
            cr_assert(one_current_date(head.text), "second %d, request %d:\n%s", second, i,
                      head.text);
        }
        usleep(1000 * 1000);
    }
    curl_easy_cleanup(curl);
}

Test(http, reads_request_headers_in_any_case_and_the_first_of_repeats)
{
    static const char req[] = "GET /v1/articles/central-bank-holds-rates HTTP/1.1\r\nhost: x\r\n"
                              "x-request-id: lower-1\r\nX-REQUEST-ID: upper-2\r\n"
                              "accept-ENCODING: gzip\r\nConnection: close\r\n\r\n";
    char *out = http_raw(&h, req, sizeof req - 1, 2000);
    cr_assert(strncmp(out, "HTTP/1.1 200", 12) == 0, "got: %.200s", out);
    cr_expect_not_null(strstr(out, "\r\nX-Request-Id: lower-1\r\n"), "got: %.400s", out);
    cr_expect_not_null(strstr(out, "\r\nContent-Encoding: gzip\r\n"), "got: %.400s", out);
    free(out);
}

Test(http, a_malformed_request_still_gets_the_request_id_it_sent)
{
    /* The header walk stops at the bad line; the id after it is still read. */
    static const char req[] = "GET /v1/articles HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n"
                              "X-Request-Id: keep-me\r\n\r\n";
    char *out = http_raw(&h, req, sizeof req - 1, 2000);
    cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0, "got: %.200s", out);
    cr_expect_not_null(strstr(out, "\r\nX-Request-Id: keep-me\r\n"), "got: %.400s", out);
    free(out);
}

Test(http, refuses_ambiguous_request_framing_with_400)
{
    static const char *const requests[] = {
        "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Content-Length: 6\r\n\r\nhello!",
        "POST /v1/articles HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, "
        "chunked\r\n\r\n0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof requests / sizeof *requests; i++) {
        char *out = http_raw(&h, requests[i], strlen(requests[i]), 2000);
        cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0, "request %zu got: %.200s", i, out);
        cr_assert_null(strstr(out + 12, "HTTP/1.1"), "a second response was served: %s", out);
        free(out);
    }
}

static void
small_body_limit(struct config *cfg)
{
    cfg->max_body_bytes = 100;
}

Test(http_limits, refuses_a_body_over_the_limit_with_413_before_reading_it)
{
    struct harness lh;
    harness_start(&lh, "data/articles", small_body_limit);
    char big[512];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct http_reply r;
    http_call(&lh, "POST", "/v1/annotate", big, NULL, &r);
    http_expect_problem(&r, 413, "body-too-large", NULL);
    http_reply_free(&r);
    /* A chunked body has no length up front: it is counted and refused at its end. */
    const char chunked[] =
        "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "c8\r\n"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxx"
        "\r\n0\r\n\r\n";
    char *out = http_raw(&lh, chunked, sizeof chunked - 1, 2000);
    cr_assert(strncmp(out, "HTTP/1.1 413", 12) == 0, "got: %.200s", out);
    free(out);
    harness_stop(&lh);
}

Test(http_limits, answers_503_until_the_content_is_loaded, .timeout = 30)
{
    struct config cfg;
    config_defaults(&cfg);
    cfg.port = 0;
    cfg.log_level = LOG_ERROR;
    cfg.access_log = false;
    struct service *svc = calloc(1, sizeof *svc);
    const char *why = NULL;
    cr_assert_eq(service_init(svc, &cfg, &why), 0);
    struct http_server *srv = http_start(svc, routes, routes_count, &why);
    cr_assert_not_null(srv, "%s", why);
    struct harness lh = {.svc = svc, .http = srv, .port = http_port(srv)};
    snprintf(lh.base, sizeof lh.base, "http://127.0.0.1:%d", lh.port);
    struct http_reply r;
    http_call(&lh, "GET", "/readyz", NULL, NULL, &r);
    http_expect_problem(&r, 503, "not-ready", NULL);
    http_reply_free(&r);
    http_call(&lh, "GET", "/v1/articles", NULL, NULL, &r);
    http_expect_problem(&r, 503, "not-ready", NULL);
    http_expect_header(&r, "Retry-After", "1");
    http_reply_free(&r);
    http_call(&lh, "GET", "/healthz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "liveness does not wait for content");
    http_reply_free(&r);
    cr_assert_eq(service_reload(svc, &why), 0);
    http_call(&lh, "GET", "/readyz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    http_reply_free(&r);
    harness_stop(&lh);
}

/* Many clients at once over keep-alive connections must all get the same bytes. */
Test(http, gives_many_parallel_clients_identical_bodies, .timeout = 60)
{
    struct http_reply ref;
    http_call(&h, "GET", SEED, NULL, NULL, &ref);
    enum { CLIENTS = 64, ROUNDS = 8 };
    CURLM *m = curl_multi_init();
    CURL *easy[CLIENTS];
    struct {
        char *data;
        size_t len;
    } sinks[CLIENTS];
    char url[256];
    snprintf(url, sizeof url, "%s%s", h.base, SEED);
    size_t ok = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < CLIENTS; i++) {
            sinks[i].data = malloc(ref.len + 1);
            sinks[i].len = 0;
            if (round == 0) {
                easy[i] = curl_easy_init();
                curl_easy_setopt(easy[i], CURLOPT_PROXY, "");
                curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
            }
            FILE *f = fmemopen(sinks[i].data, ref.len + 1, "w");
            curl_easy_setopt(easy[i], CURLOPT_URL, url);
            curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, f);
            curl_easy_setopt(easy[i], CURLOPT_PRIVATE, f);
            curl_multi_add_handle(m, easy[i]);
        }
        int running = 1;
        while (running) {
            curl_multi_perform(m, &running);
            if (running)
                curl_multi_poll(m, NULL, 0, 1000, NULL);
        }
        for (int i = 0; i < CLIENTS; i++) {
            FILE *f;
            long status = 0;
            curl_easy_getinfo(easy[i], CURLINFO_PRIVATE, (char **)&f);
            curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
            long pos = ftell(f);
            fclose(f);
            curl_multi_remove_handle(m, easy[i]);
            cr_assert_eq(status, 200);
            cr_assert_eq((size_t)pos, ref.len, "client %d round %d got %ld bytes", i, round, pos);
            cr_assert(memcmp(sinks[i].data, ref.body, ref.len) == 0, "client %d differs", i);
            ok++;
            free(sinks[i].data);
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        curl_easy_cleanup(easy[i]);
    curl_multi_cleanup(m);
    cr_assert_eq(ok, CLIENTS * ROUNDS);
    http_reply_free(&ref);
}

/* Reads a file of the repository whole (for request bodies). */
static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(http, serves_an_articles_entities_and_quotes)
{
    struct http_reply r;
    http_call(&h, "GET", SEED "/entities", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char *etag = http_header(&r, "ETag");
    cr_assert_not_null(etag);
    free(etag);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "article")->valuestring,
                     "north-koreas-kim-visiting-china-at-xi-jinpings-invitation");
    bool kim = false;
    cJSON *ents = cJSON_GetObjectItemCaseSensitive(j, "entities");
    for (cJSON *e = ents ? ents->child : NULL; e; e = e->next)
        kim |= strcmp(cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring, "kim-jong-un") == 0;
    cr_assert(kim, "Kim Jong Un among the entities");
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", SEED "/quotes", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    j = http_json(&r);
    cJSON *quotes = cJSON_GetObjectItemCaseSensitive(j, "quotes");
    cr_assert_eq(cJSON_GetArraySize(quotes), 10);
    cJSON *first = cJSON_GetArrayItem(quotes, 0);
    cJSON *speaker = cJSON_GetObjectItemCaseSensitive(first, "speaker");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(speaker, "entity")->valuestring,
                     "divya-gopalan");
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles/nope/quotes", NULL, NULL, &r);
    http_expect_problem(&r, 404, "article-not-found", NULL);
    http_reply_free(&r);
}

Test(http, includes_the_annotations_in_the_full_article)
{
    struct http_reply r;
    http_call(&h, "GET", SEED, NULL, NULL, &r);
    cJSON *j = http_json(&r);
    cJSON *ann = cJSON_GetObjectItemCaseSensitive(j, "annotations");
    static const char *const parts[] = {"blocks", "entities", "quotes", "dates", "stats"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(ann, parts[i]), "%s", parts[i]);
    cJSON *words =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ann, "stats"), "words");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "word_count")->valuedouble, words->valuedouble,
                 "one word count for the article and its statistics");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, annotates_a_posted_plain_article_like_the_stored_one)
{
    char *text = slurp("data/articles/kim-visits-china.txt");
    const char *hdr[] = {"Content-Type: text/plain; charset=utf-8", NULL};
    struct http_reply post, get;
    http_call(&h, "POST", "/v1/annotate", text, hdr, &post);
    cr_assert_eq(post.status, 200, "%s", post.body);
    http_call(&h, "GET", SEED, NULL, NULL, &get);
    cJSON *p = http_json(&post), *g = http_json(&get);
    cJSON *stored_ann = cJSON_DetachItemFromObject(g, "annotations");
    cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(p, "article"), g, 1),
              "the posted article equals the stored one");
    cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(p, "annotations"), stored_ann, 1),
              "and so do its annotations");
    cJSON_Delete(stored_ann);
    cJSON_Delete(p);
    cJSON_Delete(g);
    http_reply_free(&post);
    http_reply_free(&get);
    free(text);

    /* Nothing was stored. */
    http_call(&h, "GET", "/v1/articles", NULL, NULL, &get);
    http_expect_header(&get, "X-Total-Count", "5");
    http_reply_free(&get);
}

Test(http, annotates_a_posted_json_document)
{
    const char *hdr[] = {"Content-Type: application/json", NULL};
    const char doc[] = "{\"headline\":\"Talks resume in Geneva\",\"body\":[{\"type\":\"paragraph\","
                       "\"text\":\"\\u201cWe are hopeful,\\u201d Maria Lopez said in Geneva.\"}]}";
    struct http_reply r;
    http_call(&h, "POST", "/v1/annotate", doc, hdr, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *j = http_json(&r);
    cJSON *quotes = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "annotations"), "quotes");
    cr_assert_eq(cJSON_GetArraySize(quotes), 1, "%s", r.body);
    cJSON *speaker = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(quotes, 0), "speaker");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(speaker, "name")->valuestring, "Maria Lopez");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(http, refuses_bad_annotate_requests_with_problems)
{
    static const struct {
        const char *type, *body, *code;
        long status;
        const char *field;
    } cases[] = {
        {"Content-Type: text/plain", "", "empty-body", 400, NULL},
        {"Content-Type: text/plain", "Caf\xe9 society\n\nLatin-1 text.\n", "invalid-article", 400,
         "byte 3"},
        {"Content-Type: application/json", "{\"headline\": \"x\",", "invalid-article", 400,
         "byte 17"},
        {"Content-Type: application/json", "{\"headline\": \"x\"} trailing", "invalid-article", 400,
         NULL},
        {"Content-Type: application/json", "{\"headline\": \"x\", \"colour\": 1}",
         "invalid-article", 400, "/colour"},
        {"Content-Type: application/json", "[]", "invalid-article", 400, NULL},
        {"Content-Type: text/html", "<p>hi</p>", "unsupported-media-type", 415, NULL},
        {"Content-Type: application/x-www-form-urlencoded", "a=b", "unsupported-media-type", 415,
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *hdr[] = {cases[i].type, NULL};
        struct http_reply r;
        http_call(&h, "POST", "/v1/annotate", cases[i].body, hdr, &r);
        http_expect_problem(&r, cases[i].status, cases[i].code, NULL);
        if (cases[i].field) {
            cJSON *j = http_json(&r);
            cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "field");
            cr_assert(cJSON_IsString(f) && strcmp(f->valuestring, cases[i].field) == 0,
                      "case %zu: field in %s", i, r.body);
            cJSON_Delete(j);
        }
        http_reply_free(&r);
    }
}

Test(http_limits, refuses_an_annotate_body_over_the_limit_with_413)
{
    struct harness lh;
    harness_start(&lh, "data/articles", small_body_limit);
    char *text = slurp("data/articles/kim-visits-china.txt");
    const char *hdr[] = {"Content-Type: text/plain", NULL};
    struct http_reply r;
    http_call(&lh, "POST", "/v1/annotate", text, hdr, &r);
    http_expect_problem(&r, 413, "body-too-large", NULL);
    http_reply_free(&r);
    free(text);
    harness_stop(&lh);
}

Test(http, exposes_metrics_in_the_prometheus_text_format)
{
    struct http_reply r;
    http_call(&h, "GET", SEED, NULL, NULL, &r);
    http_reply_free(&r);
    http_call(&h, "GET", "/no/such/path", NULL, NULL, &r);
    http_reply_free(&r);
    static const char *const want[] = {
        "articled_http_requests_total{route=\"articles.get\",status=\"200\"} 1\n",
        "articled_http_requests_total{route=\"none\",status=\"404\"} 1\n",
        "# TYPE articled_http_request_duration_seconds histogram\n",
        "articled_http_request_duration_seconds_count{route=\"articles.get\"} 1\n",
        "articled_http_response_bytes_total{route=\"articles.get\"} ",
        "articled_articles 5\n",
        "articled_snapshot_generation 1\n",
        "articled_snapshot_age_seconds ",
        "articled_reload_failures_total 0\n",
        "# TYPE articled_connections_moved_total counter\n",
        "articled_connections_moved_total ",
        "articled_resident_memory_bytes ",
    };
    /* A request is counted when its response has been sent, which may be
     * after the client has it: the thread that serves /metrics can be ahead
     * of the one that served the request, so look again for a while. */
    size_t missing = 0;
    for (int tries = 1;; tries++) {
        http_call(&h, "GET", "/metrics", NULL, NULL, &r);
        cr_assert_eq(r.status, 200);
        http_expect_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        missing = 0;
        while (missing < sizeof want / sizeof *want && strstr(r.body, want[missing]))
            missing++;
        if (missing == sizeof want / sizeof *want || tries == 100 * harness_slow())
            break;
        http_reply_free(&r);
        usleep(20000);
    }
    cr_assert_eq(missing, sizeof want / sizeof *want, "missing `%s` in:\n%s", want[missing],
                 r.body);
    /* promtool (Debian's prometheus package) checks the format where it is installed. */
    if (system("command -v promtool >/dev/null 2>&1") == 0) {
        char path[] = "/tmp/articled-metrics-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, r.body, r.len), (ssize_t)r.len);
        close(fd);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
        int rc = system(cmd);
        unlink(path);
        cr_assert_eq(rc, 0, "promtool check metrics failed");
    }
    http_reply_free(&r);
}

static void
behind_local_proxy(struct config *cfg)
{
    snprintf(cfg->trusted_proxies, sizeof cfg->trusted_proxies, "127.0.0.1");
}

Test(http_proxy, builds_absolute_links_from_a_trusted_proxys_headers)
{
    struct harness ph;
    harness_start(&ph, "data/articles", behind_local_proxy);
    const char *fwd[] = {"X-Forwarded-Proto: https", "X-Forwarded-Host: news.example.com",
                         "X-Forwarded-For: 198.51.100.7", NULL};
    struct http_reply r;
    http_call(&ph, "GET", "/v1/articles?per_page=2", NULL, fwd, &r);
    char *link = http_header(&r, "Link");
    cr_assert_not_null(strstr(link, "<https://news.example.com/v1/articles?page=2&per_page=2>; "
                                    "rel=\"next\""),
                       "%s", link);
    free(link);
    cJSON *j = http_json(&r);
    cJSON *links = cJSON_GetObjectItemCaseSensitive(j, "links");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(links, "self")->valuestring,
                     "https://news.example.com/v1/articles?page=1&per_page=2");
    cJSON_Delete(j);
    http_reply_free(&r);
    harness_stop(&ph);
}

Test(http_proxy, ignores_forwarded_headers_from_an_untrusted_peer)
{
    struct harness ph;
    harness_start(&ph, "data/articles", NULL);
    const char *fwd[] = {"X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example", NULL};
    struct http_reply r;
    http_call(&ph, "GET", "/v1/articles?per_page=2", NULL, fwd, &r);
    char *link = http_header(&r, "Link");
    cr_assert_null(strstr(link, "evil.example"), "%s", link);
    cr_assert_not_null(strstr(link, "</v1/articles?page=2&per_page=2>"), "%s", link);
    free(link);
    http_reply_free(&r);
    harness_stop(&ph);
}

static void
public_base(struct config *cfg)
{
    snprintf(cfg->public_base_url, sizeof cfg->public_base_url, "https://api.example.org");
}

Test(http_proxy, prefixes_every_link_with_the_public_base_url)
{
    struct harness ph;
    harness_start(&ph, "data/articles", public_base);
    struct http_reply r;
    http_call(&ph, "GET", SEED, NULL, NULL, &r);
    cJSON *j = http_json(&r);
    cJSON *links = cJSON_GetObjectItemCaseSensitive(j, "links");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(links, "self")->valuestring,
                     "https://api.example.org" SEED);
    cJSON_Delete(j);
    http_reply_free(&r);
    http_call(&ph, "GET", "/v1/articles", NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"self\":\"https://api.example.org/v1/articles/"), "%s",
                       r.body);
    http_reply_free(&r);
    harness_stop(&ph);
}

Test(http, searches_with_q_ranking_and_highlighting)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles?q=summit&per_page=2", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *j = http_json(&r);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
    cr_assert_gt(cJSON_GetArraySize(items), 0);
    double last = 1e9;
    for (cJSON *it = items->child; it; it = it->next) {
        double score = cJSON_GetObjectItemCaseSensitive(it, "score")->valuedouble;
        cr_assert(score > 0 && score <= last, "scores descend");
        last = score;
        cJSON *snip = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it, "snippets"), 0);
        const char *text = cJSON_GetObjectItemCaseSensitive(snip, "text")->valuestring;
        cJSON *mark = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(snip, "highlights"), 0);
        size_t start = (size_t)cJSON_GetObjectItemCaseSensitive(mark, "start")->valuedouble;
        size_t end = (size_t)cJSON_GetObjectItemCaseSensitive(mark, "end")->valuedouble;
        size_t len = strlen(text);
        size_t b0 = utf8_byte_offset(text, len, start), b1 = utf8_byte_offset(text, len, end);
        cr_assert(b1 > b0 && strncasecmp(text + b0, "summit", 6) == 0, "highlight `%.*s`",
                  (int)(b1 - b0), text + b0);
    }
    char *link = http_header(&r, "Link");
    cr_assert_not_null(strstr(link, "q=summit&page=1&per_page=2"), "%s", link);
    free(link);
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles?q=%22north+korea%22+-trump", NULL, NULL, &r);
    j = http_json(&r);
    for (cJSON *it = cJSON_GetObjectItemCaseSensitive(j, "items")->child; it; it = it->next)
        cr_assert_str_neq(cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring,
                          "north-koreas-kim-visiting-china-at-xi-jinpings-invitation",
                          "the seed mentions Trump: excluded");
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles?q=%22unclosed", NULL, NULL, &r);
    http_expect_problem(&r, 400, "invalid-query", NULL);
    http_reply_free(&r);
}
