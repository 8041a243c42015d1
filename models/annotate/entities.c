#include "models/annotate/entities.h"
#include "models/hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
#define TYPE_UNKNOWN (-1)
#define TYPE_EVENT (-2) /* an event, law or prize: named, but not an entity */
#define KEY_MAX 256
/* A sports report: at least this many words of sports_words.tsv, making at
 * least this percentage of its words (news reports score under 1.5%, match
 * reports 3% to 35%). */
#define SPORTS_MIN_WORDS 3
#define SPORTS_MIN_PERCENT 3

/* Candidate evidence. */
enum {
    EV_GAZ = 1u << 0,        /* gazetteer match: canonical name known */
    EV_TITLE = 1u << 1,      /* after a title or role noun */
    EV_GIVEN = 1u << 2,      /* starts with a given name */
    EV_SENT_START = 1u << 3, /* starts a sentence */
    EV_ACRONYM = 1u << 4,    /* one all-caps word of 2-6 letters */
    EV_DEMONYM = 1u << 5,    /* a demonym of its place */
    EV_UNIT = 1u << 6,       /* named by an organisation or place word */
    EV_PLACE_CUE = 1u << 7,  /* after in, at, from ... */
    EV_MALE = 1u << 8,       /* after Mr, Sir ... */
    EV_FEMALE = 1u << 9,     /* after Mrs, Ms ... */
    EV_LATE = 1u << 10,      /* found in pass 3 */
    EV_SPEAKS = 1u << 11,    /* followed by a speech verb ("Clinton said") */
    EV_ORG_CUE = 1u << 12,   /* after an organisation noun ("cables giant Pirelli") */
};

struct cand {
    size_t block, ts, te; /* tokens, te exclusive */
    int type;             /* enum entity_type or TYPE_UNKNOWN */
    unsigned ev;
    const char *canon; /* gazetteer canonical name */
    size_t canon_len;
    unsigned gcls; /* gazetteer classes of a gazetteer match */
    size_t entity;
};

struct tokkey {
    size_t off, len; /* folded key in ctx.fold */
    unsigned cls;    /* gazetteer classes of the single word */
};

struct ent {
    int type;
    bool guessed; /* typed by context alone: revisited once all mentions are in */
    bool weak;    /* a person only for having two words or more */
    size_t best;  /* candidate giving the name */
    const char *canon;
    size_t canon_len;
    char sex;
};

struct ctx {
    const struct gazetteer *g;
    const struct text_block *b;
    size_t nb;
    size_t *base; /* first tokkey of each block */
    struct tokkey *tk;
    char *fold;
    size_t fold_len, fold_cap;
    bool *unreliable; /* per block: capitalisation carries no information */
    struct cand *c;
    size_t nc, cc;
    struct ent *e;
    size_t ne, ce;
    size_t *midcap; /* set of words capitalised mid-sentence */
    size_t *lower;  /* set of words seen in lowercase */
    size_t set_cap;
    size_t max_words;
    bool sports; /* a sports report: a city or county names its team */
};

/* Words that may sit inside a person's name in lowercase. */
static const char *const particles[] = {"de",  "da",  "del", "della", "di", "du",  "van", "von",
                                        "der", "den", "ter", "la",    "le", "bin", "ibn", "bint",
                                        "dos", "das", "al",  "el",    "y",  "zu",  "ben", NULL};

/* Grammar words that never start a name, even where a name word follows. */
static const char *const function_words[] = {
    "the",    "a",     "an",     "this",  "that",    "these",   "those", "in",   "on",    "at",
    "of",     "for",   "with",   "by",    "from",    "to",      "and",   "or",   "but",   "as",
    "during", "after", "before", "when",  "while",   "if",      "last",  "next", "every", "each",
    "some",   "many",  "most",   "all",   "both",    "it",      "he",    "she",  "they",  "we",
    "i",      "you",   "his",    "her",   "their",   "its",     "our",   "my",   "your",  "since",
    "until",  "under", "over",   "about", "against", "between", "among", "into", "than",  "then",
    "so",     "yet",   "also",   "not",   "no",      "there",   "here",  "what", "who",   "where",
    "why",    "how",   "which",  NULL};

/* Lowercase words before a name that make it a place. */
static const char *const place_cues[] = {"in",      "at",     "from",       "near",
                                         "into",    "across", "outside",    "inside",
                                         "towards", "toward", "throughout", NULL};

/* Nouns that make "<noun> of X" a place. */
static const char *const place_nouns[] = {
    "town",         "city",     "village",    "capital", "province",   "region",
    "district",     "state",    "county",     "island",  "port",       "suburb",
    "outskirts",    "republic", "kingdom",    "area",    "settlement", "enclave",
    "municipality", "borough",  "prefecture", NULL};

/* Titles that tell a person's sex. */
static const char *const male_titles[] = {"mr",      "sir",     "lord",     "king",   "prince",
                                          "duke",    "emperor", "sultan",   "sheikh", "father",
                                          "brother", "uncle",   "monsieur", "herr",   "senor",
                                          "signor",  "mister",  "baron",    "earl",   NULL};
static const char *const female_titles[] = {
    "mrs",     "ms",       "miss",    "dame",   "lady",    "queen",    "princess",
    "duchess", "baroness", "empress", "sister", "mother",  "aunt",     "madam",
    "madame",  "mme",      "frau",    "senora", "signora", "countess", NULL};

/* Words Title Case leaves in lowercase. */
static const char *const title_case_lower[] = {"and",  "the",  "for",  "but",  "nor",  "via",
                                               "from", "into", "with", "over", "upon", "onto",
                                               "amid", "than", "per",  "off",  "out",  NULL};

static const char *const type_names[] = {"person", "place", "organisation"};

const char *
entity_type_name(enum entity_type t)
{
    return type_names[t];
}

static const struct text_token *
tok(const struct ctx *x, size_t block, size_t k)
{
    return &x->b[block].tokens[k];
}

static const struct tokkey *
key(const struct ctx *x, size_t block, size_t k)
{
    return &x->tk[x->base[block] + k];
}

static bool
is_word(const struct text_token *t)
{
    return t->kind == TEXT_WORD || t->kind == TEXT_NUMBER;
}

static bool
key_is(const struct ctx *x, const struct tokkey *k, const char *const *words)
{
    const char *s = x->fold + k->off;
    if (k->len == 0)
        return false;
    for (size_t i = 0; words[i]; i++)
        if (words[i][0] == s[0] && strlen(words[i]) == k->len && memcmp(words[i], s, k->len) == 0)
            return true;
    return false;
}

/* True for an all-caps word of 2 to 6 letters (an acronym in running text). */
static bool
is_acronym(const struct text_token *t)
{
    size_t n = t->end - t->start;
    return t->kind == TEXT_WORD && (t->flags & TEXT_UPPER) && n >= 2 && n <= 8;
}

