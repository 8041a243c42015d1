/* The annotator end to end on the seed article, data/articles/kim-visits-china.txt,
 * asserting every expectation of issue 3 ("The seed, exactly") through the JSON
 * the API publishes. The seed's blocks are cut here by the plain format's rules
 * (headline, standfirst, blank-line-separated blocks; image blocks end in a
 * [credit], an extra first line is the alt text; a short line without closing
 * punctuation is a subheading; the Source: line is no text block). */
#include "models/annotate/annotate.h"

#include "models/utf8.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED "data/articles/kim-visits-china.txt"
#define MAX_BLOCKS 64

static struct annotator *annotator;
static char *seed;
static struct annotate_block blocks[MAX_BLOCKS];
static size_t nblocks;
static struct annotations *an;
static cJSON *json;

static void
add(const char *kind, const char *text, size_t len, int body_index)
{
    cr_assert_lt(nblocks, MAX_BLOCKS);
    blocks[nblocks++] = (struct annotate_block){kind, text, len, body_index};
}

static bool
ends_with_credit(const char *s, size_t n)
{
    return n > 0 && s[n - 1] == ']' && memchr(s, '[', n) != NULL;
}

static void
cut_blocks(const char *s, size_t len)
{
    size_t i = 0, index = 0;
    int body = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && !(s[j] == '\n' && j + 1 < len && s[j + 1] == '\n'))
            j++;
        size_t e = j;
        while (e > i && (s[e - 1] == '\n' || s[e - 1] == '\r'))
            e--;
        const char *t = s + i;
        size_t n = e - i;
        if (n > 0) {
            const char *nl = memchr(t, '\n', n);
            const char *last = nl ? nl + 1 : t;
            size_t last_len = n - (size_t)(last - t);
            if (index == 0) {
                add("headline", t, n, -1);
            } else if (index == 1) {
                add("standfirst", t, n, -1);
            } else if (n >= 7 && memcmp(t, "Source:", 7) == 0) {
                /* provenance, not text */
            } else if (ends_with_credit(last, last_len)) {
                size_t cap = (size_t)((const char *)memchr(last, '[', last_len) - last);
                while (cap > 0 && last[cap - 1] == ' ')
                    cap--;
                if (nl) {
                    size_t alt = (size_t)(nl - t);
                    if (!(alt == last_len && memcmp(t, last, alt) == 0))
                        add("alt", t, alt, body);
                }
                add("caption", last, cap, body);
                body++;
            } else if (!nl && n < 60 && !strchr(".!?\"", t[n - 1]) &&
                       memcmp(t + n - 3, "\xE2\x80\x9D", 3) != 0) {
                add("subheading", t, n, body++);
            } else {
                add("paragraph", t, n, body++);
            }
            index++;
        }
        i = j;
        while (i < len && s[i] == '\n')
            i++;
    }
}

static void
setup(void)
{
    const char *err = NULL;
    annotator = annotator_new(&err);
    cr_assert_not_null(annotator, "annotator_new: %s", err ? err : "?");
    FILE *f = fopen(SEED, "rb");
    cr_assert_not_null(f, "cannot open %s (run the tests from the repository root)", SEED);
    seed = malloc(1 << 16);
    cr_assert_not_null(seed);
    size_t n = fread(seed, 1, 1 << 16, f);
    fclose(f);
    nblocks = 0;
    cut_blocks(seed, n);
    struct annotate_input in = {blocks, nblocks, "2019-01-09"};
    an = annotator_run(annotator, &in);
    cr_assert_not_null(an);
    json = annotations_to_json(an);
    cr_assert_not_null(json);
}

static void
teardown(void)
{
    cJSON_Delete(json);
    annotations_free(an);
    annotator_free(annotator);
    free(seed);
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
    cr_assert_eq((size_t)cJSON_GetArraySize(blks), nblocks);
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
