/* Quotes and speakers of models/annotate/quotes.c on small articles. */
#include "models/annotate/quotes.h"
#include "models/embedded.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCKS 8

static struct gazetteer *gaz;
static struct text_tokens toks[MAX_BLOCKS];
static struct text_block blocks[MAX_BLOCKS];
static unsigned *classes[MAX_BLOCKS];
static struct entity_list ents;
static struct quote_list quotes;

static void
setup(void)
{
    const char *err = NULL;
    gaz = gazetteer_new(embedded_gazetteers, &err);
    cr_assert_not_null(gaz, "gazetteer: %s", err ? err : "?");
}

static void
teardown(void)
{
    quote_list_free(&quotes);
    entity_list_free(&ents);
    for (size_t i = 0; i < MAX_BLOCKS; i++) {
        text_tokens_free(&toks[i]);
        free(classes[i]);
    }
    gazetteer_free(gaz);
}

TestSuite(quotes, .init = setup, .fini = teardown);

static void
run(const char *const *texts)
{
    quote_list_free(&quotes);
    entity_list_free(&ents);
    size_t n = 0;
    for (; texts[n]; n++) {
        cr_assert_lt(n, MAX_BLOCKS);
        cr_assert_eq(text_tokenize(texts[n], strlen(texts[n]), &toks[n]), 0);
        free(classes[n]);
        classes[n] = malloc((toks[n].n + 1) * sizeof **classes);
        cr_assert_not_null(classes[n]);
        gazetteer_classify(gaz, texts[n], toks[n].v, toks[n].n, classes[n]);
        blocks[n] =
            (struct text_block){texts[n], strlen(texts[n]), toks[n].v, toks[n].n, classes[n]};
    }
    cr_assert_eq(entities_find(gaz, blocks, n, &ents), 0);
    cr_assert_eq(quotes_find(gaz, blocks, n, &ents, &quotes), 0);
}

static char *
span_text(const struct quote_span *s)
{
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    size_t n = s->end - s->start;
    cr_assert_lt(n, sizeof buf[0]);
    memcpy(b, blocks[s->block].text + s->start, n);
    b[n] = '\0';
    return b;
}

/* Asserts quote i: its text starts with prefix, its speaker is written
 * `mention` and resolves to the entity named `entity` (NULL: no entity). */
static void
expect(size_t i, const char *prefix, const char *mention, const char *entity)
{
    cr_assert_lt(i, quotes.n, "only %zu quotes", quotes.n);
    const struct quote *q = &quotes.v[i];
    char *t = span_text(&q->text);
    cr_assert_eq(strncmp(t, prefix, strlen(prefix)), 0, "quote %zu is \"%s\"", i, t);
    cr_assert(q->has_speaker, "quote %zu \"%s\" has no speaker", i, t);
    cr_assert_str_eq(span_text(&q->speaker), mention, "quote %zu", i);
    if (entity) {
        cr_assert_neq(q->entity, (size_t)-1, "quote %zu: speaker has no entity", i);
        cr_assert_str_eq(ents.v[q->entity].name, entity, "quote %zu", i);
    } else {
        cr_assert_eq(q->entity, (size_t)-1);
    }
}

Test(quotes, attributes_a_quote_to_the_name_after_it)
{
    run((const char *const[]){"“We will win the vote next week,” Jane Smith said.", NULL});
    cr_assert_eq(quotes.n, 1);
    expect(0, "“We will win the vote next week,”", "Jane Smith", "Jane Smith");
    cr_assert(quotes.v[0].has_cue);
    cr_assert_str_eq(span_text(&quotes.v[0].cue), "said");
    cr_assert_eq(quotes.v[0].text.cp_start, 0);
    cr_assert_eq(quotes.v[0].text.cp_end, 33);
}

Test(quotes, attributes_a_quote_to_the_name_before_the_colon)
{
    run((const char *const[]){
        "Ministers met. John Brown said: “The plan is simply not good enough.”", NULL});
    expect(0, "“The plan", "John Brown", "John Brown");
}

Test(quotes, resolves_an_inverted_speaker)
{
    run((const char *const[]){"Mary Jones arrived.", "“It is time to go home now,” said Jones.",
                              NULL});
    expect(0, "“It is time", "Jones", "Mary Jones");
}

Test(quotes, resolves_a_pronoun_to_the_last_speaker)
{
    run((const char *const[]){"“The first thing to say is this,” Anna Berg said.",
                              "“And the second thing is that,” she added.", NULL});
    expect(1, "“And the second", "she", "Anna Berg");
}

Test(quotes, skips_a_speaker_whose_sex_does_not_fit_the_pronoun)
{
    run((const char *const[]){"John Carter met Maria Lopez on Monday.",
                              "“We agreed on nothing at all today,” she said.", NULL});
    expect(0, "“We agreed", "she", "Maria Lopez");
}

