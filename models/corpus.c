#include "models/corpus.h"

#include "models/annotate/text.h"
#include "models/hash.h"
#include "models/utf8.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[CORPUS_NTYPES] = {"person", "place", "organisation"};

const char *
corpus_type_name(enum corpus_type t)
{
    return (unsigned)t < CORPUS_NTYPES ? type_names[t] : "organisation";
}

int
corpus_type_parse(const char *s)
{
    for (int t = 0; t < CORPUS_NTYPES; t++)
        if (strcmp(s, type_names[t]) == 0)
            return t;
    return -1;
}

char *
corpus_fold(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (out)
        text_fold(s, len, out, len + 1);
    return out;
}

char *
corpus_words(const char *s)
{
    char *f = corpus_fold(s);
    size_t len = f ? strlen(f) : 0;
    char *out = f ? malloc(2 * len + 3) : NULL;
    if (!out) {
        free(f);
        return NULL;
    }
    size_t o = 0;
    bool in_word = false;
    out[o++] = ' ';
    for (size_t i = 0; i < len;) {
        size_t start = i;
        uint32_t c = utf8_next(f, len, &i);
        if (utf8_is_word(c)) {
            memcpy(out + o, f + start, i - start);
            o += i - start;
            in_word = true;
        } else if (in_word) {
            out[o++] = ' ';
            in_word = false;
        }
    }
    if (in_word)
        out[o++] = ' ';
    out[o] = '\0';
    free(f);
    return out;
}

/* ---- digests ---- */

/* A digest is one allocation: the header, the entities (and one more, whose
 * form is where the last one's forms end), the forms, the quotes, then the
 * strings. Positions are 32-bit offsets from the header, 0 for none (the header
 * is at 0, so no string is): an article has about 16 entities and 4 quotes,
 * whose pointers and size_t counts made most of the digest's size. */
struct packed_entity {
    uint32_t id; /* preceded by the type as one byte, followed by the name */
    uint32_t mentions;
    uint32_t form; /* its first form; its forms end where the next entity's begin */
};

struct packed_form {
    uint32_t text, count;
};

struct packed_quote {
    uint32_t text, cue, speaker_entity, speaker_name;
};

struct corpus_digest {
    uint32_t nents, nquotes;
    uint32_t quotes; /* offset of the packed_quote array */
    uint32_t headline_key;
    struct packed_entity ents[]; /* nents + 1 */
};

static const char *
str_at(const struct corpus_digest *d, uint32_t at)
{
    return at ? (const char *)d + at : NULL;
}

static const struct packed_form *
forms_of(const struct corpus_digest *d)
{
    return (const struct packed_form *)(d->ents + d->nents + 1);
}

static const struct packed_quote *
quotes_of(const struct corpus_digest *d)
{
    return (const struct packed_quote *)((const char *)d + d->quotes);
}

static const char *
str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
cmp_forms(const void *x, const void *y)
{
    const struct corpus_form *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* The distinct written forms of an entity's mentions other than its name, in
 * tmp (room for every mention), sorted; returns their number. */
static size_t
collect_forms(const cJSON *ent, const char *name, struct corpus_form *tmp)
{
    size_t n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ent, "mentions"))
    {
        const char *t = str_of(m, "text");
        if (!t || strcmp(t, name) == 0)
            continue;
        size_t k = 0;
        while (k < n && strcmp(tmp[k].text, t) != 0)
            k++;
        if (k == n)
            tmp[n++] = (struct corpus_form){t, 0};
        tmp[k].count++;
    }
    if (n > 1)
        qsort(tmp, n, sizeof *tmp, cmp_forms);
    return n;
}

/* Appends a copy of s to the digest's string area at *end; returns its offset
 * (0 for a NULL s). */
static uint32_t
put_str(struct corpus_digest *d, size_t *end, const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s) + 1;
    uint32_t at = (uint32_t)*end;
    memcpy((char *)d + *end, s, n);
    *end += n;
    return at;
}

static size_t
str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* A quote's strings mostly repeat others of its digest: its speaker is one of
 * the article's entities, named as the entity is, and a few cues ("said",
 * "added", "told") serve most quotes. These find the copy already there, so
 * the quote points at it (0: none). */
