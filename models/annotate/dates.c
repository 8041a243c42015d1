/* dates: temporal expressions with TimeML values (see dates.h, docs/dates.md).
 *
 * One pass: the block is cut into tokens (words, numbers, single punctuation
 * code points), each word is looked up once in a sorted lexicon, and at each
 * token a small hand-written grammar tries the expression shapes below and
 * keeps the longest match. Relative expressions resolve against the anchor. */
#include "models/annotate/dates.h"

#include "models/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

static long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ISO weekday, Monday = 1 .. Sunday = 7. */
static int
weekday_of(long days)
{
    long r = (days + 3) % 7;
    return (int)(r < 0 ? r + 7 : r) + 1;
}

static int
days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

static void
fmt_day(char *v, long days)
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(v, 32, "%04d-%02d-%02d", y, m, d);
}

/* ISO 8601 week: the week (Monday..Sunday) belongs to the year of its Thursday. */
static void
fmt_week(char *v, long days)
{
    long thursday = days - weekday_of(days) + 4;
    int y, m, d;
    civil_from_days(thursday, &y, &m, &d);
    long week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
    snprintf(v, 32, "%04d-W%02ld", y, week);
}

/* Brings period *n (1-based, `per` in a year: 12 months, 4 quarters) into
 * 1..per, carrying whole years into *y: month 0 of 2019 is month 12 of 2018. */
static void
carry_years(int *y, int *n, int per)
{
    int z = *n - 1;
    int q = z >= 0 ? z / per : -((-z + per - 1) / per);
    *y += q;
    *n = z - q * per + 1;
}

static void
fmt_month(char *v, int y, int m)
{
    carry_years(&y, &m, 12);
    snprintf(v, 32, "%04d-%02d", y, m);
}

static void
fmt_quarter(char *v, int y, int q)
{
    carry_years(&y, &q, 4);
    snprintf(v, 32, "%04d-Q%d", y, q);
}

/* TimeML duration: P3Y, PT24H, PXD for a vague count. Decades and centuries
 * are counted in years (P20Y, P100Y), as TempEval-3 annotators do. */
static void
duration_value(char *v, long n, int unit)
{
    const char *u = "";
    bool t = false;
    if (unit == 'E' || unit == 'C') {
        n = n < 0 ? n : n * (unit == 'E' ? 10 : 100);
        unit = 'Y';
    }
    switch (unit) {
    case 'Y':
        u = "Y";
        break;
    case 'M':
        u = "M";
        break;
    case 'W':
        u = "W";
        break;
    case 'D':
        u = "D";
        break;
    case 'Q':
        u = "Q";
        break;
    case 'K':
        u = "WE";
        break;
    case 'H':
        u = "H";
        t = true;
        break;
    case 'N':
        u = "M";
        t = true;
        break;
    case 'S':
        u = "S";
        t = true;
        break;
    }
    if (n < 0)
        snprintf(v, 32, "P%sX%s", t ? "T" : "", u);
    else
        snprintf(v, 32, "P%s%ld%s", t ? "T" : "", n, u);
}

static long
anchor_days(const struct dates_anchor *a)
{
    return days_from_civil(a->year, a->month, a->day);
}

/* ---- lexicon ---- */

enum {
    LX_MONTH = 1u << 0,    /* val: 1-12 */
    LX_MABBR = 1u << 1,    /* abbreviated month: needs a period or a day number */
    LX_WEEKDAY = 1u << 2,  /* val: 1 (Monday) - 7 */
    LX_NUM = 1u << 3,      /* val: cardinal */
    LX_ORD = 1u << 4,      /* val: ordinal */
    LX_UNIT = 1u << 5,     /* unit: Y M W D H N(minute) S Q E(decade) C(century) */
    LX_PLURAL = 1u << 6,   /* plural unit */
    LX_DAYPART = 1u << 7,  /* val: index into daypart_codes */
    LX_SEASON = 1u << 8,   /* val: index into season_codes */
    LX_REL = 1u << 9,      /* val: -1 last, 0 this, +1 next */
    LX_EDGE = 1u << 10,    /* early, late, mid, earlier, later */
    LX_SETADV = 1u << 11,  /* daily, weekly ...: unit */
    LX_REF = 1u << 12,     /* val: index into ref_values */
    LX_APPROX = 1u << 13,  /* nearly, almost, about ... */
    LX_VAGUE = 1u << 14,   /* several, few, many: an unknown count */
    LX_DAYWORD = 1u << 15, /* today (0), yesterday (-1), tomorrow (+1) */
    LX_PERIOD = 1u << 16,  /* end, beginning, start, middle: "the end of" */
    LX_LEAD = 1u << 17,    /* a function word that may open an expression ("the", "a") */
    LX_CUE = 1u << 18,     /* a temporal word with no other role here ("noon", "Christmas") */
};

struct lex {
    char word[16]; /* lower case, NUL-padded: compared as 16 bytes */
    unsigned flags;
    signed char val;
    char unit;
};

static const char *const daypart_codes[] = {"MO", "AF", "EV", "NI"};
static const char *const season_codes[] = {"SP", "SU", "FA", "WI"};
static const char *const ref_values[] = {"PRESENT_REF", "PAST_REF", "FUTURE_REF"};

