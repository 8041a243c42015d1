/* store: loading a content directory of good and bad files, and the JSON reader. */
#define _XOPEN_SOURCE 700
#include "models/store.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary content directory of the running test (each test runs in its own process). */
static char tmpdir[64];

static void
make_dir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/articled-store-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
remove_dir(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = make_dir, .fini = remove_dir);

static void
put_bytes(const char *name, const char *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void
put(const char *name, const char *text)
{
    put_bytes(name, text, strlen(text));
}

/* Every report of a load, copied. */
struct report {
    enum store_level level;
    char file[64], field[96], message[256];
};

struct reports {
    struct report r[32];
    size_t n;
};

static void
collect(void *ctx, enum store_level level, const char *file, const char *field, const char *message)
{
    struct reports *rs = ctx;
    cr_assert_lt(rs->n, 32, "too many reports");
    struct report *r = &rs->r[rs->n++];
    r->level = level;
    snprintf(r->file, sizeof r->file, "%s", file);
    snprintf(r->field, sizeof r->field, "%s", field ? field : "(null)");
    snprintf(r->message, sizeof r->message, "%s", message ? message : "");
}

static const struct report *
report_for(const struct reports *rs, const char *file)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].file, file) == 0)
            return &rs->r[i];
    return NULL;
}

static const struct article *
article_with_id(const struct store_result *res, const char *id)
{
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->articles[i]->id, id) == 0)
            return res->articles[i];
    return NULL;
}

/* The mixed directory of the main test: 5 files load, 5 are refused, 2 are ignored. */
static void
fill_mixed_dir(void)
{
    put("a-good.txt", "Alpha headline\n\nThe standfirst.\n\nA paragraph.\n");
    put("b-good.json", "{\"headline\":\"Bravo headline\",\"published\":\"2024-01-02\","
                       "\"body\":[{\"type\":\"paragraph\",\"text\":\"Text.\"}]}");
    put("c-bad-syntax.json", "{\"headline\": Charlie}");
    put("d-unknown-field.json", "{\"headline\":\"Delta\",\"colour\":\"red\"}");
    put("e-empty.txt", "");
    static const char latin1[] = "Caf\xE9 news\n\nThe caf\xE9 opened.\n";
    put_bytes("f-latin1.txt", latin1, sizeof latin1 - 1);
    put(".hidden.txt", "Hidden headline\n");
    put("notes.md", "Markdown notes\n");
    char big[5000];
    memset(big, 'x', sizeof big);
    big[0] = 'B';
    put_bytes("g-big.txt", big, sizeof big);
    put("h-same.txt", "Same headline\n\nFirst of two.\n");
    put("i-same.txt", "Same headline!\n\nSecond of two.\n");
    char sub[256];
    snprintf(sub, sizeof sub, "%s/k-dir.txt", tmpdir);
    cr_assert_eq(mkdir(sub, 0700), 0);
}

