#include "models/annotate/quotes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
#define SHORT_QUOTE_WORDS 4

static const char *const pronouns_he[] = {"he", NULL};
static const char *const pronouns_she[] = {"she", NULL};
static const char *const pronouns_other[] = {"they", "it", "we", "i", NULL};
/* Words between a subject and its speech verb ("has said", "also told"). */
static const char *const aux_words[] = {
    "has",     "had",    "have",       "was",      "is",         "also",      "then",
    "later",   "once",   "previously", "recently", "reportedly", "again",     "further",
    "had",     "would",  "will",       "later",    "simply",     "just",      "repeatedly",
    "quickly", "flatly", "bluntly",    "angrily",  "publicly",   "privately", "separately",
    "earlier", "often",  NULL};
static const char *const determiners[] = {
    "the",  "a",    "an",   "another", "one",  "his", "her",   "their", "its",  "our",
    "this", "that", "some", "several", "many", "two", "three", "other", "both", NULL};
/* Speech verbs whose subject may follow them ("said Hill"); not "told". */
static const char *const no_inversion[] = {"told", "tells", "tell", "telling", NULL};

/* Dashes that introduce a quote's author: - – — ― */
static bool
is_dash(const char *s, size_t n)
{
    return (n == 1 && s[0] == '-') ||
           (n == 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
            ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94 ||
             (unsigned char)s[2] == 0x95));
}

struct qctx {
    const struct gazetteer *g;
    const struct text_block *b;
    size_t nb;
    const struct entity_list *ents;
    size_t **mention_at;      /* per block, per token: mention index covering it, or NONE */
    unsigned char **in_quote; /* per block, per token: inside a kept quote */
    size_t last_speaker;      /* entity, NONE when none yet */
};

struct found {
    bool ok;
    size_t block, ts, te; /* speaker tokens */
    size_t entity;
};

static bool
word_is(const struct qctx *x, size_t block, size_t k, const char *const *words)
{
    const struct text_token *t = &x->b[block].tokens[k];
    if (t->kind != TEXT_WORD)
        return false;
    return text_token_is(x->b[block].text, t, words);
}

static unsigned
classes(const struct qctx *x, size_t block, size_t k)
{
    if (x->b[block].classes)
        return x->b[block].classes[k];
    const struct text_token *t = &x->b[block].tokens[k];
    char key[128];
    size_t n = text_fold(x->b[block].text + t->start, t->end - t->start, key, sizeof key);
    return gazetteer_classes(x->g, key, n);
}

static bool
is_cue(const struct qctx *x, size_t block, size_t k)
{
    const struct text_token *t = &x->b[block].tokens[k];
    if (t->kind != TEXT_WORD || (t->flags & TEXT_CAP) || x->in_quote[block][k])
        return false;
    return (classes(x, block, k) & GAZ_SPEECH) != 0;
}

static bool
is_punct(const struct qctx *x, size_t block, size_t k, char c)
{
    const struct text_token *t = &x->b[block].tokens[k];
    return t->kind == TEXT_PUNCT && x->b[block].text[t->start] == c && t->end - t->start == 1;
}

static int
index_block(struct qctx *x, size_t block)
{
    size_t n = x->b[block].ntokens;
    x->mention_at[block] = malloc((n ? n : 1) * sizeof **x->mention_at);
    x->in_quote[block] = calloc(n ? n : 1, 1);
    if (!x->mention_at[block] || !x->in_quote[block])
        return -1;
    for (size_t k = 0; k < n; k++)
        x->mention_at[block][k] = NONE;
    for (size_t i = 0; i < x->ents->nm; i++) {
        const struct entity_mention *m = &x->ents->m[i];
        if (m->block != block)
            continue;
        for (size_t k = m->tok_start; k < m->tok_end; k++)
            x->mention_at[block][k] = i;
    }
    return 0;
}

/* Pronoun resolution: the last speaker when the sex fits, else the nearest
 * fitting entity mentioned before p outside quotes. */