/* Sorted by word (strcmp order): lex_index buckets it by first letter. */
static const struct lex lexicon[] = {
    {"a", LX_LEAD, 0, 0},
    {"about", LX_LEAD, 0, 0},
    {"afternoon", LX_DAYPART, 1, 0},
    {"afternoons", LX_DAYPART | LX_PLURAL, 1, 0},
    {"almost", LX_APPROX, 0, 0},
    {"an", LX_LEAD, 0, 0},
    {"annually", LX_SETADV, 0, 'Y'},
    {"approximately", LX_APPROX, 0, 0},
    {"apr", LX_MONTH | LX_MABBR, 4, 0},
    {"april", LX_MONTH, 4, 0},
    {"at", LX_LEAD, 0, 0},
    {"aug", LX_MONTH | LX_MABBR, 8, 0},
    {"august", LX_MONTH, 8, 0},
    {"autumn", LX_SEASON, 2, 0},
    {"beginning", LX_PERIOD, 0, 0},
    {"centuries", LX_UNIT | LX_PLURAL, 0, 'C'},
    {"century", LX_UNIT, 0, 'C'},
    {"christmas", LX_CUE, 0, 0},
    {"coming", LX_REL, 1, 0},
    {"current", LX_REF, 0, 0},
    {"currently", LX_REF, 0, 0},
    {"daily", LX_SETADV, 0, 'D'},
    {"day", LX_UNIT, 0, 'D'},
    {"days", LX_UNIT | LX_PLURAL, 0, 'D'},
    {"dec", LX_MONTH | LX_MABBR, 12, 0},
    {"decade", LX_UNIT, 0, 'E'},
    {"decades", LX_UNIT | LX_PLURAL, 0, 'E'},
    {"december", LX_MONTH, 12, 0},
    {"each", LX_LEAD, 0, 0},
    {"earlier", LX_EDGE, 0, 0},
    {"early", LX_EDGE, 0, 0},
    {"eight", LX_NUM, 8, 0},
    {"eighteen", LX_NUM, 18, 0},
    {"eighth", LX_ORD, 8, 0},
    {"eighty", LX_NUM, 80, 0},
    {"election", LX_LEAD, 0, 0},
    {"eleven", LX_NUM, 11, 0},
    {"end", LX_PERIOD, 0, 0},
    {"evening", LX_DAYPART, 2, 0},
    {"evenings", LX_DAYPART | LX_PLURAL, 2, 0},
    {"every", LX_LEAD, 0, 0},
    {"fall", LX_SEASON, 2, 0},
    {"feb", LX_MONTH | LX_MABBR, 2, 0},
    {"february", LX_MONTH, 2, 0},
    {"few", LX_LEAD, 0, 0},
    {"fifteen", LX_NUM, 15, 0},
    {"fifth", LX_ORD, 5, 0},
    {"fifty", LX_NUM, 50, 0},
    {"final", LX_LEAD, 0, 0},
    {"first", LX_ORD, 1, 0},
    {"fiscal", LX_LEAD, 0, 0},
    {"five", LX_NUM, 5, 0},
    {"fortnight", LX_UNIT, 2, 'W'},
    {"forty", LX_NUM, 40, 0},
    {"four", LX_NUM, 4, 0},
    {"fourteen", LX_NUM, 14, 0},
    {"fourth", LX_ORD, 4, 0},
    {"friday", LX_WEEKDAY, 5, 0},
    {"fridays", LX_WEEKDAY | LX_PLURAL, 5, 0},
    {"future", LX_REF, 2, 0},
    {"halloween", LX_CUE, 0, 0},
    {"hour", LX_UNIT, 0, 'H'},
    {"hourly", LX_SETADV, 0, 'H'},
    {"hours", LX_UNIT | LX_PLURAL, 0, 'H'},
    {"jan", LX_MONTH | LX_MABBR, 1, 0},
    {"january", LX_MONTH, 1, 0},
    {"jul", LX_MONTH | LX_MABBR, 7, 0},
    {"july", LX_MONTH, 7, 0},
    {"jun", LX_MONTH | LX_MABBR, 6, 0},
    {"june", LX_MONTH, 6, 0},
    {"last", LX_REL, -1, 0},
    {"late", LX_EDGE, 0, 0},
    {"lately", LX_REF, 1, 0},
    {"later", LX_EDGE, 0, 0},
    {"latest", LX_LEAD, 0, 0},
    {"less", LX_LEAD, 0, 0},
    {"many", LX_LEAD, 0, 0},
    {"mar", LX_MONTH | LX_MABBR, 3, 0},
    {"march", LX_MONTH, 3, 0},
    {"may", LX_MONTH, 5, 0},
    {"mid", LX_EDGE, 0, 0},
    {"middle", LX_PERIOD, 0, 0},
    {"midnight", LX_CUE, 0, 0},
    {"minute", LX_UNIT, 0, 'N'},
    {"minutes", LX_UNIT | LX_PLURAL, 0, 'N'},
    {"monday", LX_WEEKDAY, 1, 0},
    {"mondays", LX_WEEKDAY | LX_PLURAL, 1, 0},
    {"month", LX_UNIT, 0, 'M'},
    {"monthly", LX_SETADV, 0, 'M'},
    {"months", LX_UNIT | LX_PLURAL, 0, 'M'},
    {"more", LX_LEAD, 0, 0},
    {"morning", LX_DAYPART, 0, 0},
    {"mornings", LX_DAYPART | LX_PLURAL, 0, 0},
    {"most", LX_LEAD, 0, 0},
    {"near", LX_LEAD, 0, 0},
    {"nearly", LX_APPROX, 0, 0},
    {"new", LX_LEAD, 0, 0},
    {"next", LX_REL, 1, 0},
    {"night", LX_DAYPART, 3, 0},
    {"nights", LX_DAYPART | LX_PLURAL, 3, 0},
    {"nine", LX_NUM, 9, 0},
    {"nineteen", LX_NUM, 19, 0},
    {"ninety", LX_NUM, 90, 0},
    {"ninth", LX_ORD, 9, 0},
    {"noon", LX_CUE, 0, 0},
    {"nov", LX_MONTH | LX_MABBR, 11, 0},
    {"november", LX_MONTH, 11, 0},
    {"now", LX_REF, 0, 0},
    {"nowadays", LX_REF, 0, 0},
    {"oct", LX_MONTH | LX_MABBR, 10, 0},
    {"october", LX_MONTH, 10, 0},
    {"one", LX_NUM, 1, 0},
    {"past", LX_REL, -1, 0},
    {"per", LX_LEAD, 0, 0},
    {"period", LX_CUE, 0, 0},
    {"presently", LX_REF, 0, 0},
    {"previous", LX_REL, -1, 0},
    {"quarter", LX_UNIT, 0, 'Q'},
    {"quarterly", LX_SETADV, 0, 'Q'},
    {"quarters", LX_UNIT | LX_PLURAL, 0, 'Q'},
    {"recent", LX_LEAD, 0, 0},
    {"recently", LX_REF, 1, 0},
    {"roughly", LX_APPROX, 0, 0},
    {"saturday", LX_WEEKDAY, 6, 0},
    {"saturdays", LX_WEEKDAY | LX_PLURAL, 6, 0},
    {"second", LX_ORD, 2, 0},
    {"seconds", LX_UNIT | LX_PLURAL, 0, 'S'},
    {"sep", LX_MONTH | LX_MABBR, 9, 0},
    {"sept", LX_MONTH | LX_MABBR, 9, 0},
    {"september", LX_MONTH, 9, 0},
    {"seven", LX_NUM, 7, 0},
    {"seventeen", LX_NUM, 17, 0},
    {"seventh", LX_ORD, 7, 0},
    {"seventy", LX_NUM, 70, 0},
    {"several", LX_VAGUE, 0, 0},
    {"six", LX_NUM, 6, 0},
    {"sixteen", LX_NUM, 16, 0},
    {"sixth", LX_ORD, 6, 0},
    {"sixty", LX_NUM, 60, 0},
    {"some", LX_LEAD, 0, 0},
    {"spring", LX_SEASON, 0, 0},
    {"start", LX_PERIOD, 0, 0},
    {"summer", LX_SEASON, 1, 0},
    {"sunday", LX_WEEKDAY, 7, 0},
    {"sundays", LX_WEEKDAY | LX_PLURAL, 7, 0},
    {"ten", LX_NUM, 10, 0},
    {"tenth", LX_ORD, 10, 0},
    {"thanksgiving", LX_CUE, 0, 0},
    {"the", LX_LEAD, 0, 0},
    {"third", LX_ORD, 3, 0},
    {"thirteen", LX_NUM, 13, 0},
    {"thirty", LX_NUM, 30, 0},
    {"this", LX_REL, 0, 0},
    {"three", LX_NUM, 3, 0},
    {"thursday", LX_WEEKDAY, 4, 0},
    {"thursdays", LX_WEEKDAY | LX_PLURAL, 4, 0},
    {"today", LX_DAYWORD, 0, 0},
    {"tomorrow", LX_DAYWORD, 1, 0},
    {"tonight", LX_DAYWORD, 0, 0},
    {"tuesday", LX_WEEKDAY, 2, 0},
    {"tuesdays", LX_WEEKDAY | LX_PLURAL, 2, 0},
    {"twelve", LX_NUM, 12, 0},
    {"twenty", LX_NUM, 20, 0},
    {"two", LX_NUM, 2, 0},
    {"up", LX_LEAD, 0, 0},
    {"valentine", LX_LEAD, 0, 0},
    {"wednesday", LX_WEEKDAY, 3, 0},
    {"wednesdays", LX_WEEKDAY | LX_PLURAL, 3, 0},
    {"week", LX_UNIT, 0, 'W'},
    {"weekend", LX_UNIT, 0, 'K'},
    {"weekends", LX_UNIT | LX_PLURAL, 0, 'K'},
    {"weekly", LX_SETADV, 0, 'W'},
    {"weeks", LX_UNIT | LX_PLURAL, 0, 'W'},
    {"winter", LX_SEASON, 3, 0},
    {"year", LX_UNIT, 0, 'Y'},
    {"yearly", LX_SETADV, 0, 'Y'},
    {"years", LX_UNIT | LX_PLURAL, 0, 'Y'},
    {"yesterday", LX_DAYWORD, -1, 0},
};

#define LEXICON_SIZE (sizeof lexicon / sizeof lexicon[0])

/* from[c - 'a'] .. from[c - 'a' + 1]: the lexicon entries starting with c. */
struct lex_index {
    unsigned short from[27];
};

static void
lex_index_init(struct lex_index *ix)
{
    size_t k = 0;
    for (int c = 0; c < 26; c++) {
        while (k < LEXICON_SIZE && lexicon[k].word[0] < 'a' + c)
            k++;
        ix->from[c] = (unsigned short)k;
    }
    ix->from[26] = (unsigned short)LEXICON_SIZE;
}

/* low: a NUL-padded 16-byte lower-case word. */
static const struct lex *
lex_find(const struct lex_index *ix, const char *low)
{
    int c = low[0] - 'a';
    if (c < 0 || c >= 26)
        return NULL;
    for (size_t k = ix->from[c]; k < ix->from[c + 1]; k++)
        if (memcmp(lexicon[k].word, low, 16) == 0)
            return &lexicon[k];
    return NULL;
}

/* ---- tokens ---- */

enum tok_kind { TOK_WORD, TOK_NUM, TOK_PUNCT };

struct tok {
    size_t start, end; /* bytes */
    enum tok_kind kind;
    bool space_before; /* whitespace (or the start of the block) precedes it */
    bool cap;          /* word starting with an upper-case ASCII letter */
    uint32_t cp;       /* TOK_PUNCT: the code point */
    int ndigits;       /* TOK_NUM */
    long num;          /* TOK_NUM: value, -1 when longer than 9 digits */
    char low[16];      /* lower-cased ASCII word, "" when too long or not ASCII */
    const struct lex *lex;
};

enum cp_class { CP_SPACE, CP_LETTER, CP_DIGIT, CP_PUNCT };

/* Classes of the ASCII code points: S space, L letter, D digit, P punctuation. */
static const char ascii_class[129] = "PPPPPPPPPSSSSSPPPPPPPPPPPPPPPPPP"
                                     "SPPPPPPPPPPPPPPPDDDDDDDDDDPPPPPP"
                                     "PLLLLLLLLLLLLLLLLLLLLLLLLLLPPPPP"
                                     "PLLLLLLLLLLLLLLLLLLLLLLLLLLPPPPP";

static enum cp_class
classify(uint32_t c)
{
    if (c < 0x80) {
        switch (ascii_class[c]) {
        case 'S':
            return CP_SPACE;
        case 'L':
            return CP_LETTER;
        case 'D':
            return CP_DIGIT;
        default:
            return CP_PUNCT;
        }
    }
    if (c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 ||
        c == 0x1680 || c == 0x2028 || c == 0x2029)
        return CP_SPACE;
    if ((c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x205E) ||
        c == 0xFFFD)
        return CP_PUNCT;
    return CP_LETTER;
}

/* Cuts text into tokens. Returns the count (0 with *out NULL for none), or
 * (size_t)-1 when memory runs out. */