static const struct packed_entity *
entity_of(const struct corpus_digest *d, const char *id)
{
    for (uint32_t i = 0; i < d->nents; i++)
        if (strcmp(str_at(d, d->ents[i].id), id) == 0)
            return &d->ents[i];
    return NULL;
}

static uint32_t
name_if(const struct corpus_digest *d, const struct packed_entity *pe, const char *name)
{
    const char *id = str_at(d, pe->id);
    size_t n = strlen(id) + 1;
    return strcmp(id + n, name) == 0 ? pe->id + (uint32_t)n : 0;
}

static uint32_t
earlier_cue(const struct corpus_digest *d, const struct packed_quote *pq, size_t n, const char *cue)
{
    for (size_t i = 0; i < n; i++)
        if (pq[i].cue && strcmp(str_at(d, pq[i].cue), cue) == 0)
            return pq[i].cue;
    return 0;
}

struct corpus_digest *
corpus_digest_new(const char *headline, const cJSON *entities, const cJSON *quotes)
{
    size_t nquotes = (size_t)cJSON_GetArraySize(quotes);
    size_t maxm = 1;
    const cJSON *e, *q;
    cJSON_ArrayForEach(e, entities)
    {
        size_t m = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "mentions"));
        maxm = m > maxm ? m : maxm;
    }
    struct corpus_form *tmp = malloc(maxm * sizeof *tmp);
    if (!tmp)
        return NULL;
    /* Pass 1: the size of everything. */
    size_t nents = 0, nforms = 0, strings = strlen(headline) + 1;
    cJSON_ArrayForEach(e, entities)
    {
        const char *name = str_of(e, "name");
        const char *id = str_of(e, "id");
        if (!name || !id)
            continue;
        size_t k = collect_forms(e, name, tmp);
        nents++;
        nforms += k;
        strings += 1 + str_size(id) + str_size(name);
        for (size_t i = 0; i < k; i++)
            strings += str_size(tmp[i].text);
    }
    cJSON_ArrayForEach(q, quotes)
    {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(q, "speaker");
        strings += str_size(str_of(q, "text") ? str_of(q, "text") : "") +
                   str_size(str_of(q, "cue")) + str_size(str_of(sp, "entity")) +
                   str_size(str_of(sp, "name"));
    }
    size_t at_quotes = sizeof(struct corpus_digest) + (nents + 1) * sizeof(struct packed_entity) +
                       nforms * sizeof(struct packed_form);
    size_t end = at_quotes + nquotes * sizeof(struct packed_quote);
    struct corpus_digest *d = end + strings <= UINT32_MAX ? calloc(1, end + strings) : NULL;
    if (!d) {
        free(tmp);
        return NULL;
    }
    /* Pass 2: fill. */
    d->quotes = (uint32_t)at_quotes;
    struct packed_form *forms = (struct packed_form *)(d->ents + nents + 1);
    struct packed_quote *pq = (struct packed_quote *)((char *)d + at_quotes);
    d->headline_key = (uint32_t)end;
    end += text_fold(headline, strlen(headline), (char *)d + end, strlen(headline) + 1) + 1;
    uint32_t form = 0;
    cJSON_ArrayForEach(e, entities)
    {
        const char *name = str_of(e, "name");
        const char *id = str_of(e, "id");
        if (!name || !id)
            continue;
        int type = str_of(e, "type") ? corpus_type_parse(str_of(e, "type")) : -1;
        struct packed_entity *pe = &d->ents[d->nents++];
        ((char *)d)[end++] = (char)(type < 0 ? CORPUS_ORGANISATION : type);
        pe->id = put_str(d, &end, id);
        put_str(d, &end, name);
        pe->mentions =
            (uint32_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "mentions"));
        pe->form = form;
        size_t k = collect_forms(e, name, tmp);
        for (size_t i = 0; i < k; i++)
            forms[form++] = (struct packed_form){put_str(d, &end, tmp[i].text), tmp[i].count};
    }
    d->ents[d->nents].form = form;
    cJSON_ArrayForEach(q, quotes)
    {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(q, "speaker");
        const char *cue = str_of(q, "cue"), *who = str_of(sp, "entity"), *name = str_of(sp, "name");
        struct packed_quote *p = &pq[d->nquotes];
        p->text = put_str(d, &end, str_of(q, "text") ? str_of(q, "text") : "");
        p->cue = cue ? earlier_cue(d, pq, d->nquotes, cue) : 0;
        p->cue = p->cue ? p->cue : put_str(d, &end, cue);
        const struct packed_entity *pe = who ? entity_of(d, who) : NULL;
        p->speaker_entity = pe ? pe->id : put_str(d, &end, who);
        p->speaker_name = pe && name ? name_if(d, pe, name) : 0;
        p->speaker_name = p->speaker_name ? p->speaker_name : put_str(d, &end, name);
        d->nquotes++;
    }
    free(tmp);
    /* pass 1 counted every quote string in full */
    struct corpus_digest *shrunk = realloc(d, end);
    return shrunk ? shrunk : d;
}

