/* dates: temporal expressions in one block of text, with TimeML-style values.
 *
 * Pure: no I/O, no globals, thread-safe. Offsets are BYTE offsets into the
 * block's text (annotate.c converts them to code points for the API). */
#ifndef ARTICLED_DATES_H
#define ARTICLED_DATES_H

#include <stdbool.h>
#include <stddef.h>

/* The anchor that relative expressions ("on Tuesday", "last year") resolve
 * against: the article's publication date. */
struct dates_anchor {
    int year, month, day; /* month 1-12, day 1-31 */
};

struct date_mention {
    size_t start, end; /* byte offsets, end exclusive */
    char type[9];      /* "DATE", "TIME", "DURATION" or "SET" */
    char value[32];    /* TimeML value ("2019-01-08", "2018", "2019-W01", "P3D"),
                          or "" when it cannot be resolved (no anchor, say) */
};

/* Parses "YYYY-MM-DD" or a longer ISO 8601 date-time starting with it.
 * Returns false when s is NULL or not such a date. */
bool dates_parse_anchor(const char *s, struct dates_anchor *out);

/* Finds the temporal expressions in text[0..len). anchor may be NULL: values
 * that need it are then "". Returns the number found and sets *out to a new
 * array the caller frees (NULL when none); returns (size_t)-1 on allocation failure. */
size_t dates_find(const char *text, size_t len, const struct dates_anchor *anchor,
                  struct date_mention **out);

#endif
