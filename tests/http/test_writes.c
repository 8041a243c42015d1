/* The write API over HTTP: create, replace, patch, delete; auth; validation;
 * preconditions; concurrency. Each test runs its own server on a private copy
 * of the sample content. */
#include "handlers/service.h"
#include "tests/support/harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN "test-write-token"
static const char *const auth[] = {"Authorization: Bearer " TOKEN, "Content-Type: application/json",
                                   NULL};

static struct harness h;
static char dir[64];

static void
with_token(struct config *cfg)
{
    snprintf(cfg->write_token, sizeof cfg->write_token, "%s", TOKEN);
}

/* A private copy of data/articles, removed by stop(). */
static void
copy_content(void)
{
    snprintf(dir, sizeof dir, "/tmp/articled-writes-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp data/articles/*.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void
start(void)
{
    copy_content();
    harness_start(&h, dir, with_token);
}

static void
stop(void)
{
    if (h.svc)
        harness_stop(&h);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(writes, .init = start, .fini = stop, .timeout = 60);

static const char *
str(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long
total(void)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles", NULL, NULL, &r);
    cJSON *j = http_json(&r);
    long t = (long)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble;
    cJSON_Delete(j);
    http_reply_free(&r);
    return t;
}

static bool
file_exists(const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static const char doc[] = "{\"id\":\"budget-vote\",\"headline\":\"Council passes budget\","
                          "\"standfirst\":\"A close vote.\",\"section\":\"local\","
                          "\"body\":[{\"type\":\"paragraph\",\"text\":\"The council voted 7-6.\"}]}";

Test(writes, creates_an_article_that_the_next_read_and_list_show)
{
    long before = total();
    struct http_reply r;
    http_call(&h, "POST", "/v1/articles", doc, auth, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    char *loc = http_header(&r, "Location"), *etag = http_header(&r, "ETag");
    cr_assert_str_eq(loc, "/v1/articles/budget-vote");
    cr_assert(etag && etag[0] == '"');
    cJSON *j = http_json(&r);
    cr_assert_str_eq(str(j, "headline"), "Council passes budget");
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(j, "annotations"));
    cJSON_Delete(j);
    http_reply_free(&r);

    http_call(&h, "GET", "/v1/articles/budget-vote", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    char *etag2 = http_header(&r, "ETag");
    cr_assert_str_eq(etag2, etag, "the read serves what the write answered");
    http_reply_free(&r);
    cr_assert_eq(total(), before + 1);
    cr_assert(file_exists("budget-vote.json"));
    free(loc);
    free(etag);
    free(etag2);

    http_call(&h, "POST", "/v1/articles", doc, auth, &r);
    http_expect_problem(&r, 409, "article-exists", "/id");
    http_reply_free(&r);
}

Test(writes, creates_from_the_plain_format)
{
    const char *const hdr[] = {"Authorization: Bearer " TOKEN, "Content-Type: text/plain", NULL};
    struct http_reply r;
    http_call(&h, "POST", "/v1/articles",
              "---\nsection: world\n---\nFerry service resumes\n\nAfter a month.\n\nBoats sail "
              "again from Monday.\n",
              hdr, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(str(j, "id"), "ferry-service-resumes");
    cr_assert_str_eq(str(j, "section"), "world");
    cJSON_Delete(j);
    http_reply_free(&r);
    cr_assert(file_exists("ferry-service-resumes.json"));
}

Test(writes, puts_creates_then_replaces)
{
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    http_reply_free(&r);
    const char v2[] = "{\"headline\":\"Council passes budget after recount\",\"body\":[{\"type\":"
                      "\"paragraph\",\"text\":\"The recount confirmed it.\"}]}";
    http_call(&h, "PUT", "/v1/articles/budget-vote", v2, auth, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles/budget-vote", NULL, NULL, &r);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(str(j, "headline"), "Council passes budget after recount");
    cr_assert_null(str(j, "section"), "a PUT replaces the whole document");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(writes, replaces_an_article_loaded_from_a_text_file_without_leaving_a_twin)
{
    long before = total();
    struct http_reply r;
    const char v2[] = "{\"headline\":\"Bank holds rates\",\"body\":[{\"type\":\"paragraph\","
                      "\"text\":\"Unchanged.\"}]}";
    http_call(&h, "PUT", "/v1/articles/central-bank-holds-rates", v2, auth, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    http_reply_free(&r);
    cr_assert(file_exists("central-bank-holds-rates.json"));
    cr_assert(!file_exists("central-bank-holds-rates.txt"), "the old file is gone");
    cr_assert_eq(total(), before);
    /* A reload finds one article, not two. */
    const char *why;
    cr_assert_eq(service_reload(h.svc, &why), 0);
    cr_assert_eq(total(), before);
}

Test(writes, patches_with_json_merge_patch)
{
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    http_reply_free(&r);
    const char *const hdr[] = {"Authorization: Bearer " TOKEN,
                               "Content-Type: application/merge-patch+json", NULL};
    http_call(&h, "PATCH", "/v1/articles/budget-vote",
              "{\"section\":\"politics\",\"standfirst\":null,\"tags\":[\"council\"]}", hdr, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *j = http_json(&r);
    cr_assert_str_eq(str(j, "section"), "politics");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "standfirst")));
    cr_assert_str_eq(str(j, "headline"), "Council passes budget", "untouched members stay");
    cJSON_Delete(j);
    http_reply_free(&r);

    static const struct {
        const char *path, *patch, *code, *field;
        long status;
    } bad[] = {
        {"/v1/articles/budget-vote", "{\"headline\":null}", "invalid-article", "/headline", 400},
        {"/v1/articles/budget-vote", "{\"id\":\"other\"}", "invalid-article", "/id", 400},
        {"/v1/articles/budget-vote", "{\"body\":[]}", "invalid-article", "/body", 400},
        {"/v1/articles/budget-vote", "{\"colour\":\"red\"}", "invalid-article", "/colour", 400},
        {"/v1/articles/budget-vote", "{\"section\":", "invalid-article", NULL, 400},
        {"/v1/articles/no-such-article", "{\"section\":\"x\"}", "article-not-found", NULL, 404},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        http_call(&h, "PATCH", bad[i].path, bad[i].patch, hdr, &r);
        http_expect_problem(&r, bad[i].status, bad[i].code, bad[i].field);
        http_reply_free(&r);
    }
}

Test(writes, deletes_and_the_article_is_gone_from_reads_lists_and_disk)
{
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    http_reply_free(&r);
    long before = total();
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, auth, &r);
    cr_assert_eq(r.status, 204, "%s", r.body);
    cr_assert_eq(r.len, 0);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles/budget-vote", NULL, NULL, &r);
    cr_assert_eq(r.status, 404);
    http_reply_free(&r);
    cr_assert_eq(total(), before - 1);
    cr_assert(!file_exists("budget-vote.json"));
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, auth, &r);
    http_expect_problem(&r, 404, "article-not-found", NULL);
    http_reply_free(&r);
}

Test(writes, honours_if_match)
{
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    char *etag = http_header(&r, "ETag");
    http_reply_free(&r);
    char good[96];
    snprintf(good, sizeof good, "If-Match: %s", etag);
    const char *const stale[] = {auth[0], auth[1], "If-Match: \"0123456789abcdef\"", NULL};
    const char *const fresh[] = {auth[0], auth[1], good, NULL};
    const char *const any[] = {auth[0], auth[1], "If-Match: *", NULL};
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, stale, &r);
    http_expect_problem(&r, 412, "precondition-failed", NULL);
    http_reply_free(&r);
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, stale, &r);
    http_expect_problem(&r, 412, "precondition-failed", NULL);
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/never-was",
              "{\"headline\":\"Never was\",\"body\":[{\"type\":\"paragraph\",\"text\":\"x\"}]}",
              any, &r);
    http_expect_problem(&r, 412, "precondition-failed", NULL);
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, fresh, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    http_reply_free(&r);
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, fresh, &r);
    cr_assert_eq(r.status, 204, "the ETag is the same: same bytes, same article");
    http_reply_free(&r);
    free(etag);
}

static void
require_if_match(struct config *cfg)
{
    with_token(cfg);
    cfg->require_if_match = true;
}

Test(writes, answers_428_when_if_match_is_required_and_missing)
{
    harness_stop(&h);
    harness_start(&h, dir, require_if_match);
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    cr_assert_eq(r.status, 201, "creating needs no precondition");
    char *etag = http_header(&r, "ETag");
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    http_expect_problem(&r, 428, "precondition-required", NULL);
    http_reply_free(&r);
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, auth, &r);
    http_expect_problem(&r, 428, "precondition-required", NULL);
    http_reply_free(&r);
    char good[96];
    snprintf(good, sizeof good, "If-Match: %s", etag);
    const char *const fresh[] = {auth[0], auth[1], good, NULL};
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, fresh, &r);
    cr_assert_eq(r.status, 204);
    http_reply_free(&r);
    free(etag);
}

