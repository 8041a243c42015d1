/* Fuzz target: JSON Merge Patch (the PATCH route).
 *
 * The input is two JSON texts, the target and the patch, split at the first
 * NUL byte (no NUL: the whole input patches an empty object). Both go through
 * store_json_parse as a request body would; the merged document must then be
 * judged by article_from_json without a crash, and an article it accepts must
 * survive the JSON round trip. */
#include "models/article.h"
#include "models/mergepatch.h"
#include "models/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    const char *nul = memchr(buf, '\0', size);
    struct article_error err;
    cJSON *target, *patch;
    if (nul) {
        target = store_json_parse(buf, (size_t)(nul - buf), &err);
        patch = store_json_parse(nul + 1, size - (size_t)(nul - buf) - 1, &err);
    } else {
        target = cJSON_CreateObject();
        patch = store_json_parse(buf, size, &err);
    }
    if (!target || !patch) {
        cJSON_Delete(target);
        cJSON_Delete(patch);
        return 0;
    }
    cJSON *merged = mergepatch_apply(target, patch);
    cJSON_Delete(patch);
    if (!merged)
        abort(); /* no allocation fails under the fuzzer */
    struct article *a = article_from_json(merged, &err);
    cJSON_Delete(merged);
    if (!a)
        return 0;
    cJSON *doc = article_to_json(a);
    if (!doc)
        abort();
    struct article *back = article_from_json(doc, &err);
    if (!back) {
        fprintf(stderr, "round trip refused at %s: %s\n", err.field, err.message);
        abort();
    }
    if (!article_equal(a, back)) {
        fprintf(stderr, "round trip changed the article %s\n", a->id);
        abort();
    }
    article_free(back);
    cJSON_Delete(doc);
    article_free(a);
    return 0;
}
