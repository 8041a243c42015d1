/* eval/speed: annotation throughput over the BBC News corpus
 * (../shared/corpus/bbc, or argv[1]): every article of every section
 * directory, on one core (this program runs one thread).
 *
 * Articles are read and cut into blocks first (headline = the first line,
 * then paragraphs separated by blank lines; a file that is not UTF-8 is read
 * as Windows-1252), outside the timing. Timed: annotator_run and
 * annotations_free on every article, in CPU time of this process (so other
 * work on the machine does not count against it), best of five passes; words
 * are counted by the annotator's own counter (stats: word and number tokens). A second
 * figure adds rendering the annotations to JSON text, as the server does when
 * an article enters the catalog.
 * Prints markdown table rows: | eval | metric | value |. */
#include "models/annotate/annotate.h"
#include "models/utf8.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_PATH "../shared/corpus/bbc"
#define PASSES 5

struct article {
    char *text;
    struct annotate_block *blocks;
    size_t nblocks;
};

struct corpus {
    struct article *v;
    size_t n, cap;
};

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Cuts text into blocks: the first line is the headline, then blank-line-separated paragraphs. */
static int
cut(struct article *a, size_t len)
{
    const char *t = a->text;
    size_t cap = 16, i = 0;
    a->blocks = malloc(cap * sizeof *a->blocks);
    if (!a->blocks)
        return -1;
    while (i < len) {
        size_t j = i;
        if (a->nblocks == 0)
            while (j < len && t[j] != '\n')
                j++;
        else
            while (j < len && !(t[j] == '\n' && j + 1 < len && t[j + 1] == '\n'))
                j++;
        size_t e = j;
        while (e > i && (t[e - 1] == '\n' || t[e - 1] == '\r' || t[e - 1] == ' '))
            e--;
        if (e > i) {
            if (a->nblocks == cap) {
                cap *= 2;
                struct annotate_block *v = realloc(a->blocks, cap * sizeof *v);
                if (!v)
                    return -1;
                a->blocks = v;
            }
            bool head = a->nblocks == 0;
            a->blocks[a->nblocks] = (struct annotate_block){head ? "headline" : "paragraph", t + i,
                                                            e - i, head ? -1 : (int)a->nblocks - 1};
            a->nblocks++;
        }
        i = j;
        while (i < len && (t[i] == '\n' || t[i] == '\r'))
            i++;
    }
    return 0;
}

static int
load(struct corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    char path[4096];
    while ((de = readdir(d)) != NULL && rc == 0) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t n = strlen(de->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            rc = load(c, path);
            continue;
        }
        if (n < 4 || strcmp(de->d_name + n - 4, ".txt") != 0)
            continue;
        size_t len;
        char *text = read_file(path, &len);
        if (!text) {
            rc = -1;
            break;
        }
        if (!utf8_valid(text, len, NULL)) {
            size_t ulen;
            char *u = utf8_from_cp1252(text, len, &ulen);
            free(text);
            if (!u) {
                rc = -1;
                break;
            }
            text = u;
            len = ulen;
        }
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            struct article *v = realloc(c->v, c->cap * sizeof *v);
            if (!v) {
                free(text);
                rc = -1;
                break;
            }
            c->v = v;
        }
        struct article *a = &c->v[c->n++];
        memset(a, 0, sizeof *a);
        a->text = text;
        if (cut(a, len) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the corpus; returns seconds, or a negative value on failure. */
static double
pass(const struct annotator *an, const struct corpus *c, bool render, size_t *words)
{
    double t0 = now();
    *words = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct annotate_input in = {c->v[i].blocks, c->v[i].nblocks, NULL};
        struct annotations *r = annotator_run(an, &in);
        if (!r)
            return -1;
        *words += annotations_words(r);
        if (render) {
            cJSON *j = annotations_to_json(r);
            char *s = j ? cJSON_PrintUnformatted(j) : NULL;
            bool ok = s != NULL;
            free(s);
            cJSON_Delete(j);
            if (!ok) {
                annotations_free(r);
                return -1;
            }
        }
        annotations_free(r);
    }
    return now() - t0;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : DEFAULT_PATH;
    struct corpus c = {0};
    int status = 0;
    const char *err = NULL;
    struct annotator *an = annotator_new(&err);
    if (!an) {
        fprintf(stderr, "speed: %s\n", err);
        return 1;
    }
    if (load(&c, dir) < 0 || c.n == 0) {
        fprintf(stderr, "speed: cannot read the corpus in %s\n", dir);
        status = 1;
        goto done;
    }
    for (int render = 0; render <= 1; render++) {
        double best = 0;
        size_t words = 0;
        for (int p = 0; p < PASSES; p++) {
            double s = pass(an, &c, render, &words);
            if (s < 0) {
                fprintf(stderr, "speed: out of memory\n");
                status = 1;
                goto done;
            }
            if (p == 0 || s < best)
                best = s;
        }
        printf("| speed, %zu BBC articles, %zu words, 1 core | words/s, %s | %.0f |\n", c.n, words,
               render ? "annotate + render JSON" : "annotate",
               best > 0 ? (double)words / best : 0.0);
    }
done:
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].text);
        free(c.v[i].blocks);
    }
    free(c.v);
    annotator_free(an);
    return status;
}
