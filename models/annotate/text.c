#include "models/annotate/text.h"

#include "models/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Abbreviations whose period belongs to the word, and does not end the
 * sentence; at the very end of the text, the period of those in
 * terminal_words (and of dotted ones, U.S.) ends the sentence instead. */
static const char *const abbrev_words[] = {
    "mr",   "mrs", "ms",   "dr",     "prof", "gen",  "sen",  "rep",  "gov",    "lt",   "col",
    "capt", "sgt", "maj",  "cpl",    "rev",  "hon",  "st",   "mt",   "ft",     "jan",  "feb",
    "mar",  "apr", "jun",  "jul",    "aug",  "sep",  "sept", "oct",  "nov",    "dec",  "vs",
    "inc",  "ltd", "co",   "corp",   "plc",  "bros", "jr",   "sr",   "etc",    "est",  "dept",
    "no",   "nos", "al",   "approx", "fig",  "cf",   "adm",  "gens", "messrs", "pres", "supt",
    "insp", "det", "cmdr", "brig",   "rt",   NULL};

static inline bool
is_space(uint32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r');
    return c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 ||
           c == 0xFEFF;
}

/* Abbreviations that may end a sentence (the rest of abbrev_words never do). */
static const char *const terminal_words[] = {"inc", "ltd", "co",  "corp", "plc",    "bros", "jr",
                                             "sr",  "etc", "est", "dept", "approx", "al",   NULL};

/* True when s[i..len) holds nothing but white space and closing marks. */
static bool
only_closers_after(const char *s, size_t len, size_t i)
{
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '"' || c == ')' || c == ']' ||
            c == '\'') {
            i++;
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0x9D || (unsigned char)s[i + 2] == 0x99)) {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

static bool
is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Letters: ASCII, and any code point from U+00C0 up that is not punctuation
 * or a symbol in the ranges news text uses. */
static bool
is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (c < 0xC0 || c == 0xD7 || c == 0xF7)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c >= 0x2000 && c <= 0x2BFF)
        return false;
    if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
        (c >= 0xFF00 && c <= 0xFF20) || c >= 0xFFF0)
        return false;
    return true;
}

static bool
is_upper(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c >= 0xC0 && c <= 0xDE)
        return c != 0xD7;
    if (c >= 0x100 && c <= 0x137)
        return (c & 1) == 0;
    if (c >= 0x139 && c <= 0x148)
        return (c & 1) == 1;
    if (c >= 0x14A && c <= 0x177)
        return (c & 1) == 0;
    if (c == 0x178)
        return true;
    if (c >= 0x179 && c <= 0x17E)
        return (c & 1) == 1;
    if (c >= 0x391 && c <= 0x3A9)
        return true;
    return c >= 0x400 && c <= 0x42F;
}

static bool
is_apostrophe(uint32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x2BC;
}

static bool
is_hyphen(uint32_t c)
{
    return c == '-' || c == 0x2010 || c == 0x2011;
}

static bool
is_double_quote(uint32_t c)
{
    return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0xAB || c == 0xBB;
}

bool
text_is_quote_char(uint32_t c)
{
    return is_double_quote(c) || is_apostrophe(c);
}

/* Code point at s[i] without advancing; *n gets its byte length. */
static uint32_t
peek(const char *s, size_t len, size_t i, size_t *n)
{
    if (i >= len) {
        *n = 0;
        return 0;
    }
    if ((unsigned char)s[i] < 0x80) {
        *n = 1;
        return (unsigned char)s[i];
    }
    size_t j = i;
    uint32_t c = utf8_next(s, len, &j);
    *n = j - i;
    return c;
}

static bool
ascii_word_in(const char *s, size_t len, const char *const *words)
{
    if (len == 0 || len > 15)
        return false;
    char low[16];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return false;
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    for (size_t k = 0; words[k]; k++)
        if (words[k][0] == low[0] && strlen(words[k]) == len && memcmp(words[k], low, len) == 0)
            return true;
    return false;
}

bool
text_token_is(const char *s, const struct text_token *tok, const char *const *words)
{
    size_t end = tok->end;
    if (tok->flags & TEXT_ABBREV)
        end--;
    return ascii_word_in(s + tok->start, end - tok->start, words);
}

static struct text_token *
push(struct text_tokens *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct text_token *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    struct text_token *tok = &t->v[t->n++];
    memset(tok, 0, sizeof *tok);
    return tok;
}

