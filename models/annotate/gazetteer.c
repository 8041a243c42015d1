#include "models/annotate/gazetteer.h"
#include "models/hash.h"

#include "models/annotate/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One key. Its folded text and its canonical name are ranges of the
 * gazetteer's text block, so that the table holds no pointers. */
struct record {
    uint32_t key_off, canon_off;
    uint16_t classes;
    uint8_t key_len;   /* text_fold keys are at most KEY_MAX - 1 bytes */
    uint8_t canon_len; /* 0: no canonical name */
};

enum {
    KEY_MAX = 256,
    /* A slot of the index is 0 when empty, else the record's index + 1 in its
     * low INDEX_BITS and the top TAG_BITS of the key's hash above them, so that
     * most probes that miss compare no key. */
    INDEX_BITS = 20,
    TAG_BITS = 32 - INDEX_BITS,
    MAX_RECORDS = (1 << INDEX_BITS) - 2,
};

/* Built in two passes over the files: the first (sizing) only counts the keys
 * and the bytes of text that add and append_text would store, so that the
 * second fills arrays allocated once at that size. */
struct gazetteer {
    bool sizing;
    uint32_t *index; /* open addressing, linear probing, at most half full */
    size_t cap;      /* of index; a power of two */
    struct record *records;
    size_t n, records_cap;
    char *text; /* every key and canonical name, back to back */
    size_t text_len, text_cap;
    size_t max_words;
};

/* What each column of a file means. */
enum col {
    COL_NONE,
    COL_NAME,     /* the entry itself */
    COL_ALIASES,  /* '|' list, same class and canonical as the name */
    COL_DEMONYMS, /* '|' list of demonyms of the name */
    COL_SEX,      /* m, f or u */
    COL_TYPE,     /* organisation or place (name_words.tsv) */
    COL_KIND,     /* title, role or org (titles.tsv) */
    COL_IGNORED,  /* informative only */
};

struct file_spec {
    const char *name;
    unsigned classes; /* of the name column */
    bool canonical;   /* the name column is a canonical name */
    enum col cols[3]; /* columns after the first */
};

static const struct file_spec file_specs[] = {
    {"countries.tsv", GAZ_COUNTRY, true, {COL_ALIASES, COL_DEMONYMS, COL_NONE}},
    {"places.tsv", GAZ_PLACE, true, {COL_IGNORED, COL_ALIASES, COL_DEMONYMS}},
    {"organisations.tsv", GAZ_ORG, true, {COL_IGNORED, COL_ALIASES, COL_NONE}},
    {"given_names.tsv", GAZ_GIVEN, false, {COL_SEX, COL_NONE, COL_NONE}},
    {"titles.tsv", 0, false, {COL_KIND, COL_NONE, COL_NONE}},
    {"name_words.tsv", 0, false, {COL_TYPE, COL_NONE, COL_NONE}},
    {"common_words.tsv", GAZ_COMMON, false, {COL_NONE, COL_NONE, COL_NONE}},
    {"speech_verbs.tsv", GAZ_SPEECH, false, {COL_NONE, COL_NONE, COL_NONE}},
    {"sports_words.tsv", GAZ_SPORT, false, {COL_NONE, COL_NONE, COL_NONE}},
};

static const uint32_t index_mask = ((uint32_t)1 << INDEX_BITS) - 1;

static uint32_t
slot_tag(uint64_t h)
{
    return (uint32_t)(h >> (64 - TAG_BITS)) << INDEX_BITS;
}

/* The slot of the index that holds key, or the empty slot where it would go. */
static uint32_t *
find_slot(const struct gazetteer *g, const char *key, size_t len, uint64_t h)
{
    uint32_t tag = slot_tag(h);
    size_t mask = g->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t *s = &g->index[i];
        if (*s == 0)
            return s;
        if ((*s & ~index_mask) != tag)
            continue;
        const struct record *r = &g->records[(*s & index_mask) - 1];
        if (r->key_len == len && memcmp(g->text + r->key_off, key, len) == 0)
            return s;
    }
}

/* The record of a folded key, or NULL. */
static const struct record *
find_record(const struct gazetteer *g, const char *key, size_t len)
{
    if (len == 0)
        return NULL;
    uint32_t s = *find_slot(g, key, len, hash_fnv1a(key, len));
    return s ? &g->records[(s & index_mask) - 1] : NULL;
}

/* Appends s[0..len) to the text block and sets *off to where it starts;
 * -1 when the sizing pass counted less. */
static int
append_text(struct gazetteer *g, const char *s, size_t len, uint32_t *off)
{
    *off = (uint32_t)g->text_len;
    if (!g->sizing) {
        if (len > g->text_cap - g->text_len)
            return -1;
        memcpy(g->text + g->text_len, s, len);
    }
    g->text_len += len;
    return 0;
}

/* Adds classes (and the canonical name at canon_off, unless canon_len is 0 or
 * the key has one) to the key of text[0..len). */
