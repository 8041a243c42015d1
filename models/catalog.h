/* catalog: an immutable snapshot of every article, with its annotations and
 * its pre-rendered representations, and the slot that publishes snapshots.
 *
 * A snapshot never changes after catalog_build returns: any number of threads
 * read it without locks while they hold a reference. A writer builds the next
 * snapshot and publishes it with catalog_slot_publish; readers that started on
 * the old one keep it until they release it. No reader waits on a writer's I/O. */
#ifndef ARTICLED_CATALOG_H
#define ARTICLED_CATALOG_H

#include "models/annotate/annotate.h"
#include "models/article.h"
#include "models/corpus.h"
#include "models/search.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes rendered once for a representation of an entry, with a strong validator. */
struct catalog_bytes {
    char *data; /* owned by the snapshot; NULL when only the gzip form is kept */
    size_t len; /* of the identity bytes, also when data is NULL */
    char etag[20]; /* "\"" + 16 hex digits + "\"", NUL-terminated, of the identity bytes */
    char *gzip;    /* the same bytes gzip-compressed, owned; NULL when not made */
    size_t gzip_len;
    /* The identity bytes inflated again when data is NULL and a client wants
     * them: set at most once (atomically) by whoever inflates first, within a
     * budget (handlers/articles.c), and freed with the entry. The one field
     * of an entry that changes after it is built. */
    char *hot;
};

/* Bytes held in catalog_bytes.hot by every entry alive (atomic): whoever
 * sets hot adds to it, the entry's release takes it back. */
extern size_t catalog_hot_bytes;

/* A part of the full document served on its own (the entities or quotes of an
 * article): {"article":ID,"KEY":...} where ... is full[at, at + len). len 0:
 * none (built without an annotator). */
struct catalog_part {
    uint32_t at, len;
    char etag[20]; /* of the assembled bytes */
};

/* The most members a summary fragment may have (see catalog_entry.summary_at). */
#define CATALOG_SUMMARY_MAX 16

struct catalog_entry {
    struct article *article;         /* owned */
    /* owned; NULL when built without an annotator, and dropped once rendered
     * (the rendered bytes and the digest hold all that is served) */
    struct annotations *annotations;
    struct corpus_digest *digest;    /* owned; NULL without annotations */
    struct catalog_bytes full;       /* the whole article as served */
    struct catalog_bytes summary;    /* the list item fragment: {m0,m1,...} */
    /* Member k of the summary is summary.data[summary_at[k], summary_at[k+1] - 1):
     * `"key":value` without the comma or brace after it, so a list can pick
     * members (?fields=) without parsing. The renderer sets nmembers. */
    uint32_t summary_at[CATALOG_SUMMARY_MAX + 1];
    size_t summary_members;
    struct catalog_part entities;    /* {"article", "entities"} */
    struct catalog_part quotes;      /* {"article", "quotes"} */
    size_t words;                    /* annotations_words(annotations); 0 without annotations */
    int64_t modified;                /* see catalog_modified_at */
    int refs;
};

/* Fills the entry's rendered bytes from entry->article and ->annotations.
 * Supplied by the layer that knows the wire format (handlers/), so this module
 * stays free of HTTP. It may free ->annotations (and set it NULL) as soon as it
 * has read them; catalog_entry_new drops them after it otherwise. Returns 0,
 * or -1 on allocation failure. */
struct catalog_renderer {
    int (*render)(void *ctx, struct catalog_entry *entry);
    void *ctx;
};

struct catalog {
    struct catalog_entry **entries; /* newest first: published desc, undated last, then id */
    size_t n;
    uint64_t generation;
    int64_t built_at; /* seconds since the epoch */
    int64_t modified; /* catalog_modified_at of the build: the lists' Last-Modified */
    /* private below */
    struct search_index *search; /* built on first use: catalog_search */
    struct corpus_index *corpus; /* built on first use: catalog_corpus */
    pthread_mutex_t search_lock; /* guards building either */
    /* private below */
    size_t *index; /* open-addressing table of entry numbers + 1 (0 = empty), by id and slug */
    size_t index_cap;
    int refs;
};

