/* textformat: the plain article format (docs/article-format.md) into an article.
 *
 * Pure: parses a buffer, no I/O. Text is kept as written; only line ends,
 * a byte-order mark and trailing blanks are normalised. */
#ifndef ARTICLED_TEXTFORMAT_H
#define ARTICLED_TEXTFORMAT_H

#include "models/article.h"

#include <stddef.h>

/* Parses buf[0..len) (bytes as read from a file). Input that is not valid UTF-8
 * is decoded as Windows-1252 (which covers Latin-1) and err->warning says so.
 * Returns a new, finished article (article_free), or NULL with err->field
 * ("line N" where it applies) and err->message set: an empty input, NUL bytes,
 * an unclosed or malformed front matter, a bad date or id. */
struct article *textformat_parse(const char *buf, size_t len, struct article_error *err);

#endif
