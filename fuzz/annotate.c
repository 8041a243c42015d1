/* Fuzz target: the annotator on arbitrary text (POST /v1/annotate, and every
 * article the store loads).
 *
 * The input is split into blocks at newlines: the first is the headline, the
 * second the standfirst, the rest body blocks whose kind rotates through
 * paragraph, subheading, caption and alt. Each input runs with and without a
 * publication date (relative dates resolve only with one), and the result is
 * rendered as the API would. The annotator is built once: it is read-only. */
#include "models/annotate/annotate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct annotator *annotator;

static void
free_annotator(void)
{
    annotator_free(annotator);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *err = NULL;
    annotator = annotator_new(&err);
    if (!annotator) {
        fprintf(stderr, "annotator_new: %s\n", err ? err : "?");
        exit(1);
    }
    atexit(free_annotator);
    return 0;
}

static void
run(const struct annotate_input *in)
{
    struct annotations *an = annotator_run(annotator, in);
    if (!an)
        abort(); /* no allocation fails under the fuzzer */
    (void)annotations_words(an);
    cJSON *json = annotations_to_json(an);
    if (!json)
        abort();
    char *text = cJSON_PrintUnformatted(json);
    if (!text)
        abort();
    free(text);
    cJSON_Delete(json);
    annotations_free(an);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const body_kinds[] = {"paragraph", "subheading", "caption", "alt"};
    const char *text = (const char *)data;
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += text[i] == '\n';
    struct annotate_block *blocks = calloc(n, sizeof *blocks);
    if (!blocks)
        abort();
    size_t start = 0, b = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text[i] != '\n')
            continue;
        struct annotate_block *blk = &blocks[b];
        blk->text = text + start;
        blk->len = i - start;
        if (b == 0) {
            blk->kind = "headline";
            blk->body_index = -1;
        } else if (b == 1) {
            blk->kind = "standfirst";
            blk->body_index = -1;
        } else {
            blk->kind = body_kinds[(b - 2) % 4];
            blk->body_index = (int)(b - 2);
        }
        b++;
        start = i + 1;
    }
    struct annotate_input in = {blocks, n, NULL};
    run(&in);
    in.published = "2019-01-08T09:30:00Z";
    run(&in);
    free(blocks);
    return 0;
}
