/* search: matching (terms, stems, folding, phrases, exclusion, OR), BM25
 * ranking, snippets with offsets, query errors, and concurrent readers, on a
 * fixture corpus written here with known answers. */
#include "models/search.h"
#include "models/textformat.h"
#include "models/utf8.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fixture corpus, in the plain article format: headline, standfirst, then
 * blocks; a line ending in [credit] is an image caption. */
static const char *const corpus[] = {
    /* 0 */
    "Elections called in Britain\n\n"
    "The prime minister has called an early vote.\n\n"
    "Parliament will be dissolved next week. Campaigning starts on Monday.\n",
    /* 1 */
    "Café culture returns to Paris\n\n"
    "Owners of the city’s cafés welcome tourists back.\n\n"
    "A café owner said business was good.\n\n"
    "The minister for tourism praised the prime sites of the city.\n",
    /* 2 */
    "Film awards season begins\n\n"
    "Hollywood prepares for the Oscars.\n\n"
    "The film was elected best picture by critics.\n",
    /* 3 */
    "Economy grows faster than expected\n\n"
    "Figures surprise the markets.\n\n"
    "The economy grew by 2% in the third quarter, the prime minister’s office said.\n\n"
    "Shoppers in a Berlin Straße [Photo: Jane Doe/Reuters]\n",
    /* 4 */
    "Kim’s visit to Beijing\n\n"
    "The leader travelled by train.\n\n"
    "North Korea‘s leader Kim Jong-un arrived in Beijing. His œuvre of speeches grows.\n\n"
    "Trade talks\n",
    /* 5 */
    "Sport roundup\n\n"
    "A busy weekend.\n\n"
    "The film of the match: an economy of effort won the day.\n\n"
    "Fans came from Москва and Αθήνα.\n",
    /* 6 */
    "Harbour reopens after storm\n\n"
    "Ships return to port.\n\n"
    "Repairs took three months and cost more than planned.\n",
    /* 7 */
    "Storm damage assessed\n\n"
    "Ships return to port.\n\n"
    "The harbour wall took months and cost more than planned.\n",
};
#define NCORPUS (sizeof corpus / sizeof *corpus)

struct fixture {
    struct article *a[16];
    size_t n;
    struct search_index *idx;
};

static void
fixture_build(struct fixture *f, const char *const *texts, size_t n)
{
    cr_assert_leq(n, sizeof f->a / sizeof *f->a);
    f->n = n;
    for (size_t i = 0; i < n; i++) {
        struct article_error err;
        f->a[i] = textformat_parse(texts[i], strlen(texts[i]), &err);
        cr_assert_not_null(f->a[i], "article %zu: %s", i, err.message);
    }
    f->idx = search_build((const struct article *const *)f->a, n);
    cr_assert_not_null(f->idx);
}

static void
fixture_free(struct fixture *f)
{
    search_free(f->idx);
    for (size_t i = 0; i < f->n; i++)
        article_free(f->a[i]);
}

/* The parsed query q, which must be valid. */
static struct search_query *
parse(const char *q)
{
    char err[128];
    struct search_query *sq = search_parse(q, err, sizeof err);
    cr_assert_not_null(sq, "%s: %s", q, err);
    return sq;
}

/* Runs q and writes the matching article numbers, ascending, as "0 3 7". */
static void
matches(const struct search_index *idx, const char *q, char *out, size_t outlen)
{
    struct search_query *sq = parse(q);
    struct search_hit *hits;
    size_t n;
    cr_assert_eq(search_run(idx, sq, &hits, &n), 0);
    bool seen[NCORPUS + 1] = {false};
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(hits[i].article, NCORPUS);
        cr_assert(!seen[hits[i].article], "%s: article %zu twice", q, hits[i].article);
        seen[hits[i].article] = true;
    }
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NCORPUS; i++)
        if (seen[i])
            o += (size_t)snprintf(out + o, outlen - o, o ? " %zu" : "%zu", i);
    free(hits);
    search_query_free(sq);
}

struct match_case {
    const char *query, *expect;
};

static void
check_matches(const struct match_case *cases, size_t n)
{
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    for (size_t i = 0; i < n; i++) {
        char got[128];
        matches(f.idx, cases[i].query, got, sizeof got);
        cr_expect_str_eq(got, cases[i].expect, "query %s: got [%s], want [%s]", cases[i].query, got,
                         cases[i].expect);
    }
    fixture_free(&f);
}

