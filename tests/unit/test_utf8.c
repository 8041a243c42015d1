/* utf8: validation, decoding, counting, offsets and the Windows-1252 decoder. */
#include "models/utf8.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

struct valid_case {
    const char *name, *s;
    size_t len;
    bool valid;
    size_t bad;
};

#define V(name, lit) {name, lit, sizeof lit - 1, true, 0}
#define BAD(name, lit, at) {name, lit, sizeof lit - 1, false, at}

Test(utf8, validates_well_formed_text_and_finds_the_first_bad_sequence)
{
    static const struct valid_case cases[] = {
        V("empty", ""),
        V("ascii", "abc"),
        V("two-byte", "caf\xC3\xA9"),
        V("three-byte", "\xE2\x82\xAC"),
        V("four-byte", "\xF0\x9F\x8F\x86"),
        V("largest two-byte", "\xDF\xBF"),
        V("smallest three-byte", "\xE0\xA0\x80"),
        V("before the surrogates", "\xED\x9F\xBF"),
        V("after the surrogates", "\xEE\x80\x80"),
        V("U+10FFFF", "\xF4\x8F\xBF\xBF"),
        V("a BOM", "\xEF\xBB\xBF"),
        V("a NUL byte", "a\0b"),
        BAD("overlong NUL", "\xC0\x80", 0),
        BAD("overlong C1", "\xC1\xBF", 0),
        BAD("overlong slash in three bytes", "ab\xE0\x80\xAF", 2),
        BAD("overlong three-byte", "\xE0\x9F\xBF", 0),
        BAD("overlong four-byte", "\xF0\x8F\xBF\xBF", 0),
        BAD("high surrogate", "\xED\xA0\x80", 0),
        BAD("low surrogate", "x\xED\xBF\xBF", 1),
        BAD("above U+10FFFF", "\xF4\x90\x80\x80", 0),
        BAD("F5 lead", "\xF5\x80\x80\x80", 0),
        BAD("five-byte form", "\xF8\x88\x80\x80\x80", 0),
        BAD("FE", "ok\xFE", 2),
        BAD("FF", "\xFF", 0),
        BAD("truncated at the end", "abc\xE2\x82", 3),
        BAD("lone lead", "\xC3", 0),
        BAD("truncated four-byte", "\xF0\x9F\x8F", 0),
        BAD("missing continuation", "\xE2\x82x", 0),
        BAD("lone continuation", "a\x80", 1),
        BAD("lone continuation first", "\xBF", 0),
        BAD("bad after good", "\xC3\xA9\xC3", 2),
        BAD("Latin-1 e acute", "caf\xE9 ", 3),
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct valid_case *c = &cases[k];
        /* A private copy of exactly len bytes, so a read past it is caught by ASan. */
        char *s = malloc(c->len ? c->len : 1);
        cr_assert_not_null(s);
        memcpy(s, c->s, c->len);
        size_t bad = 12345;
        cr_expect_eq(utf8_valid(s, c->len, &bad), c->valid, "%s", c->name);
        if (!c->valid)
            cr_expect_eq(bad, c->bad, "%s: bad at %zu", c->name, bad);
        cr_expect_eq(utf8_valid(s, c->len, NULL), c->valid, "%s without bad", c->name);
        free(s);
    }
}

Test(utf8, decodes_code_points_and_advances)
{
    static const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8F\x86";
    static const uint32_t cps[] = {'a', 0xE9, 0x20AC, 0x1F3C6};
    static const size_t ends[] = {1, 3, 6, 10};
    size_t i = 0;
    for (size_t k = 0; k < 4; k++) {
        cr_expect_eq(utf8_next(s, sizeof s - 1, &i), cps[k], "code point %zu", k);
        cr_expect_eq(i, ends[k]);
    }
}

struct next_case {
    const char *name, *s;
    size_t len;
    size_t n;         /* code points utf8_next yields */
    uint32_t first;   /* the first of them */
};

Test(utf8, gives_a_replacement_character_and_moves_one_byte_on_bad_input)
{
    static const struct next_case cases[] = {
        {"bad continuation", "\xC3(", 2, 2, 0xFFFD},
        {"truncated euro", "\xE2\x82", 2, 2, 0xFFFD},
        {"surrogate", "\xED\xA0\x80", 3, 3, 0xFFFD},
        {"overlong", "\xC0\x80", 2, 2, 0xFFFD},
        {"lone continuation", "\x80", 1, 1, 0xFFFD},
        {"above U+10FFFF", "\xF4\x90\x80\x80", 4, 4, 0xFFFD},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct next_case *c = &cases[k];
        char *s = malloc(c->len);
        cr_assert_not_null(s);
        memcpy(s, c->s, c->len);
        size_t i = 0, n = 0;
        uint32_t first = utf8_next(s, c->len, &i);
        cr_expect_eq(first, c->first, "%s", c->name);
        cr_expect_eq(i, 1, "%s: advanced %zu", c->name, i);
        for (n = 1; i < c->len; n++)
            utf8_next(s, c->len, &i);
        cr_expect_eq(n, c->n, "%s: %zu code points", c->name, n);
        free(s);
    }
}

