/* The annotator end to end on the seed article, data/articles/kim-visits-china.txt,
 * asserting every expectation of issue 3 ("The seed, exactly") through the JSON
 * the API publishes: the seed is parsed by models/textformat.c and annotated as
 * the catalog annotates every article it loads. */
#include "models/annotate/annotate.h"

#include "models/catalog.h"
#include "models/textformat.h"
#include "models/utf8.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED "data/articles/kim-visits-china.txt"

static struct annotator *annotator;
static struct catalog *snap;
static const struct annotations *an;
static cJSON *json;

/* Parses the seed with the plain-format parser and annotates it as the
 * catalog does for every article it serves. */
static void
setup(void)
{
    const char *err = NULL;
    annotator = annotator_new(&err);
    cr_assert_not_null(annotator, "annotator_new: %s", err ? err : "?");
    FILE *f = fopen(SEED, "rb");
    cr_assert_not_null(f, "cannot open %s (run the tests from the repository root)", SEED);
    char *seed = malloc(1 << 16);
    cr_assert_not_null(seed);
    size_t n = fread(seed, 1, 1 << 16, f);
    fclose(f);
    struct article_error perr;
    struct article *a = textformat_parse(seed, n, &perr);
    free(seed);
    cr_assert_not_null(a, "%s: %s", perr.field, perr.message);
    /* The seed has no front matter; a publication date anchors the date values. */
    a->published = strdup("2019-01-09");
    snap = catalog_build(&a, 1, annotator, NULL, 1);
    cr_assert_not_null(snap);
    an = snap->entries[0]->annotations;
    json = annotations_to_json(an);
    cr_assert_not_null(json);
}

static void
teardown(void)
{
    cJSON_Delete(json);
    catalog_release(snap);
    annotator_free(annotator);
}

TestSuite(annotate, .init = setup, .fini = teardown);

static cJSON *
get(const cJSON *o, const char *name)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    cr_assert_not_null(v, "no \"%s\"", name);
    return v;
}

static const cJSON *
entity_by_name(const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, get(json, "entities"))
    {
        if (strcmp(get(e, "name")->valuestring, name) == 0)
            return e;
    }
    return NULL;
}

static bool
has_mention(const cJSON *entity, const char *text)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, get(entity, "mentions"))
    {
        if (strcmp(get(m, "text")->valuestring, text) == 0)
            return true;
    }
    return false;
}

static void
expect_entity(const char *name, const char *type, const char *const *mentions)
{
    const cJSON *e = entity_by_name(name);
    cr_assert_not_null(e, "no entity named %s", name);
    cr_assert_str_eq(get(e, "type")->valuestring, type, "%s", name);
    for (size_t i = 0; mentions[i]; i++)
        cr_assert(has_mention(e, mentions[i]), "%s has no mention \"%s\"", name, mentions[i]);
}

Test(annotate, finds_exactly_the_people_of_the_seed)
{
    static const char *const people[] = {"Kim Jong Un",      "Xi Jinping",  "Donald Trump",
                                         "Ri Sol Ju",        "Moon Jae-in", "Divya Gopalan",
                                         "Christopher Hill", NULL};
    const cJSON *e;
    size_t n = 0;
    cJSON_ArrayForEach(e, get(json, "entities"))
    {
        if (strcmp(get(e, "type")->valuestring, "person") != 0)
            continue;
        bool known = false;
        for (size_t i = 0; people[i]; i++)
            known = known || strcmp(people[i], get(e, "name")->valuestring) == 0;
        cr_assert(known, "unexpected person %s", get(e, "name")->valuestring);
        n++;
    }
    cr_assert_eq(n, 7);
}

Test(annotate, merges_the_short_forms_of_people)
{
    expect_entity("Kim Jong Un", "person",
                  (const char *const[]){"Kim Jong Un", "Kim Jong-un", "Kim", NULL});
    expect_entity("Xi Jinping", "person", (const char *const[]){"Xi Jinping", "Xi", NULL});
    expect_entity("Donald Trump", "person", (const char *const[]){"Donald Trump", "Trump", NULL});
    expect_entity("Christopher Hill", "person",
                  (const char *const[]){"Christopher Hill", "Hill", NULL});
    expect_entity("Divya Gopalan", "person",
                  (const char *const[]){"Divya Gopalan", "Gopalan", NULL});
    expect_entity("Ri Sol Ju", "person", (const char *const[]){"Ri Sol Ju", NULL});
    expect_entity("Moon Jae-in", "person", (const char *const[]){"Moon Jae-in", NULL});
    cr_assert_str_eq(get(entity_by_name("Kim Jong Un"), "id")->valuestring, "kim-jong-un");
}

