/* Entities of models/annotate/entities.c on small articles. */
#include "models/annotate/entities.h"
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
static size_t nblocks;

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
    entity_list_free(&ents);
    for (size_t i = 0; i < MAX_BLOCKS; i++) {
        text_tokens_free(&toks[i]);
        free(classes[i]);
    }
    gazetteer_free(gaz);
}

TestSuite(entities, .init = setup, .fini = teardown);

/* Annotates the blocks given (NULL-terminated). */
static void
run(const char *const *texts)
{
    entity_list_free(&ents);
    nblocks = 0;
    for (; texts[nblocks]; nblocks++) {
        cr_assert_lt(nblocks, MAX_BLOCKS);
        const char *s = texts[nblocks];
        cr_assert_eq(text_tokenize(s, strlen(s), &toks[nblocks]), 0);
        free(classes[nblocks]);
        classes[nblocks] = malloc((toks[nblocks].n + 1) * sizeof **classes);
        cr_assert_not_null(classes[nblocks]);
        gazetteer_classify(gaz, s, toks[nblocks].v, toks[nblocks].n, classes[nblocks]);
        blocks[nblocks] =
            (struct text_block){s, strlen(s), toks[nblocks].v, toks[nblocks].n, classes[nblocks]};
    }
    cr_assert_eq(entities_find(gaz, blocks, nblocks, &ents), 0);
}

/* The entity that the mention with this exact text belongs to, or NULL. */
static const struct entity *
entity_of(const char *mention)
{
    for (size_t i = 0; i < ents.nm; i++) {
        const struct entity_mention *m = &ents.m[i];
        const char *s = blocks[m->block].text + m->start;
        if (m->end - m->start == strlen(mention) && memcmp(s, mention, m->end - m->start) == 0)
            return &ents.v[m->entity];
    }
    return NULL;
}

static const struct entity *
entity_named(const char *name)
{
    for (size_t i = 0; i < ents.n; i++)
        if (strcmp(ents.v[i].name, name) == 0)
            return &ents.v[i];
    return NULL;
}

struct mention_case {
    const char *blocks[4];
    const char *mention;
    const char *name; /* canonical name expected */
    enum entity_type type;
};

static void
check_cases(const struct mention_case *cases, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        run(cases[c].blocks);
        const struct entity *e = entity_of(cases[c].mention);
        cr_assert_not_null(e, "case %zu: no entity for \"%s\"", c, cases[c].mention);
        cr_assert_str_eq(e->name, cases[c].name, "case %zu: \"%s\"", c, cases[c].mention);
        cr_assert_eq(e->type, cases[c].type, "case %zu: \"%s\" type %s", c, cases[c].mention,
                     entity_type_name(e->type));
    }
}

static const struct mention_case short_forms[] = {
    {{"North Korean leader Kim Jong-un arrived.", "Later Kim left.", NULL},
     "Kim",
     "Kim Jong-un",
     ENTITY_PERSON},
    {{"Chinese President Xi Jinping spoke.", "He met Xi again.", NULL},
     "Xi",
     "Xi Jinping",
     ENTITY_PERSON},
    {{"It was US President Donald Trump.", "Critics of Trump said so.", NULL},
     "Trump",
     "Donald Trump",
     ENTITY_PERSON},
    {{"Kim met them.", "The leader Kim Jong Un arrived.", NULL},
     "Kim",
     "Kim Jong Un",
     ENTITY_PERSON},
    {{"Christopher Hill, a former ambassador, spoke.", "So it was, Hill added.", NULL},
     "Hill",
     "Christopher Hill",
     ENTITY_PERSON},
};

Test(entities, merges_short_surname_with_full_name)
{
    check_cases(short_forms, sizeof short_forms / sizeof short_forms[0]);
}

Test(entities, merges_hyphenated_and_spaced_forms_of_one_name)
{
    run((const char *const[]){"The leader Kim Jong Un came.",
                              "Then North Korean leader Kim Jong-un left.", NULL});
    const struct entity *a = entity_of("Kim Jong Un"), *b = entity_of("Kim Jong-un");
    cr_assert_not_null(a);
    cr_assert_eq(a, b);
    cr_assert_str_eq(a->id, "kim-jong-un");
}

