#include "handlers/find.h"

#include "handlers/articles.h"
#include "handlers/paging.h"
#include "handlers/problem.h"
#include "handlers/service.h"
#include "models/annotate/text.h"
#include "models/catalog.h"
#include "models/strbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The sorts, by their parameter value; `code` is what a cursor records. */
enum sort { SORT_NEWEST, SORT_OLDEST, SORT_RELEVANCE, SORT_HEADLINE };
static const struct {
    const char *name;
    char code;
} sorts[] = {{"-published", 'n'}, {"published", 'o'}, {"relevance", 'r'}, {"headline", 'h'}};

/* Filter parameters in the order links repeat them. */
static const char *const link_keys[] = {"q",      "entity", "person", "place", "org",
                                        "speaker", "section", "tag",   "source", "from",
                                        "to",     "sort",   "fields", NULL};

/* One article of the answer, with what its sort compares. */
struct item {
    uint32_t entry;
    double score;
    int64_t ts;      /* published_ts; INT64_MIN when undated */
    const char *id;  /* borrowed from the snapshot */
    const char *key; /* the folded headline (SORT_HEADLINE only) */
};

/* A position in a sort, as a cursor carries it: the key of the item it is next to. */
struct cursor {
    char dir; /* 'a': the items after this key; 'b': the items before it */
    struct item at;
    char buf[600]; /* the decoded cursor; at.id and at.key point into it */
};

struct find {
    enum sort sort;
    uint32_t fields;   /* bit k: summary member k; 0 = every member */
    bool score, snips; /* search extras wanted */
    int64_t from, to;
    bool has_from, has_to;
};

/* ---- comparing items in a sort ---- */

static int
cmp_ts_newest(int64_t a, int64_t b)
{
    return a == b ? 0 : a > b ? -1 : 1; /* undated (INT64_MIN) sorts last */
}

static int
cmp_in(enum sort s, const struct item *a, const struct item *b)
{
    int c = 0;
    switch (s) {
    case SORT_NEWEST:
        c = cmp_ts_newest(a->ts, b->ts);
        break;
    case SORT_OLDEST: {
        int64_t x = a->ts == INT64_MIN ? INT64_MAX : a->ts, y = b->ts == INT64_MIN ? INT64_MAX : b->ts;
        c = x == y ? 0 : x < y ? -1 : 1;
        break;
    }
    case SORT_RELEVANCE:
        c = a->score == b->score ? cmp_ts_newest(a->ts, b->ts) : a->score > b->score ? -1 : 1;
        break;
    case SORT_HEADLINE:
        c = strcmp(a->key, b->key);
        break;
    }
    return c ? c : strcmp(a->id, b->id);
}

static int
cmp_items(const void *x, const void *y, void *ctx)
{
    return cmp_in(*(const enum sort *)ctx, x, y);
}

