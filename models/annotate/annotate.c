#include "models/annotate/annotate.h"

#include "models/annotate/dates.h"
#include "models/annotate/entities.h"
#include "models/annotate/gazetteer.h"
#include "models/annotate/quotes.h"
#include "models/annotate/stats.h"
#include "models/annotate/text.h"
#include "models/embedded.h"
#include "models/utf8.h"

#include <stdlib.h>
#include <string.h>

struct annotator {
    struct gazetteer *g;
};

struct ann_block {
    const char *kind; /* into annotations.arena */
    const char *text; /* into annotations.arena, NUL-terminated */
    size_t len;
    int body_index;
};

struct ann_date {
    size_t block;
    size_t start, end;       /* bytes */
    size_t cp_start, cp_end; /* code points */
    char type[9];
    char value[32];
};

struct annotations {
    char *arena; /* block kinds and texts */
    struct ann_block *blocks;
    size_t nblocks;
    struct entity_list entities;
    struct quote_list quotes;
    struct ann_date *dates;
    size_t ndates;
    struct stats stats;
};

struct annotator *
annotator_new(const char **errstr)
{
    struct annotator *a = calloc(1, sizeof *a);
    if (!a) {
        *errstr = "out of memory building the annotator";
        return NULL;
    }
    a->g = gazetteer_new(embedded_gazetteers, errstr);
    if (!a->g) {
        free(a);
        return NULL;
    }
    return a;
}

void
annotator_free(struct annotator *a)
{
    if (!a)
        return;
    gazetteer_free(a->g);
    free(a);
}

void
annotations_free(struct annotations *an)
{
    if (!an)
        return;
    entity_list_free(&an->entities);
    quote_list_free(&an->quotes);
    stats_free(&an->stats);
    free(an->dates);
    free(an->blocks);
    free(an->arena);
    free(an);
}

size_t
annotations_words(const struct annotations *an)
{
    return an->stats.words;
}

/* Copies the input blocks into an->arena so the annotations outlive the input. */
static int
copy_blocks(struct annotations *an, const struct annotate_input *in)
{
    size_t total = 0;
    for (size_t i = 0; i < in->nblocks; i++)
        total +=
            in->blocks[i].len + strlen(in->blocks[i].kind ? in->blocks[i].kind : "paragraph") + 2;
    an->arena = malloc(total ? total : 1);
    an->blocks = calloc(in->nblocks ? in->nblocks : 1, sizeof *an->blocks);
    if (!an->arena || !an->blocks)
        return -1;
    char *p = an->arena;
    for (size_t i = 0; i < in->nblocks; i++) {
        const struct annotate_block *b = &in->blocks[i];
        const char *kind = b->kind ? b->kind : "paragraph";
        size_t kl = strlen(kind);
        memcpy(p, kind, kl + 1);
        an->blocks[i].kind = p;
        p += kl + 1;
        if (b->len)
            memcpy(p, b->text, b->len);
        p[b->len] = '\0';
        an->blocks[i].text = p;
        an->blocks[i].len = b->len;
        an->blocks[i].body_index = b->body_index;
        p += b->len + 1;
    }
    an->nblocks = in->nblocks;
    return 0;
}

static int
find_dates(struct annotations *an, const struct annotate_input *in)
{
    struct dates_anchor anchor;
    const struct dates_anchor *ap = dates_parse_anchor(in->published, &anchor) ? &anchor : NULL;
    size_t cap = 0;
    for (size_t i = 0; i < an->nblocks; i++) {
        const struct ann_block *b = &an->blocks[i];
        struct date_mention *found = NULL;
        size_t n = dates_find(b->text, b->len, ap, &found);
        if (n == (size_t)-1)
            return -1;
        if (an->ndates + n > cap) {
            size_t c = cap ? cap * 2 : 16;
            while (c < an->ndates + n)
                c *= 2;
            struct ann_date *v = realloc(an->dates, c * sizeof *v);
            if (!v) {
                free(found);
                return -1;
            }
            an->dates = v;
            cap = c;
        }
        for (size_t k = 0; k < n; k++) {
            struct ann_date *d = &an->dates[an->ndates++];
            d->block = i;
            d->start = found[k].start;
            d->end = found[k].end;
            d->cp_start = utf8_cp_count(b->text, d->start);
            d->cp_end = d->cp_start + utf8_cp_count(b->text + d->start, d->end - d->start);
            memcpy(d->type, found[k].type, sizeof d->type);
            d->type[sizeof d->type - 1] = '\0';
            memcpy(d->value, found[k].value, sizeof d->value);
            d->value[sizeof d->value - 1] = '\0';
        }
        free(found);
    }
    return 0;
}

