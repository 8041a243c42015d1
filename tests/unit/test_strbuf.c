/* strbuf: appends, formatted appends, JSON strings and handing the bytes over. */
#include "models/strbuf.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Under ASan, let a huge allocation fail with NULL (as malloc does) instead of aborting. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

Test(strbuf, appends_bytes_strings_and_formats)
{
    struct strbuf b;
    strbuf_init(&b, 4);
    strbuf_adds(&b, "hello");
    strbuf_add(&b, ", wor", 5);
    strbuf_add(&b, "ldXXX", 2);
    strbuf_add(&b, "ignored", 0);
    strbuf_addf(&b, " %d-%s-%c", 42, "x", 'y');
    strbuf_addf(&b, "%s", "");
    size_t len = 0;
    char *s = strbuf_take(&b, &len);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "hello, world 42-x-y");
    cr_expect_eq(len, strlen("hello, world 42-x-y"));
    cr_expect_null(b.data);
    cr_expect_eq(b.len, 0);
    free(s);
}

Test(strbuf, grows_far_past_its_initial_size)
{
    struct strbuf b;
    strbuf_init(&b, 1);
    char chunk[1000];
    memset(chunk, 'q', sizeof chunk);
    for (int i = 0; i < 100; i++)
        strbuf_add(&b, chunk, sizeof chunk);
    char big[5001];
    memset(big, 'r', 5000);
    big[5000] = '\0';
    strbuf_addf(&b, "%s|", big);
    size_t len = 0;
    char *s = strbuf_take(&b, &len);
    cr_assert_not_null(s);
    cr_expect_eq(len, 100000 + 5001);
    cr_expect_eq(s[0], 'q');
    cr_expect_eq(s[99999], 'q');
    cr_expect_eq(s[100000], 'r');
    cr_expect_eq(s[len - 1], '|');
    cr_expect_eq(s[len], '\0');
    free(s);
}

Test(strbuf, keeps_nul_bytes_inside_the_data)
{
    struct strbuf b;
    strbuf_init(&b, 0);
    strbuf_add(&b, "a\0b", 3);
    size_t len = 0;
    char *s = strbuf_take(&b, &len);
    cr_assert_not_null(s);
    cr_expect_eq(len, 3);
    cr_expect_eq(memcmp(s, "a\0b", 4), 0, "the data and its terminating NUL");
    free(s);
}

Test(strbuf, hands_over_an_empty_nul_terminated_string_when_nothing_was_added)
{
    struct strbuf b;
    strbuf_init(&b, 16);
    size_t len = 99;
    char *s = strbuf_take(&b, &len);
    cr_assert_not_null(s);
    cr_expect_eq(len, 0);
    cr_expect_eq(s[0], '\0', "strbuf_take promises NUL-terminated bytes");
    free(s);
}

/* The timeout catches a loop that never ends; 30 s leaves room for valgrind. */
Test(strbuf, accepts_appends_again_after_take, .timeout = 30)
{
    struct strbuf b;
    strbuf_init(&b, 8);
    strbuf_adds(&b, "first");
    size_t len = 0;
    char *first = strbuf_take(&b, &len);
    cr_assert_not_null(first);
    strbuf_adds(&b, "second"); /* b was reset by take */
    char *second = strbuf_take(&b, &len);
    cr_expect_not_null(second);
    if (second)
        cr_expect_str_eq(second, "second");
    free(first);
    free(second);
}

Test(strbuf, gives_null_from_take_after_a_failed_append)
{
    struct strbuf b;
    strbuf_init(&b, 8);
    strbuf_adds(&b, "ok");
    /* Cannot be allocated: the buffer fails. (1 << 61 rather than more: the
     * doubled capacity, 2^62, stays a size valgrind does not call negative.) */
    strbuf_add(&b, "x", (size_t)1 << 61);
    cr_expect(b.failed);
    strbuf_adds(&b, "more");
    strbuf_addf(&b, "%d", 1);
    size_t len = 0;
    cr_expect_null(strbuf_take(&b, &len));
    cr_expect_null(b.data, "take frees a failed buffer");
}

struct json_case {
    const char *in, *out;
};

Test(strbuf, writes_json_string_literals)
{
    static const struct json_case cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"caf\u00e9 \u201cquoted\u201d \U0001F3C6", "\"caf\u00e9 \u201cquoted\u201d \U0001F3C6\""},
        {"a/b", "\"a/b\""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct strbuf b;
        strbuf_init(&b, 0);
        strbuf_add_json_string(&b, cases[k].in);
        size_t len = 0;
        char *s = strbuf_take(&b, &len);
        cr_assert_not_null(s);
        cr_expect_str_eq(s, cases[k].out, "`%s`", cases[k].in);
        free(s);
    }
}

Test(strbuf, escapes_every_control_character_so_json_parsers_read_it_back)
{
    char in[40];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++)
        in[n++] = (char)c;
    in[n++] = '"';
    in[n++] = '\\';
    in[n++] = 0x7F;
    in[n] = '\0';
    struct strbuf b;
    strbuf_init(&b, 0);
    strbuf_add_json_string(&b, in);
    size_t len = 0;
    char *s = strbuf_take(&b, &len);
    cr_assert_not_null(s);
    for (size_t i = 0; i < len; i++)
        cr_expect_geq((unsigned char)s[i], 0x20, "raw control byte %#x at %zu", s[i], i);
    cJSON *j = cJSON_ParseWithLength(s, len);
    cr_assert_not_null(j, "not JSON: %s", s);
    cr_expect(cJSON_IsString(j));
    cr_expect_str_eq(cJSON_GetStringValue(j), in);
    cJSON_Delete(j);
    free(s);
}