/* ---- cursors: base64url of "1|SORT|DIR|SCORE|TS|ID|HEADLINE-KEY" ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
add_base64url(struct strbuf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        char out[4] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]};
        strbuf_add(b, out, n - i >= 3 ? 4 : n - i + 1);
    }
}

/* Decodes base64url into out (NUL-terminated); -1 when it is not base64url or too long. */
static int
from_base64url(const char *s, char *out, size_t cap)
{
    size_t o = 0, bits = 0;
    uint32_t v = 0;
    for (; *s; s++) {
        const char *p = strchr(b64, *s);
        if (!p || !*s)
            return -1;
        v = v << 6 | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= cap)
                return -1;
            out[o++] = (char)((v >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    return memchr(out, '\0', o) ? -1 : 0;
}

static void
add_cursor(struct strbuf *b, enum sort s, char dir, const struct item *it)
{
    struct strbuf raw;
    strbuf_init(&raw, 128);
    strbuf_addf(&raw, "1|%c|%c|", sorts[s].code, dir);
    if (s == SORT_RELEVANCE)
        strbuf_addf(&raw, "%.17g", it->score);
    if (it->ts == INT64_MIN)
        strbuf_addf(&raw, "|n|%s|", it->id);
    else
        strbuf_addf(&raw, "|%" PRId64 "|%s|", it->ts, it->id);
    if (s == SORT_HEADLINE)
        strbuf_adds(&raw, it->key);
    if (raw.failed)
        b->failed = true;
    else
        add_base64url(b, (const unsigned char *)raw.data, raw.len);
    strbuf_free(&raw);
}

/* Parses a cursor made for sort s into c; -1 with a 400 problem in resp. */
static int
read_cursor(const char *v, enum sort s, struct cursor *c, struct response *resp)
{
    char *f[7];
    size_t nf = 0;
    if (from_base64url(v, c->buf, sizeof c->buf) != 0)
        goto bad;
    for (char *p = c->buf; nf < 7; nf++) {
        f[nf] = p;
        if (nf == 6)
            break;
        if (!(p = strchr(p, '|')))
            goto bad;
        *p++ = '\0';
    }
    if (nf != 6 || strcmp(f[0], "1") != 0 || strlen(f[1]) != 1 || strlen(f[2]) != 1 ||
        (f[2][0] != 'a' && f[2][0] != 'b') || !article_id_valid(f[5]))
        goto bad;
    if (f[1][0] != sorts[s].code) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "this cursor was made for another sort than `%s`: start again without it",
                 sorts[s].name);
        problem(resp, 400, "invalid-parameter", detail, "cursor");
        return -1;
    }
    c->dir = f[2][0];
    char *end;
    c->at.score = s == SORT_RELEVANCE ? strtod(f[3], &end) : 0;
    if (s == SORT_RELEVANCE && (end == f[3] || *end))
        goto bad;
    if (strcmp(f[4], "n") == 0)
        c->at.ts = INT64_MIN;
    else {
        c->at.ts = strtoll(f[4], &end, 10);
        if (end == f[4] || *end)
            goto bad;
    }
    c->at.id = f[5];
    c->at.key = f[6];
    return 0;
bad:
    problem(resp, 400, "invalid-parameter",
            "`cursor` is not a cursor this server gave out: use next_cursor or prev_cursor of a "
            "previous answer",
            "cursor");
    return -1;
}

/* ---- reading the parameters ---- */

static int
bad_param(struct response *resp, const char *key, const char *detail)
{
    return problem(resp, 400, "invalid-parameter", detail, key);
}

static int
read_sort(const struct request *req, struct response *resp, bool searching, enum sort *out)
{
    const char *v = request_query(req, "sort");
    *out = searching ? SORT_RELEVANCE : SORT_NEWEST;
    if (!v)
        return 0;
    for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++) {
        if (strcmp(v, sorts[i].name) == 0) {
            if (i == SORT_RELEVANCE && !searching)
                return bad_param(resp, "sort", "`sort=relevance` needs a full-text query `q`"),
                       -1;
            *out = (enum sort)i;
            return 0;
        }
    }
    bad_param(resp, "sort", "`sort` must be -published, published, relevance or headline");
    return -1;
}

static int
read_fields(const struct request *req, struct response *resp, struct find *f)
{
    const char *v = request_query(req, "fields");
    f->fields = 0;
    f->score = f->snips = true;
    if (!v)
        return 0;
    f->score = f->snips = false;
    f->fields = 1; /* id, always */
    for (const char *p = v;; p++) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t k = 0; k < articles_summary_nfields && !known; k++) {
            if (strlen(articles_summary_fields[k]) == n &&
                strncmp(p, articles_summary_fields[k], n) == 0) {
                f->fields |= 1u << k;
                known = true;
            }
        }
        if (!known && n == 5 && strncmp(p, "score", 5) == 0)
            known = f->score = true;
        if (!known && n == 8 && strncmp(p, "snippets", 8) == 0)
            known = f->snips = true;
        if (!known) {
            char detail[200];
            snprintf(detail, sizeof detail,
                     "`fields` names `%.*s`, which is no field of a list item: use id, slug, "
                     "headline, standfirst, published, updated, section, tags, byline, source, "
                     "url, word_count, reading_time_minutes, links, score, snippets",
                     (int)(n > 40 ? 40 : n), p);
            bad_param(resp, "fields", detail);
            return -1;
        }
        p += n;
        if (!*p)
            return 0;
    }
}

/* A from or to date: an ISO 8601 date or date-time; a date alone as `to`
 * means the end of that day. */
