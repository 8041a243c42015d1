/* entities: people, places and organisations named in an article, each with
 * one canonical name and every mention.
 *
 * Rule-based, in three passes over the article's blocks:
 * 1. In blocks whose capitals mean something (not ALL CAPS, not Title Case),
 *    find the names: the longest gazetteer match (countries with their
 *    aliases and demonyms, places, organisations), else a run of capitalised
 *    words split at titles (President, Mr) and stripped of common words at
 *    its start. A run that ends in an organisation word (Agency, Ministry,
 *    Party) or a place word (Peninsula, Station) is named as a whole; one
 *    ending in an event word (Cup, Open, Act) is no entity. A run after a
 *    title or a role noun (leader, wife), or starting with a given name, or of
 *    two or more words is a person (an organisation if it holds an acronym);
 *    a lone word waits for pass 2. Contractions (I'm) and compound
 *    adjectives (Hong Kong-based) are no names.
 * 2. Group the candidates into entities: full person names with the same
 *    first and last words ("Kim Jong Un", "Kim Jong-un") are one person; a
 *    lone word is the person whose first or last name it is ("Kim", "Xi",
 *    "Trump"), or the organisation whose initials it spells ("KCNA"); places
 *    and organisations from the gazetteer take its canonical name ("US" is the
 *    United States). A lone word that resolves to nothing is a new entity,
 *    typed by how the article uses it: a place if it is ever "in", "at",
 *    "from" or "the town of" it, a person if it speaks ("Dole said"), else
 *    an organisation. A capitalised word at a sentence start is no name when
 *    the article also writes it in lowercase, or never mid-sentence while its
 *    sentence is running prose. In a sports report (3% or more of the words
 *    are sports words), a city or county that is never "in", "at" or "from"
 *    is a team: an organisation. Countries stay places.
 * 3. In ALL CAPS or Title Case blocks (headlines), and in datelines
 *    ("LONDON 1996-08-30"), mark only what the gazetteer or pass 2 knows.
 * The canonical name is the fullest form seen (most words, then first seen);
 * the id is its ASCII slug, unique within the article. */
#ifndef ARTICLED_ENTITIES_H
#define ARTICLED_ENTITIES_H

#include "models/annotate/gazetteer.h"
#include "models/annotate/text.h"

#include <stddef.h>

enum entity_type {
    ENTITY_PERSON,
    ENTITY_PLACE,
    ENTITY_ORGANISATION,
};

/* Mention flags. */
enum {
    ENTITY_DEMONYM = 1u << 0, /* "North Korean" for North Korea */
    ENTITY_POSS = 1u << 1,    /* followed by a possessive ’s */
};

struct entity_mention {
    size_t block;
    size_t tok_start, tok_end; /* token range in the block, end exclusive */
    size_t start, end;         /* bytes */
    size_t cp_start, cp_end;   /* code points */
    size_t entity;             /* index into entity_list.v */
    unsigned flags;
};

struct entity {
    char *name; /* canonical name, NUL-terminated */
    char *id;   /* slug, unique within the article */
    enum entity_type type;
    char sex; /* 'm', 'f' or 0 when unknown (from a given name or title) */
    size_t nmentions;
};

/* An article's entities, in order of first mention, and their mentions in
 * reading order (block, then offset). */
struct entity_list {
    struct entity *v;
    size_t n;
    struct entity_mention *m;
    size_t nm;
};

/* Finds the entities of an article whose blocks are already tokenised.
 * Fills *out (the caller frees it with entity_list_free, also on failure).
 * Returns 0, or -1 when memory runs out. */
int entities_find(const struct gazetteer *g, const struct text_block *blocks, size_t nblocks,
                  struct entity_list *out);

void entity_list_free(struct entity_list *l);

/* "person", "place" or "organisation". */
const char *entity_type_name(enum entity_type t);

#endif