/* Folded key of tokens [ts, te) of a block, words joined by one space. With
 * poss, a possessive on the last word is kept ("McDonald's"). Returns its
 * length; 0 when it does not fit. */
static size_t
span_key(const struct ctx *x, size_t block, size_t ts, size_t te, bool poss, char *out)
{
    size_t o = 0;
    for (size_t k = ts; k < te; k++) {
        const struct tokkey *tk = key(x, block, k);
        bool add_s = (tok(x, block, k)->flags & TEXT_POSS) && (k + 1 < te || poss);
        if (o + tk->len + 4 >= KEY_MAX)
            return 0;
        if (k > ts)
            out[o++] = ' ';
        memcpy(out + o, x->fold + tk->off, tk->len);
        o += tk->len;
        if (add_s) {
            memcpy(out + o, "'s", 2);
            o += 2;
        }
    }
    out[o] = '\0';
    return o;
}

static int
fold_tokens(struct ctx *x)
{
    size_t total = 0;
    for (size_t i = 0; i < x->nb; i++) {
        x->base[i] = total;
        total += x->b[i].ntokens;
    }
    size_t words = 0, sport_words = 0;
    x->tk = calloc(total ? total : 1, sizeof *x->tk);
    if (!x->tk)
        return -1;
    for (size_t i = 0; i < x->nb; i++) {
        const struct text_block *b = &x->b[i];
        for (size_t k = 0; k < b->ntokens; k++) {
            const struct text_token *t = &b->tokens[k];
            struct tokkey *tk = &x->tk[x->base[i] + k];
            if (!is_word(t))
                continue;
            size_t need = (t->end - t->start) + 1;
            if (x->fold_len + need > x->fold_cap) {
                size_t cap = x->fold_cap ? x->fold_cap * 2 : 4096;
                while (cap < x->fold_len + need)
                    cap *= 2;
                char *f = realloc(x->fold, cap);
                if (!f)
                    return -1;
                x->fold = f;
                x->fold_cap = cap;
            }
            tk->off = x->fold_len;
            tk->len = text_fold(b->text + t->start, t->end - t->start, x->fold + x->fold_len, need);
            x->fold_len += tk->len;
            tk->cls =
                b->classes ? b->classes[k] : gazetteer_classes(x->g, x->fold + tk->off, tk->len);
            words++;
            sport_words += (tk->cls & GAZ_SPORT) != 0;
        }
    }
    x->sports = sport_words >= SPORTS_MIN_WORDS && sport_words * 100 >= words * SPORTS_MIN_PERCENT;
    return 0;
}

/* Blocks in ALL CAPS or Title Case (headlines) say nothing through capitals. */
static void
classify_blocks(struct ctx *x)
{
    for (size_t i = 0; i < x->nb; i++) {
        size_t words = 0, lower = 0, upper = 0, letters = 0, common = 0;
        for (size_t k = 0; k < x->b[i].ntokens; k++) {
            const struct text_token *t = &x->b[i].tokens[k];
            if (t->kind != TEXT_WORD)
                continue;
            letters++;
            if (t->flags & TEXT_UPPER)
                upper++;
            if (!(t->flags & TEXT_CAP) && t->end - t->start >= 3 &&
                !text_token_is(x->b[i].text, t, title_case_lower)) {
                lower++;
                break; /* running text: neither ALL CAPS nor Title Case */
            }
            if ((t->flags & TEXT_CAP) && (x->tk[x->base[i] + k].cls & GAZ_COMMON))
                common++;
            if (t->end - t->start < 4)
                continue;
            words++;
        }
        /* Title Case: no lowercase word but the short function words, and
         * capitalised common words (a line of names is not Title Case). */
        x->unreliable[i] =
            (letters > 0 && upper == letters) || (words >= 3 && lower == 0 && common >= 2);
    }
}

static uint64_t
hash_bytes(const char *s, size_t len)
{
    return hash_fnv1a(s, len);
}

/* A set of folded words, as tokkey indices (NONE: empty slot). */
static size_t *
set_slot(const struct ctx *x, size_t *set, size_t cap, const char *k, size_t len)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)hash_bytes(k, len) & mask;; i = (i + 1) & mask) {
        size_t v = set[i];
        if (v == NONE)
            return &set[i];
        const struct tokkey *t = &x->tk[v];
        if (t->len == len && memcmp(x->fold + t->off, k, len) == 0)
            return &set[i];
    }
}

/* Two sets over the blocks whose capitals mean something: words seen
 * capitalised away from a sentence start (midcap), and words seen in
 * lowercase (lower). */
static int
build_sets(struct ctx *x)
{
    size_t total = x->nb ? x->base[x->nb - 1] + x->b[x->nb - 1].ntokens : 0;
    x->set_cap = 64;
    while (x->set_cap < total * 2)
        x->set_cap *= 2;
    x->midcap = malloc(x->set_cap * sizeof *x->midcap);
    x->lower = malloc(x->set_cap * sizeof *x->lower);
    if (!x->midcap || !x->lower)
        return -1;
    for (size_t i = 0; i < x->set_cap; i++)
        x->midcap[i] = x->lower[i] = NONE;
    for (size_t i = 0; i < x->nb; i++) {
        if (x->unreliable[i])
            continue;
        for (size_t k = 0; k < x->b[i].ntokens; k++) {
            const struct text_token *t = tok(x, i, k);
            if (t->kind != TEXT_WORD)
                continue;
            size_t *set;
            if (!(t->flags & TEXT_CAP))
                set = x->lower;
            else if (!(t->flags & TEXT_SENT_START))
                set = x->midcap;
            else
                continue;
            const struct tokkey *tk = key(x, i, k);
            size_t *slot = set_slot(x, set, x->set_cap, x->fold + tk->off, tk->len);
            if (*slot == NONE)
                *slot = x->base[i] + k;
        }
    }
    return 0;
}

static bool
set_has(const struct ctx *x, size_t *set, const struct tokkey *tk)
{
    return *set_slot(x, set, x->set_cap, x->fold + tk->off, tk->len) != NONE;
}

static struct cand *
add_cand(struct ctx *x, size_t block, size_t ts, size_t te, int type, unsigned ev)
{
    if (x->nc == x->cc) {
        size_t cap = x->cc ? x->cc * 2 : 64;
        struct cand *c = realloc(x->c, cap * sizeof *c);
        if (!c)
            return NULL;
        x->c = c;
        x->cc = cap;
    }
    struct cand *c = &x->c[x->nc++];
    memset(c, 0, sizeof *c);
    c->block = block;
    c->ts = ts;
    c->te = te;
    c->type = type;
    c->ev = ev;
    c->entity = NONE;
    if (ts > 0 && !(tok(x, block, ts)->flags & TEXT_SENT_START) &&
        tok(x, block, ts - 1)->kind == TEXT_WORD && key_is(x, key(x, block, ts - 1), place_cues))
        c->ev |= EV_PLACE_CUE;
    static const char *const of[] = {"of", NULL};
    if (ts > 1 && key_is(x, key(x, block, ts - 1), of) &&
        tok(x, block, ts - 2)->kind == TEXT_WORD && key_is(x, key(x, block, ts - 2), place_nouns))
        c->ev |= EV_PLACE_CUE; /* "the town of Arbil" */
    return c;
}