Test(writes, refuses_writes_without_a_valid_token)
{
    const char *const none[] = {"Content-Type: application/json", NULL};
    const char *const wrong[] = {"Authorization: Bearer not-the-token", auth[1], NULL};
    const char *const basic[] = {"Authorization: Basic dXNlcjpwYXNz", auth[1], NULL};
    static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < 4; i++) {
        const char *path = i == 0 ? "/v1/articles" : "/v1/articles/budget-vote";
        struct http_reply r;
        http_call(&h, methods[i], path, doc, none, &r);
        http_expect_problem(&r, 401, "unauthenticated", NULL);
        char *challenge = http_header(&r, "WWW-Authenticate");
        cr_assert(challenge && strncmp(challenge, "Bearer", 6) == 0);
        free(challenge);
        http_reply_free(&r);
        http_call(&h, methods[i], path, doc, basic, &r);
        http_expect_problem(&r, 401, "unauthenticated", NULL);
        http_reply_free(&r);
        http_call(&h, methods[i], path, doc, wrong, &r);
        http_expect_problem(&r, 403, "forbidden", NULL);
        http_reply_free(&r);
    }
    cr_assert(!file_exists("budget-vote.json"));
}

Test(writes, is_read_only_without_a_write_token)
{
    harness_stop(&h);
    harness_start(&h, dir, NULL);
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    http_expect_problem(&r, 403, "read-only", NULL);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "reads stay public");
    http_reply_free(&r);
}

