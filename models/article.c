#include "models/article.h"

#include "models/hash.h"
#include "models/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLUG_MAX 80

struct article *
article_new(void)
{
    struct article *a = calloc(1, sizeof *a);
    if (a)
        a->published_ts = INT64_MIN;
    return a;
}

/* Compared as integers: p is most often another allocation than the pack. */
static bool
in_pack(const struct article *a, const void *p)
{
    uintptr_t at = (uintptr_t)p, start = (uintptr_t)a->pack;
    return a->pack && at >= start && at - start < a->pack_len;
}

void
article_free_string(const struct article *a, char *s)
{
    if (!in_pack(a, s))
        free(s);
}

/* Calls fn on the address of every string field of a, NULL ones included. */
static void
each_string(struct article *a, void (*fn)(char **s, void *ctx), void *ctx)
{
    char **fields[] = {&a->id,        &a->slug,     &a->headline, &a->standfirst,
                       &a->published, &a->updated,  &a->url,      &a->section,
                       &a->byline,    &a->language, &a->file};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        fn(fields[i], ctx);
    for (size_t i = 0; i < a->ntags; i++)
        fn(&a->tags[i], ctx);
    for (size_t i = 0; i < a->nsource; i++)
        fn(&a->source[i], ctx);
    for (size_t i = 0; i < a->nbody; i++) {
        struct article_block *b = &a->body[i];
        char **parts[] = {&b->text,          &b->alt,
                          &b->credit.text,   &b->credit.photographer,
                          &b->credit.agency, &b->credit.distributor};
        for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
            fn(parts[k], ctx);
    }
}

static void
free_string(char **s, void *a)
{
    article_free_string(a, *s);
    *s = NULL;
}

static void
free_array(const struct article *a, void *items)
{
    if (!in_pack(a, items))
        free(items);
}

void
article_clear_body(struct article *a)
{
    struct article body_only = {
        .body = a->body, .nbody = a->nbody, .pack = a->pack, .pack_len = a->pack_len};
    each_string(&body_only, free_string, &body_only);
    free_array(a, a->body);
    a->body = NULL;
    a->nbody = 0;
}

void
article_free(struct article *a)
{
    if (!a)
        return;
    each_string(a, free_string, a);
    free_array(a, a->tags);
    free_array(a, a->source);
    free_array(a, a->body);
    free(a->pack);
    free(a);
}

static void
add_length(char **s, void *size)
{
    if (*s)
        *(size_t *)size += strlen(*s) + 1;
}

struct compact_cursor {
    char *at;                  /* where the next string goes in the new pack */
    const struct article *old; /* the article as it was: what owned each string */
};

/* Copies *s to the cursor, frees the old one and points *s at the copy. */
static void
move_string(char **s, void *ctx)
{
    struct compact_cursor *c = ctx;
    if (!*s)
        return;
    size_t n = strlen(*s) + 1;
    memcpy(c->at, *s, n);
    article_free_string(c->old, *s);
    *s = c->at;
    c->at += n;
}

int
article_compact(struct article *a)
{
    size_t size = a->nbody * sizeof *a->body + (a->ntags + a->nsource) * sizeof(char *);
    each_string(a, add_length, &size);
    char *pack = malloc(size ? size : 1);
    if (!pack)
        return -1;
    /* The arrays first: the block is aligned for them, the strings need none. */
    struct article old = *a;
    char *at = pack;
    a->body = a->nbody ? memcpy(at, a->body, a->nbody * sizeof *a->body) : NULL;
    at += a->nbody * sizeof *a->body;
    a->tags = a->ntags ? memcpy(at, a->tags, a->ntags * sizeof *a->tags) : NULL;
    at += a->ntags * sizeof *a->tags;
    a->source = a->nsource ? memcpy(at, a->source, a->nsource * sizeof *a->source) : NULL;
    at += a->nsource * sizeof *a->source;
    struct compact_cursor c = {at, &old};
    each_string(a, move_string, &c);
    free_array(&old, old.body);
    free_array(&old, old.tags);
    free_array(&old, old.source);
    free(old.pack);
    a->pack = pack;
    a->pack_len = size;
    return 0;
}

