/* utf8: validation, decoding and offset conversion for UTF-8 text.
 *
 * Pure functions over borrowed buffers; nothing here allocates except
 * utf8_from_cp1252, whose result the caller frees. Offsets named "byte" count
 * bytes, offsets named "cp" count Unicode code points (what the API reports). */
#ifndef ARTICLED_UTF8_H
#define ARTICLED_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF). On false, *bad (if not NULL) is the byte offset of the first
 * invalid sequence. NUL bytes are valid UTF-8; callers that forbid them check. */
bool utf8_valid(const char *s, size_t len, size_t *bad);

/* Decodes the code point at s[*i] and advances *i past it. On an invalid
 * sequence returns U+FFFD and advances by one byte, so loops always progress. */
uint32_t utf8_next(const char *s, size_t len, size_t *i);

/* Writes cp as UTF-8 into out (at least 4 bytes); returns the byte count. */
size_t utf8_encode(uint32_t cp, char *out);

/* Number of code points in s[0..len). */
size_t utf8_cp_count(const char *s, size_t len);

/* Byte offset of code point number cp in s[0..len); len when cp is past the end. */
size_t utf8_byte_offset(const char *s, size_t len, size_t cp);

/* True for a letter or digit of any script: ASCII alphanumerics, and every
 * code point above U+007F outside the Latin-1, general, CJK and full-width
 * punctuation and symbol blocks (a coarse rule, enough to tell text from
 * punctuation without Unicode tables). */
bool utf8_is_word(uint32_t cp);

/* True when s[0..len) holds at least one utf8_is_word code point. */
bool utf8_has_word(const char *s, size_t len);

/* The lowercase ASCII letters a Latin letter folds to: the base letters of
 * its canonical decomposition, ligatures spelt out (Æ ae, ß ss, Þ th, Œ oe,
 * Ĳ ij), generated from the Unicode data. "" for a letter without one (kept
 * as written), for × and ÷, and for any code point outside the tables
 * (utf8_in_latin_fold: U+00C0-U+024F and U+1E00-U+1EFF). The one fold of
 * Latin letters: slugs, the annotator's keys and the search index use it. */
const char *utf8_fold_latin(uint32_t cp);
bool utf8_in_latin_fold(uint32_t cp);

/* Decodes Windows-1252 (a superset of Latin-1 for printable text) into a new
 * NUL-terminated UTF-8 string; *out_len gets its length. NULL on allocation failure. */
char *utf8_from_cp1252(const char *s, size_t len, size_t *out_len);

#endif