Test(annotate, finds_the_places_of_the_seed)
{
    const char *const none[] = {NULL};
    expect_entity("China", "place", none);
    expect_entity("North Korea", "place",
                  (const char *const[]){"North Korea", "North Korean", NULL});
    expect_entity("Beijing", "place", none);
    expect_entity("United States", "place", (const char *const[]){"US", NULL});
    expect_entity("Vietnam", "place", none);
    expect_entity("Singapore", "place", none);
    expect_entity("Hong Kong", "place", none);
    expect_entity("South Korea", "place", (const char *const[]){"South Korean", NULL});
    expect_entity("Korean Peninsula", "place", none);
    expect_entity("Washington", "place", none);
    expect_entity("Pyongyang", "place", none);
    cr_assert_str_eq(get(entity_by_name("United States"), "id")->valuestring, "united-states");
}

Test(annotate, finds_the_organisations_of_the_seed)
{
    expect_entity("Korean Central News Agency", "organisation",
                  (const char *const[]){"KCNA", NULL});
    expect_entity("Al Jazeera", "organisation", (const char *const[]){"Al Jazeera", NULL});
}

Test(annotate, leaves_photo_credits_out_of_the_text)
{
    cr_assert_null(entity_by_name("Jason Lee"));
    cr_assert_null(entity_by_name("Thomas Peter"));
    cr_assert_null(entity_by_name("Ju Peng"));
}

struct quote_case {
    const char *prefix;  /* start of the quote's text, after the opening mark */
    const char *speaker; /* canonical name of the speaker */
};

static const struct quote_case seed_quotes[] = {
    {"What’s interesting about Kim’s visits", "Divya Gopalan"},
    {"So this time it seems", "Divya Gopalan"},
    {"China, of course, wants", "Divya Gopalan"},
    {"Involving China would be", "Divya Gopalan"},
    {"He was warmly seen off", "Korean Central News Agency"},
    {"no option but to explore a new path", "Kim Jong Un"},
    {"miscalculates our people’s patience", "Kim Jong Un"},
    {"With the Trump administration", "Christopher Hill"},
    {"So I think this is China’s effort", "Christopher Hill"},
    {"Are the Chinese going to", "Christopher Hill"},
};

Test(annotate, attributes_every_seed_quote_to_its_speaker)
{
    for (size_t c = 0; c < sizeof seed_quotes / sizeof seed_quotes[0]; c++) {
        const cJSON *q, *found = NULL;
        cJSON_ArrayForEach(q, get(json, "quotes"))
        {
            const char *t = get(q, "text")->valuestring;
            /* skip the opening mark (3 bytes for “) */
            if (strncmp(t + 3, seed_quotes[c].prefix, strlen(seed_quotes[c].prefix)) == 0)
                found = q;
        }
        cr_assert_not_null(found, "no quote \"%s\"", seed_quotes[c].prefix);
        const cJSON *sp = get(found, "speaker");
        cr_assert(cJSON_IsObject(sp), "quote \"%s\" has no speaker", seed_quotes[c].prefix);
        cr_assert_str_eq(get(sp, "name")->valuestring, seed_quotes[c].speaker, "quote \"%s\"",
                         seed_quotes[c].prefix);
        const cJSON *e = entity_by_name(seed_quotes[c].speaker);
        cr_assert_str_eq(get(sp, "entity")->valuestring, get(e, "id")->valuestring);
        cr_assert(cJSON_IsObject(get(sp, "mention")));
    }
    cr_assert_eq(cJSON_GetArraySize(get(json, "quotes")), 10);
}

Test(annotate, reports_pronoun_speakers_as_written)
{
    const cJSON *q;
    size_t she = 0;
    cJSON_ArrayForEach(q, get(json, "quotes"))
    {
        const cJSON *m = get(get(q, "speaker"), "mention");
        if (strcmp(get(m, "text")->valuestring, "she") == 0) {
            she++;
            cr_assert_str_eq(get(get(q, "speaker"), "name")->valuestring, "Divya Gopalan");
        }
    }
    cr_assert_geq(she, 2);
}

