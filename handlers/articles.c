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

/* Prints a tree compactly into b; takes ownership of the tree. */
static int
take_printed(cJSON *tree, struct catalog_bytes *b)
{
    char *s = tree ? cJSON_PrintUnformatted(tree) : NULL;
    cJSON_Delete(tree);
    if (!s)
        return -1;
    b->data = s;
    b->len = strlen(s);
    catalog_etag(b->data, b->len, b->etag);
    return 0;
}

/* Adds the gzip form that negotiate_response serves to clients that accept it. */
static int
add_gzip(struct catalog_bytes *b)
{
    if (b->len < ENCODING_MIN_BYTES)
        return 0;
    b->gzip = encoding_gzip(b->data, b->len, &b->gzip_len);
    return b->gzip ? 0 : -1;
}

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

/* Renders {"article": id, key: part} into b; part stays owned by the caller. */
static int
render_part(const struct article *a, const char *key, cJSON *part, struct catalog_bytes *b)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !part || !cJSON_AddStringToObject(o, "article", a->id) ||
        !cJSON_AddItemReferenceToObject(o, key, part)) {
        cJSON_Delete(o);
        return -1;
    }
    return take_printed(o, b);
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

/* Renders the list item {"id":...,...,"links":{...}} into e->summary and the
 * start of each member into e->summary_at. */
static int
render_summary(struct catalog_entry *e, const char *base)
{
    const struct article *a = e->article;
    struct strbuf b;
    strbuf_init(&b, 512);
    strbuf_add(&b, "{", 1);
    for (size_t k = 0; k < articles_summary_nfields; k++) {
        const char *key = articles_summary_fields[k];
        e->summary_at[k] = (uint32_t)b.len;
        strbuf_addf(&b, "\"%s\":", key);
        switch (k) {
        case 0: strbuf_add_json_string(&b, a->id); break;
        case 1: strbuf_add_json_string(&b, a->slug); break;
        case 2: strbuf_add_json_string(&b, a->headline); break;
        case 3: add_string_or_null(&b, a->standfirst); break;
        case 4: add_string_or_null(&b, a->published); break;
        case 5: add_string_or_null(&b, a->updated); break;
        case 6: add_string_or_null(&b, a->section); break;
        case 7: add_string_list(&b, a->tags, a->ntags); break;
        case 8: add_string_or_null(&b, a->byline); break;
        case 9: add_string_list(&b, a->source, a->nsource); break;
        case 10: add_string_or_null(&b, a->url); break;
        case 11: strbuf_addf(&b, "%zu", e->words); break;
        case 12: strbuf_addf(&b, "%u", stats_reading_time(e->words)); break;
        default:
            strbuf_adds(&b, "{\"self\":");
            strbuf_adds(&b, "\"");
            strbuf_adds(&b, base);
            strbuf_adds(&b, ARTICLES_PATH "/");
            strbuf_adds(&b, a->id);
            strbuf_adds(&b, "\"}");
        }
        strbuf_add(&b, k + 1 < articles_summary_nfields ? "," : "}", 1);
    }
    e->summary_at[articles_summary_nfields] = (uint32_t)b.len;
    e->summary_members = articles_summary_nfields;
    size_t len;
    char *data = strbuf_take(&b, &len);
    if (!data)
        return -1;
    e->summary.data = data;
    e->summary.len = len;
    catalog_etag(data, len, e->summary.etag);
    return 0;
}

int
articles_render(struct catalog_entry *e, const char *base)
{
    const struct article *a = e->article;
    cJSON *ann = e->annotations ? annotations_to_json(e->annotations) : NULL;
    if (e->annotations && !ann)
        return -1;
    if (ann && !(e->digest = corpus_digest_new(a->headline,
                                               cJSON_GetObjectItemCaseSensitive(ann, "entities"),
                                               cJSON_GetObjectItemCaseSensitive(ann, "quotes")))) {
        cJSON_Delete(ann);
        return -1;
    }
    if (ann && (render_part(a, "entities", cJSON_GetObjectItemCaseSensitive(ann, "entities"),
                            &e->entities) != 0 ||
                render_part(a, "quotes", cJSON_GetObjectItemCaseSensitive(ann, "quotes"),
                            &e->quotes) != 0)) {
        cJSON_Delete(ann);
        return -1;
    }
    cJSON *full = articles_json(a, e->words, base);
    if (!full || (ann && !cJSON_AddItemToObject(full, "annotations", ann))) {
        cJSON_Delete(full);
        cJSON_Delete(ann);
        return -1;
    }
    if (take_printed(full, &e->full) != 0 || add_gzip(&e->full) != 0 ||
        (e->entities.data && add_gzip(&e->entities) != 0) ||
        (e->quotes.data && add_gzip(&e->quotes) != 0))
        return -1;
    return render_summary(e, base);
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
static int serve_bytes(struct response *resp, const struct catalog_entry *e,
                       const struct catalog_bytes *b);

int
articles_get(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = find_or_404(req, resp);
    return e ? serve_bytes(resp, e, &e->full) : resp->status;
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

/* Serves one pre-rendered representation of an entry, with its validators
 * and its gzip form. */
static int
serve_bytes(struct response *resp, const struct catalog_entry *e, const struct catalog_bytes *b)
{
    if (!b->data)
        return problem(resp, 503, "not-annotated", "this server runs without the annotator", NULL);
    response_borrow_body(resp, 200, json_type, b->data, b->len);
    memcpy(resp->etag, b->etag, sizeof b->etag);
    resp->last_modified = e->modified;
    resp->gzip = b->gzip;
    resp->gzip_len = b->gzip_len;
    return 200;
}

int
articles_entities(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = find_or_404(req, resp);
    return e ? serve_bytes(resp, e, &e->entities) : resp->status;
}

int
articles_quotes(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = find_or_404(req, resp);
    return e ? serve_bytes(resp, e, &e->quotes) : resp->status;
}
