#include "handlers/corpus.h"

#include "handlers/find.h"
#include "handlers/paging.h"
#include "handlers/problem.h"
#include "models/catalog.h"
#include "models/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITIES_PATH "/v1/entities"
#define QUOTES_PATH "/v1/quotes"

static const char json_type[] = "application/json";

/* The entity object of docs/find.md. */
static void
add_entity(struct strbuf *b, const struct corpus_entity *e, const char *base)
{
    strbuf_adds(b, "{\"id\":");
    strbuf_add_json_string(b, e->id);
    strbuf_adds(b, ",\"name\":");
    strbuf_add_json_string(b, e->name);
    strbuf_addf(b, ",\"type\":\"%s\",\"aliases\":[", corpus_type_name(e->type));
    for (size_t i = 0; i < e->naliases; i++) {
        if (i)
            strbuf_add(b, ",", 1);
        strbuf_add_json_string(b, e->aliases[i]);
    }
    strbuf_addf(b,
                "],\"articles\":%zu,\"mentions\":%zu,\"quotes\":%zu,\"links\":{\"self\":\"%s" ENTITIES_PATH
                "/%s\",\"articles\":\"%s" ENTITIES_PATH "/%s/articles\"}}",
                e->articles, e->mentions, e->quotes, base, e->id, base, e->id);
}

static const char *
base_of(const struct request *req)
{
    return req->base_url ? req->base_url : "";
}

static const struct corpus_index *
index_or_500(const struct request *req, struct response *resp)
{
    const struct corpus_index *idx = catalog_corpus(req->snap);
    if (!idx)
        problem(resp, 500, "internal", "out of memory", NULL);
    return idx;
}

int
corpus_entities(const struct request *req, struct response *resp)
{
    long page, per_page;
    if (paging_read(req, resp, &page, &per_page) != 0)
        return resp->status;
    const char *type_v = request_query(req, "type"), *prefix_v = request_query(req, "prefix");
    int type = type_v ? corpus_type_parse(type_v) : -1;
    if (type_v && type < 0)
        return problem(resp, 400, "invalid-parameter",
                       "`type` must be person, place or organisation", "type");
    const struct corpus_index *idx = index_or_500(req, resp);
    char *key = prefix_v ? corpus_fold(prefix_v) : NULL;
    if (!idx || (prefix_v && !key)) {
        free(key);
        return idx ? problem(resp, 500, "internal", "out of memory", NULL) : resp->status;
    }
    struct strbuf body, link, qs;
    strbuf_init(&body, 256 + (size_t)per_page * 300);
    strbuf_init(&link, 256);
    strbuf_init(&qs, 64);
    static const char *const keys[] = {"type", "prefix", NULL};
    paging_qs(req, keys, &qs);
    strbuf_adds(&body, "{\"items\":[");
    size_t first = (size_t)(page - 1) * (size_t)per_page, total = 0;
    for (size_t i = 0, n = corpus_entity_count(idx); i < n; i++) {
        const struct corpus_entity *e = corpus_entity_ranked(idx, i);
        if ((type >= 0 && e->type != (enum corpus_type)type) ||
            (key && !corpus_entity_has_prefix(idx, e, key)))
            continue;
        if (total >= first && total < first + (size_t)per_page) {
            if (total > first)
                strbuf_add(&body, ",", 1);
            add_entity(&body, e, base_of(req));
        }
        total++;
    }
    free(key);
    strbuf_add(&body, "],", 2);
    paging_pages(&link, &body, base_of(req), ENTITIES_PATH, qs.data ? qs.data : "", page, per_page,
                 (long)total);
    strbuf_adds(&body, "}");
    strbuf_free(&qs);
    return paging_finish(resp, &body, &link, (long)total, req->snap->modified);
}

/* The entity of the {id} capture, or a 404 problem in resp. */
static const struct corpus_entity *
entity_or_404(const struct request *req, struct response *resp)
{
    const struct corpus_index *idx = index_or_500(req, resp);
    const struct corpus_entity *e = idx ? corpus_entity_find(idx, req->params[0]) : NULL;
    if (idx && !e) {
        char detail[200];
        snprintf(detail, sizeof detail, "no article names an entity with the id `%.120s`",
                 req->params[0]);
        problem(resp, 404, "entity-not-found", detail, NULL);
    }
    return e;
}