static size_t
tokenize(const char *text, size_t len, const struct lex_index *ix, struct tok **out)
{
    size_t cap = 0, n = 0;
    struct tok *t = NULL;
    size_t i = 0;
    bool space = true;
    *out = NULL;
    while (i < len) {
        size_t start = i;
        uint32_t c = (unsigned char)text[i];
        if (c < 0x80)
            i++;
        else
            c = utf8_next(text, len, &i);
        enum cp_class k = classify(c);
        if (k == CP_SPACE) {
            space = true;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct tok *nt = realloc(t, ncap * sizeof *nt);
            if (!nt) {
                free(t);
                return (size_t)-1;
            }
            t = nt;
            cap = ncap;
        }
        struct tok *tk = &t[n++];
        memset(tk, 0, sizeof *tk);
        tk->start = start;
        tk->space_before = space;
        space = false;
        if (k == CP_PUNCT) {
            tk->kind = TOK_PUNCT;
            tk->cp = c;
            tk->end = i;
            continue;
        }
        if (k == CP_DIGIT) {
            tk->kind = TOK_NUM;
            long v = 0;
            size_t j = start;
            while (j < len && text[j] >= '0' && text[j] <= '9') {
                if (tk->ndigits < 9)
                    v = v * 10 + (text[j] - '0');
                tk->ndigits++;
                j++;
            }
            tk->num = tk->ndigits > 9 ? -1 : v;
            tk->end = i = j;
            continue;
        }
        tk->kind = TOK_WORD;
        tk->cap = c >= 'A' && c <= 'Z';
        size_t wl = 0;
        bool ascii = true;
        size_t j = start, end = start;
        while (j < len) {
            size_t at = j;
            uint32_t d = (unsigned char)text[j];
            if (d < 0x80)
                j++;
            else
                d = utf8_next(text, len, &j);
            if (classify(d) != CP_LETTER) {
                j = at;
                break;
            }
            if (d >= 0x80)
                ascii = false;
            else if (wl < sizeof tk->low - 1)
                tk->low[wl] = (char)(d | 0x20);
            wl++;
            end = j;
        }
        tk->end = i = end;
        if (!ascii || wl >= sizeof tk->low)
            tk->low[0] = '\0';
        else
            tk->low[wl] = '\0';
        if (tk->low[0])
            tk->lex = lex_find(ix, tk->low);
    }
    *out = t;
    return n;
}

/* ---- grammar ---- */

struct scan {
    const char *text;
    const struct tok *t;
    size_t n;
    const struct dates_anchor *a; /* NULL: relative values are "" */
    bool quarter_talk;            /* the block speaks of quarters or of earnings "a share": "a year
                                     ago" then means the same quarter a year before */
    const char *quarter;          /* last quarter value found in the block, or "" */
};

/* One candidate expression: tokens [start, end). */
struct hit {
    size_t end;
    const char *type;
    char value[32];
    bool takes_the;     /* "the" before it belongs to the span ("the third quarter") */
    bool takes_edge;    /* early/late/mid before it belong to the span */
    bool is_duration;   /* approximators ("nearly") may precede it */
    bool names_quarter; /* a quarter named outright: later "the quarter" refers to it */
};

static bool
has(const struct scan *s, size_t i, unsigned flag)
{
    return i < s->n && s->t[i].lex && (s->t[i].lex->flags & flag);
}

static bool
word(const struct scan *s, size_t i, const char *w)
{
    return i < s->n && s->t[i].kind == TOK_WORD && strcmp(s->t[i].low, w) == 0;
}

/* Punctuation c directly attached to the previous token (no space). */
static bool
punct(const struct scan *s, size_t i, uint32_t c)
{
    return i < s->n && s->t[i].kind == TOK_PUNCT && s->t[i].cp == c;
}

static bool
glued(const struct scan *s, size_t i)
{
    return i < s->n && !s->t[i].space_before;
}

static bool
is_hyphen(const struct scan *s, size_t i)
{
    return glued(s, i) && (punct(s, i, '-') || punct(s, i, 0x2010) || punct(s, i, 0x2011)) &&
           glued(s, i + 1);
}

static int
unit_of(const struct scan *s, size_t i)
{
    return has(s, i, LX_UNIT) ? s->t[i].lex->unit : 0;
}

/* Start of a sentence: the first token, or after . ! ? or a line break. */
static bool
sentence_start(const struct scan *s, size_t i)
{
    size_t j = i;
    while (j > 0 && s->t[j - 1].kind == TOK_PUNCT &&
           (s->t[j - 1].cp == '"' || s->t[j - 1].cp == 0x201C || s->t[j - 1].cp == 0x2018 ||
            s->t[j - 1].cp == '(' || s->t[j - 1].cp == '\'' || s->t[j - 1].cp == '`'))
        j--;
    if (j == 0)
        return true;
    const struct tok *p = &s->t[j - 1];
    if (p->kind == TOK_PUNCT && (p->cp == '.' || p->cp == '!' || p->cp == '?' || p->cp == ':'))
        return true;
    return memchr(s->text + p->end, '\n', s->t[j].start - p->end) != NULL;
}

/* A plausible year: four digits, 1000-2099, not part of a larger number. */
static bool
year_at(const struct scan *s, size_t i, int *y)
{
    if (i >= s->n || s->t[i].kind != TOK_NUM || s->t[i].ndigits != 4)
        return false;
    if (s->t[i].num < 1000 || s->t[i].num > 2099)
        return false;
    if (i > 0 && glued(s, i) &&
        (punct(s, i - 1, ',') || punct(s, i - 1, '.') || punct(s, i - 1, '$') ||
         s->t[i - 1].kind != TOK_PUNCT))
        return false;
    if (glued(s, i + 1) && (punct(s, i + 1, ',') || punct(s, i + 1, '.') || punct(s, i + 1, ':')) &&
        i + 2 < s->n && s->t[i + 2].kind == TOK_NUM && glued(s, i + 2))
        return false;
    if (punct(s, i + 1, '%') || word(s, i + 1, "percent"))
        return false;
    *y = (int)s->t[i].num;
    return true;
}

/* A day of the month: 1-31, with an optional glued st/nd/rd/th. Returns the
 * index after it, or 0. */
static size_t
day_at(const struct scan *s, size_t i, int *d)
{
    if (i >= s->n || s->t[i].kind != TOK_NUM || s->t[i].ndigits > 2 || s->t[i].num < 1 ||
        s->t[i].num > 31)
        return 0;
    if (glued(s, i + 1) && (punct(s, i + 1, ':') || punct(s, i + 1, '.') || punct(s, i + 1, '%')) &&
        i + 2 < s->n && s->t[i + 2].kind == TOK_NUM)
        return 0;
    *d = (int)s->t[i].num;
    size_t j = i + 1;
    if (glued(s, j) &&
        (word(s, j, "st") || word(s, j, "nd") || word(s, j, "rd") || word(s, j, "th")))
        j++;
    return j;
}

/* An ordinal: "third" or "3rd". Returns the index after it, or 0. */
static size_t
ordinal_at(const struct scan *s, size_t i, int *n)
{
    if (has(s, i, LX_ORD)) {
        *n = s->t[i].lex->val;
        return i + 1;
    }
    if (i + 1 < s->n && s->t[i].kind == TOK_NUM && s->t[i].ndigits <= 2 && glued(s, i + 1) &&
        (word(s, i + 1, "st") || word(s, i + 1, "nd") || word(s, i + 1, "rd") ||
         word(s, i + 1, "th"))) {
        *n = (int)s->t[i].num;
        return i + 2;
    }
    return 0;
}

/* A count: digits, number words ("twenty four", "twenty-four", "a hundred"),
 * "a"/"an" when allow_article, or a vague count (-1: several, a few, some).
 * Returns the index after it, or 0. */
static size_t
count_at(const struct scan *s, size_t i, bool allow_article, long *n)
{
    if (i >= s->n)
        return 0;
    const struct tok *t = &s->t[i];
    if (t->kind == TOK_NUM) {
        if (t->num < 0 || t->ndigits > 6)
            return 0;
        size_t j = i + 1;
        long v = t->num;
        /* 1,000 */
        while (glued(s, j) && punct(s, j, ',') && j + 1 < s->n && s->t[j + 1].kind == TOK_NUM &&
               s->t[j + 1].ndigits == 3 && glued(s, j + 1) && v < 1000000) {
            v = v * 1000 + s->t[j + 1].num;
            j += 2;
        }
        if (glued(s, j) && punct(s, j, '.') && j + 1 < s->n && s->t[j + 1].kind == TOK_NUM &&
            glued(s, j + 1))
            return 0; /* decimals: no integer count */
        *n = v;
        return j;
    }
    if (has(s, i, LX_VAGUE)) {
        *n = -1;
        return i + 1;
    }
    if (word(s, i, "a") || word(s, i, "an")) {
        if (word(s, i + 1, "few") || word(s, i + 1, "couple")) {
            size_t j = i + 2;
            if (word(s, j, "of"))
                j++;
            *n = word(s, i + 1, "couple") ? 2 : -1;
            return j;
        }
        if (word(s, i + 1, "hundred") || word(s, i + 1, "dozen")) {
            *n = word(s, i + 1, "hundred") ? 100 : 12;
            return i + 2;
        }
        if (!allow_article)
            return 0;
        *n = 1;
        return i + 1;
    }
    if (word(s, i, "many") || word(s, i, "few") || word(s, i, "some")) {
        *n = -1;
        return i + 1;
    }
    if (!has(s, i, LX_NUM))
        return 0;
    long v = t->lex->val;
    size_t j = i + 1;
    if (v >= 20 && v % 10 == 0) {
        size_t k = is_hyphen(s, j) ? j + 1 : j;
        if (has(s, k, LX_NUM) && s->t[k].lex->val < 10) {
            v += s->t[k].lex->val;
            j = k + 1;
        }
    }
    if (word(s, j, "thousand") && v < 100) {
        v *= 1000;
        j++;
        size_t k = word(s, j, "and") ? j + 1 : j;
        long rest;
        size_t e = has(s, k, LX_NUM) ? count_at(s, k, false, &rest) : 0;
        if (e && rest < 1000) {
            v += rest;
            j = e;
        }
        *n = v;
        return j;
    }
    if (word(s, j, "hundred") && v < 10) {
        v *= 100;
        j++;
        size_t k = word(s, j, "and") ? j + 1 : j;
        long rest;
        size_t e = has(s, k, LX_NUM) ? count_at(s, k, false, &rest) : 0;
        if (e && rest < 100) {
            v += rest;
            j = e;
        }
    }
    *n = v;
    return j;
}