static int
add(struct gazetteer *g, const char *text, size_t len, unsigned classes, uint32_t canon_off,
    uint8_t canon_len, const char **errstr)
{
    char key[KEY_MAX];
    size_t klen = text_fold(text, len, key, sizeof key);
    if (klen == 0)
        return 0;
    if (classes > UINT16_MAX) {
        *errstr = "gazetteer class beyond the 16 bits of struct record";
        return -1;
    }
    if (g->sizing) {
        g->n++;
        g->text_len += klen;
        return 0;
    }
    uint64_t h = hash_fnv1a(key, klen);
    uint32_t *s = find_slot(g, key, klen, h);
    if (*s == 0) {
        uint32_t off;
        if (g->n == g->records_cap || append_text(g, key, klen, &off) < 0) {
            *errstr = "gazetteer: the sizing pass counted too few keys";
            return -1;
        }
        g->records[g->n] = (struct record){.key_off = off, .key_len = (uint8_t)klen};
        *s = slot_tag(h) | (uint32_t)(g->n + 1);
        g->n++;
    }
    struct record *r = &g->records[(*s & index_mask) - 1];
    r->classes |= (uint16_t)classes;
    if (canon_len && !r->canon_len) {
        r->canon_off = canon_off;
        r->canon_len = canon_len;
    }
    if (classes & (GAZ_COUNTRY | GAZ_PLACE | GAZ_DEMONYM | GAZ_ORG)) {
        size_t words = 1;
        for (size_t i = 0; i < klen; i++)
            words += key[i] == ' ';
        if (words > g->max_words)
            g->max_words = words;
    }
    return 0;
}

/* Plural of a demonym the way news writes it (Koreans, Israelis); none for
 * Chinese, British, French, Swiss. Returns the length written, 0 for none. */
static size_t
demonym_plural(const char *s, size_t len, char *out, size_t cap)
{
    if (len == 0 || len + 2 > cap)
        return 0;
    char last = s[len - 1];
    if (last == 's' || last == 'h' || last == 'e' || last == 'x' || last == 'z')
        return 0;
    memcpy(out, s, len);
    out[len] = 's';
    return len + 1;
}

/* Calls add for each '|'-separated item of a column. */
static int
add_list(struct gazetteer *g, const char *s, size_t len, unsigned classes, uint32_t canon_off,
         uint8_t canon_len, bool plurals, const char **errstr)
{
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '|')
            j++;
        size_t a = i, b = j;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        if (b > a) {
            if (add(g, s + a, b - a, classes, canon_off, canon_len, errstr) < 0)
                return -1;
            char plural[KEY_MAX];
            size_t pl = plurals ? demonym_plural(s + a, b - a, plural, sizeof plural) : 0;
            if (pl && add(g, plural, pl, classes, canon_off, canon_len, errstr) < 0)
                return -1;
        }
        i = j + 1;
    }
    return 0;
}

static bool
col_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

static int
load_line(struct gazetteer *g, const struct file_spec *spec, const char *line, size_t len,
          const char **errstr)
{
    const char *cols[4];
    size_t lens[4], ncols = 0, i = 0;
    while (ncols < 4) {
        size_t j = i;
        while (j < len && line[j] != '\t')
            j++;
        cols[ncols] = line + i;
        lens[ncols] = j - i;
        ncols++;
        if (j >= len)
            break;
        i = j + 1;
    }
    while (lens[0] && cols[0][lens[0] - 1] == ' ')
        lens[0]--;
    if (lens[0] == 0) {
        *errstr = "gazetteer line has an empty first column";
        return -1;
    }
    unsigned classes = spec->classes;
    for (size_t c = 1; c < ncols && c < 4; c++) {
        enum col role = spec->cols[c - 1];
        if (role == COL_SEX) {
            if (col_is(cols[c], lens[c], "m"))
                classes |= GAZ_MALE;
            else if (col_is(cols[c], lens[c], "f"))
                classes |= GAZ_FEMALE;
        } else if (role == COL_TYPE) {
            if (col_is(cols[c], lens[c], "organisation"))
                classes |= GAZ_ORG_WORD;
            else if (col_is(cols[c], lens[c], "place"))
                classes |= GAZ_PLACE_WORD;
            else if (col_is(cols[c], lens[c], "event"))
                classes |= GAZ_EVENT_WORD;
            else {
                *errstr = "name_words.tsv: type is not organisation, place or event";
                return -1;
            }
        } else if (role == COL_KIND) {
            if (col_is(cols[c], lens[c], "title"))
                classes |= GAZ_TITLE;
            else if (col_is(cols[c], lens[c], "role"))
                classes |= GAZ_ROLE;
            else if (col_is(cols[c], lens[c], "org"))
                classes |= GAZ_ORG_CUE;
            else {
                *errstr = "titles.tsv: kind is not title, role or org";
                return -1;
            }
        }
    }
    if (classes == 0) {
        *errstr = "gazetteer line without a class";
        return -1;
    }
    uint32_t canon_off = 0;
    uint8_t canon_len = 0;
    if (spec->canonical) {
        if (lens[0] > UINT8_MAX) {
            *errstr = "gazetteer name longer than 255 bytes";
            return -1;
        }
        if (append_text(g, cols[0], lens[0], &canon_off) < 0) {
            *errstr = "gazetteer: the sizing pass counted too little text";
            return -1;
        }
        canon_len = (uint8_t)lens[0];
    }
    if (add(g, cols[0], lens[0], classes, canon_off, canon_len, errstr) < 0)
        return -1;
    for (size_t c = 1; c < ncols && c < 4; c++) {
        enum col role = spec->cols[c - 1];
        if (role == COL_ALIASES &&
            add_list(g, cols[c], lens[c], spec->classes, canon_off, canon_len, false, errstr) < 0)
            return -1;
        if (role == COL_DEMONYMS &&
            add_list(g, cols[c], lens[c], GAZ_DEMONYM, canon_off, canon_len, true, errstr) < 0)
            return -1;
    }
    return 0;
}