/* Every span's text is the block's text at its code-point offsets. */
static void
check_span(const cJSON *s)
{
    const cJSON *blks = get(json, "blocks");
    int b = get(s, "block")->valueint, start = get(s, "start")->valueint,
        end = get(s, "end")->valueint;
    cr_assert(b >= 0 && b < cJSON_GetArraySize(blks));
    const char *text = get(cJSON_GetArrayItem(blks, b), "text")->valuestring;
    size_t len = strlen(text);
    size_t bs = utf8_byte_offset(text, len, (size_t)start),
           be = utf8_byte_offset(text, len, (size_t)end);
    const char *want = get(s, "text")->valuestring;
    cr_assert_eq(be - bs, strlen(want), "span \"%s\" at %d..%d of block %d", want, start, end, b);
    cr_assert_eq(memcmp(text + bs, want, be - bs), 0, "span \"%s\" at %d..%d of block %d", want,
                 start, end, b);
}

Test(annotate, gives_code_point_offsets_that_match_the_text)
{
    const cJSON *e, *m, *q, *d;
    size_t spans = 0;
    cJSON_ArrayForEach(e, get(json, "entities"))
    {
        cJSON_ArrayForEach(m, get(e, "mentions"))
        {
            check_span(m);
            spans++;
        }
    }
    cJSON_ArrayForEach(q, get(json, "quotes"))
    {
        check_span(q);
        const cJSON *sp = get(q, "speaker");
        if (cJSON_IsObject(sp))
            check_span(get(sp, "mention"));
        spans++;
    }
    cJSON_ArrayForEach(d, get(json, "dates"))
    {
        check_span(d);
        spans++;
    }
    cr_assert_gt(spans, 100);
}

Test(annotate, lists_blocks_in_reading_order_with_kinds)
{
    const cJSON *blks = get(json, "blocks");
    /* headline, standfirst, every body block, and the one image with alt text */
    cr_assert_eq((size_t)cJSON_GetArraySize(blks), 2 + snap->entries[0]->article->nbody + 1);
    const cJSON *b0 = cJSON_GetArrayItem(blks, 0);
    cr_assert_str_eq(get(b0, "kind")->valuestring, "headline");
    cr_assert_eq(get(b0, "index")->valueint, 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(b0, "body_index"));
    cr_assert_str_eq(get(cJSON_GetArrayItem(blks, 1), "kind")->valuestring, "standfirst");
    cr_assert_str_eq(get(cJSON_GetArrayItem(blks, 2), "kind")->valuestring, "alt");
    cr_assert_str_eq(get(cJSON_GetArrayItem(blks, 3), "kind")->valuestring, "caption");
    cr_assert_eq(get(cJSON_GetArrayItem(blks, 3), "body_index")->valueint, 0);
    size_t subheadings = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, blks)
    {
        if (strcmp(get(b, "kind")->valuestring, "subheading") == 0) {
            subheadings++;
            cr_assert_str_eq(get(b, "text")->valuestring, "China’s role");
        }
    }
    cr_assert_eq(subheadings, 1);
}

Test(annotate, resolves_dates_against_the_publication_date)
{
    const cJSON *d;
    bool tuesday = false;
    cJSON_ArrayForEach(d, get(json, "dates"))
    {
        if (strcmp(get(d, "text")->valuestring, "Tuesday") == 0) {
            tuesday = true;
            cr_assert_str_eq(get(d, "value")->valuestring, "2019-01-08");
        }
    }
    cr_assert(tuesday);
}

Test(annotate, counts_words_and_reading_time_at_230_wpm)
{
    const cJSON *st = get(json, "stats");
    int words = get(st, "words")->valueint;
    cr_assert_gt(words, 700);
    cr_assert_lt(words, 900);
    cr_assert_eq(get(st, "reading_time_minutes")->valueint, (words + 229) / 230);
    cr_assert_eq((size_t)words, annotations_words(an));
    cr_assert_gt(cJSON_GetArraySize(get(st, "keywords")), 0);
}

Test(annotate, annotates_an_empty_article)
{
    struct annotate_input in = {NULL, 0, NULL};
    struct annotations *empty = annotator_run(annotator, &in);
    cr_assert_not_null(empty);
    cJSON *j = annotations_to_json(empty);
    cr_assert_not_null(j);
    cr_assert_eq(cJSON_GetArraySize(get(j, "entities")), 0);
    cr_assert_eq(get(get(j, "stats"), "words")->valueint, 0);
    cJSON_Delete(j);
    annotations_free(empty);
}
