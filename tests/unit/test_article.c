/* article: slugs, ids, dates, the JSON document form and its round trip. */
#include "models/article.h"
#include "models/store.h"
#include "models/textformat.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- article_slugify -------------------------------------------------------------------- */

struct slug_case {
    const char *text, *slug;
};

Test(article, slugifies_headlines_as_the_contract_says)
{
    static const struct slug_case cases[] = {
        {"North Korea\u2019s Kim visiting China at Xi Jinping\u2019s invitation",
         "north-koreas-kim-visiting-china-at-xi-jinpings-invitation"},
        {"North Korea\u2018s Kim", "north-koreas-kim"},
        {"It's 2024: what\u2019s next?", "its-2024-whats-next"},
        {"Hello,   World!!!", "hello-world"},
        {"  --Leading and trailing--  ", "leading-and-trailing"},
        {"A\u00a0non-breaking\u2014dash", "a-non-breaking-dash"},
        {"Caf\u00e9 M\u00fcller in S\u00e3o Paulo", "cafe-muller-in-sao-paulo"},
        {"Gro\u00dfe Stra\u00dfe", "grosse-strasse"},
        {"\u00c6r\u00f8 and \u00e6sir", "aero-and-aesir"},
        {"Na\u00efve fa\u00e7ade, \u00c9lys\u00e9e", "naive-facade-elysee"},
        {"\u0141\u00f3d\u017a and Krak\u00f3w", "lodz-and-krakow"},
        {"Gda\u0144sk, \u017bab\u0105 \u0161koda", "gdansk-zaba-skoda"},
        {"\u010cesk\u00fd Krumlov", "cesky-krumlov"},
        /* Upper-case letters of Latin Extended-A fold like their lower-case pairs. */
        {"\u015al\u0105sk mines", "slask-mines"},
        {"\u014csaka", "osaka"},
        {"\u0179r\u00f3d\u0142o", "zrodlo"},
        {"\u0143owy", "nowy"},
        {"\u0160ibenik \u017dilina", "sibenik-zilina"},
        /* Latin Extended-B and Additional, and thorn, fold too (utf8_fold_latin). */
        {"Nguy\u1ec5n Ph\u00fa Tr\u1ecdng in \u00deingvellir", "nguyen-phu-trong-in-thingvellir"},
        {"UPPER case 123", "upper-case-123"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char out[128];
        size_t n = article_slugify(cases[k].text, out, sizeof out);
        cr_expect_str_eq(out, cases[k].slug, "slug of `%s`", cases[k].text);
        cr_expect_eq(n, strlen(out), "length returned for `%s`", cases[k].text);
    }
}

Test(article, gives_an_empty_slug_when_the_text_has_no_letter_or_digit)
{
    static const char *const cases[] = {"", "!!! ... ---", "\u2014 \u2019 \u201c\u201d", "   "};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char out[32] = "junk";
        cr_expect_eq(article_slugify(cases[k], out, sizeof out), 0, "`%s`", cases[k]);
        cr_expect_str_eq(out, "", "`%s`", cases[k]);
    }
}

/* Builds a headline of words separated by single spaces. */
static void
words_text(char *out, const char *const *words, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, words[i]);
    }
}

struct long_case {
    const char *name;
    const char *first;  /* first word */
    size_t repeats;     /* then this many copies of `abcdefghi` */
    const char *tail;   /* then this word */
    size_t want_len;
};