Test(store, loads_good_files_and_reports_each_bad_one)
{
    fill_mixed_dir();
    struct reports rs = {.n = 0};
    struct store_reporter rep = {collect, &rs};
    struct store_result res;
    const char *errstr = NULL;
    cr_assert_eq(store_load(tmpdir, 4096, &rep, &res, &errstr), 0, "%s", errstr);
    cr_expect_eq(res.n, 5, "loaded %zu", res.n);
    cr_expect_eq(res.skipped, 5, "skipped %zu", res.skipped);

    /* Loaded in file-name order. */
    static const char *const ids[] = {"alpha-headline", "bravo-headline", "cafe-news",
                                      "same-headline", "same-headline-2"};
    for (size_t i = 0; i < res.n && i < 5; i++)
        cr_expect_str_eq(res.articles[i]->id, ids[i], "article %zu", i);
    const struct article *cafe = article_with_id(&res, "cafe-news");
    cr_expect_not_null(cafe);
    if (cafe)
        cr_expect_str_eq(cafe->headline, "Caf\u00e9 news");
    const struct article *second = article_with_id(&res, "same-headline-2");
    cr_expect_not_null(second);
    if (second)
        cr_expect(second->standfirst && strcmp(second->standfirst, "Second of two.") == 0,
                  "the later file in name order gets -2");

    const struct report *r = report_for(&rs, "c-bad-syntax.json");
    cr_expect_not_null(r, "no report for the syntax error");
    if (r) {
        cr_expect_eq(r->level, STORE_ERROR);
        cr_expect_str_eq(r->field, "byte 13", "the offset of the bare word: %s", r->field);
        cr_expect_neq(r->message[0], '\0');
    }
    r = report_for(&rs, "d-unknown-field.json");
    cr_expect_not_null(r);
    if (r) {
        cr_expect_eq(r->level, STORE_ERROR);
        cr_expect_str_eq(r->field, "/colour");
    }
    r = report_for(&rs, "e-empty.txt");
    cr_expect_not_null(r);
    if (r) {
        cr_expect_eq(r->level, STORE_ERROR);
        cr_expect_neq(r->message[0], '\0');
    }
    r = report_for(&rs, "f-latin1.txt");
    cr_expect_not_null(r, "decoding a Latin-1 file is warned about");
    if (r)
        cr_expect_eq(r->level, STORE_WARN);
    r = report_for(&rs, "g-big.txt");
    cr_expect_not_null(r, "a file over max_bytes is reported");
    if (r)
        cr_expect_eq(r->level, STORE_ERROR);
    r = report_for(&rs, "k-dir.txt");
    cr_expect_not_null(r, "a directory named *.txt is reported");
    if (r)
        cr_expect_eq(r->level, STORE_ERROR);
    r = report_for(&rs, "i-same.txt");
    cr_expect_not_null(r, "the renamed file is reported");
    if (r) {
        cr_expect_eq(r->level, STORE_WARN);
        cr_expect_not_null(strstr(r->message, "same-headline-2"), "%s", r->message);
    }
    cr_expect_null(report_for(&rs, "h-same.txt"), "the earlier file keeps its id quietly");
    cr_expect_null(report_for(&rs, ".hidden.txt"));
    cr_expect_null(report_for(&rs, "notes.md"));
    cr_expect_eq(rs.n, 7, "reports: %zu", rs.n);
    store_result_free(&res);
    cr_expect_eq(res.n, 0);
    cr_expect_null(res.articles);
}

Test(store, gives_the_same_result_when_loaded_twice)
{
    fill_mixed_dir();
    struct reports r1 = {.n = 0}, r2 = {.n = 0};
    struct store_reporter rep1 = {collect, &r1}, rep2 = {collect, &r2};
    struct store_result a, b;
    const char *errstr = NULL;
    cr_assert_eq(store_load(tmpdir, 4096, &rep1, &a, &errstr), 0);
    cr_assert_eq(store_load(tmpdir, 4096, &rep2, &b, &errstr), 0);
    cr_expect_eq(a.n, b.n);
    cr_expect_eq(a.skipped, b.skipped);
    for (size_t i = 0; i < a.n && i < b.n; i++) {
        cr_expect_str_eq(a.articles[i]->id, b.articles[i]->id);
        cr_expect(article_equal(a.articles[i], b.articles[i]), "article %zu differs", i);
    }
    cr_expect_eq(r1.n, r2.n);
    for (size_t i = 0; i < r1.n && i < r2.n; i++) {
        cr_expect_eq(r1.r[i].level, r2.r[i].level);
        cr_expect_str_eq(r1.r[i].file, r2.r[i].file);
        cr_expect_str_eq(r1.r[i].field, r2.r[i].field);
        cr_expect_str_eq(r1.r[i].message, r2.r[i].message);
    }
    store_result_free(&a);
    store_result_free(&b);
}

Test(store, numbers_every_later_clash_and_ids_from_front_matter_too)
{
    put("1.txt", "Clash\n");
    put("2.txt", "Clash\n");
    put("3.json", "{\"headline\":\"Something else\",\"id\":\"clash\"}");
    put("4.txt", "---\nid: clash-2\n---\nAnother\n");
    struct reports rs = {.n = 0};
    struct store_reporter rep = {collect, &rs};
    struct store_result res;
    const char *errstr = NULL;
    cr_assert_eq(store_load(tmpdir, 4096, &rep, &res, &errstr), 0);
    cr_assert_eq(res.n, 4);
    cr_expect_str_eq(res.articles[0]->id, "clash");
    cr_expect_str_eq(res.articles[1]->id, "clash-2");
    cr_expect_str_eq(res.articles[2]->id, "clash-3");
    cr_expect_str_eq(res.articles[3]->id, "clash-2-2");
    cr_expect_eq(rs.n, 3);
    for (size_t i = 0; i < res.n; i++)
        cr_expect(article_id_valid(res.articles[i]->id), "`%s`", res.articles[i]->id);
    store_result_free(&res);
}