struct article_block *
article_add_block(struct article *a, enum article_block_type type)
{
    struct article_block *body = realloc(a->body, (a->nbody + 1) * sizeof *body);
    if (!body)
        return NULL;
    a->body = body;
    struct article_block *b = &body[a->nbody++];
    memset(b, 0, sizeof *b);
    b->type = type;
    return b;
}

int
article_list_add(char ***items, size_t *n, const char *s, size_t len)
{
    char **grown = realloc(*items, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *items = grown;
    char *copy = strndup(s, len);
    if (!copy)
        return -1;
    grown[(*n)++] = copy;
    return 0;
}

/* Writes the ASCII letters or digit cp folds to into out (up to 2, lower
 * case, Latin diacritics and ligatures folded by utf8_fold_latin); returns how
 * many: 0 for anything else. */
static size_t
fold_cp(uint32_t cp, char out[2])
{
    if (cp < 0x80) {
        out[0] = isalnum((int)cp) ? (char)tolower((int)cp) : 0;
        return out[0] ? 1 : 0;
    }
    const char *f = utf8_fold_latin(cp);
    size_t n = strlen(f);
    memcpy(out, f, n);
    return n;
}

static bool
is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

size_t
article_slugify(const char *text, char *out, size_t outlen)
{
    size_t len = strlen(text), i = 0, o = 0;
    size_t limit = outlen - 1 < SLUG_MAX ? outlen - 1 : SLUG_MAX;
    bool pending_hyphen = false, cut = false;
    while (i < len) {
        uint32_t cp = utf8_next(text, len, &i);
        if (is_apostrophe(cp))
            continue;
        char letters[2];
        size_t n = fold_cp(cp, letters);
        if (n == 0) {
            pending_hyphen = o > 0;
            continue;
        }
        if (o + n + pending_hyphen > limit) {
            cut = !pending_hyphen; /* at a word boundary the slug is already whole */
            break;
        }
        if (pending_hyphen)
            out[o++] = '-';
        pending_hyphen = false;
        memcpy(out + o, letters, n);
        o += n;
    }
    /* A slug cut short ends at a word boundary, never inside a word. */
    if (cut) {
        size_t keep = o;
        while (keep > 0 && out[keep - 1] != '-')
            keep--;
        if (keep > 1)
            o = keep - 1;
    }
    out[o] = '\0';
    return o;
}

bool
article_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
            return false;
    return true;
}

/* Reads exactly n digits at s into *v; returns the pointer past them or NULL. */
static const char *
digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return NULL;
        *v = *v * 10 + (s[i] - '0');
    }
    return s + n;
}

int
article_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    const char *p = digits(s, 4, &y);
    if (!p || *p++ != '-' || !(p = digits(p, 2, &mo)) || *p++ != '-' || !(p = digits(p, 2, &d)))
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    if (*p == 'T') {
        p++;
        if (!(p = digits(p, 2, &h)) || *p++ != ':' || !(p = digits(p, 2, &mi)))
            return -1;
        if (*p == ':' && !(p = digits(p + 1, 2, &sec)))
            return -1;
        if (*p == '.') /* fractional seconds are accepted and dropped */
            for (p++; isdigit((unsigned char)*p);)
                p++;
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om, sign = *p == '-' ? -1 : 1;
            if (!(p = digits(p + 1, 2, &oh)) || *p++ != ':' || !(p = digits(p, 2, &om)) ||
                oh > 23 || om > 59)
                return -1;
            off = sign * (oh * 3600 + om * 60);
        } else {
            return -1; /* a date-time without a zone is ambiguous */
        }
    }
    if (*p != '\0')
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *out = (int64_t)timegm(&tm) - off;
    return 0;
}