/* Longest gazetteer place, country, demonym or organisation at token k;
 * returns the number of tokens (0 for none) and sets *entry. In blocks where
 * capitals mean something, the match must end in a capitalised word, and a
 * lone word that is also a common word counts only as an acronym ("US"). */
static size_t
gaz_match(const struct ctx *x, size_t block, size_t k, bool any_case, struct gazetteer_entry *entry)
{
    const struct text_block *b = &x->b[block];
    const unsigned want = GAZ_COUNTRY | GAZ_PLACE | GAZ_DEMONYM | GAZ_ORG;
    char buf[KEY_MAX];
    size_t max = x->max_words;
    if (!is_word(&b->tokens[k]))
        return 0;
    size_t n = 0;
    while (n < max && k + n < b->ntokens && is_word(&b->tokens[k + n])) {
        n++;
        if (b->tokens[k + n - 1].flags & TEXT_POSS)
            break;
    }
    for (size_t len = n; len >= 1; len--) {
        const struct text_token *last = &b->tokens[k + len - 1];
        if (!any_case && !(last->flags & TEXT_CAP) && last->kind != TEXT_NUMBER)
            continue;
        for (int poss = (last->flags & TEXT_POSS) ? 1 : 0; poss >= 0; poss--) {
            size_t kl = span_key(x, block, k, k + len, poss, buf);
            if (kl == 0)
                continue;
            struct gazetteer_entry e;
            if (!gazetteer_lookup(x->g, buf, kl, &e) || !(e.classes & want))
                continue;
            if (len == 1 && (e.classes & GAZ_COMMON)) {
                bool acronym = is_acronym(last) && !any_case;
                if (!acronym)
                    continue;
            }
            /* A short word matches an acronym only in capitals ("Un" is not the UN). */
            if (len == 1 && last->end - last->start <= 3 && !(last->flags & TEXT_UPPER))
                continue;
            *entry = e;
            return len;
        }
    }
    return 0;
}

/* Number of tokens of a title (one or two words) at k, 0 for none. */
static size_t
title_match(const struct ctx *x, size_t block, size_t k)
{
    const struct text_block *b = &x->b[block];
    char buf[KEY_MAX];
    if (k + 1 < b->ntokens && is_word(&b->tokens[k + 1]) && (b->tokens[k + 1].flags & TEXT_CAP) &&
        !(b->tokens[k].flags & TEXT_POSS)) {
        size_t kl = span_key(x, block, k, k + 2, false, buf);
        if (kl && (gazetteer_classes(x->g, buf, kl) & GAZ_TITLE))
            return 2;
    }
    return (key(x, block, k)->cls & GAZ_TITLE) ? 1 : 0;
}

/* Number of tokens of a common word or phrase (up to three words) at k. */
static size_t
common_match(const struct ctx *x, size_t block, size_t k)
{
    const struct text_block *b = &x->b[block];
    char buf[KEY_MAX];
    for (size_t len = 3; len >= 2; len--) {
        if (k + len > b->ntokens)
            continue;
        bool ok = true;
        for (size_t i = 0; i < len && ok; i++)
            ok = is_word(&b->tokens[k + i]) &&
                 (i + 1 == len || !(b->tokens[k + i].flags & TEXT_POSS));
        if (!ok)
            continue;
        for (int poss = 1; poss >= 0; poss--) {
            size_t kl = span_key(x, block, k, k + len, poss, buf);
            if (kl && (gazetteer_classes(x->g, buf, kl) & GAZ_COMMON))
                return len;
        }
    }
    const struct text_token *t = tok(x, block, k);
    if ((t->flags & TEXT_ABBREV) && t->end - t->start == 2)
        return 0; /* an initial, "A." */
    unsigned cls = key(x, block, k)->cls;
    const unsigned named = GAZ_COUNTRY | GAZ_PLACE | GAZ_DEMONYM | GAZ_ORG;
    /* An acronym that is also a common word ("US") is common only when it names nothing. */
    if ((cls & GAZ_COMMON) && !(is_acronym(t) && !x->unreliable[block] && (cls & named)))
        return 1;
    return 0;
}

/* Last parts that make a hyphenated name an adjective. */
static const char *const adjective_suffixes[] = {
    "based",     "born",          "bred",       "led",      "backed",     "owned",     "style",
    "era",       "made",          "bound",      "run",      "controlled", "funded",    "linked",
    "held",      "occupied",      "ruled",      "listed",   "registered", "speaking",  "raised",
    "trained",   "educated",      "designed",   "built",    "sponsored",  "brokered",  "inspired",
    "allied",    "aligned",       "friendly",   "centric",  "wide",       "like",      "related",
    "dominated", "oriented",      "affiliated", "level",    "area",       "type",      "class",
    "sized",     "headquartered", "bred",       "focused",  "dependent",  "specific",  "produced",
    "grown",     "imposed",       "brokered",   "mediated", "appointed",  "installed", "supported",
    NULL};

/* "i'm", "we're", "they've", "don't": a folded word ending in a clitic. */
static bool
is_contraction(const struct ctx *x, const struct tokkey *k)
{
    static const char *const clitics[] = {"'m", "'re", "'ve", "'ll", "'d", "n't", NULL};
    const char *s = x->fold + k->off;
    for (size_t i = 0; clitics[i]; i++) {
        size_t n = strlen(clitics[i]);
        if (k->len > n && memcmp(s + k->len - n, clitics[i], n) == 0)
            return true;
    }
    return false;
}

/* "Kong-based", "Soviet-era", "Texas-born": a name made an adjective by its
 * last part after a hyphen. */
static bool
is_compound_adjective(const char *text, const struct text_token *t)
{
    if (!(t->flags & TEXT_HYPHEN) || !(t->flags & TEXT_CAP))
        return false;
    size_t i = t->end;
    while (i > t->start && text[i - 1] != '-')
        i--;
    if (i <= t->start || i >= t->end)
        return false;
    size_t n = t->end - i;
    for (size_t k = 0; adjective_suffixes[k]; k++)
        if (strlen(adjective_suffixes[k]) == n && memcmp(adjective_suffixes[k], text + i, n) == 0)
            return true;
    return false;
}

/* End of the run of capitalised words starting at k. Name particles (van,
 * al) may join two capitalised words; after an organisation or place word,
 * "of" or "for" (then "and") may join the rest of its name ("Bank of
 * England", "Organisation for Security and Cooperation in Europe" up to
 * "in"); a possessive ends the run. */
