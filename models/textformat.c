#include "models/textformat.h"

#include "models/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A line of the input after normalisation: no line end, no trailing blanks. */
struct line {
    const char *s;
    size_t len;
    size_t number; /* 1-based, as a person counts lines in the file */
};

/* Limits of the shapes that are not paragraphs. */
#define SUBHEADING_MAX_WORDS 12
#define SUBHEADING_MAX_BYTES 120
#define CREDIT_MAX_BYTES 160

static void
fail_at(struct article_error *err, size_t line, const char *message)
{
    snprintf(err->field, sizeof err->field, "line %zu", line);
    snprintf(err->message, sizeof err->message, "%s", message);
}

/* Splits text into lines, accepting LF, CRLF and lone CR, and drops trailing
 * spaces and tabs. Returns the count; *out is a new array (caller frees). */
static size_t
split_lines(const char *s, size_t len, struct line **out)
{
    size_t cap = 64, n = 0;
    struct line *lines = malloc(cap * sizeof *lines);
    if (!lines)
        return (size_t)-1;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != '\n' && s[i] != '\r')
            i++;
        size_t end = i;
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n' && (i == end || s[i - 1] == '\r'))
            i++;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        if (n == cap) {
            struct line *grown = realloc(lines, (cap *= 2) * sizeof *lines);
            if (!grown) {
                free(lines);
                return (size_t)-1;
            }
            lines = grown;
        }
        lines[n] = (struct line){s + start, end - start, n + 1};
        n++;
    }
    *out = lines;
    return n;
}

static bool
line_is(const struct line *l, const char *text)
{
    return l->len == strlen(text) && memcmp(l->s, text, l->len) == 0;
}

/* Trims ASCII blanks from both ends of s[0..*len); returns the new start. */
static const char *
trim(const char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        (*len)--;
    return s;
}

static int
set_copy(char **dst, const char *s, size_t len)
{
    free(*dst);
    *dst = strndup(s, len);
    return *dst ? 0 : -1;
}

/* Adds the comma-separated items of s[0..len) to a list, trimmed, empty ones dropped. */
static int
add_csv(char ***items, size_t *n, const char *s, size_t len)
{
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    while (len > 0) {
        const char *comma = memchr(s, ',', len);
        size_t part = comma ? (size_t)(comma - s) : len;
        size_t ilen = part;
        const char *item = trim(s, &ilen);
        if (ilen && article_list_add(items, n, item, ilen) != 0)
            return -1;
        s += part;
        len -= part;
        if (comma) {
            s++;
            len--;
        }
    }
    return 0;
}

/* Appends a warning to err->warning, separated by "; " from earlier ones. */
static void
add_warning(struct article_error *err, const char *message)
{
    size_t used = strlen(err->warning);
    snprintf(err->warning + used, sizeof err->warning - used, "%s%s", used ? "; " : "", message);
}

/* The front-matter keys that name a string field of the article. */
static const struct fm_key {
    const char *name;
    size_t offset;
} fm_strings[] = {
    {"id", offsetof(struct article, id)},
    {"published", offsetof(struct article, published)},
    {"updated", offsetof(struct article, updated)},
    {"url", offsetof(struct article, url)},
    {"section", offsetof(struct article, section)},
    {"byline", offsetof(struct article, byline)},
    {"language", offsetof(struct article, language)},
};

/* Reads `key: value` lines up to the closing `---`. Returns the index of the
 * first line after the block, or 0 with err set. Unknown keys are warned about
 * and ignored, the way static-site generators treat them. */
static size_t
parse_front_matter(const struct line *lines, size_t n, struct article *a, size_t key_lines[],
                   struct article_error *err)
{
    for (size_t i = 1; i < n; i++) {
        const struct line *l = &lines[i];
        if (line_is(l, "---"))
            return i + 1;
        if (l->len == 0 || l->s[0] == '#')
            continue;
        const char *colon = memchr(l->s, ':', l->len);
        if (!colon) {
            fail_at(err, l->number, "front matter line is not `key: value`");
            return 0;
        }
        size_t klen = (size_t)(colon - l->s), vlen = l->len - klen - 1;
        const char *key = trim(l->s, &klen), *val = trim(colon + 1, &vlen);
        if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
            val++;
            vlen -= 2;
        }
        char name[32];
        if (klen == 0 || klen >= sizeof name) {
            fail_at(err, l->number, "front matter key missing or too long");
            return 0;
        }
        memcpy(name, key, klen);
        name[klen] = '\0';
        int rc = 0;
        bool known = true;
        if (strcmp(name, "tags") == 0)
            rc = add_csv(&a->tags, &a->ntags, val, vlen);
        else if (strcmp(name, "source") == 0)
            rc = add_csv(&a->source, &a->nsource, val, vlen);
        else {
            known = false;
            for (size_t k = 0; k < sizeof fm_strings / sizeof *fm_strings; k++)
                if (strcmp(name, fm_strings[k].name) == 0) {
                    known = true;
                    key_lines[k] = l->number;
                    rc =
                        vlen ? set_copy((char **)((char *)a + fm_strings[k].offset), val, vlen) : 0;
                }
        }
        if (rc != 0) {
            fail_at(err, l->number, "out of memory");
            return 0;
        }
        if (!known) {
            char note[96];
            snprintf(note, sizeof note, "unknown front matter key `%s` on line %zu ignored", name,
                     l->number);
            add_warning(err, note);
        }
    }
    fail_at(err, lines[0].number, "front matter opened with `---` is never closed");
    return 0;
}

