#include "models/catalog.h"

#include "models/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    struct catalog_bytes *parts[] = {&e->full, &e->summary, &e->entities, &e->quotes};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        free(parts[i]->data);
        free(parts[i]->gzip);
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

struct catalog *
catalog_build(struct article **articles, size_t n, const struct annotator *ann,
              const struct catalog_renderer *r, uint64_t generation)
{
    struct catalog_entry **entries = calloc(n ? n : 1, sizeof *entries);
    size_t built = 0;
    if (!entries)
        goto fail;
    for (; built < n; built++)
        if (!(entries[built] = catalog_entry_new(articles[built], ann, r)))
            goto fail;
    return assemble(entries, n, generation);
fail:
    for (size_t i = 0; i < n; i++) {
        if (i < built)
            catalog_entry_release(entries[i]);
        else if (!entries || i > built)
            article_free(articles[i]); /* catalog_entry_new freed the one it failed on */
    }
    free(entries);
    return NULL;
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

const struct search_index *
catalog_search(struct catalog *c)
{
    struct search_index *idx = __atomic_load_n(&c->search, __ATOMIC_ACQUIRE);
    if (idx)
        return idx;
    pthread_mutex_lock(&c->search_lock);
    if (!(idx = c->search)) {
        const struct article **arts = calloc(c->n ? c->n : 1, sizeof *arts);
        for (size_t i = 0; arts && i < c->n; i++)
            arts[i] = c->entries[i]->article;
        idx = arts ? search_build(arts, c->n) : NULL;
        free(arts);
        __atomic_store_n(&c->search, idx, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&c->search_lock);
    return idx;
}

const struct corpus_index *
catalog_corpus(struct catalog *c)
{
    struct corpus_index *idx = __atomic_load_n(&c->corpus, __ATOMIC_ACQUIRE);
    if (idx)
        return idx;
    pthread_mutex_lock(&c->search_lock);
    if (!(idx = c->corpus)) {
        const struct corpus_digest **d = calloc(c->n ? c->n : 1, sizeof *d);
        for (size_t i = 0; d && i < c->n; i++)
            d[i] = c->entries[i]->digest;
        idx = d ? corpus_index_build(d, c->n) : NULL;
        free(d);
        __atomic_store_n(&c->corpus, idx, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&c->search_lock);
    return idx;
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
}

void
catalog_slot_destroy(struct catalog_slot *s)
{
    catalog_release(s->current);
    s->current = NULL;
    pthread_mutex_destroy(&s->lock);
}

struct catalog *
catalog_slot_acquire(struct catalog_slot *s)
{
    pthread_mutex_lock(&s->lock);
    struct catalog *c = s->current;
    if (c)
        catalog_retain(c);
    pthread_mutex_unlock(&s->lock);
    return c;
}

void
catalog_slot_publish(struct catalog_slot *s, struct catalog *c)
{
    pthread_mutex_lock(&s->lock);
    struct catalog *old = s->current;
    s->current = c;
    pthread_mutex_unlock(&s->lock);
    catalog_release(old);
}
