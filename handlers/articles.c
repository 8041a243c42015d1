#include "handlers/articles.h"

#include "handlers/find.h"
#include "handlers/problem.h"
#include "handlers/query.h"
#include "handlers/service.h"
#include "models/annotate/stats.h"
#include "models/strbuf.h"
#include "server/encoding.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARTICLES_PATH "/v1/articles"

static const char json_type[] = "application/json";

static cJSON *
links_json(const struct article *a, const char *base)
{
    char self[512];
    snprintf(self, sizeof self, "%s" ARTICLES_PATH "/%s", base, a->id);
    cJSON *links = cJSON_CreateObject();
    if (links && !cJSON_AddStringToObject(links, "self", self)) {
        cJSON_Delete(links);
        return NULL;
    }
    return links;
}

cJSON *
articles_json(const struct article *a, size_t words, const char *base)
{
    cJSON *full = article_to_json(a);
    cJSON *links = links_json(a, base);
    if (!full || !links || !cJSON_AddStringToObject(full, "slug", a->slug) ||
        !cJSON_AddNumberToObject(full, "word_count", (double)words) ||
        !cJSON_AddNumberToObject(full, "reading_time_minutes", stats_reading_time(words)) ||
        !cJSON_AddItemToObject(full, "links", links)) {
        cJSON_Delete(full);
        cJSON_Delete(links);
        return NULL;
    }
    return full;
}

/* The members of a list item, in order: `fields` names them (find.c). */
const char *const articles_summary_fields[] = {
    "id",      "slug",   "headline", "standfirst", "published",  "updated",
    "section", "tags",   "byline",   "source",     "url",        "word_count",
    "reading_time_minutes", "links"};
const size_t articles_summary_nfields =
    sizeof articles_summary_fields / sizeof *articles_summary_fields;

static void
add_string_or_null(struct strbuf *b, const char *s)
{
    if (s)
        strbuf_add_json_string(b, s);
    else
        strbuf_adds(b, "null");
}

static void
add_string_list(struct strbuf *b, char *const *items, size_t n)
{
    strbuf_add(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_add(b, ",", 1);
        strbuf_add_json_string(b, items[i]);
    }
    strbuf_add(b, "]", 1);
}

/* Renders the list item {"id":...,...,"links":{...}} into b (initialised here)
 * and the start of each member into e->summary_at. */
static void
render_summary(struct catalog_entry *e, const char *base, struct strbuf *b)
{
    const struct article *a = e->article;
    strbuf_init(b, 512);
    strbuf_add(b, "{", 1);
    for (size_t k = 0; k < articles_summary_nfields; k++) {
        const char *key = articles_summary_fields[k];
        e->summary_at[k] = (uint32_t)b->len;
        strbuf_addf(b, "\"%s\":", key);
        switch (k) {
        case 0: strbuf_add_json_string(b, a->id); break;
        case 1: strbuf_add_json_string(b, a->slug); break;
        case 2: strbuf_add_json_string(b, a->headline); break;
        case 3: add_string_or_null(b, a->standfirst); break;
        case 4: add_string_or_null(b, a->published); break;
        case 5: add_string_or_null(b, a->updated); break;
        case 6: add_string_or_null(b, a->section); break;
        case 7: add_string_list(b, a->tags, a->ntags); break;
        case 8: add_string_or_null(b, a->byline); break;
        case 9: add_string_list(b, a->source, a->nsource); break;
        case 10: add_string_or_null(b, a->url); break;
        case 11: strbuf_addf(b, "%zu", e->words); break;
        case 12: strbuf_addf(b, "%u", stats_reading_time(e->words)); break;
        default:
            strbuf_adds(b, "{\"self\":");
            strbuf_adds(b, "\"");
            strbuf_adds(b, base);
            strbuf_adds(b, ARTICLES_PATH "/");
            strbuf_adds(b, a->id);
            strbuf_adds(b, "\"}");
        }
        strbuf_add(b, k + 1 < articles_summary_nfields ? "," : "}", 1);
    }
    e->summary_at[articles_summary_nfields] = (uint32_t)b->len;
    e->summary_members = articles_summary_nfields;
}

/* The part {"article":ID,"KEY":slice} assembled into b. */
static void
add_part(struct strbuf *b, const char *id, const char *key, const char *slice, size_t len)
{
    strbuf_adds(b, "{\"article\":");
    strbuf_add_json_string(b, id);
    strbuf_addf(b, ",\"%s\":", key);
    strbuf_add(b, slice, len);
    strbuf_add(b, "}", 1);
}

/* Finds the printed array `what` in the full document and records where it
 * is, with the ETag of the part it makes. */
