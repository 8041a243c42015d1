/* extract: metadata, body blocks, boilerplate removal and charsets on pages
 * written for these tests. */
#include "models/extract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No xmlInitParser here: extract_html initialises libxml2 itself. */

/* A news page with everything around the article that must be left out. */
static const char news_page[] =
    "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
    "<title>Harbour bridge reopens after repairs | The Coastal Times</title>"
    "<meta property=\"og:title\" content=\"Harbour bridge reopens after two years of repairs\">"
    "<meta property=\"og:description\" content=\"The crossing carries 40,000 vehicles a day.\">"
    "<meta property=\"og:site_name\" content=\"The Coastal Times\">"
    "<link rel=\"canonical\" href=\"/news/2024/harbour-bridge-reopens\">"
    "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@graph\":["
    "{\"@type\":\"WebSite\",\"name\":\"Coastal\"},"
    "{\"@type\":\"NewsArticle\",\"headline\":\"Bridge reopens\","
    "\"datePublished\":\"2024-03-05T09:30:00.000+0100\","
    "\"author\":[{\"@type\":\"Person\",\"name\":\"Mara Quist\"},{\"@type\":\"Person\","
    "\"name\":\"Tomas Reyes\"}],\"publisher\":{\"@type\":\"Organization\",\"name\":\"CT\"}}]}"
    "</script><script>var tracking = 'NOT ARTICLE TEXT';</script>"
    "<style>.x{color:red}</style></head><body>"
    "<header class=\"site-header\"><a href=\"/\">The Coastal Times</a>"
    "<nav><ul><li><a href=\"/news\">News navigation link</a></li><li><a href=\"/sport\">Sport "
    "navigation link</a></li><li><a href=\"/weather\">Weather navigation link</a></li></ul></nav>"
    "</header>"
    "<div class=\"ad-slot\" id=\"ad-top\"><p>Advertisement: buy our sponsored widgets today, "
    "great deals on everything you never needed.</p></div>"
    "<main><article class=\"story\">"
    "<h1>Harbour bridge reopens after two years of repairs</h1>"
    "<div class=\"share-bar\"><a href=\"#\">Share on social</a><a href=\"#\">Tweet this</a></div>"
    "<div class=\"story-body\">"
    "<p>The harbour bridge reopened to traffic on Tuesday morning, two years after engineers "
    "closed it over fears that its steel cables had corroded beyond repair.</p>"
    "<p>Crowds gathered on both banks to watch the first cars cross, and the mayor, who cut a "
    "ribbon at the northern end, said the town had waited long enough.</p>"
    "<figure><img src=\"/img/bridge.jpg\" alt=\"Cars crossing the bridge\">"
    "<figcaption>The first cars cross the bridge on Tuesday. <span class=\"credit\">Photo: "
    "Ana Lind/Coastal Press</span></figcaption></figure>"
    "<h2>A costly repair</h2>"
    "<p>The repairs cost 48 million euros, twice the first estimate, because divers found more "
    "damage below the waterline than the surveys had shown, the council said.</p>"
    "<blockquote><p>We rebuilt it to last another hundred years, whatever the sea does.</p>"
    "</blockquote>"
    "<p>Works on the approach roads will continue until the summer, with one lane closed at "
    "night, and cyclists will get a separate path from June.</p>"
    "<ul><li>Tolls stay at two euros for cars, as they were before the closure.</li>"
    "<li>Lorries over 40 tonnes remain banned until the load tests are finished.</li></ul>"
    "</div>"
    "<div class=\"related-stories\"><h3>Related stories</h3><ul>"
    "<li><a href=\"/a\">Ferry operator cuts winter timetable</a></li>"
    "<li><a href=\"/b\">Council approves new harbour wall</a></li>"
    "<li><a href=\"/c\">Fishing fleet returns early</a></li></ul></div>"
    "</article></main>"
    "<section id=\"comments\" class=\"comments\"><h3>Comments</h3>"
    "<div class=\"comment\"><p>First comment text, which is long enough to be scored as a "
    "paragraph, really it is, with commas, and more commas.</p></div></section>"
    "<aside class=\"sidebar\"><p>Most read sidebar story about something else entirely, long "
    "enough to count, with a comma or two, as a paragraph.</p></aside>"
    "<footer><p>Copyright The Coastal Times footer text. All rights reserved.</p></footer>"
    "</body></html>";

