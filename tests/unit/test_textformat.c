/* textformat: the seed expectations of issue 2 point 3, the edge cases of the
 * plain format, and a few facts of each sample article. */
#include "models/textformat.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED "data/articles/kim-visits-china.txt"

/* Reads a whole file into a new buffer (caller frees); aborts the test on failure. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static struct article *
parse_file(const char *path, struct article_error *err)
{
    size_t len;
    char *buf = slurp(path, &len);
    struct article *a = textformat_parse(buf, len, err);
    free(buf);
    return a;
}

static struct article *
parse_str(const char *s, struct article_error *err)
{
    return textformat_parse(s, strlen(s), err);
}

static size_t
count_type(const struct article *a, enum article_block_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < a->nbody; i++)
        n += a->body[i].type == t;
    return n;
}

/* Expects s to equal want, NULL meaning "absent". */
static void
expect_opt_str(const char *s, const char *want, const char *what)
{
    if (!want) {
        cr_expect_null(s, "%s: expected NULL, got `%s`", what, s ? s : "");
        return;
    }
    cr_expect_not_null(s, "%s: expected `%s`, got NULL", what, want);
    if (s)
        cr_expect_str_eq(s, want, "%s", what);
}

/* ---- the seed article ----------------------------------------------------------------- */

Test(textformat, gives_the_seed_headline_with_curly_apostrophes)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->headline, "North Korea\u2019s Kim visiting China at Xi Jinping\u2019s invitation");
    cr_expect_str_eq(a->id, "north-koreas-kim-visiting-china-at-xi-jinpings-invitation");
    cr_expect_str_eq(a->slug, "north-koreas-kim-visiting-china-at-xi-jinpings-invitation");
    cr_expect_str_eq(err.warning, "", "the seed is clean UTF-8: no warning expected");
    article_free(a);
}

Test(textformat, gives_the_seed_standfirst)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    expect_opt_str(a->standfirst,
                   "Visit comes days after North Korean leader says he may seek alternative path "
                   "if US maintains pressure on his country.",
                   "standfirst");
    cr_expect_null(a->published);
    cr_expect_eq(a->published_ts, INT64_MIN);
    article_free(a);
}

Test(textformat, gives_the_seed_body_as_ordered_typed_blocks)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nbody, 24, "blocks: %zu", a->nbody);
    cr_expect_eq(count_type(a, ARTICLE_PARAGRAPH), 20);
    cr_expect_eq(count_type(a, ARTICLE_IMAGE), 3);
    cr_expect_eq(count_type(a, ARTICLE_SUBHEADING), 1);
    static const size_t images[] = {0, 6, 14};
    for (size_t i = 0; i < a->nbody; i++) {
        enum article_block_type want = i == 15 ? ARTICLE_SUBHEADING
                                       : (i == images[0] || i == images[1] || i == images[2])
                                           ? ARTICLE_IMAGE
                                           : ARTICLE_PARAGRAPH;
        cr_expect_eq(a->body[i].type, want, "block %zu has type %d", i, a->body[i].type);
    }
    /* The first paragraph keeps its non-breaking spaces. */
    cr_expect_str_eq(a->body[1].text,
                     "North Korean leader\u00a0Kim Jong-un\u00a0has arrived in China for a four-day "
                     "visit at the invitation of Chinese President Xi Jinping, as preparations "
                     "increase for a second summit with US President Donald Trump.");
    cr_expect_str_eq(a->body[23].text,
                     "\u201cAre the Chinese going to encourage the North Koreans to do more? Or is "
                     "North Korea going to continue a policy which essentially involves not testing "
                     "any weapons during this time but hasn\u2019t really involved much else.\u201d");
    /* A paragraph without a closing full stop is still a paragraph. */
    cr_expect_str_eq(a->body[4].text,
                     "During his stay in China,\u00a0North Korea\u2018s key diplomatic ally and main "
                     "source of trade and aid, Kim is expected to hold his fourth summit with Xi");
    article_free(a);
}

