/* gazetteer: the word lists the annotator knows, parsed from the embedded
 * data files of models/annotate/gazetteers/ into one hash table.
 *
 * Keys are text_fold keys (lowercase, accents and periods dropped, hyphens as
 * spaces), so "U.S.", "US" and "u.s." find the same entry. A key may belong to
 * several classes at once ("Jordan" is a country and a given name). Built once,
 * read-only afterwards: any number of threads may look up at once.
 *
 * Files and columns (tab-separated; lists inside a column separated by '|';
 * lines starting with '#' are comments):
 *   countries.tsv      canonical name, aliases, demonyms (plurals added: Koreans)
 *   places.tsv         canonical name, kind (city, region, ...), aliases, demonyms
 *   organisations.tsv  canonical name, kind (news, agency, ...), aliases
 *   given_names.tsv    given name, sex (m, f or u)
 *   titles.tsv         word or phrase before a name, kind (title or role: a person's;
 *                      org: an organisation's, e.g. "company", "giant")
 *   name_words.tsv     word that ends a name of a type, type (organisation, place or event)
 *   common_words.tsv   word or phrase that is not a name even when capitalised
 *   speech_verbs.tsv   verb that attributes speech (said, added, told)
 *   sports_words.tsv   word of sports reporting (innings, goal, striker) */
#ifndef ARTICLED_GAZETTEER_H
#define ARTICLED_GAZETTEER_H

#include "models/annotate/text.h"
#include "models/embedded.h"

#include <stdbool.h>
#include <stddef.h>

/* The classes a key may have; the gazetteer stores them in 16 bits. */
enum {
    GAZ_COUNTRY = 1u << 0,     /* a country (canonical: its name) */
    GAZ_PLACE = 1u << 1,       /* a city, region or other place */
    GAZ_DEMONYM = 1u << 2,     /* a demonym (canonical: the place's name) */
    GAZ_ORG = 1u << 3,         /* an organisation */
    GAZ_GIVEN = 1u << 4,       /* a given name */
    GAZ_MALE = 1u << 5,        /* given name mostly male */
    GAZ_FEMALE = 1u << 6,      /* given name mostly female */
    GAZ_TITLE = 1u << 7,       /* capitalised title before a name (President, Mr) */
    GAZ_ROLE = 1u << 8,        /* lowercase role noun before a name (wife, spokesman) */
    GAZ_ORG_WORD = 1u << 9,    /* makes the name it ends an organisation (Agency) */
    GAZ_PLACE_WORD = 1u << 10, /* makes the name it ends a place (Peninsula) */
    GAZ_COMMON = 1u << 11,     /* common word, not a name by itself */
    GAZ_SPEECH = 1u << 12,     /* speech verb */
    GAZ_EVENT_WORD = 1u << 13, /* makes the name it ends an event, law or prize (Cup, Act) */
    GAZ_SPORT = 1u << 14,      /* a word of sports reporting (innings, goal, striker) */
    GAZ_ORG_CUE = 1u << 15,    /* lowercase noun before an organisation's name (company, giant) */
};

struct gazetteer_entry {
    unsigned classes;
    /* For places, countries, demonyms and organisations, else NULL; not
     * NUL-terminated. Borrowed: valid while the gazetteer lives. */
    const char *canonical;
    size_t canonical_len;
};

struct gazetteer;

/* Builds the table from files (a table ending with a NULL name, such as
 * embedded_gazetteers); unknown file names are ignored, and nothing points into
 * the files' data afterwards. Returns NULL and sets *errstr (a static string)
 * on a malformed line, a canonical name over 255 bytes, or when memory runs out. */
struct gazetteer *gazetteer_new(const struct embedded_file *files, const char **errstr);
void gazetteer_free(struct gazetteer *g);

/* Fills *out with the entry of a folded key and returns true; false, with
 * *out untouched, when the key is in no list. */
bool gazetteer_lookup(const struct gazetteer *g, const char *key, size_t len,
                      struct gazetteer_entry *out);

/* The classes of a key, 0 when it is not in any list. */
unsigned gazetteer_classes(const struct gazetteer *g, const char *key, size_t len);

/* The classes of each word or number token of text (0 for other tokens),
 * written to out[0..n): one fold and one lookup per token, done once per
 * article so that every module can read them. */
void gazetteer_classify(const struct gazetteer *g, const char *text,
                        const struct text_token *tokens, size_t n, unsigned *out);

/* The most words in any place, country, demonym or organisation key. */
size_t gazetteer_max_words(const struct gazetteer *g);

#endif
