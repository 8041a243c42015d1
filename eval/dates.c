/* eval/dates: scores dates_find against TimeML gold (TempEval-3 TBAQ, JSON Lines).
 *
 * Usage: dates [GOLD.jsonl] [-v]
 * Default gold: ../shared/gold/timex-tbaq-dev.jsonl. Each document's text is
 * cut into blocks at blank lines (as the article model does) and every block
 * is annotated with the document's creation date as the anchor; byte offsets
 * are converted to code points of the whole text, which is what the gold counts.
 *
 * Prints markdown table rows (no header): strict and relaxed span precision,
 * recall and F1, and value accuracy over the relaxed-matched spans. With -v,
 * every miss, spurious span, differing span and wrong value goes to stderr. Exit status 1 when
 * the gold cannot be read. */
#include "models/annotate/dates.h"
#include "models/utf8.h"

#include "models/store.h"

#include <fcntl.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct span {
    size_t start, end; /* code points */
    char type[9];
    char value[32];
    char text[64];
    bool used;
};

struct tally {
    size_t gold, found, strict, relaxed, value_ok, type_ok;
    size_t words;
    double seconds;
};

static void
copy_text(char *dst, size_t cap, const char *s, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static size_t
count_words(const char *s, size_t len)
{
    size_t n = 0;
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        bool sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* Runs dates_find over the blocks of text; appends the spans to *sys. */
static int
annotate(const char *text, size_t len, const struct dates_anchor *anchor, struct span **sys,
         size_t *nsys, struct tally *t)
{
    size_t cap = 0;
    *sys = NULL;
    *nsys = 0;
    size_t b = 0;
    while (b < len) {
        /* a block ends at a blank line */
        size_t e = b;
        while (e < len) {
            if (text[e] == '\n') {
                size_t k = e + 1;
                while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r'))
                    k++;
                if (k < len && text[k] == '\n')
                    break;
            }
            e++;
        }
        struct date_mention *m;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        size_t n = dates_find(text + b, e - b, anchor, &m);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        t->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        t->words += count_words(text + b, e - b);
        if (n == (size_t)-1)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (*nsys == cap) {
                cap = cap ? cap * 2 : 16;
                struct span *ns = realloc(*sys, cap * sizeof *ns);
                if (!ns) {
                    free(m);
                    return -1;
                }
                *sys = ns;
            }
            struct span *sp = &(*sys)[(*nsys)++];
            sp->start = utf8_cp_count(text, b + m[i].start);
            sp->end = utf8_cp_count(text, b + m[i].end);
            snprintf(sp->type, sizeof sp->type, "%s", m[i].type);
            snprintf(sp->value, sizeof sp->value, "%s", m[i].value);
            copy_text(sp->text, sizeof sp->text, text + b + m[i].start, m[i].end - m[i].start);
            sp->used = false;
        }
        free(m);
        b = e < len ? e + 1 : e;
    }
    return 0;
}

/* Scores one document. Strict: same span. Relaxed: overlapping, matched one to
 * one in reading order, an exact match preferred. */
static void
score(const char *doc, struct span *gold, size_t ng, struct span *sys, size_t ns, struct tally *t,
      bool verbose)
{
    t->gold += ng;
    t->found += ns;
    for (size_t i = 0; i < ng; i++)
        for (size_t j = 0; j < ns; j++)
            if (gold[i].start == sys[j].start && gold[i].end == sys[j].end)
                t->strict++;
    for (size_t i = 0; i < ng; i++) {
        struct span *g = &gold[i];
        struct span *best = NULL;
        for (size_t j = 0; j < ns; j++) {
            struct span *s = &sys[j];
            if (s->used || s->end <= g->start || s->start >= g->end)
                continue;
            if (!best || (s->start == g->start && s->end == g->end))
                best = s;
        }
        if (!best) {
            if (verbose)
                fprintf(stderr, "MISS %s [%s] %s %s\n", doc, g->text, g->type, g->value);
            continue;
        }
        best->used = true;
        g->used = true;
        t->relaxed++;
        if (verbose && (best->start != g->start || best->end != g->end))
            fprintf(stderr, "SPAN %s [%s]/[%s]\n", doc, g->text, best->text);
        if (strcmp(best->value, g->value) == 0)
            t->value_ok++;
        else if (verbose)
            fprintf(stderr, "VALUE %s [%s]/[%s] gold %s %s, got %s %s\n", doc, g->text, best->text,
                    g->type, g->value, best->type, best->value);
        if (strcmp(best->type, g->type) == 0)
            t->type_ok++;
    }
    if (verbose)
        for (size_t j = 0; j < ns; j++)
            if (!sys[j].used)
                fprintf(stderr, "SPURIOUS %s [%s] %s %s\n", doc, sys[j].text, sys[j].type,
                        sys[j].value);
}

static double
pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static double
f1(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Reads the gold spans of one document; returns -1 on a malformed entry. */
static int
gold_spans(const cJSON *timex, const char *text, size_t len, struct span **out, size_t *n)
{
    size_t cap = (size_t)cJSON_GetArraySize(timex);
    *n = 0;
    *out = calloc(cap ? cap : 1, sizeof **out);
    if (!*out)
        return -1;
    const cJSON *x;
    cJSON_ArrayForEach(x, timex)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(x, "start");
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(x, "end");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(x, "type");
        const cJSON *va = cJSON_GetObjectItemCaseSensitive(x, "value");
        if (!cJSON_IsNumber(st) || !cJSON_IsNumber(en) || st->valuedouble < 0 ||
            en->valuedouble < st->valuedouble)
            return -1;
        struct span *g = &(*out)[(*n)++];
        g->start = (size_t)st->valuedouble;
        g->end = (size_t)en->valuedouble;
        snprintf(g->type, sizeof g->type, "%s", cJSON_IsString(ty) ? ty->valuestring : "");
        snprintf(g->value, sizeof g->value, "%s", cJSON_IsString(va) ? va->valuestring : "");
        size_t bs = utf8_byte_offset(text, len, g->start);
        size_t be = utf8_byte_offset(text, len, g->end);
        copy_text(g->text, sizeof g->text, text + bs, be - bs);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *path = "../shared/gold/timex-tbaq-dev.jsonl";
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else
            path = argv[i];
    }
    size_t len;
    const char *why = NULL;
    char *buf = store_read_file(AT_FDCWD, path, (size_t)1 << 30, &len, &why);
    if (!buf) {
        fprintf(stderr, "dates: cannot read %s\n", path);
        return 1;
    }
    struct tally t = {0};
    size_t docs = 0;
    int rc = 0;
    for (char *line = buf; line < buf + len;) {
        char *nl = memchr(line, '\n', (size_t)(buf + len - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);
        char *next = nl ? nl + 1 : buf + len;
        if (ll == 0) {
            line = next;
            continue;
        }
        cJSON *d = cJSON_ParseWithLengthOpts(line, ll, NULL, 0);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(d, "text");
        const cJSON *dct = cJSON_GetObjectItemCaseSensitive(d, "dct");
        const cJSON *doc = cJSON_GetObjectItemCaseSensitive(d, "doc");
        const cJSON *timex = cJSON_GetObjectItemCaseSensitive(d, "timex");
        if (!cJSON_IsString(text) || !cJSON_IsArray(timex)) {
            fprintf(stderr, "dates: %s: malformed document %zu\n", path, docs + 1);
            cJSON_Delete(d);
            rc = 1;
            break;
        }
        struct dates_anchor anchor;
        bool have = cJSON_IsString(dct) && dates_parse_anchor(dct->valuestring, &anchor);
        size_t tl = strlen(text->valuestring);
        struct span *gold = NULL, *sys = NULL;
        size_t ng = 0, ns = 0;
        if (gold_spans(timex, text->valuestring, tl, &gold, &ng) < 0 ||
            annotate(text->valuestring, tl, have ? &anchor : NULL, &sys, &ns, &t) < 0) {
            fprintf(stderr, "dates: %s: document %zu: bad gold or out of memory\n", path, docs + 1);
            free(gold);
            free(sys);
            cJSON_Delete(d);
            rc = 1;
            break;
        }
        score(cJSON_IsString(doc) ? doc->valuestring : "?", gold, ng, sys, ns, &t, verbose);
        free(gold);
        free(sys);
        cJSON_Delete(d);
        docs++;
        line = next;
    }
    free(buf);
    if (rc)
        return rc;
    double sp = pct(t.strict, t.found), sr = pct(t.strict, t.gold);
    double rp = pct(t.relaxed, t.found), rr = pct(t.relaxed, t.gold);
    printf("| dates | strict span precision | %.1f |\n", sp);
    printf("| dates | strict span recall | %.1f |\n", sr);
    printf("| dates | strict span F1 | %.1f |\n", f1(sp, sr));
    printf("| dates | relaxed span precision | %.1f |\n", rp);
    printf("| dates | relaxed span recall | %.1f |\n", rr);
    printf("| dates | relaxed span F1 | %.1f |\n", f1(rp, rr));
    printf("| dates | value accuracy (matched spans) | %.1f |\n", pct(t.value_ok, t.relaxed));
    printf("| dates | type accuracy (matched spans) | %.1f |\n", pct(t.type_ok, t.relaxed));
    fprintf(stderr, "dates: %zu documents, %zu gold, %zu found, %zu words, %.0f words/s\n", docs,
            t.gold, t.found, t.words, t.seconds > 0 ? (double)t.words / t.seconds : 0.0);
    return 0;
}
