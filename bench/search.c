/* bench/search: full-text search on a real corpus against SQLite FTS5.
 *
 * usage: search [DIR [ROUNDS]]
 * Loads every subdirectory of DIR (default ../shared/corpus/bbc; DIR itself
 * when it has none) with store_load, builds the search index, and runs a
 * fixed mix of queries ROUNDS times (default 200), timing parse + search +
 * top-10 ranking of each. Then loads the same texts into an in-memory SQLite
 * FTS5 table (porter unicode61 remove_diacritics 2, one column per field, bm25
 * with the same field weights), runs the same queries written in FTS5 syntax,
 * and prints both latencies and the average top-10 overlap as a markdown table.
 * The corpus is read where it lies; nothing is copied. */
#include "models/search.h"
#include "models/store.h"
#include "models/strbuf.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TOP 10

/* Each query in our syntax and in FTS5's (where NOT binds tighter than AND
 * and AND than OR, so OR groups are bracketed). */
static const struct bench_query {
    const char *ours, *fts;
} queries[] = {
    /* single words */
    {"economy", "economy"},
    {"election", "election"},
    {"film", "film"},
    {"music", "music"},
    {"football", "football"},
    {"government", "government"},
    {"market", "market"},
    {"technology", "technology"},
    {"internet", "internet"},
    {"oil", "oil"},
    {"bank", "bank"},
    {"police", "police"},
    {"tax", "tax"},
    {"court", "court"},
    {"china", "china"},
    {"award", "award"},
    {"growth", "growth"},
    {"software", "software"},
    {"broadband", "broadband"},
    {"album", "album"},
    /* two words, both required */
    {"interest rates", "interest AND rates"},
    {"tony blair", "tony AND blair"},
    {"oil prices", "oil AND prices"},
    {"box office", "box AND office"},
    {"stock market", "stock AND market"},
    {"video games", "video AND games"},
    {"chancellor budget", "chancellor AND budget"},
    {"security software", "security AND software"},
    {"injury coach", "injury AND coach"},
    {"music download", "music AND download"},
    {"airline jobs", "airline AND jobs"},
    {"european commission", "european AND commission"},
    /* either word */
    {"film OR movie", "film OR movie"},
    {"football OR rugby", "football OR rugby"},
    {"iraq OR afghanistan", "iraq OR afghanistan"},
    {"dollar OR euro", "dollar OR euro"},
    {"apple OR microsoft", "apple OR microsoft"},
    {"tennis OR golf", "tennis OR golf"},
    {"labour OR conservative", "labour OR conservative"},
    {"album OR single", "album OR single"},
    /* phrases */
    {"\"prime minister\"", "\"prime minister\""},
    {"\"mobile phones\"", "\"mobile phones\""},
    {"\"chief executive\"", "\"chief executive\""},
    {"\"world cup\"", "\"world cup\""},
    {"\"six nations\"", "\"six nations\""},
    {"\"general election\"", "\"general election\""},
    {"\"best actor\"", "\"best actor\""},
    {"\"search engine\"", "\"search engine\""},
    {"\"human rights\"", "\"human rights\""},
    {"\"interest rates\"", "\"interest rates\""},
    /* exclusions */
    {"film -oscar", "film NOT oscar"},
    {"economy -china", "economy NOT china"},
    {"football -chelsea", "football NOT chelsea"},
    {"election -blair", "election NOT blair"},
    {"music -award", "music NOT award"},
    {"\"prime minister\" -blair", "\"prime minister\" NOT blair"},
    {"technology -mobile", "technology NOT mobile"},
    {"games -olympic", "games NOT olympic"},
    /* mixed */
    {"\"prime minister\" election", "\"prime minister\" AND election"},
    {"economy growth OR recession", "economy AND (growth OR recession)"},
    {"\"box office\" film -oscar", "(\"box office\" AND film) NOT oscar"},
};
#define NQ (sizeof queries / sizeof *queries)

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct load_report {
    const char *dir;
    size_t renamed;
};

/* Prints what the loader reports, except the renames of the corpus's
 * duplicate stories (counted) unless BENCH_VERBOSE is set. */
