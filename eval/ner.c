/* eval/ner: scores the entity annotator on CoNLL-2003 English dev gold
 * (../shared/gold/ner-conll2003-dev.jsonl, or argv[1]).
 *
 * Each gold article is fed as blocks split at blank lines (the first block
 * "headline", the rest "paragraph"; no publication date). Our mentions map to
 * CoNLL types: person = PER, place = LOC, organisation = ORG; demonym
 * mentions ("North Korean") are CoNLL's MISC and, like MISC, not scored.
 * Scores are exact-span precision, recall and F1 (conlleval's convention),
 * for all articles and without the sports articles. An article is sports when
 * the part of its headline before " - " starts with a sport's name (SOCCER,
 * CRICKET, TENNIS, ...; the table below), the Reuters convention.
 * Prints markdown table rows: | eval | metric | value |. With -v, lists
 * misses and spurious mentions on stderr. */
#include "models/annotate/annotate.h"
#include "models/utf8.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "../shared/gold/ner-conll2003-dev.jsonl"

enum { PER, LOC, ORG, NTYPES };
static const char *const type_names[NTYPES] = {"PER", "LOC", "ORG"};

static const char *const sports[] = {"soccer",
                                     "cricket",
                                     "baseball",
                                     "tennis",
                                     "boxing",
                                     "golf",
                                     "rugby",
                                     "basketball",
                                     "squash",
                                     "athletics",
                                     "cycling",
                                     "motor racing",
                                     "horse racing",
                                     "ice hockey",
                                     "hockey",
                                     "nfl",
                                     "nba",
                                     "nhl",
                                     "american football",
                                     "football",
                                     "swimming",
                                     "skiing",
                                     "alpine skiing",
                                     "formula one",
                                     "volleyball",
                                     "handball",
                                     "badminton",
                                     "rowing",
                                     "sailing",
                                     "judo",
                                     "wrestling",
                                     "snooker",
                                     "darts",
                                     "table tennis",
                                     "motorcycling",
                                     "triathlon",
                                     "equestrian",
                                     "yachting",
                                     "sport",
                                     "olympics",
                                     "speed skating",
                                     "figure skating",
                                     "gymnastics",
                                     "weightlifting",
                                     NULL};

struct counts {
    size_t tp[NTYPES], fp[NTYPES], fn[NTYPES];
};

struct span {
    size_t start, end;
    int type;
};

static bool verbose;

static bool
is_sports(const char *headline, size_t len)
{
    const char *dash = NULL;
    for (size_t i = 0; i + 3 <= len; i++)
        if (memcmp(headline + i, " - ", 3) == 0) {
            dash = headline + i;
            break;
        }
    if (!dash)
        return false;
    for (size_t k = 0; sports[k]; k++) {
        size_t n = strlen(sports[k]);
        if ((size_t)(dash - headline) >= n && strncasecmp(headline, sports[k], n) == 0)
            return true;
    }
    return false;
}

static int
type_of(const char *s)
{
    if (strcmp(s, "PER") == 0 || strcmp(s, "person") == 0)
        return PER;
    if (strcmp(s, "LOC") == 0 || strcmp(s, "place") == 0)
        return LOC;
    if (strcmp(s, "ORG") == 0 || strcmp(s, "organisation") == 0)
        return ORG;
    return -1;
}

static int
push(struct span **v, size_t *n, size_t *cap, struct span s)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct span *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = s;
    return 0;
}