static size_t
run_end(const struct ctx *x, size_t block, size_t k)
{
    static const char *const complement[] = {"of", "for", NULL};
    static const char *const and_[] = {"and", NULL};
    static const char *const the[] = {"the", NULL};
    const struct text_block *b = &x->b[block];
    size_t r = k;
    bool named = false, in_complement = false;
    while (r < b->ntokens) {
        const struct text_token *t = &b->tokens[r];
        if (t->kind != TEXT_WORD && t->kind != TEXT_NUMBER)
            break;
        if (!(t->flags & TEXT_CAP)) {
            size_t next = r + 1;
            while (
                next < b->ntokens && next < r + 3 && b->tokens[next].kind == TEXT_WORD &&
                !(b->tokens[next].flags & TEXT_CAP) &&
                (key_is(x, key(x, block, next), particles) || key_is(x, key(x, block, next), the)))
                next++;
            bool joins = false;
            if (r > k && next < b->ntokens && (b->tokens[next].flags & TEXT_CAP) &&
                b->tokens[next].kind == TEXT_WORD && !(b->tokens[r - 1].flags & TEXT_POSS)) {
                const struct tokkey *tk = key(x, block, r);
                joins = key_is(x, tk, particles) || (named && key_is(x, tk, complement)) ||
                        (in_complement && key_is(x, tk, and_));
                in_complement = in_complement || (named && key_is(x, tk, complement));
            }
            if (!joins)
                break;
            r = next;
            continue;
        }
        if (t->kind == TEXT_NUMBER)
            break;
        if (key(x, block, r)->cls & (GAZ_ORG_WORD | GAZ_PLACE_WORD))
            named = true;
        r++;
        if ((t->flags & TEXT_POSS) || is_compound_adjective(b->text, t))
            break;
    }
    return r;
}

/* A name made by its organisation, place or event word: the run [k, r)
 * when it holds one before "of" or "for" (Bank of England), else up to its
 * last one. Returns the length (at least two words) and sets *type; 0 for
 * none. */
static size_t
unit_match(const struct ctx *x, size_t block, size_t k, size_t r, int *type)
{
    static const char *const complement[] = {"of", "for", NULL};
    for (size_t j = k; j + 1 < r; j++) {
        unsigned cls = key(x, block, j)->cls;
        if ((cls & (GAZ_ORG_WORD | GAZ_PLACE_WORD)) &&
            key_is(x, key(x, block, j + 1), complement)) {
            *type = (cls & GAZ_ORG_WORD) ? ENTITY_ORGANISATION : ENTITY_PLACE;
            return r - k;
        }
    }
    for (size_t j = r; j-- > k + 1;) {
        unsigned cls = key(x, block, j)->cls;
        if (!(tok(x, block, j)->flags & TEXT_CAP))
            continue;
        if (cls & (GAZ_ORG_WORD | GAZ_PLACE_WORD | GAZ_EVENT_WORD)) {
            *type = (cls & GAZ_EVENT_WORD) ? TYPE_EVENT
                    : (cls & GAZ_ORG_WORD) ? ENTITY_ORGANISATION
                                           : ENTITY_PLACE;
            return j + 1 - k;
        }
    }
    return 0;
}

static unsigned
title_sex(const struct ctx *x, size_t block, size_t k)
{
    const struct tokkey *tk = key(x, block, k);
    if (key_is(x, tk, male_titles))
        return EV_MALE;
    if (key_is(x, tk, female_titles))
        return EV_FEMALE;
    return 0;
}

/* Pass 1 over a block whose capitals carry meaning. */
static int
find_names(struct ctx *x, size_t block)
{
    const struct text_block *b = &x->b[block];
    unsigned after_title = 0; /* EV_TITLE plus sex flags, for the next name */
    size_t k = 0;
    while (k < b->ntokens) {
        const struct text_token *t = &b->tokens[k];
        if (!is_word(t)) {
            after_title = 0;
            k++;
            continue;
        }
        if (!(t->flags & TEXT_CAP)) {
            unsigned cls = key(x, block, k)->cls;
            after_title = (cls & GAZ_ROLE) ? EV_TITLE : (cls & GAZ_ORG_CUE) ? EV_ORG_CUE : 0;
            k++;
            continue;
        }
        struct gazetteer_entry ge = {0};
        size_t glen = gaz_match(x, block, k, false, &ge);
        size_t r = run_end(x, block, k);
        if (r <= k)
            r = k + 1;
        int utype = TYPE_UNKNOWN;
        size_t ulen = unit_match(x, block, k, r, &utype);
        if (glen == 0 && (ulen == 0 || key_is(x, key(x, block, k), function_words))) {
            size_t tl = title_match(x, block, k);
            if (tl) {
                after_title = EV_TITLE | title_sex(x, block, k);
                k += tl;
                continue;
            }
            size_t cl = common_match(x, block, k);
            if (cl) {
                after_title = 0;
                k += cl;
                continue;
            }
        }
        if (ulen > glen && !(glen == 0 && (key(x, block, k)->cls & GAZ_TITLE))) {
            if (utype != TYPE_EVENT && !add_cand(x, block, k, k + ulen, utype, EV_UNIT))
                return -1;
            k += ulen;
            after_title = 0;
            continue;
        }
        if (glen > 0) {
            /* A given name that is also a place starts a person's name (Jordan Henderson). */
            bool person =
                glen == 1 && (ge.classes & GAZ_GIVEN) && r > k + 1 && !(t->flags & TEXT_POSS);
            if (!person) {
                int type = (ge.classes & GAZ_ORG) &&
                                   !(ge.classes & (GAZ_COUNTRY | GAZ_PLACE | GAZ_DEMONYM))
                               ? ENTITY_ORGANISATION
                               : ENTITY_PLACE;
                if ((ge.classes & GAZ_ORG) && !(ge.classes & (GAZ_COUNTRY | GAZ_PLACE)) &&
                    !(ge.classes & GAZ_DEMONYM))
                    type = ENTITY_ORGANISATION;
                unsigned ev = EV_GAZ;
                if ((ge.classes & GAZ_DEMONYM) &&
                    !(ge.classes & (GAZ_COUNTRY | GAZ_PLACE | GAZ_ORG)))
                    ev |= EV_DEMONYM;
                struct cand *c = add_cand(x, block, k, k + glen, type, ev);
                if (!c)
                    return -1;
                c->canon = ge.canonical;
                c->canon_len = ge.canonical_len;
                c->gcls = ge.classes;
                k += glen;
                after_title = 0;
                continue;
            }
        }
        /* A person's or unknown name: up to the next title or gazetteer name. */
        size_t e = k + 1;
        while (e < r && !(tok(x, block, e - 1)->flags & TEXT_POSS)) {
            struct gazetteer_entry ge2 = {0};
            /* A title ends the name, unless it follows a given name (John Major). */
            if (title_match(x, block, e) && !(key(x, block, e - 1)->cls & GAZ_GIVEN))
                break;
            size_t g2 = gaz_match(x, block, e, false, &ge2);
            /* A city's name may also be a surname (Paul Washington); a country's is not. */
            if (g2 > 1 || (g2 == 1 && (ge2.classes & (GAZ_COUNTRY | GAZ_DEMONYM | GAZ_ORG))))
                break;
            e++;
        }
        while (e > k + 1 && common_match(x, block, e - 1) == 1 &&
               !(tok(x, block, e - 2)->flags & TEXT_POSS) && !(key(x, block, k)->cls & GAZ_GIVEN))
            e--;
        unsigned ev = after_title;
        if (t->flags & TEXT_SENT_START)
            ev |= EV_SENT_START;
        const struct tokkey *first = key(x, block, k);
        if (first->cls & GAZ_GIVEN) {
            ev |= EV_GIVEN;
            if ((first->cls & (GAZ_MALE | GAZ_FEMALE)) == GAZ_MALE)
                ev |= EV_MALE;
            if ((first->cls & (GAZ_MALE | GAZ_FEMALE)) == GAZ_FEMALE)
                ev |= EV_FEMALE;
        }
        if (e < b->ntokens && tok(x, block, e)->kind == TEXT_WORD &&
            !(tok(x, block, e)->flags & TEXT_CAP) && (key(x, block, e)->cls & GAZ_SPEECH))
            ev |= EV_SPEAKS;
        if (is_compound_adjective(b->text, tok(x, block, e - 1))) {
            k = e;
            after_title = 0;
            continue;
        }
        int type = TYPE_UNKNOWN;
        size_t n = e - k;
        bool has_acronym = false;
        for (size_t i = k; i < e; i++)
            has_acronym = has_acronym || (is_acronym(tok(x, block, i)) &&
                                          !(tok(x, block, i)->flags & TEXT_ABBREV));
        if (n == 1 && (first->len < 2 || is_contraction(x, first))) {
            /* an initial or a letter on its own; "I'm", "We're", "Don't" */
            k = e;
            after_title = 0;
            continue;
        }
        if (n == 1 && is_acronym(t)) {
            ev |= EV_ACRONYM;
            type = ENTITY_ORGANISATION;
        } else if (n == 1 &&
                   (first->cls & (GAZ_ORG_WORD | GAZ_PLACE_WORD | GAZ_EVENT_WORD | GAZ_TITLE |
                                  GAZ_ROLE | GAZ_SPEECH)) &&
                   !(ev & EV_TITLE)) {
            /* "the Party", "the Station": a common noun written with a capital. */
            k = e;
            after_title = 0;
            continue;
        } else if (((ev & EV_ORG_CUE) && !(ev & EV_GIVEN)) ||
                   (n >= 2 && has_acronym && !(ev & EV_TITLE))) {
            type = ENTITY_ORGANISATION; /* "CITIC Pacific": people's names hold no acronyms */
        } else if (x->sports && n >= 2 && !(ev & EV_TITLE) &&
                   (key(x, block, e - 1)->cls & GAZ_PLACE)) {
            type = ENTITY_ORGANISATION; /* a club named for its city: "Dynamo Moscow" */
        } else if ((ev & (EV_TITLE | EV_GIVEN)) || n >= 2) {
            type = ENTITY_PERSON;
        }
        if (!add_cand(x, block, k, e, type, ev))
            return -1;
        k = e;
        after_title = 0;
    }
    return 0;
}

