#include "server/memo.h"

#include "models/catalog.h"
#include "models/hash.h"
#include "server/encoding.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 16 shards of at most 64 entries: a lookup scans one shard's hashes, a short
 * contiguous array, under that shard's lock. */
#define MEMO_SHARDS 16
#define MEMO_SLOTS 64

struct memo_gzip {
    size_t len;
    char data[];
};

struct memo_entry {
    int refs; /* atomic */
    struct memo *memo;
    unsigned shard;
    /* Under the shard's lock: */
    bool stored;     /* still in the table (not evicted nor swept) */
    bool referenced; /* hit since the clock hand last passed */
    size_t charge;   /* bytes counted against the shard */
    /* Immutable once stored: */
    uint64_t generation;
    uint64_t hash;
    char *key;
    size_t key_len;
    char *body;
    size_t body_len;
    const char *content_type;
    char etag[32];
    long long last_modified;
    size_t nheaders;
    struct response_header headers[RESPONSE_MAX_HEADERS];
    /* Made on first need, published once (atomic pointer). */
    struct memo_gzip *gzip;
};

struct memo_slot {
    uint64_t hash;
    struct memo_entry *e;
};

struct memo_shard {
    pthread_mutex_t lock;
    uint64_t generation; /* of the entries held */
    size_t bytes;
    size_t n, hand;
    struct memo_slot slots[MEMO_SLOTS];
} __attribute__((aligned(64)));

struct memo {
    struct memo_shard shards[MEMO_SHARDS];
    size_t shard_bytes; /* each shard's share of max_bytes */
    size_t max_bytes;
    uint64_t generation; /* the newest seen, atomic */
    /* Counters, atomic. */
    uint64_t hits, misses, stores, evictions;
    uint64_t entries, bytes;
};

