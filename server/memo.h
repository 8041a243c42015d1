/* memo: finished responses kept by the transport while their snapshot is current.
 *
 * A handler marks a 200 answer `memo` when it is a pure function of the
 * snapshot and the request's path and query (lists, searches). The transport
 * keeps it here, keyed by the snapshot generation and a key string it makes
 * from every request input that shapes the body (the raw request target and
 * the base URL of absolute links), and answers the next identical request from
 * it without calling the handler. What differs per request (CORS, 304,
 * choosing gzip) is still negotiated per request.
 *
 * Bounded: at most max_bytes of bodies, gzip forms and keys, in shards that
 * each hold an equal share; a shard that is full evicts by CLOCK (an entry hit
 * since the hand last passed is spared once). Thread-safe: a lookup takes one
 * shard's mutex for a short table scan and a reference count increment.
 * Generations: a lookup or store for a newer generation empties the whole memo
 * (entries of older generations become unreachable at once and are freed when
 * their last reader releases them); a request still on an older snapshot
 * misses and stores nothing.
 *
 * Entries are reference-counted and immutable once stored, except for their
 * gzip form, made on first need and published once. */
#ifndef ARTICLED_MEMO_H
#define ARTICLED_MEMO_H

#include "server/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memo;
struct memo_entry;

/* A memo of at most max_bytes (> 0). NULL on OOM. */
struct memo *memo_new(size_t max_bytes);
/* Frees the memo; entries still referenced live until released. */
void memo_free(struct memo *m);

/* The entry stored for key under generation gen, with a reference the caller
 * releases (memo_release), or NULL. Counts a hit or a miss. */
struct memo_entry *memo_get(struct memo *m, uint64_t gen, const char *key, size_t key_len);

/* Stores resp, a 200 its handler marked memo, under key for generation gen.
 * Takes resp's owned body (resp then borrows it from the entry) and copies
 * borrowed bytes and headers; resp is otherwise left as it is. Returns the
 * entry with a reference for the caller, or NULL when it is not kept (larger
 * than a shard, an older generation, OOM): resp is then unchanged. */
struct memo_entry *memo_put(struct memo *m, uint64_t gen, const char *key, size_t key_len,
                            struct response *resp);

/* Fills resp (zeroed by the caller) as the stored 200: borrowed body, ETag,
 * Last-Modified, the handler's headers (copied), and the gzip form when
 * want_gzip and the body is worth compressing (made on first need). The bytes
 * are the entry's: valid while the caller holds its reference. -1 on OOM. */
int memo_fill(struct memo_entry *e, bool want_gzip, struct response *resp);

/* True when buf is the entry's body or gzip form (so a sender knows whose bytes it holds). */
bool memo_owns(const struct memo_entry *e, const void *buf);

void memo_retain(struct memo_entry *e);
/* Drops a reference; the last one frees the entry. */
void memo_release(struct memo_entry *e);

struct memo_stats {
    uint64_t hits, misses, stores, evictions;
    uint64_t entries, bytes; /* held now */
    uint64_t max_bytes;
};

/* A consistent-enough reading of the counters (relaxed atomics). */
void memo_stats(const struct memo *m, struct memo_stats *out);

#endif