/* Scores one article; returns -1 on a malformed line or out of memory. */
static int
score(const struct annotator *a, const cJSON *doc, struct counts *all, struct counts *nonsport,
      size_t *nsport)
{
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(doc, "text");
    const cJSON *je = cJSON_GetObjectItemCaseSensitive(doc, "entities");
    if (!cJSON_IsString(jt) || !cJSON_IsArray(je))
        return -1;
    const char *text = jt->valuestring;
    size_t len = strlen(text);
    struct annotate_block *blocks = NULL;
    size_t *cp_base = NULL, nb = 0, cb = 0;
    struct span *gold = NULL, *sys = NULL;
    size_t ng = 0, cg = 0, ns = 0, cs = 0;
    struct annotations *an = NULL;
    cJSON *out = NULL;
    int rc = -1;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && !(text[j] == '\n' && j + 1 < len && text[j + 1] == '\n'))
            j++;
        if (j > i) {
            if (nb == cb) {
                cb = cb ? cb * 2 : 32;
                struct annotate_block *v = realloc(blocks, cb * sizeof *v);
                size_t *c = realloc(cp_base, cb * sizeof *c);
                if (v)
                    blocks = v;
                if (c)
                    cp_base = c;
                if (!v || !c)
                    goto done;
            }
            blocks[nb] = (struct annotate_block){nb == 0 ? "headline" : "paragraph", text + i,
                                                 j - i, nb == 0 ? -1 : (int)nb - 1};
            cp_base[nb] = utf8_cp_count(text, i);
            nb++;
        }
        if (j >= len)
            break;
        i = j;
        while (i < len && text[i] == '\n')
            i++;
    }
    bool sport = nb > 0 && is_sports(blocks[0].text, blocks[0].len);
    const cJSON *g;
    cJSON_ArrayForEach(g, je)
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(g, "start");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(g, "end");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(g, "type");
        if (!cJSON_IsNumber(s) || !cJSON_IsNumber(e) || !cJSON_IsString(t))
            goto done;
        int type = type_of(t->valuestring);
        if (type >= 0 &&
            push(&gold, &ng, &cg,
                 (struct span){(size_t)s->valuedouble, (size_t)e->valuedouble, type}) < 0)
            goto done;
    }
    struct annotate_input in = {blocks, nb, NULL};
    an = annotator_run(a, &in);
    out = an ? annotations_to_json(an) : NULL;
    if (!out)
        goto done;
    const cJSON *ent;
    cJSON_ArrayForEach(ent, cJSON_GetObjectItemCaseSensitive(out, "entities"))
    {
        int type = type_of(cJSON_GetObjectItemCaseSensitive(ent, "type")->valuestring);
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ent, "mentions"))
        {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "demonym")))
                continue;
            size_t b = (size_t)cJSON_GetObjectItemCaseSensitive(m, "block")->valuedouble;
            size_t s =
                cp_base[b] + (size_t)cJSON_GetObjectItemCaseSensitive(m, "start")->valuedouble;
            size_t e = cp_base[b] + (size_t)cJSON_GetObjectItemCaseSensitive(m, "end")->valuedouble;
            if (push(&sys, &ns, &cs, (struct span){s, e, type}) < 0)
                goto done;
        }
    }
    struct counts *sets[2] = {all, sport ? NULL : nonsport};
    for (size_t k = 0; k < ng; k++) {
        bool hit = false;
        for (size_t m = 0; m < ns && !hit; m++)
            hit = sys[m].start == gold[k].start && sys[m].end == gold[k].end &&
                  sys[m].type == gold[k].type;
        for (int c = 0; c < 2; c++)
            if (sets[c])
                (hit ? sets[c]->tp : sets[c]->fn)[gold[k].type]++;
        if (!hit && verbose) {
            size_t bs = utf8_byte_offset(text, len, gold[k].start),
                   be = utf8_byte_offset(text, len, gold[k].end);
            fprintf(stderr, "MISS %s %.*s\n", type_names[gold[k].type], (int)(be - bs), text + bs);
        }
    }
    for (size_t m = 0; m < ns; m++) {
        bool hit = false;
        for (size_t k = 0; k < ng && !hit; k++)
            hit = sys[m].start == gold[k].start && sys[m].end == gold[k].end &&
                  sys[m].type == gold[k].type;
        if (hit)
            continue;
        for (int c = 0; c < 2; c++)
            if (sets[c])
                sets[c]->fp[sys[m].type]++;
        if (verbose) {
            size_t bs = utf8_byte_offset(text, len, sys[m].start),
                   be = utf8_byte_offset(text, len, sys[m].end);
            fprintf(stderr, "SPURIOUS %s %.*s\n", type_names[sys[m].type], (int)(be - bs),
                    text + bs);
        }
    }
    if (sport)
        (*nsport)++;
    rc = 0;
done:
    cJSON_Delete(out);
    annotations_free(an);
    free(blocks);
    free(cp_base);
    free(gold);
    free(sys);
    return rc;
}

static double
pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void
print_rows(const char *label, const struct counts *c)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (int t = 0; t <= NTYPES; t++) {
        size_t a = t < NTYPES ? c->tp[t] : tp, b = t < NTYPES ? c->fp[t] : fp,
               d = t < NTYPES ? c->fn[t] : fn;
        double p = pct(a, a + b), r = pct(a, a + d), f = p + r > 0 ? 2 * p * r / (p + r) : 0;
        printf("| %s | %s precision / recall / F1 | %.1f / %.1f / %.1f |\n", label,
               t < NTYPES ? type_names[t] : "PER+LOC+ORG", p, r, f);
        if (t < NTYPES) {
            tp += a;
            fp += b;
            fn += d;
        }
    }
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
        fprintf(stderr, "ner: cannot read %s\n", path);
        return 1;
    }
    const char *err = NULL;
    struct annotator *a = annotator_new(&err);
    if (!a) {
        fprintf(stderr, "ner: %s\n", err);
        fclose(f);
        return 1;
    }
    struct counts all = {0}, nonsport = {0};
    size_t docs = 0, nsport = 0, cap = 0;
    char *line = NULL;
    ssize_t n;
    int status = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        const char *end = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(line, (size_t)n + 1, &end, 0);
        if (!doc || score(a, doc, &all, &nonsport, &nsport) < 0) {
            fprintf(stderr, "ner: %s: bad document %zu\n", path, docs + 1);
            status = 1;
        }
        cJSON_Delete(doc);
        docs++;
    }
    free(line);
    fclose(f);
    annotator_free(a);
    char label[64];
    snprintf(label, sizeof label, "ner, all %zu articles", docs);
    print_rows(label, &all);
    snprintf(label, sizeof label, "ner, %zu non-sports articles", docs - nsport);
    print_rows(label, &nonsport);
    return status;
}
