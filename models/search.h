/* search: an in-memory full-text index over articles, BM25 ranking and
 * highlighted snippets (docs/search.md).
 *
 * The index is built once per catalog snapshot and never changes afterwards:
 * any number of threads may run queries against it at the same time without
 * locks. It borrows the articles (the snapshot owns them and outlives it).
 * A parsed query is a plain value owned by its caller; it holds no stemmer
 * and no pointer into any index, so one query may run against any index and
 * from several threads.
 *
 * Text is matched as words: runs of letters and digits, joined across an
 * apostrophe between letters, case folded, Latin diacritics folded (U+00C0 to
 * U+024F and U+1E00 to U+1EFF; ß is ss, æ ae, œ oe, curly apostrophes are
 * straight) and stemmed with the Snowball English stemmer (libstemmer). */
#ifndef ARTICLED_SEARCH_H
#define ARTICLED_SEARCH_H

#include "models/article.h"
#include "models/strbuf.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Bounds on a query, checked by search_parse. */
#define SEARCH_QUERY_MAX_BYTES 512
#define SEARCH_QUERY_MAX_TERMS 32
/* A snippet holds about this many code points, cut at word boundaries. */
#define SEARCH_SNIPPET_CHARS 160

/* The indexed fields, in the order their weights apply: headline 3,
 * standfirst 1.5, body (paragraphs and subheadings) 1, captions (caption and
 * alt text of images) 0.5. */
enum search_field { SEARCH_HEADLINE, SEARCH_STANDFIRST, SEARCH_BODY, SEARCH_CAPTION };

struct search_index;
struct search_query;

struct search_hit {
    size_t article; /* index into the articles given to search_build */
    double score;   /* BM25, higher is better */
};

/* A highlighted term: code points into the snippet text, end exclusive. */
struct search_mark {
    size_t start, end;
};

struct search_snippet {
    enum search_field field;
    size_t block;              /* index into article->body for body and captions; 0 otherwise */
    char *text;                /* owned; "…" marks a cut at either end */
    struct search_mark *marks; /* owned; in text order */
    size_t nmarks;
};

/* Builds the index of n articles. Copies the array of pointers but borrows the
 * articles: they must outlive the index and not change. Returns NULL on
 * allocation failure (or when the stemmer cannot be created). */
struct search_index *search_build(const struct article *const *articles, size_t n);

void search_free(struct search_index *idx);

/* Bytes of memory held by the index (not counting the articles). */
size_t search_memory(const struct search_index *idx);

/* Parses a query: words (all must match), "phrases" (straight or curly double
 * quotes), -word and -"phrase" (must not match), and OR between two terms or
 * phrases (either may match; OR binds tighter than the implicit AND, so
 * `a b OR c` is a AND (b OR c)). A word that holds several words (jong-un,
 * U.S.) is a phrase. Returns a new query (search_query_free), or NULL with a
 * sentence for a person in err: invalid UTF-8, more than SEARCH_QUERY_MAX_BYTES
 * bytes or SEARCH_QUERY_MAX_TERMS words, an unbalanced quote, a dangling OR,
 * nothing to search for, only exclusions, or no memory. */
struct search_query *search_parse(const char *q, char *err, size_t errlen);

void search_query_free(struct search_query *q);

/* Runs q against idx: *out gets every matching article with its score, sorted
 * by score descending then article index ascending, and *n their number. The
 * caller frees *out (NULL when *n is 0). Returns 0, or -1 on allocation
 * failure (*out NULL, *n 0). */
int search_run(const struct search_index *idx, const struct search_query *q,
               struct search_hit **out, size_t *n);

/* Up to max snippets of article number `article` of idx showing why it
 * matched q, the best first: the most distinct query terms, then the most
 * marks, then the earlier text. Each is about SEARCH_SNIPPET_CHARS code
 * points of one headline, standfirst, body block or caption. *out (free with
 * search_snippets_free) gets them and *n their number; an article that does
 * not match gets none. Returns 0, or -1 on allocation failure (*out NULL, *n 0). */
int search_snippets(const struct search_index *idx, const struct search_query *q, size_t article,
                    size_t max, struct search_snippet **out, size_t *n);

void search_snippets_free(struct search_snippet *s, size_t n);

/* Appends the snippets to out as a JSON array of {"field", "block", "text",
 * "highlights": [{"start", "end"}]}; block only for body and caption. Printed
 * directly, as every list item is (a failed append marks out failed). */
void search_snippets_print(const struct search_snippet *s, size_t n, struct strbuf *out);

/* "headline", "standfirst", "body" or "caption". */
const char *search_field_name(enum search_field f);

#endif
