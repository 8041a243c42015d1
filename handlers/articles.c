#include "handlers/articles.h"

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

static cJSON *
summary_json(const struct article *a, size_t words, const char *base)
{
    cJSON *sum = cJSON_CreateObject();
    cJSON *links = links_json(a, base);
    if (!sum || !links || !cJSON_AddStringToObject(sum, "id", a->id) ||
        !cJSON_AddStringToObject(sum, "headline", a->headline) ||
        !(a->standfirst ? cJSON_AddStringToObject(sum, "standfirst", a->standfirst)
                        : cJSON_AddNullToObject(sum, "standfirst")) ||
        !(a->published ? cJSON_AddStringToObject(sum, "published", a->published)
                       : cJSON_AddNullToObject(sum, "published")) ||
        !cJSON_AddNumberToObject(sum, "word_count", (double)words) ||
        !cJSON_AddItemToObject(sum, "links", links)) {
        cJSON_Delete(sum);
        cJSON_Delete(links);
        return NULL;
    }
    return sum;
}

int
articles_render(struct catalog_entry *e, const char *base)
{
    const struct article *a = e->article;
    cJSON *ann = e->annotations ? annotations_to_json(e->annotations) : NULL;
    if (e->annotations && !ann)
        return -1;
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
    return take_printed(summary_json(a, e->words, base), &e->summary);
}

int
service_render_entry(void *ctx, struct catalog_entry *e)
{
    const struct service *svc = ctx;
    return articles_render(e, svc ? svc->cfg.public_base_url : "");
}

/* Appends `<BASE/v1/articles?QS&page=P&per_page=N>; rel="REL"` to a Link value
 * and the same URL to the body's links; qs is "" or an encoded `q=...&`. */
static void
add_link(struct strbuf *link, struct strbuf *body, const char *base, const char *qs,
         const char *rel, long page, long per_page)
{
    strbuf_addf(link, "%s<%s" ARTICLES_PATH "?%spage=%ld&per_page=%ld>; rel=\"%s\"",
                link->len ? ", " : "", base, qs, page, per_page, rel);
    strbuf_addf(body, ",\"%s\":\"%s" ARTICLES_PATH "?%spage=%ld&per_page=%ld\"", rel, base, qs,
                page, per_page);
}

/* Percent-encodes s as a query value (RFC 3986 unreserved characters stay). */
static void
add_query_value(struct strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p))
            strbuf_add(b, (const char *)p, 1);
        else
            strbuf_addf(b, "%%%02X", *p);
    }
}

/* Appends the list item of entry e: its pre-rendered summary, with the score
 * and highlighted snippets of a search hit when there is one. */
static void
add_item(struct strbuf *body, const struct catalog *c, const struct search_index *idx, size_t e,
         const struct search_query *sq, double score)
{
    const struct catalog_bytes *sum = &c->entries[e]->summary;
    if (!sq) {
        strbuf_add(body, sum->data, sum->len);
        return;
    }
    struct search_snippet *snips = NULL;
    size_t n = 0;
    cJSON *json = NULL;
    char *printed = NULL;
    if (search_snippets(idx, sq, e, 3, &snips, &n) == 0 &&
        (json = search_snippets_json(snips, n)))
        printed = cJSON_PrintUnformatted(json);
    search_snippets_free(snips, n);
    cJSON_Delete(json);
    if (!printed) {
        body->failed = true;
        return;
    }
    strbuf_add(body, sum->data, sum->len - 1); /* the summary without its closing brace */
    strbuf_addf(body, ",\"score\":%.4f,\"snippets\":%s}", score, printed);
    free(printed);
}

int
articles_list(const struct request *req, struct response *resp)
{
    const struct config *cfg = &req->svc->cfg;
    long page, per_page;
    if (query_int(req, resp, "page", 1, 1000000, 1, &page) != 0 ||
        query_int(req, resp, "per_page", 1, cfg->per_page_max, cfg->per_page_default, &per_page) !=
            0)
        return resp->status;
    const struct catalog *c = req->snap;
    const char *q = request_query(req, "q");
    struct search_query *sq = NULL;
    struct search_hit *hits = NULL;
    const struct search_index *idx = NULL;
    size_t nhits = c->n;
    if (q) {
        char err[200];
        if (!(sq = search_parse(q, err, sizeof err)))
            return problem(resp, 400, "invalid-query", err, "q");
        if (!(idx = catalog_search(req->snap)) || search_run(idx, sq, &hits, &nhits) != 0) {
            search_query_free(sq);
            return problem(resp, 500, "internal", "out of memory", NULL);
        }
    }
    long total = (long)nhits;
    long pages = total ? (total + per_page - 1) / per_page : 1;
    long first = (page - 1) * per_page;

    struct strbuf body, link, qs;
    strbuf_init(&body, 256 + (size_t)per_page * (sq ? 1200 : 320));
    strbuf_init(&link, 256);
    strbuf_init(&qs, 64);
    if (q) {
        strbuf_adds(&qs, "q=");
        add_query_value(&qs, q);
        strbuf_adds(&qs, "&");
    }
    strbuf_adds(&body, "{\"items\":[");
    for (long i = first; i < total && i < first + per_page; i++) {
        if (i > first)
            strbuf_add(&body, ",", 1);
        add_item(&body, c, idx, hits ? hits[i].article : (size_t)i, sq, hits ? hits[i].score : 0);
    }
    strbuf_addf(&body, "],\"page\":%ld,\"per_page\":%ld,\"total\":%ld,\"pages\":%ld,\"links\":{",
                page, per_page, total, pages);
    const char *base = req->base_url ? req->base_url : "";
    const char *qv = qs.data ? qs.data : "";
    strbuf_addf(&body, "\"self\":\"%s" ARTICLES_PATH "?%spage=%ld&per_page=%ld\"", base, qv, page,
                per_page);
    add_link(&link, &body, base, qv, "first", 1, per_page);
    if (page > 1)
        add_link(&link, &body, base, qv, "prev", page - 1 < pages ? page - 1 : pages, per_page);
    if (page < pages)
        add_link(&link, &body, base, qv, "next", page + 1, per_page);
    add_link(&link, &body, base, qv, "last", pages, per_page);
    strbuf_adds(&body, "}}");
    free(hits);
    search_query_free(sq);

    size_t len, llen, qlen;
    char *out = strbuf_take(&body, &len);
    char *lv = strbuf_take(&link, &llen);
    free(strbuf_take(&qs, &qlen));
    char count[24];
    snprintf(count, sizeof count, "%ld", total);
    if (!out || !lv || response_header(resp, "Link", lv) != 0 ||
        response_header(resp, "X-Total-Count", count) != 0) {
        free(out);
        free(lv);
        return problem(resp, 500, "internal", "out of memory", NULL);
    }
    free(lv);
    response_take_body(resp, 200, json_type, out, len);
    resp->last_modified = c->modified;
    resp->memo = true;
    return 200;
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