int
corpus_entity_get(const struct request *req, struct response *resp)
{
    const struct corpus_entity *e = entity_or_404(req, resp);
    if (!e)
        return resp->status;
    struct strbuf b;
    strbuf_init(&b, 512);
    add_entity(&b, e, base_of(req));
    size_t len;
    char *out = strbuf_take(&b, &len);
    if (!out)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_take_body(resp, 200, json_type, out, len);
    resp->last_modified = req->snap->modified;
    resp->memo = true;
    return 200;
}

int
corpus_entity_articles(const struct request *req, struct response *resp)
{
    const struct corpus_entity *e = entity_or_404(req, resp);
    if (!e)
        return resp->status;
    char path[160];
    snprintf(path, sizeof path, ENTITIES_PATH "/%s/articles", e->id);
    return find_articles(req, resp, path, e->id);
}

/* The quote object of docs/find.md. */
static void
add_quote(struct strbuf *b, const struct catalog_entry *ce, const struct digest_quote *q,
          const char *base)
{
    const struct article *a = ce->article;
    strbuf_adds(b, "{\"article\":");
    strbuf_add_json_string(b, a->id);
    strbuf_adds(b, ",\"headline\":");
    strbuf_add_json_string(b, a->headline);
    strbuf_adds(b, ",\"published\":");
    if (a->published)
        strbuf_add_json_string(b, a->published);
    else
        strbuf_adds(b, "null");
    strbuf_adds(b, ",\"text\":");
    strbuf_add_json_string(b, q->text);
    strbuf_adds(b, ",\"cue\":");
    if (q->cue)
        strbuf_add_json_string(b, q->cue);
    else
        strbuf_adds(b, "null");
    strbuf_adds(b, ",\"speaker\":");
    if (q->speaker_name) {
        strbuf_adds(b, "{\"entity\":");
        if (q->speaker_entity)
            strbuf_add_json_string(b, q->speaker_entity);
        else
            strbuf_adds(b, "null");
        strbuf_adds(b, ",\"name\":");
        strbuf_add_json_string(b, q->speaker_name);
        strbuf_adds(b, "}");
    } else {
        strbuf_adds(b, "null");
    }
    strbuf_addf(b, ",\"links\":{\"article\":\"%s/v1/articles/%s\"}}", base, a->id);
}

int
corpus_quotes_list(const struct request *req, struct response *resp)
{
    long page, per_page;
    if (paging_read(req, resp, &page, &per_page) != 0)
        return resp->status;
    const struct corpus_index *idx = index_or_500(req, resp);
    if (!idx)
        return resp->status;
    const char *speaker = request_query(req, "speaker"), *article = request_query(req, "article"),
               *q = request_query(req, "q");
    const struct catalog_entry *only = article ? catalog_find(req->snap, article) : NULL;
    struct corpus_who *who = speaker ? corpus_who_new(idx, speaker) : NULL;
    char *words = q ? corpus_words(q) : NULL;
    if ((speaker && !who) || (q && !words)) {
        corpus_who_free(who);
        free(words);
        return problem(resp, 500, "internal", "out of memory", NULL);
    }
    struct strbuf body, link, qs;
    strbuf_init(&body, 256 + (size_t)per_page * 400);
    strbuf_init(&link, 256);
    strbuf_init(&qs, 64);
    static const char *const keys[] = {"speaker", "article", "q", NULL};
    paging_qs(req, keys, &qs);
    strbuf_adds(&body, "{\"items\":[");
    size_t nq, first = (size_t)(page - 1) * (size_t)per_page, total = 0;
    const struct corpus_quote_ref *refs = corpus_quotes(idx, &nq);
    const struct catalog *c = req->snap;
    for (size_t i = 0; i < nq && !(article && !only); i++) {
        const struct catalog_entry *ce = c->entries[refs[i].entry];
        if ((only && ce != only) || (who && !corpus_quote_by(idx, i, who)) ||
            (words && !corpus_quote_has_words(idx, i, words)))
            continue;
        if (total >= first && total < first + (size_t)per_page) {
            if (total > first)
                strbuf_add(&body, ",", 1);
            struct digest_quote dq = corpus_digest_quote(ce->digest, refs[i].quote);
            add_quote(&body, ce, &dq, base_of(req));
        }
        total++;
    }
    corpus_who_free(who);
    free(words);
    strbuf_add(&body, "],", 2);
    paging_pages(&link, &body, base_of(req), QUOTES_PATH, qs.data ? qs.data : "", page, per_page,
                 (long)total);
    strbuf_adds(&body, "}");
    strbuf_free(&qs);
    return paging_finish(resp, &body, &link, (long)total, c->modified);
}