static void
set_hit(struct hit *h, size_t end, const char *type)
{
    h->end = end;
    h->type = type;
    h->value[0] = '\0';
    h->takes_the = false;
    h->takes_edge = true;
    h->is_duration = false;
    h->names_quarter = false;
}

/* Year of a month named without one: news mostly reports the recent past, so
 * the month is taken within the seven months before the anchor's month or the
 * four after it ("October" in a January article is last October, "March" is
 * this March). */
static int
month_year(const struct dates_anchor *a, int m)
{
    int diff = m - a->month;
    if (diff > 4)
        return a->year - 1;
    if (diff < -7)
        return a->year + 1;
    return a->year;
}

/* "January 8", "Jan. 8, 2019", "8 January 2019", "March 2019", "March",
 * "January this year". */
static bool
parse_month(const struct scan *s, size_t i, struct hit *h)
{
    int d = 0, y = 0;
    size_t j, mi;
    bool day_first = false;
    if (s->t[i].kind == TOK_NUM) {
        j = day_at(s, i, &d);
        if (!j)
            return false;
        if (word(s, j, "of"))
            j++;
        mi = j;
        day_first = true;
    } else {
        mi = i;
    }
    if (!has(s, mi, LX_MONTH) || !s->t[mi].cap)
        return false;
    int m = s->t[mi].lex->val;
    bool abbr = s->t[mi].lex->flags & LX_MABBR;
    j = mi + 1;
    bool dotted = false;
    if (abbr && glued(s, j) && punct(s, j, '.')) {
        dotted = true; /* "in March." ends a sentence: only abbreviations take the period */
        j++;
    }
    if (!day_first) {
        size_t e = day_at(s, j, &d);
        if (e && !year_at(s, j, &y)) {
            j = e;
        } else {
            d = 0;
        }
    }
    size_t yj = j;
    if (punct(s, yj, ',') && d)
        yj++;
    else if (word(s, yj, "of") && !d)
        yj++;
    bool have_year = false;
    if (year_at(s, yj, &y)) {
        have_year = true;
        j = yj + 1;
    } else if (has(s, yj, LX_REL) && word(s, yj + 1, "year") && !word(s, yj, "past") &&
               !word(s, yj, "coming") && !word(s, yj, "previous")) {
        if (s->a) {
            y = s->a->year + s->t[yj].lex->val;
            have_year = true;
        }
        j = yj + 2;
    }
    if (abbr && !dotted && !d && !have_year)
        return false;
    if (d == 0 && !have_year && j == mi + 1 + (dotted ? 1 : 0)) {
        /* A bare month name: reject personal names ("April Ryan") and the
         * modal "May" without a cue before it. */
        static const char *const cues[] = {
            "in",     "since", "until", "till",  "by",      "of",  "from",   "through",
            "last",   "this",  "next",  "early", "late",    "mid", "before", "after",
            "during", "and",   "or",    "to",    "between", "for", "each",   "every"};
        bool cued = false;
        if (mi > 0) {
            if (is_hyphen(s, mi - 1))
                cued = true;
            for (size_t c = 0; !cued && c < sizeof cues / sizeof cues[0]; c++)
                cued = word(s, mi - 1, cues[c]);
        }
        if (j < s->n && s->t[j].kind == TOK_WORD && s->t[j].cap && !has(s, j, LX_MONTH) && !cued)
            return false;
        if (m == 5 && !cued)
            return false;
        if ((word(s, j, "of") || word(s, j, "for") || word(s, j, "on")) && j + 1 < s->n &&
            s->t[j + 1].kind == TOK_WORD && s->t[j + 1].cap && !sentence_start(s, j + 1))
            return false; /* "the March of Dimes", "March on Rome" */
        if (!cued && sentence_start(s, mi) && j < s->n && s->t[j].kind == TOK_WORD && !s->t[j].cap)
            return false; /* "March on..." at the start of a sentence */
    }
    set_hit(h, j, "DATE");
    if (d && d > (have_year ? days_in_month(y, m) : days_in_month(2000, m)))
        return false;
    if (!have_year) {
        if (!s->a)
            return true;
        y = month_year(s->a, m);
    }
    if (d)
        snprintf(h->value, sizeof h->value, "%04d-%02d-%02d", y, m, d);
    else
        fmt_month(h->value, y, m);
    return true;
}

/* "2019-01-08" */
static bool
parse_iso(const struct scan *s, size_t i, struct hit *h)
{
    if (i + 4 >= s->n || s->t[i].kind != TOK_NUM || s->t[i].ndigits != 4)
        return false;
    if (!punct(s, i + 1, '-') || !glued(s, i + 1) || !glued(s, i + 2) || !punct(s, i + 3, '-') ||
        !glued(s, i + 3) || !glued(s, i + 4))
        return false;
    const struct tok *mt = &s->t[i + 2], *dt = &s->t[i + 4];
    if (mt->kind != TOK_NUM || dt->kind != TOK_NUM || mt->ndigits != 2 || dt->ndigits != 2)
        return false;
    int y = (int)s->t[i].num, m = (int)mt->num, d = (int)dt->num;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    set_hit(h, i + 5, "DATE");
    snprintf(h->value, sizeof h->value, "%04d-%02d-%02d", y, m, d);
    return true;
}

/* "2019", "fiscal 1989", "the 1990s", "1990's", "the 20th century". */
static bool
parse_year(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    bool fiscal = word(s, j, "fiscal");
    if (fiscal)
        j++;
    int y;
    if (year_at(s, j, &y)) {
        if (glued(s, j + 1) && word(s, j + 1, "s") && y % 10 == 0) {
            set_hit(h, j + 2, "DATE");
            h->takes_the = true;
            snprintf(h->value, sizeof h->value, "%03d", y / 10);
            return true;
        }
        if (glued(s, j + 1) && (punct(s, j + 1, '\'') || punct(s, j + 1, 0x2019)) &&
            glued(s, j + 2) && word(s, j + 2, "s") && y % 10 == 0) {
            set_hit(h, j + 3, "DATE");
            h->takes_the = true;
            snprintf(h->value, sizeof h->value, "%03d", y / 10);
            return true;
        }
        if (i > 0 && (punct(s, i - 1, '$') || word(s, i - 1, "no") || punct(s, i - 1, '#')))
            return false;
        set_hit(h, j + 1, "DATE");
        snprintf(h->value, sizeof h->value, "%04d", y);
        return true;
    }
    int c;
    size_t e = ordinal_at(s, j, &c);
    if (!fiscal && e && word(s, e, "century") && c >= 1 && c <= 21) {
        set_hit(h, e + 1, "DATE");
        h->takes_the = true;
        snprintf(h->value, sizeof h->value, "%02d", c - 1);
        return true;
    }
    return false;
}

/* The day `wd` (1-7) resolved against the anchor: dir -1 strictly before,
 * +1 strictly after, 0 in the anchor's ISO week; dir 2 is the default rule,
 * the anchor day itself or the nearest one before it, unless future marks
 * the nearest one after it. */
static long
resolve_weekday(const struct dates_anchor *a, int wd, int dir, bool future)
{
    long ad = anchor_days(a);
    int awd = weekday_of(ad);
    switch (dir) {
    case -1:
        return ad - ((awd - wd + 6) % 7 + 1);
    case 1:
        return ad + ((wd - awd + 6) % 7 + 1);
    case 0:
        return ad + (wd - awd);
    default:
        if (future)
            return ad + (wd - awd + 7) % 7;
        return ad - (awd - wd + 7) % 7;
    }
}

/* Future tense before position i in the same sentence: "will", "'ll", "shall". */
static bool
future_context(const struct scan *s, size_t i)
{
    for (size_t k = 0; k < 12 && i > 0; k++) {
        i--;
        const struct tok *t = &s->t[i];
        if (t->kind == TOK_PUNCT && (t->cp == '.' || t->cp == '!' || t->cp == '?' || t->cp == ';'))
            return false;
        if (word(s, i, "will") || word(s, i, "shall") || word(s, i, "scheduled") ||
            word(s, i, "next") || (word(s, i, "ll") && glued(s, i)))
            return true;
    }
    return false;
}

/* Appends a part of the day ("afternoon") after a day expression: TIME. */
static void
add_daypart(const struct scan *s, struct hit *h)
{
    if (has(s, h->end, LX_DAYPART) && !has(s, h->end, LX_PLURAL)) {
        int p = s->t[h->end].lex->val;
        h->end++;
        h->type = "TIME";
        if (h->value[0]) {
            size_t l = strlen(h->value);
            snprintf(h->value + l, sizeof h->value - l, "T%s", daypart_codes[p]);
        }
    }
}

