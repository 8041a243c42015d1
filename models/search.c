/* search: the inverted index, the query parser, BM25 and snippets.
 *
 * Layout of the index (all arrays, no per-posting allocation):
 * - terms: stemmed keys in one character arena, found through an
 *   open-addressing table of term numbers;
 * - postings: for term t, entries term_post[t] .. term_post[t+1] of post_doc
 *   (article numbers, ascending) and post_wtf (the term's frequency in the
 *   article, each occurrence counted with its field's weight, in halves);
 * - positions: for posting p, the bytes pos[post_pos[p] .. post_pos[p+1]):
 *   the word numbers where the term occurs, ascending, as varint deltas.
 *   An article's words are numbered headline first, then standfirst, body
 *   blocks, captions, with one unused number between two texts so that a
 *   phrase never spans them; field_start says where each field begins. */
#include "models/search.h"

#include "models/stemmer.h"
#include "models/strbuf.h"
#include "models/utf8.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 4
#define KEY_MAX 64  /* bytes of a folded word; longer words are cut */
#define STEM_MAX 80 /* a stem is never much longer than its word */
#define BM25_K1 1.2
#define BM25_B 0.75
#define SNIPPET_CONTEXT 30 /* code points shown before the first mark */
#define SNIPPET_MARKS 32   /* marks kept per snippet */

/* Field weights are counted in halves so that a weighted frequency is a small
 * integer (uint16_t in a posting): 6 is a weight of 3. */
static const struct {
    const char *name;
    unsigned halves;
} fields[NFIELDS] = {
    [SEARCH_HEADLINE] = {"headline", 6},
    [SEARCH_STANDFIRST] = {"standfirst", 3},
    [SEARCH_BODY] = {"body", 2},
    [SEARCH_CAPTION] = {"caption", 1},
};

const char *
search_field_name(enum search_field f)
{
    return (unsigned)f < NFIELDS ? fields[f].name : "";
}

/* ---- Folding ---------------------------------------------------------- */


/* How letters outside Latin are lower-cased: in each range, either every code
 * point moves by `delta`, or (pairs) the upper case is every other code point
 * from lo and its lower case the next one. Ranges absent here hold no words. */
enum case_rule { CASELESS, SHIFT, PAIRS };

static const struct letter_range {
    uint32_t lo, hi;
    enum case_rule rule;
    int delta;
} letter_ranges[] = {
    {0x0250, 0x02AF, CASELESS, 0}, /* IPA */
    {0x0386, 0x0386, SHIFT, 38},   {0x0388, 0x038A, SHIFT, 37},   {0x038C, 0x038C, SHIFT, 64},
    {0x038E, 0x038F, SHIFT, 63},   {0x0390, 0x0390, CASELESS, 0}, {0x0391, 0x03A1, SHIFT, 32},
    {0x03A3, 0x03AB, SHIFT, 32},   {0x03AC, 0x03C1, CASELESS, 0}, {0x03C2, 0x03C2, SHIFT, 1},
    {0x03C3, 0x03CE, CASELESS, 0}, /* Greek, final sigma as sigma */
    {0x0400, 0x040F, SHIFT, 80},   {0x0410, 0x042F, SHIFT, 32},   {0x0430, 0x045F, CASELESS, 0},
    {0x0460, 0x0481, PAIRS, 0},    {0x048A, 0x04BF, PAIRS, 0},    {0x04C0, 0x04C0, SHIFT, 15},
    {0x04C1, 0x04CE, PAIRS, 0},    {0x04CF, 0x04CF, CASELESS, 0}, {0x04D0, 0x052F, PAIRS, 0},
    {0x0531, 0x0556, SHIFT, 48},   {0x0561, 0x0587, CASELESS, 0}, /* Armenian */
    {0x05D0, 0x05EA, CASELESS, 0},                                /* Hebrew */
    {0x0620, 0x064A, CASELESS, 0}, {0x0660, 0x0669, CASELESS, 0}, {0x0671, 0x06D3, CASELESS, 0},
    {0x0900, 0x0963, CASELESS, 0}, {0x0966, 0x096F, CASELESS, 0}, /* Devanagari */
    {0x0E01, 0x0E3A, CASELESS, 0}, {0x0E40, 0x0E4E, CASELESS, 0}, /* Thai */
    {0x10D0, 0x10FF, CASELESS, 0},                                /* Georgian */
    {0x1100, 0x11FF, CASELESS, 0},                                /* Hangul jamo */
    {0x3041, 0x30FF, CASELESS, 0},                                /* kana */
    {0x3400, 0x4DBF, CASELESS, 0}, {0x4E00, 0x9FFF, CASELESS, 0}, /* CJK */
    {0xAC00, 0xD7A3, CASELESS, 0},                                /* Hangul */
};

/* Code points that belong inside a word but stand for nothing: combining
 * marks (decomposed accents fold away with them), the soft hyphen and the
 * zero-width joiners. */
static const struct {
    uint32_t lo, hi;
} ignorables[] = {
    {0x00AD, 0x00AD}, {0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200D}, {0x20D0, 0x20FF}, {0xFE20, 0xFE2F},
};

static bool
is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

/* fold_cp beyond ASCII. */
static int
fold_non_ascii(uint32_t cp, char out[4])
{
    if (utf8_in_latin_fold(cp)) {
        if (cp == 0xD7 || cp == 0xF7)
            return -1;
        const char *f = utf8_fold_latin(cp);
        if (*f) {
            size_t n = strlen(f);
            memcpy(out, f, n);
            return (int)n;
        }
        return (int)utf8_encode(cp, out);
    }
    for (size_t i = 0; i < sizeof ignorables / sizeof *ignorables; i++)
        if (cp >= ignorables[i].lo && cp <= ignorables[i].hi)
            return 0;
    if (cp >= 0xFF10 && cp <= 0xFF19) { /* fullwidth digits and letters */
        out[0] = (char)('0' + cp - 0xFF10);
        return 1;
    }
    if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) {
        out[0] = (char)('a' + (cp - 0xFF21) % 32);
        return 1;
    }
    for (size_t i = 0; i < sizeof letter_ranges / sizeof *letter_ranges; i++) {
        const struct letter_range *r = &letter_ranges[i];
        if (cp < r->lo || cp > r->hi)
            continue;
        uint32_t lower = cp;
        if (r->rule == SHIFT)
            lower = cp + (uint32_t)r->delta;
        else if (r->rule == PAIRS && (cp - r->lo) % 2 == 0)
            lower = cp + 1;
        return (int)utf8_encode(lower, out);
    }
    return -1;
}

/* Writes the folded form of cp to out (up to 4 bytes) and returns its length:
 * 0 for an ignorable, -1 for a code point that is not part of a word. */