/* Parses the credit inside the brackets: `File: Ju Peng/Xinhua via The Associated Press`. */
static int
parse_credit(const char *s, size_t len, struct article_credit *c)
{
    if (set_copy(&c->text, s, len) != 0)
        return -1;
    static const char *const file_prefixes[] = {"File photo:", "File:"};
    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(file_prefixes[k]);
        if (len >= pl && strncasecmp(s, file_prefixes[k], pl) == 0) {
            c->file = true;
            s += pl;
            len -= pl;
            s = trim(s, &len);
            break;
        }
    }
    for (size_t i = 0; i + 5 <= len; i++)
        if (memcmp(s + i, " via ", 5) == 0) {
            size_t dlen = len - i - 5;
            const char *d = trim(s + i + 5, &dlen);
            if (dlen && set_copy(&c->distributor, d, dlen) != 0)
                return -1;
            len = i;
            break;
        }
    const char *slash = NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '/')
            slash = s + i;
    size_t alen = slash ? len - (size_t)(slash - s) - 1 : len;
    const char *agency = trim(slash ? slash + 1 : s, &alen);
    if (alen && set_copy(&c->agency, agency, alen) != 0)
        return -1;
    if (slash) {
        size_t plen = (size_t)(slash - s);
        const char *p = trim(s, &plen);
        if (plen && set_copy(&c->photographer, p, plen) != 0)
            return -1;
    }
    return 0;
}

/* If l ends in a credit in brackets, sets *bracket to the '[' and returns true. */
static bool
find_credit(const struct line *l, const char **bracket)
{
    if (l->len < 3 || l->s[l->len - 1] != ']')
        return false;
    for (size_t i = l->len - 1; i-- > 0;) {
        if (l->s[i] == ']')
            return false;
        if (l->s[i] == '[') {
            size_t inner = l->len - i - 2;
            *bracket = l->s + i;
            return inner > 0 && inner <= CREDIT_MAX_BYTES;
        }
    }
    return false;
}

/* True when lines[0..n) form an image block: one or two lines, the last
 * ending in a credit, and something before the credit (a lone `[Reuters]`
 * line is a paragraph: an image needs a caption). */
static bool
image_block(const struct line *lines, size_t n, const char **bracket)
{
    if (n > 2 || !find_credit(&lines[n - 1], bracket))
        return false;
    if (n == 2)
        return true;
    for (const char *p = lines[0].s; p < *bracket; p++)
        if (*p != ' ' && *p != '\t')
            return true;
    return false;
}

/* Joins lines[first..first+n) with single spaces into a new string. */
static char *
join_lines(const struct line *lines, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lines[i].len + 1;
    char *out = malloc(total + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ' ';
        memcpy(p, lines[i].s, lines[i].len);
        p += lines[i].len;
    }
    *p = '\0';
    return out;
}

static int
add_image(struct article *a, const struct line *lines, size_t n, const char *bracket)
{
    const struct line *last = &lines[n - 1];
    struct article_block *b = article_add_block(a, ARTICLE_IMAGE);
    if (!b)
        return -1;
    size_t clen = (size_t)(bracket - last->s);
    const char *caption = trim(last->s, &clen);
    if (parse_credit(bracket + 1, last->len - (size_t)(bracket - last->s) - 2, &b->credit) != 0)
        return -1;
    if (n == 2 && !(lines[0].len == last->len && memcmp(lines[0].s, last->s, last->len) == 0)) {
        if (clen == 0) /* `Alt text` then a bare `[Credit]`: the first line is the caption */
            return set_copy(&b->text, lines[0].s, lines[0].len);
        if (set_copy(&b->alt, lines[0].s, lines[0].len) != 0)
            return -1;
    }
    return set_copy(&b->text, caption, clen);
}

static bool
ends_like_sentence(const struct line *l)
{
    static const char *const closers[] = {".", "!", "?", ":",      ";",      ",",     "\"",
                                          "'", ")", "]", "\u2026", "\u201D", "\u2019"};
    for (size_t k = 0; k < sizeof closers / sizeof *closers; k++) {
        size_t cl = strlen(closers[k]);
        if (l->len >= cl && memcmp(l->s + l->len - cl, closers[k], cl) == 0)
            return true;
    }
    return false;
}

