#include "handlers/paging.h"

#include "handlers/problem.h"
#include "handlers/query.h"
#include "handlers/service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char json_type[] = "application/json";

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

void
paging_qs(const struct request *req, const char *const *keys, struct strbuf *qs)
{
    for (size_t i = 0; keys[i]; i++) {
        const char *v = request_query(req, keys[i]);
        if (!v)
            continue;
        strbuf_addf(qs, "%s=", keys[i]);
        add_query_value(qs, v);
        strbuf_adds(qs, "&");
    }
}

void
paging_link(struct strbuf *link, struct strbuf *body, const char *base, const char *path,
            const char *qs, const char *rel, const char *pos, long per_page, bool first)
{
    const char *amp = pos[0] ? "&" : "";
    if (strcmp(rel, "self") != 0)
        strbuf_addf(link, "%s<%s%s?%s%s%sper_page=%ld>; rel=\"%s\"", link->len ? ", " : "", base,
                    path, qs, pos, amp, per_page, rel);
    strbuf_addf(body, "%s\"%s\":\"%s%s?%s%s%sper_page=%ld\"", first ? "" : ",", rel, base, path, qs,
                pos, amp, per_page);
}

void
paging_pages(struct strbuf *link, struct strbuf *body, const char *base, const char *path,
             const char *qs, long page, long per_page, long total)
{
    long pages = total ? (total + per_page - 1) / per_page : 1;
    char pos[32];
    strbuf_addf(body, "\"page\":%ld,\"per_page\":%ld,\"total\":%ld,\"pages\":%ld,\"links\":{", page,
                per_page, total, pages);
    snprintf(pos, sizeof pos, "page=%ld", page);
    paging_link(link, body, base, path, qs, "self", pos, per_page, true);
    paging_link(link, body, base, path, qs, "first", "page=1", per_page, false);
    if (page > 1) {
        snprintf(pos, sizeof pos, "page=%ld", page - 1 < pages ? page - 1 : pages);
        paging_link(link, body, base, path, qs, "prev", pos, per_page, false);
    }
    if (page < pages) {
        snprintf(pos, sizeof pos, "page=%ld", page + 1);
        paging_link(link, body, base, path, qs, "next", pos, per_page, false);
    }
    snprintf(pos, sizeof pos, "page=%ld", pages);
    paging_link(link, body, base, path, qs, "last", pos, per_page, false);
    strbuf_adds(body, "}");
}

int
paging_finish(struct response *resp, struct strbuf *body, struct strbuf *link, long total,
              int64_t modified)
{
    size_t len, llen;
    char *out = strbuf_take(body, &len);
    char *lv = strbuf_take(link, &llen);
    char count[24];
    snprintf(count, sizeof count, "%ld", total);
    if (!out || !lv || (llen && response_header(resp, "Link", lv) != 0) ||
        response_header(resp, "X-Total-Count", count) != 0) {
        free(out);
        free(lv);
        return problem(resp, 500, "internal", "out of memory", NULL);
    }
    free(lv);
    response_take_body(resp, 200, json_type, out, len);
    resp->last_modified = modified;
    resp->memo = true;
    return 200;
}

int
paging_read(const struct request *req, struct response *resp, long *page, long *per_page)
{
    const struct config *cfg = &req->svc->cfg;
    if (query_int(req, resp, "page", 1, 1000000, 1, page) != 0 ||
        query_int(req, resp, "per_page", 1, cfg->per_page_max, cfg->per_page_default, per_page) !=
            0)
        return -1;
    return 0;
}