static void
report(void *ctx, enum store_level level, const char *file, const char *field, const char *message)
{
    struct load_report *r = ctx;
    if (level == STORE_WARN && strcmp(field, "id") == 0 && !getenv("BENCH_VERBOSE")) {
        r->renamed++;
        return;
    }
    fprintf(stderr, "%s: %s/%s%s%s: %s\n", level == STORE_WARN ? "warning" : "skipped", r->dir,
            file, *field ? " " : "", field, message);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the articles of dir to *all (grown); -1 on failure. */
static int
load_dir(const char *dir, struct article ***all, size_t *n, size_t *renamed)
{
    struct load_report lr = {dir, 0};
    struct store_reporter rep = {report, &lr};
    struct store_result res;
    const char *why;
    if (store_load(dir, 1 << 20, &rep, &res, &why) != 0) {
        fprintf(stderr, "bench/search: %s: %s\n", dir, why);
        return -1;
    }
    struct article **grown = realloc(*all, (*n + res.n + 1) * sizeof *grown);
    if (!grown) {
        store_result_free(&res);
        return -1;
    }
    *all = grown;
    for (size_t i = 0; i < res.n; i++) {
        grown[(*n)++] = res.articles[i];
        res.articles[i] = NULL;
    }
    store_result_free(&res);
    *renamed += lr.renamed;
    return 0;
}

/* Loads each subdirectory of root in name order, or root when it has none. */
static int
load_corpus(const char *root, struct article ***all, size_t *n, size_t *renamed)
{
    DIR *d = opendir(root);
    if (!d) {
        perror(root);
        return -1;
    }
    char *subs[64];
    size_t nsubs = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nsubs < 64) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            subs[nsubs++] = strdup(path);
    }
    closedir(d);
    qsort(subs, nsubs, sizeof *subs, by_name);
    int rc = nsubs ? 0 : load_dir(root, all, n, renamed);
    for (size_t i = 0; i < nsubs; i++) {
        if (rc == 0 && subs[i])
            rc = load_dir(subs[i], all, n, renamed);
        else if (!subs[i])
            rc = -1;
        free(subs[i]);
    }
    return rc;
}

static int
by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct timing {
    double p50, p99, qps;
};

static struct timing
summarise(double *lat, size_t n, double total)
{
    qsort(lat, n, sizeof *lat, by_double);
    return (struct timing){lat[n / 2] * 1e6, lat[(n * 99) / 100] * 1e6, (double)n / total};
}

/* Our top 10 of each query: parse, search, rank, and with snippets > 0 that
 * many snippets for each of the ten. top[q][k] are article numbers (ntop[q]
 * of them), nres[q] the number of matches. */
static int
run_ours(const struct search_index *idx, int rounds, size_t snippets, double *lat,
         size_t top[NQ][TOP], size_t *ntop, size_t *nres, double *total)
{
    size_t k = 0;
    double start = now();
    for (int r = -1; r < rounds; r++) { /* round -1 warms up and records the answers */
        for (size_t q = 0; q < NQ; q++) {
            double t0 = now();
            char err[160];
            struct search_query *sq = search_parse(queries[q].ours, err, sizeof err);
            if (!sq) {
                fprintf(stderr, "bench/search: %s: %s\n", queries[q].ours, err);
                return -1;
            }
            struct search_hit *hits;
            size_t n;
            if (search_run(idx, sq, &hits, &n) < 0)
                return -1;
            size_t m = n < TOP ? n : TOP;
            for (size_t i = 0; i < m && snippets; i++) {
                struct search_snippet *sn;
                size_t ns;
                if (search_snippets(idx, sq, hits[i].article, snippets, &sn, &ns) < 0 || ns == 0) {
                    fprintf(stderr, "bench/search: %s: no snippet for a hit\n", queries[q].ours);
                    return -1;
                }
                search_snippets_free(sn, ns);
            }
            if (r < 0) {
                for (size_t i = 0; i < m; i++)
                    top[q][i] = hits[i].article;
                ntop[q] = m;
                nres[q] = n;
            }
            free(hits);
            search_query_free(sq);
            if (r >= 0)
                lat[k++] = now() - t0;
        }
        if (r < 0)
            start = now();
    }
    *total = now() - start;
    return 0;
}

