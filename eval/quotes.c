/* eval/quotes: scores direct quotes and their speakers on PolNeAR dev gold
 * (../shared/gold/quotes-polnear-dev.jsonl, or argv[1]).
 *
 * Each article is fed as blocks split at blank lines (the first block
 * "headline", the rest "paragraph"; no publication date). A gold direct quote
 * is an attribution's content span that starts with a quote mark; its speaker
 * is the attribution's source span. Scores:
 * - span precision, recall and F1: a quote of ours is right when its span
 *   equals a gold direct quote's span exactly (code points);
 * - speaker accuracy, over the quotes whose span matched: right when our
 *   speaker mention overlaps the gold source span, or when our speaker's
 *   canonical name ends with the surname a named gold source gives (the last
 *   word of a source that is not a pronoun, when it is capitalised).
 * Prints markdown table rows: | eval | metric | value |. With -v, lists misses
 * and wrong speakers on stderr. */
#include "models/annotate/annotate.h"
#include "models/utf8.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "../shared/gold/quotes-polnear-dev.jsonl"

struct gold_quote {
    size_t start, end;         /* content span */
    size_t src_start, src_end; /* source span, src_end == 0 for none */
    const char *source;        /* source text, borrowed from the document */
};

struct totals {
    size_t gold, found, matched, speaker_ok, overlap, overlap_speaker_ok;
};

static bool verbose;

static const char *const pronouns[] = {"he", "she", "they", "it",    "we",
                                       "i",  "you", "who",  "which", NULL};

static bool
starts_with_quote_mark(const char *s)
{
    return s[0] == '"' || strncmp(s, "\xE2\x80\x9C", 3) == 0 || strncmp(s, "\xE2\x80\x9D", 3) == 0;
}

/* The surname a named source gives: its last word when capitalised and the
 * source is not a pronoun; "" otherwise. */
static void
surname(const char *source, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; pronouns[i]; i++)
        if (strcasecmp(source, pronouns[i]) == 0)
            return;
    const char *end = source + strlen(source);
    while (end > source && (end[-1] == ' ' || end[-1] == ',' || end[-1] == '.'))
        end--;
    const char *w = end;
    while (w > source && w[-1] != ' ')
        w--;
    if (end - w < 2 || !(w[0] >= 'A' && w[0] <= 'Z') || (size_t)(end - w) >= cap)
        return;
    memcpy(out, w, (size_t)(end - w));
    out[end - w] = '\0';
}

static bool
ends_with_word(const char *name, const char *word)
{
    size_t n = strlen(name), w = strlen(word);
    return w > 0 && n >= w && strcmp(name + n - w, word) == 0 &&
           (n == w || name[n - w - 1] == ' ' || name[n - w - 1] == '-');
}

static bool
read_span(const cJSON *arr, size_t *s, size_t *e, const char **text)
{
    const cJSON *first = cJSON_GetArrayItem(arr, 0);
    if (!cJSON_IsArray(first) || cJSON_GetArraySize(first) < 3)
        return false;
    const cJSON *a = cJSON_GetArrayItem(first, 0), *b = cJSON_GetArrayItem(first, 1),
                *t = cJSON_GetArrayItem(first, 2);
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsString(t))
        return false;
    *s = (size_t)a->valuedouble;
    *e = (size_t)b->valuedouble;
    *text = t->valuestring;
    return true;
}