struct annotations *
annotator_run(const struct annotator *a, const struct annotate_input *in)
{
    struct annotations *an = calloc(1, sizeof *an);
    struct text_tokens *tokens = calloc(in->nblocks ? in->nblocks : 1, sizeof *tokens);
    struct text_block *blocks = calloc(in->nblocks ? in->nblocks : 1, sizeof *blocks);
    unsigned *classes = NULL;
    if (!an || !tokens || !blocks || copy_blocks(an, in) < 0)
        goto fail;
    size_t ntokens = 0;
    for (size_t i = 0; i < an->nblocks; i++) {
        if (text_tokenize(an->blocks[i].text, an->blocks[i].len, &tokens[i]) < 0)
            goto fail;
        ntokens += tokens[i].n;
    }
    /* Every module reads each token's gazetteer classes from one array. */
    classes = malloc((ntokens ? ntokens : 1) * sizeof *classes);
    if (!classes)
        goto fail;
    for (size_t i = 0, at = 0; i < an->nblocks; i++) {
        gazetteer_classify(a->g, an->blocks[i].text, tokens[i].v, tokens[i].n, classes + at);
        blocks[i] = (struct text_block){an->blocks[i].text, an->blocks[i].len, tokens[i].v,
                                        tokens[i].n, classes + at};
        at += tokens[i].n;
    }
    if (entities_find(a->g, blocks, an->nblocks, &an->entities) < 0 ||
        quotes_find(a->g, blocks, an->nblocks, &an->entities, &an->quotes) < 0 ||
        find_dates(an, in) < 0 || stats_compute(a->g, blocks, an->nblocks, &an->stats) < 0)
        goto fail;
    for (size_t i = 0; i < in->nblocks; i++)
        text_tokens_free(&tokens[i]);
    free(tokens);
    free(blocks);
    free(classes);
    return an;
fail:
    if (tokens)
        for (size_t i = 0; i < in->nblocks; i++)
            text_tokens_free(&tokens[i]);
    free(tokens);
    free(blocks);
    free(classes);
    annotations_free(an);
    return NULL;
}

/* ---- JSON ---- */

/* A JSON string of s[0..len); NULL when memory runs out. */
static cJSON *
string_of(const char *s, size_t len)
{
    char small[256];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    cJSON *j = cJSON_CreateString(buf);
    if (buf != small)
        free(buf);
    return j;
}

static bool
add_item(cJSON *obj, const char *name, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

/* {"block", "start", "end", "text"} for a span of a block. */
static cJSON *
span_json(const struct annotations *an, size_t block, size_t start, size_t end, size_t cp_start,
          size_t cp_end)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!cJSON_AddNumberToObject(o, "block", (double)block) ||
        !cJSON_AddNumberToObject(o, "start", (double)cp_start) ||
        !cJSON_AddNumberToObject(o, "end", (double)cp_end) ||
        !add_item(o, "text", string_of(an->blocks[block].text + start, end - start))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool
add_blocks(cJSON *root, const struct annotations *an)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "blocks");
    if (!arr)
        return false;
    for (size_t i = 0; i < an->nblocks; i++) {
        const struct ann_block *b = &an->blocks[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            return false;
        }
        if (!cJSON_AddNumberToObject(o, "index", (double)i) ||
            !cJSON_AddStringToObject(o, "kind", b->kind) ||
            !add_item(o, "text", string_of(b->text, b->len)))
            return false;
        if (b->body_index >= 0 && !cJSON_AddNumberToObject(o, "body_index", b->body_index))
            return false;
    }
    return true;
}