Test(article, cuts_a_long_slug_at_a_hyphen_to_at_most_80)
{
    static const struct long_case cases[] = {
        /* 20 words of 9: 8 words (79 chars) fit. */
        {"many short words", "abcdefghi", 19, "end", 79},
        /* 10 + 7 * 10 = 80 characters of whole words, then more words: all 80 fit. */
        {"exactly 80 of whole words", "abcdefghij", 7, "more", 80},
        /* 69 + "-abcdefghij" reaches 80; the word's last letter does not fit. */
        {"a last word one letter too long", "abcdefghi", 6, "abcdefghijk", 69},
        /* A two-byte fold (ß -> ss) at the 80th character does not fit either. */
        {"a folded letter at the limit", "abcdefghi", 6, "abcdefghi\u00dfx", 69},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct long_case *c = &cases[k];
        const char *words[40];
        size_t n = 0;
        words[n++] = c->first;
        for (size_t i = 0; i < c->repeats; i++)
            words[n++] = "abcdefghi";
        words[n++] = c->tail;
        char text[512], out[128];
        words_text(text, words, n);
        size_t len = article_slugify(text, out, sizeof out);
        cr_expect_eq(len, c->want_len, "%s: %zu `%s`", c->name, len, out);
        cr_expect_leq(len, 80);
        cr_expect_neq(out[len ? len - 1 : 0], '-', "%s: ends with a hyphen", c->name);
        /* The slug is a prefix of whole words of the full slug. */
        char full[512];
        size_t flen = 0;
        for (size_t i = 0; i < n; i++) {
            const char *w = words[i];
            char part[64];
            article_slugify(w, part, sizeof part);
            flen += (size_t)sprintf(full + flen, "%s%s", i ? "-" : "", part);
        }
        cr_expect_eq(strncmp(full, out, len), 0, "%s: not a prefix", c->name);
        cr_expect(full[len] == '-' || full[len] == '\0', "%s: cut inside a word: `%s`", c->name, out);
    }
}

Test(article, cuts_a_single_long_word_to_80)
{
    char text[201], out[128];
    memset(text, 'x', 200);
    text[200] = '\0';
    size_t len = article_slugify(text, out, sizeof out);
    cr_expect_eq(len, 80);
    cr_expect_eq(strlen(out), 80);
}

Test(article, respects_a_small_output_buffer)
{
    char out[10];
    size_t len = article_slugify("hello world again", out, sizeof out);
    cr_expect_leq(len, 9);
    cr_expect_str_eq(out, "hello");
}

/* ---- article_id_valid -------------------------------------------------------------------- */

