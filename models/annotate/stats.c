#include "models/annotate/stats.h"
#include "models/hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEYWORD_MIN_LEN 4

struct counted {
    uint64_t hash; /* 0: empty */
    const char *key;
    size_t len;
    size_t count, first;
};

size_t
stats_count_words(const struct text_token *tokens, size_t n)
{
    size_t words = 0;
    for (size_t i = 0; i < n; i++)
        words += tokens[i].kind == TEXT_WORD || tokens[i].kind == TEXT_NUMBER;
    return words;
}

unsigned
stats_reading_time(size_t words)
{
    return (unsigned)((words + STATS_WORDS_PER_MINUTE - 1) / STATS_WORDS_PER_MINUTE);
}

static uint64_t
hash_key(const char *s, size_t len)
{
    uint64_t h = hash_fnv1a(s, len);
    return h ? h : 1;
}

/* Better first: higher count, then earlier. */
static int
cmp_counted(const void *pa, const void *pb)
{
    const struct counted *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

int
stats_compute(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
              struct stats *out)
{
    memset(out, 0, sizeof *out);
    size_t total = 0, bytes = 0;
    for (size_t i = 0; i < nblocks; i++) {
        out->words += stats_count_words(blocks[i].tokens, blocks[i].ntokens);
        total += blocks[i].ntokens;
        bytes += blocks[i].len;
    }
    out->reading_time_minutes = stats_reading_time(out->words);
    size_t cap = 16;
    while (cap < total * 2)
        cap *= 2;
    struct counted *table = calloc(cap, sizeof *table);
    char *keys = malloc(bytes + 1); /* a folded word is never longer than the word */
    int rc = -1;
    if (!table || !keys)
        goto done;
    size_t used = 0, order = 0;
    for (size_t i = 0; i < nblocks; i++) {
        const struct text_block *b = &blocks[i];
        for (size_t k = 0; k < b->ntokens; k++) {
            const struct text_token *t = &b->tokens[k];
            if (t->kind != TEXT_WORD || t->end - t->start < KEYWORD_MIN_LEN)
                continue;
            if (b->classes && (b->classes[k] & (GAZ_COMMON | GAZ_SPEECH)))
                continue;
            char *key = keys + used;
            size_t len =
                text_fold(b->text + t->start, t->end - t->start, key, t->end - t->start + 1);
            if (len < KEYWORD_MIN_LEN ||
                (gazetteer_classes(g, key, len) & (GAZ_COMMON | GAZ_SPEECH)))
                continue;
            uint64_t h = hash_key(key, len);
            size_t j = (size_t)h & (cap - 1);
            while (table[j].hash && !(table[j].hash == h && table[j].len == len &&
                                      memcmp(table[j].key, key, len) == 0))
                j = (j + 1) & (cap - 1);
            if (!table[j].hash) {
                table[j] = (struct counted){h, key, len, 0, order};
                used += len;
            }
            table[j].count++;
            order++;
        }
    }
    size_t n = 0;
    for (size_t j = 0; j < cap; j++)
        if (table[j].hash)
            table[n++] = table[j];
    qsort(table, n, sizeof *table, cmp_counted);
    for (size_t j = 0; j < n && out->nkeywords < STATS_MAX_KEYWORDS; j++) {
        if (table[j].count < 2 && out->nkeywords >= 3)
            break;
        char *kw = malloc(table[j].len + 1);
        if (!kw)
            goto done;
        memcpy(kw, table[j].key, table[j].len);
        kw[table[j].len] = '\0';
        out->keywords[out->nkeywords++] = kw;
    }
    rc = 0;
done:
    free(table);
    free(keys);
    return rc;
}

void
stats_free(struct stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nkeywords; i++)
        free(s->keywords[i]);
    memset(s, 0, sizeof *s);
}