/* "Tuesday", "last Friday", "Monday afternoon", "every Thursday". */
static bool
parse_weekday(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    int dir = 2;
    bool set = false;
    if (word(s, j, "every") || word(s, j, "each")) {
        set = true;
        j++;
    } else if (has(s, j, LX_REL) && !word(s, j, "past") && !word(s, j, "previous")) {
        dir = s->t[j].lex->val;
        j++;
    }
    if (!has(s, j, LX_WEEKDAY) || !s->t[j].cap)
        return false;
    int wd = s->t[j].lex->val;
    bool plural = s->t[j].lex->flags & LX_PLURAL;
    if (plural || set) {
        set_hit(h, j + 1, "SET");
        if (has(s, j + 1, LX_DAYPART)) {
            h->end++;
            snprintf(h->value, sizeof h->value, "XXXX-WXX-%dT%s", wd,
                     daypart_codes[s->t[j + 1].lex->val]);
        } else {
            snprintf(h->value, sizeof h->value, "XXXX-WXX-%d", wd);
        }
        return true;
    }
    set_hit(h, j + 1, "DATE");
    /* "Tuesday, Jan. 8": the explicit date wins. */
    struct hit md;
    if (punct(s, j + 1, ',') && j + 2 < s->n && parse_month(s, j + 2, &md) &&
        s->t[j + 2].kind == TOK_WORD) {
        *h = md;
        return true;
    }
    if (s->a)
        fmt_day(h->value, resolve_weekday(s->a, wd, dir, dir == 2 && future_context(s, i)));
    add_daypart(s, h);
    return true;
}

/* "today", "yesterday morning", "tonight", "last night", "this morning",
 * "now", "recently", "the past", "the future", "recent years". */
static bool
parse_deictic(const struct scan *s, size_t i, struct hit *h)
{
    if (has(s, i, LX_DAYWORD)) {
        if (s->t[i].cap && !sentence_start(s, i) && !(i > 0 && s->t[i - 1].cap))
            return false; /* a title or a name: "What Happens Tomorrow", "the Today programme" */
        set_hit(h, i + 1, "DATE");
        bool tonight = word(s, i, "tonight");
        if (s->a)
            fmt_day(h->value, anchor_days(s->a) + s->t[i].lex->val);
        if (tonight) {
            h->type = "TIME";
            if (s->a)
                strcat(h->value, "TNI");
        } else {
            add_daypart(s, h);
        }
        return true;
    }
    if ((word(s, i, "this") || word(s, i, "last")) && has(s, i + 1, LX_DAYPART) &&
        !has(s, i + 1, LX_PLURAL)) {
        int p = s->t[i + 1].lex->val;
        bool last = word(s, i, "last");
        if (last && p != 3)
            return false; /* "last morning" is not an expression */
        set_hit(h, i + 2, "TIME");
        if (s->a) {
            fmt_day(h->value, anchor_days(s->a) - (last ? 1 : 0));
            size_t l = strlen(h->value);
            snprintf(h->value + l, sizeof h->value - l, "T%s", daypart_codes[p]);
        }
        return true;
    }
    if (word(s, i, "recent") && has(s, i + 1, LX_UNIT) && has(s, i + 1, LX_PLURAL)) {
        set_hit(h, i + 2, "DURATION"); /* "in recent years": some years up to now */
        h->takes_the = true;
        h->takes_edge = false;
        duration_value(h->value, -1, s->t[i + 1].lex->unit);
        return true;
    }
    if (word(s, i, "past") || word(s, i, "future")) {
        /* Only "the past" / "the (near) future": the caller checks "the". */
        if (word(s, i, "past") && (has(s, i + 1, LX_UNIT) || has(s, i + 1, LX_NUM) ||
                                   (i + 1 < s->n && s->t[i + 1].kind == TOK_NUM) ||
                                   has(s, i + 1, LX_VAGUE) || word(s, i + 1, "few")))
            return false;
        if (i == 0 || !word(s, i - 1, "the"))
            if (!(i > 1 && word(s, i - 1, "near") && word(s, i - 2, "the")))
                return false;
        set_hit(h, i + 1, "DATE");
        h->takes_the = true;
        h->takes_edge = false;
        strcpy(h->value, ref_values[word(s, i, "past") ? 1 : 2]);
        return true;
    }
    if (word(s, i, "near") && word(s, i + 1, "future") && i > 0 && word(s, i - 1, "the")) {
        set_hit(h, i + 2, "DATE");
        h->takes_the = true;
        strcpy(h->value, ref_values[2]);
        return true;
    }
    if (has(s, i, LX_REF)) {
        if (word(s, i, "current") && (has(s, i + 1, LX_UNIT) || word(s, i + 1, "account")))
            return false;
        set_hit(h, i + 1, "DATE");
        h->takes_edge = false;
        strcpy(h->value, ref_values[s->t[i].lex->val]);
        return true;
    }
    return false;
}

/* Current quarter (1-4) of the anchor. */
static int
anchor_quarter(const struct dates_anchor *a)
{
    return (a->month - 1) / 3 + 1;
}

/* "the third quarter", "third-quarter", "the fiscal second quarter",
 * "the latest quarter", "the first half", "the fourth quarter of 1998". */
static bool
parse_quarter(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    /* The year may come first: "the 1987 second quarter", "this year's second
     * quarter", "the year-ago second quarter". */
    int y = 0, year_shift = 0, year_ago = 0;
    bool have_year = false;
    if (year_at(s, j, &y) && (ordinal_at(s, j + 1, &(int){0}) || word(s, j + 1, "fiscal"))) {
        have_year = true;
        j++;
    } else if (has(s, j, LX_REL) && word(s, j + 1, "year") && glued(s, j + 2) &&
               (punct(s, j + 2, '\'') || punct(s, j + 2, 0x2019)) && word(s, j + 3, "s")) {
        year_shift = s->t[j].lex->val;
        if (word(s, j, "past") || word(s, j, "coming") || word(s, j, "previous"))
            return false;
        have_year = s->a != NULL;
        if (s->a)
            y = s->a->year + year_shift;
        j += 4;
    } else if (word(s, j, "year") && is_hyphen(s, j + 1) &&
               (word(s, j + 2, "earlier") || word(s, j + 2, "ago"))) {
        year_ago = 1;
        j += 3;
    }
    if (word(s, j, "fiscal"))
        j++;
    int q = 0;
    bool latest = false;
    size_t e = ordinal_at(s, j, &q);
    if (e) {
        j = e;
    } else if (word(s, j, "latest") || (word(s, j, "most") && word(s, j + 1, "recent"))) {
        latest = true;
        j += word(s, j, "latest") ? 1 : 2;
    } else {
        return false;
    }
    if (word(s, j, "fiscal"))
        j++;
    bool half = false, adjective = false;
    if (is_hyphen(s, j) && (word(s, j + 1, "quarter") || word(s, j + 1, "half"))) {
        adjective = true; /* "the third-quarter results": "the" belongs to the noun */
        j++;
    }
    if (word(s, j, "half")) {
        half = true;
    } else if (!word(s, j, "quarter")) {
        return false;
    }
    if ((half && (q < 1 || q > 2)) || (!half && !latest && (q < 1 || q > 4)) || (half && latest))
        return false;
    set_hit(h, j + 1, "DATE");
    h->takes_the = !adjective || have_year || year_ago;
    h->names_quarter = !half && !latest && !year_ago;
    if (!have_year && word(s, j + 1, "of") && year_at(s, j + 2, &y)) {
        have_year = true;
        h->end = j + 3;
    } else if (!have_year && word(s, j + 1, "of") && has(s, j + 2, LX_REL) &&
               word(s, j + 3, "year") && s->a) {
        y = s->a->year + s->t[j + 2].lex->val;
        have_year = true;
        h->end = j + 4;
    }
    if (!s->a && !have_year)
        return true;
    if (latest) {
        if (s->a)
            fmt_quarter(h->value, s->a->year - year_ago, anchor_quarter(s->a) - 1);
        return true;
    }
    if (!have_year) {
        int cur = half ? (s->a->month > 6 ? 2 : 1) : anchor_quarter(s->a);
        y = (q > cur ? s->a->year - 1 : s->a->year) - year_ago;
    }
    snprintf(h->value, sizeof h->value, half ? "%04d-H%d" : "%04d-Q%d", y, q);
    return true;
}

/* Seasons counted from year 0: year * 4 + index (spring .. winter); a winter
 * belongs to the year of its December. */
static long
season_ordinal(int y, int m)
{
    if (m <= 2)
        return (long)(y - 1) * 4 + 3;
    return (long)y * 4 + (m == 12 ? 3 : (m - 3) / 3);
}