#define CHECK(cases) check_matches(cases, sizeof cases / sizeof *cases)

Test(search, finds_single_terms_in_every_field)
{
    static const struct match_case cases[] = {
        {"harbour", "6 7"}, /* headline, body */
        {"hollywood", "2"}, /* standfirst */
        {"shoppers", "3"},  /* caption */
        {"beijing", "4"},   /* headline and body */
        {"zebra", ""},      /* in no article */
        {"reuters", ""},    /* a photo credit is not text */
        {"the", "0 1 2 3 4 5 7"},
        {"2", "3"}, /* numbers are words */
    };
    CHECK(cases);
}

Test(search, matches_words_by_their_english_stem)
{
    static const struct match_case cases[] = {
        {"election", "0 2"}, {"elections", "0 2"},  {"elected", "0 2"},
        {"electing", "0 2"}, {"grows", "3 4"},      {"growing", "3 4"},
        {"oscar", "2"},      {"minister", "0 1 3"}, {"ministers", "0 1 3"},
    };
    CHECK(cases);
}

Test(search, folds_case_diacritics_ligatures_and_apostrophes)
{
    static const struct match_case cases[] = {
        {"café", "1"},         {"cafe", "1"},    {"CAFÉ", "1"},
        {"cafe\xCC\x81", "1"}, /* e + combining acute */
        {"cafés", "1"},        {"strasse", "3"}, {"STRASSE", "3"},
        {"straße", "3"},       {"oeuvre", "4"},  {"ŒUVRE", "4"},
        {"kim's", "4"},        {"kim’s", "4"},   {"kim", "4"},
        {"korea's", "4"}, /* written with a left single quote as the apostrophe */
        {"city's", "1"},       {"МОСКВА", "5"},  {"москва", "5"},
        {"ΑΘΉΝΑ", "5"},
    };
    CHECK(cases);
}

Test(search, matches_phrases_only_when_the_words_are_adjacent_in_one_text)
{
    static const struct match_case cases[] = {
        {"\"prime minister\"", "0 3"}, /* 1 has both words apart */
        {"prime minister", "0 1 3"},
        {"\"early vote\"", "0"},
        {"“early vote”", "0"},       /* curly quotes */
        {"\"vote parliament\"", ""}, /* standfirst end, body start */
        {"\"minister prime\"", ""},  /* order matters */
        {"jong-un", "4"},            /* a hyphenated word is a phrase */
        {"\"jong un\"", "4"},
        {"\"kim jong un\" beijing", "4"},
        {"\"more than planned\"", "6 7"},
        {"\"harbour wall\"", "7"},
        {"\"the\"", "0 1 2 3 4 5 7"}, /* a one-word phrase is a term */
    };
    CHECK(cases);
}

Test(search, excludes_terms_and_phrases)
{
    static const struct match_case cases[] = {
        {"film -oscar", "5"},
        {"film -oscars", "5"},
        {"minister -\"prime minister\"", "1"},
        {"ships -harbour", ""},
        {"ships -reopens", "7"},
        {"port -zebra", "6 7"},
        {"harbour -\"zebra crossing\"", "6 7"},
        {"economy - film", "5"}, /* a lone hyphen is not an exclusion */
    };
    CHECK(cases);
}

Test(search, matches_either_side_of_or_and_binds_it_tighter_than_and)
{
    static const struct match_case cases[] = {
        {"harbour OR café", "1 6 7"},
        {"zebra OR harbour", "6 7"},
        {"economy film OR harbour", "5"},
        {"economy OR film OR harbour", "2 3 5 6 7"},
        {"\"prime minister\" OR beijing", "0 3 4"},
        {"storm OR economy -reopens", "3 5 7"},
        {"harbour or café", ""}, /* lower-case or is a word */
    };
    CHECK(cases);
}