static struct ent *
add_ent(struct ctx *x, int type, size_t best)
{
    if (x->ne == x->ce) {
        size_t cap = x->ce ? x->ce * 2 : 32;
        struct ent *e = realloc(x->e, cap * sizeof *e);
        if (!e)
            return NULL;
        x->e = e;
        x->ce = cap;
    }
    struct ent *e = &x->e[x->ne++];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->best = best;
    return e;
}

static const struct tokkey *
cand_key(const struct ctx *x, const struct cand *c, size_t i)
{
    return key(x, c->block, c->ts + i);
}

static bool
keys_equal(const struct ctx *x, const struct tokkey *a, const struct tokkey *b)
{
    return a->len == b->len && memcmp(x->fold + a->off, x->fold + b->off, a->len) == 0;
}

/* Words of a candidate after splitting hyphenated words ("Jong-un" is two):
 * compares a's words with b's, all of them. */
static bool
same_words(const struct ctx *x, const struct cand *a, const struct cand *b)
{
    char ka[KEY_MAX], kb[KEY_MAX];
    size_t la = span_key(x, a->block, a->ts, a->te, false, ka);
    size_t lb = span_key(x, b->block, b->ts, b->te, false, kb);
    return la && la == lb && memcmp(ka, kb, la) == 0;
}

/* First and last word (after hyphen splitting) of a candidate's key. */
static void
edge_words(const struct ctx *x, const struct cand *c, const char **first, size_t *flen,
           const char **last, size_t *llen)
{
    const struct tokkey *a = cand_key(x, c, 0), *z = cand_key(x, c, c->te - c->ts - 1);
    const char *s = x->fold + a->off;
    size_t n = 0;
    while (n < a->len && s[n] != ' ')
        n++;
    *first = s;
    *flen = n;
    s = x->fold + z->off;
    n = z->len;
    size_t i = n;
    while (i > 0 && s[i - 1] != ' ')
        i--;
    *last = s + i;
    *llen = n - i;
}

static size_t
ntok(const struct cand *c)
{
    return c->te - c->ts;
}

/* Does an unknown word end like a demonym or a people's name (-ian, -ean,
 * -ese)? Given names (Brian, Adrian) are known and never asked. */
static bool
looks_like_demonym(const struct ctx *x, const struct tokkey *w)
{
    static const char *const endings[] = {"ian", "ean", "ese", "ians", "eans", NULL};
    const char *s = x->fold + w->off;
    for (size_t i = 0; endings[i]; i++) {
        size_t n = strlen(endings[i]);
        if (w->len > n + 2 && memcmp(s + w->len - n, endings[i], n) == 0)
            return true;
    }
    return false;
}

/* Is the sentence holding candidate c running prose: eight words or more,
 * most of them lowercase? */
static bool
prose_sentence(const struct ctx *x, const struct cand *c)
{
    const struct text_block *b = &x->b[c->block];
    unsigned s = b->tokens[c->ts].sentence;
    size_t words = 0, lower = 0;
    for (size_t k = c->ts; k < b->ntokens && b->tokens[k].sentence == s; k++) {
        if (b->tokens[k].kind != TEXT_WORD)
            continue;
        words++;
        lower += !(b->tokens[k].flags & TEXT_CAP);
    }
    return words >= 8 && lower * 2 > words;
}

