/* memo: generations, references, the bound, and threads (server/memo.c). */
#include "server/memo.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 200 with an owned copy of body and one header, as a list handler makes it. */
static void
answer(struct response *r, const char *body)
{
    memset(r, 0, sizeof *r);
    response_take_body(r, 200, "application/json", strdup(body), strlen(body));
    response_header(r, "X-Total-Count", "7");
    r->memo = true;
}

static struct memo_entry *
put(struct memo *m, uint64_t gen, const char *key, const char *body)
{
    struct response r;
    answer(&r, body);
    struct memo_entry *e = memo_put(m, gen, key, strlen(key), &r);
    response_clear(&r);
    return e;
}

Test(memo, serves_a_stored_answer_only_for_its_key_and_generation)
{
    struct memo *m = memo_new(1 << 20);
    memo_release(put(m, 1, "/a", "{\"a\":1}"));
    struct memo_entry *e = memo_get(m, 1, "/a", 2);
    cr_assert_not_null(e);
    struct response r = {0};
    cr_assert_eq(memo_fill(e, false, &r), 0);
    cr_expect_eq(r.body_len, 7);
    cr_expect(memcmp(r.body, "{\"a\":1}", 7) == 0);
    cr_expect(r.etag[0] == '"', "an ETag is computed when the handler gave none");
    cr_expect(r.nheaders == 1 && strcmp(r.headers[0].value, "7") == 0);
    response_clear(&r);
    memo_release(e);
    cr_expect_null(memo_get(m, 1, "/b", 2), "another key");
    cr_expect_null(memo_get(m, 1, "/a\0", 3), "a longer key");
    cr_expect_null(memo_get(m, 2, "/a", 2), "a newer generation");
    struct memo_stats st;
    memo_stats(m, &st);
    cr_expect_eq(st.entries, 0, "the newer generation dropped the old entries");
    cr_expect_eq(st.bytes, 0);
    cr_expect_eq(st.hits, 1);
    cr_expect_eq(st.misses, 3);
    memo_free(m);
}

Test(memo, keeps_nothing_for_a_request_on_an_older_snapshot)
{
    struct memo *m = memo_new(1 << 20);
    memo_release(put(m, 5, "/a", "new"));
    cr_expect_null(put(m, 4, "/a", "old"), "an older generation is not stored");
    cr_expect_null(memo_get(m, 4, "/a", 2));
    struct memo_entry *e = memo_get(m, 5, "/a", 2);
    cr_assert_not_null(e);
    struct response r = {0};
    memo_fill(e, false, &r);
    cr_expect(r.body_len == 3 && memcmp(r.body, "new", 3) == 0);
    response_clear(&r);
    memo_release(e);
    memo_free(m);
}

Test(memo, leaves_a_response_it_does_not_keep_untouched)
{
    struct memo *m = memo_new(16 * 1024); /* 1 KiB a shard */
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct response r;
    answer(&r, big);
    const char *body = r.body;
    cr_expect_null(memo_put(m, 1, "/big", 4, &r));
    cr_expect(r.body == body && r.body_owned, "the body is still the caller's");
    response_clear(&r);
    memo_free(m);
}

Test(memo, lets_a_reader_keep_an_entry_that_is_evicted_or_swept)
{
    struct memo *m = memo_new(16 * 4096);
    struct memo_entry *held = put(m, 1, "/held", "{\"held\":true}");
    cr_assert_not_null(held);
    char key[32];
    for (int i = 0; i < 2000; i++) { /* far more than fits: evicts /held */
        snprintf(key, sizeof key, "/k%d", i);
        memo_release(put(m, 1, key, "{\"some\":\"answer of a list page\"}"));
    }
    struct memo_stats st;
    memo_stats(m, &st);
    cr_expect_gt(st.evictions, 0);
    cr_expect_leq(st.bytes, 16 * 4096);
    memo_get(m, 2, "/x", 2); /* sweeps generation 1 */
    struct response r = {0};
    cr_assert_eq(memo_fill(held, true, &r), 0); /* still readable (ASan checks) */
    cr_expect(r.body_len == 13 && memcmp(r.body, "{\"held\":true}", 13) == 0);
    response_clear(&r);
    memo_release(held);
    memo_free(m);
}

struct worker {
    struct memo *m;
    int id;
};

static void *
hammer(void *arg)
{
    struct worker *w = arg;
    char key[32], body[2048];
    memset(body, 'a' + w->id, sizeof body - 1);
    body[sizeof body - 1] = '\0';
    for (int i = 0; i < 20000; i++) {
        uint64_t gen = 1 + (uint64_t)i / 2000;
        snprintf(key, sizeof key, "/k%d", i % 97);
        struct memo_entry *e = memo_get(w->m, gen, key, strlen(key));
        if (!e)
            e = put(w->m, gen, key, body);
        if (e) {
            struct response r = {0};
            cr_assert_eq(memo_fill(e, i % 3 == 0, &r), 0);
            cr_assert_eq(r.body_len, sizeof body - 1);
            response_clear(&r);
            memo_release(e);
        }
    }
    return NULL;
}

Test(memo, stays_consistent_under_threads_and_generations)
{
    struct memo *m = memo_new(64 * 1024);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){m, i};
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    struct memo_stats st;
    memo_stats(m, &st);
    cr_expect_gt(st.hits, 0);
    cr_expect_leq(st.bytes, 64 * 1024, "within the bound, gzip forms included");
    memo_free(m);
}