static struct article *
extract(const char *html, size_t len, const char *url, const char *charset)
{
    struct article_error err = {0};
    struct article *a = extract_html(html, len, url, charset, &err);
    cr_assert_not_null(a, "extract_html refused: %s %s", err.field, err.message);
    return a;
}

/* All paragraph and subheading text, one block a line. */
static char *
body_text(const struct article *a)
{
    size_t n = 1;
    for (size_t i = 0; i < a->nbody; i++)
        n += a->body[i].text ? strlen(a->body[i].text) + 1 : 0;
    char *s = calloc(1, n);
    cr_assert_not_null(s);
    for (size_t i = 0; i < a->nbody; i++)
        if (a->body[i].type != ARTICLE_IMAGE && a->body[i].text) {
            strcat(s, a->body[i].text);
            strcat(s, "\n");
        }
    return s;
}

Test(extract, reads_the_metadata_of_a_news_page)
{
    struct article *a =
        extract(news_page, sizeof news_page - 1,
                "https://coastal.example/news/2024/harbour-bridge-reopens?ref=x", NULL);
    cr_expect_str_eq(a->headline, "Harbour bridge reopens after two years of repairs");
    cr_expect_str_eq(a->slug, "harbour-bridge-reopens-after-two-years-of-repairs");
    cr_expect_str_eq(a->id, a->slug);
    cr_expect_str_eq(a->standfirst, "The crossing carries 40,000 vehicles a day.");
    cr_expect_str_eq(a->byline, "Mara Quist, Tomas Reyes");
    cr_expect_str_eq(a->published, "2024-03-05T09:30:00+01:00");
    cr_expect_eq(a->published_ts, 1709627400);
    cr_expect_str_eq(a->url, "https://coastal.example/news/2024/harbour-bridge-reopens");
    cr_assert_eq(a->nsource, 1);
    cr_expect_str_eq(a->source[0], "The Coastal Times");
    cr_expect_str_eq(a->language, "en-GB");
    article_free(a);
}

Test(extract, keeps_the_article_body_as_typed_blocks)
{
    struct article *a = extract(news_page, sizeof news_page - 1, NULL, NULL);
    static const struct {
        enum article_block_type type;
        const char *start;
    } want[] = {
        {ARTICLE_PARAGRAPH, "The harbour bridge reopened to traffic"},
        {ARTICLE_PARAGRAPH, "Crowds gathered on both banks"},
        {ARTICLE_IMAGE, "The first cars cross the bridge on Tuesday."},
        {ARTICLE_SUBHEADING, "A costly repair"},
        {ARTICLE_PARAGRAPH, "The repairs cost 48 million euros"},
        {ARTICLE_PARAGRAPH, "We rebuilt it to last"},
        {ARTICLE_PARAGRAPH, "Works on the approach roads"},
        {ARTICLE_PARAGRAPH, "Tolls stay at two euros"},
        {ARTICLE_PARAGRAPH, "Lorries over 40 tonnes"},
    };
    cr_assert_eq(a->nbody, sizeof want / sizeof *want, "%zu blocks", a->nbody);
    for (size_t i = 0; i < a->nbody; i++) {
        cr_expect_eq(a->body[i].type, want[i].type, "block %zu type", i);
        cr_expect(a->body[i].text &&
                      strncmp(a->body[i].text, want[i].start, strlen(want[i].start)) == 0,
                  "block %zu: %s", i, a->body[i].text);
    }
    const struct article_block *img = &a->body[2];
    cr_expect_str_eq(img->text, "The first cars cross the bridge on Tuesday.");
    cr_expect_str_eq(img->alt, "Cars crossing the bridge");
    cr_expect_str_eq(img->credit.text, "Photo: Ana Lind/Coastal Press");
    article_free(a);
}

Test(extract, leaves_out_navigation_ads_comments_related_links_and_footers)
{
    struct article *a = extract(news_page, sizeof news_page - 1, NULL, NULL);
    char *text = body_text(a);
    static const char *const absent[] = {
        "navigation link",
        "Advertisement",
        "Share on social",
        "Related stories",
        "Ferry operator",
        "First comment",
        "Most read",
        "Copyright",
        "NOT ARTICLE",
        "color:red",
        "Harbour bridge reopens after two years",
    };
    for (size_t k = 0; k < sizeof absent / sizeof *absent; k++)
        cr_expect_null(strstr(text, absent[k]), "`%s` in the body:\n%s", absent[k], text);
    free(text);
    article_free(a);
}