/* Value of "last/this/next <unit>" relative to the anchor. */
static void
relative_value(const struct scan *s, int unit, int dir, char *v)
{
    const struct dates_anchor *a = s->a;
    long ad = anchor_days(a);
    switch (unit) {
    case 'Y':
        snprintf(v, 32, "%04d", a->year + dir);
        break;
    case 'M':
        fmt_month(v, a->year, a->month + dir);
        break;
    case 'W':
        fmt_week(v, ad + 7L * dir);
        break;
    case 'D':
        fmt_day(v, ad + dir);
        break;
    case 'Q':
        fmt_quarter(v, a->year, anchor_quarter(a) + dir);
        break;
    case 'E':
        snprintf(v, 32, "%03d", a->year / 10 + dir);
        break;
    case 'C':
        snprintf(v, 32, "%02d", a->year / 100 + dir);
        break;
    case 'K': {
        /* The weekend of the anchor's week; "last": the one before. */
        long sat = ad - weekday_of(ad) + 6 + 7L * dir;
        fmt_week(v, sat);
        strcat(v, "-WE");
        break;
    }
    default:
        v[0] = '\0';
    }
}

/* "last year", "this week", "next month", "last April", "last fall",
 * "the weekend", "the past year" (a duration), "the coming weeks". */
static bool
parse_relative(const struct scan *s, size_t i, struct hit *h)
{
    bool the = i > 0 && word(s, i - 1, "the");
    if (word(s, i, "weekend") && the) {
        set_hit(h, i + 1, "DATE");
        h->takes_the = true;
        if (s->a) {
            int awd = weekday_of(anchor_days(s->a));
            relative_value(s, 'K', awd <= 3 ? -1 : 0, h->value);
        }
        return true;
    }
    if (has(s, i, LX_SEASON) && (the || (i > 0 && word(s, i - 1, "in"))) && !has(s, i, LX_PLURAL)) {
        if (word(s, i, "fall") && !the)
            return false;
        set_hit(h, i + 1, "DATE");
        h->takes_the = true;
        int y = 0;
        bool have_year = false;
        if (word(s, i + 1, "of") && year_at(s, i + 2, &y)) {
            have_year = true;
            h->end = i + 3;
        }
        if (!have_year && !s->a)
            return true;
        if (!have_year)
            y = s->a->year;
        snprintf(h->value, sizeof h->value, "%04d-%s", y, season_codes[s->t[i].lex->val]);
        return true;
    }
    if (has(s, i, LX_SEASON) && !has(s, i, LX_PLURAL)) {
        int y;
        if (year_at(s, i + 1, &y) && (s->t[i].cap || !word(s, i, "fall"))) {
            set_hit(h, i + 2, "DATE");
            snprintf(h->value, sizeof h->value, "%04d-%s", y, season_codes[s->t[i].lex->val]);
            return true;
        }
    }
    if (!has(s, i, LX_REL))
        return false;
    int dir = s->t[i].lex->val;
    bool span_rel = word(s, i, "past") || word(s, i, "coming") ||
                    (the && (word(s, i, "last") || word(s, i, "next")));
    size_t j = i + 1;
    if (word(s, j, "fiscal"))
        j++;
    int unit = unit_of(s, j);
    if (unit && unit != 'H' && unit != 'N' && unit != 'S') {
        bool plural = has(s, j, LX_PLURAL);
        if (span_rel || plural) {
            if (!the && !plural && !word(s, i, "past") && !word(s, i, "coming"))
                return false;
            set_hit(h, j + 1, "DURATION");
            h->takes_the = true;
            h->takes_edge = false;
            h->is_duration = true;
            duration_value(h->value, plural ? -1 : 1, unit);
            return true;
        }
        if (unit == 'D' || word(s, i, "previous"))
            return false; /* "the next day", "the previous year": relative to an event */
        set_hit(h, j + 1, "DATE");
        if (s->a)
            relative_value(s, unit, dir, h->value);
        return true;
    }
    if (word(s, i, "past") || word(s, i, "previous") || word(s, i, "coming"))
        return false;
    if (has(s, j, LX_MONTH) && s->t[j].cap && !(s->t[j].lex->flags & LX_MABBR)) {
        int m = s->t[j].lex->val;
        set_hit(h, j + 1, "DATE");
        if (s->a) {
            int y = s->a->year;
            if (dir < 0 && m >= s->a->month)
                y--;
            else if (dir > 0 && m <= s->a->month)
                y++;
            fmt_month(h->value, y, m);
        }
        return true;
    }
    if (has(s, j, LX_SEASON) && !has(s, j, LX_PLURAL)) {
        int sn = s->t[j].lex->val;
        set_hit(h, j + 1, "DATE");
        if (s->a) {
            long cur = season_ordinal(s->a->year, s->a->month);
            long y = dir == 0 && sn != 3 ? s->a->year : cur / 4;
            if (dir < 0 && y * 4 + sn >= cur)
                y--;
            else if (dir > 0 && y * 4 + sn <= cur)
                y++;
            snprintf(h->value, sizeof h->value, "%04ld-%s", y, season_codes[sn]);
        }
        return true;
    }
    return false;
}

/* The quarter the block is about: the last one it named, else the last
 * quarter completed before the anchor. */
static void
context_quarter(const struct scan *s, char *v)
{
    if (s->quarter[0])
        snprintf(v, 32, "%s", s->quarter);
    else
        fmt_quarter(v, s->a->year, anchor_quarter(s->a) - 1);
}

/* "a year ago" in an earnings report: the same quarter a year before. */
static void
year_ago_quarter(const struct scan *s, char *v)
{
    char q[32];
    int y, n;
    context_quarter(s, q);
    if (sscanf(q, "%d-Q%d", &y, &n) == 2)
        fmt_quarter(v, y - 1, n);
    else
        snprintf(v, 32, "%04d", s->a->year - 1);
}

/* "the quarter", "the latest period", "the current year", "the week",
 * "the year" and "the fiscal year" (a duration: P1Y). */
static bool
parse_the_unit(const struct scan *s, size_t i, struct hit *h)
{
    if (i == 0 || !word(s, i - 1, "the"))
        return false;
    size_t j = i;
    bool latest = false, current = false;
    for (;; j++) {
        if (word(s, j, "latest"))
            latest = true;
        else if (word(s, j, "current") || word(s, j, "full"))
            current = true;
        else if (!word(s, j, "fiscal") && !word(s, j, "entire") && !word(s, j, "whole"))
            break;
    }
    int unit = has(s, j, LX_PLURAL) ? 0 : unit_of(s, j);
    if (latest && word(s, j, "period"))
        unit = 'Q';
    if (is_hyphen(s, j + 1))
        return false; /* "the year-earlier period" is parse_year_ago's */
    set_hit(h, j + 1, "DATE");
    h->takes_the = true;
    h->takes_edge = false;
    switch (unit) {
    case 'Q':
        if (!s->a)
            return true;
        if (current)
            fmt_quarter(h->value, s->a->year, anchor_quarter(s->a));
        else
            context_quarter(s, h->value);
        return true;
    case 'Y':
        if (current || latest) {
            if (s->a)
                snprintf(h->value, sizeof h->value, "%04d", s->a->year);
            return true;
        }
        h->type = "DURATION";
        h->is_duration = true;
        strcpy(h->value, "P1Y");
        return true;
    case 'W':
        if (s->a)
            relative_value(s, 'W', 0, h->value);
        return true;
    default:
        return false;
    }
}

/* "the 1988 quarter", "the 1989 period": the quarter the block is about, in
 * that year. */
static bool
parse_year_period(const struct scan *s, size_t i, struct hit *h)
{
    int y;
    if (i == 0 || !word(s, i - 1, "the") || !year_at(s, i, &y) ||
        !(word(s, i + 1, "quarter") || word(s, i + 1, "period")))
        return false;
    set_hit(h, i + 2, "DATE");
    h->takes_the = true;
    char q[32];
    int qy, n;
    if (!s->a && !s->quarter[0])
        return true;
    context_quarter(s, q);
    if (sscanf(q, "%d-Q%d", &qy, &n) == 2)
        fmt_quarter(h->value, y, n);
    return true;
}

/* Spoken years, as in transcripts: "nineteen ninety-six", "the year two
 * thousand", "two thousand and one". */
static bool
parse_year_words(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    bool year_word = word(s, j, "year");
    if (year_word)
        j++;
    long y = -1;
    size_t e;
    if (word(s, j, "two") && word(s, j + 1, "thousand")) {
        /* A count as often as a year: only after "the year" or "in". */
        if (!year_word && !(j > 0 && (word(s, j - 1, "in") || word(s, j - 1, "since") ||
                                      word(s, j - 1, "until") || word(s, j - 1, "by"))))
            return false;
        e = count_at(s, j, false, &y);
    } else if (word(s, j, "nineteen") || word(s, j, "eighteen")) {
        long lo;
        size_t k = j + 1;
        if (!has(s, k, LX_NUM) || !(e = count_at(s, k, false, &lo)) || lo < 10 || lo > 99)
            return false;
        y = s->t[j].lex->val * 100 + lo;
    } else {
        return false;
    }
    if (!e || y < 1000 || y > 2099 || has(s, e, LX_UNIT))
        return false;
    set_hit(h, e, "DATE");
    h->takes_the = true;
    snprintf(h->value, sizeof h->value, "%04ld", y);
    return true;
}

/* Holidays with a fixed or computed date. rule 0: fixed month/day; 'T': US
 * Thanksgiving (fourth Thursday of November); 'E': US Election Day (Tuesday
 * after the first Monday of November). */
struct holiday {
    const char *words[4]; /* lower-case words; apostrophes between them are skipped */
    int month, day;
    char rule;
};