static size_t
resolve_pronoun(const struct qctx *x, size_t block, size_t k)
{
    char want_sex = 0;
    bool person = true;
    if (word_is(x, block, k, pronouns_he))
        want_sex = 'm';
    else if (word_is(x, block, k, pronouns_she))
        want_sex = 'f';
    else
        person = false;
    const struct entity *v = x->ents->v;
    if (x->last_speaker != NONE) {
        const struct entity *e = &v[x->last_speaker];
        bool fits = person ? e->type == ENTITY_PERSON && (!e->sex || e->sex == want_sex)
                           : e->type != ENTITY_PERSON;
        if (fits)
            return x->last_speaker;
    }
    size_t best = NONE;
    for (size_t i = 0; i < x->ents->nm; i++) {
        const struct entity_mention *m = &x->ents->m[i];
        if (m->block > block || (m->block == block && m->tok_start >= k))
            break;
        if (x->in_quote[m->block][m->tok_start] || (m->flags & ENTITY_POSS))
            continue;
        const struct entity *e = &v[m->entity];
        bool fits = person ? e->type == ENTITY_PERSON && (!e->sex || e->sex == want_sex)
                           : e->type == ENTITY_ORGANISATION;
        if (fits)
            best = m->entity;
    }
    return best;
}

/* The speaker whose last token is j, if any. */
static struct found
subject_ending_at(struct qctx *x, size_t block, size_t j)
{
    struct found f = {0};
    const struct text_block *b = &x->b[block];
    const struct text_token *t = &b->tokens[j];
    if (x->in_quote[block][j] || (t->kind != TEXT_WORD && t->kind != TEXT_NUMBER))
        return f;
    size_t mi = x->mention_at[block][j];
    if (mi != NONE && x->ents->m[mi].tok_end == j + 1) {
        const struct entity_mention *m = &x->ents->m[mi];
        f = (struct found){true, block, m->tok_start, m->tok_end, m->entity};
        return f;
    }
    if (word_is(x, block, j, pronouns_he) || word_is(x, block, j, pronouns_she) ||
        word_is(x, block, j, pronouns_other)) {
        f = (struct found){true, block, j, j + 1, resolve_pronoun(x, block, j)};
        return f;
    }
    /* A noun phrase: back to a determiner within five words. */
    size_t d = j;
    for (size_t steps = 0; steps < 5; steps++) {
        const struct text_token *u = &b->tokens[d];
        if (u->kind != TEXT_WORD && u->kind != TEXT_NUMBER)
            break;
        if (word_is(x, block, d, determiners)) {
            size_t entity = NONE;
            for (size_t k = d; k <= j; k++)
                if (x->mention_at[block][k] != NONE)
                    entity = x->ents->m[x->mention_at[block][k]].entity;
            f = (struct found){true, block, d, j + 1, entity};
            return f;
        }
        if (d == 0 || (classes(x, block, d) & GAZ_SPEECH) || x->in_quote[block][d - 1])
            break;
        d--;
    }
    /* A bare plural ("sources", "officials") or an unknown capitalised name. */
    size_t n = t->end - t->start;
    bool prev_word = j > 0 && b->tokens[j - 1].kind == TEXT_WORD && !x->in_quote[block][j - 1];
    if (t->flags & TEXT_CAP) {
        size_t s = j;
        while (s > 0 && (b->tokens[s - 1].flags & TEXT_CAP) && b->tokens[s - 1].kind == TEXT_WORD &&
               !x->in_quote[block][s - 1] && j - s < 3)
            s--;
        f = (struct found){true, block, s, j + 1, NONE};
        return f;
    }
    if (!prev_word && n > 3 && b->text[t->end - 1] == 's') {
        f = (struct found){true, block, j, j + 1, NONE};
        return f;
    }
    return f;
}

