/* corpus: digests from published annotations, and the index that merges them
 * across articles (ids, types by vote, aliases, counts, name and speaker
 * matching, quote words, prefixes). */
#include "models/corpus.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* A digest from a JSON text holding {"entities": [...], "quotes": [...]}. */
static struct corpus_digest *
digest(const char *headline, const char *json)
{
    cJSON *doc = cJSON_Parse(json);
    cr_assert_not_null(doc, "bad fixture JSON");
    struct corpus_digest *d =
        corpus_digest_new(headline, cJSON_GetObjectItemCaseSensitive(doc, "entities"),
                          cJSON_GetObjectItemCaseSensitive(doc, "quotes"));
    cJSON_Delete(doc);
    cr_assert_not_null(d);
    return d;
}

static const char art0[] =
    "{\"entities\":["
    "{\"id\":\"ana-lopes\",\"name\":\"Ana Lopes\",\"type\":\"person\",\"mentions\":["
    "{\"text\":\"Ana Lopes\"},{\"text\":\"Lopes\"},{\"text\":\"Lopes\"},{\"text\":\"Ms Lopes\"}]},"
    "{\"id\":\"lisbon\",\"name\":\"Lisbon\",\"type\":\"place\",\"mentions\":[{\"text\":\"Lisbon\"}]}],"
    "\"quotes\":["
    "{\"text\":\"\u201cWe will build it,\u201d\",\"cue\":\"said\","
    "\"speaker\":{\"entity\":\"ana-lopes\",\"name\":\"Ana Lopes\"}},"
    "{\"text\":\"\u201cNobody asked us.\u201d\",\"cue\":null,"
    "\"speaker\":{\"entity\":null,\"name\":\"a resident\"}}]}";

static const char art1[] =
    "{\"entities\":["
    "{\"id\":\"lisbon\",\"name\":\"Lisbon\",\"type\":\"organisation\",\"mentions\":[{\"text\":\"Lisbon\"}]},"
    "{\"id\":\"ana-lopes\",\"name\":\"Ana Lopes\",\"type\":\"person\",\"mentions\":[{\"text\":\"Lopes\"}]},"
    "{\"id\":\"energia-portuguesa\",\"name\":\"Energia Portuguesa\",\"type\":\"organisation\","
    "\"mentions\":[{\"text\":\"Energia Portuguesa\"},{\"text\":\"EP\"}]}],"
    "\"quotes\":[{\"text\":\"\u201cThe cable is late.\u201d\",\"cue\":\"added\","
    "\"speaker\":{\"entity\":\"ana-lopes\",\"name\":\"Ana Lopes\"}}]}";

static const char art2[] =
    "{\"entities\":[{\"id\":\"lisbon\",\"name\":\"Lisbon\",\"type\":\"place\",\"mentions\":[{\"text\":\"Lisbon\"}]}],"
    "\"quotes\":[]}";

/* Entities without an id or a name, a type the digest does not know, a quote
 * without text, one without a speaker, one whose speaker is named otherwise
 * than its entity, one whose speaker is no entity of the article. */
static const char odd[] = "{\"entities\":[{\"name\":\"No Id\",\"mentions\":[{\"text\":\"Id\"}]},"
                          "{\"id\":\"kept\",\"name\":\"Kept\",\"type\":\"other\",\"mentions\":["
                          "{\"text\":\"K\"},{\"text\":\"KK\"},{\"text\":\"KK\"}]},"
                          "{\"id\":\"no-name\",\"mentions\":[]}],"
                          "\"quotes\":[{\"cue\":\"said\"},{\"text\":\"\\\"Yes.\\\"\"},"
                          "{\"text\":\"\\\"No.\\\"\",\"cue\":\"said\",\"speaker\":"
                          "{\"entity\":\"kept\",\"name\":\"KK\"}},"
                          "{\"text\":\"\\\"Maybe.\\\"\",\"cue\":\"added\",\"speaker\":"
                          "{\"entity\":\"elsewhere\",\"name\":\"Else Where\"}}]}";

struct fixture {
    struct corpus_digest *d[4];
    struct corpus_index *idx;
};

static void
build(struct fixture *f)
{
    f->d[0] = digest("Écoles reopen in Lisbon", art0);
    f->d[1] = digest("Cable delayed", art1);
    f->d[2] = NULL; /* an article without annotations */
    f->d[3] = digest("Lisbon weather", art2);
    f->idx = corpus_index_build((const struct corpus_digest *const *)f->d, 4);
    cr_assert_not_null(f->idx);
}