/* Does a person's full name (candidate p) share its first and last words with c? */
static bool
same_person(const struct ctx *x, const struct cand *p, const struct cand *c)
{
    if (same_words(x, p, c))
        return true;
    const char *pf, *pl, *cf, *cl;
    size_t pfl, pll, cfl, cll;
    edge_words(x, p, &pf, &pfl, &pl, &pll);
    edge_words(x, c, &cf, &cfl, &cl, &cll);
    return pfl == cfl && pll == cll && memcmp(pf, cf, pfl) == 0 && memcmp(pl, cl, pll) == 0;
}

/* Initials of an organisation's name, capitalised words only (KCNA). */
static size_t
initials(const struct ctx *x, const struct cand *c, char *out, size_t cap)
{
    size_t o = 0;
    const struct text_block *b = &x->b[c->block];
    for (size_t k = c->ts; k < c->te && o + 1 < cap; k++) {
        const struct text_token *t = &b->tokens[k];
        if (!(t->flags & TEXT_CAP))
            continue;
        const struct tokkey *tk = key(x, c->block, k);
        out[o++] = x->fold[tk->off];
        for (size_t i = 1; i < tk->len && o + 1 < cap; i++)
            if (x->fold[tk->off + i - 1] == ' ')
                out[o++] = x->fold[tk->off + i];
    }
    out[o] = '\0';
    return o;
}

/* The entity a lone word refers to, NONE for none: a person whose last name
 * it is, an organisation whose initials it spells, or an entity with this
 * very name; else a person whose first name, or an organisation whose first
 * word, it is. */
static size_t
resolve_word(const struct ctx *x, const struct cand *c)
{
    const struct tokkey *w = cand_key(x, c, 0);
    size_t by_first = NONE;
    for (size_t i = 0; i < x->ne; i++) {
        const struct ent *e = &x->e[i];
        const struct cand *best = &x->c[e->best];
        /* A word the text itself types ("giant Pirelli", "Mr Hill") keeps that type. */
        if ((c->ev & (EV_ORG_CUE | EV_TITLE)) && c->type != TYPE_UNKNOWN && e->type != c->type)
            continue;
        if (e->type == ENTITY_PERSON) {
            const char *f, *l;
            size_t fl, ll;
            edge_words(x, best, &f, &fl, &l, &ll);
            if (ll == w->len && memcmp(l, x->fold + w->off, ll) == 0)
                return i;
            if (by_first == NONE && fl == w->len && memcmp(f, x->fold + w->off, fl) == 0)
                by_first = i;
        } else if (ntok(best) == 1 && keys_equal(x, cand_key(x, best, 0), w)) {
            return i;
        } else if (e->type == ENTITY_ORGANISATION && ntok(best) >= 2 && !e->canon) {
            char ini[64];
            size_t n = initials(x, best, ini, sizeof ini);
            if ((c->ev & EV_ACRONYM) && n == w->len && memcmp(ini, x->fold + w->off, n) == 0)
                return i;
            /* "Lionhead" for Lionhead Studios */
            if (by_first == NONE && !(w->cls & GAZ_COMMON) &&
                keys_equal(x, cand_key(x, best, 0), w))
                by_first = i;
        }
    }
    return by_first;
}

/* An entity typed by context alone takes the type its mentions vote for:
 * a place if any is "in", "at" or "from" it; a person if any speaks; else an
 * organisation. */
static void
type_guessed(struct ctx *x)
{
    for (size_t i = 0; i < x->ne; i++) {
        struct ent *e = &x->e[i];
        if (!e->guessed)
            continue;
        unsigned ev = 0;
        for (size_t k = 0; k < x->nc; k++)
            if (x->c[k].entity == i)
                ev |= x->c[k].ev;
        e->type = (ev & EV_PLACE_CUE) ? ENTITY_PLACE
                  : (ev & EV_SPEAKS)  ? ENTITY_PERSON
                                      : ENTITY_ORGANISATION;
    }
    for (size_t k = 0; k < x->nc; k++)
        if (x->c[k].entity != NONE)
            x->c[k].type = x->e[x->c[k].entity].type;
}

/* In a sports report, a city or region (not a country: national sides are
 * written as places), or a name ending in a place word (Notts County), that
 * is never "in", "at" or "from" is a team. */
static void
name_teams(struct ctx *x)
{
    for (size_t i = 0; i < x->ne; i++) {
        struct ent *e = &x->e[i];
        const struct cand *best = &x->c[e->best];
        bool city = (best->gcls & GAZ_PLACE) && !(best->gcls & (GAZ_COUNTRY | GAZ_DEMONYM));
        if (e->type != ENTITY_PLACE || !(city || (best->ev & EV_UNIT)))
            continue;
        bool cued = false;
        for (size_t k = 0; k < x->nc && !cued; k++)
            cued = x->c[k].entity == i && (x->c[k].ev & EV_PLACE_CUE);
        if (!cued)
            e->type = ENTITY_ORGANISATION;
    }
    for (size_t k = 0; k < x->nc; k++)
        if (x->c[k].entity != NONE)
            x->c[k].type = x->e[x->c[k].entity].type;
}

static int
group(struct ctx *x)
{
    /* Full names first: gazetteer names, named units, people of 2+ words. */
    for (size_t i = 0; i < x->nc; i++) {
        struct cand *c = &x->c[i];
        bool full = (c->ev & (EV_GAZ | EV_UNIT)) || (c->type != TYPE_UNKNOWN && ntok(c) >= 2);
        if (!full)
            continue;
        /* Typed only by having two words or more: another reading wins. */
        bool weak = !(c->ev & (EV_GAZ | EV_UNIT | EV_TITLE | EV_GIVEN | EV_ORG_CUE | EV_ACRONYM));
        for (size_t j = 0; j < x->ne && c->entity == NONE; j++) {
            struct ent *e = &x->e[j];
            const struct cand *best = &x->c[e->best];
            if (c->ev & EV_GAZ) {
                if (e->type == c->type && e->canon && e->canon_len == c->canon_len &&
                    memcmp(e->canon, c->canon, c->canon_len) == 0)
                    c->entity = j;
            } else if (e->type == c->type && c->type == ENTITY_PERSON) {
                if (same_person(x, best, c))
                    c->entity = j;
            } else if (!e->canon && same_words(x, best, c) &&
                       (e->type == c->type || e->weak || weak)) {
                c->entity = j;
            }
        }
        if (c->entity == NONE) {
            struct ent *e = add_ent(x, c->type, i);
            if (!e)
                return -1;
            e->canon = c->canon;
            e->canon_len = c->canon_len;
            e->weak = weak;
            c->entity = x->ne - 1;
        } else {
            struct ent *e = &x->e[c->entity];
            const struct cand *best = &x->c[e->best];
            if (e->weak && !weak) {
                e->type = c->type;
                e->weak = false;
            }
            if (!(c->ev & EV_DEMONYM) && ((best->ev & EV_DEMONYM) || ntok(c) > ntok(best)))
                e->best = i;
        }
        struct ent *e = &x->e[c->entity];
        if (!e->sex && (c->ev & (EV_MALE | EV_FEMALE)))
            e->sex = (c->ev & EV_MALE) ? 'm' : 'f';
    }
    /* Then lone words in reading order: those whose type is known first. */
    for (size_t i = 0; i < 2 * x->nc; i++) {
        struct cand *c = &x->c[i % x->nc];
        if (c->entity != NONE || (i < x->nc && c->type == TYPE_UNKNOWN))
            continue;
        c->entity = resolve_word(x, c);
        if (c->entity != NONE) {
            struct ent *e = &x->e[c->entity];
            if (!e->sex && (c->ev & (EV_MALE | EV_FEMALE)))
                e->sex = (c->ev & EV_MALE) ? 'm' : 'f';
            continue;
        }
        const struct tokkey *w = cand_key(x, c, 0);
        /* Capitalised only because it starts a sentence: the article writes it
         * in lowercase elsewhere, or never mid-sentence while this sentence is
         * running prose (not a line of a table). */
        if ((c->ev & EV_SENT_START) && !(c->ev & (EV_TITLE | EV_ACRONYM)) &&
            !set_has(x, x->midcap, w) && !(w->cls & GAZ_GIVEN) &&
            (set_has(x, x->lower, w) || prose_sentence(x, c)))
            continue;
        bool guessed = c->type == TYPE_UNKNOWN;
        if (guessed && looks_like_demonym(x, w))
            continue; /* "Zairean", "Afrikaners": a people, not an entity */
        c->type = guessed ? ENTITY_ORGANISATION : c->type;
        struct ent *e = add_ent(x, c->type, i % x->nc);
        if (!e)
            return -1;
        e->guessed = guessed;
        if (c->ev & (EV_MALE | EV_FEMALE))
            e->sex = (c->ev & EV_MALE) ? 'm' : 'f';
        c->entity = x->ne - 1;
    }
    type_guessed(x);
    if (x->sports)
        name_teams(x);
    return 0;
}

