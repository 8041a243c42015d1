/* The response memo of the real server (server/memo.c, issue 6): a repeated
 * list is answered from the memo with the same bytes and headers; writes,
 * query strings, forwarded hosts and encodings never get another request's
 * answer; the bound holds; memo_max_bytes = 0 turns it off. The counters are
 * read from /metrics, as an operator would. */
#include "handlers/service.h"
#include "tests/support/harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEMS(a) (sizeof(a) / sizeof *(a))
#define TOKEN "test-write-token"

static struct harness h;
static char dir[64];

static void
writable(struct config *cfg)
{
    snprintf(cfg->write_token, sizeof cfg->write_token, "%s", TOKEN);
    snprintf(cfg->trusted_proxies, sizeof cfg->trusted_proxies, "127.0.0.1");
}

static void
start(void)
{
    snprintf(dir, sizeof dir, "/tmp/articled-memo-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp data/articles/*.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    harness_start(&h, dir, writable);
}

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

TestSuite(memo, .init = start, .fini = stop, .timeout = 60);

/* A counter or gauge from /metrics; -1 when absent. */
static long long
metric(const char *name)
{
    struct http_reply r;
    http_call(&h, "GET", "/metrics", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    long long v = -1;
    size_t n = strlen(name);
    for (const char *p = r.body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            v = strtoll(p + n + 1, NULL, 10);
    http_reply_free(&r);
    return v;
}

static void
get(const char *path, const char *h1, const char *h2, struct http_reply *r)
{
    const char *hdrs[3] = {h1, h1 ? h2 : NULL, NULL};
    http_call(&h, "GET", path, NULL, hdrs, r);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
}

static void
expect_same_header(const struct http_reply *a, const struct http_reply *b, const char *name,
                   bool required)
{
    char *va = http_header(a, name), *vb = http_header(b, name);
    if (required)
        cr_expect_not_null(va, "no %s", name);
    cr_expect((!va && !vb) || (va && vb && strcmp(va, vb) == 0), "%s: `%s` then `%s`", name,
              va ? va : "(absent)", vb ? vb : "(absent)");
    free(va);
    free(vb);
}

Test(memo, answers_a_repeated_list_from_the_memo_with_identical_bytes_and_headers)
{
    const char *path = "/v1/articles?page=2&per_page=2";
    struct http_reply first, again;
    get(path, NULL, NULL, &first);
    long long hits = metric("articled_memo_hits_total");
    get(path, NULL, NULL, &again);
    cr_expect_eq(metric("articled_memo_hits_total"), hits + 1, "the second request is a hit");
    cr_expect_eq(first.len, again.len);
    cr_expect(memcmp(first.body, again.body, first.len) == 0, "same bytes");
    static const char *const same[] = {"ETag", "Link", "X-Total-Count", "Content-Type",
                                       "Cache-Control", "Content-Length"};
    for (size_t i = 0; i < NELEMS(same); i++)
        expect_same_header(&first, &again, same[i], true);
    expect_same_header(&first, &again, "Vary", false);
    expect_same_header(&first, &again, "Last-Modified", false);
    char *id1 = http_header(&first, "X-Request-Id"), *id2 = http_header(&again, "X-Request-Id");
    cr_expect(id1 && id2 && strcmp(id1, id2) != 0, "each answer has its own request id");
    free(id1);
    free(id2);
    http_reply_free(&first);
    http_reply_free(&again);
    cr_expect_gt(metric("articled_memo_bytes"), 0);
    cr_expect_gt(metric("articled_memo_entries"), 0);
}

Test(memo, serves_the_gzip_and_identity_forms_of_one_entry_with_their_own_tags)
{
    const char *path = "/v1/articles";
    struct http_reply gz, plain, gz2;
    get(path, "Accept-Encoding: gzip", NULL, &gz); /* stores, and makes the gzip form */
    get(path, NULL, NULL, &plain);                 /* a hit, identity */
    get(path, "Accept-Encoding: gzip", NULL, &gz2);
    char *enc = http_header(&gz, "Content-Encoding"), *penc = http_header(&plain, "Content-Encoding");
    cr_expect(enc && strcmp(enc, "gzip") == 0, "gzip asked, got %s", enc ? enc : "identity");
    cr_expect_null(penc, "identity asked, got %s", penc);
    size_t n;
    char *inflated = harness_gunzip(gz.body, gz.len, &n);
    cr_assert_not_null(inflated, "not a whole gzip stream");
    cr_expect(n == plain.len && memcmp(inflated, plain.body, n) == 0,
              "the gzip form inflates to the identity body");
    cr_expect(gz.len == gz2.len && memcmp(gz.body, gz2.body, gz.len) == 0,
              "the gzip form is made once and served again");
    char *t1 = http_header(&gz, "ETag"), *t2 = http_header(&plain, "ETag");
    cr_expect(t1 && t2 && strcmp(t1, t2) != 0, "identity %s and gzip %s share a tag", t2, t1);
    expect_same_header(&gz, &gz2, "ETag", true);
    free(t1);
    free(t2);
    free(enc);
    free(penc);
    free(inflated);
    http_reply_free(&gz);
    http_reply_free(&plain);
    http_reply_free(&gz2);

    /* A HEAD is answered from the same entry, with the GET's length. */
    struct http_reply head;
    http_call(&h, "HEAD", path, NULL, NULL, &head);
    cr_expect_eq(head.status, 200);
    char *cl = http_header(&head, "Content-Length");
    cr_expect(cl && (size_t)strtoul(cl, NULL, 10) == n, "HEAD Content-Length %s, want %zu", cl, n);
    free(cl);
    http_reply_free(&head);
}

/* The "page" the body says it is, from `"page":N`. */
static long
page_of(const struct http_reply *r)
{
    const char *p = strstr(r->body, "\"page\":");
    return p ? strtol(p + 7, NULL, 10) : -1;
}

Test(memo, never_gives_one_query_string_the_answer_of_another)
{
    static const struct {
        const char *path;
        long page;
    } cases[] = {
        {"/v1/articles?page=1&per_page=1", 1}, {"/v1/articles?page=2&per_page=1", 2},
        {"/v1/articles?per_page=1&page=3", 3}, {"/v1/articles?page=3&per_page=2", 3},
        {"/v1/articles?q=china", 1},           {"/v1/articles?q=bank", 1},
    };
    char *bodies[NELEMS(cases)];
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < NELEMS(cases); i++) {
            struct http_reply r;
            get(cases[i].path, NULL, NULL, &r);
            cr_expect_eq(page_of(&r), cases[i].page, "%s: page %ld", cases[i].path, page_of(&r));
            if (round == 0)
                bodies[i] = strdup(r.body);
            else
                cr_expect_str_eq(r.body, bodies[i], "%s changed between rounds", cases[i].path);
            http_reply_free(&r);
        }
    }
    for (size_t i = 0; i < NELEMS(cases); i++)
        for (size_t j = i + 1; j < NELEMS(cases); j++)
            cr_expect(strcmp(bodies[i], bodies[j]) != 0, "%s and %s answered alike", cases[i].path,
                      cases[j].path);
    /* The searches are not the same list. */
    cr_expect(strstr(bodies[4], "kim") != NULL, "q=china finds the Kim article: %.200s", bodies[4]);
    cr_expect(strstr(bodies[5], "central-bank") != NULL, "q=bank: %.200s", bodies[5]);
    for (size_t i = 0; i < NELEMS(cases); i++)
        free(bodies[i]);
}

Test(memo, never_gives_one_forwarded_host_the_links_of_another)
{
    static const char *const hosts[] = {"a.example.com", "b.example.com"};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < NELEMS(hosts); i++) {
            char xfh[96], want[96];
            snprintf(xfh, sizeof xfh, "X-Forwarded-Host: %s", hosts[i]);
            snprintf(want, sizeof want, "<https://%s/v1/articles?", hosts[i]);
            struct http_reply r;
            get("/v1/articles?per_page=2", xfh, "X-Forwarded-Proto: https", &r);
            char *link = http_header(&r, "Link");
            cr_expect(link && strstr(link, want) == link, "round %d: Link `%s`, want %s...",
                      round, link ? link : "(absent)", want);
            snprintf(want, sizeof want, "\"self\":\"https://%s/v1/articles?", hosts[i]);
            cr_expect(strstr(r.body, want) != NULL, "round %d: the body's links are not %s's",
                      round, hosts[i]);
            free(link);
            http_reply_free(&r);
        }
        /* And without forwarding: relative links. */
        struct http_reply r;
        get("/v1/articles?per_page=2", NULL, NULL, &r);
        char *link = http_header(&r, "Link");
        cr_expect(link && strncmp(link, "</v1/articles?", 14) == 0, "direct: Link `%s`", link);
        free(link);
        http_reply_free(&r);
    }
    cr_expect_geq(metric("articled_memo_hits_total"), 3, "the second round is answered from the memo");
}

