/* annotate: entities, quotes, dates and statistics for one article.
 *
 * The annotator is built once (gazetteers parsed from the embedded data files)
 * and is read-only afterwards, so any number of threads may call annotator_run
 * on it at once. annotator_run is a pure function of its input: no I/O, no
 * globals, deterministic. It knows nothing of files, HTTP or the article model:
 * the caller hands it the article's text blocks in reading order. */
#ifndef ARTICLED_ANNOTATE_H
#define ARTICLED_ANNOTATE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* One text block, borrowed for the duration of the call. */
struct annotate_block {
    const char *kind; /* "headline", "standfirst", "paragraph", "subheading", "caption", "alt" */
    const char *text; /* UTF-8, not necessarily NUL-terminated */
    size_t len;       /* bytes */
    int body_index;   /* position in the article's body array, -1 for headline/standfirst */
};

struct annotate_input {
    const struct annotate_block *blocks;
    size_t nblocks;
    const char *published; /* "YYYY-MM-DD" or a longer ISO 8601 date-time; NULL if unknown */
};

struct annotator;
struct annotations;

/* Builds an annotator from the embedded gazetteers. Returns NULL and sets
 * *errstr (static string) when a gazetteer is malformed or memory runs out. */
struct annotator *annotator_new(const char **errstr);
void annotator_free(struct annotator *a);

/* Annotates one article. Returns a new annotations value the caller frees with
 * annotations_free, or NULL when memory runs out. */
struct annotations *annotator_run(const struct annotator *a, const struct annotate_input *in);
void annotations_free(struct annotations *an);

/* Words in the article (as stats.words counts them: word and number tokens). */
size_t annotations_words(const struct annotations *an);

/* The annotations as the API publishes them (see docs/annotations.md):
 * {"blocks": [...], "entities": [...], "quotes": [...], "dates": [...], "stats": {...}}.
 * Offsets are code points into each block's text, end exclusive. The caller owns
 * the returned tree (cJSON_Delete); NULL when memory runs out. */
cJSON *annotations_to_json(const struct annotations *an);

#endif
