/* stemmer: libstemmer through dlopen (see stemmer.h). Owns the library's
 * handle and function pointers, set once and kept until exit. */
#include "models/stemmer.h"

#include <dlfcn.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>

#define STEMMER_LIBRARY "libstemmer.so.0d"

static struct {
    struct sb_stemmer *(*create)(const char *algorithm, const char *charenc);
    void (*destroy)(struct sb_stemmer *st);
    const sb_symbol *(*stem)(struct sb_stemmer *st, const sb_symbol *word, int size);
    int (*length)(struct sb_stemmer *st);
} sb;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void
load(void)
{
    void *h = dlopen(STEMMER_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (h) {
        *(void **)&sb.create = dlsym(h, "sb_stemmer_new");
        *(void **)&sb.destroy = dlsym(h, "sb_stemmer_delete");
        *(void **)&sb.stem = dlsym(h, "sb_stemmer_stem");
        *(void **)&sb.length = dlsym(h, "sb_stemmer_length");
    }
    if (!h || !sb.create || !sb.destroy || !sb.stem || !sb.length) {
        snprintf(load_error, sizeof load_error, "the stemmer (%s) could not be loaded: %s",
                 STEMMER_LIBRARY, h ? "a symbol is missing" : dlerror());
        sb.create = NULL;
    }
}

struct sb_stemmer *
stemmer_new(const char **why)
{
    pthread_once(&load_once, load);
    if (!sb.create) {
        *why = load_error;
        return NULL;
    }
    struct sb_stemmer *st = sb.create("english", "UTF_8");
    if (!st)
        *why = "out of memory";
    return st;
}

void
stemmer_free(struct sb_stemmer *st)
{
    if (st)
        sb.destroy(st);
}

const char *
stemmer_stem(struct sb_stemmer *st, const char *word, size_t len, size_t *out_len)
{
    const sb_symbol *s = sb.stem(st, (const sb_symbol *)word, (int)len);
    if (!s)
        return NULL;
    *out_len = (size_t)sb.length(st);
    return (const char *)s;
}