void
corpus_digest_free(struct corpus_digest *d)
{
    free(d);
}

size_t
corpus_digest_entities(const struct corpus_digest *d)
{
    return d->nents;
}

struct digest_entity
corpus_digest_entity(const struct corpus_digest *d, size_t i)
{
    const struct packed_entity *pe = &d->ents[i];
    const char *id = str_at(d, pe->id);
    return (struct digest_entity){id, id + strlen(id) + 1, (enum corpus_type)id[-1], pe->mentions,
                                  pe[1].form - pe->form};
}

struct corpus_form
corpus_digest_form(const struct corpus_digest *d, size_t i, size_t k)
{
    const struct packed_form *f = &forms_of(d)[d->ents[i].form + k];
    return (struct corpus_form){str_at(d, f->text), f->count};
}

size_t
corpus_digest_quotes(const struct corpus_digest *d)
{
    return d->nquotes;
}

struct digest_quote
corpus_digest_quote(const struct corpus_digest *d, size_t i)
{
    const struct packed_quote *q = &quotes_of(d)[i];
    return (struct digest_quote){str_at(d, q->text), str_at(d, q->cue),
                                 str_at(d, q->speaker_entity), str_at(d, q->speaker_name)};
}

const char *
corpus_digest_headline_key(const struct corpus_digest *d)
{
    return str_at(d, d->headline_key);
}

/* ---- the index ---- */

struct form_count {
    const char *text;
    unsigned count;
};

struct entity_rec {
    struct corpus_entity pub;
    size_t votes[CORPUS_NTYPES];
    uint32_t *entries;
    size_t entries_cap;
    struct form_count *forms;
    size_t nforms, forms_cap;
    char *keys; /* folded name, then folded forms, each NUL-terminated, then "" */
};

struct name_key {
    const char *key; /* into an entity_rec's keys */
    size_t entity;
};

struct quote_rec {
    long speaker;       /* entity number, -1 when the speaker is no entity */
    char *speaker_key;  /* folded speaker name when the speaker is no entity; else NULL */
    char *words;        /* corpus_words of the text */
};

struct corpus_index {
    struct entity_rec *ents;
    size_t n;
    size_t *table; /* open addressing by id: entity number + 1, 0 empty */
    size_t table_cap;
    size_t *ranked;
    struct name_key *names; /* sorted by key */
    size_t nnames;
    struct corpus_quote_ref *quotes;
    struct quote_rec *qrecs;
    size_t nquotes;
    size_t bytes;
};

struct corpus_who {
    bool *entities; /* by entity number */
    char *key;      /* folded name; NULL when who is only an id */
};

static size_t
find_slot(const struct corpus_index *idx, const char *id)
{
    size_t mask = idx->table_cap - 1;
    size_t h = hash_fnv1a(id, strlen(id)) & mask;
    while (idx->table[h] && strcmp(idx->ents[idx->table[h] - 1].pub.id, id) != 0)
        h = (h + 1) & mask;
    return h;
}

