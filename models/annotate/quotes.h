/* quotes: direct quotations of an article and who said them.
 *
 * A quote is the text between double quote marks (“…”, "…"), marks included;
 * a quote that does not close in its paragraph runs to the paragraph's end
 * (the next paragraph then opens its own quote), or up to the next opening
 * mark when one comes first (a typo). Short quoted phrases of up to four
 * words with no speech verb beside them are scare quotes or titles, not quotes.
 *
 * The speaker, first match wins:
 * 1. a speech verb (said, added, told; speech_verbs.tsv) outside quotes: right
 *    after the quote (even past its ? or !), then further on in its sentence,
 *    then before it in its sentence; its subject is the name, pronoun or noun
 *    phrase just before the verb (skipping an appositive between commas,
 *    "Hill, a former ambassador, said", and a parenthesis, "(D-N.C.)"), or
 *    just after it ("said Hill", "said Rep. Smith");
 * 2. a dash and a name after the quote ("…” ― Sonya Herridge");
 * 3. a speech verb ending the paragraph before with a colon ("Caddell
 *    continued:");
 * 4. "according to X" in the quote's sentence;
 * 5. the speaker of the previous quote in the same paragraph, or of the last
 *    quote of the previous paragraph (a quote going on without attribution).
 * A pronoun speaker (he, she, they, it) is the last speaker of the article
 * (any speech verb with a known subject counts, quoted or not) when the sex
 * fits, else the nearest fitting entity mentioned before it outside quotes.
 * A speaker that is a noun phrase ("a source") has no entity. */
#ifndef ARTICLED_QUOTES_H
#define ARTICLED_QUOTES_H

#include "models/annotate/entities.h"
#include "models/annotate/gazetteer.h"
#include "models/annotate/text.h"

#include <stdbool.h>
#include <stddef.h>

/* A span of a block's text: bytes and code points, end exclusive. */
struct quote_span {
    size_t block;
    size_t start, end;
    size_t cp_start, cp_end;
};

struct quote {
    struct quote_span text; /* the quote, marks included */
    bool has_cue;
    struct quote_span cue; /* the speech verb ("said", "according to") */
    bool has_speaker;
    struct quote_span speaker; /* the speaker as written ("she", "Kim", "a source") */
    size_t entity;             /* index into the entity list, or (size_t)-1 for none */
};

struct quote_list {
    struct quote *v;
    size_t n;
};

/* Finds the quotes of an article whose blocks are tokenised and whose entities
 * are found. Fills *out (free with quote_list_free, also on failure).
 * Returns 0, or -1 when memory runs out. */
int quotes_find(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
                const struct entity_list *entities, struct quote_list *out);

void quote_list_free(struct quote_list *q);

#endif