static long
total_of(const struct http_reply *r)
{
    const char *p = strstr(r->body, "\"total\":");
    return p ? strtol(p + 8, NULL, 10) : -1;
}

static const char doc[] = "{\"headline\":\"Quokkas pass the budget\",\"body\":[{\"type\":"
                          "\"paragraph\",\"text\":\"The quokkas voted 7-6.\"}]}";

Test(memo, shows_a_write_in_the_next_list_and_frees_the_old_answers)
{
    static const char *const auth[] = {"Authorization: Bearer " TOKEN,
                                       "Content-Type: application/json", NULL};
    const char *list = "/v1/articles?per_page=100";
    struct http_reply r;
    get(list, NULL, NULL, &r);
    long before = total_of(&r);
    http_reply_free(&r);
    get(list, NULL, NULL, &r); /* a hit, to be sure it is kept */
    http_reply_free(&r);
    get("/v1/articles?q=quokkas", NULL, NULL, &r);
    cr_expect_eq(total_of(&r), 0, "no quokka article yet: %s", r.body);
    http_reply_free(&r);
    cr_expect_geq(metric("articled_memo_entries"), 2);

    http_call(&h, "PUT", "/v1/articles/budget-vote", doc, auth, &r);
    cr_assert_eq(r.status, 201, "PUT: %ld %s", r.status, r.body);
    http_reply_free(&r);
    get(list, NULL, NULL, &r);
    cr_expect_eq(total_of(&r), before + 1, "after a create: %ld, want %ld", total_of(&r),
                 before + 1);
    cr_expect(strstr(r.body, "\"id\":\"budget-vote\"") != NULL, "the new article is listed");
    char *count = http_header(&r, "X-Total-Count");
    cr_expect(count && strtol(count, NULL, 10) == before + 1, "X-Total-Count %s", count);
    free(count);
    http_reply_free(&r);
    cr_expect_eq(metric("articled_memo_entries"), 1, "only the new generation's list is held");
    get("/v1/articles?q=quokkas", NULL, NULL, &r);
    cr_expect_eq(total_of(&r), 1, "the search finds the new article: %s", r.body);
    http_reply_free(&r);

    http_call(&h, "DELETE", "/v1/articles/budget-vote", NULL, auth, &r);
    cr_assert_eq(r.status, 204, "DELETE: %ld %s", r.status, r.body);
    http_reply_free(&r);
    get(list, NULL, NULL, &r);
    cr_expect_eq(total_of(&r), before, "after the delete");
    cr_expect_null(strstr(r.body, "budget-vote"), "the deleted article is gone");
    http_reply_free(&r);
}