const struct corpus_entity *
corpus_entity_find(const struct corpus_index *idx, const char *id)
{
    size_t s = find_slot(idx, id);
    return idx->table[s] ? &idx->ents[idx->table[s] - 1].pub : NULL;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 4;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Adds one article's view of an entity (entity i of digest d) to its record. */
static int
merge_entity(struct entity_rec *r, const struct corpus_digest *d, size_t i, uint32_t entry)
{
    struct digest_entity de = corpus_digest_entity(d, i);
    if (r->pub.articles == 0 || r->entries[r->pub.articles - 1] != entry) {
        if (grow((void **)&r->entries, &r->entries_cap, r->pub.articles + 1, sizeof *r->entries))
            return -1;
        r->entries[r->pub.articles++] = entry;
        r->votes[de.type]++;
    }
    r->pub.mentions += de.mentions;
    for (size_t f = 0; f < de.nforms; f++) {
        struct corpus_form form = corpus_digest_form(d, i, f);
        size_t k = 0;
        while (k < r->nforms && strcmp(r->forms[k].text, form.text) != 0)
            k++;
        if (k == r->nforms) {
            if (grow((void **)&r->forms, &r->forms_cap, k + 1, sizeof *r->forms))
                return -1;
            r->forms[r->nforms++] = (struct form_count){form.text, 0};
        }
        r->forms[k].count += form.count;
    }
    return 0;
}

static int
cmp_form_counts(const void *x, const void *y)
{
    const struct form_count *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* The record's type, aliases and folded keys, once every article is merged. */
static int
finish_entity(struct entity_rec *r)
{
    r->pub.entries = r->entries;
    r->pub.type = CORPUS_PERSON;
    for (int t = 1; t < CORPUS_NTYPES; t++)
        if (r->votes[t] > r->votes[r->pub.type])
            r->pub.type = (enum corpus_type)t;
    if (r->nforms > 1)
        qsort(r->forms, r->nforms, sizeof *r->forms, cmp_form_counts);
    for (size_t i = 0; i < r->nforms && i < CORPUS_MAX_ALIASES; i++)
        r->pub.aliases[r->pub.naliases++] = r->forms[i].text;
    size_t size = strlen(r->pub.name) + 2;
    for (size_t i = 0; i < r->nforms; i++)
        size += strlen(r->forms[i].text) + 1;
    if (!(r->keys = malloc(size)))
        return -1;
    char *p = r->keys;
    p += text_fold(r->pub.name, strlen(r->pub.name), p, size) + 1;
    for (size_t i = 0; i < r->nforms; i++)
        p += text_fold(r->forms[i].text, strlen(r->forms[i].text), p,
                       size - (size_t)(p - r->keys)) +
             1;
    *p = '\0';
    return 0;
}

static int
cmp_ranked(const void *x, const void *y, void *ctx)
{
    const struct corpus_index *idx = ctx;
    const struct entity_rec *a = &idx->ents[*(const size_t *)x];
    const struct entity_rec *b = &idx->ents[*(const size_t *)y];
    if (a->pub.articles != b->pub.articles)
        return a->pub.articles > b->pub.articles ? -1 : 1;
    if (a->pub.mentions != b->pub.mentions)
        return a->pub.mentions > b->pub.mentions ? -1 : 1;
    int c = strcmp(a->keys, b->keys);
    return c ? c : strcmp(a->pub.id, b->pub.id);
}

static int
cmp_names(const void *x, const void *y)
{
    const struct name_key *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->entity > b->entity) - (a->entity < b->entity);
}

static int
build_tables(struct corpus_index *idx)
{
    idx->ranked = malloc((idx->n ? idx->n : 1) * sizeof *idx->ranked);
    size_t nnames = 0;
    for (size_t i = 0; i < idx->n; i++)
        nnames += 1 + idx->ents[i].nforms;
    idx->names = malloc((nnames ? nnames : 1) * sizeof *idx->names);
    if (!idx->ranked || !idx->names)
        return -1;
    for (size_t i = 0; i < idx->n; i++) {
        idx->ranked[i] = i;
        for (const char *k = idx->ents[i].keys; *k; k += strlen(k) + 1)
            idx->names[idx->nnames++] = (struct name_key){k, i};
    }
    if (idx->n > 1)
        qsort_r(idx->ranked, idx->n, sizeof *idx->ranked, cmp_ranked, idx);
    if (idx->nnames > 1)
        qsort(idx->names, idx->nnames, sizeof *idx->names, cmp_names);
    return 0;
}

static int
add_quotes(struct corpus_index *idx, const struct corpus_digest *const *digests, size_t n)
{
    size_t nq = 0;
    for (size_t i = 0; i < n; i++)
        nq += digests[i] ? corpus_digest_quotes(digests[i]) : 0;
    idx->quotes = malloc((nq ? nq : 1) * sizeof *idx->quotes);
    idx->qrecs = calloc(nq ? nq : 1, sizeof *idx->qrecs);
    if (!idx->quotes || !idx->qrecs)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t nk = digests[i] ? corpus_digest_quotes(digests[i]) : 0;
        for (size_t k = 0; k < nk; k++) {
            struct digest_quote q = corpus_digest_quote(digests[i], k);
            struct quote_rec *r = &idx->qrecs[idx->nquotes];
            idx->quotes[idx->nquotes++] = (struct corpus_quote_ref){(uint32_t)i, (uint32_t)k};
            r->speaker = -1;
            if (q.speaker_entity) {
                size_t s = find_slot(idx, q.speaker_entity);
                if (idx->table[s]) {
                    r->speaker = (long)idx->table[s] - 1;
                    idx->ents[r->speaker].pub.quotes++;
                }
            }
            if (r->speaker < 0 && q.speaker_name && !(r->speaker_key = corpus_fold(q.speaker_name)))
                return -1;
            if (!(r->words = corpus_words(q.text)))
                return -1;
            idx->bytes += strlen(r->words) + 1;
        }
    }
    idx->bytes += nq * (sizeof *idx->quotes + sizeof *idx->qrecs);
    return 0;
}