static int
read_date(const struct request *req, struct response *resp, const char *key, bool end_of_day,
          int64_t *out, bool *has)
{
    const char *v = request_query(req, key);
    *has = v != NULL;
    if (!v)
        return 0;
    if (article_parse_time(v, out) != 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "`%s` must be an ISO 8601 date (2025-10-08) or date-time (2025-10-08T09:30:00Z)",
                 key);
        bad_param(resp, key, detail);
        return -1;
    }
    if (end_of_day && strlen(v) == 10)
        *out += 86399;
    return 0;
}

/* ---- filters ---- */

static bool
same_ci(const char *a, const char *b)
{
    return a && strcasecmp(a, b) == 0;
}

static bool
list_has(char *const *items, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(items[i], v) == 0)
            return true;
    return false;
}

/* keep[i] &= mark[i], and clears mark for the next filter. */
static void
and_marks(bool *keep, bool *mark, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        keep[i] = keep[i] && mark[i];
        mark[i] = false;
    }
}

/* Applies every filter but q to keep[]; -1 on OOM. */
static int
filter(const struct request *req, struct catalog *c, const struct find *f, const char *entity,
       bool *keep)
{
    const char *section = request_query(req, "section"), *tag = request_query(req, "tag"),
               *source = request_query(req, "source");
    for (size_t i = 0; i < c->n; i++) {
        const struct article *a = c->entries[i]->article;
        keep[i] = (!section || same_ci(a->section, section)) &&
                  (!tag || list_has(a->tags, a->ntags, tag)) &&
                  (!source || list_has(a->source, a->nsource, source)) &&
                  (!f->has_from || (a->published_ts != INT64_MIN && a->published_ts >= f->from)) &&
                  (!f->has_to || (a->published_ts != INT64_MIN && a->published_ts <= f->to));
    }
    static const struct {
        const char *key;
        unsigned types;
    } named[] = {{"person", 1u << CORPUS_PERSON},
                 {"place", 1u << CORPUS_PLACE},
                 {"org", 1u << CORPUS_ORGANISATION}};
    const char *speaker = request_query(req, "speaker");
    bool corpus_filters = entity || speaker;
    for (size_t k = 0; k < 3; k++)
        corpus_filters = corpus_filters || request_query(req, named[k].key);
    if (!corpus_filters)
        return 0;
    const struct corpus_index *idx = catalog_corpus(c);
    bool *mark = calloc(c->n ? c->n : 1, sizeof *mark);
    if (!idx || !mark) {
        free(mark);
        return -1;
    }
    if (entity) {
        const struct corpus_entity *e = corpus_entity_find(idx, entity);
        for (size_t i = 0; e && i < e->articles; i++)
            mark[e->entries[i]] = true;
        and_marks(keep, mark, c->n);
    }
    for (size_t k = 0; k < 3; k++) {
        const char *v = request_query(req, named[k].key);
        if (!v)
            continue;
        corpus_mark_named(idx, v, named[k].types, mark);
        and_marks(keep, mark, c->n);
    }
    if (speaker) {
        struct corpus_who *w = corpus_who_new(idx, speaker);
        if (!w) {
            free(mark);
            return -1;
        }
        corpus_mark_speaker(idx, w, mark);
        corpus_who_free(w);
        and_marks(keep, mark, c->n);
    }
    free(mark);
    return 0;
}

/* ---- the answer ---- */

/* Appends the list item of it: the summary members asked for, and the score
 * and snippets of a search hit. */
static void
add_item(struct strbuf *body, const struct catalog *c, const struct find *f,
         const struct search_index *idx, const struct search_query *sq, const struct item *it)
{
    const struct catalog_entry *e = c->entries[it->entry];
    const struct catalog_bytes *sum = &e->summary;
    bool extras = sq && (f->score || f->snips);
    if (!f->fields) {
        strbuf_add(body, sum->data, sum->len - (extras ? 1 : 0));
    } else {
        strbuf_add(body, "{", 1);
        bool first = true;
        for (size_t k = 0; k < e->summary_members; k++) {
            if (!(f->fields & (1u << k)))
                continue;
            if (!first)
                strbuf_add(body, ",", 1);
            strbuf_add(body, sum->data + e->summary_at[k],
                       e->summary_at[k + 1] - 1 - e->summary_at[k]);
            first = false;
        }
        if (!extras)
            strbuf_add(body, "}", 1);
    }
    if (!extras)
        return;
    if (f->score)
        strbuf_addf(body, ",\"score\":%.4f", it->score);
    if (f->snips) {
        struct search_snippet *snips = NULL;
        size_t n = 0;
        if (search_snippets(idx, sq, it->entry, 3, &snips, &n) != 0) {
            body->failed = true;
            return;
        }
        strbuf_adds(body, ",\"snippets\":");
        search_snippets_print(snips, n, body);
        search_snippets_free(snips, n);
    }
    strbuf_add(body, "}", 1);
}