Test(memo, answers_304_from_a_kept_list_with_its_validators)
{
    struct http_reply r, nm;
    get("/v1/articles", NULL, NULL, &r);
    char *tag = http_header(&r, "ETag"), inm[96];
    cr_assert_not_null(tag);
    snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
    const char *hdrs[] = {inm, NULL};
    http_call(&h, "GET", "/v1/articles", NULL, hdrs, &nm);
    cr_expect_eq(nm.status, 304);
    cr_expect_eq(nm.len, 0);
    char *tag2 = http_header(&nm, "ETag"), *cc = http_header(&nm, "Cache-Control");
    cr_expect(tag2 && strcmp(tag, tag2) == 0, "the 304 carries the tag");
    cr_expect_not_null(cc, "the 304 carries Cache-Control");
    free(tag);
    free(tag2);
    free(cc);
    http_reply_free(&r);
    http_reply_free(&nm);
}

/* ---- a small bound ---------------------------------------------------- */

#define SMALL_MEMO 65536L

static void
small(struct config *cfg)
{
    cfg->memo_max_bytes = SMALL_MEMO;
}

static void
start_small(void)
{
    harness_start(&h, "data/articles", small);
}

TestSuite(memo_small, .init = start_small, .fini = stop, .timeout = 60);

Test(memo_small, stays_within_memo_max_bytes_by_evicting)
{
    for (int round = 0; round < 2; round++)
        for (int page = 1; page <= 150; page++) {
            char path[64];
            snprintf(path, sizeof path, "/v1/articles?per_page=1&page=%d", page);
            struct http_reply r;
            get(path, "Accept-Encoding: gzip", NULL, &r);
            http_reply_free(&r);
            long long bytes = metric("articled_memo_bytes");
            cr_assert(bytes > 0 && bytes <= SMALL_MEMO, "%lld bytes held, bound %ld", bytes,
                      SMALL_MEMO);
        }
    cr_expect_gt(metric("articled_memo_evictions_total"), 0);
    cr_expect_eq(metric("articled_memo_max_bytes"), SMALL_MEMO);
}

/* ---- off -------------------------------------------------------------- */

static void
off(struct config *cfg)
{
    cfg->memo_max_bytes = 0;
}

static void
start_off(void)
{
    harness_start(&h, "data/articles", off);
}

TestSuite(memo_off, .init = start_off, .fini = stop, .timeout = 60);

Test(memo_off, serves_lists_without_a_memo_and_reports_none)
{
    struct http_reply a, b;
    get("/v1/articles?per_page=5", "Accept-Encoding: gzip", NULL, &a);
    get("/v1/articles?per_page=5", "Accept-Encoding: gzip", NULL, &b);
    cr_expect(a.len == b.len && memcmp(a.body, b.body, a.len) == 0);
    expect_same_header(&a, &b, "ETag", true);
    expect_same_header(&a, &b, "Link", true);
    expect_same_header(&a, &b, "Content-Encoding", true);
    http_reply_free(&a);
    http_reply_free(&b);
    cr_expect_eq(metric("articled_memo_hits_total"), -1, "no memo counters without a memo");
}