Test(article, accepts_only_ids_of_lower_case_letters_digits_and_inner_hyphens)
{
    char id80[81], id81[82];
    memset(id80, 'a', 80);
    id80[80] = '\0';
    memset(id81, 'a', 81);
    id81[81] = '\0';
    const struct {
        const char *id;
        bool valid;
    } cases[] = {
        {"a", true},           {"abc-123", true},  {"2024", true},      {"a--b", true},
        {id80, true},          {id81, false},      {"", false},         {"-a", false},
        {"a-", false},         {"-", false},       {"A", false},        {"a_b", false},
        {"a b", false},        {"caf\u00e9", false}, {"a/b", false},    {"a.b", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(article_id_valid(cases[k].id), cases[k].valid, "`%s`", cases[k].id);
}

/* ---- article_parse_time ------------------------------------------------------------------ */

Test(article, parses_valid_dates_and_date_times)
{
    static const struct {
        const char *s;
        int64_t ts;
    } cases[] = {
        {"2019-01-08", 1546905600},
        {"2019-01-08T09:30:00Z", 1546939800},
        {"2019-01-08T09:30Z", 1546939800},
        {"2019-01-08T10:30:00+01:00", 1546939800},
        {"2019-01-08T04:30:00-05:00", 1546939800},
        {"2019-01-08T03:45:00+00:00", 1546919100},
        {"2019-01-08T09:30:00+05:45", 1546919100},
        {"2019-01-08T00:30:00+01:00", 1546903800}, /* the day before in UTC */
        {"2020-02-29", 1582934400},
        {"2000-02-29", 951782400},
        {"1970-01-01T00:00:00Z", 0},
        {"2024-12-31T23:59:59Z", 1735689599},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        int64_t ts = -1;
        cr_expect_eq(article_parse_time(cases[k].s, &ts), 0, "`%s` refused", cases[k].s);
        cr_expect_eq(ts, cases[k].ts, "`%s` gives %lld", cases[k].s, (long long)ts);
    }
}

Test(article, refuses_invalid_dates_and_date_times)
{
    static const char *const cases[] = {
        "", "2019", "2019-01", "19-01-08", "2019/01/08", "2019-1-8", "2019-01-08x", "2019-01-08 ",
        "2019-02-29", "1900-02-29", "2019-13-01", "2019-00-10", "2019-01-00", "2019-01-32",
        "2019-04-31", "2019-01-08T", "2019-01-08T09Z", "2019-01-08T25:00:00Z",
        "2019-01-08T24:00:00Z", "2019-01-08T09:60Z", "2019-01-08T09:30:61Z",
        "2019-01-08T09:30:00", /* no zone */
        "2019-01-08T09:30:00+0100", "2019-01-08T09:30:00+24:00", "2019-01-08T09:30:00+01:60",
        "2019-01-08T09:30:00Zjunk", "2019-01-08t09:30:00z", "yesterday",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        int64_t ts = 42;
        cr_expect_eq(article_parse_time(cases[k], &ts), -1, "`%s` accepted", cases[k]);
    }
}

/* ---- article_from_json --------------------------------------------------------------------- */

struct json_error_case {
    const char *doc, *field;
};

Test(article, refuses_invalid_documents_naming_the_json_pointer)
{
    static const struct json_error_case cases[] = {
        {"[]", ""},
        {"\"headline\"", ""},
        {"{\"headline\":\"H\",\"bogus\":1}", "/bogus"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"x\",\"extra\":1}]}",
         "/body/0/extra"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"x\"},"
         "{\"type\":\"image\",\"caption\":\"c\",\"credit\":{\"text\":\"t\",\"who\":\"x\"}}]}",
         "/body/1/credit/who"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"x\",\"alt\":\"a\"}]}",
         "/body/0/alt"},
        {"{\"headline\":5}", "/headline"},
        {"{\"headline\":null}", "/headline"},
        {"{\"headline\":\"H\",\"tags\":\"a\"}", "/tags"},
        {"{\"headline\":\"H\",\"tags\":[\"a\",3]}", "/tags/1"},
        {"{\"headline\":\"H\",\"source\":[\"\"]}", "/source/0"},
        {"{\"headline\":\"H\",\"body\":{}}", "/body"},
        {"{\"headline\":\"H\",\"published\":20190108}", "/published"},
        {"{\"headline\":\"H\",\"standfirst\":true}", "/standfirst"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"image\",\"caption\":\"c\",\"credit\":"
         "{\"file\":\"yes\"}}]}",
         "/body/0/credit/file"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"image\",\"caption\":\"c\",\"credit\":7}]}",
         "/body/0/credit"},
        {"{\"standfirst\":\"S\"}", "/headline"},
        {"{}", "/headline"},
        {"{\"headline\":\"\"}", "/headline"},
        {"{\"headline\":\"!!!\"}", "/headline"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"\"}]}", "/body/0/text"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"subheading\"}]}", "/body/0/text"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"image\",\"caption\":\"\"}]}", "/body/0/caption"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"quote\",\"text\":\"x\"}]}", "/body/0/type"},
        {"{\"headline\":\"H\",\"body\":[{\"text\":\"x\"}]}", "/body/0/type"},
        {"{\"headline\":\"H\",\"body\":[\"x\"]}", "/body/0"},
        {"{\"headline\":\"H\",\"headline\":\"G\"}", "/headline"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"a\",\"text\":\"b\"}]}",
         "/body/0/text"},
        {"{\"headline\":\"H\",\"published\":\"2019-02-30\"}", "/published"},
        {"{\"headline\":\"H\",\"updated\":\"yesterday\"}", "/updated"},
        {"{\"headline\":\"H\",\"id\":\"Bad Id\"}", "/id"},
        {"{\"headline\":\"H\",\"body\":[{\"type\":\"paragraph\",\"text\":\"a\\u0001b\"}]}",
         "/body/0/text"},
        /* RFC 6901: '~' and '/' in a member name are escaped as ~0 and ~1. */
        {"{\"headline\":\"H\",\"a/b\":1}", "/a~1b"},
        {"{\"headline\":\"H\",\"x~y\":1}", "/x~0y"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        cJSON *doc = cJSON_Parse(cases[k].doc);
        cr_assert_not_null(doc, "test document %zu does not parse", k);
        struct article_error err;
        memset(&err, 0, sizeof err);
        struct article *a = article_from_json(doc, &err);
        cr_expect_null(a, "accepted: %s", cases[k].doc);
        article_free(a);
        cJSON_Delete(doc);
        cr_expect_str_eq(err.field, cases[k].field, "%s (%s)", cases[k].doc, err.message);
        cr_expect_neq(err.message[0], '\0', "no message for %s", cases[k].doc);
    }
}

Test(article, refuses_a_headline_over_its_length_limit)
{
    char headline[1200];
    memset(headline, 'h', sizeof headline - 1);
    headline[sizeof headline - 1] = '\0';
    cJSON *doc = cJSON_CreateObject();
    cr_assert_not_null(cJSON_AddStringToObject(doc, "headline", headline));
    struct article_error err;
    struct article *a = article_from_json(doc, &err);
    cr_expect_null(a);
    cr_expect_str_eq(err.field, "/headline");
    article_free(a);
    cJSON_Delete(doc);
}

Test(article, accepts_and_ignores_the_read_only_fields)
{
    static const char doc[] = "{\"id\":\"my-id\",\"headline\":\"A headline\",\"slug\":\"not-this\","
                              "\"word_count\":999,\"reading_time_minutes\":7,"
                              "\"links\":{\"self\":\"/v1/articles/my-id\"},"
                              "\"annotations\":{\"entities\":[]},"
                              "\"body\":[{\"type\":\"paragraph\",\"text\":\"One two.\"}]}";
    cJSON *j = cJSON_Parse(doc);
    cr_assert_not_null(j);
    struct article_error err;
    struct article *a = article_from_json(j, &err);
    cJSON_Delete(j);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->id, "my-id");
    cr_expect_str_eq(a->slug, "a-headline", "the slug is derived, not read");
    cr_expect_eq(a->nbody, 1);
    article_free(a);
}

Test(article, reads_a_full_document_with_nulls_and_a_structured_credit)
{
    static const char doc[] =
        "{\"headline\":\"Kim visits\",\"standfirst\":null,\"published\":\"2019-01-08\","
        "\"tags\":null,\"source\":[\"Reuters\"],\"body\":["
        "{\"type\":\"subheading\",\"text\":\"Part one\"},"
        "{\"type\":\"image\",\"caption\":\"A train\",\"alt\":null,\"credit\":"
        "{\"photographer\":\"Ju Peng\",\"agency\":\"Xinhua\",\"distributor\":\"AP\",\"file\":true}},"
        "{\"type\":\"image\",\"caption\":\"No credit\",\"credit\":null}]}";
    cJSON *j = cJSON_Parse(doc);
    cr_assert_not_null(j);
    struct article_error err;
    struct article *a = article_from_json(j, &err);
    cJSON_Delete(j);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->id, "kim-visits");
    cr_expect_null(a->standfirst);
    cr_expect_eq(a->published_ts, 1546905600);
    cr_expect_eq(a->ntags, 0);
    cr_assert_eq(a->nbody, 3);
    cr_expect_eq(a->body[0].type, ARTICLE_SUBHEADING);
    const struct article_credit *c = &a->body[1].credit;
    cr_expect_null(a->body[1].alt);
    cr_expect(c->file);
    cr_expect_str_eq(c->photographer, "Ju Peng");
    cr_expect_str_eq(c->agency, "Xinhua");
    cr_expect_str_eq(c->distributor, "AP");
    cr_expect_not_null(c->text, "a structured credit gets its text");
    if (c->text)
        cr_expect_str_eq(c->text, "File: Ju Peng/Xinhua via AP");
    cr_expect_null(a->body[2].credit.text);
    article_free(a);
}

/* ---- article_equal and the round trip ------------------------------------------------------ */

static struct article *
parse_text(const char *s)
{
    struct article_error err;
    struct article *a = textformat_parse(s, strlen(s), &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    return a;
}

Test(article, tells_articles_apart_that_differ_in_one_field)
{
    static const char base[] = "---\ntags: a, b\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
                               "Alt text\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S\n";
    static const char *const variants[] = {
        "---\ntags: a, c\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S\n",
        "---\ntags: a, b\npublished: 2024-01-02\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S\n",
        "---\ntags: a, b\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [P/Agency via D]\n\nText.\n\nSource: S\n",
        "---\ntags: a, b\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
        "Other alt\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S\n",
        "---\ntags: a, b\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [File: P/Agency via D]\n\nText!\n\nSource: S\n",
        "---\ntags: a, b\npublished: 2024-01-01\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S, T\n",
        "---\ntags: a, b\npublished: 2024-01-01\nsection: x\n---\nHeadline\n\nStand.\n\n"
        "Alt text\nCaption [File: P/Agency via D]\n\nText.\n\nSource: S\n",
    };
    struct article *a = parse_text(base), *same = parse_text(base);
    cr_expect(article_equal(a, same));
    for (size_t k = 0; k < sizeof variants / sizeof *variants; k++) {
        struct article *b = parse_text(variants[k]);
        cr_expect_not(article_equal(a, b), "variant %zu compares equal", k);
        article_free(b);
    }
    article_free(a);
    article_free(same);
}

/* text -> article -> JSON document -> printed -> parsed -> article must be the same article. */
static void
expect_round_trip(const struct article *a, const char *name)
{
    cJSON *doc = article_to_json(a);
    cr_assert_not_null(doc);
    char *printed = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    cr_assert_not_null(printed);
    struct article_error err;
    struct article *b = store_parse_json(printed, strlen(printed), &err);
    cr_expect_not_null(b, "%s: the JSON form is refused: %s: %s", name, err.field, err.message);
    if (b)
        cr_expect(article_equal(a, b), "%s: the JSON form gives a different article", name);
    article_free(b);
    free(printed);
}

Test(article, round_trips_every_sample_article_through_json)
{
    glob_t g;
    cr_assert_eq(glob("data/articles/*.txt", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 5, "only %zu sample articles", g.gl_pathc);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "rb");
        cr_assert_not_null(f);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        cr_assert_not_null(m);
        int c;
        while ((c = fgetc(f)) != EOF)
            fputc(c, m);
        fclose(f);
        fclose(m);
        struct article_error err;
        struct article *a = textformat_parse(buf, len, &err);
        free(buf);
        cr_expect_not_null(a, "%s: %s", g.gl_pathv[i], err.message);
        if (a)
            expect_round_trip(a, g.gl_pathv[i]);
        article_free(a);
    }
    globfree(&g);
}

Test(article, round_trips_images_with_a_bare_credit_and_without_alt)
{
    struct article *a = parse_text("Headline\n\nA caption only [Reuters]\n\n"
                                   "An alt line\nA caption [File: Someone/AFP]\n\n"
                                   "A caption line\n[AP]\n");
    expect_round_trip(a, "bare credits");
    article_free(a);
}

/* ---- article_compact ------------------------------------------------------------------------ */

Test(article, keeps_every_field_when_compacted_into_one_block)
{
    static const char text[] = "---\ntags: a, b\npublished: 2024-01-01\nsection: x\n---\n"
                               "Headline\n\nStand.\n\nAlt text\nCaption [File: P/Agency via D]\n\n"
                               "## Part\n\nText.\n\nSource: S, T\n";
    struct article *a = parse_text(text), *same = parse_text(text);
    cr_assert_eq(article_compact(a), 0);
    cr_expect(article_equal(a, same));
    cr_expect_str_eq(a->body[0].credit.agency, "Agency");
    /* a string replaced afterwards is the article's own; compacting again takes it in */
    article_free_string(a, a->id);
    a->id = strdup("other-id");
    cr_assert_not_null(a->id);
    cr_expect_not(article_equal(a, same));
    cr_assert_eq(article_compact(a), 0);
    cr_expect_str_eq(a->id, "other-id");
    article_free_string(a, a->id);
    a->id = strdup(same->id);
    cr_expect(article_equal(a, same));
    article_free(a);
    article_free(same);
}

Test(article, compacts_an_article_without_lists_or_body)
{
    struct article *a = parse_text("Headline\n"), *same = parse_text("Headline\n");
    cr_assert_eq(article_compact(a), 0);
    cr_expect_null(a->tags);
    cr_expect(article_equal(a, same));
    article_free(a);
    article_free(same);
}


Test(article, gives_a_headline_without_latin_letters_a_stable_hashed_id)
{
    static const char text[] = "Москва открывает новый мост\n\nПервый абзац.\n";
    struct article_error err;
    struct article *a = textformat_parse(text, sizeof text - 1, &err);
    struct article *b = textformat_parse(text, sizeof text - 1, &err);
    cr_assert_not_null(a, "%s", err.message);
    cr_assert_not_null(b);
    cr_expect_eq(strncmp(a->id, "article-", 8), 0, "%s", a->id);
    cr_expect_eq(strlen(a->id), 20);
    cr_expect(article_id_valid(a->id));
    cr_expect_str_eq(a->id, b->id, "the same headline, the same id");
    article_free(a);
    article_free(b);
}