static void
destroy(struct fixture *f)
{
    corpus_index_free(f->idx);
    for (size_t i = 0; i < 4; i++)
        corpus_digest_free(f->d[i]);
}

Test(corpus, digest_keeps_forms_counts_and_headline_key)
{
    struct corpus_digest *d = digest("Écoles reopen in Lisbon", art0);
    cr_assert_str_eq(corpus_digest_headline_key(d), "ecoles reopen in lisbon");
    cr_assert_eq(corpus_digest_entities(d), 2);
    struct digest_entity ana = corpus_digest_entity(d, 0);
    cr_assert_str_eq(ana.id, "ana-lopes");
    cr_assert_str_eq(ana.name, "Ana Lopes");
    cr_assert_eq(ana.type, CORPUS_PERSON);
    cr_assert_eq(ana.mentions, 4);
    cr_assert_eq(ana.nforms, 2, "the name itself is no alias");
    cr_assert_str_eq(corpus_digest_form(d, 0, 0).text, "Lopes");
    cr_assert_eq(corpus_digest_form(d, 0, 0).count, 2);
    cr_assert_str_eq(corpus_digest_form(d, 0, 1).text, "Ms Lopes");
    cr_assert_eq(corpus_digest_form(d, 0, 1).count, 1);
    struct digest_entity lisbon = corpus_digest_entity(d, 1);
    cr_assert_str_eq(lisbon.name, "Lisbon");
    cr_assert_eq(lisbon.type, CORPUS_PLACE);
    cr_assert_eq(lisbon.nforms, 0);
    cr_assert_eq(corpus_digest_quotes(d), 2);
    struct digest_quote q0 = corpus_digest_quote(d, 0), q1 = corpus_digest_quote(d, 1);
    cr_assert_str_eq(q0.text, "\u201cWe will build it,\u201d");
    cr_assert_str_eq(q0.cue, "said");
    cr_assert_eq(q0.speaker_entity, ana.id, "the speaker's id is its entity's");
    cr_assert_eq(q0.speaker_name, ana.name, "and so is its name");
    cr_assert_null(q1.speaker_entity);
    cr_assert_str_eq(q1.speaker_name, "a resident");
    cr_assert_null(q1.cue);
    corpus_digest_free(d);
}

Test(corpus, digest_skips_entities_without_id_or_name_and_reads_absent_text_as_empty)
{
    struct corpus_digest *d = digest("Untitled", odd);
    cr_assert_eq(corpus_digest_entities(d), 1);
    struct digest_entity e = corpus_digest_entity(d, 0);
    cr_assert_str_eq(e.id, "kept");
    cr_assert_str_eq(e.name, "Kept");
    cr_assert_eq(e.type, CORPUS_ORGANISATION, "an unknown type reads as organisation");
    cr_assert_eq(e.mentions, 3);
    cr_assert_eq(e.nforms, 2);
    cr_assert_str_eq(corpus_digest_form(d, 0, 0).text, "KK");
    cr_assert_eq(corpus_digest_form(d, 0, 0).count, 2);
    cr_assert_str_eq(corpus_digest_form(d, 0, 1).text, "K");
    cr_assert_eq(corpus_digest_quotes(d), 4);
    struct digest_quote q0 = corpus_digest_quote(d, 0), q1 = corpus_digest_quote(d, 1);
    struct digest_quote q2 = corpus_digest_quote(d, 2), q3 = corpus_digest_quote(d, 3);
    cr_assert_str_eq(q0.text, "");
    cr_assert_str_eq(q0.cue, "said");
    cr_assert_null(q0.speaker_entity);
    cr_assert_null(q0.speaker_name);
    cr_assert_str_eq(q1.text, "\"Yes.\"");
    cr_assert_null(q1.cue);
    cr_assert_str_eq(q2.cue, "said");
    cr_assert_eq(q2.cue, q0.cue, "a repeated cue is kept once");
    cr_assert_str_eq(q2.speaker_entity, "kept");
    cr_assert_str_eq(q2.speaker_name, "KK");
    cr_assert_str_eq(q3.text, "\"Maybe.\"");
    cr_assert_str_eq(q3.cue, "added");
    cr_assert_str_eq(q3.speaker_entity, "elsewhere");
    cr_assert_str_eq(q3.speaker_name, "Else Where");
    corpus_digest_free(d);
}

Test(corpus, digest_of_no_annotations_is_empty)
{
    struct corpus_digest *d = corpus_digest_new("Élan", NULL, NULL);
    cr_assert_not_null(d);
    cr_assert_eq(corpus_digest_entities(d), 0);
    cr_assert_eq(corpus_digest_quotes(d), 0);
    cr_assert_str_eq(corpus_digest_headline_key(d), "elan");
    corpus_digest_free(d);
}

