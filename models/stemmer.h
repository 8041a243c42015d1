#ifndef ARTICLED_STEMMER_H
#define ARTICLED_STEMMER_H
/* stemmer: Snowball's English stemmer (libstemmer), loaded on first use.
 *
 * libstemmer relocates its tables when it is mapped (about 0.65 MB of
 * resident pages), and only search uses it: a server is searched long after
 * start-up, if ever. So the library is dlopened by the first stemmer_new
 * instead of linked. Thread-safe; a stemmer itself serves one thread at a time. */
#include <stddef.h>

struct sb_stemmer;

/* A new English (UTF-8) stemmer, or NULL with *why a sentence: the library
 * (libstemmer.so.0d, Debian's libstemmer0d) is missing, or no memory. */
struct sb_stemmer *stemmer_new(const char **why);
void stemmer_free(struct sb_stemmer *st);

/* The stem of word[0..len), valid until the next call on st, its length in
 * *out_len; NULL on allocation failure. */
const char *stemmer_stem(struct sb_stemmer *st, const char *word, size_t len, size_t *out_len);

#endif