static bool
is_subheading(const struct line *l)
{
    if (l->len == 0 || l->len > SUBHEADING_MAX_BYTES || ends_like_sentence(l))
        return false;
    unsigned char c0 = (unsigned char)l->s[0];
    if (islower(c0) || c0 == '"' || (l->len >= 3 && memcmp(l->s, "\u201C", 3) == 0))
        return false;
    size_t words = 1;
    for (size_t i = 0; i < l->len; i++)
        if (l->s[i] == ' ')
            words++;
    return words <= SUBHEADING_MAX_WORDS;
}

static bool
is_source_line(const struct line *l, size_t *prefix)
{
    static const char *const prefixes[] = {"Sources:", "Source:"};
    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(prefixes[k]);
        if (l->len >= pl && strncasecmp(l->s, prefixes[k], pl) == 0) {
            *prefix = pl;
            return true;
        }
    }
    return false;
}

/* Classifies one block of lines (no blank line inside) and adds it to the
 * article. `standfirst` is true for the block right after the headline. */
static int
add_block(struct article *a, const struct line *lines, size_t n, bool standfirst)
{
    const char *bracket;
    size_t prefix;
    if (image_block(lines, n, &bracket))
        return add_image(a, lines, n, bracket);
    if (n == 1 && is_source_line(&lines[0], &prefix))
        return add_csv(&a->source, &a->nsource, lines[0].s + prefix, lines[0].len - prefix);
    char *text = join_lines(lines, n);
    if (!text)
        return -1;
    if (standfirst) {
        a->standfirst = text;
        return 0;
    }
    struct article_block *b = article_add_block(
        a, n == 1 && is_subheading(&lines[0]) ? ARTICLE_SUBHEADING : ARTICLE_PARAGRAPH);
    if (!b) {
        free(text);
        return -1;
    }
    b->text = text;
    return 0;
}

static struct article *
parse_utf8(const char *s, size_t len, struct article_error *err)
{
    struct line *lines = NULL;
    struct article *a = article_new();
    size_t n = a ? split_lines(s, len, &lines) : (size_t)-1;
    if (n == (size_t)-1) {
        fail_at(err, 1, "out of memory");
        goto fail;
    }
    size_t i = 0;
    size_t key_lines[sizeof fm_strings / sizeof *fm_strings] = {0};
    if (n > 0 && line_is(&lines[0], "---") &&
        !(i = parse_front_matter(lines, n, a, key_lines, err)))
        goto fail;
    while (i < n && lines[i].len == 0)
        i++;
    if (i == n) {
        fail_at(err, n ? lines[n - 1].number : 1, "no headline: the article has no text");
        goto fail;
    }
    if (set_copy(&a->headline, lines[i].s, lines[i].len) != 0) {
        fail_at(err, lines[i].number, "out of memory");
        goto fail;
    }
    size_t headline_line = lines[i].number;
    i++;
    bool first = true;
    while (i < n) {
        while (i < n && lines[i].len == 0)
            i++;
        size_t start = i;
        while (i < n && lines[i].len > 0)
            i++;
        if (i == start)
            break;
        /* A standfirst is the block after the headline, unless it is media or provenance. */
        const char *bracket;
        size_t prefix, nb = i - start;
        bool standfirst = first && !image_block(&lines[start], nb, &bracket) &&
                          !(nb == 1 && is_source_line(&lines[start], &prefix));
        first = false;
        if (add_block(a, &lines[start], nb, standfirst) != 0) {
            fail_at(err, lines[start].number, "out of memory");
            goto fail;
        }
    }
    if (article_finish(a, err) != 0) {
        /* A field error is reported at the line that holds the field. */
        size_t at = strcmp(err->field, "/headline") == 0 ? headline_line : 0;
        for (size_t k = 0; k < sizeof fm_strings / sizeof *fm_strings; k++)
            if (err->field[0] == '/' && strcmp(err->field + 1, fm_strings[k].name) == 0)
                at = key_lines[k];
        if (at)
            snprintf(err->field, sizeof err->field, "line %zu", at);
        goto fail;
    }
    free(lines);
    return a;
fail:
    free(lines);
    article_free(a);
    return NULL;
}

struct article *
textformat_parse(const char *buf, size_t len, struct article_error *err)
{
    memset(err, 0, sizeof *err);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    if (len == 0) {
        fail_at(err, 1, "empty file");
        return NULL;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        size_t line = 1;
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        fail_at(err, line, "contains a NUL byte: not a text file");
        return NULL;
    }
    size_t bad;
    if (utf8_valid(buf, len, &bad))
        return parse_utf8(buf, len, err);
    size_t dlen;
    char *decoded = utf8_from_cp1252(buf, len, &dlen);
    if (!decoded) {
        fail_at(err, 1, "out of memory");
        return NULL;
    }
    struct article *a = parse_utf8(decoded, dlen, err);
    free(decoded);
    char note[96];
    snprintf(note, sizeof note, "not valid UTF-8 (byte %zu); decoded as Windows-1252/Latin-1", bad);
    if (a)
        add_warning(err, note);
    return a;
}