static inline int
fold_cp(uint32_t cp, char out[4])
{
    if (cp - '0' < 10 || (cp | 0x20) - 'a' < 26) {
        out[0] = (char)(cp < 'A' ? cp : cp | 0x20);
        return 1;
    }
    return cp < 0x80 ? -1 : fold_non_ascii(cp, out);
}

/* ---- Words ------------------------------------------------------------ */

struct word {
    size_t start, end;       /* bytes of the text, end exclusive */
    size_t cp_start, cp_end; /* code points */
    char key[KEY_MAX + 1];   /* folded, NUL-terminated */
    size_t klen;
};

/* A cursor over one text; keys false leaves word.key unwritten (klen still
 * counts its bytes) for callers that need offsets only. */
struct words {
    const char *s;
    size_t len, i, cp;
    bool keys;
};

static void
words_init(struct words *w, const char *s, size_t len)
{
    w->s = s;
    w->len = len;
    w->i = 0;
    w->cp = 0;
    w->keys = true;
}

static void
key_add(const struct words *w, struct word *out, const char *b, int n)
{
    if (n <= 0 || out->klen + (size_t)n > KEY_MAX)
        return;
    if (w->keys)
        for (int k = 0; k < n; k++)
            out->key[out->klen + (size_t)k] = b[k];
    out->klen += (size_t)n;
}

/* utf8_next with the common case, an ASCII byte, first. */
static uint32_t
next_cp(const char *s, size_t len, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    return utf8_next(s, len, i);
}

/* Finds the next word: a run of letters and digits (with ignorables inside),
 * joined across one apostrophe that has a letter or digit on each side. A word
 * whose folded form is empty (only ignorables) is skipped. False at the end. */
static bool
words_next(struct words *w, struct word *out)
{
    char b[4];
    for (;;) {
        /* Skip to a code point that starts a word. */
        int n = -1;
        size_t start = w->i, cp_start = w->cp;
        while (w->i < w->len) {
            start = w->i;
            cp_start = w->cp;
            uint32_t c = next_cp(w->s, w->len, &w->i);
            w->cp++;
            if ((n = fold_cp(c, b)) > 0)
                break;
        }
        if (n <= 0)
            return false;
        out->start = start;
        out->cp_start = cp_start;
        out->klen = 0;
        key_add(w, out, b, n);
        out->end = w->i;
        out->cp_end = w->cp;
        while (w->i < w->len) {
            size_t j = w->i;
            uint32_t c = next_cp(w->s, w->len, &j);
            n = fold_cp(c, b);
            if (n < 0 && is_apostrophe(c) && j < w->len) {
                size_t k = j;
                char b2[4];
                int n2 = fold_cp(next_cp(w->s, w->len, &k), b2);
                if (n2 <= 0)
                    break;
                key_add(w, out, "'", 1);
                key_add(w, out, b2, n2);
                w->i = k;
                w->cp += 2;
            } else if (n < 0) {
                break;
            } else {
                key_add(w, out, b, n);
                w->i = j;
                w->cp++;
            }
            out->end = w->i;
            out->cp_end = w->cp;
        }
        if (out->klen > 0) {
            out->key[w->keys ? out->klen : 0] = '\0';
            return true;
        }
    }
}

/* Stems a folded word into out (STEM_MAX + 1 bytes). -1 on allocation failure. */
static int
stem(struct sb_stemmer *st, const char *key, size_t klen, char *out, size_t *olen)
{
    size_t n = 0;
    const char *s = stemmer_stem(st, key, klen, &n);
    if (!s)
        return -1;
    if (n > STEM_MAX)
        n = STEM_MAX;
    memcpy(out, s, n);
    out[n] = '\0';
    *olen = n;
    return 0;
}

/* ---- The texts of an article, in index order --------------------------- */

struct unit {
    enum search_field field;
    size_t block;
    const char *text;
};

/* Walks headline, standfirst, body texts, then captions (and alt texts that
 * differ from their caption). Zero-initialise, then call until false. */
struct units {
    int phase; /* 0 headline, 1 standfirst, 2 body, 3 caption, 4 alt, 5 done */
    size_t block;
};

static bool
units_next(const struct article *a, struct units *it, struct unit *u)
{
    for (;;) {
        switch (it->phase) {
        case 0:
            it->phase = 1;
            if (a->headline) {
                *u = (struct unit){SEARCH_HEADLINE, 0, a->headline};
                return true;
            }
            break;
        case 1:
            it->phase = 2;
            it->block = 0;
            if (a->standfirst) {
                *u = (struct unit){SEARCH_STANDFIRST, 0, a->standfirst};
                return true;
            }
            break;
        case 2:
        case 3:
        case 4: {
            if (it->block >= a->nbody) {
                it->phase = it->phase == 2 ? 3 : 5;
                it->block = 0;
                break;
            }
            const struct article_block *bl = &a->body[it->block];
            size_t blk = it->block;
            if (it->phase == 2) {
                it->block++;
                if (bl->type != ARTICLE_IMAGE && bl->text) {
                    *u = (struct unit){SEARCH_BODY, blk, bl->text};
                    return true;
                }
            } else if (it->phase == 3) {
                it->phase = 4;
                if (bl->type == ARTICLE_IMAGE && bl->text) {
                    *u = (struct unit){SEARCH_CAPTION, blk, bl->text};
                    return true;
                }
            } else {
                it->phase = 3;
                it->block++;
                if (bl->type == ARTICLE_IMAGE && bl->alt &&
                    (!bl->text || strcmp(bl->alt, bl->text))) {
                    *u = (struct unit){SEARCH_CAPTION, blk, bl->alt};
                    return true;
                }
            }
            break;
        }
        default:
            return false;
        }
    }
}

/* ---- The index -------------------------------------------------------- */

struct search_index {
    const struct article **articles;
    size_t n;
    /* terms */
    char *chars;         /* stems, each NUL-terminated */
    uint32_t *term_off;  /* nterms: offset of each stem in chars */
    uint32_t *term_post; /* nterms + 1 */
    size_t nterms;
    uint32_t *table; /* term number + 1, 0 empty; size mask + 1 */
    size_t mask;
    /* postings */
    uint32_t *post_doc;
    uint16_t *post_wtf; /* in halves, at most UINT16_MAX */
    uint32_t *post_pos; /* npost + 1 */
    size_t npost;
    uint8_t *pos;
    size_t npos; /* bytes */
    /* articles */
    uint32_t *field_start; /* n * NFIELDS */
    float *norm;           /* k1 * (1 - b + b * length / average length) */
};

/* Room for element number n of the array v of *cap elements of elem bytes:
 * v itself when it has room, else v grown to twice *cap (or to first) with
 * *cap updated. NULL on allocation failure, v then unchanged and still owned
 * by the caller. */
