/* Fuzz target: a JSON article document (a *.json file, a POST or PUT body),
 * then the same round trip as fuzz/textformat.c: a document the store accepts
 * must serialise and parse back to an equal article. */
#include "models/article.h"
#include "models/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct article_error err;
    struct article *a = store_parse_json((const char *)data, size, &err);
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
