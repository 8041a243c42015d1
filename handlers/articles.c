#include "handlers/articles.h"

#include "handlers/problem.h"
#include "handlers/query.h"
#include "handlers/service.h"
#include "models/annotate/stats.h"
#include "models/strbuf.h"

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

static cJSON *
links_json(const struct article *a)
{
    char self[160];
    snprintf(self, sizeof self, ARTICLES_PATH "/%s", a->id);
    cJSON *links = cJSON_CreateObject();
    if (links && !cJSON_AddStringToObject(links, "self", self)) {
        cJSON_Delete(links);
        return NULL;
    }
    return links;
}

int
articles_render(struct catalog_entry *e)
{
    const struct article *a = e->article;
    cJSON *full = article_to_json(a);
    cJSON *links = links_json(a);
    cJSON *ann = e->annotations ? annotations_to_json(e->annotations) : NULL;
    if (!full || !links || (e->annotations && !ann) ||
        !cJSON_AddStringToObject(full, "slug", a->slug) ||
        !cJSON_AddNumberToObject(full, "word_count", (double)e->words) ||
        !cJSON_AddNumberToObject(full, "reading_time_minutes", stats_reading_time(e->words)) ||
        !cJSON_AddItemToObject(full, "links", links)) {
        cJSON_Delete(full);
        cJSON_Delete(links);
        cJSON_Delete(ann);
        return -1;
    }
    if (ann && !cJSON_AddItemToObject(full, "annotations", ann)) {
        cJSON_Delete(full);
        cJSON_Delete(ann);
        return -1;
    }
    if (take_printed(full, &e->full) != 0)
        return -1;

    cJSON *sum = cJSON_CreateObject();
    links = links_json(a);
    if (!sum || !links || !cJSON_AddStringToObject(sum, "id", a->id) ||
        !cJSON_AddStringToObject(sum, "headline", a->headline) ||
        !(a->standfirst ? cJSON_AddStringToObject(sum, "standfirst", a->standfirst)
                        : cJSON_AddNullToObject(sum, "standfirst")) ||
        !(a->published ? cJSON_AddStringToObject(sum, "published", a->published)
                       : cJSON_AddNullToObject(sum, "published")) ||
        !cJSON_AddNumberToObject(sum, "word_count", (double)e->words) ||
        !cJSON_AddItemToObject(sum, "links", links)) {
        cJSON_Delete(sum);
        cJSON_Delete(links);
        return -1;
    }
    return take_printed(sum, &e->summary);
}

int
service_render_entry(void *ctx, struct catalog_entry *e)
{
    (void)ctx;
    return articles_render(e);
}

/* Appends `</v1/articles?page=P&per_page=N>; rel="REL"` to a Link value. */
static void
add_link(struct strbuf *link, struct strbuf *body, const char *rel, long page, long per_page)
{
    strbuf_addf(link, "%s<" ARTICLES_PATH "?page=%ld&per_page=%ld>; rel=\"%s\"",
                link->len ? ", " : "", page, per_page, rel);
    strbuf_addf(body, ",\"%s\":\"" ARTICLES_PATH "?page=%ld&per_page=%ld\"", rel, page, per_page);
}

int
articles_list(const struct request *req, struct response *resp)
{
    const struct config *cfg = &req->svc->cfg;
    long page, per_page;
    if (query_int(req, resp, "page", 1, 1000000, 1, &page) != 0 ||
        query_int(req, resp, "per_page", 1, cfg->per_page_max, cfg->per_page_default,
                  &per_page) != 0)
        return resp->status;
    const struct catalog *c = req->snap;
    long total = (long)c->n;
    long pages = total ? (total + per_page - 1) / per_page : 1;
    long first = (page - 1) * per_page;

    struct strbuf body, link;
    strbuf_init(&body, 256 + (size_t)per_page * 320);
    strbuf_init(&link, 256);
    strbuf_adds(&body, "{\"items\":[");
    for (long i = first; i < total && i < first + per_page; i++) {
        if (i > first)
            strbuf_add(&body, ",", 1);
        strbuf_add(&body, c->entries[i].summary.data, c->entries[i].summary.len);
    }
    strbuf_addf(&body, "],\"page\":%ld,\"per_page\":%ld,\"total\":%ld,\"pages\":%ld,\"links\":{",
                page, per_page, total, pages);
    strbuf_addf(&body, "\"self\":\"" ARTICLES_PATH "?page=%ld&per_page=%ld\"", page, per_page);
    add_link(&link, &body, "first", 1, per_page);
    if (page > 1)
        add_link(&link, &body, "prev", page - 1 < pages ? page - 1 : pages, per_page);
    if (page < pages)
        add_link(&link, &body, "next", page + 1, per_page);
    add_link(&link, &body, "last", pages, per_page);
    strbuf_adds(&body, "}}");

    size_t len, llen;
    char *out = strbuf_take(&body, &len);
    char *lv = strbuf_take(&link, &llen);
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
    return 200;
}

int
articles_get(const struct request *req, struct response *resp)
{
    const struct catalog_entry *e = catalog_find(req->snap, req->params[0]);
    if (!e) {
        char detail[200];
        snprintf(detail, sizeof detail, "no article has the id or slug `%.120s`", req->params[0]);
        return problem(resp, 404, "article-not-found", detail, NULL);
    }
    if (response_header(resp, "ETag", e->full.etag) != 0)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_borrow_body(resp, 200, json_type, e->full.data, e->full.len);
    return 200;
}