static const struct mention_case places[] = {
    {{"Sanctions by the US will stay.", NULL}, "US", "United States", ENTITY_PLACE},
    {{"Talks with the U.S. went on.", NULL}, "U.S.", "United States", ENTITY_PLACE},
    {{"He flew to the United States.", NULL}, "United States", "United States", ENTITY_PLACE},
    {{"Top North Korean officials came.", NULL}, "North Korean", "North Korea", ENTITY_PLACE},
    {{"It is North Korea’s ally.", NULL}, "North Korea", "North Korea", ENTITY_PLACE},
    {{"They met the North Koreans.", NULL}, "North Koreans", "North Korea", ENTITY_PLACE},
    {{"It was denuclearising the Korean Peninsula.", NULL},
     "Korean Peninsula",
     "Korean Peninsula",
     ENTITY_PLACE},
    {{"A train arrived at Beijing Railway Station today.", NULL},
     "Beijing Railway Station",
     "Beijing Railway Station",
     ENTITY_PLACE},
    {{"The talks were held in Hong Kong.", NULL}, "Hong Kong", "Hong Kong", ENTITY_PLACE},
};

Test(entities, resolves_aliases_and_demonyms_to_the_place)
{
    check_cases(places, sizeof places / sizeof places[0]);
}

Test(entities, marks_demonym_mentions)
{
    run((const char *const[]){"Top South Korean officials met in South Korea.", NULL});
    size_t demonyms = 0, plain = 0;
    for (size_t i = 0; i < ents.nm; i++)
        (ents.m[i].flags & ENTITY_DEMONYM) ? demonyms++ : plain++;
    cr_assert_eq(demonyms, 1);
    cr_assert_eq(plain, 1);
    cr_assert_eq(ents.n, 1);
}

static const struct mention_case orgs[] = {
    {{"The Korean Central News Agency said so.", "Later KCNA said more.", NULL},
     "KCNA",
     "Korean Central News Agency",
     ENTITY_ORGANISATION},
    {{"She told Al Jazeera on Monday.", NULL}, "Al Jazeera", "Al Jazeera", ENTITY_ORGANISATION},
    {{"A report by the Bank of England came out.", NULL},
     "Bank of England",
     "Bank of England",
     ENTITY_ORGANISATION},
    {{"He joined the Ministry of Foreign Affairs last year.", NULL},
     "Ministry of Foreign Affairs",
     "Ministry of Foreign Affairs",
     ENTITY_ORGANISATION},
    {{"Shares in Acme Widget Corporation rose.", NULL},
     "Acme Widget Corporation",
     "Acme Widget Corporation",
     ENTITY_ORGANISATION},
    {{"The National Bank of Romania kept rates.", NULL},
     "National Bank of Romania",
     "National Bank of Romania",
     ENTITY_ORGANISATION},
    {{"The Organisation for Security and Cooperation in Europe met.", NULL},
     "Organisation for Security and Cooperation",
     "Organisation for Security and Cooperation",
     ENTITY_ORGANISATION},
    {{"Italian cables giant Pirelli said it would invest.", NULL},
     "Pirelli",
     "Pirelli",
     ENTITY_ORGANISATION},
};

Test(entities, finds_organisations_by_name_words_gazetteer_and_initials)
{
    check_cases(orgs, sizeof orgs / sizeof orgs[0]);
}

Test(entities, uses_titles_and_role_nouns_for_people)
{
    run((const char *const[]){
        "He came with his wife Ri Sol Ju and South Korean President Moon Jae-in.", NULL});
    const struct entity *ri = entity_of("Ri Sol Ju"), *moon = entity_of("Moon Jae-in");
    cr_assert_not_null(ri);
    cr_assert_not_null(moon);
    cr_assert_eq(ri->type, ENTITY_PERSON);
    cr_assert_eq(moon->type, ENTITY_PERSON);
    cr_assert_null(entity_of("President"));
}