/* Does tokens [k, k+len) of a block spell entity i's name, or (one word) a
 * person's first or last name or an organisation's initials? */
static bool
spells(const struct ctx *x, size_t block, size_t k, size_t len, size_t i)
{
    const struct ent *e = &x->e[i];
    const struct cand *best = &x->c[e->best];
    char a[KEY_MAX], b[KEY_MAX];
    size_t la = span_key(x, block, k, k + len, false, a);
    if (la == 0)
        return false;
    if (e->canon) {
        size_t lb = text_fold(e->canon, e->canon_len, b, sizeof b);
        if (la == lb && memcmp(a, b, la) == 0)
            return true;
    }
    size_t lb = span_key(x, best->block, best->ts, best->te, false, b);
    if (la == lb && memcmp(a, b, la) == 0)
        return true;
    if (len != 1)
        return false;
    const struct tokkey *w = key(x, block, k);
    if (w->cls & GAZ_COMMON)
        return false;
    if (e->type == ENTITY_PERSON && ntok(best) >= 2) {
        const char *f, *l;
        size_t fl, ll;
        edge_words(x, best, &f, &fl, &l, &ll);
        return (ll == la && memcmp(l, a, ll) == 0) || (fl == la && memcmp(f, a, fl) == 0);
    }
    if (e->type == ENTITY_ORGANISATION && ntok(best) >= 2) {
        char ini[64];
        size_t n = initials(x, best, ini, sizeof ini);
        return n >= 2 && n == la && memcmp(ini, a, n) == 0;
    }
    return false;
}

/* A dateline block: up to four capitalised words, then a date ("LONDON 1996-08-30"). */
static size_t
dateline_words(const struct ctx *x, size_t block)
{
    const struct text_block *b = &x->b[block];
    size_t k = 0;
    while (k < b->ntokens && k < 4 && b->tokens[k].kind == TEXT_WORD &&
           (b->tokens[k].flags & TEXT_UPPER))
        k++;
    if (k == 0 || b->ntokens > 8)
        return 0;
    size_t j = k;
    if (j < b->ntokens && b->tokens[j].kind == TEXT_PUNCT && b->text[b->tokens[j].start] == ',')
        j++;
    if (j < b->ntokens && b->tokens[j].kind == TEXT_NUMBER)
        return k;
    return 0;
}

/* Pass 3: blocks whose capitals say nothing. */
static int
find_known(struct ctx *x, size_t block)
{
    const struct text_block *b = &x->b[block];
    size_t dl = dateline_words(x, block);
    size_t k = 0;
    while (k < b->ntokens) {
        const struct text_token *t = &b->tokens[k];
        if (t->kind != TEXT_WORD) {
            k++;
            continue;
        }
        size_t best_len = 0, best_ent = NONE;
        for (size_t len = 4; len >= 1 && best_ent == NONE; len--) {
            if (k + len > b->ntokens)
                continue;
            bool ok = true;
            for (size_t i = 0; i < len && ok; i++)
                ok = is_word(&b->tokens[k + i]) && (b->tokens[k + i].flags & TEXT_CAP) &&
                     (i + 1 == len || !(b->tokens[k + i].flags & TEXT_POSS));
            if (!ok)
                continue;
            for (size_t i = 0; i < x->ne; i++)
                if (spells(x, block, k, len, i)) {
                    best_len = len;
                    best_ent = i;
                    break;
                }
        }
        struct gazetteer_entry ge = {0};
        size_t glen = (t->flags & TEXT_CAP) ? gaz_match(x, block, k, true, &ge) : 0;
        if (glen > 0 && glen >= best_len) {
            int type =
                (ge.classes & GAZ_ORG) && !(ge.classes & (GAZ_COUNTRY | GAZ_PLACE | GAZ_DEMONYM))
                    ? ENTITY_ORGANISATION
                    : ENTITY_PLACE;
            /* In a sports report a city or county outside the dateline is a team. */
            bool cued = k > 0 && b->tokens[k - 1].kind == TEXT_WORD &&
                        key_is(x, key(x, block, k - 1), place_cues);
            if (x->sports && k >= dl && !cued && (ge.classes & GAZ_PLACE) &&
                !(ge.classes & (GAZ_COUNTRY | GAZ_DEMONYM)))
                type = ENTITY_ORGANISATION;
            unsigned ev = EV_GAZ | EV_LATE;
            if ((ge.classes & GAZ_DEMONYM) && !(ge.classes & (GAZ_COUNTRY | GAZ_PLACE | GAZ_ORG)))
                ev |= EV_DEMONYM;
            size_t ci = x->nc;
            struct cand *c = add_cand(x, block, k, k + glen, type, ev);
            if (!c)
                return -1;
            c->canon = ge.canonical;
            c->canon_len = ge.canonical_len;
            for (size_t i = 0; i < x->ne; i++)
                if (x->e[i].type == type && x->e[i].canon && x->e[i].canon_len == c->canon_len &&
                    memcmp(x->e[i].canon, c->canon, c->canon_len) == 0)
                    c->entity = i;
            if (c->entity == NONE) {
                struct ent *e = add_ent(x, type, ci);
                if (!e)
                    return -1;
                e->canon = c->canon;
                e->canon_len = c->canon_len;
                x->c[ci].entity = x->ne - 1;
            }
            k += glen;
            continue;
        }
        if (best_ent != NONE) {
            struct cand *c = add_cand(x, block, k, k + best_len, x->e[best_ent].type, EV_LATE);
            if (!c)
                return -1;
            c->entity = best_ent;
            k += best_len;
            continue;
        }
        if (k == 0 && dl > 0) {
            size_t ci = x->nc;
            if (!add_cand(x, block, 0, dl, ENTITY_PLACE, EV_LATE))
                return -1;
            if (!add_ent(x, ENTITY_PLACE, ci))
                return -1;
            x->c[ci].entity = x->ne - 1;
            k = dl;
            continue;
        }
        k++;
    }
    return 0;
}