/* Gives back what the sizing pass counted for keys that turned out to be
 * repeats ("Jordan" is a country and a given name); where realloc fails the
 * larger block stays, which is harmless. */
static void
shrink_to_fit(struct gazetteer *g)
{
    if (g->n > 0 && g->n < g->records_cap) {
        struct record *r = realloc(g->records, g->n * sizeof *r);
        if (r) {
            g->records = r;
            g->records_cap = g->n;
        }
    }
    if (g->text_len > 0 && g->text_len < g->text_cap) {
        char *t = realloc(g->text, g->text_len);
        if (t) {
            g->text = t;
            g->text_cap = g->text_len;
        }
    }
}

/* Calls load_line for every line of the files that file_specs knows. */
static int
load_files(struct gazetteer *g, const struct embedded_file *files, const char **errstr)
{
    for (const struct embedded_file *f = files; f->name; f++) {
        const struct file_spec *spec = NULL;
        for (size_t k = 0; k < sizeof file_specs / sizeof file_specs[0]; k++)
            if (strcmp(file_specs[k].name, f->name) == 0)
                spec = &file_specs[k];
        if (!spec)
            continue;
        size_t i = 0;
        while (i < f->len) {
            size_t j = i;
            while (j < f->len && f->data[j] != '\n')
                j++;
            size_t e = j;
            if (e > i && f->data[e - 1] == '\r')
                e--;
            if (e > i && f->data[i] != '#' && load_line(g, spec, f->data + i, e - i, errstr) < 0)
                return -1;
            i = j + 1;
        }
    }
    return 0;
}

struct gazetteer *
gazetteer_new(const struct embedded_file *files, const char **errstr)
{
    struct gazetteer *g = calloc(1, sizeof *g);
    if (!g)
        goto nomem;
    g->sizing = true;
    if (load_files(g, files, errstr) < 0)
        goto fail;
    if (g->n > MAX_RECORDS || g->text_len > UINT32_MAX) {
        *errstr = "gazetteer has too many keys or too much text";
        goto fail;
    }
    g->cap = 16;
    while (g->cap < 2 * g->n)
        g->cap *= 2;
    g->records_cap = g->n;
    g->text_cap = g->text_len;
    g->index = calloc(g->cap, sizeof *g->index);
    g->records = malloc(g->records_cap ? g->records_cap * sizeof *g->records : 1);
    g->text = malloc(g->text_cap ? g->text_cap : 1);
    if (!g->index || !g->records || !g->text)
        goto nomem;
    g->sizing = false;
    g->n = g->text_len = 0;
    if (load_files(g, files, errstr) < 0)
        goto fail;
    shrink_to_fit(g);
    return g;
nomem:
    *errstr = "out of memory building the gazetteer";
fail:
    gazetteer_free(g);
    return NULL;
}

void
gazetteer_free(struct gazetteer *g)
{
    if (!g)
        return;
    free(g->index);
    free(g->records);
    free(g->text);
    free(g);
}

bool
gazetteer_lookup(const struct gazetteer *g, const char *key, size_t len,
                 struct gazetteer_entry *out)
{
    const struct record *r = find_record(g, key, len);
    if (!r)
        return false;
    out->classes = r->classes;
    out->canonical = r->canon_len ? g->text + r->canon_off : NULL;
    out->canonical_len = r->canon_len;
    return true;
}

unsigned
gazetteer_classes(const struct gazetteer *g, const char *key, size_t len)
{
    const struct record *r = find_record(g, key, len);
    return r ? r->classes : 0;
}

void
gazetteer_classify(const struct gazetteer *g, const char *text, const struct text_token *tokens,
                   size_t n, unsigned *out)
{
    char key[KEY_MAX];
    for (size_t i = 0; i < n; i++) {
        const struct text_token *t = &tokens[i];
        out[i] = 0;
        if (t->kind != TEXT_WORD && t->kind != TEXT_NUMBER)
            continue;
        size_t len = text_fold(text + t->start, t->end - t->start, key, sizeof key);
        out[i] = gazetteer_classes(g, key, len);
    }
}

size_t
gazetteer_max_words(const struct gazetteer *g)
{
    return g->max_words;
}