/* The subject of the speech verb at c: before it, or after it ("said Hill"). */
static struct found
speaker_of_cue(struct qctx *x, size_t block, size_t c)
{
    struct found f = {0};
    const struct text_block *b = &x->b[block];
    size_t j = c;
    for (size_t skips = 0; skips < 3 && j > 0 && word_is(x, block, j - 1, aux_words); skips++)
        j--;
    if (j > 0) {
        size_t p = j - 1;
        if (is_punct(x, block, p, ',') && p > 0) {
            /* "Hill, a former US ambassador to South Korea, said" */
            size_t k = p - 1;
            size_t limit = p > 30 ? p - 30 : 0;
            while (k > limit && !is_punct(x, block, k, ',') && b->tokens[k].kind != TEXT_QUOTE &&
                   b->tokens[k].sentence == b->tokens[p].sentence)
                k--;
            if (is_punct(x, block, k, ',') && k > 0) {
                size_t end = k - 1;
                /* "Butterfield (D-N.C.), head of the caucus, said" */
                if (is_punct(x, block, end, ')')) {
                    while (end > 0 && !is_punct(x, block, end, '(') && k - end < 12)
                        end--;
                    if (end > 0 && is_punct(x, block, end, '('))
                        end--;
                }
                f = subject_ending_at(x, block, end);
                if (f.ok && (f.entity != NONE || x->mention_at[block][end] != NONE))
                    return f;
                f.ok = false;
            }
        } else if (b->tokens[p].kind != TEXT_QUOTE && b->tokens[p].kind != TEXT_PUNCT) {
            f = subject_ending_at(x, block, p);
            if (f.ok)
                return f;
        }
    }
    if (word_is(x, block, c, no_inversion) || c + 1 >= b->ntokens)
        return f;
    size_t a = c + 1;
    /* "said Rep. Smith", "said Prime Minister Jones" */
    while (a + 1 < b->ntokens && a < c + 3 && (classes(x, block, a) & GAZ_TITLE) &&
           (b->tokens[a].flags & TEXT_CAP) && x->mention_at[block][a] == NONE)
        a++;
    size_t mi = x->mention_at[block][a];
    if (x->in_quote[block][a])
        return f;
    if (mi != NONE && x->ents->m[mi].tok_start == a) {
        const struct entity_mention *m = &x->ents->m[mi];
        return (struct found){true, block, m->tok_start, m->tok_end, m->entity};
    }
    if (word_is(x, block, a, pronouns_he) || word_is(x, block, a, pronouns_she))
        return (struct found){true, block, a, a + 1, resolve_pronoun(x, block, a)};
    if (word_is(x, block, a, determiners)) {
        size_t e = a + 1;
        size_t entity = NONE;
        while (e < b->ntokens && e < a + 5 && b->tokens[e].kind == TEXT_WORD &&
               !(classes(x, block, e) & GAZ_SPEECH)) {
            if (x->mention_at[block][e] != NONE)
                entity = x->ents->m[x->mention_at[block][e]].entity;
            e++;
        }
        if (e > a + 1)
            return (struct found){true, block, a, e, entity};
    }
    return f;
}

/* Words inside tokens (open, close) of a block. */
static size_t
words_between(const struct text_block *b, size_t open, size_t close)
{
    size_t n = 0;
    for (size_t k = open + 1; k < close; k++)
        n += b->tokens[k].kind == TEXT_WORD || b->tokens[k].kind == TEXT_NUMBER;
    return n;
}

/* Is a speech verb right beside the quote [open, close]? */
static bool
cue_beside(struct qctx *x, size_t block, size_t open, size_t close)
{
    const struct text_block *b = &x->b[block];
    for (size_t k = close + 1; k < b->ntokens && k <= close + 5; k++) {
        if (b->tokens[k].kind == TEXT_QUOTE || is_punct(x, block, k, '.'))
            break;
        if (is_cue(x, block, k))
            return true;
    }
    size_t k = open;
    if (k > 0 && (is_punct(x, block, k - 1, ':') || is_punct(x, block, k - 1, ',')))
        k--;
    for (size_t steps = 0; steps < 3 && k > 0; steps++) {
        k--;
        if (is_cue(x, block, k))
            return true;
    }
    return false;
}

static struct quote_span
span_of(const struct text_block *b, size_t block, size_t ts, size_t te)
{
    struct quote_span s;
    s.block = block;
    s.start = b->tokens[ts].start;
    s.end = b->tokens[te - 1].end;
    s.cp_start = b->tokens[ts].cp_start;
    s.cp_end = b->tokens[te - 1].cp_end;
    return s;
}

struct raw {
    size_t block, open, close; /* close: last token of the quote */
};