static int
cmp_mention(const void *pa, const void *pb)
{
    const struct entity_mention *a = pa, *b = pb;
    if (a->block != b->block)
        return a->block < b->block ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Copies text[0..len) with runs of white space as one space. */
static char *
clean_name(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
            space = true;
            i++;
        }
        if (space) {
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            out[o++] = (char)c;
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

static char *
slug(const char *name)
{
    char folded[KEY_MAX];
    size_t n = text_fold(name, strlen(name), folded, sizeof folded);
    char *out = malloc(n + 16);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)folded[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
        else if (o && out[o - 1] != '-')
            out[o++] = '-';
    }
    while (o && out[o - 1] == '-')
        o--;
    if (o == 0) {
        memcpy(out, "entity", 6);
        o = 6;
    }
    out[o] = '\0';
    return out;
}

/* Builds the public list from the candidates, in order of first mention. */
static int
publish(struct ctx *x, struct entity_list *out)
{
    size_t nm = 0;
    for (size_t i = 0; i < x->nc; i++)
        nm += x->c[i].entity != NONE;
    out->m = calloc(nm ? nm : 1, sizeof *out->m);
    if (!out->m)
        return -1;
    for (size_t i = 0; i < x->nc; i++) {
        const struct cand *c = &x->c[i];
        if (c->entity == NONE)
            continue;
        const struct text_block *b = &x->b[c->block];
        struct entity_mention *m = &out->m[out->nm++];
        m->block = c->block;
        m->tok_start = c->ts;
        m->tok_end = c->te;
        m->start = b->tokens[c->ts].start;
        m->end = b->tokens[c->te - 1].end;
        m->cp_start = b->tokens[c->ts].cp_start;
        m->cp_end = b->tokens[c->te - 1].cp_end;
        m->entity = c->entity;
        if (c->ev & EV_DEMONYM)
            m->flags |= ENTITY_DEMONYM;
        if (b->tokens[c->te - 1].flags & TEXT_POSS)
            m->flags |= ENTITY_POSS;
    }
    qsort(out->m, out->nm, sizeof *out->m, cmp_mention);
    /* Renumber entities by first mention. */
    size_t *order = malloc((x->ne ? x->ne : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < x->ne; i++)
        order[i] = NONE;
    size_t n = 0;
    for (size_t i = 0; i < out->nm; i++)
        if (order[out->m[i].entity] == NONE)
            order[out->m[i].entity] = n++;
    out->v = calloc(n ? n : 1, sizeof *out->v);
    if (!out->v) {
        free(order);
        return -1;
    }
    out->n = n;
    for (size_t i = 0; i < out->nm; i++) {
        out->m[i].entity = order[out->m[i].entity];
        out->v[out->m[i].entity].nmentions++;
    }
    for (size_t i = 0; i < x->ne; i++) {
        if (order[i] == NONE)
            continue;
        const struct ent *e = &x->e[i];
        struct entity *pe = &out->v[order[i]];
        pe->type = (enum entity_type)e->type;
        pe->sex = e->sex;
        if (e->canon) {
            pe->name = clean_name(e->canon, e->canon_len);
        } else {
            const struct cand *c = &x->c[e->best];
            const struct text_block *b = &x->b[c->block];
            size_t s = b->tokens[c->ts].start, en = b->tokens[c->te - 1].end;
            pe->name = clean_name(b->text + s, en - s);
        }
        if (!pe->name)
            goto fail;
        pe->id = slug(pe->name);
        if (!pe->id)
            goto fail;
    }
    /* Ids unique within the article: later ones get -2, -3 ... */
    for (size_t i = 0; i < n; i++) {
        const char *base = out->v[i].id;
        size_t blen = strlen(base);
        for (unsigned suffix = 2;; suffix++) {
            bool taken = false;
            for (size_t j = 0; j < i && !taken; j++)
                taken = strcmp(out->v[i].id, out->v[j].id) == 0;
            if (!taken)
                break;
            char *id = malloc(blen + 12);
            if (!id) {
                if (out->v[i].id != base)
                    free((char *)base);
                goto fail;
            }
            memcpy(id, base, blen);
            size_t o = blen, d = 0;
            char digits[12];
            for (unsigned v = suffix; v; v /= 10)
                digits[d++] = (char)('0' + v % 10);
            id[o++] = '-';
            while (d)
                id[o++] = digits[--d];
            id[o] = '\0';
            if (out->v[i].id != base)
                free(out->v[i].id);
            out->v[i].id = id;
        }
        if (out->v[i].id != base)
            free((char *)base);
    }
    free(order);
    return 0;
fail:
    free(order);
    return -1;
}

int
entities_find(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
              struct entity_list *out)
{
    struct ctx x = {0};
    int rc = -1;
    memset(out, 0, sizeof *out);
    x.g = g;
    x.b = blocks;
    x.nb = nblocks;
    x.max_words = gazetteer_max_words(g);
    x.base = calloc(nblocks ? nblocks : 1, sizeof *x.base);
    x.unreliable = calloc(nblocks ? nblocks : 1, sizeof *x.unreliable);
    if (!x.base || !x.unreliable || fold_tokens(&x) < 0)
        goto done;
    classify_blocks(&x);
    if (build_sets(&x) < 0)
        goto done;
    for (size_t i = 0; i < nblocks; i++)
        if (!x.unreliable[i] && find_names(&x, i) < 0)
            goto done;
    if (group(&x) < 0)
        goto done;
    for (size_t i = 0; i < nblocks; i++)
        if (x.unreliable[i] && find_known(&x, i) < 0)
            goto done;
    if (publish(&x, out) < 0)
        goto done;
    rc = 0;
done:
    free(x.base);
    free(x.unreliable);
    free(x.tk);
    free(x.fold);
    free(x.c);
    free(x.e);
    free(x.midcap);
    free(x.lower);
    return rc;
}

void
entity_list_free(struct entity_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].id);
    }
    free(l->v);
    free(l->m);
    memset(l, 0, sizeof *l);
}