static void *
grow(void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? *cap * 2 : first;
    if (c > SIZE_MAX / elem)
        return NULL;
    void *grown = realloc(v, c * elem);
    if (grown)
        *cap = c;
    return grown;
}

static uint32_t
hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* A growable table of distinct strings numbered from 0, used while building:
 * the folded words seen and the stems. */
struct strtab {
    char *chars;
    size_t len, cap;
    uint32_t *off; /* string number -> offset in chars */
    uint32_t *val; /* string number -> a value the caller keeps */
    size_t n, ncap;
    uint32_t *slots; /* number + 1, 0 empty */
    size_t mask;
};

static void
strtab_free(struct strtab *t)
{
    free(t->chars);
    free(t->off);
    free(t->val);
    free(t->slots);
}

static int
strtab_grow_slots(struct strtab *t)
{
    size_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const char *s = t->chars + t->off[i];
        size_t h = hash(s, strlen(s)) & (cap - 1);
        while (slots[h])
            h = (h + 1) & (cap - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

/* The number of s[0..n) in t, adding it when new (*added set). -1 on OOM or
 * when the table would pass UINT32_MAX. */
static int64_t
strtab_intern(struct strtab *t, const char *s, size_t n, bool *added)
{
    *added = false;
    if ((t->n + 1) * 2 > t->mask + 1 && strtab_grow_slots(t) < 0)
        return -1;
    size_t h = hash(s, n) & t->mask;
    for (; t->slots[h]; h = (h + 1) & t->mask) {
        const char *o = t->chars + t->off[t->slots[h] - 1];
        if (strncmp(o, s, n) == 0 && o[n] == '\0')
            return t->slots[h] - 1;
    }
    if (t->len + n + 1 > UINT32_MAX || t->n + 1 >= UINT32_MAX)
        return -1;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *c = realloc(t->chars, cap);
        if (!c)
            return -1;
        t->chars = c;
        t->cap = cap;
    }
    size_t cap = t->ncap; /* off and val grow together */
    uint32_t *off = grow(t->off, t->n, &cap, sizeof *off, 1024);
    if (!off)
        return -1;
    t->off = off;
    uint32_t *val = grow(t->val, t->n, &t->ncap, sizeof *val, 1024);
    if (!val)
        return -1;
    t->val = val;
    memcpy(t->chars + t->len, s, n);
    t->chars[t->len + n] = '\0';
    t->off[t->n] = (uint32_t)t->len;
    t->val[t->n] = 0;
    t->len += n + 1;
    t->slots[h] = (uint32_t)t->n + 1;
    *added = true;
    return (int64_t)t->n++;
}

/* The words of every article as (term, position) pairs, article after article. */
struct stream {
    uint32_t *term, *pos;
    size_t n, cap;
};

static int
stream_add(struct stream *s, uint32_t term, uint32_t pos)
{
    size_t cap = s->cap; /* term and pos grow together */
    uint32_t *t = grow(s->term, s->n, &cap, sizeof *t, 65536);
    if (!t)
        return -1;
    s->term = t;
    uint32_t *p = grow(s->pos, s->n, &s->cap, sizeof *p, 65536);
    if (!p)
        return -1;
    s->pos = p;
    s->term[s->n] = term;
    s->pos[s->n++] = pos;
    return 0;
}

static enum search_field
field_of(const struct search_index *idx, size_t doc, uint32_t pos)
{
    const uint32_t *fs = idx->field_start + doc * NFIELDS;
    int f = NFIELDS - 1;
    while (f > 0 && fs[f] > pos)
        f--;
    return (enum search_field)f;
}

/* Tokenises every article into the stream, interning words and stems;
 * fills field_start and the article lengths (in lens). */
static int
tokenize_all(struct search_index *idx, struct sb_stemmer *st, struct strtab *stems,
             struct stream *s, size_t *doc_first, uint32_t *lens)
{
    struct strtab surface = {0};
    char stemmed[STEM_MAX + 1];
    for (size_t d = 0; d < idx->n; d++) {
        doc_first[d] = s->n;
        uint32_t pos = 0, count = 0;
        uint32_t *fs = idx->field_start + d * NFIELDS;
        int next_field = 0;
        struct units it = {0};
        struct unit u;
        while (units_next(idx->articles[d], &it, &u)) {
            while (next_field <= (int)u.field)
                fs[next_field++] = pos;
            struct words w;
            struct word wd;
            words_init(&w, u.text, strlen(u.text));
            while (words_next(&w, &wd)) {
                if (pos >= UINT32_MAX - 2)
                    break; /* no article comes near; the rest is not indexed */
                bool added;
                int64_t sid = strtab_intern(&surface, wd.key, wd.klen, &added);
                if (sid < 0)
                    goto fail;
                if (added) {
                    size_t slen;
                    bool new_stem;
                    if (stem(st, wd.key, wd.klen, stemmed, &slen) < 0)
                        goto fail;
                    int64_t tid = strtab_intern(stems, stemmed, slen, &new_stem);
                    if (tid < 0)
                        goto fail;
                    surface.val[sid] = (uint32_t)tid;
                }
                if (stream_add(s, surface.val[sid], pos++) < 0)
                    goto fail;
                count++;
            }
            pos++; /* the gap between two texts */
        }
        while (next_field < NFIELDS)
            fs[next_field++] = pos;
        lens[d] = count;
    }
    doc_first[idx->n] = s->n;
    strtab_free(&surface);
    return 0;
fail:
    strtab_free(&surface);
    return -1;
}

static size_t
varint_len(uint32_t v)
{
    size_t n = 1;
    for (; v >= 0x80; v >>= 7)
        n++;
    return n;
}

static size_t
varint_put(uint8_t *o, uint32_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        o[n++] = (uint8_t)(v | 0x80);
    o[n++] = (uint8_t)v;
    return n;
}

/* Builds term_post, post_* and pos from the stream, in two passes over it:
 * one to size each term's postings and position bytes, one to fill them. */
static int
invert(struct search_index *idx, const struct stream *s, const size_t *doc_first)
{
    size_t nt = idx->nterms ? idx->nterms : 1;
    int rc = -1;
    uint32_t *last = calloc(nt, sizeof *last); /* article last seen + 1 */
    uint32_t *prev = calloc(nt, sizeof *prev); /* position last seen there */
    uint32_t *cur = calloc(nt, sizeof *cur);   /* its posting */
    size_t *bytes = calloc(nt, sizeof *bytes); /* position bytes, then next free byte */
    idx->term_post = calloc(nt + 1, sizeof *idx->term_post);
    if (!last || !prev || !cur || !bytes || !idx->term_post)
        goto done;
    for (size_t d = 0; d < idx->n; d++)
        for (size_t k = doc_first[d]; k < doc_first[d + 1]; k++) {
            uint32_t t = s->term[k];
            if (last[t] != d + 1) {
                last[t] = (uint32_t)d + 1;
                prev[t] = 0;
                idx->term_post[t + 1]++;
            }
            bytes[t] += varint_len(s->pos[k] - prev[t]);
            prev[t] = s->pos[k];
        }
    size_t acc = 0;
    for (size_t t = 0; t < idx->nterms; t++) {
        idx->term_post[t + 1] += idx->term_post[t];
        size_t b = bytes[t];
        bytes[t] = acc;
        acc += b;
    }
    if (acc >= UINT32_MAX)
        goto done;
    idx->npost = idx->term_post[idx->nterms];
    idx->npos = acc;
    idx->post_doc = malloc((idx->npost ? idx->npost : 1) * sizeof *idx->post_doc);
    idx->post_wtf = malloc((idx->npost ? idx->npost : 1) * sizeof *idx->post_wtf);
    idx->post_pos = malloc((idx->npost + 1) * sizeof *idx->post_pos);
    idx->pos = malloc(acc ? acc : 1);
    if (!idx->post_doc || !idx->post_wtf || !idx->post_pos || !idx->pos)
        goto done;
    memset(last, 0, nt * sizeof *last);
    for (size_t t = 0; t < idx->nterms; t++)
        cur[t] = idx->term_post[t] - 1; /* advanced before first use */
    for (size_t d = 0; d < idx->n; d++)
        for (size_t k = doc_first[d]; k < doc_first[d + 1]; k++) {
            uint32_t t = s->term[k];
            if (last[t] != d + 1) {
                last[t] = (uint32_t)d + 1;
                prev[t] = 0;
                uint32_t p = ++cur[t];
                idx->post_doc[p] = (uint32_t)d;
                idx->post_wtf[p] = 0;
                idx->post_pos[p] = (uint32_t)bytes[t];
            }
            unsigned w = idx->post_wtf[cur[t]] + fields[field_of(idx, d, s->pos[k])].halves;
            idx->post_wtf[cur[t]] = (uint16_t)(w < UINT16_MAX ? w : UINT16_MAX);
            bytes[t] += varint_put(idx->pos + bytes[t], s->pos[k] - prev[t]);
            prev[t] = s->pos[k];
        }
    idx->post_pos[idx->npost] = (uint32_t)idx->npos;
    rc = 0;
done:
    free(last);
    free(prev);
    free(cur);
    free(bytes);
    return rc;
}

struct search_index *
search_build(const struct article *const *articles, size_t n)
{
    struct search_index *idx = calloc(1, sizeof *idx);
    const char *why = NULL;
    struct sb_stemmer *st = stemmer_new(&why);
    struct strtab stems = {0};
    struct stream s = {0};
    size_t *doc_first = NULL;
    uint32_t *lens = NULL;
    if (!idx || !st || n >= UINT32_MAX)
        goto fail;
    idx->n = n;
    idx->articles = malloc((n ? n : 1) * sizeof *idx->articles);
    idx->field_start = malloc((n ? n : 1) * NFIELDS * sizeof *idx->field_start);
    idx->norm = malloc((n ? n : 1) * sizeof *idx->norm);
    doc_first = malloc((n + 1) * sizeof *doc_first);
    lens = malloc((n ? n : 1) * sizeof *lens);
    if (!idx->articles || !idx->field_start || !idx->norm || !doc_first || !lens)
        goto fail;
    for (size_t d = 0; d < n; d++)
        idx->articles[d] = articles[d];
    if (tokenize_all(idx, st, &stems, &s, doc_first, lens) < 0)
        goto fail;
    idx->nterms = stems.n;
    if (invert(idx, &s, doc_first) < 0)
        goto fail;

    double avg = n && s.n ? (double)s.n / (double)n : 1.0;
    for (size_t d = 0; d < n; d++)
        idx->norm[d] = (float)(BM25_K1 * (1.0 - BM25_B + BM25_B * lens[d] / avg));

    /* Keep the stems and a lookup table sized for them alone. */
    idx->chars = stems.chars;
    idx->term_off = stems.off;
    stems.chars = NULL;
    stems.off = NULL;
    char *shrunk = realloc(idx->chars, stems.len ? stems.len : 1);
    if (shrunk)
        idx->chars = shrunk;
    uint32_t *off = realloc(idx->term_off, (stems.n ? stems.n : 1) * sizeof *off);
    if (off)
        idx->term_off = off;
    size_t cap = 16;
    while (cap < idx->nterms * 2)
        cap *= 2;
    idx->table = calloc(cap, sizeof *idx->table);
    if (!idx->table)
        goto fail;
    idx->mask = cap - 1;
    for (size_t t = 0; t < idx->nterms; t++) {
        const char *k = idx->chars + idx->term_off[t];
        size_t h = hash(k, strlen(k)) & idx->mask;
        while (idx->table[h])
            h = (h + 1) & idx->mask;
        idx->table[h] = (uint32_t)t + 1;
    }
    strtab_free(&stems);
    free(s.term);
    free(s.pos);
    free(doc_first);
    free(lens);
    stemmer_free(st);
    return idx;
fail:
    strtab_free(&stems);
    free(s.term);
    free(s.pos);
    free(doc_first);
    free(lens);
    stemmer_free(st);
    search_free(idx);
    return NULL;
}

void
search_free(struct search_index *idx)
{
    if (!idx)
        return;
    free(idx->articles);
    free(idx->chars);
    free(idx->term_off);
    free(idx->term_post);
    free(idx->table);
    free(idx->post_doc);
    free(idx->post_wtf);
    free(idx->post_pos);
    free(idx->pos);
    free(idx->field_start);
    free(idx->norm);
    free(idx);
}

size_t
search_memory(const struct search_index *idx)
{
    size_t chars = 0;
    if (idx->nterms) {
        const char *last = idx->chars + idx->term_off[idx->nterms - 1];
        chars = (size_t)(last - idx->chars) + strlen(last) + 1;
    }
    return sizeof *idx +
           idx->n * (sizeof *idx->articles + NFIELDS * sizeof(uint32_t) + sizeof(float)) + chars +
           idx->nterms * 2 * sizeof(uint32_t) + sizeof(uint32_t) +
           (idx->mask + 1) * sizeof(uint32_t) +
           idx->npost * (2 * sizeof(uint32_t) + sizeof(uint16_t)) + sizeof(uint32_t) + idx->npos;
}

/* The number of stem key, or -1 when no article holds it. */
static int64_t
term_find(const struct search_index *idx, const char *key)
{
    size_t n = strlen(key);
    for (size_t h = hash(key, n) & idx->mask; idx->table[h]; h = (h + 1) & idx->mask) {
        uint32_t t = idx->table[h] - 1;
        if (strcmp(idx->chars + idx->term_off[t], key) == 0)
            return t;
    }
    return -1;
}

/* ---- Queries ---------------------------------------------------------- */

/* A term (n == 1) or a phrase: stems words[first .. first + n). Items of one
 * group are alternatives (OR); every group must match (AND); an excluded item
 * must not match and belongs to no group. */
struct item {
    uint8_t first, n;
    uint8_t group;
    bool excluded;
};

struct search_query {
    char words[SEARCH_QUERY_MAX_TERMS][STEM_MAX + 1];
    size_t nwords;
    struct item items[SEARCH_QUERY_MAX_TERMS];
    size_t nitems, ngroups;
};

static bool
is_query_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

static bool
is_double_quote(uint32_t c)
{
    return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E;
}

/* Adds the words of s[0..len) as one item; nothing when it holds no word. */
static int
add_item(struct search_query *q, struct sb_stemmer *st, const char *s, size_t len, bool excluded,
         char *err, size_t errlen)
{
    struct words w;
    struct word wd;
    size_t first = q->nwords;
    words_init(&w, s, len);
    while (words_next(&w, &wd)) {
        if (q->nwords == SEARCH_QUERY_MAX_TERMS) {
            snprintf(err, errlen, "the query has more than %d words", SEARCH_QUERY_MAX_TERMS);
            return -1;
        }
        size_t slen;
        if (stem(st, wd.key, wd.klen, q->words[q->nwords], &slen) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        q->nwords++;
    }
    if (q->nwords == first)
        return 0;
    q->items[q->nitems++] =
        (struct item){(uint8_t)first, (uint8_t)(q->nwords - first), 0, excluded};
    return 1;
}

struct search_query *
search_parse(const char *s, char *err, size_t errlen)
{
    size_t len = strlen(s), bad;
    struct search_query *q = NULL;
    struct sb_stemmer *st = NULL;
    if (len > SEARCH_QUERY_MAX_BYTES) {
        snprintf(err, errlen, "the query is longer than %d bytes", SEARCH_QUERY_MAX_BYTES);
        return NULL;
    }
    if (!utf8_valid(s, len, &bad)) {
        snprintf(err, errlen, "the query is not valid UTF-8 (byte %zu)", bad);
        return NULL;
    }
    const char *why = "out of memory";
    q = calloc(1, sizeof *q);
    st = q ? stemmer_new(&why) : NULL;
    if (!q || !st) {
        snprintf(err, errlen, "%s", why);
        goto fail;
    }
    bool or_pending = false, after_term = false;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        uint32_t c = utf8_next(s, len, &j);
        if (is_query_space(c)) {
            i = j;
            continue;
        }
        bool excluded = false;
        if (c == '-' && j < len) {
            size_t k = j;
            uint32_t next = utf8_next(s, len, &k);
            if (!is_query_space(next)) {
                excluded = true;
                i = j;
                j = k;
                c = next;
            }
        }
        size_t start, end;
        if (is_double_quote(c)) {
            start = end = j;
            for (;;) {
                if (end >= len) {
                    snprintf(err, errlen, "a quote opened at byte %zu is not closed", i);
                    goto fail;
                }
                size_t k = end;
                if (is_double_quote(utf8_next(s, len, &k)))
                    break;
                end = k;
            }
            i = end;
            utf8_next(s, len, &i); /* the closing quote */
        } else {
            start = i;
            end = i;
            while (end < len) {
                size_t k = end;
                uint32_t d = utf8_next(s, len, &k);
                if (is_query_space(d) || is_double_quote(d))
                    break;
                end = k;
            }
            i = end;
            if (!excluded && end - start == 2 && memcmp(s + start, "OR", 2) == 0) {
                if (!after_term || or_pending) {
                    snprintf(err, errlen, "OR at byte %zu needs a term before it", start);
                    goto fail;
                }
                or_pending = true;
                after_term = false;
                continue;
            }
        }
        if (excluded && or_pending) {
            snprintf(err, errlen, "OR needs a term after it, not an exclusion");
            goto fail;
        }
        int added = add_item(q, st, s + start, end - start, excluded, err, errlen);
        if (added < 0)
            goto fail;
        if (added == 0)
            continue;
        struct item *it = &q->items[q->nitems - 1];
        if (excluded) {
            after_term = false;
            continue;
        }
        if (!or_pending)
            q->ngroups++;
        it->group = (uint8_t)(q->ngroups - 1);
        or_pending = false;
        after_term = true;
    }
    if (or_pending) {
        snprintf(err, errlen, "OR at the end of the query needs a term after it");
        goto fail;
    }
    if (q->ngroups == 0) {
        snprintf(err, errlen,
                 q->nitems ? "the query only excludes; add a term to search for"
                           : "the query has no word to search for");
        goto fail;
    }
    stemmer_free(st);
    return q;
fail:
    stemmer_free(st);
    free(q);
    return NULL;
}

void
search_query_free(struct search_query *q)
{
    free(q);
}

/* ---- Matching and ranking ---------------------------------------------- */

/* The articles an item matches, ascending, with the item's weighted frequency
 * in each. Borrowed from the index for a term, owned (buf) for a phrase. */
struct plist {
    const uint32_t *doc;
    const uint16_t *wtf; /* in halves */
    size_t n;
    void *buf;
};

/* First index in a[lo..n) whose value is >= v (galloping from lo). */
static size_t
seek(const uint32_t *a, size_t lo, size_t n, uint32_t v)
{
    size_t step = 1, hi = lo;
    while (hi < n && a[hi] < v) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The posting of term t for article d, or -1. */
static int64_t
posting(const struct search_index *idx, uint32_t t, uint32_t d)
{
    size_t lo = idx->term_post[t], hi = idx->term_post[t + 1];
    size_t p = seek(idx->post_doc, lo, hi, d);
    return p < hi && idx->post_doc[p] == d ? (int64_t)p : -1;
}

/* Decoded word numbers of one posting. */
struct posbuf {
    uint32_t *v;
    size_t n, cap;
};

static void
posbufs_free(struct posbuf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(b[i].v);
}

/* Decodes the positions of posting p into b; -1 on allocation failure. */
static int
positions(const struct search_index *idx, int64_t p, struct posbuf *b)
{
    uint32_t at = 0;
    b->n = 0;
    for (size_t k = idx->post_pos[p]; k < idx->post_pos[p + 1];) {
        uint32_t delta = 0;
        unsigned shift = 0;
        uint8_t c;
        do {
            c = idx->pos[k++];
            delta |= (uint32_t)(c & 0x7F) << shift;
            shift += 7;
        } while (c & 0x80);
        at += delta;
        uint32_t *v = grow(b->v, b->n, &b->cap, sizeof *v, 64);
        if (!v)
            return -1;
        b->v = v;
        b->v[b->n++] = at;
    }
    return 0;
}

/* Finds where the phrase of n terms, whose postings for article d are p[0..n),
 * starts in d: *halves gets the weighted count of its occurrences, and starts
 * (when not NULL) the first cap of them. bufs[0..n) are scratch buffers.
 * -1 on allocation failure. */
static int
phrase_in(const struct search_index *idx, size_t d, const int64_t *p, size_t n, size_t rare,
          struct posbuf *bufs, unsigned *halves, uint32_t *starts, size_t *nstarts, size_t cap)
{
    *halves = 0;
    for (size_t w = 0; w < n; w++)
        if (positions(idx, p[w], &bufs[w]) < 0)
            return -1;
    size_t at[SEARCH_QUERY_MAX_TERMS] = {0};
    for (size_t k = 0; k < bufs[rare].n; k++) {
        uint32_t v = bufs[rare].v[k];
        if (v < rare)
            continue;
        uint32_t start = v - (uint32_t)rare;
        size_t w = 0;
        for (; w < n; w++) {
            if (w == rare)
                continue;
            at[w] = seek(bufs[w].v, at[w], bufs[w].n, start + (uint32_t)w);
            if (at[w] == bufs[w].n || bufs[w].v[at[w]] != start + (uint32_t)w)
                break;
        }
        if (w < n)
            continue;
        *halves += fields[field_of(idx, d, start)].halves;
        if (starts && *nstarts < cap)
            starts[(*nstarts)++] = start;
    }
    return 0;
}

/* Looks up the stems of item; false when one is in no article. */
static bool
item_terms(const struct search_index *idx, const struct search_query *q, const struct item *it,
           uint32_t *t)
{
    for (size_t w = 0; w < it->n; w++) {
        int64_t id = term_find(idx, q->words[it->first + w]);
        if (id < 0)
            return false;
        t[w] = (uint32_t)id;
    }
    return true;
}

static int
item_list(const struct search_index *idx, const struct search_query *q, const struct item *it,
          struct plist *out)
{
    uint32_t t[SEARCH_QUERY_MAX_TERMS];
    *out = (struct plist){0};
    if (!item_terms(idx, q, it, t))
        return 0;
    if (it->n == 1) {
        out->doc = idx->post_doc + idx->term_post[t[0]];
        out->wtf = idx->post_wtf + idx->term_post[t[0]];
        out->n = idx->term_post[t[0] + 1] - idx->term_post[t[0]];
        return 0;
    }
    /* A phrase: walk the articles of its rarest term. */
    size_t rare = 0;
    for (size_t w = 1; w < it->n; w++)
        if (idx->term_post[t[w] + 1] - idx->term_post[t[w]] <
            idx->term_post[t[rare] + 1] - idx->term_post[t[rare]])
            rare = w;
    size_t lo = idx->term_post[t[rare]], hi = idx->term_post[t[rare] + 1];
    struct posbuf bufs[SEARCH_QUERY_MAX_TERMS] = {{0}};
    uint32_t *docs = malloc((hi - lo ? hi - lo : 1) * (sizeof *docs + sizeof(uint16_t)));
    if (!docs)
        return -1;
    uint16_t *wtf = (uint16_t *)(docs + (hi - lo ? hi - lo : 1));
    size_t cursor[SEARCH_QUERY_MAX_TERMS];
    for (size_t w = 0; w < it->n; w++)
        cursor[w] = idx->term_post[t[w]];
    size_t n = 0;
    for (size_t k = lo; k < hi; k++) {
        uint32_t d = idx->post_doc[k];
        int64_t p[SEARCH_QUERY_MAX_TERMS];
        size_t w = 0;
        for (; w < it->n; w++) {
            size_t end = idx->term_post[t[w] + 1];
            cursor[w] = seek(idx->post_doc, cursor[w], end, d);
            if (cursor[w] == end || idx->post_doc[cursor[w]] != d)
                break;
            p[w] = (int64_t)cursor[w];
        }
        if (w < it->n)
            continue;
        unsigned halves;
        if (phrase_in(idx, d, p, it->n, rare, bufs, &halves, NULL, NULL, 0) < 0) {
            posbufs_free(bufs, it->n);
            free(docs);
            return -1;
        }
        if (halves > 0) {
            docs[n] = d;
            wtf[n++] = (uint16_t)(halves < UINT16_MAX ? halves : UINT16_MAX);
        }
    }
    posbufs_free(bufs, it->n);
    out->doc = docs;
    out->wtf = wtf;
    out->n = n;
    out->buf = docs;
    return 0;
}

/* Scored articles, ascending by article. */
struct scored {
    uint32_t *doc;
    double *score;
    size_t n;
};

static void
scored_free(struct scored *s)
{
    free(s->doc);
    free(s->score);
    *s = (struct scored){0};
}

static int
scored_alloc(struct scored *s, size_t n)
{
    s->doc = malloc((n ? n : 1) * sizeof *s->doc);
    s->score = malloc((n ? n : 1) * sizeof *s->score);
    s->n = 0;
    if (!s->doc || !s->score) {
        scored_free(s);
        return -1;
    }
    return 0;
}

/* BM25 with Lucene's idf, which stays positive for terms in most articles. */
static double
idf(size_t n, size_t df)
{
    return log(1.0 + ((double)n - (double)df + 0.5) / ((double)df + 0.5));
}

/* a := a OR (the scored list of l). */
static int
union_into(const struct search_index *idx, struct scored *a, const struct plist *l)
{
    struct scored r;
    if (scored_alloc(&r, a->n + l->n) < 0)
        return -1;
    double w = idf(idx->n, l->n);
    size_t i = 0, j = 0;
    while (i < a->n || j < l->n) {
        if (j == l->n || (i < a->n && a->doc[i] < l->doc[j])) {
            r.doc[r.n] = a->doc[i];
            r.score[r.n++] = a->score[i++];
            continue;
        }
        uint32_t d = l->doc[j];
        double f = l->wtf[j++] / 2.0;
        double s = w * f * (BM25_K1 + 1) / (f + idx->norm[d]);
        if (i < a->n && a->doc[i] == d)
            s += a->score[i++];
        r.doc[r.n] = d;
        r.score[r.n++] = s;
    }
    scored_free(a);
    *a = r;
    return 0;
}

/* a := a AND b, scores added; in place. */
static void
intersect_into(struct scored *a, const struct scored *b)
{
    size_t n = 0, j = 0;
    for (size_t i = 0; i < a->n && j < b->n; i++) {
        j = seek(b->doc, j, b->n, a->doc[i]);
        if (j < b->n && b->doc[j] == a->doc[i]) {
            a->doc[n] = a->doc[i];
            a->score[n++] = a->score[i] + b->score[j];
        }
    }
    a->n = n;
}

/* a := a AND NOT l; in place. */
static void
exclude_from(struct scored *a, const struct plist *l)
{
    size_t n = 0, j = 0;
    for (size_t i = 0; i < a->n; i++) {
        j = seek(l->doc, j, l->n, a->doc[i]);
        if (j < l->n && l->doc[j] == a->doc[i])
            continue;
        a->doc[n] = a->doc[i];
        a->score[n++] = a->score[i];
    }
    a->n = n;
}

static int
by_score(const void *pa, const void *pb)
{
    const struct search_hit *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->article > b->article) - (a->article < b->article);
}

int
search_run(const struct search_index *idx, const struct search_query *q, struct search_hit **out,
           size_t *nout)
{
    struct scored groups[SEARCH_QUERY_MAX_TERMS] = {{0}};
    struct plist l = {0};
    struct scored *res = NULL;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < q->nitems; i++) {
        const struct item *it = &q->items[i];
        if (it->excluded)
            continue;
        if (item_list(idx, q, it, &l) < 0 || union_into(idx, &groups[it->group], &l) < 0)
            goto fail;
        free(l.buf);
        l.buf = NULL;
    }
    /* Intersect from the smallest group up. */
    size_t smallest = 0;
    for (size_t g = 1; g < q->ngroups; g++)
        if (groups[g].n < groups[smallest].n)
            smallest = g;
    res = &groups[smallest];
    for (size_t g = 0; g < q->ngroups && res->n; g++)
        if (g != smallest)
            intersect_into(res, &groups[g]);
    for (size_t i = 0; i < q->nitems && res->n; i++) {
        if (!q->items[i].excluded)
            continue;
        if (item_list(idx, q, &q->items[i], &l) < 0)
            goto fail;
        exclude_from(res, &l);
        free(l.buf);
        l.buf = NULL;
    }
    if (res->n) {
        struct search_hit *hits = malloc(res->n * sizeof *hits);
        if (!hits)
            goto fail;
        for (size_t i = 0; i < res->n; i++)
            hits[i] = (struct search_hit){res->doc[i], res->score[i]};
        qsort(hits, res->n, sizeof *hits, by_score);
        *out = hits;
        *nout = res->n;
    }
    for (size_t g = 0; g < q->ngroups; g++)
        scored_free(&groups[g]);
    return 0;
fail:
    free(l.buf);
    for (size_t g = 0; g < q->ngroups; g++)
        scored_free(&groups[g]);
    return -1;
}