/* The texts of one field of an article, one per line. */
static char *
field_text(const struct article *a, enum search_field f)
{
    struct strbuf b;
    strbuf_init(&b, 1024);
    if (f == SEARCH_HEADLINE && a->headline)
        strbuf_adds(&b, a->headline);
    if (f == SEARCH_STANDFIRST && a->standfirst)
        strbuf_adds(&b, a->standfirst);
    for (size_t i = 0; i < a->nbody; i++) {
        const struct article_block *bl = &a->body[i];
        bool image = bl->type == ARTICLE_IMAGE;
        if ((f == SEARCH_BODY && !image) || (f == SEARCH_CAPTION && image)) {
            if (bl->text) {
                strbuf_adds(&b, bl->text);
                strbuf_adds(&b, "\n");
            }
            if (f == SEARCH_CAPTION && bl->alt) {
                strbuf_adds(&b, bl->alt);
                strbuf_adds(&b, "\n");
            }
        }
    }
    size_t len;
    return strbuf_take(&b, &len);
}

static int
fts_load(sqlite3 *db, struct article **arts, size_t n)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(headline, standfirst, body, captions, "
                     "tokenize='porter unicode61 remove_diacritics 2');"
                     "BEGIN;",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO t(rowid, headline, standfirst, body, captions) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &ins, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
        for (int f = 0; f < 4; f++) {
            char *text = field_text(arts[i], (enum search_field)f);
            if (!text)
                goto fail;
            sqlite3_bind_text(ins, 2 + f, text, -1, free);
        }
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto fail;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    return sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
fail:
    fprintf(stderr, "bench/search: sqlite: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(ins);
    return -1;
}

static int
run_fts(sqlite3 *db, int rounds, double *lat, size_t top[NQ][TOP], size_t *ntop, double *total)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT rowid FROM t WHERE t MATCH ?1 "
                           "ORDER BY bm25(t, 3.0, 1.5, 1.0, 0.5) LIMIT 10",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    size_t k = 0;
    double start = now();
    for (int r = -1; r < rounds; r++) {
        for (size_t q = 0; q < NQ; q++) {
            double t0 = now();
            size_t m = 0;
            int rc;
            sqlite3_bind_text(st, 1, queries[q].fts, -1, SQLITE_STATIC);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (r < 0 && m < TOP)
                    top[q][m++] = (size_t)sqlite3_column_int64(st, 0) - 1;
            if (rc != SQLITE_DONE)
                goto fail;
            sqlite3_reset(st);
            if (r < 0)
                ntop[q] = m;
            else
                lat[k++] = now() - t0;
        }
        if (r < 0)
            start = now();
    }
    *total = now() - start;
    sqlite3_finalize(st);
    return 0;
fail:
    fprintf(stderr, "bench/search: sqlite: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
}

static long
rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/corpus/bbc";
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    bool verbose = getenv("BENCH_VERBOSE") != NULL;
    if (rounds < 1 || rounds > 100000) {
        fprintf(stderr, "usage: search [DIR [ROUNDS (1-100000)]]\n");
        return 2;
    }
    int status = 1;
    struct article **arts = NULL;
    size_t n = 0;
    struct search_index *idx = NULL;
    sqlite3 *db = NULL;
    double *lat_ours = malloc((size_t)rounds * NQ * sizeof *lat_ours);
    double *lat_fts = malloc((size_t)rounds * NQ * sizeof *lat_fts);
    static size_t top_ours[NQ][TOP], top_fts[NQ][TOP];
    size_t ntop_ours[NQ], ntop_fts[NQ], nres[NQ];
    if (!lat_ours || !lat_fts)
        goto done;

    long rss0 = rss_kb();
    size_t renamed = 0;
    if (load_corpus(dir, &arts, &n, &renamed) < 0 || n == 0) {
        fprintf(stderr, "bench/search: no articles in %s\n", dir);
        goto done;
    }
    size_t text_bytes = 0;
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < 4; f++) {
            char *t = field_text(arts[i], (enum search_field)f);
            text_bytes += t ? strlen(t) : 0;
            free(t);
        }
    long rss1 = rss_kb();
    double t0 = now();
    idx = search_build((const struct article *const *)arts, n);
    double build = now() - t0;
    long rss2 = rss_kb();
    if (!idx) {
        fprintf(stderr, "bench/search: out of memory building the index\n");
        goto done;
    }
    double total_ours, total_fts, total_snip;
    if (run_ours(idx, rounds, 0, lat_ours, top_ours, ntop_ours, nres, &total_ours) < 0)
        goto done;
    struct timing a = summarise(lat_ours, (size_t)rounds * NQ, total_ours);
    if (run_ours(idx, rounds, 3, lat_ours, top_ours, ntop_ours, nres, &total_snip) < 0)
        goto done;
    struct timing s = summarise(lat_ours, (size_t)rounds * NQ, total_snip);

    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        goto done;
    t0 = now();
    if (fts_load(db, arts, n) < 0)
        goto done;
    double fts_build = now() - t0;
    if (run_fts(db, rounds, lat_fts, top_fts, ntop_fts, &total_fts) < 0)
        goto done;

    double overlap = 0;
    size_t counted = 0;
    for (size_t q = 0; q < NQ; q++) {
        size_t denom = ntop_ours[q] > ntop_fts[q] ? ntop_ours[q] : ntop_fts[q];
        if (denom == 0)
            continue;
        size_t common = 0;
        for (size_t i = 0; i < ntop_ours[q]; i++)
            for (size_t j = 0; j < ntop_fts[q]; j++)
                common += top_ours[q][i] == top_fts[q][j];
        double o = (double)common / (double)denom;
        if (verbose) {
            fprintf(stderr, "%-34s matches %5zu  top-10 overlap %3.0f%%", queries[q].ours, nres[q],
                    o * 100);
            for (int side = 0; side < 2 && common < denom; side++) {
                size_t(*mine)[TOP] = side ? top_fts : top_ours,
                (*theirs)[TOP] = side ? top_ours : top_fts;
                size_t nm = side ? ntop_fts[q] : ntop_ours[q],
                       nt = side ? ntop_ours[q] : ntop_fts[q];
                fprintf(stderr, side ? "; only FTS5:" : "; only ours:");
                for (size_t i = 0; i < nm; i++) {
                    size_t j = 0;
                    while (j < nt && theirs[q][j] != mine[q][i])
                        j++;
                    if (j == nt)
                        fprintf(stderr, " #%zu %s", i + 1, arts[mine[q][i]]->id);
                }
            }
            fprintf(stderr, "\n");
        }
        overlap += o;
        counted++;
    }
    overlap = counted ? overlap / (double)counted : 0;

    struct timing b = summarise(lat_fts, (size_t)rounds * NQ, total_fts);
    printf("%zu articles (%zu duplicate ids renamed), %.1f MB of text; %zu queries x %d rounds, "
           "one thread\n\n",
           n, renamed, (double)text_bytes / 1e6, NQ, rounds);
    printf("| engine | build | index memory | p50 | p99 | queries/s |\n");
    printf("|---|---|---|---|---|---|\n");
    printf("| articled search | %.0f ms | %.1f MB (RSS +%.1f MB) | %.1f us | %.1f us | %.0f |\n",
           build * 1e3, (double)search_memory(idx) / 1e6, (double)(rss2 - rss1) / 1e3, a.p50, a.p99,
           a.qps);
    printf("| articled search + 3 snippets per top-10 hit | | | %.1f us | %.1f us | %.0f |\n",
           s.p50, s.p99, s.qps);
    printf("| SQLite FTS5 | %.0f ms | in-memory db | %.1f us | %.1f us | %.0f |\n", fts_build * 1e3,
           b.p50, b.p99, b.qps);
    printf("\ntop-10 overlap with FTS5: %.1f%% (average over %zu queries with results)\n",
           overlap * 100, counted);
    printf("articled speed-up at p50: %.1fx; RSS after loading %.1f MB, after the index %.1f MB\n",
           b.p50 / a.p50, (double)(rss1 - rss0) / 1e3, (double)(rss2 - rss0) / 1e3);
    status = 0;
done:
    sqlite3_close(db);
    search_free(idx);
    for (size_t i = 0; i < n; i++)
        article_free(arts[i]);
    free(arts);
    free(lat_ours);
    free(lat_fts);
    return status;
}