static int
score(const struct annotator *an_, const cJSON *doc, struct totals *tot)
{
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(doc, "text");
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(doc, "attributions");
    if (!cJSON_IsString(jt) || !cJSON_IsArray(ja))
        return -1;
    const char *text = jt->valuestring;
    size_t len = strlen(text);
    struct gold_quote *gold = NULL;
    size_t ng = 0, cg = 0;
    struct annotate_block *blocks = NULL;
    size_t *cp_base = NULL, nb = 0, cb = 0;
    struct annotations *an = NULL;
    cJSON *out = NULL;
    int rc = -1;
    const cJSON *att;
    cJSON_ArrayForEach(att, ja)
    {
        size_t ss = 0, se = 0;
        const char *src = "";
        bool has_src = read_span(cJSON_GetObjectItemCaseSensitive(att, "source"), &ss, &se, &src);
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(att, "content"))
        {
            const cJSON *a = cJSON_GetArrayItem(c, 0), *b = cJSON_GetArrayItem(c, 1),
                        *t = cJSON_GetArrayItem(c, 2);
            if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsString(t))
                goto done;
            if (!starts_with_quote_mark(t->valuestring))
                continue;
            if (ng == cg) {
                cg = cg ? cg * 2 : 32;
                struct gold_quote *v = realloc(gold, cg * sizeof *v);
                if (!v)
                    goto done;
                gold = v;
            }
            gold[ng++] =
                (struct gold_quote){(size_t)a->valuedouble, (size_t)b->valuedouble,
                                    has_src ? ss : 0, has_src ? se : 0, has_src ? src : ""};
        }
    }
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && !(text[j] == '\n' && j + 1 < len && text[j + 1] == '\n'))
            j++;
        if (j > i) {
            if (nb == cb) {
                cb = cb ? cb * 2 : 32;
                struct annotate_block *v = realloc(blocks, cb * sizeof *v);
                size_t *cpb = realloc(cp_base, cb * sizeof *cpb);
                if (v)
                    blocks = v;
                if (cpb)
                    cp_base = cpb;
                if (!v || !cpb)
                    goto done;
            }
            blocks[nb] = (struct annotate_block){nb == 0 ? "headline" : "paragraph", text + i,
                                                 j - i, nb == 0 ? -1 : (int)nb - 1};
            cp_base[nb] = utf8_cp_count(text, i);
            nb++;
        }
        i = j;
        while (i < len && text[i] == '\n')
            i++;
    }
    struct annotate_input in = {blocks, nb, NULL};
    an = annotator_run(an_, &in);
    out = an ? annotations_to_json(an) : NULL;
    if (!out)
        goto done;
    tot->gold += ng;
    const cJSON *q;
    cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(out, "quotes"))
    {
        tot->found++;
        size_t b = (size_t)cJSON_GetObjectItemCaseSensitive(q, "block")->valuedouble;
        size_t s = cp_base[b] + (size_t)cJSON_GetObjectItemCaseSensitive(q, "start")->valuedouble;
        size_t e = cp_base[b] + (size_t)cJSON_GetObjectItemCaseSensitive(q, "end")->valuedouble;
        const struct gold_quote *exact = NULL, *over = NULL;
        for (size_t k = 0; k < ng; k++) {
            if (gold[k].start == s && gold[k].end == e)
                exact = &gold[k];
            if (!over && gold[k].start < e && s < gold[k].end)
                over = &gold[k];
        }
        if (!exact && !over) {
            if (verbose)
                fprintf(stderr, "SPURIOUS %s\n",
                        cJSON_GetObjectItemCaseSensitive(q, "text")->valuestring);
            continue;
        }
        const struct gold_quote *g = exact ? exact : over;
        bool ok = false;
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(q, "speaker");
        const char *our = "-";
        if (cJSON_IsObject(sp)) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(sp, "mention");
            size_t mb = (size_t)cJSON_GetObjectItemCaseSensitive(m, "block")->valuedouble;
            size_t ms =
                cp_base[mb] + (size_t)cJSON_GetObjectItemCaseSensitive(m, "start")->valuedouble;
            size_t me =
                cp_base[mb] + (size_t)cJSON_GetObjectItemCaseSensitive(m, "end")->valuedouble;
            our = cJSON_GetObjectItemCaseSensitive(m, "text")->valuestring;
            if (g->src_end > 0 && ms < g->src_end && g->src_start < me)
                ok = true;
            char sur[128];
            surname(g->source, sur, sizeof sur);
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(sp, "name");
            if (!ok && sur[0] && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sp, "entity")) &&
                ends_with_word(name->valuestring, sur))
                ok = true;
        }
        if (exact) {
            tot->matched++;
            tot->speaker_ok += ok;
        } else if (verbose) {
            fprintf(stderr, "SPAN ours %s\n",
                    cJSON_GetObjectItemCaseSensitive(q, "text")->valuestring);
        }
        tot->overlap++;
        tot->overlap_speaker_ok += ok;
        if (!ok && verbose)
            fprintf(stderr, "SPEAKER gold [%s] ours [%s] in %.60s\n", g->source, our,
                    cJSON_GetObjectItemCaseSensitive(q, "text")->valuestring);
    }
    rc = 0;
done:
    cJSON_Delete(out);
    annotations_free(an);
    free(blocks);
    free(cp_base);
    free(gold);
    return rc;
}

static double
pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

int
main(int argc, char **argv)
{
    const char *path = DEFAULT_PATH;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else
            path = argv[i];
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "quotes: cannot read %s\n", path);
        return 1;
    }
    const char *err = NULL;
    struct annotator *a = annotator_new(&err);
    if (!a) {
        fprintf(stderr, "quotes: %s\n", err);
        fclose(f);
        return 1;
    }
    struct totals t = {0};
    size_t docs = 0, cap = 0;
    char *line = NULL;
    ssize_t n;
    int status = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        const char *end = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(line, (size_t)n + 1, &end, 0);
        if (!doc || score(a, doc, &t) < 0) {
            fprintf(stderr, "quotes: %s: bad document %zu\n", path, docs + 1);
            status = 1;
        }
        cJSON_Delete(doc);
        docs++;
    }
    free(line);
    fclose(f);
    annotator_free(a);
    double p = pct(t.matched, t.found), r = pct(t.matched, t.gold);
    printf("| quotes, %zu articles | direct-quote span precision / recall / F1 (exact) | %.1f / "
           "%.1f / %.1f |\n",
           docs, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0);
    printf("| quotes, %zu articles | speaker accuracy (exact-span matches, %zu) | %.1f |\n", docs,
           t.matched, pct(t.speaker_ok, t.matched));
    printf("| quotes, %zu articles | speaker accuracy (overlapping quotes, %zu) | %.1f |\n", docs,
           t.overlap, pct(t.overlap_speaker_ok, t.overlap));
    return status;
}
