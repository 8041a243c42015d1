/* article: the article value, its JSON document form and its id slug.
 *
 * An article owns every string it points to; article_free releases them all.
 * Once built and handed to the catalog it is immutable and shared by readers.
 * This module knows nothing of files or HTTP. */
#ifndef ARTICLED_ARTICLE_H
#define ARTICLED_ARTICLE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum article_block_type { ARTICLE_PARAGRAPH, ARTICLE_SUBHEADING, ARTICLE_IMAGE };

/* A photo credit as written, `[File: Ju Peng/Xinhua via The Associated Press]`,
 * and its parts; absent parts are NULL. */
struct article_credit {
    char *text; /* inside the brackets, as written; NULL when the image has no credit */
    char *photographer;
    char *agency;
    char *distributor;
    bool file; /* a file (archive) photo */
};

struct article_block {
    enum article_block_type type;
    char *text;                   /* paragraph or subheading text; an image's caption */
    char *alt;                    /* images only: alt text, NULL when the caption stands alone */
    struct article_credit credit; /* images only */
};

struct article {
    char *id;   /* stable id: from the document or front matter, else the slug */
    char *slug; /* article_slugify(headline) */
    char *headline;
    char *standfirst; /* NULL when absent */
    char *published;  /* ISO 8601 as written (validated), NULL when unknown */
    char *updated;
    int64_t published_ts; /* seconds since the epoch, INT64_MIN when unknown */
    char *url, *section, *byline, *language;
    char **tags;
    size_t ntags;
    char **source; /* the source line as a list */
    size_t nsource;
    struct article_block *body;
    size_t nbody;
    char *file; /* the content file it was loaded from (store.c), NULL otherwise */
    /* private: the block article_compact put the strings and arrays in, NULL
     * until then; a pointer into it is freed with it, not on its own */
    char *pack;
    size_t pack_len;
};

/* Why a document or file was refused: `field` is a JSON Pointer (`/body/3/type`)
 * or a position (`line 4`), `message` says what is wrong. `warning` is set when
 * the input was accepted after a repair a person should hear about. */
struct article_error {
    char field[96];
    char message[192];
    char warning[192];
};

/* A new, empty article (every pointer NULL, published_ts INT64_MIN); NULL on OOM. */
struct article *article_new(void);
void article_free(struct article *a);

/* Moves every string and array of a into one allocation, so a long-lived
 * article costs one block instead of one per paragraph, tag and field (and no
 * growth room). a is unchanged on failure (-1, OOM). Afterwards a string field
 * may still be replaced by a malloc'd one (free the old value with
 * article_free_string), but the arrays must not grow or move to another
 * article. */
int article_compact(struct article *a);

/* Frees s, one of a's strings, unless it lives in a's compact block. */
void article_free_string(const struct article *a, char *s);

/* Frees every body block and leaves the body empty. */
void article_clear_body(struct article *a);

/* Appends a zeroed block to a->body and returns it; NULL on OOM. */
struct article_block *article_add_block(struct article *a, enum article_block_type type);

/* Appends a copy of s[0..len) to the list (*items, *n); -1 on OOM. */
int article_list_add(char ***items, size_t *n, const char *s, size_t len);

/* Writes the slug of text into out (at most outlen-1 bytes): ASCII lower case,
 * Latin diacritics folded, apostrophes dropped, any other run of non-alphanumerics
 * one hyphen, cut at a hyphen to at most 80 characters. Returns its length
 * (0 when text has no letter or digit). */
size_t article_slugify(const char *text, char *out, size_t outlen);

/* True when s is a valid id: 1-80 of [a-z0-9-], not starting or ending with '-'. */
bool article_id_valid(const char *s);

/* Parses an ISO 8601 date (`2019-01-08`) or date-time (`2019-01-08T09:30:00Z`,
 * `...+01:00`, seconds optional) into seconds since the epoch. -1 when invalid. */
int article_parse_time(const char *s, int64_t *out);

/* Fills the derived fields: slug from the headline, id from the slug when none
 * was given, published_ts from published. -1 with err set when the headline has
 * no letter or digit (of any script: a headline without Latin letters gets the
 * id `article-` + 12 hex digits of its hash), or a date is invalid. */
int article_finish(struct article *a, struct article_error *err);

/* The article document: the writable fields only, the form stored in *.json.
 * Caller owns the tree; NULL on OOM. */
cJSON *article_to_json(const struct article *a);

/* Builds an article from a JSON document, validating types, lengths and field
 * names: an unknown field is an error; the read-only fields of a served article
 * (slug, word_count, reading_time_minutes, links, annotations) are accepted
 * and ignored so a client can send back what it got. NULL with err set. */
struct article *article_from_json(const cJSON *doc, struct article_error *err);

/* True when both articles hold the same fields (derived ones included). */
bool article_equal(const struct article *a, const struct article *b);

#endif