/* Threads that catalog_build annotates and renders with, at most (one per core). */
#define CATALOG_BUILD_THREADS 8

/* Builds a snapshot from n articles, taking ownership of each of them (also on
 * failure). Annotates each article with ann (may be NULL) and renders it with
 * r, on up to one thread per core (r must be safe to call from several threads).
 * Returns the snapshot with one reference, or NULL on allocation failure. */
struct catalog *catalog_build(struct article **articles, size_t n, const struct annotator *ann,
                              const struct catalog_renderer *r, uint64_t generation);

/* The modification time recorded for content that changes at time now: the
 * next second. A response sent in the current second may carry a Date equal to
 * now for the old content, so the new content must not claim a date a client
 * could hold for the old one (If-Modified-Since compares whole seconds).
 * Servers withhold Last-Modified until the clock has passed it. */
int64_t catalog_modified_at(int64_t now);

/* Builds one entry from article a (taken, also on failure): annotated with ann
 * (may be NULL) and rendered with r (may be NULL). With a renderer the
 * annotations are dropped once rendered; without one they are kept (the
 * annotate command reads them). One reference; NULL on OOM. */
struct catalog_entry *catalog_entry_new(struct article *a, const struct annotator *ann,
                                        const struct catalog_renderer *r);
void catalog_entry_release(struct catalog_entry *e);

/* The snapshot after one change to prev (which is not modified): add (taken;
 * may be NULL) is put in, replacing the entry with the same id; then the entry
 * with id remove_id (may be NULL) is dropped. Entries not changed are shared.
 * Returns a snapshot with one reference; NULL on OOM (add is released). */
struct catalog *catalog_with(const struct catalog *prev, struct catalog_entry *add,
                             const char *remove_id, uint64_t generation);

/* The full-text index of the snapshot's articles (hit numbers are entry
 * numbers), built by the first caller that needs it, so writes do not pay for
 * it: a snapshot nobody searches never builds one. Borrowed: valid while the
 * snapshot is held. NULL on allocation failure. */
const struct search_index *catalog_search(struct catalog *c);

/* The entity and quote index of the snapshot's articles (entry numbers are
 * this snapshot's), built by the first caller that needs it. Borrowed: valid
 * while the snapshot is held. NULL on allocation failure. */
const struct corpus_index *catalog_corpus(struct catalog *c);

/* The entry whose id, or else whose slug, is key; NULL if none. Borrowed: valid
 * while the snapshot is held. */
const struct catalog_entry *catalog_find(const struct catalog *c, const char *key);

void catalog_retain(struct catalog *c);
/* Drops a reference; the last one frees the snapshot and everything it owns. */
void catalog_release(struct catalog *c);

/* A strong ETag for bytes: a 64-bit FNV-1a hash in quotes. */
void catalog_etag(const char *data, size_t len, char out[20]);

/* The published snapshot. Acquire and publish take a mutex held for a pointer
 * copy and a counter increment only. */
struct catalog_slot {
    pthread_mutex_t lock;
    struct catalog *current;
    uint64_t version; /* counts publishes; atomic */
};

void catalog_slot_init(struct catalog_slot *s);
/* Releases the current snapshot and destroys the lock. */
void catalog_slot_destroy(struct catalog_slot *s);
/* The current snapshot with a reference the caller releases; NULL before the first publish. */
struct catalog *catalog_slot_acquire(struct catalog_slot *s);
/* The same, with the slot's version at that moment (see catalog_slot_version). */
struct catalog *catalog_slot_acquire_version(struct catalog_slot *s, uint64_t *version);
/* Changes with every publish: a reader holding a snapshot acquired at version v
 * knows it is still the current one while this returns v. No lock. */
uint64_t catalog_slot_version(const struct catalog_slot *s);
/* Makes c current, taking over the caller's reference, and releases the old one. */
void catalog_slot_publish(struct catalog_slot *s, struct catalog *c);

#endif