static bool
add_entities(cJSON *root, const struct annotations *an)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "entities");
    if (!arr)
        return false;
    const struct entity_list *l = &an->entities;
    cJSON **mentions = calloc(l->n ? l->n : 1, sizeof *mentions);
    if (!mentions)
        return false;
    bool ok = false;
    for (size_t i = 0; i < l->n; i++) {
        const struct entity *e = &l->v[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto done;
        }
        if (!cJSON_AddStringToObject(o, "id", e->id) ||
            !cJSON_AddStringToObject(o, "name", e->name) ||
            !cJSON_AddStringToObject(o, "type", entity_type_name(e->type)))
            goto done;
        mentions[i] = cJSON_AddArrayToObject(o, "mentions");
        if (!mentions[i])
            goto done;
    }
    for (size_t i = 0; i < l->nm; i++) {
        const struct entity_mention *m = &l->m[i];
        cJSON *s = span_json(an, m->block, m->start, m->end, m->cp_start, m->cp_end);
        if (!s || !cJSON_AddItemToArray(mentions[m->entity], s)) {
            cJSON_Delete(s);
            goto done;
        }
        if ((m->flags & ENTITY_DEMONYM) && !cJSON_AddTrueToObject(s, "demonym"))
            goto done;
    }
    ok = true;
done:
    free(mentions);
    return ok;
}

static bool
add_quotes(cJSON *root, const struct annotations *an)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "quotes");
    if (!arr)
        return false;
    for (size_t i = 0; i < an->quotes.n; i++) {
        const struct quote *q = &an->quotes.v[i];
        const struct quote_span *t = &q->text;
        cJSON *o = span_json(an, t->block, t->start, t->end, t->cp_start, t->cp_end);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            return false;
        }
        cJSON *cue = q->has_cue ? string_of(an->blocks[q->cue.block].text + q->cue.start,
                                            q->cue.end - q->cue.start)
                                : cJSON_CreateNull();
        if (!add_item(o, "cue", cue))
            return false;
        if (!q->has_speaker) {
            if (!cJSON_AddNullToObject(o, "speaker"))
                return false;
            continue;
        }
        cJSON *sp = cJSON_CreateObject();
        if (!add_item(o, "speaker", sp))
            return false;
        const struct quote_span *s = &q->speaker;
        if (q->entity != (size_t)-1) {
            const struct entity *e = &an->entities.v[q->entity];
            if (!cJSON_AddStringToObject(sp, "entity", e->id) ||
                !cJSON_AddStringToObject(sp, "name", e->name))
                return false;
        } else if (!cJSON_AddNullToObject(sp, "entity") ||
                   !add_item(sp, "name",
                             string_of(an->blocks[s->block].text + s->start, s->end - s->start))) {
            return false;
        }
        if (!add_item(sp, "mention",
                      span_json(an, s->block, s->start, s->end, s->cp_start, s->cp_end)))
            return false;
    }
    return true;
}

static bool
add_dates(cJSON *root, const struct annotations *an)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "dates");
    if (!arr)
        return false;
    for (size_t i = 0; i < an->ndates; i++) {
        const struct ann_date *d = &an->dates[i];
        cJSON *o = span_json(an, d->block, d->start, d->end, d->cp_start, d->cp_end);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            return false;
        }
        cJSON *v = d->value[0] ? cJSON_CreateString(d->value) : cJSON_CreateNull();
        if (!add_item(o, "value", v) || !cJSON_AddStringToObject(o, "type", d->type))
            return false;
    }
    return true;
}

static bool
add_stats(cJSON *root, const struct annotations *an)
{
    cJSON *o = cJSON_AddObjectToObject(root, "stats");
    if (!o || !cJSON_AddNumberToObject(o, "words", (double)an->stats.words) ||
        !cJSON_AddNumberToObject(o, "reading_time_minutes", an->stats.reading_time_minutes) ||
        !cJSON_AddNumberToObject(o, "words_per_minute", STATS_WORDS_PER_MINUTE))
        return false;
    cJSON *kw = cJSON_AddArrayToObject(o, "keywords");
    if (!kw)
        return false;
    for (size_t i = 0; i < an->stats.nkeywords; i++) {
        cJSON *s = cJSON_CreateString(an->stats.keywords[i]);
        if (!s || !cJSON_AddItemToArray(kw, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

cJSON *
annotations_to_json(const struct annotations *an)
{
    cJSON *root = cJSON_CreateObject();
    if (!root || !add_blocks(root, an) || !add_entities(root, an) || !add_quotes(root, an) ||
        !add_dates(root, an) || !add_stats(root, an)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