static const struct holiday holidays[] = {
    {{"christmas", "eve"}, 12, 24, 0},
    {{"christmas", "day"}, 12, 25, 0},
    {{"christmas"}, 12, 25, 0},
    {{"new", "year", "s", "day"}, 1, 1, 0},
    {{"new", "year", "s", "eve"}, 12, 31, 0},
    {{"halloween"}, 10, 31, 0},
    {{"valentine", "s", "day"}, 2, 14, 0},
    {{"thanksgiving", "day"}, 11, 0, 'T'},
    {{"thanksgiving"}, 11, 0, 'T'},
    {{"election", "day"}, 11, 0, 'E'},
};

static int
holiday_day(const struct holiday *hd, int y)
{
    if (hd->rule == 0)
        return hd->day;
    int wd1 = weekday_of(days_from_civil(y, 11, 1));
    if (hd->rule == 'T')
        return 1 + (4 - wd1 + 7) % 7 + 21;
    return 1 + (1 - wd1 + 7) % 7 + 1;
}

static bool
parse_holiday(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    int dir = 2;
    if (word(s, j, "last") || word(s, j, "next") || word(s, j, "this")) {
        dir = s->t[j].lex->val;
        j++;
    }
    if (j >= s->n || !s->t[j].cap)
        return false;
    for (size_t k = 0; k < sizeof holidays / sizeof holidays[0]; k++) {
        const struct holiday *hd = &holidays[k];
        size_t p = j;
        size_t w = 0;
        for (; w < 4 && hd->words[w]; w++) {
            if (w > 0 && glued(s, p) && (punct(s, p, '\'') || punct(s, p, 0x2019)))
                p++;
            if (!word(s, p, hd->words[w]))
                break;
            p++;
        }
        if (w < 4 && hd->words[w])
            continue;
        set_hit(h, p, "DATE");
        int y;
        if (year_at(s, p, &y)) { /* "Christmas 2004" */
            h->end = p + 1;
            snprintf(h->value, sizeof h->value, "%04d-%02d-%02d", y, hd->month, holiday_day(hd, y));
            return true;
        }
        if (s->a) {
            y = s->a->year;
            if (dir == 2)
                y = month_year(s->a, hd->month);
            long ad = anchor_days(s->a);
            if (dir == -1 && days_from_civil(y, hd->month, holiday_day(hd, y)) >= ad)
                y--;
            else if (dir == 1 && days_from_civil(y, hd->month, holiday_day(hd, y)) <= ad)
                y++;
            snprintf(h->value, sizeof h->value, "%04d-%02d-%02d", y, hd->month, holiday_day(hd, y));
        }
        return true;
    }
    return false;
}

/* Value of "<n> <unit> ago" (dir -1) or "from now" (+1). */
static void
shifted_value(const struct scan *s, long n, int unit, int dir, char *v)
{
    const struct dates_anchor *a = s->a;
    v[0] = '\0';
    if (!a || n < 0 || n > 10000)
        return;
    long k = n * dir;
    switch (unit) {
    case 'Y':
        snprintf(v, 32, "%04ld", a->year + k);
        break;
    case 'M':
        fmt_month(v, a->year, (int)(a->month + k));
        break;
    case 'W':
        fmt_week(v, anchor_days(a) + 7 * k);
        break;
    case 'D':
        fmt_day(v, anchor_days(a) + k);
        break;
    case 'Q':
        fmt_quarter(v, a->year, (int)(anchor_quarter(a) + k));
        break;
    case 'E':
        snprintf(v, 32, "%03ld", a->year / 10 + k);
        break;
    case 'C':
        snprintf(v, 32, "%02ld", a->year / 100 + k);
        break;
    }
}

/* "last" as a verb: "expected to last two months", "it will last". */
static bool
verb_last(const struct scan *s, size_t i)
{
    static const char *const before[] = {"to",   "will",  "would",  "could", "can",
                                         "may",  "might", "should", "must",  "did",
                                         "does", "do",    "not",    "ll",    "which"};
    if (!word(s, i, "last") || i == 0)
        return false;
    for (size_t k = 0; k < sizeof before / sizeof before[0]; k++)
        if (word(s, i - 1, before[k]))
            return true;
    return false;
}

/* A quantity before "a year" makes it a rate: a number, a money or count
 * word, a percent sign. */
static bool
rate_before(const struct scan *s, size_t i)
{
    static const char *const quantity[] = {"million", "billion", "trillion", "thousand", "hundred",
                                           "percent", "cents",   "dollars",  "times",    "once",
                                           "twice",   "hours",   "days",     "miles",    "tons"};
    if (s->t[i].kind == TOK_NUM || punct(s, i, '%'))
        return true;
    for (size_t k = 0; k < sizeof quantity / sizeof quantity[0]; k++)
        if (word(s, i, quantity[k]))
            return true;
    return false;
}

/* "three years", "24 hours", "two-year", "a few days", "the past two months",
 * "the first six months", "a year ago", "six weeks earlier", "every week",
 * "daily". */
static bool
parse_duration(const struct scan *s, size_t i, struct hit *h)
{
    if (has(s, i, LX_SETADV)) {
        if (s->t[i].cap && !sentence_start(s, i))
            return false; /* "China Daily" */
        if (s->t[i].lex->unit == 'Q' && i + 1 < s->n && s->t[i + 1].kind == TOK_WORD)
            return false; /* "quarterly dividend": a kind of payment, not a recurrence */
        set_hit(h, i + 1, "SET");
        duration_value(h->value, 1, s->t[i].lex->unit);
        return true;
    }
    size_t j = i;
    bool set = false, bounded = false;
    if (word(s, j, "every") || word(s, j, "each") || word(s, j, "per")) {
        set = true;
        j++;
        if (word(s, j, "other"))
            j++;
    } else if (((has(s, j, LX_REL) && !word(s, j, "this")) || word(s, j, "first") ||
                word(s, j, "final")) &&
               !verb_last(s, j)) {
        bounded = true; /* "past three weeks", "first six months" */
        j++;
    }
    long n = 1;
    size_t e = count_at(s, j, !bounded, &n);
    if (!e) {
        if (!set)
            return false;
        n = 1;
        e = j;
    }
    j = e;
    bool hyphen = false;
    if (word(s, j, "more") || word(s, j, "full") || word(s, j, "straight") ||
        word(s, j, "consecutive"))
        j++;
    else if (is_hyphen(s, j)) {
        hyphen = true;
        j++;
    }
    int unit = unit_of(s, j);
    if (!unit && set && has(s, j, LX_DAYPART) && !has(s, j, LX_PLURAL)) {
        set_hit(h, j + 1, "SET");
        snprintf(h->value, sizeof h->value, "XXXX-XX-XXT%s", daypart_codes[s->t[j].lex->val]);
        return true;
    }
    if (!unit)
        return false;
    bool plural = has(s, j, LX_PLURAL);
    if (hyphen && plural)
        return false;
    if (!hyphen && !plural && s->t[e - 1].kind == TOK_NUM && s->t[e - 1].ndigits == 4)
        return false; /* "the 1988 quarter": a year, not a count */
    if ((is_hyphen(s, j + 1) && (word(s, j + 2, "old") || word(s, j + 2, "olds"))) ||
        word(s, j + 1, "old"))
        return false; /* ages: "44-year-old", "52 years old" */
    /* "one year" vs "1 years": the number must agree loosely with the unit. */
    if (!hyphen && n == 1 && plural && !bounded)
        return false;
    if (unit == 'K' && !set)
        return false;
    if (is_hyphen(s, j + 1))
        return false; /* "a year-earlier quarter" is parse_year_ago's */
    if (unit == 'Q' && word(s, j + 1, "of"))
        return false; /* "a quarter of the shares": a fraction */
    if (n == 1 && (word(s, i, "a") || word(s, i, "an")) && i > 0 && rate_before(s, i - 1))
        return false; /* "$3 billion a year", "four times a week": a rate */
    j++;
    if (set) {
        set_hit(h, j, "SET");
        duration_value(h->value, n, unit);
        return true;
    }
    if (!hyphen && !bounded &&
        (word(s, j, "ago") || word(s, j, "earlier") || word(s, j, "later") ||
         (word(s, j, "from") && word(s, j + 1, "now")))) {
        int dir = word(s, j, "ago") || word(s, j, "earlier") ? -1 : 1;
        set_hit(h, word(s, j, "from") ? j + 2 : j + 1, "DATE");
        h->is_duration = true; /* "nearly two years ago" */
        if (unit == 'Y' && n == 1 && dir < 0 && s->quarter_talk && s->a)
            year_ago_quarter(s, h->value);
        else
            shifted_value(s, n, unit, dir, h->value);
        return true;
    }
    set_hit(h, j, "DURATION");
    h->takes_the = !hyphen;
    h->takes_edge = false;
    h->is_duration = true;
    duration_value(h->value, n, unit);
    return true;
}

/* "year-earlier", "the year-ago quarter", "a year earlier" is a duration shift. */
static bool
parse_year_ago(const struct scan *s, size_t i, struct hit *h)
{
    if (!word(s, i, "year") || !is_hyphen(s, i + 1) ||
        !(word(s, i + 2, "earlier") || word(s, i + 2, "ago")))
        return false;
    size_t j = i + 3;
    int unit = 'Y';
    if (word(s, j, "quarter") || word(s, j, "period")) {
        unit = word(s, j, "quarter") ? 'Q' : 'Y';
        j++;
    }
    set_hit(h, j, "DATE");
    h->takes_the = j > i + 3;
    if (s->a) {
        if (unit == 'Q' || s->quarter_talk)
            year_ago_quarter(s, h->value);
        else
            snprintf(h->value, sizeof h->value, "%04d", s->a->year - 1);
    }
    return true;
}

