/* strbuf: a growable byte buffer for assembling responses from fragments.
 *
 * After any failed append the buffer is marked failed and further appends do
 * nothing, so a caller checks once at the end (strbuf_take returns NULL). */
#ifndef ARTICLED_STRBUF_H
#define ARTICLED_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *data;
    size_t len, cap;
    bool failed;
};

void strbuf_init(struct strbuf *b, size_t initial);
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
/* printf-style append. */
void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void strbuf_add_json_string(struct strbuf *b, const char *s);
/* Hands the NUL-terminated bytes to the caller (free) and resets b; NULL if an append failed. */
char *strbuf_take(struct strbuf *b, size_t *len);
void strbuf_free(struct strbuf *b);

#endif