static uint64_t
load(const uint64_t *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void
add(uint64_t *v, int64_t d)
{
    __atomic_add_fetch(v, (uint64_t)d, __ATOMIC_RELAXED);
}

struct memo *
memo_new(size_t max_bytes)
{
    struct memo *m = aligned_alloc(64, (sizeof *m + 63) / 64 * 64);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->max_bytes = max_bytes;
    m->shard_bytes = max_bytes / MEMO_SHARDS;
    for (size_t i = 0; i < MEMO_SHARDS; i++)
        pthread_mutex_init(&m->shards[i].lock, NULL);
    return m;
}

static void
entry_free(struct memo_entry *e)
{
    free(e->key);
    free(e->body);
    for (size_t i = 0; i < e->nheaders; i++)
        free(e->headers[i].value);
    free(e->gzip);
    free(e);
}

void
memo_retain(struct memo_entry *e)
{
    __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
}

void
memo_release(struct memo_entry *e)
{
    if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
        entry_free(e);
}

/* Takes slot i out of shard s (under its lock); the table's reference is
 * dropped by the caller, outside the lock. */
static struct memo_entry *
unlink_slot(struct memo *m, struct memo_shard *s, size_t i)
{
    struct memo_entry *e = s->slots[i].e;
    e->stored = false;
    s->bytes -= e->charge;
    add(&m->bytes, -(int64_t)e->charge);
    add(&m->entries, -1);
    s->slots[i] = s->slots[--s->n];
    if (s->hand >= s->n)
        s->hand = 0;
    return e;
}

/* Empties shard s (under its lock) into out[]; returns how many were taken. */
static size_t
clear_shard(struct memo *m, struct memo_shard *s, struct memo_entry **out)
{
    size_t k = 0;
    while (s->n)
        out[k++] = unlink_slot(m, s, s->n - 1);
    return k;
}

void
memo_free(struct memo *m)
{
    if (!m)
        return;
    struct memo_entry *gone[MEMO_SLOTS];
    for (size_t i = 0; i < MEMO_SHARDS; i++) {
        size_t k = clear_shard(m, &m->shards[i], gone);
        for (size_t j = 0; j < k; j++)
            memo_release(gone[j]);
        pthread_mutex_destroy(&m->shards[i].lock);
    }
    free(m);
}

/* Notes that generation gen is current. The first caller to see a newer one
 * empties every shard, so the old entries are freed now rather than when each
 * shard is next used. */
static void
advance(struct memo *m, uint64_t gen)
{
    uint64_t seen = __atomic_load_n(&m->generation, __ATOMIC_RELAXED);
    do {
        if (gen <= seen)
            return;
    } while (!__atomic_compare_exchange_n(&m->generation, &seen, gen, false, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    struct memo_entry *gone[MEMO_SLOTS];
    for (size_t i = 0; i < MEMO_SHARDS; i++) {
        struct memo_shard *s = &m->shards[i];
        pthread_mutex_lock(&s->lock);
        size_t k = 0;
        if (s->generation < gen) {
            k = clear_shard(m, s, gone);
            s->generation = gen;
        }
        pthread_mutex_unlock(&s->lock);
        for (size_t j = 0; j < k; j++)
            memo_release(gone[j]);
    }
}

static struct memo_shard *
shard_of(struct memo *m, uint64_t hash, unsigned *index)
{
    *index = (unsigned)(hash >> 60) % MEMO_SHARDS;
    return &m->shards[*index];
}

struct memo_entry *
memo_get(struct memo *m, uint64_t gen, const char *key, size_t key_len)
{
    advance(m, gen);
    uint64_t h = hash_fnv1a(key, key_len);
    unsigned si;
    struct memo_shard *s = shard_of(m, h, &si);
    struct memo_entry *found = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->generation == gen) {
        for (size_t i = 0; i < s->n; i++) {
            struct memo_entry *e = s->slots[i].e;
            if (s->slots[i].hash == h && e->key_len == key_len &&
                memcmp(e->key, key, key_len) == 0) {
                e->referenced = true;
                memo_retain(e);
                found = e;
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->lock);
    add(found ? &m->hits : &m->misses, 1);
    return found;
}

/* Evicts by CLOCK from shard s (under its lock) until need more bytes and one
 * more slot fit, never evicting keep. Evicted entries go to out[] (their
 * count in *k) for release outside the lock. False when it cannot make room. */
static bool
make_room(struct memo *m, struct memo_shard *s, size_t need, bool slot,
          const struct memo_entry *keep, struct memo_entry **out, size_t *k)
{
    /* Each entry is passed at most twice: once to clear its bit, once to evict. */
    for (size_t steps = 0; steps < 2 * MEMO_SLOTS + 2; steps++) {
        if (s->bytes + need <= m->shard_bytes && (!slot || s->n < MEMO_SLOTS))
            return true;
        if (s->n == 0 || (s->n == 1 && s->slots[0].e == keep))
            return false;
        struct memo_entry *e = s->slots[s->hand].e;
        if (e == keep || e->referenced) {
            e->referenced = false;
            s->hand = (s->hand + 1) % s->n;
            continue;
        }
        out[(*k)++] = unlink_slot(m, s, s->hand);
        add(&m->evictions, 1);
    }
    return false;
}

/* Copies resp's headers and borrowed bytes into e and takes its owned body. */
static int
fill_entry(struct memo_entry *e, struct response *resp)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (!(e->headers[i].value = strdup(resp->headers[i].value)))
            return -1;
        e->headers[i].name = resp->headers[i].name;
        e->headers[i].owned = true;
        e->nheaders = i + 1;
    }
    if (resp->gzip) {
        struct memo_gzip *z = malloc(sizeof *z + resp->gzip_len);
        if (!z)
            return -1;
        z->len = resp->gzip_len;
        memcpy(z->data, resp->gzip, resp->gzip_len);
        e->gzip = z;
    }
    if (resp->body_owned) {
        e->body = (char *)resp->body;
    } else if (!(e->body = malloc(resp->body_len ? resp->body_len : 1))) {
        return -1;
    } else if (resp->body_len) {
        memcpy(e->body, resp->body, resp->body_len);
    }
    e->body_len = resp->body_len;
    e->content_type = resp->content_type;
    if (resp->etag[0])
        memcpy(e->etag, resp->etag, sizeof e->etag);
    else
        catalog_etag(e->body, e->body_len, e->etag);
    e->last_modified = resp->last_modified;
    return 0;
}

struct memo_entry *
memo_put(struct memo *m, uint64_t gen, const char *key, size_t key_len, struct response *resp)
{
    size_t charge =
        sizeof(struct memo_entry) + key_len + resp->body_len + (resp->gzip ? resp->gzip_len : 0);
    if (charge > m->shard_bytes || resp->status != 200)
        return NULL;
    advance(m, gen);
    struct memo_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->key = malloc(key_len + 1)))
        goto fail;
    memcpy(e->key, key, key_len);
    e->key[key_len] = '\0';
    e->key_len = key_len;
    e->hash = hash_fnv1a(key, key_len);
    e->generation = gen;
    e->memo = m;
    e->charge = charge;
    e->refs = 2; /* the table's and the caller's */
    bool owned = resp->body_owned;
    if (fill_entry(e, resp) != 0) {
        if (owned)
            e->body = NULL; /* still resp's */
        goto fail;
    }

    struct memo_shard *s = shard_of(m, e->hash, &e->shard);
    struct memo_entry *gone[2 * MEMO_SLOTS + 2];
    size_t k = 0;
    bool kept = false;
    pthread_mutex_lock(&s->lock);
    if (s->generation == gen) {
        /* Another thread may have stored the same key meanwhile: replace it. */
        for (size_t i = 0; i < s->n; i++)
            if (s->slots[i].hash == e->hash && s->slots[i].e->key_len == key_len &&
                memcmp(s->slots[i].e->key, key, key_len) == 0) {
                gone[k++] = unlink_slot(m, s, i);
                break;
            }
        if (make_room(m, s, charge, true, NULL, gone, &k)) {
            s->slots[s->n++] = (struct memo_slot){e->hash, e};
            s->bytes += charge;
            e->stored = kept = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    for (size_t j = 0; j < k; j++)
        memo_release(gone[j]);
    if (!kept) {
        if (owned)
            e->body = NULL;
        goto fail;
    }
    add(&m->bytes, (int64_t)charge);
    add(&m->entries, 1);
    add(&m->stores, 1);
    if (owned)
        resp->body_owned = false; /* now the entry's */
    return e;
fail:
    if (e) {
        e->refs = 1;
        memo_release(e);
    }
    return NULL;
}

/* The entry's gzip form, made and published by the first caller that needs
 * it; NULL when it cannot be made. */
static const struct memo_gzip *
gzip_of(struct memo_entry *e)
{
    struct memo_gzip *z = __atomic_load_n(&e->gzip, __ATOMIC_ACQUIRE);
    if (z)
        return z;
    size_t zlen;
    char *raw = encoding_gzip(e->body, e->body_len, &zlen);
    if (!raw || !(z = malloc(sizeof *z + zlen))) {
        free(raw);
        return NULL;
    }
    z->len = zlen;
    memcpy(z->data, raw, zlen);
    free(raw);
    struct memo_gzip *expected = NULL;
    if (!__atomic_compare_exchange_n(&e->gzip, &expected, z, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        free(z);
        return expected;
    }
    /* Count it against the shard while the entry is stored, making room
     * among the others. */
    struct memo *m = e->memo;
    struct memo_shard *s = &m->shards[e->shard];
    struct memo_entry *gone[2 * MEMO_SLOTS + 2];
    size_t k = 0;
    pthread_mutex_lock(&s->lock);
    if (e->stored) {
        size_t need = sizeof *z + zlen;
        e->charge += need;
        s->bytes += need;
        add(&m->bytes, (int64_t)need);
        /* Over the bound with the others gone: the entry itself goes. */
        if (!make_room(m, s, 0, false, e, gone, &k)) {
            for (size_t i = 0; i < s->n; i++)
                if (s->slots[i].e == e) {
                    gone[k++] = unlink_slot(m, s, i);
                    add(&m->evictions, 1);
                    break;
                }
        }
    }
    pthread_mutex_unlock(&s->lock);
    for (size_t j = 0; j < k; j++)
        memo_release(gone[j]);
    return z;
}

int
memo_fill(struct memo_entry *e, bool want_gzip, struct response *resp)
{
    response_borrow_body(resp, 200, e->content_type, e->body, e->body_len);
    memcpy(resp->etag, e->etag, sizeof resp->etag);
    resp->last_modified = e->last_modified;
    for (size_t i = 0; i < e->nheaders; i++)
        if (response_header(resp, e->headers[i].name, e->headers[i].value) != 0)
            return -1;
    if (want_gzip && e->body_len >= ENCODING_MIN_BYTES) {
        const struct memo_gzip *z = gzip_of(e);
        if (z) {
            resp->gzip = z->data;
            resp->gzip_len = z->len;
        }
    }
    return 0;
}

bool
memo_owns(const struct memo_entry *e, const void *buf)
{
    const struct memo_gzip *z = __atomic_load_n(&e->gzip, __ATOMIC_ACQUIRE);
    return buf == e->body || (z && buf == z->data);
}

void
memo_stats(const struct memo *m, struct memo_stats *out)
{
    *out = (struct memo_stats){
        .hits = load(&m->hits),
        .misses = load(&m->misses),
        .stores = load(&m->stores),
        .evictions = load(&m->evictions),
        .entries = load(&m->entries),
        .bytes = load(&m->bytes),
        .max_bytes = m->max_bytes,
    };
}