/* Writes base + "/" + key as a JSON Pointer, escaping '~' and '/' (RFC 6901). */
static void
pointer_join(char *out, size_t outlen, const char *base, const char *key)
{
    size_t o = (size_t)snprintf(out, outlen, "%s/", base);
    for (const char *k = key; *k && o + 3 < outlen; k++) {
        if (*k == '~' || *k == '/') {
            out[o++] = '~';
            out[o++] = *k == '~' ? '0' : '1';
        } else {
            out[o++] = *k;
        }
    }
    if (o < outlen)
        out[o] = '\0';
}

static void
set_error(struct article_error *err, const char *field, const char *message)
{
    if (!err)
        return;
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->message, sizeof err->message, "%s", message);
}

static int validate(const struct article *a, struct article_error *err);

int
article_finish(struct article *a, struct article_error *err)
{
    char slug[SLUG_MAX + 1];
    if (!a->headline || !utf8_has_word(a->headline, strlen(a->headline))) {
        set_error(err, "/headline", "the headline needs at least one letter or digit");
        return -1;
    }
    if (article_slugify(a->headline, slug, sizeof slug) == 0) {
        /* A headline with no Latin letter or digit (Cyrillic, CJK, ...) still
         * gets a stable id: a hash of the headline. */
        uint64_t h = hash_fnv1a(a->headline, strlen(a->headline));
        snprintf(slug, sizeof slug, "article-%012llx", (unsigned long long)(h & 0xffffffffffffULL));
    }
    free(a->slug);
    if (!(a->slug = strdup(slug)) || (!a->id && !(a->id = strdup(slug)))) {
        set_error(err, "", "out of memory");
        return -1;
    }
    if (!article_id_valid(a->id)) {
        set_error(err, "/id", "an id is 1-80 characters of a-z, 0-9 and inner hyphens");
        return -1;
    }
    a->published_ts = INT64_MIN;
    if (a->published && article_parse_time(a->published, &a->published_ts) != 0) {
        set_error(err, "/published", "not an ISO 8601 date (YYYY-MM-DD) or date-time with a zone");
        return -1;
    }
    int64_t ignored;
    if (a->updated && article_parse_time(a->updated, &ignored) != 0) {
        set_error(err, "/updated", "not an ISO 8601 date (YYYY-MM-DD) or date-time with a zone");
        return -1;
    }
    return validate(a, err);
}

/* ---- JSON document ---------------------------------------------------------------------- */

/* The optional string fields of the document, in output order. */
static const struct str_field {
    const char *name;
    size_t offset;
    size_t max; /* bytes */
} str_fields[] = {
    {"standfirst", offsetof(struct article, standfirst), 4096},
    {"published", offsetof(struct article, published), 40},
    {"updated", offsetof(struct article, updated), 40},
    {"section", offsetof(struct article, section), 100},
    {"byline", offsetof(struct article, byline), 300},
    {"language", offsetof(struct article, language), 35},
    {"url", offsetof(struct article, url), 2048},
};

static const struct list_field {
    const char *name;
    size_t items, count;
    size_t max_items, max; /* items, bytes per item */
} list_fields[] = {
    {"tags", offsetof(struct article, tags), offsetof(struct article, ntags), 50, 100},
    {"source", offsetof(struct article, source), offsetof(struct article, nsource), 20, 200},
};

static const char *const block_type_names[] = {"paragraph", "subheading", "image"};

/* Read-only fields of a served article that a document may carry back. */
static const char *const ignored_fields[] = {"slug", "word_count", "reading_time_minutes", "links",
                                             "annotations"};

#define MAX_HEADLINE 500
#define MAX_TEXT 1048576 /* a very long paragraph is still text; files are bounded by max_article_bytes */
#define MAX_BLOCKS 2000

static char **
str_at(const struct article *a, size_t offset)
{
    return (char **)((char *)a + offset);
}

static bool
add_opt_string(cJSON *obj, const char *name, const char *value)
{
    cJSON *v = value ? cJSON_CreateString(value) : cJSON_CreateNull();
    return v && cJSON_AddItemToObject(obj, name, v);
}

