/* corpus: what the articles of a snapshot say across the corpus: the entities
 * they name and the quotes they carry, for the entity and quote indexes and
 * the list filters (entity, person, place, org, speaker).
 *
 * Two parts, both immutable once made:
 * - a digest per article, made once when the article enters the catalog from
 *   its published annotations (the JSON of docs/annotations.md), so the
 *   annotator's working structures need not be kept;
 * - an index over the digests of one snapshot, built on first use (see
 *   catalog_corpus), like the search index.
 * An entity's id is the annotator's slug of its canonical name, so one name is
 * one id in every article: the index merges entities by id. Names are compared
 * through text_fold (case, Latin diacritics, hyphens and periods folded). */
#ifndef ARTICLED_CORPUS_H
#define ARTICLED_CORPUS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum corpus_type { CORPUS_PERSON, CORPUS_PLACE, CORPUS_ORGANISATION, CORPUS_NTYPES };

#define CORPUS_MAX_ALIASES 20

/* A written form of an entity's mentions other than its name, with its count. */
struct corpus_form {
    const char *text;
    unsigned count;
};

/* An entity of a digest, as corpus_digest_entity reads it: the strings are
 * borrowed from the digest. */
struct digest_entity {
    const char *id, *name;
    enum corpus_type type;
    unsigned mentions;
    size_t nforms; /* its written forms: corpus_digest_form(d, i, 0 .. nforms - 1) */
};

/* A quote of a digest, as corpus_digest_quote reads it: the strings are
 * borrowed from the digest. */
struct digest_quote {
    const char *text;
    const char *cue;            /* NULL when none */
    const char *speaker_entity; /* entity id; NULL when the speaker is no entity */
    const char *speaker_name;   /* NULL when there is no speaker */
};

/* One article's digest, in one allocation; read through the accessors below. */
struct corpus_digest;

/* The digest of an article with this headline and these published annotations:
 * entities and quotes are the arrays of annotations_to_json (either may be
 * NULL: none). NULL on allocation failure, or when the digest would pass
 * 4 GiB (it addresses its strings with 32-bit offsets). */
struct corpus_digest *corpus_digest_new(const char *headline, const cJSON *entities,
                                        const cJSON *quotes);
void corpus_digest_free(struct corpus_digest *d);

/* The entities in annotation order (those without an id or a name left out):
 * entity i for i < corpus_digest_entities(d). */
size_t corpus_digest_entities(const struct corpus_digest *d);
struct digest_entity corpus_digest_entity(const struct corpus_digest *d, size_t i);

/* Written form k of entity i, k < its nforms: most frequent first, then
 * alphabetical; the name itself is none of them. The text is borrowed. */
struct corpus_form corpus_digest_form(const struct corpus_digest *d, size_t i, size_t k);

/* The quotes in reading order: quote i for i < corpus_digest_quotes(d). */
size_t corpus_digest_quotes(const struct corpus_digest *d);
struct digest_quote corpus_digest_quote(const struct corpus_digest *d, size_t i);

/* text_fold of the headline: the `headline` sort key. Borrowed. */
const char *corpus_digest_headline_key(const struct corpus_digest *d);

/* "person", "place", "organisation"; corpus_type_parse returns -1 for others. */
const char *corpus_type_name(enum corpus_type t);
int corpus_type_parse(const char *s);

/* An entity across the snapshot. Strings are borrowed from the digests. */
struct corpus_entity {
    const char *id, *name;
    enum corpus_type type; /* the type most articles give it (ties: person, place, organisation) */
    size_t articles;       /* articles that mention it */
    size_t mentions;       /* mentions in all of them */
    size_t quotes;         /* quotes it is the speaker of */
    const uint32_t *entries; /* the articles' entry numbers, ascending; `articles` of them */
    const char *aliases[CORPUS_MAX_ALIASES]; /* most frequent first, then alphabetical */
    size_t naliases;
};

/* A quote of the snapshot: entry number and position in that entry's digest. */
struct corpus_quote_ref {
    uint32_t entry, quote;
};

struct corpus_index;

/* Builds the index of n digests (entry i's digest; NULL for an article without
 * annotations). Borrows the digests: they must outlive the index. NULL on OOM. */
struct corpus_index *corpus_index_build(const struct corpus_digest *const *digests, size_t n);
void corpus_index_free(struct corpus_index *idx);

/* Entities in rank order: articles descending, then mentions descending, then
 * folded name, then id. */
size_t corpus_entity_count(const struct corpus_index *idx);
const struct corpus_entity *corpus_entity_ranked(const struct corpus_index *idx, size_t i);

/* The entity with this id, or NULL. */
const struct corpus_entity *corpus_entity_find(const struct corpus_index *idx, const char *id);

/* True when the folded name or an alias of e, or a word of them, starts with
 * the folded prefix key (from corpus_fold). */
bool corpus_entity_has_prefix(const struct corpus_index *idx, const struct corpus_entity *e,
                              const char *key);

/* Marks in out[0..n_entries) every entry number that mentions an entity of a
 * type in type_mask (1 << CORPUS_PERSON ...) whose canonical name or any
 * written form folds to the same key as name. Returns how many entities matched. */
size_t corpus_mark_named(const struct corpus_index *idx, const char *name, unsigned type_mask,
                         bool *out);

/* A speaker as a client names one: an entity id, or a name matched as in
 * corpus_mark_named (any type), which also matches the speaker name of a
 * quote that has no entity. */
struct corpus_who;
struct corpus_who *corpus_who_new(const struct corpus_index *idx, const char *who);
void corpus_who_free(struct corpus_who *w);

/* The quotes in entry order, then reading order. */
const struct corpus_quote_ref *corpus_quotes(const struct corpus_index *idx, size_t *n);

/* True when quote i of corpus_quotes is by w. */
bool corpus_quote_by(const struct corpus_index *idx, size_t i, const struct corpus_who *w);

/* Marks in out[0..n_entries) every entry number holding a quote by w. */
void corpus_mark_speaker(const struct corpus_index *idx, const struct corpus_who *w, bool *out);

/* True when every word of the folded words string `words` (from corpus_words)
 * is a word of quote i's text. */
bool corpus_quote_has_words(const struct corpus_index *idx, size_t i, const char *words);

/* The folded key of s (text_fold) in a new string; NULL on OOM. */
char *corpus_fold(const char *s);

/* s folded and cut into words: " w1 w2 ... " (a space before and after each
 * word), words being runs of letters and digits of any script; NULL on OOM. */
char *corpus_words(const char *s);

/* Bytes held by the index (not counting the digests). */
size_t corpus_index_memory(const struct corpus_index *idx);

#endif