Test(corpus, index_merges_by_id_and_ranks_by_articles)
{
    struct fixture f;
    build(&f);
    cr_assert_eq(corpus_entity_count(f.idx), 3);
    const struct corpus_entity *top = corpus_entity_ranked(f.idx, 0);
    cr_assert_str_eq(top->id, "lisbon");
    cr_assert_eq(top->articles, 3);
    cr_assert_eq(top->type, CORPUS_PLACE, "two of three articles say place");
    cr_assert_eq(top->entries[0], 0);
    cr_assert_eq(top->entries[2], 3);
    const struct corpus_entity *ana = corpus_entity_find(f.idx, "ana-lopes");
    cr_assert_not_null(ana);
    cr_assert_eq(ana, corpus_entity_ranked(f.idx, 1));
    cr_assert_eq(ana->articles, 2);
    cr_assert_eq(ana->mentions, 5);
    cr_assert_eq(ana->quotes, 2);
    cr_assert_eq(ana->naliases, 2);
    cr_assert_str_eq(ana->aliases[0], "Lopes", "3 mentions over both articles");
    cr_assert_null(corpus_entity_find(f.idx, "nobody"));
    destroy(&f);
}

Test(corpus, names_match_through_aliases_and_types)
{
    struct fixture f;
    build(&f);
    bool mark[4] = {0};
    cr_assert_eq(corpus_mark_named(f.idx, "ms lopes", 1u << CORPUS_PERSON, mark), 1);
    cr_assert(mark[0] && mark[1] && !mark[2] && !mark[3]);
    memset(mark, 0, sizeof mark);
    cr_assert_eq(corpus_mark_named(f.idx, "Lopes", 1u << CORPUS_PLACE, mark), 0, "wrong type");
    cr_assert_eq(corpus_mark_named(f.idx, "ep", 1u << CORPUS_ORGANISATION, mark), 1);
    cr_assert(mark[1] && !mark[0]);
    destroy(&f);
}

Test(corpus, prefixes_match_word_starts_folded)
{
    struct fixture f;
    build(&f);
    const struct corpus_entity *ep = corpus_entity_find(f.idx, "energia-portuguesa");
    cr_assert(corpus_entity_has_prefix(f.idx, ep, "port"), "a later word");
    cr_assert(corpus_entity_has_prefix(f.idx, ep, "ene"));
    cr_assert(!corpus_entity_has_prefix(f.idx, ep, "ortu"), "not mid-word");
    char *key = corpus_fold("ÉNERG");
    cr_assert(corpus_entity_has_prefix(f.idx, ep, key), "diacritics and case folded");
    free(key);
    destroy(&f);
}

Test(corpus, speakers_by_id_name_alias_and_bare_name)
{
    struct fixture f;
    build(&f);
    size_t n;
    const struct corpus_quote_ref *q = corpus_quotes(f.idx, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(q[2].entry, 1);
    const char *whos[] = {"ana-lopes", "Ana Lopes", "LOPES"};
    for (size_t k = 0; k < 3; k++) {
        struct corpus_who *w = corpus_who_new(f.idx, whos[k]);
        cr_assert(corpus_quote_by(f.idx, 0, w) && !corpus_quote_by(f.idx, 1, w) &&
                      corpus_quote_by(f.idx, 2, w),
                  "%s", whos[k]);
        corpus_who_free(w);
    }
    struct corpus_who *w = corpus_who_new(f.idx, "A Resident");
    cr_assert(corpus_quote_by(f.idx, 1, w) && !corpus_quote_by(f.idx, 0, w));
    bool mark[4] = {0};
    corpus_mark_speaker(f.idx, w, mark);
    cr_assert(mark[0] && !mark[1]);
    corpus_who_free(w);
    destroy(&f);
}

Test(corpus, quote_words_are_whole_folded_words)
{
    struct fixture f;
    build(&f);
    char *yes = corpus_words("BUILD we"), *no = corpus_words("buil"), *late = corpus_words("late");
    cr_assert_str_eq(yes, " build we ");
    cr_assert(corpus_quote_has_words(f.idx, 0, yes));
    cr_assert(!corpus_quote_has_words(f.idx, 0, no), "a word prefix is no word");
    cr_assert(corpus_quote_has_words(f.idx, 2, late));
    cr_assert(!corpus_quote_has_words(f.idx, 0, late));
    free(yes);
    free(no);
    free(late);
    destroy(&f);
}