static bool
add_list(cJSON *obj, const char *name, char **items, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, name);
    if (!arr)
        return false;
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(items[i]);
        if (!s || !cJSON_AddItemToArray(arr, s))
            return false;
    }
    return true;
}

static cJSON *
block_to_json(const struct article_block *b)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "type", block_type_names[b->type]))
        goto fail;
    if (b->type != ARTICLE_IMAGE) {
        if (!cJSON_AddStringToObject(o, "text", b->text))
            goto fail;
        return o;
    }
    if (!add_opt_string(o, "caption", b->text) || !add_opt_string(o, "alt", b->alt))
        goto fail;
    const struct article_credit *c = &b->credit;
    if (!c->text) {
        if (!cJSON_AddNullToObject(o, "credit"))
            goto fail;
        return o;
    }
    cJSON *cr = cJSON_AddObjectToObject(o, "credit");
    if (!cr || !add_opt_string(cr, "text", c->text) ||
        !add_opt_string(cr, "photographer", c->photographer) ||
        !add_opt_string(cr, "agency", c->agency) ||
        !add_opt_string(cr, "distributor", c->distributor) ||
        !cJSON_AddBoolToObject(cr, "file", c->file))
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

cJSON *
article_to_json(const struct article *a)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "id", a->id) ||
        !cJSON_AddStringToObject(o, "headline", a->headline))
        goto fail;
    for (size_t i = 0; i < sizeof str_fields / sizeof *str_fields; i++)
        if (!add_opt_string(o, str_fields[i].name, *str_at(a, str_fields[i].offset)))
            goto fail;
    if (!add_list(o, "tags", a->tags, a->ntags) || !add_list(o, "source", a->source, a->nsource))
        goto fail;
    cJSON *body = cJSON_AddArrayToObject(o, "body");
    if (!body)
        goto fail;
    for (size_t i = 0; i < a->nbody; i++) {
        cJSON *b = block_to_json(&a->body[i]);
        if (!b || !cJSON_AddItemToArray(body, b)) {
            cJSON_Delete(b);
            goto fail;
        }
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* Checks that v is a string of 1..max bytes of valid UTF-8 without NUL or
 * control characters other than tab and newline; copies it into *dst. */
/* Checks a text value of the article: 1..max bytes of valid UTF-8 without
 * control characters other than tab and newline. The one rule for every way an
 * article is made, so whatever is accepted can be stored and read back. */
static int
check_text(const char *s, size_t max, const char *pointer, struct article_error *err)
{
    size_t len = strlen(s);
    if (len == 0) {
        set_error(err, pointer, "must not be empty");
        return -1;
    }
    if (len > max) {
        char msg[64];
        snprintf(msg, sizeof msg, "longer than %zu bytes", max);
        set_error(err, pointer, msg);
        return -1;
    }
    if (!utf8_valid(s, len, NULL)) {
        set_error(err, pointer, "not valid UTF-8");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n') {
            set_error(err, pointer, "contains a control character");
            return -1;
        }
    }
    return 0;
}

static int
take_string(const cJSON *v, size_t max, char **dst, const char *pointer, struct article_error *err)
{
    if (!cJSON_IsString(v)) {
        set_error(err, pointer, "must be a string");
        return -1;
    }
    if (check_text(v->valuestring, max, pointer, err) != 0)
        return -1;
    free(*dst);
    if (!(*dst = strdup(v->valuestring))) {
        set_error(err, pointer, "out of memory");
        return -1;
    }
    return 0;
}