/* Attributes one quote; *prev is the previous quote's result. */
static void
attribute(struct qctx *x, const struct raw *r, struct quote *q, const struct quote *prev,
          size_t prev_block_end)
{
    const struct text_block *b = &x->b[r->block];
    unsigned s_open = b->tokens[r->open].sentence, s_close = b->tokens[r->close].sentence;
    struct found f = {0};
    size_t cue = NONE, cue_end = NONE;
    /* 1. A speech verb right after the quote, even past its ? or ! ("…?” Hill added). */
    for (size_t k = r->close + 1; k < b->ntokens && k <= r->close + 5 && !f.ok; k++) {
        if (b->tokens[k].kind == TEXT_QUOTE || is_punct(x, r->block, k, '.'))
            break;
        if (!is_cue(x, r->block, k))
            continue;
        f = speaker_of_cue(x, r->block, k);
        if (f.ok)
            cue = k;
    }
    /* ... else one further on in its sentence, */
    for (size_t k = r->close + 1; k < b->ntokens && b->tokens[k].sentence == s_close && !f.ok;
         k++) {
        if (!is_cue(x, r->block, k))
            continue;
        f = speaker_of_cue(x, r->block, k);
        if (f.ok)
            cue = k;
    }
    /* ... then before it. */
    for (size_t k = r->open; k-- > 0 && b->tokens[k].sentence == s_open && !f.ok;) {
        if (!is_cue(x, r->block, k))
            continue;
        f = speaker_of_cue(x, r->block, k);
        if (f.ok)
            cue = k;
    }
    /* ... or a dash and a name after it ("…” ― Sonya Herridge"). */
    size_t d = r->close + 1;
    if (!f.ok && d + 1 < b->ntokens && b->tokens[d].kind == TEXT_PUNCT &&
        is_dash(b->text + b->tokens[d].start, b->tokens[d].end - b->tokens[d].start)) {
        size_t a = d + 1, e = a;
        while (e < b->ntokens && e < a + 4 && b->tokens[e].kind == TEXT_WORD &&
               (b->tokens[e].flags & TEXT_CAP))
            e++;
        if (e > a) {
            size_t mi = x->mention_at[r->block][a];
            size_t entity = mi != NONE ? x->ents->m[mi].entity : NONE;
            f = (struct found){true, r->block, a, e, entity};
        }
    }
    /* ... or a speech verb ending the paragraph before, with a colon ("Caddell continued:"). */
    size_t cue_block = r->block;
    if (!f.ok && r->open == 0 && r->block > 0) {
        const struct text_block *pb = &x->b[r->block - 1];
        if (pb->ntokens >= 2 && is_punct(x, r->block - 1, pb->ntokens - 1, ':')) {
            unsigned last = pb->tokens[pb->ntokens - 1].sentence;
            for (size_t k = pb->ntokens - 1; k-- > 0 && pb->tokens[k].sentence == last && !f.ok;) {
                if (!is_cue(x, r->block - 1, k))
                    continue;
                f = speaker_of_cue(x, r->block - 1, k);
                if (f.ok) {
                    cue = k;
                    cue_block = r->block - 1;
                }
            }
        }
    }
    if (cue != NONE)
        cue_end = cue + 1;
    /* 2. "according to X" */
    static const char *const according[] = {"according", NULL};
    static const char *const to[] = {"to", NULL};
    for (size_t k = 0; k + 2 < b->ntokens && !f.ok; k++) {
        if (b->tokens[k].sentence != s_open && b->tokens[k].sentence != s_close)
            continue;
        if (x->in_quote[r->block][k] || !word_is(x, r->block, k, according) ||
            !word_is(x, r->block, k + 1, to))
            continue;
        size_t a = k + 2;
        size_t mi = x->mention_at[r->block][a];
        if (mi != NONE && x->ents->m[mi].tok_start == a) {
            const struct entity_mention *m = &x->ents->m[mi];
            f = (struct found){true, r->block, m->tok_start, m->tok_end, m->entity};
        } else {
            size_t e = a;
            while (e < b->ntokens && e < a + 5 && b->tokens[e].kind == TEXT_WORD &&
                   !x->in_quote[r->block][e])
                e++;
            if (e > a)
                f = (struct found){true, r->block, a, e, NONE};
        }
        if (f.ok) {
            cue = k;
            cue_end = k + 2;
        }
    }
    if (f.ok) {
        q->has_speaker = true;
        q->speaker = span_of(&x->b[f.block], f.block, f.ts, f.te);
        q->entity = f.entity;
        if (cue != NONE) {
            q->has_cue = true;
            q->cue = span_of(&x->b[cue_block], cue_block, cue, cue_end);
        }
        if (f.entity != NONE)
            x->last_speaker = f.entity;
        return;
    }
    /* 3. The quote goes on from the previous one. */
    if (prev && prev->has_speaker &&
        (prev->text.block == r->block ||
         (prev->text.block + 1 == r->block && prev_block_end == r->block))) {
        q->has_speaker = true;
        q->speaker = prev->speaker;
        q->entity = prev->entity;
        q->has_cue = prev->has_cue;
        q->cue = prev->cue;
    }
}

/* Speech verbs outside quotes that are not attributing a quote still say who
 * spoke last ("Hill, a former ambassador, said Kim's visit ..."). */
static void
track_speaker(struct qctx *x, size_t block, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) {
        if (!is_cue(x, block, k))
            continue;
        struct found f = speaker_of_cue(x, block, k);
        if (f.ok && f.entity != NONE)
            x->last_speaker = f.entity;
    }
}