/* "Café à l'élysée: grève générale" and a paragraph in ISO-8859-1 bytes. */
#define LATIN1_HEADLINE                                                                            \
    "Caf\xe9 \xe0 l'\xc9lys\xe9"                                                                   \
    "e: gr\xe8ve g\xe9n\xe9rale"
#define LATIN1_BODY                                                                                \
    "<p>Les syndicats ont appel\xe9 \xe0 une gr\xe8ve g\xe9n\xe9rale jeudi, et les transports "    \
    "seront tr\xe8s perturb\xe9s dans toute la r\xe9gion, a pr\xe9venu la pr\xe9"                  \
    "fecture.</p>"                                                                                 \
    "<p>\xab Nous ne c\xe9"                                                                        \
    "derons pas \xbb, a d\xe9"                                                                     \
    "clar\xe9 la secr\xe9taire g\xe9n\xe9rale "                                                    \
    "devant le si\xe8ge, o\xf9 des centaines de manifestants s'\xe9taient rassembl\xe9s.</p>"
#define UTF8_HEADLINE "Caf\u00e9 \u00e0 l'\u00c9lys\u00e9e: gr\u00e8ve g\u00e9n\u00e9rale"

static const char latin1_declared[] =
    "<html><head><title>" LATIN1_HEADLINE "</title></head><body><article>" LATIN1_BODY
    "</article></body></html>";
static const char latin1_meta[] =
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">"
    "<title>" LATIN1_HEADLINE "</title></head><body><article>" LATIN1_BODY
    "</article></body></html>";
static const char latin1_meta_charset[] =
    "<html><head><meta charset=\"windows-1252\"><title>" LATIN1_HEADLINE
    "</title></head><body><article>" LATIN1_BODY "</article></body></html>";