/* Like take_string, but null leaves *dst NULL. */
/* The limits of the article document, whatever the article was made from. */
static int
validate(const struct article *a, struct article_error *err)
{
    char ptr[96];
    if (check_text(a->headline, MAX_HEADLINE, "/headline", err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof str_fields / sizeof *str_fields; i++) {
        const char *v = *str_at(a, str_fields[i].offset);
        snprintf(ptr, sizeof ptr, "/%s", str_fields[i].name);
        if (v && check_text(v, str_fields[i].max, ptr, err) != 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof list_fields / sizeof *list_fields; i++) {
        const struct list_field *f = &list_fields[i];
        char **items = *(char ***)((const char *)a + f->items);
        size_t n = *(const size_t *)((const char *)a + f->count);
        snprintf(ptr, sizeof ptr, "/%s", f->name);
        if (n > f->max_items) {
            char msg[64];
            snprintf(msg, sizeof msg, "more than %zu items", f->max_items);
            set_error(err, ptr, msg);
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            snprintf(ptr, sizeof ptr, "/%s/%zu", f->name, k);
            if (check_text(items[k], f->max, ptr, err) != 0)
                return -1;
        }
    }
    if (a->nbody > MAX_BLOCKS) {
        set_error(err, "/body", "more than 2000 blocks");
        return -1;
    }
    for (size_t i = 0; i < a->nbody; i++) {
        const struct article_block *b = &a->body[i];
        const char *credit[] = {b->credit.text, b->credit.photographer, b->credit.agency,
                                b->credit.distributor};
        static const char *const credit_names[] = {"text", "photographer", "agency",
                                                   "distributor"};
        snprintf(ptr, sizeof ptr, "/body/%zu/%s", i, b->type == ARTICLE_IMAGE ? "caption" : "text");
        if (check_text(b->text ? b->text : "", MAX_TEXT, ptr, err) != 0)
            return -1;
        snprintf(ptr, sizeof ptr, "/body/%zu/alt", i);
        if (b->alt && check_text(b->alt, MAX_TEXT, ptr, err) != 0)
            return -1;
        for (size_t k = 0; k < 4; k++) {
            snprintf(ptr, sizeof ptr, "/body/%zu/credit/%s", i, credit_names[k]);
            if (credit[k] && check_text(credit[k], k == 0 ? 1024 : 300, ptr, err) != 0)
                return -1;
        }
    }
    return 0;
}

static int
take_opt_string(const cJSON *v, size_t max, char **dst, const char *pointer,
                struct article_error *err)
{
    return cJSON_IsNull(v) ? 0 : take_string(v, max, dst, pointer, err);
}

/* Rejects a duplicate key: cJSON keeps both and lookups would see the first. */
static int
check_unique_keys(const cJSON *obj, const char *base, struct article_error *err)
{
    for (const cJSON *i = obj->child; i; i = i->next)
        for (const cJSON *j = i->next; j; j = j->next)
            if (strcmp(i->string, j->string) == 0) {
                char ptr[96];
                pointer_join(ptr, sizeof ptr, base, i->string);
                set_error(err, ptr, "duplicate member");
                return -1;
            }
    return 0;
}

static bool
in_names(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static int
take_credit(const cJSON *v, struct article_credit *c, const char *base, struct article_error *err)
{
    static const char *const names[] = {"text", "photographer", "agency", "distributor", "file"};
    char ptr[96];
    if (cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsObject(v)) {
        set_error(err, base, "must be an object or null");
        return -1;
    }
    if (check_unique_keys(v, base, err) != 0)
        return -1;
    for (const cJSON *m = v->child; m; m = m->next) {
        pointer_join(ptr, sizeof ptr, base, m->string);
        if (!in_names(m->string, names, 5)) {
            set_error(err, ptr, "unknown field");
            return -1;
        }
        if (strcmp(m->string, "file") == 0) {
            if (!cJSON_IsBool(m)) {
                set_error(err, ptr, "must be true or false");
                return -1;
            }
            c->file = cJSON_IsTrue(m);
            continue;
        }
        char **dst = strcmp(m->string, "text") == 0           ? &c->text
                     : strcmp(m->string, "photographer") == 0 ? &c->photographer
                     : strcmp(m->string, "agency") == 0       ? &c->agency
                                                              : &c->distributor;
        if (take_opt_string(m, dst == &c->text ? 1024 : 300, dst, ptr, err) != 0)
            return -1;
    }
    if (!c->text && !c->photographer && !c->agency && !c->distributor && c->file) {
        /* Only the text of a credit is served when it has no parts; a flag alone
         * would be lost when the article is stored and read back. */
        set_error(err, base, "a credit needs its text, a photographer or an agency");
        return -1;
    }
    if (!c->text && (c->photographer || c->agency || c->distributor)) {
        /* A structured credit without its text gets the conventional one. */
        char buf[1024];
        snprintf(buf, sizeof buf, "%s%s%s%s%s%s", c->file ? "File: " : "",
                 c->photographer ? c->photographer : "", c->photographer && c->agency ? "/" : "",
                 c->agency ? c->agency : "", c->distributor ? " via " : "",
                 c->distributor ? c->distributor : "");
        if (!(c->text = strdup(buf))) {
            set_error(err, base, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int
take_block(const cJSON *v, struct article *a, size_t index, struct article_error *err)
{
    char base[48], ptr[96];
    snprintf(base, sizeof base, "/body/%zu", index);
    if (!cJSON_IsObject(v)) {
        set_error(err, base, "must be an object");
        return -1;
    }
    if (check_unique_keys(v, base, err) != 0)
        return -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(v, "type");
    snprintf(ptr, sizeof ptr, "%s/type", base);
    int t = -1;
    for (int i = 0; i < 3 && cJSON_IsString(type); i++)
        if (strcmp(type->valuestring, block_type_names[i]) == 0)
            t = i;
    if (t < 0) {
        set_error(err, ptr, "must be \"paragraph\", \"subheading\" or \"image\"");
        return -1;
    }
    struct article_block *b = article_add_block(a, (enum article_block_type)t);
    if (!b) {
        set_error(err, base, "out of memory");
        return -1;
    }
    static const char *const text_names[] = {"type", "text"};
    static const char *const image_names[] = {"type", "caption", "alt", "credit"};
    bool image = t == ARTICLE_IMAGE;
    for (const cJSON *m = v->child; m; m = m->next) {
        pointer_join(ptr, sizeof ptr, base, m->string);
        if (image ? !in_names(m->string, image_names, 4) : !in_names(m->string, text_names, 2)) {
            set_error(err, ptr, "unknown field for this block type");
            return -1;
        }
    }
    const char *text_key = image ? "caption" : "text";
    snprintf(ptr, sizeof ptr, "%s/%s", base, text_key);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(v, text_key);
    if (!text) {
        set_error(err, ptr, "required");
        return -1;
    }
    if (take_string(text, MAX_TEXT, &b->text, ptr, err) != 0)
        return -1;
    if (!image)
        return 0;
    snprintf(ptr, sizeof ptr, "%s/alt", base);
    const cJSON *alt = cJSON_GetObjectItemCaseSensitive(v, "alt");
    if (alt && take_opt_string(alt, MAX_TEXT, &b->alt, ptr, err) != 0)
        return -1;
    snprintf(ptr, sizeof ptr, "%s/credit", base);
    const cJSON *credit = cJSON_GetObjectItemCaseSensitive(v, "credit");
    return credit ? take_credit(credit, &b->credit, ptr, err) : 0;
}

static int
take_list(const cJSON *v, const struct list_field *f, struct article *a, struct article_error *err)
{
    char ptr[96];
    snprintf(ptr, sizeof ptr, "/%s", f->name);
    if (cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsArray(v)) {
        set_error(err, ptr, "must be an array of strings");
        return -1;
    }
    if ((size_t)cJSON_GetArraySize(v) > f->max_items) {
        char msg[64];
        snprintf(msg, sizeof msg, "more than %zu items", f->max_items);
        set_error(err, ptr, msg);
        return -1;
    }
    char ***items = (char ***)((char *)a + f->items);
    size_t *n = (size_t *)((char *)a + f->count);
    size_t i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char *s = NULL;
        snprintf(ptr, sizeof ptr, "/%s/%zu", f->name, i);
        if (take_string(it, f->max, &s, ptr, err) != 0)
            return -1;
        int rc = article_list_add(items, n, s, strlen(s));
        free(s);
        if (rc != 0) {
            set_error(err, ptr, "out of memory");
            return -1;
        }
    }
    return 0;
}

struct article *
article_from_json(const cJSON *doc, struct article_error *err)
{
    if (!cJSON_IsObject(doc)) {
        set_error(err, "", "the document must be a JSON object");
        return NULL;
    }
    struct article *a = article_new();
    if (!a) {
        set_error(err, "", "out of memory");
        return NULL;
    }
    if (check_unique_keys(doc, "", err) != 0)
        goto fail;
    char ptr[96];
    for (const cJSON *m = doc->child; m; m = m->next) {
        pointer_join(ptr, sizeof ptr, "", m->string);
        if (strcmp(m->string, "id") == 0) {
            if (take_opt_string(m, SLUG_MAX, &a->id, ptr, err) != 0)
                goto fail;
        } else if (strcmp(m->string, "headline") == 0) {
            if (take_string(m, MAX_HEADLINE, &a->headline, ptr, err) != 0)
                goto fail;
        } else if (strcmp(m->string, "body") == 0) {
            if (!cJSON_IsArray(m)) {
                set_error(err, ptr, "must be an array of blocks");
                goto fail;
            }
            if (cJSON_GetArraySize(m) > MAX_BLOCKS) {
                set_error(err, ptr, "more than 2000 blocks");
                goto fail;
            }
            size_t i = 0;
            for (const cJSON *b = m->child; b; b = b->next, i++)
                if (take_block(b, a, i, err) != 0)
                    goto fail;
        } else {
            bool known = false;
            for (size_t i = 0; !known && i < sizeof str_fields / sizeof *str_fields; i++) {
                if (strcmp(m->string, str_fields[i].name) != 0)
                    continue;
                known = true;
                if (take_opt_string(m, str_fields[i].max, str_at(a, str_fields[i].offset), ptr,
                                    err) != 0)
                    goto fail;
            }
            for (size_t i = 0; !known && i < sizeof list_fields / sizeof *list_fields; i++) {
                if (strcmp(m->string, list_fields[i].name) != 0)
                    continue;
                known = true;
                if (take_list(m, &list_fields[i], a, err) != 0)
                    goto fail;
            }
            if (!known && !in_names(m->string, ignored_fields,
                                    sizeof ignored_fields / sizeof *ignored_fields)) {
                set_error(err, ptr, "unknown field");
                goto fail;
            }
        }
    }
    if (!a->headline) {
        set_error(err, "/headline", "required");
        goto fail;
    }
    if (article_finish(a, err) != 0)
        goto fail;
    return a;
fail:
    article_free(a);
    return NULL;
}

/* ---- comparison ---------------------------------------------------------- */

static bool
str_eq(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

static bool
list_eq(char **x, size_t nx, char **y, size_t ny)
{
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (!str_eq(x[i], y[i]))
            return false;
    return true;
}

bool
article_equal(const struct article *a, const struct article *b)
{
    if (!str_eq(a->id, b->id) || !str_eq(a->slug, b->slug) || !str_eq(a->headline, b->headline) ||
        a->published_ts != b->published_ts || a->nbody != b->nbody ||
        !list_eq(a->tags, a->ntags, b->tags, b->ntags) ||
        !list_eq(a->source, a->nsource, b->source, b->nsource))
        return false;
    for (size_t i = 0; i < sizeof str_fields / sizeof *str_fields; i++)
        if (!str_eq(*str_at(a, str_fields[i].offset), *str_at(b, str_fields[i].offset)))
            return false;
    for (size_t i = 0; i < a->nbody; i++) {
        const struct article_block *x = &a->body[i], *y = &b->body[i];
        if (x->type != y->type || !str_eq(x->text, y->text) || !str_eq(x->alt, y->alt) ||
            !str_eq(x->credit.text, y->credit.text) ||
            !str_eq(x->credit.photographer, y->credit.photographer) ||
            !str_eq(x->credit.agency, y->credit.agency) ||
            !str_eq(x->credit.distributor, y->credit.distributor) ||
            x->credit.file != y->credit.file)
            return false;
    }
    return true;
}