Test(search, ranks_headline_matches_above_body_matches)
{
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    static const struct {
        const char *query;
        size_t first, second;
    } cases[] = {
        {"harbour", 6, 7},         /* headline of 6, body of 7 */
        {"film", 2, 5},            /* headline of 2, body of 5 */
        {"economy", 3, 5},         /* headline and body of 3 */
        {"reopens OR wall", 6, 7}, /* headline beats body */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct search_query *q = parse(cases[i].query);
        struct search_hit *h;
        size_t n;
        cr_assert_eq(search_run(f.idx, q, &h, &n), 0);
        cr_assert_eq(n, 2, "%s: %zu hits", cases[i].query, n);
        cr_expect_eq(h[0].article, cases[i].first, "%s", cases[i].query);
        cr_expect_eq(h[1].article, cases[i].second, "%s", cases[i].query);
        cr_expect_gt(h[0].score, h[1].score, "%s", cases[i].query);
        cr_expect_gt(h[1].score, 0);
        free(h);
        search_query_free(q);
    }
    fixture_free(&f);
}

Test(search, ranks_more_occurrences_higher_and_breaks_ties_by_article_order)
{
    static const char *const texts[] = {
        "Rain\n\nWeather.\n\nRain today.\n",
        "Sun\n\nWeather.\n\nRain today.\n",
        "Sun\n\nWeather.\n\nRain today and rain tomorrow and rain again.\n",
        "Sun\n\nWeather.\n\nRain today.\n",
    };
    struct fixture f;
    fixture_build(&f, texts, 4);
    struct search_query *q = parse("rain");
    struct search_hit *h;
    size_t n;
    cr_assert_eq(search_run(f.idx, q, &h, &n), 0);
    cr_assert_eq(n, 4);
    static const size_t order[] = {0, 2, 1, 3};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(h[i].article, order[i], "rank %zu: article %zu", i, h[i].article);
    cr_expect_gt(h[1].score, h[2].score);
    cr_expect_eq(h[2].score, h[3].score); /* identical articles tie */
    free(h);
    search_query_free(q);
    fixture_free(&f);
}

Test(search, returns_no_hits_from_an_empty_index)
{
    struct search_index *idx = search_build(NULL, 0);
    cr_assert_not_null(idx);
    struct search_query *q = parse("anything");
    struct search_hit *h = (struct search_hit *)1;
    size_t n = 99;
    cr_assert_eq(search_run(idx, q, &h, &n), 0);
    cr_expect_eq(n, 0);
    cr_expect_null(h);
    struct search_snippet *s;
    cr_assert_eq(search_snippets(idx, q, 0, 3, &s, &n), 0);
    cr_expect_eq(n, 0);
    cr_expect_gt(search_memory(idx), 0);
    search_query_free(q);
    search_free(idx);
}

/* The snippet text between code points m.start and m.end. */
static void
marked(const struct search_snippet *s, size_t k, char *out, size_t outlen)
{
    size_t len = strlen(s->text);
    cr_assert_lt(s->marks[k].start, s->marks[k].end);
    cr_assert_leq(s->marks[k].end, utf8_cp_count(s->text, len));
    size_t b0 = utf8_byte_offset(s->text, len, s->marks[k].start);
    size_t b1 = utf8_byte_offset(s->text, len, s->marks[k].end);
    snprintf(out, outlen, "%.*s", (int)(b1 - b0), s->text + b0);
}

struct snippet_case {
    const char *query;
    size_t article;
    enum search_field field; /* of the best snippet */
    size_t block;
    const char *text;     /* of the best snippet */
    const char *marks[4]; /* the marked words of the best snippet */
    size_t nsnippets;
};

Test(search, gives_snippets_whose_offsets_point_at_the_matched_words)
{
    static const struct snippet_case cases[] = {
        {"cafe", 1, SEARCH_HEADLINE, 0, "Café culture returns to Paris", {"Café"}, 3},
        {"owner",
         1,
         SEARCH_STANDFIRST,
         0,
         "Owners of the city’s cafés welcome tourists back.",
         {"Owners"},
         2},
        {"\"prime minister\"",
         3,
         SEARCH_BODY,
         0,
         "The economy grew by 2% in the third quarter, the prime minister’s office said.",
         {"prime", "minister’s"},
         1},
        {"strasse", 3, SEARCH_CAPTION, 1, "Shoppers in a Berlin Straße", {"Straße"}, 1},
        {"kim beijing", 4, SEARCH_HEADLINE, 0, "Kim’s visit to Beijing", {"Kim’s", "Beijing"}, 2},
        {"harbour -reopens",
         7,
         SEARCH_BODY,
         0,
         "The harbour wall took months and cost more than planned.",
         {"harbour"},
         1},
        {"film OR oscar", 2, SEARCH_HEADLINE, 0, "Film awards season begins", {"Film"}, 3},
    };
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct snippet_case *c = &cases[i];
        struct search_query *q = parse(c->query);
        struct search_snippet *s;
        size_t n;
        cr_assert_eq(search_snippets(f.idx, q, c->article, 5, &s, &n), 0);
        cr_assert_eq(n, c->nsnippets, "%s: %zu snippets", c->query, n);
        cr_expect_eq(s[0].field, c->field, "%s", c->query);
        cr_expect_eq(s[0].block, c->block, "%s", c->query);
        cr_expect_str_eq(s[0].text, c->text, "%s", c->query);
        size_t nmarks = 0;
        while (nmarks < 4 && c->marks[nmarks])
            nmarks++;
        cr_assert_eq(s[0].nmarks, nmarks, "%s: %zu marks", c->query, s[0].nmarks);
        for (size_t k = 0; k < nmarks; k++) {
            char word[64];
            marked(&s[0], k, word, sizeof word);
            cr_expect_str_eq(word, c->marks[k], "%s: mark %zu", c->query, k);
        }
        search_snippets_free(s, n);
        search_query_free(q);
    }
    fixture_free(&f);
}

