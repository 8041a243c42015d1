#include "models/annotate/gazetteer.h"
#include "models/hash.h"

#include "models/annotate/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t hash; /* 0: empty */
    size_t key_off, key_len;
    struct gazetteer_entry entry;
};

struct gazetteer {
    struct slot *slots;
    size_t cap, n; /* cap is a power of two */
    char *keys;    /* every key, back to back */
    size_t keys_len, keys_cap;
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

static uint64_t
hash_key(const char *s, size_t len)
{
    uint64_t h = hash_fnv1a(s, len);
    return h ? h : 1;
}

static struct slot *
find_slot(const struct gazetteer *g, const char *key, size_t len, uint64_t h)
{
    size_t mask = g->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct slot *s = &g->slots[i];
        if (s->hash == 0)
            return s;
        if (s->hash == h && s->key_len == len && memcmp(g->keys + s->key_off, key, len) == 0)
            return s;
    }
}

static int
grow(struct gazetteer *g)
{
    size_t cap = g->cap ? g->cap * 2 : 4096;
    struct slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    struct slot *old = g->slots;
    size_t old_cap = g->cap;
    g->slots = slots;
    g->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].hash == 0)
            continue;
        size_t mask = cap - 1;
        size_t j = (size_t)old[i].hash & mask;
        while (slots[j].hash)
            j = (j + 1) & mask;
        slots[j] = old[i];
    }
    free(old);
    return 0;
}

/* Adds classes (and a canonical name, unless the key has one) to the key of
 * text[0..len). */
static int
add(struct gazetteer *g, const char *text, size_t len, unsigned classes, const char *canonical,
    size_t canonical_len)
{
    char key[256];
    size_t klen = text_fold(text, len, key, sizeof key);
    if (klen == 0)
        return 0;
    if ((g->n + 1) * 2 > g->cap && grow(g) < 0)
        return -1;
    uint64_t h = hash_key(key, klen);
    struct slot *s = find_slot(g, key, klen, h);
    if (s->hash == 0) {
        if (g->keys_len + klen > g->keys_cap) {
            size_t cap = g->keys_cap ? g->keys_cap * 2 : 65536;
            while (cap < g->keys_len + klen)
                cap *= 2;
            char *k = realloc(g->keys, cap);
            if (!k)
                return -1;
            g->keys = k;
            g->keys_cap = cap;
        }
        memcpy(g->keys + g->keys_len, key, klen);
        s->hash = h;
        s->key_off = g->keys_len;
        s->key_len = klen;
        g->keys_len += klen;
        g->n++;
    }
    s->entry.classes |= classes;
    if (canonical && !s->entry.canonical) {
        s->entry.canonical = canonical;
        s->entry.canonical_len = canonical_len;
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
add_list(struct gazetteer *g, const char *s, size_t len, unsigned classes, const char *canonical,
         size_t canonical_len, bool plurals)
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
            if (add(g, s + a, b - a, classes, canonical, canonical_len) < 0)
                return -1;
            char plural[256];
            size_t pl = plurals ? demonym_plural(s + a, b - a, plural, sizeof plural) : 0;
            if (pl && add(g, plural, pl, classes, canonical, canonical_len) < 0)
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
    const char *canon = spec->canonical ? cols[0] : NULL;
    size_t canon_len = spec->canonical ? lens[0] : 0;
    if (add(g, cols[0], lens[0], classes, canon, canon_len) < 0)
        goto nomem;
    for (size_t c = 1; c < ncols && c < 4; c++) {
        enum col role = spec->cols[c - 1];
        if (role == COL_ALIASES &&
            add_list(g, cols[c], lens[c], spec->classes, canon, canon_len, false) < 0)
            goto nomem;
        if (role == COL_DEMONYMS &&
            add_list(g, cols[c], lens[c], GAZ_DEMONYM, canon, canon_len, true) < 0)
            goto nomem;
    }
    return 0;
nomem:
    *errstr = "out of memory building the gazetteer";
    return -1;
}

struct gazetteer *
gazetteer_new(const struct embedded_file *files, const char **errstr)
{
    struct gazetteer *g = calloc(1, sizeof *g);
    if (!g || grow(g) < 0) {
        *errstr = "out of memory building the gazetteer";
        goto fail;
    }
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
                goto fail;
            i = j + 1;
        }
    }
    return g;
fail:
    gazetteer_free(g);
    return NULL;
}

void
gazetteer_free(struct gazetteer *g)
{
    if (!g)
        return;
    free(g->slots);
    free(g->keys);
    free(g);
}

const struct gazetteer_entry *
gazetteer_lookup(const struct gazetteer *g, const char *key, size_t len)
{
    if (len == 0)
        return NULL;
    struct slot *s = find_slot(g, key, len, hash_key(key, len));
    return s->hash ? &s->entry : NULL;
}

unsigned
gazetteer_classes(const struct gazetteer *g, const char *key, size_t len)
{
    const struct gazetteer_entry *e = gazetteer_lookup(g, key, len);
    return e ? e->classes : 0;
}

void
gazetteer_classify(const struct gazetteer *g, const char *text, const struct text_token *tokens,
                   size_t n, unsigned *out)
{
    char key[256];
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
