/* Findings of the fuzz targets (docs/fuzzing.md), one case each, minimised.
 *
 * fuzz/textformat: textformat_parse accepts articles that article_from_json
 * refuses, so the JSON document the write path stores (handlers/service.c
 * writes article_to_json of a text/plain PUT or POST) is skipped by the next
 * store_load, and a PATCH of such an article (mergepatch over article_to_json)
 * is refused for a field the client did not send. Each case must either be
 * refused by textformat_parse or survive the round trip through the stored
 * bytes unchanged.
 *
 * fuzz/extract: extract_html reads freed memory when the HTML parser nests the
 * <body> element inside <head> (after an unknown tag in the <title>):
 * body_pass finds body first, prepare() then frees the whole <head> subtree
 * (head is a strip tag), and score_paragraphs(body) walks the freed nodes.
 * ASan (make test-san) reports heap-use-after-free; the plain build may pass
 * or crash by chance.
 *
 * fuzz/jsondoc: article_from_json accepts an image credit that is only
 * {"file": true} (no text, photographer, agency or distributor) and keeps
 * credit.file = true with credit.text NULL; article_to_json writes such a
 * credit as null, so the flag is dropped from what is served and stored, and
 * the article read back is not the one accepted. */
#include "models/article.h"
#include "models/extract.h"
#include "models/store.h"
#include "models/textformat.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A new string: prefix, then n copies of c, then suffix. */
static char *
repeat(const char *prefix, char c, size_t n, const char *suffix)
{
    size_t lp = strlen(prefix), ls = strlen(suffix);
    char *s = malloc(lp + n + ls + 1);
    cr_assert_not_null(s);
    memcpy(s, prefix, lp);
    memset(s + lp, c, n);
    memcpy(s + lp + n, suffix, ls + 1);
    return s;
}

/* A new string: prefix, then n comma-separated items "tN", then suffix. */
static char *
items(const char *prefix, size_t n, const char *sep, const char *suffix)
{
    size_t cap = strlen(prefix) + strlen(suffix) + n * (12 + strlen(sep)) + 1;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t used = (size_t)snprintf(s, cap, "%s", prefix);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(s + used, cap - used, "%st%zu", i ? sep : "", i);
    snprintf(s + used, cap - used, "%s", suffix);
    return s;
}

/* Fails the test when text is accepted but its stored document is refused or
 * reads back as a different article. */
static void
expect_refused_or_round_trip(const char *name, const char *text)
{
    struct article_error err;
    struct article *a = textformat_parse(text, strlen(text), &err);
    if (!a)
        return; /* refused at the edge: fine */
    cJSON *doc = article_to_json(a);
    cr_assert_not_null(doc);
    char *bytes = cJSON_Print(doc);
    cr_assert_not_null(bytes);
    struct article *back = store_parse_json(bytes, strlen(bytes), &err);
    cr_expect_not_null(back,
                       "%s: textformat_parse accepts it, but its stored document is refused at %s: %s",
                       name, err.field, err.message);
    if (back) {
        cr_expect(article_equal(a, back), "%s: the stored document reads back differently", name);
        article_free(back);
    }
    free(bytes);
    cJSON_Delete(doc);
    article_free(a);
}

struct regression_case {
    const char *name;
    char *text;
};

Test(fuzz_regressions, a_plain_article_is_refused_or_survives_its_stored_json_document)
{
    struct regression_case cases[] = {
        /* crash-15d0f3b1 (fuzz/textformat, first minute): a control character */
        {"control character in the standfirst", strdup("Headline\n\nStand\001first.\n\nBody.\n")},
        {"control character in the headline", strdup("Head\033line\n\nStandfirst.\n\nBody.\n")},
        {"control character in a paragraph", strdup("Headline\n\nStandfirst.\n\nBo\001dy.\n")},
        {"control character in a tag", strdup("---\ntags: a\001b\n---\nHeadline\n\nBody.\n")},
        /* crash-fa6f5242: a bare credit line makes an image with an empty caption */
        {"image that is only a credit", strdup("Headline\n\nStandfirst.\n\n[Reuters]\n")},
        {"credit line right after the headline", strdup("o\n[D]")},
        /* the limits of the JSON document, which the plain format does not apply */
        {"headline of 501 bytes", repeat("", 'h', 501, "\n\nStandfirst.\n\nBody.\n")},
        {"tag of 101 bytes", repeat("---\ntags: ", 't', 101, "\n---\nHeadline\n\nBody.\n")},
        {"source of 201 bytes", repeat("Headline\n\nStandfirst.\n\nBody.\n\nSource: ", 's', 201,
                                       "\n")},
        {"section of 101 bytes", repeat("---\nsection: ", 's', 101, "\n---\nHeadline\n\nBody.\n")},
        {"byline of 301 bytes", repeat("---\nbyline: ", 'b', 301, "\n---\nHeadline\n\nBody.\n")},
        {"language of 36 bytes", repeat("---\nlanguage: ", 'l', 36, "\n---\nHeadline\n\nBody.\n")},
        {"standfirst of 4097 bytes", repeat("Headline\n\n", 's', 4097, "\n\nBody.\n")},
        {"paragraph of 65537 bytes", repeat("Headline\n\nStandfirst.\n\n", 'p', 65537, "\n")},
        {"51 tags", items("---\ntags: ", 51, ", ", "\n---\nHeadline\n\nBody.\n")},
        {"21 sources", items("Headline\n\nStandfirst.\n\nBody.\n\nSource: ", 21, ", ", "\n")},
        {"2001 body blocks", items("Headline\n\nStandfirst.\n\n", 2001, "\n\n", "\n")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert_not_null(cases[i].text);
        expect_refused_or_round_trip(cases[i].name, cases[i].text);
        free(cases[i].text);
    }
}

Test(fuzz_regressions, extract_survives_a_body_element_nested_in_the_head)
{
    static const char *const pages[] = {
        /* crash-a9af2b41 (fuzz/extract), minimised by libFuzzer */
        "<title>e<e><body",
        "<html><head><title>News<x></title><body><article><p>A paragraph long enough to be "
        "scored as article text, with commas, clauses, and more words than the minimum.</p>"
        "</article></body></html>",
    };
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        struct article_error err;
        struct article *a = extract_html(pages[i], strlen(pages[i]), NULL, NULL, &err);
        article_free(a); /* NULL (no article) or an article: either is fine, a crash is not */
    }
}