/* ---- Snippets --------------------------------------------------------- */

/* A matched word: its position and the items (bits) that matched it. */
struct hitpos {
    uint32_t pos;
    uint32_t items;
};

struct hitposs {
    struct hitpos *v;
    size_t n, cap;
};

static int
hitpos_add(struct hitposs *h, uint32_t pos, uint32_t bit)
{
    struct hitpos *v = grow(h->v, h->n, &h->cap, sizeof *v, 64);
    if (!v)
        return -1;
    h->v = v;
    h->v[h->n++] = (struct hitpos){pos, bit};
    return 0;
}

static int
by_pos(const void *pa, const void *pb)
{
    const struct hitpos *a = pa, *b = pb;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The positions in article d of every word that a wanted item of q matches,
 * ascending and distinct. */
static int
match_positions(const struct search_index *idx, const struct search_query *q, size_t d,
                struct hitposs *h)
{
    enum { MAX_STARTS = 1024 };
    struct posbuf bufs[SEARCH_QUERY_MAX_TERMS] = {{0}};
    uint32_t *starts = malloc(MAX_STARTS * sizeof *starts);
    if (!starts)
        return -1;
    for (size_t i = 0; i < q->nitems; i++) {
        const struct item *it = &q->items[i];
        uint32_t t[SEARCH_QUERY_MAX_TERMS];
        int64_t p[SEARCH_QUERY_MAX_TERMS];
        if (it->excluded || !item_terms(idx, q, it, t))
            continue;
        size_t w = 0;
        while (w < it->n && (p[w] = posting(idx, t[w], (uint32_t)d)) >= 0)
            w++;
        if (w < it->n)
            continue;
        size_t nstarts = 0;
        unsigned halves;
        if (it->n == 1) {
            if (positions(idx, p[0], &bufs[0]) < 0)
                goto fail;
            for (size_t k = 0; k < bufs[0].n; k++)
                if (hitpos_add(h, bufs[0].v[k], 1u << i) < 0)
                    goto fail;
            continue;
        }
        if (phrase_in(idx, d, p, it->n, 0, bufs, &halves, starts, &nstarts, MAX_STARTS) < 0)
            goto fail;
        for (size_t s = 0; s < nstarts; s++)
            for (w = 0; w < it->n; w++)
                if (hitpos_add(h, starts[s] + (uint32_t)w, 1u << i) < 0)
                    goto fail;
    }
    free(starts);
    posbufs_free(bufs, SEARCH_QUERY_MAX_TERMS);
    if (h->n > 1)
        qsort(h->v, h->n, sizeof *h->v, by_pos);
    size_t n = 0;
    for (size_t k = 0; k < h->n; k++) {
        if (n && h->v[n - 1].pos == h->v[k].pos)
            h->v[n - 1].items |= h->v[k].items;
        else
            h->v[n++] = h->v[k];
    }
    h->n = n;
    return 0;
fail:
    free(starts);
    posbufs_free(bufs, SEARCH_QUERY_MAX_TERMS);
    return -1;
}

/* A word of the text being cut, with the items that matched it (0 for none). */
struct tok {
    size_t start, end, cp_start, cp_end;
    uint32_t items;
};

/* The best window of one text, before its text is copied out. */
struct candidate {
    struct unit unit;
    size_t order; /* of the text in the article */
    size_t b0, b1, cp0;
    bool cut_start, cut_end;
    unsigned nitems, nmarks;
    struct search_mark marks[SNIPPET_MARKS];
    size_t nkept;
};

static unsigned
popcount(uint32_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Chooses the window of toks[0..n) (at least one matched) with the most
 * distinct items, then the most marks, then the earliest. */
static void
choose_window(const struct tok *toks, size_t n, size_t len, struct candidate *c)
{
    size_t best_ws = 0, best_we = n - 1;
    unsigned best_items = 0, best_marks = 0;
    bool whole = toks[n - 1].cp_end - toks[0].cp_start <= SEARCH_SNIPPET_CHARS;
    for (size_t a = 0; a < n; a++) {
        if (!toks[a].items)
            continue;
        size_t ws = 0, we = n - 1;
        if (!whole) {
            ws = a;
            while (ws > 0 && toks[a].cp_start - toks[ws - 1].cp_start <= SNIPPET_CONTEXT)
                ws--;
            we = ws;
            while (we + 1 < n && toks[we + 1].cp_end - toks[ws].cp_start <= SEARCH_SNIPPET_CHARS)
                we++;
            if (we < a)
                we = a; /* one word longer than a snippet */
            while (we == n - 1 && ws > 0 &&
                   toks[we].cp_end - toks[ws - 1].cp_start <= SEARCH_SNIPPET_CHARS)
                ws--;
        }
        uint32_t items = 0;
        unsigned marks = 0;
        for (size_t k = ws; k <= we; k++)
            if (toks[k].items) {
                items |= toks[k].items;
                marks++;
            }
        if (popcount(items) > best_items || (popcount(items) == best_items && marks > best_marks)) {
            best_items = popcount(items);
            best_marks = marks;
            best_ws = ws;
            best_we = we;
        }
        if (whole)
            break;
    }
    c->b0 = best_ws == 0 ? 0 : toks[best_ws].start;
    c->cp0 = best_ws == 0 ? 0 : toks[best_ws].cp_start;
    c->b1 = best_we == n - 1 ? len : toks[best_we].end;
    c->cut_start = c->b0 > 0;
    c->cut_end = c->b1 < len;
    c->nitems = best_items;
    c->nmarks = best_marks;
    c->nkept = 0;
    size_t shift = c->cut_start ? 1 : 0; /* the "…" */
    for (size_t k = best_ws; k <= best_we && c->nkept < SNIPPET_MARKS; k++)
        if (toks[k].items)
            c->marks[c->nkept++] = (struct search_mark){toks[k].cp_start - c->cp0 + shift,
                                                        toks[k].cp_end - c->cp0 + shift};
}

static int
by_rank(const void *pa, const void *pb)
{
    const struct candidate *a = *(const struct candidate *const *)pa;
    const struct candidate *b = *(const struct candidate *const *)pb;
    if (a->nitems != b->nitems)
        return a->nitems > b->nitems ? -1 : 1;
    if (a->nmarks != b->nmarks)
        return a->nmarks > b->nmarks ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

static char *
snippet_text(const struct candidate *c)
{
    struct strbuf b;
    strbuf_init(&b, c->b1 - c->b0 + 8);
    if (c->cut_start)
        strbuf_adds(&b, "\xE2\x80\xA6");
    strbuf_add(&b, c->unit.text + c->b0, c->b1 - c->b0);
    if (c->cut_end)
        strbuf_adds(&b, "\xE2\x80\xA6");
    size_t len;
    return strbuf_take(&b, &len);
}

int
search_snippets(const struct search_index *idx, const struct search_query *q, size_t article,
                size_t max, struct search_snippet **out, size_t *nout)
{
    struct hitposs h = {0};
    struct tok *toks = NULL;
    size_t ntoks = 0, tcap = 0;
    struct candidate *cands = NULL;
    const struct candidate **rank = NULL;
    size_t ncands = 0, ccap = 0;
    struct search_snippet *sn = NULL;
    size_t nsn = 0;
    *out = NULL;
    *nout = 0;
    if (article >= idx->n || max == 0)
        return 0;
    if (match_positions(idx, q, article, &h) < 0)
        goto fail;
    if (h.n == 0)
        goto done;

    /* Walk the texts numbering words as search_build did. */
    struct units it = {0};
    struct unit u;
    uint32_t pos = 0;
    size_t next_hit = 0, order = 0;
    while (next_hit < h.n && units_next(idx->articles[article], &it, &u)) {
        size_t len = strlen(u.text);
        struct words w;
        struct word wd;
        bool any = false;
        ntoks = 0;
        words_init(&w, u.text, len);
        w.keys = false;
        while (words_next(&w, &wd) && pos < UINT32_MAX - 2) {
            struct tok *t = grow(toks, ntoks, &tcap, sizeof *t, 256);
            if (!t)
                goto fail;
            toks = t;
            uint32_t items = 0;
            if (next_hit < h.n && h.v[next_hit].pos == pos)
                items = h.v[next_hit++].items;
            any |= items != 0;
            toks[ntoks++] = (struct tok){wd.start, wd.end, wd.cp_start, wd.cp_end, items};
            pos++;
        }
        pos++;
        order++;
        if (!any)
            continue;
        struct candidate *grown = grow(cands, ncands, &ccap, sizeof *grown, 8);
        if (!grown)
            goto fail;
        cands = grown;
        struct candidate *c = &cands[ncands++];
        c->unit = u;
        c->order = order;
        choose_window(toks, ntoks, len, c);
    }
    rank = malloc((ncands ? ncands : 1) * sizeof *rank);
    if (!rank)
        goto fail;
    for (size_t k = 0; k < ncands; k++)
        rank[k] = &cands[k];
    qsort(rank, ncands, sizeof *rank, by_rank);
    if (max > ncands)
        max = ncands;
    sn = calloc(max ? max : 1, sizeof *sn);
    if (!sn)
        goto fail;
    for (; nsn < max; nsn++) {
        const struct candidate *c = rank[nsn];
        struct search_snippet *s = &sn[nsn];
        s->field = c->unit.field;
        s->block = c->unit.block;
        s->text = snippet_text(c);
        s->marks = malloc(c->nkept * sizeof *s->marks);
        if (!s->text || !s->marks) {
            nsn++;
            goto fail;
        }
        memcpy(s->marks, c->marks, c->nkept * sizeof *s->marks);
        s->nmarks = c->nkept;
    }
    *out = sn;
    *nout = nsn;
done:
    free(h.v);
    free(toks);
    free(cands);
    free(rank);
    return 0;
fail:
    search_snippets_free(sn, nsn);
    free(h.v);
    free(toks);
    free(cands);
    free(rank);
    return -1;
}

void
search_snippets_free(struct search_snippet *s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++) {
        free(s[i].text);
        free(s[i].marks);
    }
    free(s);
}

void
search_snippets_print(const struct search_snippet *s, size_t n, struct strbuf *out)
{
    strbuf_add(out, "[", 1);
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(out, "%s{\"field\":\"%s\"", i ? "," : "", search_field_name(s[i].field));
        if (s[i].field == SEARCH_BODY || s[i].field == SEARCH_CAPTION)
            strbuf_addf(out, ",\"block\":%zu", s[i].block);
        strbuf_adds(out, ",\"text\":");
        strbuf_add_json_string(out, s[i].text);
        strbuf_adds(out, ",\"highlights\":[");
        for (size_t k = 0; k < s[i].nmarks; k++)
            strbuf_addf(out, "%s{\"start\":%zu,\"end\":%zu}", k ? "," : "",
                        (size_t)s[i].marks[k].start, (size_t)s[i].marks[k].end);
        strbuf_adds(out, "]}");
    }
    strbuf_add(out, "]", 1);
}