/* Scans the word starting at s[*i] (a letter or digit) and fills tok. */
static void
scan_word(const char *s, size_t len, size_t *i, size_t *cp, struct text_token *tok)
{
    size_t n, n2, n3;
    uint32_t first = peek(s, len, *i, &n);
    uint32_t prev = 0;
    bool letters = false, all_upper = true, dotted = false;
    size_t seg = 0; /* letters since the last internal period */
    tok->kind = is_digit(first) ? TEXT_NUMBER : TEXT_WORD;
    if (is_letter(first) && is_upper(first))
        tok->flags |= TEXT_CAP;
    for (;;) {
        uint32_t c = peek(s, len, *i, &n);
        if (n == 0)
            break;
        if (is_letter(c) || is_digit(c)) {
            if (is_letter(c)) {
                letters = true;
                if (!is_upper(c))
                    all_upper = false;
            }
            seg++;
            prev = c;
            *i += n;
            (*cp)++;
            continue;
        }
        uint32_t c2 = peek(s, len, *i + n, &n2);
        if (is_apostrophe(c)) {
            uint32_t c3 = n2 ? peek(s, len, *i + n + n2, &n3) : 0;
            if ((c2 == 's' || c2 == 'S') && !is_letter(c3) && !is_digit(c3)) {
                tok->flags |= TEXT_POSS;
                tok->end = *i;
                tok->cp_end = *cp;
                *i += n + n2;
                *cp += 2;
                goto done;
            }
            if (is_letter(c2)) {
                *i += n;
                (*cp)++;
                prev = c;
                continue;
            }
            if ((prev == 's' || prev == 'S') && c != 0x2018 && !is_digit(c2)) {
                tok->flags |= TEXT_POSS;
                tok->end = *i;
                tok->cp_end = *cp;
                *i += n;
                (*cp)++;
                goto done;
            }
            break;
        }
        if (is_hyphen(c) && (is_letter(c2) || is_digit(c2)) &&
            (is_letter(prev) || is_digit(prev))) {
            tok->flags |= TEXT_HYPHEN;
            *i += n;
            (*cp)++;
            seg = 0;
            prev = c;
            continue;
        }
        if ((c == '.' || c == ',') && is_digit(prev) && is_digit(c2)) {
            *i += n;
            (*cp)++;
            prev = c;
            continue;
        }
        if (c == '.' && seg == 1 && is_letter(prev) && is_letter(c2)) {
            uint32_t c3 = peek(s, len, *i + n + n2, &n3);
            if (c3 == '.') {
                dotted = true;
                *i += n;
                (*cp)++;
                seg = 0;
                prev = c;
                continue;
            }
        }
        break;
    }
    tok->end = *i;
    tok->cp_end = *cp;
    {
        uint32_t c = peek(s, len, *i, &n);
        if (c == '.' && tok->kind == TEXT_WORD) {
            size_t wlen = tok->end - tok->start;
            bool initial = wlen == 1 && is_upper(first);
            if (dotted || initial || ascii_word_in(s + tok->start, wlen, abbrev_words)) {
                /* "No." is an abbreviation only before a number. */
                bool keep = true;
                if (wlen == 2 && (s[tok->start] | 0x20) == 'n' &&
                    (s[tok->start + 1] | 0x20) == 'o') {
                    size_t k = *i + 1;
                    while (k < len && s[k] == ' ')
                        k++;
                    keep = k < len && is_digit((unsigned char)s[k]);
                }
                /* At the very end of the text the period ends the sentence
                 * instead, unless the word is an initial or a title ("in the U.S."). */
                if (keep && !initial &&
                    (dotted || ascii_word_in(s + tok->start, wlen, terminal_words)) &&
                    only_closers_after(s, len, *i + n))
                    keep = false;
                if (keep) {
                    tok->flags |= TEXT_ABBREV;
                    *i += n;
                    (*cp)++;
                    tok->end = *i;
                    tok->cp_end = *cp;
                }
            }
        }
    }
done:
    if (letters && all_upper)
        tok->flags |= TEXT_UPPER;
}

/* Opening or closing, for a quote mark that does not say (" and '). */
static unsigned
quote_side(const char *s, size_t len, size_t at, size_t n, bool space_before)
{
    size_t nn;
    uint32_t next = peek(s, len, at + n, &nn);
    if (space_before) {
        /* A mark between spaces closes only when nothing can follow it. */
        if (nn == 0 || is_space(next))
            return TEXT_CLOSE;
        return TEXT_OPEN;
    }
    if (at > 0) {
        unsigned char p = (unsigned char)s[at - 1];
        if (p == '(' || p == '[' || p == '{')
            return TEXT_OPEN;
    }
    return TEXT_CLOSE;
}

static bool
is_sentence_end(const char *s, const struct text_token *tok)
{
    if (tok->kind != TEXT_PUNCT)
        return false;
    unsigned char c = (unsigned char)s[tok->start];
    if (c == '.' || c == '!' || c == '?')
        return true;
    /* U+2026 HORIZONTAL ELLIPSIS */
    return tok->end - tok->start == 3 && memcmp(s + tok->start, "\xE2\x80\xA6", 3) == 0;
}