Test(store, keeps_a_renamed_id_valid_when_the_slug_is_80_long)
{
    /* 7 words of 9 letters + one of 10: a slug of exactly 80 characters. */
    static const char headline[] = "abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi "
                                   "abcdefghi abcdefghij\n";
    put("1.txt", headline);
    put("2.txt", headline);
    struct store_result res;
    const char *errstr = NULL;
    cr_assert_eq(store_load(tmpdir, 4096, NULL, &res, &errstr), 0);
    cr_assert_eq(res.n, 2);
    cr_expect_eq(strlen(res.articles[0]->id), 80);
    cr_expect_str_neq(res.articles[0]->id, res.articles[1]->id);
    cr_expect(article_id_valid(res.articles[1]->id), "the renamed id `%s` (%zu chars) is not valid",
              res.articles[1]->id, strlen(res.articles[1]->id));
    store_result_free(&res);
}

Test(store, loads_an_empty_directory)
{
    struct store_result res;
    const char *errstr = NULL;
    cr_assert_eq(store_load(tmpdir, 4096, NULL, &res, &errstr), 0);
    cr_expect_eq(res.n, 0);
    cr_expect_eq(res.skipped, 0);
    store_result_free(&res);
}

Test(store, fails_when_the_directory_is_missing)
{
    char missing[128];
    snprintf(missing, sizeof missing, "%s/no-such-dir", tmpdir);
    struct store_result res;
    const char *errstr = NULL;
    cr_expect_eq(store_load(missing, 4096, NULL, &res, &errstr), -1);
    cr_expect_not_null(errstr);
    cr_expect_eq(res.n, 0);
}

Test(store, loads_the_sample_articles)
{
    struct reports rs = {.n = 0};
    struct store_reporter rep = {collect, &rs};
    struct store_result res;
    const char *errstr = NULL;
    cr_assert_eq(store_load("data/articles", 8u << 20, &rep, &res, &errstr), 0);
    cr_expect_geq(res.n, 5);
    cr_expect_eq(res.skipped, 0);
    cr_expect_eq(rs.n, 0, "first report: %s %s", rs.n ? rs.r[0].file : "", rs.n ? rs.r[0].message : "");
    cr_expect_not_null(article_with_id(&res, "north-koreas-kim-visiting-china-at-xi-jinpings-invitation"));
    cr_expect_not_null(article_with_id(&res, "harbour-bridge-reopens"));
    store_result_free(&res);
}

/* ---- store_parse_json ------------------------------------------------------------------------ */

struct json_case {
    const char *name, *doc;
    size_t len;
    const char *field;
};

#define JCASE(name, lit, field) {name, lit, sizeof lit - 1, field}

Test(store, refuses_bad_json_documents_with_a_position)
{
    static const struct json_case cases[] = {
        JCASE("invalid UTF-8", "{\"headline\":\"Caf\xE9\"}", "byte 16"),
        JCASE("a doubled comma", "{\"headline\":\"x\",\"body\":[1,,2]}", "byte 26"),
        JCASE("trailing data", "{\"headline\":\"x\"} {}", "byte 17"),
        JCASE("a truncated document", "{\"headline\":", "byte 12"),
        JCASE("nothing at all", "", "byte 0"),
        JCASE("an unknown field", "{\"headline\":\"x\",\"extra\":[]}", "/extra"),
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct article_error err;
        struct article *a = store_parse_json(cases[k].doc, cases[k].len, &err);
        cr_expect_null(a, "%s: accepted", cases[k].name);
        article_free(a);
        cr_expect_str_eq(err.field, cases[k].field, "%s", cases[k].name);
        cr_expect_neq(err.message[0], '\0', "%s", cases[k].name);
    }
}

Test(store, parses_a_json_document_that_is_not_nul_terminated)
{
    static const char doc[] = "{\"headline\":\"Hello\"}GARBAGE";
    struct article_error err;
    struct article *a = store_parse_json(doc, 20, &err);
    cr_assert_not_null(a, "%s: %s", err.field, err.message);
    cr_expect_str_eq(a->id, "hello");
    article_free(a);
}
