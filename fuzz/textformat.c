/* Fuzz target: the plain article format, then the JSON document round trip.
 *
 * Any bytes may reach textformat_parse (a file in the content directory, a
 * text/plain PUT). An article it accepts must survive article_to_json and
 * article_from_json unchanged: what the store writes, it must read back.
 *
 * FUZZ_TOLERATE (environment) lists, separated by `|`, parts of the messages
 * of known, reported refusals ("contains a control character|longer than")
 * that are not counted again, so a long run can look past them for others. */
#include "models/article.h"
#include "models/textformat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when message holds one of the `|`-separated parts of FUZZ_TOLERATE. */
static bool
tolerated(const char *message)
{
    const char *list = getenv("FUZZ_TOLERATE");
    while (list && *list) {
        size_t n = strcspn(list, "|");
        for (const char *m = message; n > 0 && *m; m++)
            if (strncmp(m, list, n) == 0)
                return true;
        list += n + (list[n] == '|');
    }
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct article_error err;
    struct article *a = textformat_parse((const char *)data, size, &err);
    if (!a)
        return 0;
    cJSON *doc = article_to_json(a);
    if (!doc)
        abort(); /* no allocation fails under the fuzzer: a NULL is a bug */
    struct article *back = article_from_json(doc, &err);
    if (!back) {
        if (tolerated(err.message)) {
            cJSON_Delete(doc);
            article_free(a);
            return 0;
        }
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