Test(search, cuts_long_texts_at_word_boundaries_around_the_match)
{
    char text[2048];
    int o = snprintf(text, sizeof text, "Long read\n\nA standfirst.\n\n");
    for (int i = 0; i < 12; i++)
        o += snprintf(text + o, sizeof text - (size_t)o, "Ökonomie word%d filler text here, ", i);
    o += snprintf(text + o, sizeof text - (size_t)o, "the needle is here ");
    for (int i = 0; i < 12; i++)
        o += snprintf(text + o, sizeof text - (size_t)o, "more filler%d words follow. ", i);
    snprintf(text + o, sizeof text - (size_t)o, "\n");
    const char *texts[] = {text};
    struct fixture f;
    fixture_build(&f, texts, 1);
    struct search_query *q = parse("needle");
    struct search_snippet *s;
    size_t n;
    cr_assert_eq(search_snippets(f.idx, q, 0, 3, &s, &n), 0);
    cr_assert_eq(n, 1);
    size_t len = strlen(s[0].text), cps = utf8_cp_count(s[0].text, len);
    cr_expect_leq(cps, SEARCH_SNIPPET_CHARS + 2, "%zu code points: %s", cps, s[0].text);
    cr_expect_geq(cps, SEARCH_SNIPPET_CHARS - 40, "%zu code points: %s", cps, s[0].text);
    cr_expect(strncmp(s[0].text, "…", 3) == 0, "%s", s[0].text);
    cr_expect(strcmp(s[0].text + len - 3, "…") == 0, "%s", s[0].text);
    /* Whole words at both cuts: each cut text is a piece of the paragraph
     * that starts after a space and ends before one. */
    char inner[512];
    snprintf(inner, sizeof inner, "%.*s", (int)(len - 6), s[0].text + 3);
    const char *at = strstr(f.a[0]->body[0].text, inner);
    cr_assert_not_null(at, "%s", inner);
    cr_expect_eq(at[-1], ' ');
    cr_expect(at[strlen(inner)] == ' ' || at[strlen(inner)] == ',', "%s", inner);
    cr_assert_eq(s[0].nmarks, 1);
    char word[32];
    marked(&s[0], 0, word, sizeof word);
    cr_expect_str_eq(word, "needle");
    search_snippets_free(s, n);
    search_query_free(q);
    fixture_free(&f);
}

Test(search, gives_no_snippets_for_an_article_that_does_not_match)
{
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    struct search_query *q = parse("harbour");
    struct search_snippet *s;
    size_t n = 7;
    cr_assert_eq(search_snippets(f.idx, q, 0, 3, &s, &n), 0);
    cr_expect_eq(n, 0);
    cr_assert_eq(search_snippets(f.idx, q, NCORPUS, 3, &s, &n), 0); /* past the end */
    cr_expect_eq(n, 0);
    search_query_free(q);
    fixture_free(&f);
}

