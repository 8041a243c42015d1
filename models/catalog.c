#include "models/catalog.h"

#include "models/cpus.h"
#include "models/hash.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <time.h>
#include <unistd.h>

size_t catalog_hot_bytes;

void
catalog_etag(const char *data, size_t len, char out[20])
{
    snprintf(out, 20, "\"%016llx\"", (unsigned long long)hash_fnv1a(data, len));
}

static uint64_t
hash_str(const char *s)
{
    return hash_fnv1a(s, strlen(s));
}

/* Newest first; undated articles after dated ones; ties by id, so the order is total. */
static int
cmp_entries(const void *x, const void *y)
{
    const struct article *a = (*(struct catalog_entry *const *)x)->article;
    const struct article *b = (*(struct catalog_entry *const *)y)->article;
    if (a->published_ts != b->published_ts)
        return a->published_ts > b->published_ts ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Inserts entry number i under key unless the key is already there (ids are
 * inserted before slugs, so an id always wins over another article's slug). */
static void
index_put(struct catalog *c, const char *key, size_t i)
{
    size_t mask = c->index_cap - 1;
    for (size_t h = hash_str(key) & mask;; h = (h + 1) & mask) {
        size_t e = c->index[h];
        if (e == 0) {
            c->index[h] = i + 1;
            return;
        }
        const struct article *a = c->entries[e - 1]->article;
        if (strcmp(a->id, key) == 0 || strcmp(a->slug, key) == 0)
            return;
    }
}

const struct catalog_entry *
catalog_find(const struct catalog *c, const char *key)
{
    size_t mask = c->index_cap - 1;
    const struct catalog_entry *by_slug = NULL;
    for (size_t h = hash_str(key) & mask;; h = (h + 1) & mask) {
        size_t e = c->index[h];
        if (e == 0)
            return by_slug;
        const struct catalog_entry *entry = c->entries[e - 1];
        if (strcmp(entry->article->id, key) == 0)
            return entry;
        if (!by_slug && strcmp(entry->article->slug, key) == 0)
            by_slug = entry;
    }
}

void
catalog_entry_release(struct catalog_entry *e)
{
    if (!e || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    article_free(e->article);
    annotations_free(e->annotations);
    corpus_digest_free(e->digest);
    struct catalog_bytes *parts[] = {&e->full, &e->summary};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        free(parts[i]->data);
        free(parts[i]->gzip);
        if (parts[i]->hot)
            __atomic_sub_fetch(&catalog_hot_bytes, parts[i]->len, __ATOMIC_RELAXED);
        free(parts[i]->hot);
    }
    free(e);
}

/* The annotator's view of an article: headline, standfirst, then each body
 * block in order (an image gives its alt text and caption). */
static struct annotations *
annotate_article(const struct annotator *ann, const struct article *a)
{
    struct annotate_block *blocks = calloc(2 + 2 * a->nbody, sizeof *blocks);
    if (!blocks)
        return NULL;
    size_t n = 0;
    blocks[n++] = (struct annotate_block){"headline", a->headline, strlen(a->headline), -1};
    if (a->standfirst)
        blocks[n++] =
            (struct annotate_block){"standfirst", a->standfirst, strlen(a->standfirst), -1};
    for (size_t i = 0; i < a->nbody; i++) {
        const struct article_block *b = &a->body[i];
        if (b->type == ARTICLE_IMAGE && b->alt)
            blocks[n++] = (struct annotate_block){"alt", b->alt, strlen(b->alt), (int)i};
        const char *kind = b->type == ARTICLE_IMAGE        ? "caption"
                           : b->type == ARTICLE_SUBHEADING ? "subheading"
                                                           : "paragraph";
        blocks[n++] = (struct annotate_block){kind, b->text, strlen(b->text), (int)i};
    }
    struct annotate_input in = {blocks, n, a->published};
    struct annotations *an = annotator_run(ann, &in);
    free(blocks);
    return an;
}

int64_t
catalog_modified_at(int64_t now)
{
    return now + 1;
}

struct catalog_entry *
catalog_entry_new(struct article *a, const struct annotator *ann, const struct catalog_renderer *r)
{
    struct catalog_entry *e = calloc(1, sizeof *e);
    if (!e) {
        article_free(a);
        return NULL;
    }
    e->article = a;
    e->refs = 1;
    e->modified = catalog_modified_at((int64_t)time(NULL));
    if (ann && !(e->annotations = annotate_article(ann, a)))
        goto fail;
    e->words = e->annotations ? annotations_words(e->annotations) : 0;
    if (r && r->render(r->ctx, e) != 0)
        goto fail;
    if (r) {
        annotations_free(e->annotations);
        e->annotations = NULL;
    }
    return e;
fail:
    catalog_entry_release(e);
    return NULL;
}

/* Takes entries[0..n) (references included), sorts them and builds the index. */
static struct catalog *
assemble(struct catalog_entry **entries, size_t n, uint64_t generation)
{
    struct catalog *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->entries = entries;
    c->n = n;
    c->refs = 1;
    c->generation = generation;
    c->built_at = (int64_t)time(NULL);
    if (n > 1)
        qsort(entries, n, sizeof *entries, cmp_entries);
    for (c->index_cap = 16; c->index_cap < 4 * n; c->index_cap *= 2)
        ;
    pthread_mutex_init(&c->search_lock, NULL);
    if (!(c->index = calloc(c->index_cap, sizeof *c->index))) {
        catalog_release(c);
        return NULL;
    }
    c->modified = catalog_modified_at(c->built_at);
    for (size_t i = 0; i < n; i++)
        index_put(c, entries[i]->article->id, i);
    for (size_t i = 0; i < n; i++)
        index_put(c, entries[i]->article->slug, i);
    return c;
fail:
    for (size_t i = 0; i < n; i++)
        catalog_entry_release(entries[i]);
    free(entries);
    return NULL;
}

/* One builder thread's share of catalog_build: every nth article from first. */
struct build_job {
    struct article **articles;
    struct catalog_entry **entries;
    size_t n, first, step;
    const struct annotator *ann;
    const struct catalog_renderer *r;
    bool failed;
};

static void *
build_some(void *arg)
{
    struct build_job *j = arg;
    for (size_t i = j->first; i < j->n; i += j->step) {
        if (j->failed) { /* the build is lost: free the rest of this share */
            article_free(j->articles[i]);
            continue;
        }
        j->entries[i] = catalog_entry_new(j->articles[i], j->ann, j->r);
        j->failed = !j->entries[i];
    }
    return NULL;
}

struct catalog *
catalog_build(struct article **articles, size_t n, const struct annotator *ann,
              const struct catalog_renderer *r, uint64_t generation)
{
    struct catalog_entry **entries = calloc(n ? n : 1, sizeof *entries);
    if (!entries) {
        for (size_t i = 0; i < n; i++)
            article_free(articles[i]);
        return NULL;
    }
    /* Annotating and rendering are pure functions of each article: spread
     * them over the cores (the annotator is read-only, see annotate.h). */
    unsigned cores = cpus_usable();
    size_t nthreads = n < 64 ? 1 : cores > CATALOG_BUILD_THREADS ? CATALOG_BUILD_THREADS : cores;
    struct build_job jobs[CATALOG_BUILD_THREADS];
    pthread_t threads[CATALOG_BUILD_THREADS];
    size_t started = 1;
    for (size_t t = 0; t < nthreads; t++)
        jobs[t] = (struct build_job){articles, entries, n, t, nthreads, ann, r, false};
    for (size_t t = 1; t < nthreads; t++, started++)
        if (pthread_create(&threads[t], NULL, build_some, &jobs[t]) != 0)
            break;
    /* Threads that could not start leave their share to this one. */
    for (size_t t = started; t < nthreads; t++)
        build_some(&jobs[t]);
    build_some(&jobs[0]);
    bool failed = false;
    for (size_t t = 0; t < nthreads; t++) {
        if (t >= 1 && t < started)
            pthread_join(threads[t], NULL);
        failed = failed || jobs[t].failed;
    }
    if (failed) {
        for (size_t i = 0; i < n; i++)
            catalog_entry_release(entries[i]);
        free(entries);
        return NULL;
    }
    struct catalog *c = assemble(entries, n, generation);
#ifdef __GLIBC__
    /* The build's working memory (annotator structures, cJSON trees, deflate
     * state) is free now but still resident: in each arena's top, which glibc
     * keeps below its trim threshold (raised by the first large mmap freed),
     * and in whole free pages between kept blocks. Give it back. */
    malloc_trim(0);
#endif
    return c;
}

struct catalog *
catalog_with(const struct catalog *prev, struct catalog_entry *add, const char *remove_id,
             uint64_t generation)
{
    struct catalog_entry **entries = calloc(prev->n + 1, sizeof *entries);
    if (!entries) {
        catalog_entry_release(add);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < prev->n; i++) {
        struct catalog_entry *e = prev->entries[i];
        const char *id = e->article->id;
        if ((add && strcmp(id, add->article->id) == 0) || (remove_id && strcmp(id, remove_id) == 0))
            continue;
        __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
        entries[n++] = e;
    }
    if (add && !(remove_id && strcmp(add->article->id, remove_id) == 0))
        entries[n++] = add;
    else
        catalog_entry_release(add);
    return assemble(entries, n, generation);
}

static void *
build_search(const struct catalog *c, const void **items)
{
    for (size_t i = 0; i < c->n; i++)
        items[i] = c->entries[i]->article;
    return search_build((const struct article *const *)items, c->n);
}

static void *
build_corpus(const struct catalog *c, const void **items)
{
    for (size_t i = 0; i < c->n; i++)
        items[i] = c->entries[i]->digest;
    return corpus_index_build((const struct corpus_digest *const *)items, c->n);
}

/* The index in *slot, built by build from one item per entry by the first
 * caller that needs it; later callers read it without the lock. */
static void *
lazy_index(struct catalog *c, void **slot, void *(*build)(const struct catalog *, const void **))
{
    void *idx = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (idx)
        return idx;
    pthread_mutex_lock(&c->search_lock);
    if (!(idx = *slot)) {
        const void **items = calloc(c->n ? c->n : 1, sizeof *items);
        idx = items ? build(c, items) : NULL;
        free(items);
        __atomic_store_n(slot, idx, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&c->search_lock);
    return idx;
}

const struct search_index *
catalog_search(struct catalog *c)
{
    return lazy_index(c, (void **)&c->search, build_search);
}

const struct corpus_index *
catalog_corpus(struct catalog *c)
{
    return lazy_index(c, (void **)&c->corpus, build_corpus);
}

void
catalog_retain(struct catalog *c)
{
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void
catalog_release(struct catalog *c)
{
    if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < c->n; i++)
        catalog_entry_release(c->entries[i]);
    free(c->entries);
    free(c->index);
    search_free(c->search);
    corpus_index_free(c->corpus);
    pthread_mutex_destroy(&c->search_lock);
    free(c);
}

void
catalog_slot_init(struct catalog_slot *s)
{
    pthread_mutex_init(&s->lock, NULL);
    s->current = NULL;
    s->version = 0;
}

void
catalog_slot_destroy(struct catalog_slot *s)
{
    catalog_release(s->current);
    s->current = NULL;
    pthread_mutex_destroy(&s->lock);
}

struct catalog *
catalog_slot_acquire_version(struct catalog_slot *s, uint64_t *version)
{
    pthread_mutex_lock(&s->lock);
    struct catalog *c = s->current;
    if (c)
        catalog_retain(c);
    *version = __atomic_load_n(&s->version, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->lock);
    return c;
}

struct catalog *
catalog_slot_acquire(struct catalog_slot *s)
{
    uint64_t version;
    return catalog_slot_acquire_version(s, &version);
}

uint64_t
catalog_slot_version(const struct catalog_slot *s)
{
    return __atomic_load_n(&s->version, __ATOMIC_ACQUIRE);
}

void
catalog_slot_publish(struct catalog_slot *s, struct catalog *c)
{
    pthread_mutex_lock(&s->lock);
    struct catalog *old = s->current;
    s->current = c;
    __atomic_add_fetch(&s->version, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->lock);
    catalog_release(old);
}