static bool
is_closer(const char *s, const struct text_token *tok)
{
    if (tok->kind == TEXT_QUOTE)
        return (tok->flags & TEXT_CLOSE) != 0;
    if (tok->kind != TEXT_PUNCT)
        return false;
    char c = s[tok->start];
    return c == ')' || c == ']' || c == '}';
}

static void
mark_sentences(const char *s, struct text_tokens *t)
{
    unsigned sentence = 0;
    bool need_start = true, after_open = false;
    for (size_t k = 0; k < t->n; k++) {
        struct text_token *tok = &t->v[k];
        tok->sentence = sentence;
        if (tok->kind == TEXT_WORD || tok->kind == TEXT_NUMBER) {
            if (need_start || (after_open && (tok->flags & TEXT_CAP)))
                tok->flags |= TEXT_SENT_START;
            need_start = false;
            after_open = false;
        } else if (tok->kind == TEXT_QUOTE && (tok->flags & TEXT_OPEN)) {
            after_open = true;
        }
        if (!is_sentence_end(s, tok))
            continue;
        size_t j = k + 1;
        while (j < t->n && (is_closer(s, &t->v[j]) || is_sentence_end(s, &t->v[j])))
            j++;
        if (j < t->n) {
            const struct text_token *next = &t->v[j];
            if (next->kind == TEXT_WORD && !(next->flags & TEXT_CAP))
                continue;
            if (next->kind == TEXT_PUNCT)
                continue;
        }
        for (size_t m = k + 1; m < j; m++)
            t->v[m].sentence = sentence;
        k = j - 1;
        sentence++;
        need_start = true;
    }
    t->nsentences = t->n ? sentence + (need_start ? 0 : 1) : 0;
    if (t->n && t->nsentences < t->v[t->n - 1].sentence + 1)
        t->nsentences = t->v[t->n - 1].sentence + 1;
}

int
text_tokenize(const char *s, size_t len, struct text_tokens *t)
{
    size_t i = 0, cp = 0, n;
    bool space = true;
    t->n = 0;
    t->nsentences = 0;
    while (i < len) {
        uint32_t c = peek(s, len, i, &n);
        if (is_space(c)) {
            space = true;
            i += n;
            cp++;
            continue;
        }
        struct text_token *tok = push(t);
        if (!tok) {
            t->n = 0;
            return -1;
        }
        tok->start = i;
        tok->cp_start = cp;
        if (space)
            tok->flags |= TEXT_SPACE;
        if (is_letter(c) || is_digit(c)) {
            scan_word(s, len, &i, &cp, tok);
        } else {
            tok->kind = TEXT_PUNCT;
            if (is_double_quote(c)) {
                tok->kind = TEXT_QUOTE;
                tok->flags |= TEXT_DOUBLE;
                if (c == 0x201C || c == 0x201E || c == 0xAB)
                    tok->flags |= TEXT_OPEN;
                else if (c == 0x201D || c == 0xBB)
                    tok->flags |= TEXT_CLOSE;
                else
                    tok->flags |= quote_side(s, len, i, n, space);
            } else if (is_apostrophe(c)) {
                tok->kind = TEXT_QUOTE;
                if (c == 0x2018)
                    tok->flags |= TEXT_OPEN;
                else if (c == 0x2019)
                    tok->flags |= TEXT_CLOSE;
                else
                    tok->flags |= quote_side(s, len, i, n, space);
            }
            i += n;
            cp++;
            tok->end = i;
            tok->cp_end = cp;
        }
        space = false;
    }
    mark_sentences(s, t);
    return 0;
}

void
text_tokens_free(struct text_tokens *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

size_t
text_fold(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    bool pending_space = false;
    if (cap == 0)
        return 0;
    while (i < len) {
        size_t start = i;
        uint32_t c = (unsigned char)s[i] < 0x80 ? (unsigned char)s[i++] : utf8_next(s, len, &i);
        char ascii[2] = {0};
        const char *rep = NULL; /* what c becomes; NULL: its bytes as written */
        if (c < 0x80) {
            if (c == '.')
                continue;
            if (is_space(c) || c == '-') {
                pending_space = o > 0;
                continue;
            }
            ascii[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            rep = ascii;
        } else if (*utf8_fold_latin(c)) {
            rep = utf8_fold_latin(c);
        } else if (is_apostrophe(c)) {
            rep = "'";
        } else if (is_space(c) || is_hyphen(c)) {
            pending_space = o > 0;
            continue;
        }
        size_t need = rep ? strlen(rep) : i - start;
        if (o + need + (pending_space ? 1 : 0) >= cap)
            break;
        if (pending_space) {
            out[o++] = ' ';
            pending_space = false;
        }
        memcpy(out + o, rep ? rep : s + start, need);
        o += need;
    }
    out[o] = '\0';
    return o;
}