/* The folded headline of entry e into buf, from its digest when it has one. */
static const char *
headline_key(const struct catalog_entry *e, char *buf, size_t cap)
{
    if (e->digest)
        return corpus_digest_headline_key(e->digest);
    text_fold(e->article->headline, strlen(e->article->headline), buf, cap);
    return buf;
}

/* The matching articles, in the order of f->sort, into *out (*n of them). */
static int
collect(struct catalog *c, const struct find *f, const bool *keep, const struct search_hit *hits,
        size_t nhits, bool searching, struct item **out, size_t *n, char **keys)
{
    size_t cap = searching ? nhits : c->n;
    struct item *items = malloc((cap ? cap : 1) * sizeof *items);
    if (!items)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < cap; i++) {
        size_t e = searching ? hits[i].article : i;
        if (!keep[e])
            continue;
        const struct article *a = c->entries[e]->article;
        items[k++] = (struct item){(uint32_t)e, searching ? hits[i].score : 0, a->published_ts,
                                   a->id, NULL};
    }
    *keys = NULL;
    if (f->sort == SORT_HEADLINE) {
        /* keys of entries without a digest are folded into one buffer */
        *keys = malloc(k * 512 + 1);
        if (!*keys) {
            free(items);
            return -1;
        }
        for (size_t i = 0; i < k; i++)
            items[i].key = headline_key(c->entries[items[i].entry], *keys + i * 512, 512);
    }
    /* Catalog order is newest first and search hits come by relevance then
     * catalog order: only the other orders need a sort. */
    bool sorted = (f->sort == SORT_NEWEST && !searching) || (f->sort == SORT_RELEVANCE);
    if (!sorted && k > 1)
        qsort_r(items, k, sizeof *items, cmp_items, (void *)&f->sort);
    *out = items;
    *n = k;
    return 0;
}

/* The first item after (dir 'a') the cursor, or the one the page before it
 * (dir 'b') starts at, and that page's length. */
static void
cursor_window(const struct item *items, size_t n, enum sort s, const struct cursor *cur,
              long per_page, size_t *start, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first item at or after the cursor key */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_in(s, &items[mid], &cur->at) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (cur->dir == 'a') {
        *start = lo < n && cmp_in(s, &items[lo], &cur->at) == 0 ? lo + 1 : lo;
        *count = n - *start < (size_t)per_page ? n - *start : (size_t)per_page;
    } else {
        *start = lo > (size_t)per_page ? lo - (size_t)per_page : 0;
        *count = lo - *start;
    }
}