static int
push_quote(struct quote_list *out, size_t *cap, const struct quote *q)
{
    if (out->n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct quote *v = realloc(out->v, c * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        *cap = c;
    }
    out->v[out->n++] = *q;
    return 0;
}

int
quotes_find(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
            const struct entity_list *entities, struct quote_list *out)
{
    struct qctx x = {0};
    struct raw *raws = NULL;
    size_t nraw = 0, craw = 0, cap = 0;
    int rc = -1;
    memset(out, 0, sizeof *out);
    x.g = g;
    x.b = blocks;
    x.nb = nblocks;
    x.ents = entities;
    x.last_speaker = NONE;
    x.mention_at = calloc(nblocks ? nblocks : 1, sizeof *x.mention_at);
    x.in_quote = calloc(nblocks ? nblocks : 1, sizeof *x.in_quote);
    if (!x.mention_at || !x.in_quote)
        goto done;
    for (size_t i = 0; i < nblocks; i++) {
        if (index_block(&x, i) < 0)
            goto done;
        const struct text_block *b = &blocks[i];
        for (size_t k = 0; k < b->ntokens; k++) {
            const struct text_token *t = &b->tokens[k];
            if (t->kind != TEXT_QUOTE || !(t->flags & TEXT_DOUBLE) || !(t->flags & TEXT_OPEN))
                continue;
            /* Up to the closing mark; an opening mark first means this quote
             * never closed (a typo), and it ends before that mark. */
            size_t c = k + 1;
            while (c < b->ntokens &&
                   !(b->tokens[c].kind == TEXT_QUOTE && (b->tokens[c].flags & TEXT_DOUBLE)))
                c++;
            bool closed = c < b->ntokens && (b->tokens[c].flags & TEXT_CLOSE);
            size_t close = closed ? c : c - 1;
            if (words_between(b, k, closed ? close : close + 1) == 0) {
                k = close;
                continue;
            }
            if (nraw == craw) {
                size_t nc = craw ? craw * 2 : 16;
                struct raw *v = realloc(raws, nc * sizeof *v);
                if (!v)
                    goto done;
                raws = v;
                craw = nc;
            }
            raws[nraw++] = (struct raw){i, k, close};
            for (size_t m = k; m <= close; m++)
                x.in_quote[i][m] = 1;
            k = close;
        }
    }
    /* Drop scare quotes and titles; their words are text again. */
    size_t kept = 0;
    for (size_t r = 0; r < nraw; r++) {
        const struct raw *q = &raws[r];
        const struct text_block *b = &blocks[q->block];
        bool closed =
            b->tokens[q->close].kind == TEXT_QUOTE && (b->tokens[q->close].flags & TEXT_CLOSE);
        size_t words = words_between(b, q->open, closed ? q->close : q->close + 1);
        if (words <= SHORT_QUOTE_WORDS && !cue_beside(&x, q->block, q->open, q->close)) {
            for (size_t m = q->open; m <= q->close; m++)
                x.in_quote[q->block][m] = 0;
            continue;
        }
        raws[kept++] = *q;
    }
    nraw = kept;
    size_t r = 0, prev = NONE;
    size_t prev_block_end = NONE;
    for (size_t i = 0; i < nblocks; i++) {
        size_t from = 0;
        bool had_quote = false;
        for (; r < nraw && raws[r].block == i; r++) {
            track_speaker(&x, i, from, raws[r].open);
            struct quote q = {0};
            q.entity = NONE;
            q.text = span_of(&blocks[i], i, raws[r].open, raws[r].close + 1);
            attribute(&x, &raws[r], &q, prev == NONE ? NULL : &out->v[prev], prev_block_end);
            if (push_quote(out, &cap, &q) < 0)
                goto done;
            prev = out->n - 1;
            from = raws[r].close + 1;
            had_quote = true;
        }
        track_speaker(&x, i, from, blocks[i].ntokens);
        /* A quote continues only into the very next block. */
        prev_block_end = had_quote ? i + 1 : NONE;
        if (!had_quote)
            prev = NONE;
    }
    rc = 0;
done:
    if (x.mention_at)
        for (size_t i = 0; i < nblocks; i++)
            free(x.mention_at[i]);
    if (x.in_quote)
        for (size_t i = 0; i < nblocks; i++)
            free(x.in_quote[i]);
    free(x.mention_at);
    free(x.in_quote);
    free(raws);
    return rc;
}

void
quote_list_free(struct quote_list *q)
{
    if (!q)
        return;
    free(q->v);
    memset(q, 0, sizeof *q);
}