Test(entities, ignores_capitalised_words_that_only_start_sentences)
{
    run((const char *const[]){"Train believed to be late.", "Analysts also believe it.",
                              "Involving China was key.",
                              "During his stay, the train was involving nothing.", NULL});
    cr_assert_null(entity_of("Train"));
    cr_assert_null(entity_of("Analysts"));
    cr_assert_null(entity_of("Involving"));
    cr_assert_null(entity_of("During"));
    cr_assert_not_null(entity_of("China"));
}

Test(entities, ignores_days_months_holidays_and_lone_common_nouns)
{
    run((const char *const[]){
        "In his New Year’s address on Tuesday, January 8, officials of the Party spoke.", NULL});
    cr_assert_eq(ents.n, 0, "found %zu entities, first %s", ents.n, ents.n ? ents.v[0].name : "");
}

Test(entities, reads_all_caps_headlines_and_datelines_against_the_article)
{
    run((const char *const[]){"SOCCER - BARNSLEY WIN AT HOME IN LONDON.", "LEEDS 1996-08-30",
                              "Barnsley beat Gillingham 2-0 at home.", NULL});
    const struct entity *b = entity_of("BARNSLEY");
    cr_assert_not_null(b);
    cr_assert_eq(b, entity_of("Barnsley"));
    cr_assert_not_null(entity_of("LONDON"));
    cr_assert_eq(entity_of("LONDON")->type, ENTITY_PLACE);
    cr_assert_not_null(entity_of("LEEDS"));
    cr_assert_null(entity_of("SOCCER"));
    cr_assert_null(entity_of("WIN"));
}

Test(entities, names_city_teams_as_organisations_in_sports_reports)
{
    run((const char *const[]){
        "CRICKET - SURREY WIN.", "LONDON 1996-08-30",
        "Surrey beat Essex by an innings after the home side's bowlers took wickets in "
        "the match at the Oval in London.",
        "Essex captain Paul Prichard said the team had lost the season's title race.",
        "In the cup, Dynamo Moscow drew with the visitors.", NULL});
    cr_assert_eq(entity_of("Surrey")->type, ENTITY_ORGANISATION);
    cr_assert_eq(entity_of("Dynamo Moscow")->type, ENTITY_ORGANISATION);
    cr_assert_eq(entity_of("Essex")->type, ENTITY_ORGANISATION);
    cr_assert_eq(entity_of("SURREY"), entity_of("Surrey"));
    cr_assert_eq(entity_of("LONDON")->type, ENTITY_PLACE, "the dateline stays a place");
    cr_assert_eq(entity_of("London")->type, ENTITY_PLACE, "\"in London\" stays a place");
}

Test(entities, keeps_cities_as_places_outside_sports)
{
    run((const char *const[]){"Surrey council raised taxes, officials in London said on Monday.",
                              NULL});
    cr_assert_eq(entity_of("Surrey")->type, ENTITY_PLACE);
}

Test(entities, reads_a_headline_in_title_case_against_the_article)
{
    run((const char *const[]){"Pirelli Cables Look To Tap The Chinese Market",
                              "Pirelli said on Monday it would invest.", NULL});
    cr_assert_null(entity_of("Cables"));
    cr_assert_null(entity_of("Tap"));
    cr_assert_not_null(entity_of("Chinese"));
    const struct entity *head = NULL;
    for (size_t i = 0; i < ents.nm; i++)
        if (ents.m[i].block == 0 && ents.m[i].tok_start == 0)
            head = &ents.v[ents.m[i].entity];
    cr_assert_not_null(head);
    cr_assert_str_eq(head->name, "Pirelli");
}

Test(entities, reads_a_line_of_names_as_names)
{
    run((const char *const[]){"N. Knight st Moin Khan b Saqlain Mushtaq 113", NULL});
    cr_assert_not_null(entity_of("N. Knight"));
    cr_assert_not_null(entity_of("Saqlain Mushtaq"));
    cr_assert_eq(entity_of("Saqlain Mushtaq")->type, ENTITY_PERSON);
}