/* Clock times: "10 p.m.", "10:30 a.m. Wednesday", "noon Thursday". */
static bool
parse_clock(const struct scan *s, size_t i, struct hit *h)
{
    int hh = -1, mm = 0;
    size_t j = i;
    if (word(s, j, "noon") || word(s, j, "midnight")) {
        hh = word(s, j, "noon") ? 12 : 24; /* TimeML: midnight ends its day, T24:00 */
        j++;
    } else {
        if (j >= s->n || s->t[j].kind != TOK_NUM || s->t[j].ndigits > 2 || s->t[j].num > 24)
            return false;
        hh = (int)s->t[j].num;
        j++;
        if (punct(s, j, ':') && glued(s, j) && glued(s, j + 1) && j + 1 < s->n &&
            s->t[j + 1].kind == TOK_NUM && s->t[j + 1].ndigits == 2 && s->t[j + 1].num < 60) {
            mm = (int)s->t[j + 1].num;
            j += 2;
        }
        /* a.m. / p.m. / am / pm */
        bool pm;
        if ((word(s, j, "a") || word(s, j, "p")) && punct(s, j + 1, '.') && word(s, j + 2, "m")) {
            pm = word(s, j, "p");
            j += 3;
            if (punct(s, j, '.') && glued(s, j))
                j++;
        } else if (word(s, j, "am") || word(s, j, "pm")) {
            pm = word(s, j, "pm");
            j++;
        } else if (word(s, j, "o") && (punct(s, j + 1, '\'') || punct(s, j + 1, 0x2019)) &&
                   word(s, j + 2, "clock")) {
            pm = false;
            j += 3;
        } else {
            return false;
        }
        if (hh < 1 || hh > 12)
            return false;
        if (pm && hh < 12)
            hh += 12;
        else if (!pm && hh == 12)
            hh = 0;
    }
    /* a following day: "Wednesday", "today", "yesterday" */
    long days = 0;
    bool have_day = false;
    size_t k = j;
    if (word(s, k, "on"))
        k++;
    if (has(s, k, LX_WEEKDAY) && s->t[k].cap && !has(s, k, LX_PLURAL)) {
        if (s->a)
            days = resolve_weekday(s->a, s->t[k].lex->val, 2, future_context(s, i));
        have_day = true;
        j = k + 1;
    } else if (has(s, k, LX_DAYWORD) && !word(s, k, "tonight")) {
        if (s->a)
            days = anchor_days(s->a) + s->t[k].lex->val;
        have_day = true;
        j = k + 1;
    } else if (s->a) {
        days = anchor_days(s->a);
    }
    (void)have_day;
    set_hit(h, j, "TIME");
    if (s->a) {
        fmt_day(h->value, days);
        size_t l = strlen(h->value);
        snprintf(h->value + l, sizeof h->value - l, "T%02d:%02d", hh, mm);
    }
    return true;
}

typedef bool (*parse_fn)(const struct scan *, size_t, struct hit *);

static const parse_fn parsers[] = {
    parse_iso,      parse_month,      parse_year,     parse_weekday,     parse_deictic,
    parse_quarter,  parse_relative,   parse_duration, parse_year_ago,    parse_clock,
    parse_the_unit, parse_year_words, parse_holiday,  parse_year_period,
};

/* The longest expression whose core starts at i. */
static bool
parse_core(const struct scan *s, size_t i, struct hit *best)
{
    bool found = false;
    for (size_t p = 0; p < sizeof parsers / sizeof parsers[0]; p++) {
        struct hit h;
        if (parsers[p](s, i, &h) && h.end > i && (!found || h.end > best->end)) {
            *best = h;
            found = true;
        }
    }
    return found;
}

/* An expression starting at token i with its leading words: approximators
 * ("nearly"), "the", edges ("early", "mid-", "earlier"), "the end of". */
static bool
parse_at(const struct scan *s, size_t i, struct hit *h)
{
    size_t j = i;
    bool approx = false, the = false;
    if (has(s, j, LX_APPROX)) {
        approx = true;
        j++;
    } else if ((word(s, j, "more") || word(s, j, "less")) && word(s, j + 1, "than")) {
        approx = true;
        j += 2;
    } else if ((word(s, j, "at") && (word(s, j + 1, "least") || word(s, j + 1, "most"))) ||
               (word(s, j, "up") && word(s, j + 1, "to"))) {
        approx = true;
        j += 2;
    }
    if (approx)
        return parse_core(s, j, h) && h->is_duration;
    if (word(s, j, "the")) {
        the = true;
        j++;
        if (has(s, j, LX_PERIOD) && word(s, j + 1, "of")) {
            size_t k = j + 2;
            struct hit inner;
            if (word(s, k, "the") && has(s, k + 1, LX_UNIT) && !has(s, k + 1, LX_PLURAL)) {
                int unit = s->t[k + 1].lex->unit; /* "the end of the year": the anchor's */
                if (unit == 'Y' || unit == 'M' || unit == 'W' || unit == 'Q') {
                    *h = (struct hit){0};
                    set_hit(h, k + 2, "DATE");
                    if (s->a)
                        relative_value(s, unit, 0, h->value);
                    return true;
                }
            }
            if (word(s, k, "the"))
                k++;
            if (parse_core(s, k, &inner) && !inner.is_duration && strcmp(inner.type, "DATE") == 0) {
                *h = inner;
                return true;
            }
            return false;
        }
    }
    if (has(s, j, LX_EDGE)) {
        size_t k = j + 1;
        if (word(s, j, "mid") && is_hyphen(s, k))
            k++;
        /* "earlier this year" is one expression; in "earlier Friday" or
         * "later today" the adverb is not part of the date. */
        bool comparative = word(s, j, "earlier") || word(s, j, "later");
        struct hit inner;
        if ((!comparative || has(s, k, LX_REL)) && parse_core(s, k, &inner) && inner.takes_edge &&
            !inner.is_duration && (!the || inner.takes_the)) {
            *h = inner;
            return true;
        }
    }
    if (!parse_core(s, j, h))
        return false;
    if (the && !h->takes_the) {
        /* "the" is not ours: the expression starts after it. */
        return false;
    }
    return true;
}

/* A token with a temporal meaning, or a number. */
static bool
temporal(const struct scan *s, size_t i)
{
    return i < s->n && (s->t[i].kind == TOK_NUM || (s->t[i].lex && s->t[i].lex->flags != LX_LEAD));
}

/* Cheap test before the grammar runs: most words cannot open an expression. */
static bool
may_start(const struct scan *s, size_t i)
{
    if (temporal(s, i))
        return true;
    if (!s->t[i].lex)
        return false;
    return temporal(s, i + 1) || temporal(s, i + 2) || temporal(s, i + 3);
}

bool
dates_parse_anchor(const char *s, struct dates_anchor *out)
{
    if (!s)
        return false;
    for (int k = 0; k < 10; k++) {
        bool dash = k == 4 || k == 7;
        if (dash ? s[k] != '-' : (s[k] < '0' || s[k] > '9'))
            return false;
    }
    if (s[10] != '\0' && s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    if (out) {
        out->year = y;
        out->month = m;
        out->day = d;
    }
    return true;
}

size_t
dates_find(const char *text, size_t len, const struct dates_anchor *anchor,
           struct date_mention **out)
{
    *out = NULL;
    if (!text || len == 0)
        return 0;
    struct tok *toks;
    struct lex_index ix;
    lex_index_init(&ix);
    size_t nt = tokenize(text, len, &ix, &toks);
    if (nt == (size_t)-1)
        return (size_t)-1;
    struct dates_anchor a;
    bool valid_anchor = anchor && anchor->month >= 1 && anchor->month <= 12 && anchor->day >= 1 &&
                        anchor->day <= days_in_month(anchor->year, anchor->month);
    if (valid_anchor)
        a = *anchor;
    char quarter[32] = "";
    struct scan s = {text, toks, nt, valid_anchor ? &a : NULL, false, quarter};
    for (size_t i = 0; i < nt && !s.quarter_talk; i++)
        s.quarter_talk =
            toks[i].lex &&
            (toks[i].lex->unit == 'Q' ||
             (toks[i].low[0] == 'a' && toks[i].low[1] == '\0' && word(&s, i + 1, "share")));
    struct date_mention *res = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nt;) {
        struct hit h;
        if (!may_start(&s, i) || !parse_at(&s, i, &h)) {
            i++;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct date_mention *nr = realloc(res, ncap * sizeof *nr);
            if (!nr) {
                free(res);
                free(toks);
                return (size_t)-1;
            }
            res = nr;
            cap = ncap;
        }
        struct date_mention *m = &res[n++];
        m->start = toks[i].start;
        m->end = toks[h.end - 1].end;
        snprintf(m->type, sizeof m->type, "%s", h.type);
        snprintf(m->value, sizeof m->value, "%s", h.value);
        if (h.names_quarter)
            snprintf(quarter, sizeof quarter, "%s", h.value);
        i = h.end;
    }
    free(toks);
    if (n == 0) {
        free(res);
        res = NULL;
    }
    *out = res;
    return n;
}