static int
locate_part(const struct catalog_entry *e, const cJSON *what, const char *key,
            struct catalog_part *p)
{
    char *printed = cJSON_PrintUnformatted(what);
    if (!printed)
        return -1;
    /* cJSON prints a tree the same way wherever it sits: the array's bytes
     * are in the document, after the article's own fields. */
    size_t n = strlen(printed);
    const char *at = memmem(e->full.data, e->full.len, printed, n);
    free(printed);
    if (!at)
        return -1;
    p->at = (uint32_t)(at - e->full.data);
    p->len = (uint32_t)n;
    struct strbuf b;
    strbuf_init(&b, n + 128);
    add_part(&b, e->article->id, key, at, n);
    if (b.failed) {
        strbuf_free(&b);
        return -1;
    }
    catalog_etag(b.data, b.len, p->etag);
    strbuf_free(&b);
    return 0;
}

/* A copy of data[0..len) in a block of its own, NUL-terminated; NULL on OOM. */
static char *
memdup(const char *data, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, data, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Everything the entry keeps (the digest, the gzip document, the summary) is
 * allocated last, once the working copies (annotations, cJSON trees, identity
 * bytes) are freed: kept blocks then fill the space the work used, instead of
 * pinning holes of it for as long as the snapshot lives. */
int
articles_render(struct catalog_entry *e, const char *base)
{
    const struct article *a = e->article;
    cJSON *ann = e->annotations ? annotations_to_json(e->annotations) : NULL;
    if (e->annotations && !ann)
        return -1;
    annotations_free(e->annotations);
    e->annotations = NULL;
    cJSON *full = articles_json(a, e->words, base);
    if (!full || (ann && !cJSON_AddItemToObject(full, "annotations", ann))) {
        cJSON_Delete(full);
        cJSON_Delete(ann);
        return -1;
    }
    cJSON *ents = NULL, *quotes = NULL;
    char *gz = NULL;
    struct strbuf summary = {0};
    int rc = (e->full.data = cJSON_PrintUnformatted(full)) ? 0 : -1;
    if (rc == 0)
        e->full.len = strlen(e->full.data);
    /* ents and quotes are found in the printed document, then taken out of the
     * tree for the digest, which is made after the tree is gone */
    if (rc == 0 && ann) {
        ents = cJSON_GetObjectItemCaseSensitive(ann, "entities");
        quotes = cJSON_GetObjectItemCaseSensitive(ann, "quotes");
        rc = locate_part(e, ents, "entities", &e->entities) != 0 ||
                     locate_part(e, quotes, "quotes", &e->quotes) != 0
                 ? -1
                 : 0;
        ents = cJSON_DetachItemViaPointer(ann, ents);
        quotes = cJSON_DetachItemViaPointer(ann, quotes);
    }
    cJSON_Delete(full);
    if (rc != 0)
        goto done;
    catalog_etag(e->full.data, e->full.len, e->full.etag);
    /* Only the gzip form stays: most clients take it, and the identity bytes
     * are inflated again for the others (kept hot within a budget). */
    size_t gz_len = 0;
    if (e->full.len >= ENCODING_MIN_BYTES) {
        if (!(gz = encoding_gzip(e->full.data, e->full.len, &gz_len))) {
            rc = -1;
            goto done;
        }
        free(e->full.data);
        e->full.data = NULL;
    }
    render_summary(e, base, &summary);
    if (summary.failed) {
        rc = -1;
        goto done;
    }
    if (gz && !(e->full.gzip = memdup(gz, gz_len))) {
        rc = -1;
        goto done;
    }
    e->full.gzip_len = gz_len;
    free(gz);
    gz = NULL;
    if (!(e->summary.data = memdup(summary.data, summary.len))) {
        rc = -1;
        goto done;
    }
    e->summary.len = summary.len;
    catalog_etag(e->summary.data, e->summary.len, e->summary.etag);
    strbuf_free(&summary);
    if (ann && !(e->digest = corpus_digest_new(a->headline, ents, quotes)))
        rc = -1;
done:
    free(gz);
    strbuf_free(&summary);
    cJSON_Delete(ents);
    cJSON_Delete(quotes);
    return rc;
}

/* The identity bytes of b when they are in memory already (rendered or hot),
 * without inflating; NULL otherwise. */
static const char *
identity_at_hand(const struct catalog_bytes *b)
{
    return b->data ? b->data : __atomic_load_n(&b->hot, __ATOMIC_ACQUIRE);
}

const char *
articles_identity(const struct catalog_bytes *b, char **owned)
{
    *owned = NULL;
    const char *resident = identity_at_hand(b);
    if (resident)
        return resident;
    struct catalog_bytes *m = (struct catalog_bytes *)b; /* hot is the mutable cache field */
    char *fresh = b->gzip ? encoding_gunzip(b->gzip, b->gzip_len, b->len) : NULL;
    if (!fresh)
        return NULL;
    if (__atomic_add_fetch(&catalog_hot_bytes, b->len, __ATOMIC_RELAXED) > ARTICLES_HOT_MAX) {
        __atomic_sub_fetch(&catalog_hot_bytes, b->len, __ATOMIC_RELAXED);
        *owned = fresh;
        return fresh;
    }
    char *expected = NULL;
    if (__atomic_compare_exchange_n(&m->hot, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return fresh;
    __atomic_sub_fetch(&catalog_hot_bytes, b->len, __ATOMIC_RELAXED);
    free(fresh);
    return expected;
}

char *
articles_full_copy(const struct catalog_entry *e, size_t *len)
{
    char *owned;
    const char *s = articles_identity(&e->full, &owned);
    if (!s || owned) {
        *len = e->full.len;
        return owned;
    }
    char *copy = malloc(e->full.len + 1);
    if (copy) {
        memcpy(copy, s, e->full.len + 1);
        *len = e->full.len;
    }
    return copy;
}

int
service_render_entry(void *ctx, struct catalog_entry *e)
{
    const struct service *svc = ctx;
    return articles_render(e, svc ? svc->cfg.public_base_url : "");
}

int
articles_list(const struct request *req, struct response *resp)
{
    return find_articles(req, resp, ARTICLES_PATH, NULL);
}

static const struct catalog_entry *find_or_404(const struct request *req, struct response *resp);

static const char *
header(const struct request *req, const char *name)
{
    return req->header ? req->header(req, name) : NULL;
}

/* Serves the whole article: the gzip form as it is to a client that takes it,
 * else the identity bytes, resident, hot, or inflated for this answer. */
int
articles_get(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = find_or_404(req, resp);
    if (!e)
        return resp->status;
    const struct catalog_bytes *b = &e->full;
    const char *hot = identity_at_hand(b);
    char *owned = NULL;
    if (!hot && b->gzip && encoding_accepts_gzip(header(req, "Accept-Encoding"))) {
        response_borrow_body(resp, 200, json_type, b->gzip, b->gzip_len);
        resp->pre_gzipped = true;
    } else {
        if (!hot && !(hot = articles_identity(b, &owned)))
            return problem(resp, 500, "internal", "out of memory", NULL);
        if (owned)
            response_take_body(resp, 200, json_type, owned, b->len);
        else
            response_borrow_body(resp, 200, json_type, hot, b->len);
        resp->gzip = b->gzip;
        resp->gzip_len = b->gzip_len;
    }
    memcpy(resp->etag, b->etag, sizeof b->etag);
    resp->last_modified = e->modified;
    return 200;
}

/* The entry for the {id} capture, or a 404 problem in resp. */
static const struct catalog_entry *
find_or_404(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = catalog_find(req->snap, req->params[0]);
    if (!e) {
        char detail[200];
        snprintf(detail, sizeof detail, "no article has the id or slug `%.120s`", req->params[0]);
        problem(resp, 404, "article-not-found", detail, NULL);
    }
    return e;
}

/* Serves a part of the article, assembled from the document's bytes. */
static int
serve_part(const struct request *req, struct response *resp, const char *key,
           const struct catalog_part *(*which)(const struct catalog_entry *))
{
    const struct catalog_entry *e = find_or_404(req, resp);
    if (!e)
        return resp->status;
    const struct catalog_part *p = which(e);
    if (!p->len)
        return problem(resp, 503, "not-annotated", "this server runs without the annotator", NULL);
    char *owned;
    const char *full = articles_identity(&e->full, &owned);
    if (!full)
        return problem(resp, 500, "internal", "out of memory", NULL);
    struct strbuf b;
    strbuf_init(&b, p->len + 128);
    add_part(&b, e->article->id, key, full + p->at, p->len);
    free(owned);
    size_t len;
    char *out = strbuf_take(&b, &len);
    if (!out)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_take_body(resp, 200, json_type, out, len);
    memcpy(resp->etag, p->etag, sizeof p->etag);
    resp->last_modified = e->modified;
    resp->memo = true;
    return 200;
}

static const struct catalog_part *
entities_of(const struct catalog_entry *e)
{
    return &e->entities;
}

static const struct catalog_part *
quotes_of(const struct catalog_entry *e)
{
    return &e->quotes;
}

int
articles_entities(const struct request *req, struct response *resp)
{
    return serve_part(req, resp, "entities", entities_of);
}

int
articles_quotes(const struct request *req, struct response *resp)
{
    return serve_part(req, resp, "quotes", quotes_of);
}