Test(textformat, keeps_the_seed_subheading_at_its_place)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nbody, 24);
    cr_expect_eq(a->body[15].type, ARTICLE_SUBHEADING);
    cr_expect_str_eq(a->body[15].text, "China\u2019s role");
    cr_expect_str_eq(a->body[16].text,
                     "The latest trip comes after US and North Korean officials are believed to "
                     "have met in Vietnam to discuss the location of a second summit between Kim "
                     "and Trump aimed at denuclearising the Korean Peninsula.");
    article_free(a);
}

struct image_case {
    size_t index;
    const char *alt, *caption, *credit, *photographer, *agency, *distributor;
    bool file;
};

Test(textformat, gives_the_three_seed_images_with_their_credits)
{
    static const struct image_case cases[] = {
        {0, "Train believed to be carrying North Korean leader Kim Jong Un arrives at Beijing "
            "Railway Station in Beijing",
         "A train believed to be carrying Kim arrives at Beijing Railway Station", "Jason Lee/Reuters",
         "Jason Lee", "Reuters", NULL, false},
        {6, NULL,
         "A vehicle that is part of a motorcade that is believed to be carrying Kim makes its way "
         "through central Beijing",
         "Thomas Peter/Reuters", "Thomas Peter", "Reuters", NULL, false},
        {14, NULL, "Kim and Xi met three times last year",
         "File: Ju Peng/Xinhua via The Associated Press", "Ju Peng", "Xinhua",
         "The Associated Press", true},
    };
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nbody, 24);
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct image_case *c = &cases[k];
        const struct article_block *b = &a->body[c->index];
        cr_expect_eq(b->type, ARTICLE_IMAGE, "image %zu", k + 1);
        if (b->type != ARTICLE_IMAGE)
            continue;
        expect_opt_str(b->alt, c->alt, "alt");
        expect_opt_str(b->text, c->caption, "caption");
        expect_opt_str(b->credit.text, c->credit, "credit text");
        expect_opt_str(b->credit.photographer, c->photographer, "photographer");
        expect_opt_str(b->credit.agency, c->agency, "agency");
        expect_opt_str(b->credit.distributor, c->distributor, "distributor");
        cr_expect_eq(b->credit.file, c->file, "image %zu file flag", k + 1);
    }
    article_free(a);
}

Test(textformat, gives_the_seed_source_line_as_a_list)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nsource, 2);
    cr_expect_str_eq(a->source[0], "Al Jazeera");
    cr_expect_str_eq(a->source[1], "News Agencies");
    for (size_t i = 0; i < a->nbody; i++)
        cr_expect_null(strstr(a->body[i].text, "Source:"), "block %zu holds the source line", i);
    article_free(a);
}

Test(textformat, keeps_the_seed_text_as_written)
{
    struct article_error err;
    struct article *a = parse_file(SEED, &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nbody, 24);
    cr_expect_not_null(strstr(a->body[4].text, "North Korea\u2018s key"),
                       "left single quote as apostrophe kept");
    cr_expect_not_null(strstr(a->body[5].text, "if the\u00a0United States\u00a0maintains"),
                       "non-breaking spaces kept");
    cr_expect_not_null(strstr(a->body[21].text, "the [US\u2019s] relationship"),
                       "brackets inside a paragraph are text, not a credit");
    cr_expect_not_null(strstr(a->body[21].text, "China in \u2013 and China"), "en dash kept");
    article_free(a);
}

/* ---- normalised input gives the same article ----------------------------------------- */

/* The seed with every "\n" replaced by `eol`, prefixed by `prefix`, each line
 * followed by `trail` before its end. */
static char *
seed_variant(const char *prefix, const char *trail, const char *eol, const char *suffix, size_t *len)
{
    size_t n;
    char *seed = slurp(SEED, &n);
    size_t cap = strlen(prefix) + n * (strlen(trail) + strlen(eol) + 1) + strlen(suffix) + 16;
    char *out = malloc(cap), *p = out;
    cr_assert_not_null(out);
    p += sprintf(p, "%s", prefix);
    for (size_t i = 0; i < n; i++) {
        if (seed[i] == '\n')
            p += sprintf(p, "%s%s", trail, eol);
        else
            *p++ = seed[i];
    }
    p += sprintf(p, "%s", suffix);
    free(seed);
    *len = (size_t)(p - out);
    return out;
}