struct corpus_index *
corpus_index_build(const struct corpus_digest *const *digests, size_t n)
{
    struct corpus_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += digests[i] ? corpus_digest_entities(digests[i]) : 0;
    for (idx->table_cap = 16; idx->table_cap < 2 * total; idx->table_cap *= 2)
        ;
    idx->table = calloc(idx->table_cap, sizeof *idx->table);
    idx->ents = calloc(total ? total : 1, sizeof *idx->ents);
    if (!idx->table || !idx->ents)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        size_t nk = digests[i] ? corpus_digest_entities(digests[i]) : 0;
        for (size_t k = 0; k < nk; k++) {
            struct digest_entity de = corpus_digest_entity(digests[i], k);
            size_t s = find_slot(idx, de.id);
            if (!idx->table[s]) {
                idx->ents[idx->n].pub.id = de.id;
                idx->ents[idx->n].pub.name = de.name;
                idx->table[s] = ++idx->n;
            }
            if (merge_entity(&idx->ents[idx->table[s] - 1], digests[i], k, (uint32_t)i) != 0)
                goto fail;
        }
    }
    for (size_t i = 0; i < idx->n; i++) {
        if (finish_entity(&idx->ents[i]) != 0)
            goto fail;
        const struct entity_rec *r = &idx->ents[i];
        idx->bytes += sizeof *r + r->entries_cap * sizeof *r->entries +
                      r->forms_cap * sizeof *r->forms + strlen(r->keys) + 16 * (1 + r->nforms);
    }
    if (build_tables(idx) != 0 || add_quotes(idx, digests, n) != 0)
        goto fail;
    idx->bytes += idx->table_cap * sizeof *idx->table + idx->n * sizeof *idx->ranked +
                  idx->nnames * sizeof *idx->names;
    return idx;
fail:
    corpus_index_free(idx);
    return NULL;
}

void
corpus_index_free(struct corpus_index *idx)
{
    if (!idx)
        return;
    for (size_t i = 0; i < idx->n; i++) {
        free(idx->ents[i].entries);
        free(idx->ents[i].forms);
        free(idx->ents[i].keys);
    }
    for (size_t i = 0; idx->qrecs && i < idx->nquotes; i++) {
        free(idx->qrecs[i].speaker_key);
        free(idx->qrecs[i].words);
    }
    free(idx->ents);
    free(idx->table);
    free(idx->ranked);
    free(idx->names);
    free(idx->quotes);
    free(idx->qrecs);
    free(idx);
}

size_t
corpus_index_memory(const struct corpus_index *idx)
{
    return idx ? idx->bytes : 0;
}

size_t
corpus_entity_count(const struct corpus_index *idx)
{
    return idx->n;
}