Test(extract, decodes_latin1_by_the_declared_charset_the_meta_tag_or_detection)
{
    static const struct {
        const char *html, *charset, *what;
        size_t len;
    } cases[] = {
        {latin1_declared, "ISO-8859-1", "bare charset name", sizeof latin1_declared - 1},
        {latin1_declared, "text/html; charset=iso-8859-1", "Content-Type value",
         sizeof latin1_declared - 1},
        {latin1_meta, NULL, "http-equiv", sizeof latin1_meta - 1},
        {latin1_meta_charset, NULL, "meta charset", sizeof latin1_meta_charset - 1},
        {latin1_declared, NULL, "detection", sizeof latin1_declared - 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct article *a = extract(cases[k].html, cases[k].len, NULL, cases[k].charset);
        cr_expect_str_eq(a->headline, UTF8_HEADLINE, "%s", cases[k].what);
        cr_expect_str_eq(a->slug, "cafe-a-lelysee-greve-generale", "%s", cases[k].what);
        cr_assert_geq(a->nbody, 2, "%s", cases[k].what);
        cr_expect_str_eq(a->body[1].text,
                         "\u00ab Nous ne c\u00e9"
                         "derons pas \u00bb, a d\u00e9"
                         "clar\u00e9 la "
                         "secr\u00e9taire g\u00e9n\u00e9rale devant le si\u00e8ge, o\u00f9 des "
                         "centaines de manifestants s'\u00e9taient rassembl\u00e9s.",
                         "%s", cases[k].what);
        article_free(a);
    }
}

Test(extract, reads_a_page_that_claims_utf16_in_a_meta_tag_as_utf8)
{
    static const char page[] = "<html><head><meta charset=\"utf-16\"><title>" UTF8_HEADLINE
                               "</title></head><body><p>Un paragraphe assez long pour compter "
                               "dans le score, avec des virgules, beaucoup.</p></body></html>";
    struct article *a = extract(page, sizeof page - 1, NULL, NULL);
    cr_expect_str_eq(a->headline, UTF8_HEADLINE);
    article_free(a);
}

Test(extract, the_declared_charset_wins_over_the_meta_tag)
{
    /* UTF-8 bytes under a page that claims Latin-1: the header is right. */
    static const char page[] = "<html><head><meta charset=\"iso-8859-1\"><title>" UTF8_HEADLINE
                               "</title></head><body><p>Un paragraphe assez long pour compter "
                               "dans le score, avec des virgules, beaucoup.</p></body></html>";
    struct article *a = extract(page, sizeof page - 1, NULL, "utf-8");
    cr_expect_str_eq(a->headline, UTF8_HEADLINE);
    article_free(a);
}

static const char og_page[] =
    "<html><head><title>Ignored title | Site</title>"
    "<meta property=\"og:title\" content=\"  Night trains return to the valley  \">"
    "<meta property=\"og:description\" content=\"Two routes restart in May.\">"
    "<meta property=\"og:site_name\" content=\"Valley Post\">"
    "<meta property=\"og:url\" content=\"https://valley.example/trains\">"
    "<meta property=\"article:published_time\" content=\"2023-11-02\">"
    "<meta name=\"author\" content=\"Ines Berg\"></head><body>"
    "<div><div>Night trains will run again between the valley towns from May, the rail operator "
    "said on Thursday, ending a gap of eleven years.</div>"
    "<div>Tickets go on sale in March, and the operator expects the sleepers to fill quickly, "
    "as the day trains already do on weekends.</div></div></body></html>";

Test(extract, takes_the_metadata_from_open_graph_alone)
{
    struct article *a = extract(og_page, sizeof og_page - 1, NULL, NULL);
    cr_expect_str_eq(a->headline, "Night trains return to the valley");
    cr_expect_str_eq(a->standfirst, "Two routes restart in May.");
    cr_expect_str_eq(a->url, "https://valley.example/trains");
    cr_expect_str_eq(a->published, "2023-11-02");
    cr_expect_str_eq(a->byline, "Ines Berg");
    cr_assert_eq(a->nsource, 1);
    cr_expect_str_eq(a->source[0], "Valley Post");
    cr_assert_eq(a->nbody, 2, "text-only divs are paragraphs");
    cr_expect(strncmp(a->body[0].text, "Night trains will run again", 27) == 0);
    article_free(a);
}

static void *
extract_news_page(void *arg)
{
    struct article_error err;
    *(struct article **)arg = extract_html(news_page, sizeof news_page - 1, NULL, NULL, &err);
    return NULL;
}

Test(extract, extracts_on_several_threads_at_once_as_the_first_use_of_libxml2)
{
    pthread_t t[4];
    struct article *a[4];
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, extract_news_page, &a[i]), 0);
    for (size_t i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_not_null(a[i], "thread %zu", i);
        cr_expect_str_eq(a[i]->headline, "Harbour bridge reopens after two years of repairs");
        cr_expect(article_equal(a[i], a[0]), "thread %zu got the same article", i);
    }
    for (size_t i = 0; i < 4; i++)
        article_free(a[i]);
}

Test(extract, takes_the_headline_from_the_title_without_the_site_name)
{
    static const char page[] =
        "<html><head><title>Storm closes mountain pass for the week - Alpine News</title>"
        "</head><body><p>The pass will stay closed until Sunday, the roads office said, after "
        "snow drifts of three metres buried the upper bends.</p></body></html>";
    struct article *a = extract(page, sizeof page - 1, "https://alpine.example/storm", NULL);
    cr_expect_str_eq(a->headline, "Storm closes mountain pass for the week");
    cr_expect_str_eq(a->url, "https://alpine.example/storm");
    cr_expect_null(a->published);
    article_free(a);
}

