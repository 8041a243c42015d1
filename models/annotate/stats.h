/* stats: word count, reading time and keywords of an article.
 *
 * Words are the tokens of text.h that are words or numbers ("Jong-un",
 * "1.4", "don’t" are one word each; punctuation is none). Reading time is
 * the word count at STATS_WORDS_PER_MINUTE (230, a common figure for adults
 * reading news on screen), rounded up, and at least one minute for any text.
 * Keywords are the most frequent words of four letters or more that are not
 * common words (common_words.tsv), ties broken by first appearance, folded to
 * lowercase; at most STATS_MAX_KEYWORDS. */
#ifndef ARTICLED_STATS_H
#define ARTICLED_STATS_H

#include "models/annotate/gazetteer.h"
#include "models/annotate/text.h"

#include <stddef.h>

#define STATS_WORDS_PER_MINUTE 230
#define STATS_MAX_KEYWORDS 8

struct stats {
    size_t words;
    unsigned reading_time_minutes;
    char *keywords[STATS_MAX_KEYWORDS]; /* NUL-terminated, owned */
    size_t nkeywords;
};

/* Words among tokens[0..n). */
size_t stats_count_words(const struct text_token *tokens, size_t n);

/* Minutes to read words words: ceil(words / STATS_WORDS_PER_MINUTE), 0 for none. */
unsigned stats_reading_time(size_t words);

/* Fills *out for an article's tokenised blocks. Returns 0, or -1 when memory
 * runs out; free with stats_free either way. */
int stats_compute(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
                  struct stats *out);

void stats_free(struct stats *s);

#endif