const struct corpus_entity *
corpus_entity_ranked(const struct corpus_index *idx, size_t i)
{
    return &idx->ents[idx->ranked[i]].pub;
}

static bool
starts_word(const char *s, const char *key, size_t klen)
{
    for (const char *p = s; *p; p++)
        if ((p == s || p[-1] == ' ') && strncmp(p, key, klen) == 0)
            return true;
    return false;
}

bool
corpus_entity_has_prefix(const struct corpus_index *idx, const struct corpus_entity *e,
                         const char *key)
{
    const struct entity_rec *r = (const struct entity_rec *)e;
    (void)idx;
    size_t klen = strlen(key);
    for (const char *k = r->keys; *k; k += strlen(k) + 1)
        if (starts_word(k, key, klen))
            return true;
    return false;
}

/* Sets mark[e] for every entity e of a type in type_mask whose name or a
 * written form folds to key; returns how many were newly marked. */
static size_t
each_named(const struct corpus_index *idx, const char *key, unsigned type_mask, bool *mark)
{
    size_t lo = 0, hi = idx->nnames, found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(idx->names[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < idx->nnames && strcmp(idx->names[i].key, key) == 0; i++) {
        size_t e = idx->names[i].entity;
        if (!(type_mask & (1u << idx->ents[e].pub.type)) || mark[e])
            continue;
        mark[e] = true;
        found++;
    }
    return found;
}

size_t
corpus_mark_named(const struct corpus_index *idx, const char *name, unsigned type_mask, bool *out)
{
    char *key = corpus_fold(name);
    bool *mark = calloc(idx->n ? idx->n : 1, sizeof *mark);
    size_t found = key && mark ? each_named(idx, key, type_mask, mark) : 0;
    for (size_t e = 0; found && e < idx->n; e++)
        for (size_t i = 0; mark[e] && i < idx->ents[e].pub.articles; i++)
            out[idx->ents[e].entries[i]] = true;
    free(key);
    free(mark);
    return found;
}

struct corpus_who *
corpus_who_new(const struct corpus_index *idx, const char *who)
{
    struct corpus_who *w = calloc(1, sizeof *w);
    if (!w || !(w->entities = calloc(idx->n ? idx->n : 1, sizeof *w->entities)) ||
        !(w->key = corpus_fold(who))) {
        corpus_who_free(w);
        return NULL;
    }
    size_t s = find_slot(idx, who);
    if (idx->table[s])
        w->entities[idx->table[s] - 1] = true;
    each_named(idx, w->key, ~0u, w->entities);
    return w;
}

void
corpus_who_free(struct corpus_who *w)
{
    if (!w)
        return;
    free(w->entities);
    free(w->key);
    free(w);
}

const struct corpus_quote_ref *
corpus_quotes(const struct corpus_index *idx, size_t *n)
{
    *n = idx->nquotes;
    return idx->quotes;
}

bool
corpus_quote_by(const struct corpus_index *idx, size_t i, const struct corpus_who *w)
{
    const struct quote_rec *r = &idx->qrecs[i];
    if (r->speaker >= 0)
        return w->entities[r->speaker];
    return r->speaker_key && w->key[0] && strcmp(r->speaker_key, w->key) == 0;
}

void
corpus_mark_speaker(const struct corpus_index *idx, const struct corpus_who *w, bool *out)
{
    for (size_t i = 0; i < idx->nquotes; i++)
        if (corpus_quote_by(idx, i, w))
            out[idx->quotes[i].entry] = true;
}

bool
corpus_quote_has_words(const struct corpus_index *idx, size_t i, const char *words)
{
    const char *text = idx->qrecs[i].words;
    char probe[256];
    /* words is " w1 w2 ... ": each " w " (with both spaces) must be in text */
    for (const char *p = words; *p == ' ' && p[1];) {
        const char *end = strchr(p + 1, ' ');
        size_t n = end ? (size_t)(end - p) + 1 : 0;
        if (!n || n >= sizeof probe)
            return false; /* a word longer than any quote's words */
        memcpy(probe, p, n);
        probe[n] = '\0';
        if (!strstr(text, probe))
            return false;
        p = end;
    }
    return true;
}