Test(extract, normalises_publication_dates_or_leaves_them_out)
{
    static const struct {
        const char *in, *out; /* out NULL: left out */
    } cases[] = {
        {"2024-03-05T09:30:00Z", "2024-03-05T09:30:00Z"},
        {"2024-03-05T09:30:00.123Z", "2024-03-05T09:30:00Z"},
        {"2024-03-05T09:30:00+0100", "2024-03-05T09:30:00+01:00"},
        {"2024-03-05T09:30-05:00", "2024-03-05T09:30:00-05:00"},
        {"2024-03-05T09:30:00", "2024-03-05"}, /* no zone: the date alone */
        {"2024-03-05 09:30:00 +02:00", "2024-03-05"},
        {"2024-03-05", "2024-03-05"},
        {"2024-02-30T10:00:00Z", NULL},
        {"March 5, 2024", NULL},
        {"", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char page[1024];
        snprintf(page, sizeof page,
                 "<html><head><title>Dated page headline</title>"
                 "<meta property=\"article:published_time\" content=\"%s\"></head><body>"
                 "<p>Enough text for the body to be found, with a comma, and another one.</p>"
                 "</body></html>",
                 cases[k].in);
        struct article *a = extract(page, strlen(page), NULL, NULL);
        if (cases[k].out)
            cr_expect(a->published && strcmp(a->published, cases[k].out) == 0, "%s -> %s",
                      cases[k].in, a->published);
        else
            cr_expect_null(a->published, "%s -> %s", cases[k].in, a->published);
        article_free(a);
    }
}

Test(extract, refuses_empty_and_broken_pages_with_a_reason)
{
    static const struct {
        const char *html;
        size_t len;
        const char *field;
    } cases[] = {
        {"", 0, ""},
        {"\x00\x01\x02\xff\xfe", 5, ""},
        {"<html><body></body></html>", 26, "/headline"},
        {"<<<>>><p <div", 13, "/headline"},
        {"<html><head><title>A headline only</title></head><body><nav><a href=/>Home</a></nav>"
         "</body></html>",
         98, "/body"},
        {"<title>!!! ---</title><p>Some text that is here.</p>", 52, "/headline"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct article_error err = {0};
        struct article *a = extract_html(cases[k].html, cases[k].len, NULL, NULL, &err);
        cr_expect_null(a, "case %zu extracted", k);
        article_free(a);
        cr_expect_str_eq(err.field, cases[k].field, "case %zu: %s", k, err.message);
        cr_expect_neq(err.message[0], '\0', "case %zu has a message", k);
    }
}

/* Deep trees: within libxml2's depth limit the text is found; past it the page
 * is refused with a reason, never a crash. */
Test(extract, survives_unclosed_tags_and_deep_nesting)
{
    static const struct {
        int depth;
        bool found;
    } cases[] = {{200, true}, {5000, false}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t cap = 256 + (size_t)cases[k].depth * 5;
        char *page = malloc(cap);
        cr_assert_not_null(page);
        strcpy(page, "<html><head><title>Deep page headline</title></head><body>");
        for (int i = 0; i < cases[k].depth; i++)
            strcat(page, "<div>");
        strcat(page, "<p>Text at the bottom of a deep tree, with commas, to be scored<p>and an "
                     "unclosed paragraph");
        struct article_error err = {0};
        struct article *a = extract_html(page, strlen(page), NULL, NULL, &err);
        free(page);
        cr_expect_eq(a != NULL, cases[k].found, "depth %d: %s", cases[k].depth, err.message);
        if (a)
            cr_expect_str_eq(a->body[0].text,
                             "Text at the bottom of a deep tree, with commas, to be scored");
        else
            cr_expect_str_eq(err.field, "/body");
        article_free(a);
    }
}

/* Charsets other than UTF-8 and Windows-1252 go through libxml2's converters. */
Test(extract, decodes_other_charsets_named_in_the_page)
{
    /* "Новости 2024: мост открыт" and its paragraph in Windows-1251. */
    static const char page[] =
        "<html><head><meta charset=\"windows-1251\"><title>\xcd\xee\xe2\xee\xf1\xf2\xe8 2024: "
        "\xec\xee\xf1\xf2 \xee\xf2\xea\xf0\xfb\xf2</title></head><body><p>\xcc\xee\xf1\xf2 "
        "\xf1\xed\xee\xe2\xe0 \xee\xf2\xea\xf0\xfb\xf2, \xf1\xee\xee\xe1\xf9\xe8\xeb\xe8 \xe2 "
        "\xec\xfd\xf0\xe8\xe8 \xe2\xee \xe2\xf2\xee\xf0\xed\xe8\xea.</p></body></html>";
    struct article *a = extract(page, sizeof page - 1, NULL, NULL);
    cr_expect_str_eq(a->headline, "\u041d\u043e\u0432\u043e\u0441\u0442\u0438 2024: "
                                  "\u043c\u043e\u0441\u0442 \u043e\u0442\u043a\u0440\u044b\u0442");
    cr_assert_eq(a->nbody, 1);
    cr_expect_str_eq(a->body[0].text,
                     "\u041c\u043e\u0441\u0442 \u0441\u043d\u043e\u0432\u0430 "
                     "\u043e\u0442\u043a\u0440\u044b\u0442, \u0441\u043e\u043e\u0431\u0449\u0438"
                     "\u043b\u0438 \u0432 \u043c\u044d\u0440\u0438\u0438 \u0432\u043e "
                     "\u0432\u0442\u043e\u0440\u043d\u0438\u043a.");
    article_free(a);
}

Test(extract, keeps_embedded_posts_and_drops_link_lists_and_stray_captions_inside_the_article)
{
    static const char page[] =
        "<html><head><title>Slogan draws mockery online</title>"
        "<meta name=\"author\" content=\"Ana Lind\"></head><body><article>"
        "<p>By Ana Lind - 11/18/19 10:04 PM</p>"
        "<p>The state's new slogan for its campaign drew attention on social media on Monday, "
        "and not the kind that its authors had hoped for.</p>"
        "<div class=\"social-media-embed\"><blockquote class=\"twitter-tweet\"><p>Yes this is "
        "real and the state spent half a million on it <a href=\"https://t.example/x\">"
        "https://t.example/x</a></p></blockquote></div>"
        "<p><a href=\"/a\">Read more: the other campaigns</a></p>"
        "<div class=\"image-caption\">A billboard on the interstate. Photo: State office</div>"
        "<p>The governor defended the campaign, saying that it had people talking about a "
        "problem that the state could no longer ignore.</p>"
        "</article></body></html>";
    struct article *a = extract(page, sizeof page - 1, NULL, NULL);
    char *text = body_text(a);
    cr_expect_not_null(strstr(text, "Yes this is real"), "%s", text);
    cr_expect_null(strstr(text, "Read more"), "%s", text);
    cr_expect_null(strstr(text, "billboard"), "%s", text);
    cr_expect_null(strstr(text, "By Ana Lind"), "%s", text);
    cr_expect_not_null(strstr(text, "The governor defended"), "%s", text);
    free(text);
    article_free(a);
}

/* Found by fuzz/extract: a page whose <body> is nested where the preparation
 * pass strips it; the body used to be looked up before that pass and then read
 * after it was freed. Under ASan this test fails if that comes back. */
Test(extract, survives_a_page_whose_body_the_preparation_removes)
{
    FILE *f = fopen("tests/fixtures/fuzz/extract-body-removed.html", "rb");
    cr_assert_not_null(f);
    static char html[1 << 16];
    size_t n = fread(html, 1, sizeof html, f);
    fclose(f);
    struct article_error err = {0};
    struct article *a = extract_html(html, n, NULL, NULL, &err);
    cr_assert(a || err.message[0], "refused with a reason, or extracted");
    article_free(a);
}

/* An image block needs a caption: an uncaptioned image takes its alt text, or
 * is left out; either way the article can be stored and read back. */
Test(extract, keeps_uncaptioned_images_storable)
{
    static const char page[] =
        "<html><head><title>Harbour wall repaired</title></head><body><article>"
        "<h1>Harbour wall repaired</h1>"
        "<figure><img src=\"/a.jpg\" alt=\"The new harbour wall at dusk\"></figure>"
        "<p>The harbour wall that collapsed in the January storm has been rebuilt, the council "
        "said on Thursday, two months ahead of the date it had given residents.</p>"
        "<figure><img src=\"/b.jpg\"></figure>"
        "<p>Fishing boats will be able to moor along the whole length of the wall again from "
        "next week, and the slipway reopens on Saturday morning.</p>"
        "</article></body></html>";
    struct article_error err = {0};
    struct article *a = extract_html(page, sizeof page - 1, NULL, NULL, &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    size_t images = 0;
    for (size_t i = 0; i < a->nbody; i++)
        if (a->body[i].type == ARTICLE_IMAGE) {
            images++;
            cr_expect(a->body[i].text && a->body[i].text[0], "every image has a caption");
        }
    cr_expect_leq(images, 1, "the image with neither caption nor alt is left out");
    cJSON *doc = article_to_json(a);
    struct article *back = article_from_json(doc, &err);
    cr_expect_not_null(back, "the stored document reads back: %s %s", err.field, err.message);
    article_free(back);
    cJSON_Delete(doc);
    article_free(a);
}