int
find_articles(const struct request *req, struct response *resp, const char *path,
              const char *entity)
{
    struct find f = {0};
    long page = 1, per_page;
    const char *q = request_query(req, "q"), *cursor_v = request_query(req, "cursor");
    if (!entity)
        entity = request_query(req, "entity");
    if (paging_read(req, resp, &page, &per_page) != 0 || read_sort(req, resp, q, &f.sort) != 0 ||
        read_fields(req, resp, &f) != 0 ||
        read_date(req, resp, "from", false, &f.from, &f.has_from) != 0 ||
        read_date(req, resp, "to", true, &f.to, &f.has_to) != 0)
        return resp->status;
    if (f.has_from && f.has_to && f.from > f.to)
        return bad_param(resp, "from", "`from` is after `to`");
    if (cursor_v && request_query(req, "page"))
        return bad_param(resp, "cursor", "give `cursor` or `page`, not both");
    struct cursor cur;
    if (cursor_v && read_cursor(cursor_v, f.sort, &cur, resp) != 0)
        return resp->status;

    struct catalog *c = req->snap;
    struct search_query *sq = NULL;
    struct search_hit *hits = NULL;
    const struct search_index *idx = NULL;
    size_t nhits = 0;
    if (q) {
        char err[200];
        if (!(sq = search_parse(q, err, sizeof err)))
            return problem(resp, 400, "invalid-query", err, "q");
        if (!(idx = catalog_search(c)) || search_run(idx, sq, &hits, &nhits) != 0) {
            search_query_free(sq);
            return problem(resp, 500, "internal", "out of memory", NULL);
        }
    }
    bool *keep = malloc(c->n ? c->n : 1);
    struct item *items = NULL;
    size_t n = 0;
    char *keys = NULL;
    if (!keep || filter(req, c, &f, entity, keep) != 0 ||
        collect(c, &f, keep, hits, nhits, q != NULL, &items, &n, &keys) != 0) {
        free(keep);
        free(hits);
        search_query_free(sq);
        return problem(resp, 500, "internal", "out of memory", NULL);
    }
    free(keep);
    free(hits);

    size_t start, count;
    if (cursor_v) {
        cursor_window(items, n, f.sort, &cur, per_page, &start, &count);
    } else {
        size_t first = (size_t)(page - 1) * (size_t)per_page;
        start = first < n ? first : n;
        count = n - start < (size_t)per_page ? n - start : (size_t)per_page;
    }
    struct strbuf body, link, qs, next, prev;
    strbuf_init(&body, 256 + (size_t)count * (sq ? 1200 : 400));
    strbuf_init(&link, 256);
    strbuf_init(&qs, 64);
    strbuf_init(&next, 64);
    strbuf_init(&prev, 64);
    paging_qs(req, link_keys, &qs);
    if (start + count < n && count)
        add_cursor(&next, f.sort, 'a', &items[start + count - 1]);
    if (start > 0 && count)
        add_cursor(&prev, f.sort, 'b', &items[start]);
    else if (start > 0 && cursor_v && cur.dir == 'a')
        add_cursor(&prev, f.sort, 'b', &cur.at);

    strbuf_adds(&body, "{\"items\":[");
    for (size_t i = start; i < start + count; i++) {
        if (i > start)
            strbuf_add(&body, ",", 1);
        add_item(&body, c, &f, idx, sq, &items[i]);
    }
    strbuf_add(&body, "],", 2);
    const char *base = req->base_url ? req->base_url : "";
    const char *qv = qs.data ? qs.data : "";
    if (!cursor_v) {
        paging_pages(&link, &body, base, path, qv, page, per_page, (long)n);
    } else {
        strbuf_addf(&body, "\"per_page\":%ld,\"total\":%zu,\"links\":{", per_page, n);
        struct strbuf pos;
        strbuf_init(&pos, 64);
        strbuf_addf(&pos, "cursor=%s", cursor_v);
        paging_link(&link, &body, base, path, qv, "self", pos.data ? pos.data : "", per_page, true);
        paging_link(&link, &body, base, path, qv, "first", "", per_page, false);
        const struct strbuf *moves[] = {&prev, &next};
        const char *rels[] = {"prev", "next"};
        for (size_t m = 0; m < 2; m++) {
            if (!moves[m]->len)
                continue;
            pos.len = 0;
            strbuf_addf(&pos, "cursor=%s", moves[m]->data);
            paging_link(&link, &body, base, path, qv, rels[m], pos.data, per_page, false);
        }
        strbuf_free(&pos);
        strbuf_adds(&body, "}");
    }
    const struct strbuf *cursors[] = {&next, &prev};
    const char *names[] = {"next_cursor", "prev_cursor"};
    for (size_t m = 0; m < 2; m++) {
        if (cursors[m]->len)
            strbuf_addf(&body, ",\"%s\":\"%s\"", names[m], cursors[m]->data);
        else
            strbuf_addf(&body, ",\"%s\":null", names[m]);
    }
    strbuf_adds(&body, "}");
    if (next.failed || prev.failed)
        body.failed = true;
    strbuf_free(&qs);
    strbuf_free(&next);
    strbuf_free(&prev);
    free(items);
    free(keys);
    search_query_free(sq);
    return paging_finish(resp, &body, &link, (long)n, c->modified);
}