struct variant_case {
    const char *name, *prefix, *trail, *eol, *suffix;
};

Test(textformat, gives_the_same_article_for_crlf_bom_trailing_blanks_and_final_newline)
{
    static const struct variant_case cases[] = {
        {"CRLF line ends", "", "", "\r\n", ""},
        {"lone CR line ends", "", "", "\r", ""},
        {"a UTF-8 BOM", "\xEF\xBB\xBF", "", "\n", ""},
        {"trailing spaces and tabs", "", "  \t ", "\n", " \t"},
        {"a final newline", "", "", "\n", "\n"},
        {"BOM, CRLF, trailing blanks and final CRLF", "\xEF\xBB\xBF", " ", "\r\n", " \r\n"},
    };
    struct article_error err;
    struct article *want = parse_file(SEED, &err);
    cr_assert_not_null(want);
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct variant_case *c = &cases[k];
        size_t len;
        char *buf = seed_variant(c->prefix, c->trail, c->eol, c->suffix, &len);
        struct article *got = textformat_parse(buf, len, &err);
        free(buf);
        cr_expect_not_null(got, "%s: refused (%s: %s)", c->name, err.field, err.message);
        if (got) {
            cr_expect(article_equal(want, got), "%s: a different article", c->name);
            cr_expect_str_eq(err.warning, "", "%s: unexpected warning", c->name);
        }
        article_free(got);
    }
    article_free(want);
}

Test(textformat, drops_trailing_blanks_from_each_line)
{
    struct article_error err;
    struct article *a = parse_str("Headline here  \t\n\nStandfirst text. \n\nFirst paragraph.\t\n", &err);
    cr_assert_not_null(a);
    cr_expect_str_eq(a->headline, "Headline here");
    cr_expect_str_eq(a->standfirst, "Standfirst text.");
    cr_assert_eq(a->nbody, 1);
    cr_expect_str_eq(a->body[0].text, "First paragraph.");
    article_free(a);
}

/* ---- refused input ---------------------------------------------------------------------- */

struct refused_case {
    const char *name;
    const char *input;
    size_t len;
    const char *field; /* exact, or NULL for "starts with line " */
};

#define CASE(name, lit, field) {name, lit, sizeof lit - 1, field}

Test(textformat, refuses_empty_nul_and_malformed_input_with_a_message)
{
    static const struct refused_case cases[] = {
        CASE("an empty file", "", "line 1"),
        CASE("only a BOM", "\xEF\xBB\xBF", "line 1"),
        CASE("only blank lines", "\n\n  \n\t\n", NULL),
        CASE("a NUL byte on line 3", "Headline\n\nBody\0text.\n", "line 3"),
        CASE("a NUL byte as the only content", "\0", "line 1"),
        CASE("front matter never closed", "---\nid: x\nsection: world\nHeadline\n\nBody.\n", NULL),
        CASE("front matter line without a colon", "---\nid: x\nnot a setting\n---\nHeadline\n",
             "line 3"),
        CASE("a headline with no letter or digit", "\u2014 ... \u2014\n\nBody.\n", NULL),
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct refused_case *c = &cases[k];
        struct article_error err;
        struct article *a = textformat_parse(c->input, c->len, &err);
        cr_expect_null(a, "%s: accepted", c->name);
        article_free(a);
        cr_expect_neq(err.message[0], '\0', "%s: no message", c->name);
        if (c->field)
            cr_expect_str_eq(err.field, c->field, "%s", c->name);
        else
            cr_expect_eq(strncmp(err.field, "line ", 5), 0, "%s: field `%s` names no line", c->name,
                         err.field);
    }
}

Test(textformat, refuses_invalid_dates_and_ids_in_front_matter)
{
    static const char *const cases[] = {
        "---\npublished: 2024-02-30\n---\nHeadline\n",
        "---\npublished: yesterday\n---\nHeadline\n",
        "---\npublished: 2024-03-11T08:45:00\n---\nHeadline\n", /* no zone */
        "---\nupdated: 2024-13-01\n---\nHeadline\n",
        "---\nid: Not A Valid Id\n---\nHeadline\n",
        "---\nid: -leading-hyphen\n---\nHeadline\n",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct article_error err;
        struct article *a = parse_str(cases[k], &err);
        cr_expect_null(a, "accepted: %s", cases[k]);
        article_free(a);
        cr_expect_neq(err.message[0], '\0', "no message for: %s", cases[k]);
        cr_expect_neq(err.field[0], '\0', "no field for: %s", cases[k]);
    }
}

