#include "handlers/annotate.h"

#include "handlers/articles.h"
#include "handlers/problem.h"
#include "handlers/service.h"
#include "models/catalog.h"
#include "models/store.h"
#include "models/textformat.h"
#include "models/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

cJSON *
annotate_document(const struct annotator *ann, const char *buf, size_t len, bool json,
                  bool strict_utf8, struct article_error *err)
{
    memset(err, 0, sizeof *err);
    size_t bad;
    if (strict_utf8 && !utf8_valid(buf, len, &bad)) {
        snprintf(err->field, sizeof err->field, "byte %zu", bad);
        snprintf(err->message, sizeof err->message, "not valid UTF-8");
        return NULL;
    }
    struct article *a = json ? store_parse_json(buf, len, err) : textformat_parse(buf, len, err);
    if (!a)
        return NULL;
    /* A one-article snapshot annotates the article exactly as the catalog does. */
    struct catalog *c = catalog_build(&a, 1, ann, NULL, 0);
    cJSON *out = cJSON_CreateObject();
    cJSON *art = c ? articles_json(c->entries[0]->article, c->entries[0]->words, "") : NULL;
    cJSON *an = c ? annotations_to_json(c->entries[0]->annotations) : NULL;
    if (!out || !art || !an || !cJSON_AddItemToObject(out, "article", art)) {
        cJSON_Delete(art);
        goto oom;
    }
    if (!cJSON_AddItemToObject(out, "annotations", an))
        goto oom;
    catalog_release(c);
    return out;
oom:
    cJSON_Delete(an);
    cJSON_Delete(out);
    catalog_release(c);
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
}

int
annotate_post(const struct request *req, struct response *resp)
{
    bool json = request_content_type_is(req, "application/json");
    if (!json && !request_content_type_is(req, "text/plain"))
        return problem(resp, 415, "unsupported-media-type",
                       "send the article as text/plain (the plain format) or application/json",
                       NULL);
    if (req->body_len == 0)
        return problem(resp, 400, "empty-body", "the request body is empty", NULL);
    struct article_error err;
    cJSON *out = annotate_document(req->svc->annotator, req->body, req->body_len, json, true, &err);
    if (!out) {
        char detail[320];
        snprintf(detail, sizeof detail, "%s%s%s", err.field, err.field[0] ? ": " : "", err.message);
        bool oom = strcmp(err.message, "out of memory") == 0;
        return problem(resp, oom ? 500 : 400, oom ? "internal" : "invalid-article", detail,
                       err.field[0] ? err.field : NULL);
    }
    char *body = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!body)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_take_body(resp, 200, "application/json", body, strlen(body));
    return 200;
}