struct encode_case {
    uint32_t cp;
    const char *bytes;
};

Test(utf8, encodes_code_points_of_every_length)
{
    static const struct encode_case cases[] = {
        {0x41, "A"},
        {0x7F, "\x7F"},
        {0x80, "\xC2\x80"},
        {0xE9, "\xC3\xA9"},
        {0x7FF, "\xDF\xBF"},
        {0x800, "\xE0\xA0\x80"},
        {0x20AC, "\xE2\x82\xAC"},
        {0xFFFF, "\xEF\xBF\xBF"},
        {0x10000, "\xF0\x90\x80\x80"},
        {0x1F3C6, "\xF0\x9F\x8F\x86"},
        {0x10FFFF, "\xF4\x8F\xBF\xBF"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char out[4];
        size_t n = utf8_encode(cases[k].cp, out);
        cr_expect_eq(n, strlen(cases[k].bytes), "U+%04X", cases[k].cp);
        cr_expect_eq(memcmp(out, cases[k].bytes, n), 0, "U+%04X", cases[k].cp);
        size_t i = 0;
        cr_expect_eq(utf8_next(out, n, &i), cases[k].cp, "U+%04X round trip", cases[k].cp);
    }
}

struct count_case {
    const char *s;
    size_t cps;
};

Test(utf8, counts_code_points)
{
    static const struct count_case cases[] = {
        {"", 0},
        {"abc", 3},
        {"caf\u00e9", 4},
        {"\u20ac\U0001F3C6", 2},
        {"North Korea\u2019s Kim visiting China at Xi Jinping\u2019s invitation", 59},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(utf8_cp_count(cases[k].s, strlen(cases[k].s)), cases[k].cps, "`%s`",
                     cases[k].s);
}

/* Offsets are converted both ways with these two functions, so they must agree
 * on every input, including bytes that utf8_next turns into U+FFFD. */
Test(utf8, counts_invalid_bytes_the_way_utf8_next_steps_over_them)
{
    static const struct {
        const char *s;
        size_t len;
    } cases[] = {{"\x80\x80" "a", 3}, {"\xE2\x82", 2}, {"x\xC3(", 3}, {"\xED\xA0\x80", 3}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t i = 0, n = 0;
        while (i < cases[k].len) {
            utf8_next(cases[k].s, cases[k].len, &i);
            n++;
        }
        size_t counted = utf8_cp_count(cases[k].s, cases[k].len);
        cr_expect_eq(counted, n, "case %zu: utf8_cp_count %zu, utf8_next steps %zu", k, counted, n);
        cr_expect_eq(utf8_byte_offset(cases[k].s, cases[k].len, counted), cases[k].len,
                     "case %zu: the offset of the last code point is not the end", k);
    }
}

struct offset_case {
    size_t cp, byte;
};

Test(utf8, converts_code_point_offsets_to_byte_offsets)
{
    static const char s[] = "caf\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x8F\x86!";
    static const struct offset_case cases[] = {
        {0, 0}, {3, 3}, {4, 5}, {5, 6}, {6, 9}, {7, 13}, {8, 14}, {9, 14}, {1000, 14},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(utf8_byte_offset(s, sizeof s - 1, cases[k].cp), cases[k].byte, "cp %zu",
                     cases[k].cp);
    cr_expect_eq(utf8_byte_offset("", 0, 3), 0);
}

struct cp1252_case {
    const char *in;
    size_t len;
    const char *out;
    size_t out_len;
};

#define W(in, out) {in, sizeof in - 1, out, sizeof out - 1}

Test(utf8, decodes_windows_1252)
{
    static const struct cp1252_case cases[] = {
        W("", ""),
        W("plain ascii", "plain ascii"),
        W("caf\xE9", "caf\u00e9"),
        W("\x93quoted\x94", "\u201cquoted\u201d"),
        W("it\x92s", "it\u2019s"),
        W("\x80 \x85 \x96\x97", "\u20ac \u2026 \u2013\u2014"),
        W("\x8A\x9A\x8E\x9E\x9F", "\u0160\u0161\u017d\u017e\u0178"),
        W("\x81\x8D\x8F\x90\x9D", "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D"),
        W("\xA0\xA9\xFF", "\u00a0\u00a9\u00ff"),
        W("a\0b", "a\0b"),
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t n = 999;
        char *out = utf8_from_cp1252(cases[k].in, cases[k].len, &n);
        cr_assert_not_null(out);
        cr_expect_eq(n, cases[k].out_len, "case %zu: length %zu", k, n);
        cr_expect_eq(memcmp(out, cases[k].out, cases[k].out_len), 0, "case %zu", k);
        cr_expect_eq(out[n], '\0', "case %zu: not NUL-terminated", k);
        free(out);
    }
}

Test(utf8, decodes_every_windows_1252_byte_into_valid_utf8)
{
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    size_t n = 0;
    char *out = utf8_from_cp1252(all, sizeof all, &n);
    cr_assert_not_null(out);
    size_t bad = 0;
    cr_expect(utf8_valid(out, n, &bad), "invalid at %zu", bad);
    cr_expect_eq(utf8_cp_count(out, n), 256);
    free(out);
}