/* ---- accepted edge cases ------------------------------------------------------------------ */

Test(textformat, loads_a_file_with_only_a_headline)
{
    static const char *const cases[] = {"Only a headline", "Only a headline\n", "\n\nOnly a headline\n\n\n"};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct article_error err;
        struct article *a = parse_str(cases[k], &err);
        cr_expect_not_null(a, "case %zu: %s", k, err.message);
        if (!a)
            continue;
        cr_expect_str_eq(a->headline, "Only a headline");
        cr_expect_null(a->standfirst);
        cr_expect_eq(a->nbody, 0);
        cr_expect_eq(a->nsource, 0);
        cr_expect_str_eq(a->id, "only-a-headline");
        article_free(a);
    }
}

Test(textformat, parses_a_one_megabyte_paragraph)
{
    const size_t words = 200000; /* "word " * 200000 = 1 MB */
    size_t cap = 64 + words * 5;
    char *buf = malloc(cap), *p = buf;
    cr_assert_not_null(buf);
    p += sprintf(p, "Headline\n\nStandfirst.\n\n");
    const char *para = p;
    for (size_t i = 0; i < words; i++) {
        memcpy(p, "word ", 5);
        p += 5;
    }
    p[-1] = '.';
    size_t para_len = (size_t)(p - para);
    *p++ = '\n';
    struct article_error err;
    struct article *a = textformat_parse(buf, (size_t)(p - buf), &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_eq(a->nbody, 1);
    if (a->nbody == 1) {
        cr_expect_eq(a->body[0].type, ARTICLE_PARAGRAPH);
        cr_expect_eq(strlen(a->body[0].text), para_len);
        cr_expect_eq(memcmp(a->body[0].text, para, para_len), 0);
    }
    article_free(a);
    free(buf);
}

Test(textformat, decodes_a_windows_1252_file_with_a_warning)
{
    static const char latin1[] = "Caf\xE9 owners say \x93no\x94 to the plan\n\n"
                                 "The caf\xE9s on the square \x96 all six \x96 will stay open.\n\n"
                                 "Na\xEFve \x85 maybe.\n";
    struct article_error err;
    struct article *a = textformat_parse(latin1, sizeof latin1 - 1, &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->headline, "Caf\u00e9 owners say \u201cno\u201d to the plan");
    cr_expect_str_eq(a->standfirst, "The caf\u00e9s on the square \u2013 all six \u2013 will stay open.");
    cr_assert_eq(a->nbody, 1);
    cr_expect_str_eq(a->body[0].text, "Na\u00efve \u2026 maybe.");
    cr_expect_str_eq(a->id, "cafe-owners-say-no-to-the-plan");
    cr_expect_neq(err.warning[0], '\0', "decoding must be warned about");
    cr_expect_not_null(strstr(err.warning, "UTF-8"), "warning: %s", err.warning);
    article_free(a);
}

Test(textformat, keeps_valid_utf8_that_has_no_ascii_equivalent)
{
    struct article_error err;
    struct article *a = parse_str("\u017b\u00f3\u0142w \u2018wins\u2019 \U0001F3C6 race\n", &err);
    cr_assert_not_null(a);
    cr_expect_str_eq(a->headline, "\u017b\u00f3\u0142w \u2018wins\u2019 \U0001F3C6 race");
    cr_expect_str_eq(err.warning, "");
    article_free(a);
}

Test(textformat, reads_every_front_matter_key)
{
    static const char doc[] = "---\n"
                              "id: bridge-story\n"
                              "published: 2024-03-11T08:45:00Z\n"
                              "updated: \"2024-03-11T14:20:00+01:00\"\n"
                              "section: local\n"
                              "tags: Galway, infrastructure , , transport\n"
                              "byline: Niamh Doherty\n"
                              "language: en\n"
                              "url: https://news.example.com/a/b?c=d\n"
                              "# a comment line\n"
                              "\n"
                              "source: [Reuters, AP]\n"
                              "---\n"
                              "A bridge reopens\n\nStandfirst.\n";
    struct article_error err;
    struct article *a = parse_str(doc, &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->id, "bridge-story");
    cr_expect_str_eq(a->slug, "a-bridge-reopens");
    cr_expect_str_eq(a->published, "2024-03-11T08:45:00Z");
    cr_expect_eq(a->published_ts, 1710146700);
    expect_opt_str(a->updated, "2024-03-11T14:20:00+01:00", "updated (quotes stripped)");
    expect_opt_str(a->section, "local", "section");
    expect_opt_str(a->byline, "Niamh Doherty", "byline");
    expect_opt_str(a->language, "en", "language");
    expect_opt_str(a->url, "https://news.example.com/a/b?c=d", "url (colons inside the value)");
    cr_assert_eq(a->ntags, 3, "empty tags dropped, items trimmed: %zu", a->ntags);
    cr_expect_str_eq(a->tags[0], "Galway");
    cr_expect_str_eq(a->tags[1], "infrastructure");
    cr_expect_str_eq(a->tags[2], "transport");
    cr_assert_eq(a->nsource, 2);
    cr_expect_str_eq(a->source[0], "Reuters");
    cr_expect_str_eq(a->source[1], "AP");
    cr_expect_str_eq(a->headline, "A bridge reopens");
    cr_expect_str_eq(err.warning, "");
    article_free(a);
}

Test(textformat, warns_about_an_unknown_front_matter_key)
{
    struct article_error err;
    struct article *a = parse_str("---\nsection: world\nmood: cheerful\n---\nHeadline\n", &err);
    cr_assert_not_null(a, "an unknown key must not be an error: %s", err.message);
    cr_expect_str_eq(a->section, "world");
    cr_expect_not_null(strstr(err.warning, "mood"), "warning: `%s`", err.warning);
    article_free(a);
}

struct shape_case {
    const char *line;
    enum article_block_type type;
};

Test(textformat, tells_subheadings_from_short_paragraphs)
{
    static const struct shape_case cases[] = {
        {"What comes next", ARTICLE_SUBHEADING},
        {"China\u2019s role", ARTICLE_SUBHEADING},
        {"Cars to return in July", ARTICLE_SUBHEADING},
        {"It rained.", ARTICLE_PARAGRAPH},
        {"By lunchtime they have usually filled a skip.", ARTICLE_PARAGRAPH},
        {"Really?", ARTICLE_PARAGRAPH},
        {"Stop!", ARTICLE_PARAGRAPH},
        {"She said:", ARTICLE_PARAGRAPH},
        {"\u201cWe will be back\u201d", ARTICLE_PARAGRAPH},
        {"\u201cAn unclosed quote", ARTICLE_PARAGRAPH},
        {"lower case start", ARTICLE_PARAGRAPH},
        {"One two three four five six seven eight nine ten eleven twelve thirteen",
         ARTICLE_PARAGRAPH},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char doc[512];
        snprintf(doc, sizeof doc, "Headline\n\nStandfirst.\n\n%s\n\nClosing paragraph.\n",
                 cases[k].line);
        struct article_error err;
        struct article *a = parse_str(doc, &err);
        cr_expect_not_null(a);
        if (!a)
            continue;
        cr_expect_eq(a->nbody, 2, "`%s`: %zu blocks", cases[k].line, a->nbody);
        if (a->nbody >= 1) {
            cr_expect_eq(a->body[0].type, cases[k].type, "`%s` has type %d", cases[k].line,
                         a->body[0].type);
            cr_expect_str_eq(a->body[0].text, cases[k].line);
        }
        article_free(a);
    }
}

Test(textformat, joins_the_lines_of_a_block_into_one_paragraph)
{
    struct article_error err;
    struct article *a = parse_str("Headline\n\nStandfirst\nover two lines.\n\nOne\nparagraph.\n", &err);
    cr_assert_not_null(a);
    cr_expect_str_eq(a->standfirst, "Standfirst over two lines.");
    cr_assert_eq(a->nbody, 1);
    cr_expect_eq(a->body[0].type, ARTICLE_PARAGRAPH);
    cr_expect_str_eq(a->body[0].text, "One paragraph.");
    article_free(a);
}

Test(textformat, turns_source_lines_into_the_source_list)
{
    static const struct {
        const char *line;
        size_t n;
        const char *first, *last;
    } cases[] = {
        {"Source: Reuters", 1, "Reuters", "Reuters"},
        {"Source: Al Jazeera, News Agencies", 2, "Al Jazeera", "News Agencies"},
        {"Sources: AFP, AP ,Reuters", 3, "AFP", "Reuters"},
        {"SOURCE: Xinhua", 1, "Xinhua", "Xinhua"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char doc[256];
        snprintf(doc, sizeof doc, "Headline\n\nStandfirst.\n\nA paragraph.\n\n%s\n", cases[k].line);
        struct article_error err;
        struct article *a = parse_str(doc, &err);
        cr_expect_not_null(a);
        if (!a)
            continue;
        cr_expect_eq(a->nbody, 1, "`%s` left a block", cases[k].line);
        cr_expect_eq(a->nsource, cases[k].n, "`%s`: %zu items", cases[k].line, a->nsource);
        if (a->nsource == cases[k].n) {
            cr_expect_str_eq(a->source[0], cases[k].first);
            cr_expect_str_eq(a->source[a->nsource - 1], cases[k].last);
        }
        article_free(a);
    }
}

Test(textformat, reads_an_image_with_a_bare_agency_credit)
{
    struct article_error err;
    struct article *a = parse_str("Headline\n\nStandfirst.\n\n"
                                  "Crowds gather outside the court on Monday [Reuters]\n\n"
                                  "Police officers stand in a line in front of a court building\n"
                                  "Police outside the court [AFP]\n",
                                  &err);
    cr_assert_not_null(a);
    cr_assert_eq(a->nbody, 2);
    const struct article_block *b = &a->body[0];
    cr_expect_eq(b->type, ARTICLE_IMAGE);
    expect_opt_str(b->text, "Crowds gather outside the court on Monday", "caption");
    expect_opt_str(b->alt, NULL, "alt");
    expect_opt_str(b->credit.text, "Reuters", "credit text");
    expect_opt_str(b->credit.photographer, NULL, "photographer");
    expect_opt_str(b->credit.agency, "Reuters", "agency");
    expect_opt_str(b->credit.distributor, NULL, "distributor");
    cr_expect_not(b->credit.file);
    b = &a->body[1];
    cr_expect_eq(b->type, ARTICLE_IMAGE);
    expect_opt_str(b->alt, "Police officers stand in a line in front of a court building", "alt");
    expect_opt_str(b->text, "Police outside the court", "caption");
    expect_opt_str(b->credit.agency, "AFP", "agency");
    expect_opt_str(b->credit.photographer, NULL, "photographer");
    article_free(a);
}

Test(textformat, does_not_take_an_image_as_the_standfirst)
{
    struct article_error err;
    struct article *a = parse_str("Headline\n\nA picture caption [Jane Doe/AP]\n\nText.\n", &err);
    cr_assert_not_null(a);
    cr_expect_null(a->standfirst);
    cr_assert_eq(a->nbody, 2);
    cr_expect_eq(a->body[0].type, ARTICLE_IMAGE);
    cr_expect_eq(a->body[1].type, ARTICLE_PARAGRAPH);
    article_free(a);
}

/* ---- the other sample articles ---------------------------------------------------------- */

struct sample_case {
    const char *file, *id, *published;
    int64_t ts;
    size_t images, subheadings, nsource, ntags;
    const char *first_subheading;
};

Test(textformat, parses_each_sample_article_with_its_facts)
{
    static const struct sample_case cases[] = {
        {"data/articles/harbour-bridge-reopens.txt", "harbour-bridge-reopens", "2024-03-11T08:45:00Z",
         1710146700, 2, 2, 2, 4, "What the repair involved"},
        {"data/articles/central-bank-holds-rates.txt", "central-bank-holds-rates", "2025-10-08",
         1759881600, 0, 2, 1, 5, "Weak demand from abroad"},
        {"data/articles/river-cleanup-volunteers.txt", "river-cleanup-volunteers",
         "2024-09-22T06:00:00Z", 1726984800, 1, 4, 0, 5, "How a neighbourhood group grew"},
        {"data/articles/summit-talks-quotes.txt", "summit-talks-quotes", "2024-06-14", 1718323200, 0,
         1, 1, 5, "Spain watching closely"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct sample_case *c = &cases[k];
        struct article_error err;
        struct article *a = parse_file(c->file, &err);
        cr_expect_not_null(a, "%s: %s: %s", c->file, err.field, err.message);
        if (!a)
            continue;
        cr_expect_str_eq(err.warning, "", "%s: warning %s", c->file, err.warning);
        cr_expect_str_eq(a->id, c->id);
        expect_opt_str(a->published, c->published, c->file);
        cr_expect_eq(a->published_ts, c->ts, "%s: ts %lld", c->file, (long long)a->published_ts);
        cr_expect_eq(count_type(a, ARTICLE_IMAGE), c->images, "%s images", c->file);
        cr_expect_eq(count_type(a, ARTICLE_SUBHEADING), c->subheadings, "%s subheadings", c->file);
        cr_expect_eq(a->nsource, c->nsource, "%s sources", c->file);
        cr_expect_eq(a->ntags, c->ntags, "%s tags", c->file);
        cr_expect_not_null(a->standfirst, "%s standfirst", c->file);
        for (size_t i = 0; i < a->nbody; i++)
            if (a->body[i].type == ARTICLE_SUBHEADING) {
                cr_expect_str_eq(a->body[i].text, c->first_subheading, "%s", c->file);
                break;
            }
        article_free(a);
    }
}

Test(textformat, reads_both_credit_forms_of_the_harbour_bridge_images)
{
    struct article_error err;
    struct article *a = parse_file("data/articles/harbour-bridge-reopens.txt", &err);
    cr_assert_not_null(a);
    const struct article_block *img[2] = {NULL, NULL};
    size_t n = 0;
    for (size_t i = 0; i < a->nbody && n < 2; i++)
        if (a->body[i].type == ARTICLE_IMAGE)
            img[n++] = &a->body[i];
    cr_assert_eq(n, 2);
    expect_opt_str(img[0]->alt,
                   "A white cable-stayed bridge spans a harbour at dawn as a single bus crosses it",
                   "alt");
    expect_opt_str(img[0]->text,
                   "The first bus crosses the reopened Claddagh Harbour Bridge on Monday morning",
                   "caption");
    expect_opt_str(img[0]->credit.photographer, "Ciara Walsh", "photographer");
    expect_opt_str(img[0]->credit.agency, "Galway Bay Press", "agency");
    cr_expect_not(img[0]->credit.file);
    expect_opt_str(img[1]->alt, NULL, "alt");
    expect_opt_str(img[1]->credit.photographer, "Declan Ryan", "photographer");
    expect_opt_str(img[1]->credit.agency, "Galway Bay Press", "agency");
    expect_opt_str(img[1]->credit.distributor, "Reuters", "distributor");
    cr_expect(img[1]->credit.file);
    expect_opt_str(a->updated, "2024-03-11T14:20:00Z", "updated");
    expect_opt_str(a->url, "https://news.example.com/local/2024/3/11/galway-claddagh-harbour-bridge-reopens",
                   "url");
    article_free(a);
}

Test(textformat, keeps_short_quoted_lines_of_the_quotes_article_as_paragraphs)
{
    struct article_error err;
    struct article *a = parse_file("data/articles/summit-talks-quotes.txt", &err);
    cr_assert_not_null(a);
    bool seen = false;
    for (size_t i = 0; i < a->nbody; i++)
        if (strcmp(a->body[i].text, "\u201cI will be honest with you: on Wednesday night I thought "
                                    "we would all go home with nothing.\u201d") == 0) {
            seen = true;
            cr_expect_eq(a->body[i].type, ARTICLE_PARAGRAPH);
        }
    cr_expect(seen, "the one-line quote paragraph is missing");
    article_free(a);
}
