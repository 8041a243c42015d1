/* Fuzz target: search queries (GET /v1/articles?q=...).
 *
 * The index is built once from the sample articles (data/articles, or the
 * directory in ARTICLED_FUZZ_DATA) and is read-only afterwards, as in the
 * server. Each input is a query: parsed, run, and for every hit its snippets
 * made and rendered. Hits must come sorted as search.h promises. */
#include "models/search.h"
#include "models/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store_result loaded;
static struct search_index *idx;

static void
free_index(void)
{
    search_free(idx);
    store_result_free(&loaded);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("ARTICLED_FUZZ_DATA");
    const char *errstr = NULL;
    if (!dir)
        dir = "data/articles";
    if (store_load(dir, 1 << 20, NULL, &loaded, &errstr) != 0 || loaded.n == 0) {
        fprintf(stderr, "search fuzzer: no articles in %s: %s\n", dir, errstr ? errstr : "");
        exit(1);
    }
    idx = search_build((const struct article *const *)loaded.articles, loaded.n);
    if (!idx) {
        fprintf(stderr, "search fuzzer: search_build failed\n");
        exit(1);
    }
    atexit(free_index);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    if (!q)
        abort();
    memcpy(q, data, size);
    q[size] = '\0';
    char err[256];
    struct search_query *sq = search_parse(q, err, sizeof err);
    free(q);
    if (!sq)
        return 0;
    struct search_hit *hits = NULL;
    size_t n = 0;
    if (search_run(idx, sq, &hits, &n) != 0)
        abort(); /* no allocation fails under the fuzzer */
    for (size_t i = 0; i < n; i++) {
        if (hits[i].article >= loaded.n)
            abort();
        if (i > 0 && (hits[i - 1].score < hits[i].score ||
                      (hits[i - 1].score == hits[i].score &&
                       hits[i - 1].article >= hits[i].article)))
            abort();
        struct search_snippet *snip = NULL;
        size_t ns = 0;
        if (search_snippets(idx, sq, hits[i].article, 3, &snip, &ns) != 0)
            abort();
        struct strbuf out;
        strbuf_init(&out, 256);
        search_snippets_print(snip, ns, &out);
        cJSON *json = out.failed ? NULL : cJSON_Parse(out.data);
        if (!json) /* what is printed must be JSON */
            abort();
        cJSON_Delete(json);
        strbuf_free(&out);
        search_snippets_free(snip, ns);
    }
    free(hits);
    search_query_free(sq);
    return 0;
}