Test(search, renders_snippets_as_json)
{
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    struct search_query *q = parse("strasse OR economy");
    struct search_snippet *s;
    size_t n;
    cr_assert_eq(search_snippets(f.idx, q, 3, 2, &s, &n), 0);
    cr_assert_eq(n, 2);
    struct strbuf b;
    strbuf_init(&b, 64);
    search_snippets_print(s, n, &b);
    cr_assert(!b.failed);
    cJSON *j = cJSON_Parse(b.data);
    cr_assert_not_null(j, "not JSON: %s", b.data);
    char *txt = cJSON_PrintUnformatted(j);
    cr_expect_str_eq(b.data, txt, "printed as cJSON would");
    cr_expect_str_eq(txt,
                     "[{\"field\":\"headline\",\"text\":\"Economy grows faster than expected\","
                     "\"highlights\":[{\"start\":0,\"end\":7}]},"
                     "{\"field\":\"body\",\"block\":0,\"text\":\"The economy grew by 2% in the "
                     "third quarter, the prime minister’s office said.\","
                     "\"highlights\":[{\"start\":4,\"end\":11}]}]");
    free(txt);
    strbuf_free(&b);
    cJSON_Delete(j);
    search_snippets_free(s, n);
    search_query_free(q);
    fixture_free(&f);
}

struct error_case {
    const char *query, *message; /* a part of the error */
};

Test(search, refuses_bad_queries_with_a_reason)
{
    char too_long[SEARCH_QUERY_MAX_BYTES + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    char too_many[256] = "";
    for (int i = 0; i <= SEARCH_QUERY_MAX_TERMS; i++)
        strcat(too_many, "w ");
    const struct error_case cases[] = {
        {"\"unbalanced", "not closed"},
        {"a \"b c", "not closed"},
        {"-only", "only excludes"},
        {"-\"only phrase\"", "only excludes"},
        {"-a -b", "only excludes"},
        {"", "no word"},
        {"   ", "no word"},
        {"!!! ???", "no word"},
        {"OR", "before"},
        {"OR b", "before"},
        {"a OR OR b", "before"},
        {"a OR", "after"},
        {"a OR -b", "exclusion"},
        {"-a OR b", "before"},
        {too_long, "longer than"},
        {too_many, "more than"},
        {"caf\xC3", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[128] = "";
        struct search_query *q = search_parse(cases[i].query, err, sizeof err);
        cr_expect_null(q, "case %zu (%.20s) was accepted", i, cases[i].query);
        search_query_free(q);
        cr_expect(strstr(err, cases[i].message) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                  cases[i].message);
    }
}

Test(search, accepts_queries_at_the_limits)
{
    char longest[SEARCH_QUERY_MAX_BYTES + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    char most[256] = "";
    for (int i = 0; i < SEARCH_QUERY_MAX_TERMS; i++)
        strcat(most, "w ");
    const char *const cases[] = {
        longest, most, "a OR b", "-a b", "\"a b\" -\"c d\"", "a \"\" b", "é", "x - y", "a - OR b",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[128] = "";
        struct search_query *q = search_parse(cases[i], err, sizeof err);
        cr_expect_not_null(q, "case %zu: %s", i, err);
        search_query_free(q);
    }
}

struct reader {
    const struct search_index *idx;
    int failures;
};

static void *
read_many(void *arg)
{
    struct reader *r = arg;
    static const struct {
        const char *q;
        size_t n, first;
    } qs[] = {{"harbour", 2, 6}, {"\"prime minister\"", 2, 0}, {"film -oscar", 1, 5}};
    for (int round = 0; round < 200; round++)
        for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
            char err[128];
            struct search_query *q = search_parse(qs[i].q, err, sizeof err);
            struct search_hit *h = NULL;
            size_t n = 0;
            struct search_snippet *s = NULL;
            size_t ns = 0;
            if (!q || search_run(r->idx, q, &h, &n) < 0 || n != qs[i].n ||
                h[0].article != qs[i].first ||
                search_snippets(r->idx, q, h[0].article, 2, &s, &ns) < 0 || ns == 0)
                r->failures++;
            search_snippets_free(s, ns);
            free(h);
            search_query_free(q);
        }
    return NULL;
}

Test(search, answers_from_many_threads_at_once)
{
    struct fixture f;
    fixture_build(&f, corpus, NCORPUS);
    enum { NTHREADS = 8 };
    pthread_t t[NTHREADS];
    struct reader r[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        r[i] = (struct reader){f.idx, 0};
        cr_assert_eq(pthread_create(&t[i], NULL, read_many, &r[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(r[i].failures, 0, "thread %d", i);
    }
    fixture_free(&f);
}