static void
with_read_token(struct config *cfg)
{
    with_token(cfg);
    snprintf(cfg->read_token, sizeof cfg->read_token, "reader");
}

Test(writes, guards_reads_when_a_read_token_is_configured)
{
    harness_stop(&h);
    harness_start(&h, dir, with_read_token);
    const char *const reader[] = {"Authorization: Bearer reader", NULL};
    const char *const writer[] = {"Authorization: Bearer " TOKEN, NULL};
    const char *const wrong[] = {"Authorization: Bearer nope", NULL};
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles", NULL, NULL, &r);
    http_expect_problem(&r, 401, "unauthenticated", NULL);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles", NULL, wrong, &r);
    http_expect_problem(&r, 403, "forbidden", NULL);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles", NULL, reader, &r);
    cr_assert_eq(r.status, 200);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles", NULL, writer, &r);
    cr_assert_eq(r.status, 200, "the write token reads too");
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/x", doc, reader, &r);
    http_expect_problem(&r, 403, "forbidden", NULL);
    http_reply_free(&r);
    http_call(&h, "GET", "/healthz", NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "health stays public");
    http_reply_free(&r);
}

static char token_file[64];

static void
with_token_file(struct config *cfg)
{
    snprintf(cfg->write_token_file, sizeof cfg->write_token_file, "%s", token_file);
}

Test(writes, reads_the_write_token_from_a_file)
{
    harness_stop(&h);
    snprintf(token_file, sizeof token_file, "%s.token", dir);
    FILE *f = fopen(token_file, "w");
    fputs(TOKEN "\n", f);
    fclose(f);
    harness_start(&h, dir, with_token_file);
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    http_reply_free(&r);
    unlink(token_file);
}

