/* catalog: snapshot order, lookup by id and slug, ETags and the publishing slot. */
#include "models/catalog.h"
#include "models/textformat.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct article *
make(const char *id, const char *published, const char *headline)
{
    char doc[512];
    int n = snprintf(doc, sizeof doc, "---\n");
    if (id)
        n += snprintf(doc + n, sizeof doc - (size_t)n, "id: %s\n", id);
    if (published)
        n += snprintf(doc + n, sizeof doc - (size_t)n, "published: %s\n", published);
    snprintf(doc + n, sizeof doc - (size_t)n, "---\n%s\n\nA standfirst.\n\nOne paragraph.\n", headline);
    struct article_error err;
    struct article *a = textformat_parse(doc, strlen(doc), &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    return a;
}

/* Five articles given in scrambled order. */
static struct catalog *
build_five(uint64_t generation)
{
    struct article *arts[] = {
        make("c-undated-z", NULL, "Undated zulu"),
        make("b-mid", "2024-03-11T08:45:00Z", "Middle story"),
        make("c-undated-a", NULL, "Undated alpha"),
        make("a-new", "2025-10-08", "Newest story"),
        make("a-tie", "2024-03-11T09:45:00+01:00", "Tied story"), /* the same instant as b-mid */
    };
    struct catalog *c = catalog_build(arts, 5, NULL, NULL, generation);
    cr_assert_not_null(c);
    return c;
}

Test(catalog, orders_newest_first_then_undated_with_ties_by_id)
{
    struct catalog *c = build_five(1);
    static const char *const want[] = {"a-new", "a-tie", "b-mid", "c-undated-a", "c-undated-z"};
    cr_assert_eq(c->n, 5);
    for (size_t i = 0; i < c->n; i++)
        cr_expect_str_eq(c->entries[i]->article->id, want[i], "entry %zu", i);
    cr_expect_eq(c->generation, 1);
    for (size_t i = 0; i < c->n; i++) {
        cr_expect_null(c->entries[i]->annotations, "no annotator, no annotations");
        cr_expect_null(c->entries[i]->full.data, "no renderer, no bytes");
        cr_expect_eq(c->entries[i]->words, 0, "no annotations, no word count: entry %zu", i);
    }
    catalog_release(c);
}

Test(catalog, finds_entries_by_id_and_by_slug)
{
    struct catalog *c = build_five(1);
    static const struct {
        const char *key, *id;
    } cases[] = {
        {"a-new", "a-new"},           {"newest-story", "a-new"}, {"b-mid", "b-mid"},
        {"middle-story", "b-mid"},    {"c-undated-z", "c-undated-z"},
        {"undated-alpha", "c-undated-a"}, {"tied-story", "a-tie"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct catalog_entry *e = catalog_find(c, cases[k].key);
        cr_expect_not_null(e, "`%s` not found", cases[k].key);
        if (e)
            cr_expect_str_eq(e->article->id, cases[k].id, "`%s`", cases[k].key);
    }
    static const char *const missing[] = {"", "a", "newest", "a-new-2", "A-NEW", "newest-story/"};
    for (size_t k = 0; k < sizeof missing / sizeof *missing; k++)
        cr_expect_null(catalog_find(c, missing[k]), "`%s` found", missing[k]);
    catalog_release(c);
}

Test(catalog, prefers_an_id_to_another_articles_slug)
{
    /* Y's slug is X's id; the key must find X whichever of the two sorts first. */
    static const char *const dates[][2] = {{"2024-01-02", "2024-01-01"}, {"2024-01-01", "2024-01-02"}};
    for (size_t k = 0; k < 2; k++) {
        struct article *arts[] = {
            make("shared-key", dates[k][0], "Something unrelated"),
            make("y-id", dates[k][1], "Shared key"),
        };
        struct catalog *c = catalog_build(arts, 2, NULL, NULL, 1);
        cr_assert_not_null(c);
        const struct catalog_entry *e = catalog_find(c, "shared-key");
        cr_expect_not_null(e);
        if (e)
            cr_expect_str_eq(e->article->id, "shared-key", "order %zu", k);
        e = catalog_find(c, "something-unrelated");
        cr_expect(e && strcmp(e->article->id, "shared-key") == 0);
        e = catalog_find(c, "y-id");
        cr_expect(e && strcmp(e->article->id, "y-id") == 0);
        catalog_release(c);
    }
}

Test(catalog, finds_every_article_of_a_large_snapshot)
{
    enum { N = 300 };
    struct article *arts[N];
    for (size_t i = 0; i < N; i++) {
        char id[32], headline[64];
        snprintf(id, sizeof id, "id-%zu", i);
        snprintf(headline, sizeof headline, "Headline number %zu", i);
        arts[i] = make(id, i % 3 ? "2024-05-01" : NULL, headline);
    }
    struct catalog *c = catalog_build(arts, N, NULL, NULL, 7);
    cr_assert_not_null(c);
    cr_assert_eq(c->n, N);
    for (size_t i = 0; i < N; i++) {
        char id[32], slug[64];
        snprintf(id, sizeof id, "id-%zu", i);
        snprintf(slug, sizeof slug, "headline-number-%zu", i);
        const struct catalog_entry *a = catalog_find(c, id), *b = catalog_find(c, slug);
        cr_expect(a && strcmp(a->article->id, id) == 0, "`%s`", id);
        cr_expect_eq(a, b, "`%s` and `%s` differ", id, slug);
    }
    for (size_t i = 1; i < N; i++) {
        const struct article *p = c->entries[i - 1]->article, *q = c->entries[i]->article;
        cr_expect(p->published_ts > q->published_ts ||
                      (p->published_ts == q->published_ts && strcmp(p->id, q->id) < 0),
                  "entries %zu and %zu out of order", i - 1, i);
    }
    catalog_release(c);
}

Test(catalog, builds_an_empty_snapshot)
{
    struct catalog *c = catalog_build(NULL, 0, NULL, NULL, 3);
    cr_assert_not_null(c);
    cr_expect_eq(c->n, 0);
    cr_expect_null(catalog_find(c, "anything"));
    catalog_release(c);
}

/* Renderer calls that found the entry annotated. */
static int rendered_annotated;

/* A renderer that writes the id as the full bytes and counts its calls. */
static int
render_id(void *ctx, struct catalog_entry *e)
{
    __atomic_add_fetch((int *)ctx, 1, __ATOMIC_RELAXED);
    if (e->annotations)
        __atomic_add_fetch(&rendered_annotated, 1, __ATOMIC_RELAXED);
    e->full.data = strdup(e->article->id);
    e->summary.data = strdup(e->article->headline);
    if (!e->full.data || !e->summary.data)
        return -1;
    e->full.len = strlen(e->full.data);
    e->summary.len = strlen(e->summary.data);
    catalog_etag(e->full.data, e->full.len, e->full.etag);
    catalog_etag(e->summary.data, e->summary.len, e->summary.etag);
    return 0;
}

Test(catalog, renders_and_annotates_each_entry_once)
{
    const char *why = NULL;
    struct annotator *ann = annotator_new(&why);
    cr_assert_not_null(ann, "%s", why ? why : "");
    int calls = 0;
    struct catalog_renderer r = {render_id, &calls};
    struct article *arts[] = {make("one", NULL, "One"), make("two", "2024-01-01", "Two")};
    struct catalog *c = catalog_build(arts, 2, ann, &r, 1);
    cr_assert_not_null(c);
    cr_expect_eq(calls, 2);
    cr_expect_eq(rendered_annotated, 2, "the renderer sees the annotations");
    for (size_t i = 0; i < c->n; i++) {
        cr_expect_null(c->entries[i]->annotations, "dropped once rendered");
        cr_expect_str_eq(c->entries[i]->full.data, c->entries[i]->article->id);
        char etag[20];
        catalog_etag(c->entries[i]->article->id, strlen(c->entries[i]->article->id), etag);
        cr_expect_str_eq(c->entries[i]->full.etag, etag);
    }
    catalog_release(c);
    annotator_free(ann);
}

/* A renderer that fails on the second entry: the build fails and frees everything. */
static int
render_fail_second(void *ctx, struct catalog_entry *e)
{
    if (__atomic_fetch_add((int *)ctx, 1, __ATOMIC_RELAXED) == 1)
        return -1;
    e->full.data = strdup("x");
    e->full.len = 1;
    return e->full.data ? 0 : -1;
}

Test(catalog, frees_everything_when_rendering_fails)
{
    int calls = 0;
    struct catalog_renderer r = {render_fail_second, &calls};
    struct article *arts[] = {make("one", NULL, "One"), make("two", NULL, "Two"),
                              make("three", NULL, "Three")};
    cr_expect_null(catalog_build(arts, 3, NULL, &r, 1));
    cr_expect_eq(calls, 2);
}

/* Enough articles for catalog_build to use every core: each is built once,
 * and the snapshot is in order whatever thread built what. */
Test(catalog, builds_on_several_threads)
{
    enum { N = 300 };
    struct article *arts[N];
    for (int i = 0; i < N; i++) {
        char id[32], date[32], headline[64];
        snprintf(id, sizeof id, "story-%03d", i);
        snprintf(date, sizeof date, "2024-01-%02dT%02d:00:00Z", 1 + i % 28, i % 24);
        snprintf(headline, sizeof headline, "Story number %d", i);
        arts[i] = make(id, date, headline);
    }
    int calls = 0;
    struct catalog_renderer r = {render_id, &calls};
    struct catalog *c = catalog_build(arts, N, NULL, &r, 1);
    cr_assert_not_null(c);
    cr_expect_eq(calls, N);
    cr_assert_eq(c->n, (size_t)N);
    for (size_t i = 0; i < c->n; i++) {
        cr_expect_str_eq(c->entries[i]->full.data, c->entries[i]->article->id);
        if (i)
            cr_expect_geq(c->entries[i - 1]->article->published_ts,
                          c->entries[i]->article->published_ts);
    }
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "story-%03d", i);
        cr_expect_not_null(catalog_find(c, id), "%s", id);
    }
    catalog_release(c);
}

