#include "handlers/writes.h"

#include "handlers/articles.h"
#include "handlers/problem.h"
#include "handlers/service.h"
#include "models/store.h"
#include "models/textformat.h"
#include "models/utf8.h"
#include "models/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 400 for a refused document, naming the field (JSON Pointer or byte offset). */
static int
invalid(struct response *resp, const struct article_error *err)
{
    char detail[320];
    snprintf(detail, sizeof detail, "%s%s%s", err->field, err->field[0] ? ": " : "",
             err->message);
    if (strcmp(err->message, "out of memory") == 0)
        return problem(resp, 500, "internal", "out of memory", NULL);
    return problem(resp, 400, "invalid-article", detail, err->field[0] ? err->field : NULL);
}

/* True when a plain-format body has front matter with an `id:` line. */
static bool
front_matter_names_id(const char *s, size_t len)
{
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    if (len < 4 || memcmp(s, "---", 3) != 0 || (s[3] != '\n' && s[3] != '\r'))
        return false;
    for (size_t i = 3; i < len;) {
        while (i < len && (s[i] == '\n' || s[i] == '\r'))
            i++;
        if (len - i >= 3 && memcmp(s + i, "---", 3) == 0)
            return false;
        size_t j = i;
        while (j < len && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (len - j >= 3 && memcmp(s + j, "id", 2) == 0) {
            size_t k = j + 2;
            while (k < len && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (k < len && s[k] == ':')
                return true;
        }
        while (i < len && s[i] != '\n' && s[i] != '\r')
            i++;
    }
    return false;
}

/* The page importer (models/web.h), or NULL with resp a 503: the server was
 * installed without articled-web.so, or with one from another build. The log
 * line names the path; the client is told what, not where. */
static const struct web_api *
importer(const struct request *req, struct response *resp)
{
    const char *why = NULL;
    const struct web_api *web = web_load(&why);
    if (!web) {
        log_msg(&req->svc->log, LOG_ERROR, "import_unavailable", why);
        problem(resp, 503, "import-unavailable",
                "this server cannot import web pages: its page importer (articled-web.so) is "
                "missing or from another build; the server log names the file",
                NULL);
    }
    return web;
}

/* Parses the body as an article document (application/json) or the plain
 * format (text/plain). NULL with resp filled (415, 400) otherwise. *had_id says
 * whether the body named an id itself. */
static struct article *
parse_body(const struct request *req, struct response *resp, bool *had_id)
{
    bool json = request_content_type_is(req, "application/json");
    bool html = request_content_type_is(req, "text/html");
    struct article_error err = {0};
    *had_id = false;
    if (!json && !html && !request_content_type_is(req, "text/plain")) {
        problem(resp, 415, "unsupported-media-type",
                "send an article as application/json (a document), text/plain (the plain "
                "format) or text/html (a web page to extract it from)",
                NULL);
        return NULL;
    }
    if (req->body_len == 0) {
        problem(resp, 400, "empty-body", "the request body is empty", NULL);
        return NULL;
    }
    size_t bad;
    if (html) { /* any charset: the extractor honours the declared one */
        const struct web_api *web = importer(req, resp);
        if (!web)
            return NULL;
        struct article *a = web->extract_html(req->body, req->body_len, NULL,
                                              req->header(req, "Content-Type"), &err);
        if (!a)
            problem(resp, 422, "extract-failed", err.message[0] ? err.message : "no article found",
                    NULL);
        return a;
    }
    if (!utf8_valid(req->body, req->body_len, &bad)) {
        snprintf(err.field, sizeof err.field, "byte %zu", bad);
        snprintf(err.message, sizeof err.message, "not valid UTF-8");
        invalid(resp, &err);
        return NULL;
    }
    struct article *a;
    if (json) {
        cJSON *doc = store_json_parse(req->body, req->body_len, &err);
        a = doc ? article_from_json(doc, &err) : NULL;
        const cJSON *id = doc ? cJSON_GetObjectItemCaseSensitive(doc, "id") : NULL;
        *had_id = id && !cJSON_IsNull(id);
        cJSON_Delete(doc);
    } else {
        a = textformat_parse(req->body, req->body_len, &err);
        /* The plain format names an id only in its front matter. */
        *had_id = a && front_matter_names_id(req->body, req->body_len);
    }
    if (!a) {
        invalid(resp, &err);
        return NULL;
    }
    if (a->nbody == 0) {
        snprintf(err.field, sizeof err.field, "/body");
        snprintf(err.message, sizeof err.message, "an article needs at least one body block");
        invalid(resp, &err);
        article_free(a);
        return NULL;
    }
    return a;
}

/* Turns a write's outcome into the response; releases the snapshot it holds. */
static int
answer(const struct request *req, struct response *resp, struct service_write *w, const char *id)
{
    char detail[240];
    int status = 0;
    switch (w->outcome) {
    case SERVICE_CREATED:
    case SERVICE_REPLACED: {
        const struct catalog_entry *e = w->entry;
        char location[512];
        snprintf(location, sizeof location, "%s/v1/articles/%s",
                 req->base_url ? req->base_url : "", e->article->id);
        status = w->outcome == SERVICE_CREATED ? 201 : 200;
        /* The body stays valid while the snapshot is held: copy it, since the
         * reference is dropped before the response is sent. */
        size_t len = 0;
        char *body = articles_full_copy(e, &len);
        if (!body || response_header(resp, "ETag", e->full.etag) != 0 ||
            (status == 201 && response_header(resp, "Location", location) != 0)) {
            free(body);
            status = problem(resp, 500, "internal", "out of memory", NULL);
            break;
        }
        response_take_body(resp, status, "application/json", body, len);
        break;
    }
    case SERVICE_DELETED:
        resp->status = status = 204;
        break;
    case SERVICE_NOT_FOUND:
        snprintf(detail, sizeof detail, "no article has the id `%.120s`", id);
        status = problem(resp, 404, "article-not-found", detail, NULL);
        break;
    case SERVICE_EXISTS:
        snprintf(detail, sizeof detail,
                 "an article with the id `%.120s` exists: PUT /v1/articles/%.120s replaces it",
                 id, id);
        status = problem(resp, 409, "article-exists", detail, "/id");
        break;
    case SERVICE_PRECONDITION_FAILED:
        status = problem(resp, 412, "precondition-failed",
                         "If-Match does not match the article's current ETag", NULL);
        break;
    case SERVICE_PRECONDITION_NEEDED:
        status = problem(resp, 428, "precondition-required",
                         "this server requires If-Match with the article's ETag for changes",
                         NULL);
        break;
    case SERVICE_INVALID:
        status = invalid(resp, &w->err);
        break;
    case SERVICE_IO_ERROR:
        status = problem(resp, 503, "storage-unavailable", w->why, NULL);
        break;
    case SERVICE_NO_MEMORY:
        status = problem(resp, 500, "internal", "out of memory", NULL);
        break;
    }
    catalog_release(w->snap);
    return status;
}

static bool
valid_path_id(const char *id, struct response *resp)
{
    if (article_id_valid(id))
        return true;
    problem(resp, 400, "invalid-id", "an id is 1-80 characters of a-z, 0-9 and inner hyphens",
            "id");
    return false;
}

int
writes_create(const struct request *req, struct response *resp)
{
    bool had_id;
    struct article *a = parse_body(req, resp, &had_id);
    if (!a)
        return resp->status;
    char id[96];
    snprintf(id, sizeof id, "%s", a->id);
    struct service_write w;
    service_put(req->svc, a, true, NULL, &w);
    return answer(req, resp, &w, id);
}

int
writes_put(const struct request *req, struct response *resp)
{
    const char *id = req->params[0];
    if (!valid_path_id(id, resp))
        return resp->status;
    bool had_id;
    struct article *a = parse_body(req, resp, &had_id);
    if (!a)
        return resp->status;
    if (had_id && strcmp(a->id, id) != 0) {
        article_free(a);
        return problem(resp, 400, "id-mismatch", "the id in the body differs from the one in the path",
                       "/id");
    }
    char *copy = strdup(id);
    if (!copy) {
        article_free(a);
        return problem(resp, 500, "internal", "out of memory", NULL);
    }
    free(a->id);
    a->id = copy;
    struct service_write w;
    service_put(req->svc, a, false, req->header(req, "If-Match"), &w);
    return answer(req, resp, &w, id);
}

int
writes_patch(const struct request *req, struct response *resp)
{
    const char *id = req->params[0];
    if (!valid_path_id(id, resp))
        return resp->status;
    if (!request_content_type_is(req, "application/merge-patch+json") &&
        !request_content_type_is(req, "application/json"))
        return problem(resp, 415, "unsupported-media-type",
                       "send a JSON Merge Patch as application/merge-patch+json", NULL);
    if (req->body_len == 0)
        return problem(resp, 400, "empty-body", "the request body is empty", NULL);
    struct article_error err;
    cJSON *patch = store_json_parse(req->body, req->body_len, &err);
    if (!patch)
        return invalid(resp, &err);
    struct service_write w;
    service_patch(req->svc, id, patch, req->header(req, "If-Match"), &w);
    cJSON_Delete(patch);
    return answer(req, resp, &w, id);
}

int
writes_delete(const struct request *req, struct response *resp)
{
    const char *id = req->params[0];
    if (!valid_path_id(id, resp))
        return resp->status;
    struct service_write w;
    service_delete(req->svc, id, req->header(req, "If-Match"), &w);
    return answer(req, resp, &w, id);
}

/* How each refusal of fetch_url reaches the client: a 4xx naming the reason. */
static const struct {
    const char *why;
    int status;
    const char *detail;
} fetch_refusals[] = {
    {"bad_url", 400, "the url is not a valid absolute URL"},
    {"scheme_forbidden", 400, "only http and https URLs are fetched, also after redirects"},
    {"address_forbidden", 403,
     "the url leads to an address that is not public (loopback, private, link-local, ...)"},
    {"too_many_redirects", 422, "the page redirects too many times"},
    {"too_large", 422, "the page is larger than fetch_max_bytes"},
    {"timeout", 422, "the page did not arrive within fetch_timeout"},
    {"http_status", 422, "the page's server did not answer 2xx"},
    {"not_html", 422, "the url does not serve an HTML page"},
    {"dns_failed", 422, "the url's host name does not resolve"},
    {"connect_failed", 422, "the url's server refused the connection"},
    {"tls_failed", 422, "the TLS handshake with the url's server failed"},
};

/* Reads {"url": "..."}: exactly one member, an http(s) URL of at most 2048 bytes. */
static char *
import_url(const struct request *req, struct response *resp)
{
    struct article_error err;
    if (!request_content_type_is(req, "application/json")) {
        problem(resp, 415, "unsupported-media-type", "send {\"url\": \"...\"} as application/json",
                NULL);
        return NULL;
    }
    cJSON *doc = store_json_parse(req->body, req->body_len, &err);
    if (!doc) {
        invalid(resp, &err);
        return NULL;
    }
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(doc, "url");
    char *out = NULL;
    if (!cJSON_IsObject(doc) || cJSON_GetArraySize(doc) != 1 || !cJSON_IsString(url))
        problem(resp, 400, "invalid-import", "the body must be exactly {\"url\": \"...\"}", "/url");
    else if (strlen(url->valuestring) > 2048)
        problem(resp, 400, "invalid-import", "the url is longer than 2048 bytes", "/url");
    else if (!(out = strdup(url->valuestring)))
        problem(resp, 500, "internal", "out of memory", NULL);
    cJSON_Delete(doc);
    return out;
}

int
writes_import(const struct request *req, struct response *resp)
{
    const char *dry = request_query(req, "dry_run");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return problem(resp, 400, "invalid-parameter", "`dry_run` must be true or false", "dry_run");
    char *url = import_url(req, resp);
    if (!url)
        return resp->status;
    const struct web_api *web = importer(req, resp);
    if (!web) {
        free(url);
        return resp->status;
    }
    const struct config *cfg = &req->svc->cfg;
    struct fetch_options opt;
    web->fetch_options_init(&opt);
    opt.policy = &req->svc->fetch_allow;
    opt.timeout_ms = cfg->fetch_timeout * 1000L;
    opt.max_bytes = (size_t)cfg->fetch_max_bytes;
    struct fetch_result page;
    const char *why = "fetch_failed";
    int rc = web->fetch_url(url, &opt, &page, &why);
    free(url);
    if (rc != 0) {
        web->fetch_result_free(&page);
        char code[64];
        snprintf(code, sizeof code, "fetch-%s", why);
        for (char *p = code; *p; p++)
            if (*p == '_')
                *p = '-';
        for (size_t i = 0; i < sizeof fetch_refusals / sizeof *fetch_refusals; i++)
            if (strcmp(fetch_refusals[i].why, why) == 0)
                return problem(resp, fetch_refusals[i].status, code, fetch_refusals[i].detail,
                               "/url");
        return problem(resp, 422, code, "the page could not be fetched", "/url");
    }
    struct article_error err = {0};
    struct article *a =
        web->extract_html(page.body, page.len, page.final_url, page.content_type, &err);
    web->fetch_result_free(&page);
    if (!a)
        return problem(resp, 422, "extract-failed",
                       err.message[0] ? err.message : "no article found in the page", NULL);
    if (dry && strcmp(dry, "true") == 0) {
        struct catalog_renderer r = {service_render_entry, req->svc};
        struct catalog *c = catalog_build(&a, 1, req->svc->annotator, &r, 0);
        size_t len = 0;
        char *body = c ? articles_full_copy(c->entries[0], &len) : NULL;
        if (!body) {
            catalog_release(c);
            return problem(resp, 500, "internal", "out of memory", NULL);
        }
        response_take_body(resp, 200, "application/json", body, len);
        catalog_release(c);
        return 200;
    }
    char id[96];
    snprintf(id, sizeof id, "%s", a->id);
    struct service_write w;
    service_put(req->svc, a, true, NULL, &w);
    return answer(req, resp, &w, id);
}