Test(quotes, follows_an_appositive_back_to_the_speaker)
{
    run((const char *const[]){
        "Christopher Hill, a former US ambassador to South Korea, said the visit mattered.",
        "“They really don’t want to be ignored,” he told Al Jazeera.", NULL});
    expect(0, "“They really", "he", "Christopher Hill");
}

Test(quotes, continues_an_unattributed_paragraph_with_the_previous_speaker)
{
    run((const char *const[]){"“This is the first part of what I said,” Hill added.",
                              "“And this is the part that follows it on.”", NULL});
    cr_assert_eq(quotes.n, 2);
    expect(1, "“And this", "Hill", "Hill");
}

Test(quotes, splits_a_quote_running_over_paragraphs_into_one_per_paragraph)
{
    run((const char *const[]){"Kate Lin said: “The first paragraph goes on without closing",
                              "“and the second one closes it here.”", NULL});
    cr_assert_eq(quotes.n, 2);
    expect(0, "“The first paragraph goes on without closing", "Kate Lin", "Kate Lin");
    cr_assert_eq(quotes.v[0].text.end, strlen(blocks[0].text));
    expect(1, "“and the second", "Kate Lin", "Kate Lin");
}

Test(quotes, finds_partial_quotes_inside_a_sentence)
{
    run((const char *const[]){
        "North Korea would have “no option but to explore a new path” if the US “miscalculates "
        "our people’s patience and pursues sanctions”, Kim Jong Un said.",
        NULL});
    cr_assert_eq(quotes.n, 2);
    expect(0, "“no option", "Kim Jong Un", "Kim Jong Un");
    expect(1, "“miscalculates", "Kim Jong Un", "Kim Jong Un");
}

Test(quotes, attributes_to_an_organisation)
{
    run((const char *const[]){
        "“He was warmly seen off by leading officials,” KCNA said in its report.", NULL});
    expect(0, "“He was", "KCNA", "KCNA");
}

Test(quotes, reads_according_to)
{
    run((const char *const[]){
        "The deal is “a historic step for the whole region”, according to Pedro Alves.", NULL});
    expect(0, "“a historic", "Pedro Alves", "Pedro Alves");
    cr_assert_str_eq(span_text(&quotes.v[0].cue), "according to");
}

Test(quotes, keeps_a_noun_phrase_speaker_without_an_entity)
{
    run((const char *const[]){
        "“Nobody expected the result to be this close,” a senior official said.", NULL});
    expect(0, "“Nobody", "a senior official", NULL);
}

Test(quotes, ignores_scare_quotes_and_titles)
{
    run((const char *const[]){
        "The so-called “peace dividend” never came, and his film “Blue Sky” flopped.", NULL});
    cr_assert_eq(quotes.n, 0, "found %zu quotes", quotes.n);
}

Test(quotes, keeps_a_short_quote_with_a_speech_verb)
{
    run((const char *const[]){"“Absolutely not,” Tom Reed said.", NULL});
    cr_assert_eq(quotes.n, 1);
    expect(0, "“Absolutely not,”", "Tom Reed", "Tom Reed");
}

Test(quotes, reads_straight_double_quotes)
{
    run((const char *const[]){"\"We have some big plans for the final month,\" Lee Harris said.",
                              NULL});
    expect(0, "\"We have", "Lee Harris", "Lee Harris");
}

Test(quotes, ends_an_unclosed_quote_before_the_next_opening_mark)
{
    run((const char *const[]){
        "Mr Mubanga, who insists he is calm, said: \"I lost three years of my life. He added: "
        "\"The authorities wanted to break me.\"",
        NULL});
    cr_assert_eq(quotes.n, 2);
    expect(0, "\"I lost three years of my life. He added:", "Mubanga", "Mubanga");
    expect(1, "\"The authorities", "Mubanga",
           "Mubanga"); /* "He added:" fell inside the unclosed quote */
}

Test(quotes, takes_the_speaker_from_a_paragraph_ending_in_a_colon)
{
    run((const char *const[]){"Pat Caddell continued:",
                              "\"The health issue overall is very much a partisan issue.\"", NULL});
    expect(0, "\"The health", "Pat Caddell", "Pat Caddell");
    cr_assert_str_eq(span_text(&quotes.v[0].cue), "continued");
}

Test(quotes, takes_the_speaker_after_a_dash)
{
    run((const char *const[]){
        "“He represents our greatest shame and nothing else.” ― Sonya Herridge", NULL});
    expect(0, "“He represents", "Sonya Herridge", "Sonya Herridge");
}

Test(quotes, skips_a_title_after_an_inverted_speech_verb)
{
    run((const char *const[]){
        "“This is a disgusting day for all of us,” said Rep. Gwen Moore (D-Wis.).", NULL});
    expect(0, "“This is", "Gwen Moore", "Gwen Moore");
}