/* A failure on one thread frees what every thread built and every article
 * no thread reached (the sanitizer build checks for leaks). */
Test(catalog, frees_everything_when_rendering_fails_on_several_threads)
{
    enum { N = 200 };
    struct article *arts[N];
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "story-%03d", i);
        arts[i] = make(id, NULL, "A story");
    }
    int calls = 0;
    struct catalog_renderer r = {render_fail_second, &calls};
    cr_expect_null(catalog_build(arts, N, NULL, &r, 1));
    cr_expect_lt(calls, N);
}

/* ---- catalog_etag -------------------------------------------------------------------------- */

Test(catalog, gives_fnv1a_etags_in_quotes)
{
    static const struct {
        const char *data, *etag;
    } cases[] = {
        {"", "\"cbf29ce484222325\""},
        {"a", "\"af63dc4c8601ec8c\""},
        {"foobar", "\"85944171f73967e8\""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char etag[20];
        memset(etag, 'Z', sizeof etag);
        catalog_etag(cases[k].data, strlen(cases[k].data), etag);
        cr_expect_str_eq(etag, cases[k].etag, "`%s`", cases[k].data);
    }
}

Test(catalog, gives_a_stable_etag_that_changes_with_the_bytes)
{
    static const char body[] = "{\"id\":\"x\",\"headline\":\"Caf\u00e9\"}";
    char e1[20], e2[20], e3[20], e4[20];
    catalog_etag(body, sizeof body - 1, e1);
    catalog_etag(body, sizeof body - 1, e2);
    cr_expect_str_eq(e1, e2);
    catalog_etag(body, sizeof body - 2, e3); /* one byte shorter */
    cr_expect_str_neq(e1, e3);
    static const char nul[] = "a\0b";
    catalog_etag(nul, 3, e3);
    catalog_etag(nul, 1, e4);
    cr_expect_str_neq(e3, e4, "bytes after a NUL count");
    cr_expect_eq(strlen(e1), 18);
}

/* ---- catalog_slot ---------------------------------------------------------------------------- */

Test(catalog, keeps_an_old_snapshot_valid_for_its_reader_after_publish)
{
    struct catalog_slot slot;
    catalog_slot_init(&slot);
    cr_expect_null(catalog_slot_acquire(&slot), "nothing before the first publish");

    catalog_slot_publish(&slot, build_five(1));
    struct catalog *old = catalog_slot_acquire(&slot);
    cr_assert_not_null(old);
    cr_expect_eq(old->generation, 1);

    struct article *arts[] = {make("only-one", "2020-01-01", "Only one")};
    catalog_slot_publish(&slot, catalog_build(arts, 1, NULL, NULL, 2));

    /* The reader's snapshot is untouched by the publish. */
    cr_expect_eq(old->n, 5);
    cr_expect_eq(old->generation, 1);
    cr_expect_str_eq(old->entries[0]->article->id, "a-new");
    cr_expect_str_eq(old->entries[4]->article->headline, "Undated zulu");
    const struct catalog_entry *e = catalog_find(old, "middle-story");
    cr_expect(e && strcmp(e->article->id, "b-mid") == 0);
    cr_expect_null(catalog_find(old, "only-one"));

    struct catalog *now = catalog_slot_acquire(&slot);
    cr_assert_not_null(now);
    cr_expect_neq(now, old);
    cr_expect_eq(now->n, 1);
    cr_expect_eq(now->generation, 2);
    cr_expect_not_null(catalog_find(now, "only-one"));

    catalog_release(old); /* the last reference: freed here (ASan sees a leak otherwise) */
    catalog_release(now);
    catalog_slot_destroy(&slot);
}

Test(catalog, counts_references_with_retain_and_release)
{
    struct catalog *c = build_five(1);
    catalog_retain(c);
    catalog_release(c);
    cr_expect_eq(c->n, 5, "still held once");
    cr_expect_not_null(catalog_find(c, "a-new"));
    catalog_release(c);
    catalog_release(NULL);
}

struct reader_ctx {
    struct catalog_slot *slot;
    int bad;
};

static void *
reader(void *arg)
{
    struct reader_ctx *ctx = arg;
    for (int i = 0; i < 3000; i++) {
        struct catalog *c = catalog_slot_acquire(ctx->slot);
        if (!c)
            continue;
        /* Each snapshot of generation g holds g % 4 + 1 articles. */
        if (c->n != c->generation % 4 + 1 || !catalog_find(c, "id-0"))
            ctx->bad++;
        catalog_release(c);
    }
    return NULL;
}

Test(catalog, serves_readers_while_a_writer_publishes)
{
    struct catalog_slot slot;
    catalog_slot_init(&slot);
    struct reader_ctx ctx[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        ctx[t] = (struct reader_ctx){&slot, 0};
        cr_assert_eq(pthread_create(&th[t], NULL, reader, &ctx[t]), 0);
    }
    for (uint64_t g = 1; g <= 200; g++) {
        struct article *arts[4];
        size_t n = g % 4 + 1;
        for (size_t i = 0; i < n; i++) {
            char id[16], headline[32];
            snprintf(id, sizeof id, "id-%zu", i);
            snprintf(headline, sizeof headline, "Story %zu", i);
            arts[i] = make(id, NULL, headline);
        }
        struct catalog *c = catalog_build(arts, n, NULL, NULL, g);
        cr_assert_not_null(c);
        catalog_slot_publish(&slot, c);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        cr_expect_eq(ctx[t].bad, 0, "reader %d saw %d bad snapshots", t, ctx[t].bad);
    }
    catalog_slot_destroy(&slot);
}