Test(entities, types_a_lone_name_by_how_the_article_uses_it)
{
    run((const char *const[]){"Talks began on Friday.", "Delegates arrived in Tavildara by road.",
                              "Tavildara lies east of the capital.", "Comelf raised its output.",
                              NULL});
    cr_assert_eq(entity_of("Tavildara")->type, ENTITY_PLACE);
    cr_assert_eq(entity_of("Comelf")->type, ENTITY_ORGANISATION);
}

Test(entities, does_not_take_compound_adjectives_for_names)
{
    run((const char *const[]){"A Hong Kong-based group and a Texas-born banker met Kim Jong-un.",
                              NULL});
    cr_assert_null(entity_of("Hong Kong-based"));
    cr_assert_null(entity_of("Texas-born"));
    cr_assert_not_null(entity_of("Kim Jong-un"));
}

Test(entities, types_names_holding_an_acronym_as_organisations)
{
    run((const char *const[]){"He sold the stake to CITIC Pacific last week.", NULL});
    cr_assert_eq(entity_of("CITIC Pacific")->type, ENTITY_ORGANISATION);
}

Test(entities, ignores_events_and_prizes)
{
    run((const char *const[]){"She won the U.S. Open and the Fed Cup before the Nobel Prize.",
                              NULL});
    cr_assert_null(entity_of("U.S. Open"));
    cr_assert_null(entity_of("U.S."));
    cr_assert_null(entity_of("Fed Cup"));
    cr_assert_null(entity_of("Nobel Prize"));
}

Test(entities, ignores_contractions_and_sentence_openers_of_prose)
{
    run((const char *const[]){
        "I'm sure we're right, said the minister.",
        "Crucially, the talks with the ministers of the region went on into the night.", NULL});
    cr_assert_null(entity_of("I'm"));
    cr_assert_null(entity_of("Crucially"));
    cr_assert_eq(ents.n, 0, "found %zu entities, first %s", ents.n, ents.n ? ents.v[0].name : "");
}

Test(entities, takes_unknown_demonyms_for_peoples_not_entities)
{
    run((const char *const[]){"Talks with Zairean rebels and Rangers fans went on.", NULL});
    cr_assert_null(entity_of("Zairean"));
    cr_assert_not_null(entity_of("Rangers"));
}

Test(entities, resolves_the_first_word_of_an_organisation_and_merges_its_readings)
{
    run((const char *const[]){"He founded Lionhead Studios in 1997.", "Later Lionhead grew fast.",
                              "Research firm Dimension Data ran the survey.",
                              "It said Dimension Data staff agreed.", NULL});
    cr_assert_eq(entity_of("Lionhead"), entity_of("Lionhead Studios"));
    const struct entity *d = entity_named("Dimension Data");
    cr_assert_not_null(d);
    cr_assert_eq(d->type, ENTITY_ORGANISATION);
    cr_assert_eq(d->nmentions, 2);
}

Test(entities, gives_unique_ascii_ids)
{
    run((const char *const[]){"José Müller met the Zürich mayor.", NULL});
    const struct entity *e = entity_named("José Müller");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->id, "jose-muller");
    for (size_t i = 0; i < ents.n; i++)
        for (size_t j = i + 1; j < ents.n; j++)
            cr_assert_str_neq(ents.v[i].id, ents.v[j].id);
}

Test(entities, reports_code_point_offsets)
{
    run((const char *const[]){"“Hi,” said Zoë Ball in Zürich.", NULL});
    const struct entity *e = entity_of("Zürich");
    cr_assert_not_null(e);
    for (size_t i = 0; i < ents.nm; i++)
        if (&ents.v[ents.m[i].entity] == e) {
            cr_assert_eq(ents.m[i].cp_start, 23);
            cr_assert_eq(ents.m[i].cp_end, 29);
        }
}

Test(entities, handles_an_article_without_blocks)
{
    run((const char *const[]){NULL});
    cr_assert_eq(ents.n, 0);
    cr_assert_eq(ents.nm, 0);
}
