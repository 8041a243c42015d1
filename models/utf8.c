#include "utf8.h"

#include <ctype.h>
#include <stdlib.h>

/* Length of the sequence introduced by lead byte c, or 0 if c cannot lead one. */
static size_t
seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* Decodes one well-formed sequence at s[i]; returns its length, or 0 if it is invalid. */
static size_t
decode(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
    size_t n = seq_len(s[i]);
    if (n == 0 || i + n > len)
        return 0;
    if (n == 1) {
        *cp = s[i];
        return 1;
    }
    uint32_t v = s[i] & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    /* Reject overlongs, surrogates and values past U+10FFFF. */
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

bool
utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = decode(u, len, i, &cp);
        if (n == 0) {
            if (bad)
                *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

uint32_t
utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[*i] < 0x80)
        return u[(*i)++];
    uint32_t cp;
    size_t n = decode(u, len, *i, &cp);
    if (n == 0) {
        (*i)++;
        return 0xFFFD;
    }
    *i += n;
    return cp;
}

size_t
utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t
utf8_cp_count(const char *s, size_t len)
{
    size_t n = 0, i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80)
            i++;
        else
            utf8_next(s, len, &i);
        n++;
    }
    return n;
}

size_t
utf8_byte_offset(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (i < len && cp > 0) {
        utf8_next(s, len, &i);
        cp--;
    }
    return i;
}

/* Windows-1252 code points for bytes 0x80-0x9F; 0 marks the five undefined bytes,
 * which are kept as the C1 control of the same value (what Latin-1 would give). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

char *
utf8_from_cp1252(const char *s, size_t len, size_t *out_len)
{
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        if (c >= 0x80 && c <= 0x9F && cp1252_high[c - 0x80])
            cp = cp1252_high[c - 0x80];
        o += utf8_encode(cp, out + o);
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

bool
utf8_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return isalnum((int)cp);
    return cp != 0xA0 && cp != 0xFFFD && !(cp >= 0x2000 && cp <= 0x206F) &&
           !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFF00 && cp <= 0xFF0F) &&
           !(cp >= 0xFF1A && cp <= 0xFF20) && !(cp >= 0xA1 && cp <= 0xBF) && cp != 0xD7 &&
           cp != 0xF7;
}

bool
utf8_has_word(const char *s, size_t len)
{
    for (size_t i = 0; i < len;)
        if (utf8_is_word(utf8_next(s, len, &i)))
            return true;
    return false;
}

/* What each Latin letter folds to, from U+00C0: the base letters of its
 * canonical decomposition in lower case (generated from the Unicode data),
 * ligatures spelt out; "" for a letter kept as written (and for × and ÷,
 * which are not letters). */
/* clang-format off */
static const char latin_fold[][3] = {
    /* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    /* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    /* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
    /* U+0180 */ "b", "b", "b", "b", "", "", "", "c", "c", "d", "d", "d", "d", "", "", "",
    /* U+0190 */ "", "f", "f", "g", "", "hv", "", "i", "k", "k", "l", "", "", "n", "n", "o",
    /* U+01A0 */ "o", "o", "oi", "oi", "p", "p", "", "", "", "", "", "t", "t", "t", "t", "u",
    /* U+01B0 */ "u", "", "v", "y", "y", "z", "z", "", "", "", "", "", "", "", "", "",
    /* U+01C0 */ "", "", "", "", "dz", "dz", "dz", "lj", "lj", "lj", "nj", "nj", "nj", "a", "a", "i",
    /* U+01D0 */ "i", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "", "a", "a",
    /* U+01E0 */ "a", "a", "ae", "ae", "g", "g", "g", "g", "k", "k", "o", "o", "o", "o", "", "",
    /* U+01F0 */ "j", "dz", "dz", "dz", "g", "g", "", "", "n", "n", "a", "a", "ae", "ae", "o", "o",
    /* U+0200 */ "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
    /* U+0210 */ "r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h",
    /* U+0220 */ "n", "d", "ou", "ou", "z", "z", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o",
    /* U+0230 */ "o", "o", "y", "y", "l", "n", "t", "j", "", "", "a", "c", "c", "l", "t", "s",
    /* U+0240 */ "z", "", "", "b", "u", "", "e", "e", "j", "j", "", "q", "r", "r", "y", "y",
};
static const char latin_additional_fold[][3] = {
    /* U+1E00 */ "a", "a", "b", "b", "b", "b", "b", "b", "c", "c", "d", "d", "d", "d", "d", "d",
    /* U+1E10 */ "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "f", "f",
    /* U+1E20 */ "g", "g", "h", "h", "h", "h", "h", "h", "h", "h", "h", "h", "i", "i", "i", "i",
    /* U+1E30 */ "k", "k", "k", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", "l", "m", "m",
    /* U+1E40 */ "m", "m", "m", "m", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* U+1E50 */ "o", "o", "o", "o", "p", "p", "p", "p", "r", "r", "r", "r", "r", "r", "r", "r",
    /* U+1E60 */ "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", "t", "t",
    /* U+1E70 */ "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "v", "v", "v", "v",
    /* U+1E80 */ "w", "w", "w", "w", "w", "w", "w", "w", "w", "w", "x", "x", "x", "x", "y", "y",
    /* U+1E90 */ "z", "z", "z", "z", "z", "z", "h", "t", "w", "y", "a", "s", "s", "s", "ss", "d",
    /* U+1EA0 */ "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
    /* U+1EB0 */ "a", "a", "a", "a", "a", "a", "a", "a", "e", "e", "e", "e", "e", "e", "e", "e",
    /* U+1EC0 */ "e", "e", "e", "e", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
    /* U+1ED0 */ "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o",
    /* U+1EE0 */ "o", "o", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u",
    /* U+1EF0 */ "u", "u", "y", "y", "y", "y", "y", "y", "y", "y", "", "", "", "", "y", "y",
};
/* clang-format on */

bool
utf8_in_latin_fold(uint32_t cp)
{
    return (cp >= 0xC0 && cp < 0xC0 + sizeof latin_fold / sizeof *latin_fold) ||
           (cp >= 0x1E00 &&
            cp < 0x1E00 + sizeof latin_additional_fold / sizeof *latin_additional_fold);
}

const char *
utf8_fold_latin(uint32_t cp)
{
    if (cp >= 0xC0 && cp < 0xC0 + sizeof latin_fold / sizeof *latin_fold)
        return latin_fold[cp - 0xC0];
    if (cp >= 0x1E00 && cp < 0x1E00 + sizeof latin_additional_fold / sizeof *latin_additional_fold)
        return latin_additional_fold[cp - 0x1E00];
    return "";
}
