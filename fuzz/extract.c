/* Fuzz target: the HTML extractor (POST /v1/articles with a URL or a page).
 *
 * Any page may arrive from the web. The declared charset varies with the
 * input's length, so the meta-charset, UTF-8 and Windows-1252 paths all run.
 * An extracted article is serialised as it would be stored. */
#include "models/article.h"
#include "models/extract.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const charsets[] = {NULL, NULL, "utf-8", "text/html; charset=ISO-8859-1"};
    struct article_error err;
    struct article *a = extract_html((const char *)data, size, "https://news.example.com/world/a",
                                     charsets[size % 4], &err);
    if (!a)
        return 0;
    cJSON *doc = article_to_json(a);
    if (!doc)
        abort(); /* no allocation fails under the fuzzer */
    cJSON_Delete(doc);
    article_free(a);
    return 0;
}