Test(writes, validates_documents_naming_the_field)
{
    static const struct {
        const char *type, *body, *code, *field;
        long status;
    } cases[] = {
        {"application/json", "{\"headline\":\"x\",", "invalid-article", "byte 16", 400},
        {"application/json", "{\"headline\":\"x\"}}", "invalid-article", NULL, 400},
        {"application/json", "{\"headline\":\"Caf\xe9\"}", "invalid-article", "byte 16", 400},
        {"application/json", "{\"body\":[{\"type\":\"paragraph\",\"text\":\"x\"}]}",
         "invalid-article", "/headline", 400},
        {"application/json", "{\"headline\":7,\"body\":[]}", "invalid-article", "/headline", 400},
        {"application/json", "{\"headline\":\"x\",\"body\":[]}", "invalid-article", "/body", 400},
        {"application/json", "{\"headline\":\"x\",\"body\":[{\"type\":\"video\"}]}",
         "invalid-article", "/body/0/type", 400},
        {"application/json",
         "{\"headline\":\"x\",\"body\":[{\"type\":\"paragraph\",\"text\":\"y\",\"extra\":1}]}",
         "invalid-article", "/body/0/extra", 400},
        {"application/json", "{\"headline\":\"x\",\"author\":\"me\",\"body\":[]}",
         "invalid-article", "/author", 400},
        {"application/json", "{\"headline\":\"x\",\"headline\":\"y\",\"body\":[]}",
         "invalid-article", "/headline", 400},
        {"application/json", "{\"headline\":\"x\",\"published\":\"yesterday\",\"body\":[{\"type\":"
                             "\"paragraph\",\"text\":\"y\"}]}",
         "invalid-article", "/published", 400},
        {"application/json", "", "empty-body", NULL, 400},
        {"application/xml", "<a/>", "unsupported-media-type", NULL, 415},
        {"text/plain", "", "empty-body", NULL, 400},
        {"text/plain", "Only a headline\n", "invalid-article", "/body", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char ct[64];
        snprintf(ct, sizeof ct, "Content-Type: %s", cases[i].type);
        const char *const hdr[] = {auth[0], ct, NULL};
        struct http_reply r;
        http_call(&h, "POST", "/v1/articles", cases[i].body, hdr, &r);
        http_expect_problem(&r, cases[i].status, cases[i].code, cases[i].field);
        http_reply_free(&r);
    }
    struct http_reply r;
    http_call(&h, "PUT", "/v1/articles/Not_An_Id", doc, auth, &r);
    http_expect_problem(&r, 400, "invalid-id", "id");
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/other-id", doc, auth, &r);
    http_expect_problem(&r, 400, "id-mismatch", "/id");
    http_reply_free(&r);
}

static void
tiny_bodies(struct config *cfg)
{
    with_token(cfg);
    cfg->max_body_bytes = 64;
}

Test(writes, refuses_a_body_over_the_limit_with_413)
{
    harness_stop(&h);
    harness_start(&h, dir, tiny_bodies);
    struct http_reply r;
    http_call(&h, "POST", "/v1/articles", doc, auth, &r);
    http_expect_problem(&r, 413, "body-too-large", NULL);
    char *conn = http_header(&r, "Connection");
    cr_assert(conn && strcmp(conn, "close") == 0, "refused before the body was read");
    free(conn);
    http_reply_free(&r);
}

struct writer_arg {
    const struct harness *h;
    int n, errors;
};

static void *
writer(void *p)
{
    struct writer_arg *w = p;
    for (int i = 0; i < 10; i++) {
        char path[64], body[256];
        snprintf(path, sizeof path, "/v1/articles/w%d-%d", w->n, i);
        snprintf(body, sizeof body,
                 "{\"headline\":\"Writer %d item %d\",\"body\":[{\"type\":\"paragraph\","
                 "\"text\":\"Payload %d.\"}]}",
                 w->n, i, i);
        struct http_reply r;
        http_call(w->h, "PUT", path, body, auth, &r);
        w->errors += r.status != 201;
        http_reply_free(&r);
    }
    return NULL;
}

static void *
reader(void *p)
{
    struct writer_arg *w = p;
    long last = 0;
    for (int i = 0; i < 60; i++) {
        struct http_reply r;
        http_call(w->h, "GET", "/v1/articles?per_page=100", NULL, NULL, &r);
        cJSON *j = cJSON_ParseWithLength(r.body, r.len);
        cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
        long t = (long)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble;
        /* A list is one snapshot: its items and total agree, and totals never go back. */
        w->errors += r.status != 200 || cJSON_GetArraySize(items) != t || t < last;
        last = t;
        cJSON_Delete(j);
        http_reply_free(&r);
    }
    return NULL;
}

Test(writes, serves_concurrent_writers_and_readers_consistently)
{
    long before = total();
    pthread_t th[6];
    struct writer_arg args[6];
    for (int i = 0; i < 6; i++) {
        args[i] = (struct writer_arg){&h, i, 0};
        pthread_create(&th[i], NULL, i < 4 ? writer : reader, &args[i]);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].errors, 0, "%s %d saw %d errors", i < 4 ? "writer" : "reader", i,
                     args[i].errors);
    }
    cr_assert_eq(total(), before + 40);
}

Test(writes, refuses_a_plain_text_put_whose_front_matter_names_another_id)
{
    const char *const hdr[] = {"Authorization: Bearer " TOKEN, "Content-Type: text/plain", NULL};
    struct http_reply r;
    /* The front-matter id equals the headline's slug: still another id than the path's. */
    http_call(&h, "PUT", "/v1/articles/other",
              "---\nid: foo-bar\n---\nFoo bar\n\nA standfirst.\n\nA paragraph.\n", hdr, &r);
    http_expect_problem(&r, 400, "id-mismatch", "/id");
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/foo-bar",
              "---\nid: foo-bar\n---\nFoo bar\n\nA standfirst.\n\nA paragraph.\n", hdr, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    http_reply_free(&r);
}

Test(writes, shows_a_written_article_in_the_next_search)
{
    struct http_reply r;
    http_call(&h, "GET", "/v1/articles?q=budget", NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"total\":0"), "%s", r.body);
    http_reply_free(&r);
    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles?q=budget", NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"id\":\"budget-vote\""), "%s", r.body);
    http_reply_free(&r);
    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, auth, &r);
    http_reply_free(&r);
    http_call(&h, "GET", "/v1/articles?q=budget", NULL, NULL, &r);
    cr_assert_not_null(strstr(r.body, "\"total\":0"), "%s", r.body);
    http_reply_free(&r);
}