Test(fuzz_regressions, extract_reads_no_further_than_a_truncated_published_time)
{
    /* crash-0f206755 (fuzz/extract brief run): "T08:4" passed a sscanf check
     * and the parser stepped past the end of the attribute (heap overflow). */
    static const char page[] =
        "<html><head><title>Harbour bridge reopens</title>"
        "<meta property=\"article:published_time\" content=\"2024-03-11T08:4\"></head>"
        "<body><article><h1>Harbour bridge reopens</h1><p>The bridge is open to traffic again, "
        "the council said on Monday, after a year of repairs to its piers and deck.</p>"
        "</article></body></html>";
    struct article_error err;
    struct article *a = extract_html(page, strlen(page), NULL, NULL, &err);
    cr_assert_not_null(a, "%s", err.message);
    cr_expect_str_eq(a->published ? a->published : "(none)", "2024-03-11",
                     "the date without the broken time");
    article_free(a);
}

Test(fuzz_regressions, a_json_document_is_refused_or_survives_its_stored_form)
{
    static const char *const docs[] = {
        /* crash-6e3654eb (fuzz/jsondoc, after 5eb4b81), minimised by libFuzzer */
        "{\"headline\":\"e\",\"body\":[{\"type\":\"image\",\"caption\":\"3\","
        "\"credit\":{\"file\":true}}]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        struct article_error err;
        struct article *a = store_parse_json(docs[i], strlen(docs[i]), &err);
        if (!a)
            continue; /* refused: fine */
        cJSON *doc = article_to_json(a);
        cr_assert_not_null(doc);
        char *bytes = cJSON_Print(doc);
        cr_assert_not_null(bytes);
        struct article *back = store_parse_json(bytes, strlen(bytes), &err);
        cr_expect_not_null(back, "document %zu: its stored form is refused at %s: %s", i, err.field,
                           err.message);
        if (back)
            cr_expect(article_equal(a, back),
                      "document %zu: accepted, but stored and read back it is a different "
                      "article:\n%s",
                      i, bytes);
        article_free(back);
        free(bytes);
        cJSON_Delete(doc);
        article_free(a);
    }
}

Test(fuzz_regressions, extract_keeps_an_image_whose_own_class_says_credit)
{
    /* crash-89ad01bf (fuzz/extract, 10-minute run): an <img> whose class
     * matched the credit hints was taken for the figure's credit and removed
     * from the tree, then its alt text was read from the freed node. */
    static const char page[] =
        "<html><head><title>Harbour bridge reopens</title></head><body><article>"
        "<h1>Harbour bridge reopens</h1><p>The bridge is open to traffic again, the council said "
        "on Monday, after a year of repairs to its piers and deck.</p>"
        "<figure><img class=\"credit\" src=\"/img/bridge.jpg\" alt=\"The bridge at dawn\">"
        "<figcaption>The bridge at dawn</figcaption></figure>"
        "<p>Buses will use it first, the council said, and cars from the summer.</p>"
        "</article></body></html>";
    struct article_error err;
    struct article *a = extract_html(page, strlen(page), NULL, NULL, &err);
    cr_assert_not_null(a, "%s", err.message);
    bool image = false;
    for (size_t i = 0; i < a->nbody; i++)
        if (a->body[i].type == ARTICLE_IMAGE) {
            image = true;
            cr_expect_str_eq(a->body[i].alt ? a->body[i].alt : "(none)", "The bridge at dawn");
        }
    cr_expect(image, "the figure is an image block");
    article_free(a);
}
