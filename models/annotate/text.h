/* text: tokens and sentences of one block of UTF-8 text, and the folded keys
 * that gazetteers and coreference compare.
 *
 * One pass over the bytes, no allocation beyond the token array. Offsets are
 * kept both in bytes (for slicing) and in code points (what the API reports).
 * Rules, in brief:
 * - a word is a run of letters and digits, joined across an apostrophe or a
 *   hyphen that has a letter or digit on both sides (don’t, Jong-un, 1996-08-30),
 *   across a decimal point or thousands comma between digits (1.4, 2,521),
 *   and across the dots of dotted abbreviations (U.S., a.m.);
 * - a possessive ’s / 's (and a bare ’ after a final s) is not part of the
 *   word: the word gets TEXT_POSS and the clitic is skipped (Kim’s, North
 *   Korea‘s with the left single quote typed as an apostrophe);
 * - a following period belongs to the word when the word is a known
 *   abbreviation (Mr, Sept, Inc), a single letter (an initial) or dotted,
 *   except that at the very end of the text "Inc." and "U.S." give their
 *   period back to end the sentence;
 * - every other non-space character is a token of its own; double and single
 *   quote marks are TEXT_QUOTE tokens marked as opening or closing;
 * - a sentence ends after . ! ? or … (not an abbreviation's period), plus any
 *   closing quotes or brackets, when the next token does not start lowercase. */
#ifndef ARTICLED_TEXT_H
#define ARTICLED_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum text_kind {
    TEXT_WORD,   /* starts with a letter */
    TEXT_NUMBER, /* starts with a digit */
    TEXT_PUNCT,
    TEXT_QUOTE, /* a quote mark, see TEXT_OPEN / TEXT_CLOSE / TEXT_DOUBLE */
};

/* Token flags. */
enum {
    TEXT_CAP = 1u << 0,        /* first letter is uppercase */
    TEXT_UPPER = 1u << 1,      /* every letter is uppercase (a word with 1+ letters) */
    TEXT_POSS = 1u << 2,       /* followed by a possessive clitic, not included */
    TEXT_ABBREV = 1u << 3,     /* ends with a period that is part of the word */
    TEXT_OPEN = 1u << 4,       /* quote mark that opens a quotation */
    TEXT_CLOSE = 1u << 5,      /* quote mark that closes one */
    TEXT_DOUBLE = 1u << 6,     /* double quote mark (“ ” ") */
    TEXT_SENT_START = 1u << 7, /* first word or number of its sentence */
    TEXT_SPACE = 1u << 8,      /* whitespace precedes the token (or it starts the text) */
    TEXT_HYPHEN = 1u << 9,     /* the word contains a hyphen */
};

struct text_token {
    size_t start, end;       /* bytes, end exclusive */
    size_t cp_start, cp_end; /* code points, end exclusive */
    unsigned kind;           /* enum text_kind */
    unsigned flags;
    unsigned sentence; /* sentence number within the text, from 0 */
};

/* A growable token array. Zero-initialise before the first use. */
struct text_tokens {
    struct text_token *v;
    size_t n, cap;
    unsigned nsentences;
};

/* One block of text with its tokens, as the annotator's modules share it. */
struct text_block {
    const char *text;
    size_t len;
    const struct text_token *tokens;
    size_t ntokens;
    const unsigned *classes; /* per token: gazetteer classes (gazetteer_classify), or NULL */
};

/* Tokenises s[0..len) into t, replacing what t held (its memory is reused).
 * Returns 0, or -1 when memory runs out (t then holds no tokens). */
int text_tokenize(const char *s, size_t len, struct text_tokens *t);

/* Frees the token array; t may be reused after (zeroed). */
void text_tokens_free(struct text_tokens *t);

/* Writes the matching key of s[0..len) to out (at most cap - 1 bytes, always
 * NUL-terminated) and returns its length: lowercase ASCII, Latin letters
 * stripped of accents, curly apostrophes as ', hyphens and runs of white space
 * as one space, periods dropped. "U.S." and "US", "Jong-un" and "Jong Un"
 * share a key. A key cut short at cap is returned cut. */
size_t text_fold(const char *s, size_t len, char *out, size_t cap);

/* True for the quote and apostrophe characters the tokenizer knows. */
bool text_is_quote_char(uint32_t cp);

/* True when the token text is one of the words given (ASCII, case-insensitive).
 * words is a NULL-terminated list. */
bool text_token_is(const char *s, const struct text_token *tok, const char *const *words);

#endif
