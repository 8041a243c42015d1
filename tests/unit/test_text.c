/* Tokens, sentences and folded keys of models/annotate/text.c. */
#include "models/annotate/text.h"

#include <criterion/criterion.h>
#include <string.h>

static struct text_tokens toks;

static void
teardown(void)
{
    text_tokens_free(&toks);
}

TestSuite(text, .fini = teardown);

static void
tokenize(const char *s)
{
    cr_assert_eq(text_tokenize(s, strlen(s), &toks), 0);
}

/* Token i's text as a NUL-terminated string (static buffer). */
static const char *
tok_text(const char *s, size_t i)
{
    static char buf[128];
    size_t n = toks.v[i].end - toks.v[i].start;
    cr_assert_lt(n, sizeof buf);
    memcpy(buf, s + toks.v[i].start, n);
    buf[n] = '\0';
    return buf;
}

struct split_case {
    const char *text;
    const char *tokens[12]; /* NULL-terminated */
};

static const struct split_case splits[] = {
    {"Kim Jong-un arrived.", {"Kim", "Jong-un", "arrived", ".", NULL}},
    {"Mr. Smith met Dr Jones.", {"Mr.", "Smith", "met", "Dr", "Jones", ".", NULL}},
    {"the U.S. and J. R. Ewing", {"the", "U.S.", "and", "J.", "R.", "Ewing", NULL}},
    {"on Sept. 11 at 1.4 billion", {"on", "Sept.", "11", "at", "1.4", "billion", NULL}},
    {"Kim’s visit and North Korea‘s ally", {"Kim", "visit", "and", "North", "Korea", "ally", NULL}},
    {"they don’t want", {"they", "don’t", "want", NULL}},
    {"“So,” she said", {"“", "So", ",", "”", "she", "said", NULL}},
    {"the economies’ war", {"the", "economies", "war", NULL}},
    {"LONDON 1996-08-30", {"LONDON", "1996-08-30", NULL}},
    {"2,521 shooting incidents", {"2,521", "shooting", "incidents", NULL}},
    {"He works for Acme Inc.", {"He", "works", "for", "Acme", "Inc", ".", NULL}},
    {"Avocados not expected in U.S.”",
     {"Avocados", "not", "expected", "in", "U.S", ".", "”", NULL}},
};

Test(text, splits_words_punctuation_and_abbreviations)
{
    for (size_t c = 0; c < sizeof splits / sizeof splits[0]; c++) {
        const struct split_case *sc = &splits[c];
        tokenize(sc->text);
        size_t n = 0;
        while (sc->tokens[n])
            n++;
        cr_assert_eq(toks.n, n, "\"%s\": %zu tokens, expected %zu", sc->text, toks.n, n);
        for (size_t i = 0; i < n; i++)
            cr_assert_str_eq(tok_text(sc->text, i), sc->tokens[i], "\"%s\" token %zu", sc->text, i);
    }
}

Test(text, marks_possessives_without_including_them)
{
    const char *s = "Xi Jinping’s invitation";
    tokenize(s);
    cr_assert_eq(toks.n, 3);
    cr_assert(toks.v[1].flags & TEXT_POSS);
    cr_assert_not(toks.v[0].flags & TEXT_POSS);
    cr_assert_eq(toks.v[2].cp_start, 13);
}

Test(text, counts_code_points_not_bytes)
{
    const char *s = "“Café” in Zürich";
    tokenize(s);
    cr_assert_eq(toks.n, 5);
    cr_assert_eq(toks.v[1].cp_start, 1);
    cr_assert_eq(toks.v[1].cp_end, 5);
    cr_assert_eq(toks.v[4].cp_start, 10);
    cr_assert_eq(toks.v[4].cp_end, 16);
    cr_assert_eq(toks.v[4].end, strlen(s));
}

Test(text, tells_opening_from_closing_straight_quotes)
{
    const char *s = "He said \"no way,\" and left";
    tokenize(s);
    cr_assert_eq(toks.v[2].kind, TEXT_QUOTE);
    cr_assert(toks.v[2].flags & TEXT_OPEN);
    cr_assert_eq(toks.v[6].kind, TEXT_QUOTE);
    cr_assert(toks.v[6].flags & TEXT_CLOSE);
    cr_assert(toks.v[6].flags & TEXT_DOUBLE);
}

Test(text, flags_capitals_and_all_caps)
{
    const char *s = "KCNA said Kim";
    tokenize(s);
    cr_assert(toks.v[0].flags & TEXT_UPPER);
    cr_assert(toks.v[0].flags & TEXT_CAP);
    cr_assert_not(toks.v[1].flags & TEXT_CAP);
    cr_assert(toks.v[2].flags & TEXT_CAP);
    cr_assert_not(toks.v[2].flags & TEXT_UPPER);
}

Test(text, ends_sentences_but_not_after_titles)
{
    const char *s = "Mr. Kim left. He said “Go now!” Then Dr. Lee came? Yes.";
    tokenize(s);
    unsigned last = toks.v[toks.n - 1].sentence;
    cr_assert_eq(last, 3, "got %u sentences", last + 1);
    cr_assert_eq(toks.v[1].sentence, 0); /* Kim after Mr. */
    cr_assert(toks.v[0].flags & TEXT_SENT_START);
    cr_assert(toks.v[4].flags & TEXT_SENT_START); /* He */
}

Test(text, keeps_a_quote_and_its_attribution_in_one_sentence)
{
    const char *s = "“It is over,” she added. Next";
    tokenize(s);
    cr_assert_eq(toks.v[6].sentence, 0); /* she */
    cr_assert_eq(toks.v[9].sentence, 1); /* Next */
}

struct fold_case {
    const char *in, *out;
};

static const struct fold_case folds[] = {
    {"U.S.", "us"},
    {"Jong-un", "jong un"},
    {"Côte d’Ivoire", "cote d'ivoire"},
    {"North  Korea", "north korea"},
    {"ZÜRICH", "zurich"},
    {"Kim\xC2\xA0Jong", "kim jong"},
    {"Gro\u00dfe Stra\u00dfe", "grosse strasse"},
    {"Nguy\u1ec5n T\u1ea5n D\u0169ng", "nguyen tan dung"},
};

Test(text, folds_keys_for_matching)
{
    for (size_t c = 0; c < sizeof folds / sizeof folds[0]; c++) {
        char out[64];
        size_t n = text_fold(folds[c].in, strlen(folds[c].in), out, sizeof out);
        cr_assert_str_eq(out, folds[c].out, "fold(\"%s\")", folds[c].in);
        cr_assert_eq(n, strlen(folds[c].out));
    }
}

Test(text, cuts_a_fold_short_at_the_buffer_size)
{
    char out[4];
    size_t n = text_fold("Washington", 10, out, sizeof out);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(out, "was");
}

Test(text, handles_empty_and_invalid_input)
{
    tokenize("");
    cr_assert_eq(toks.n, 0);
    const char bad[] = "ab\xff\xfe cd";
    cr_assert_eq(text_tokenize(bad, sizeof bad - 1, &toks), 0);
    cr_assert_geq(toks.n, 2);
    cr_assert_eq(toks.v[toks.n - 1].end, sizeof bad - 1);
}
