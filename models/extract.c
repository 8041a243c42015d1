#include "models/extract.h"

#include "models/strbuf.h"
#include "models/utf8.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PARSE_OPTIONS                                                                              \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET)
#define META_SCAN 65536  /* bytes searched for a <meta> charset */
#define MIN_SCORED 25    /* characters for a block to count in scoring */
#define RETRY_BELOW 500  /* body characters under which a stricter pass is retried */
#define MAX_HEADLINE 500 /* the article model's limits, in bytes */
#define MAX_STANDFIRST 4096
#define MAX_BYLINE 300
#define MAX_URL 2048
#define MAX_SOURCE 200
#define MAX_TEXT 65536
#define MAX_BLOCKS 2000
#define BYLINE_LINE_MAX 100 /* bytes: a shorter paragraph naming the author is the byline */
#define LINK_PARA_MAX 200   /* bytes: a shorter paragraph ... */
#define LINK_PARA_SHARE 0.8 /* ... this much inside links is navigation */

/* ---- tables ----------------------------------------------------------------------------- */

/* Removed before anything else: never article text. */
static const char *const strip_tags[] = {
    "script", "style", "noscript", "template", "iframe", "svg",      "canvas",
    "object", "embed", "button",   "input",    "select", "textarea", "link",
    "meta",   "head",  "dialog",   "video",    "audio",  "map",
};

/* Removed in the strict pass only: page furniture by element. */
static const char *const furniture_tags[] = {"nav", "aside", "footer", "menu"};

/* ARIA roles of page furniture. */
static const char *const furniture_roles[] = {
    "menu",   "menubar",     "complementary", "navigation",  "alert",
    "dialog", "alertdialog", "banner",        "contentinfo", "search",
};

/* class/id fragments of page furniture (readability's "unlikely candidates"),
 * unless a fragment of `maybe_hints` is present too. */
static const char *const unlikely_hints[] = {
    "-ad-",         "ai2html",    "banner",    "breadcrumb", "combx",        "comment",
    "community",    "cover-wrap", "disqus",    "extra",      "footer",       "gdpr",
    "header",       "legends",    "menu",      "related",    "remark",       "replies",
    "rss",          "shoutbox",   "sidebar",   "skyscraper", "social",       "sponsor",
    "supplemental", "ad-break",   "agegate",   "pagination", "pager",        "popup",
    "yom-remote",   "newsletter", "subscribe", "promo",      "outbrain",     "taboola",
    "share",        "cookie",     "recirc",    "trending",   "most-popular", "mostread",
    "signup",       "paywall",    "modal",
};
static const char *const maybe_hints[] = {"and",  "article", "body",  "column", "content",
                                          "main", "shadow",  "embed", "tweet"};

/* class/id fragments of embedded posts (tweets and the like) that articles quote. */
static const char *const embed_hints[] = {"embed", "tweet"};

/* class/id fragments that weigh a container up or down by 25. */
static const char *const negative_hints[] = {
    "-ad-",       "hidden",  "banner",    "combx",      "comment",   "com-",     "contact",
    "foot",       "footer",  "footnote",  "gdpr",       "masthead",  "media",    "meta",
    "outbrain",   "promo",   "related",   "scroll",     "share",     "shoutbox", "sidebar",
    "skyscraper", "sponsor", "shopping",  "tags",       "tool",      "widget",   "byline",
    "author",     "caption", "subscribe", "newsletter", "recommend", "teaser",   "card",
};
static const char *const positive_hints[] = {
    "article", "body", "content", "entry", "hentry", "h-entry", "main",
    "page",    "post", "text",    "blog",  "story",  "prose",
};

/* Elements a <div> holding any of them is not a paragraph. */
static const char *const div_block_tags[] = {
    "blockquote", "dl",      "div",     "img", "ol", "p",  "pre", "table", "ul",
    "figure",     "section", "article", "h1",  "h2", "h3", "h4",  "h5",    "h6"};

/* Elements scored as paragraphs. */
static const char *const scored_tags[] = {"p",  "pre", "td", "section", "h2",
                                          "h3", "h4",  "h5", "h6"};

/* Elements that end a paragraph of running text. */
static const char *const block_tags[] = {
    "address", "article", "blockquote", "center",     "dd",     "details", "dir",     "div",
    "dl",      "dt",      "fieldset",   "figcaption", "figure", "footer",  "form",    "h1",
    "h2",      "h3",      "h4",         "h5",         "h6",     "header",  "hgroup",  "hr",
    "li",      "main",    "nav",        "ol",         "p",      "pre",     "section", "summary",
    "table",   "tbody",   "thead",      "tfoot",      "tr",     "ul",      "body",    "html",
    "caption", "aside",   "picture",
};

/* Containers checked by the conditional clean-up. */
static const char *const conditional_tags[] = {"form", "fieldset", "table",  "ul",
                                               "ol",   "div",      "section"};

/* Starting scores by element (readability). */
static const struct {
    const char *tag;
    int score;
} tag_scores[] = {
    {"div", 5}, {"pre", 3}, {"td", 3},  {"blockquote", 3}, {"address", -3}, {"ol", -3}, {"ul", -3},
    {"dl", -3}, {"dd", -3}, {"dt", -3}, {"li", -3},        {"form", -3},    {"h1", -5}, {"h2", -5},
    {"h3", -5}, {"h4", -5}, {"h5", -5}, {"h6", -5},        {"th", -5},
};

/* class fragments of a credit inside a figure. */
static const char *const credit_hints[] = {"credit", "copyright", "photographer", "source",
                                           "byline", "author",    "attribution"};

/* class fragments of captions and credits, left out of the text. */
static const char *const caption_hints[] = {"caption", "credit", "copyright"};

/* schema.org types whose JSON-LD describes the article. */
static const char *const article_types[] = {
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "LiveBlogPosting",
    "ScholarlyArticle",
    "TechArticle",
    "Report",
    "SatiricalArticle",
    "AdvertiserContentArticle",
    "SocialMediaPosting",
    "Review",
};

/* Charsets decoded here as Windows-1252, as browsers do. */
static const char *const cp1252_names[] = {"windows-1252", "cp1252",   "iso-8859-1", "iso8859-1",
                                           "latin1",       "latin-1",  "l1",         "x-cp1252",
                                           "iso_8859-1",   "us-ascii", "ascii"};
static const char *const utf8_names[] = {"utf-8", "utf8", "unicode-1-1-utf-8"};

/* Title separators before a site name: "Headline | Site". */
static const char *const title_separators[] = {
    " | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " :: ", " \xc2\xbb ", " / ", " \xc2\xb7 "};

#define COUNT(t) (sizeof(t) / sizeof *(t))

/* Passes of the body search, strictest first (readability's flags). */
enum pass_flags { STRIP_UNLIKELY = 1, WEIGHT_CLASSES = 2, CLEAN_CONDITIONALLY = 4 };
static const unsigned passes[] = {STRIP_UNLIKELY | WEIGHT_CLASSES | CLEAN_CONDITIONALLY,
                                  WEIGHT_CLASSES | CLEAN_CONDITIONALLY, CLEAN_CONDITIONALLY, 0};

/* ---- small helpers ---------------------------------------------------------------------- */

static bool
in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool
is_tag(const xmlNode *n, const char *const *list, size_t count)
{
    return n && n->type == XML_ELEMENT_NODE && in_list((const char *)n->name, list, count);
}

static bool
tag_eq(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0;
}

/* The attribute's value, borrowed from the tree; NULL when absent. */
static const char *
attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (strcasecmp((const char *)a->name, name) == 0)
            return a->children && a->children->content ? (const char *)a->children->content : "";
    return NULL;
}

/* True when lower-cased s contains any of the fragments. */
static bool
has_fragment(const char *s, const char *const *frags, size_t n)
{
    if (!s || !*s)
        return false;
    char low[512];
    size_t len = strlen(s);
    if (len >= sizeof low)
        len = sizeof low - 1;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[len] = '\0';
    for (size_t i = 0; i < n; i++)
        if (strstr(low, frags[i]))
            return true;
    return false;
}

static bool
hints_match(const xmlNode *n, const char *const *frags, size_t count)
{
    return has_fragment(attr(n, "class"), frags, count) ||
           has_fragment(attr(n, "id"), frags, count);
}

static bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Appends s with every run of white space (NBSP included) as one space. */
static void
add_collapsed(struct strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        bool ws = is_space(*p) || (p[0] == 0xC2 && p[1] == 0xA0);
        if (!ws) {
            strbuf_add(b, (const char *)p, 1);
            p++;
            continue;
        }
        if (b->len > 0 && b->data[b->len - 1] != ' ')
            strbuf_add(b, " ", 1);
        p += is_space(*p) ? 1 : 2;
    }
}

/* Strips leading and trailing spaces of b in place. */
static void
trim(struct strbuf *b)
{
    if (b->failed || !b->data)
        return;
    while (b->len > 0 && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    size_t lead = 0;
    while (lead < b->len && b->data[lead] == ' ')
        lead++;
    memmove(b->data, b->data + lead, b->len - lead + 1);
    b->len -= lead;
}

/* The buffer's string (caller frees); NULL when an append failed. */
static char *
take(struct strbuf *b)
{
    size_t len;
    return strbuf_take(b, &len);
}

static void
reset(struct strbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* The text of n (all descendants), white space collapsed. */
static void
add_text(struct strbuf *b, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            add_collapsed(b, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE) {
            bool sep = tag_eq(c, "br") || is_tag(c, block_tags, COUNT(block_tags)) ||
                       tag_eq(c, "td") || tag_eq(c, "th");
            if (sep)
                add_collapsed(b, " ");
            add_text(b, c);
            if (sep)
                add_collapsed(b, " ");
        }
    }
}

/* A new string of n's text, trimmed; NULL on OOM. */
static char *
text_of(const xmlNode *n)
{
    struct strbuf b;
    strbuf_init(&b, 128);
    add_text(&b, n);
    trim(&b);
    return take(&b);
}

/* Counts of the text under a node: characters (code points, white space runs
 * as one), commas and characters inside links. */
struct text_counts {
    double chars, commas, link_chars;
};

static void
count_text(const xmlNode *n, bool in_link, struct text_counts *t)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const unsigned char *p = c->content;
            bool prev_space = true;
            double chars = 0;
            for (; p && *p; p++) {
                if ((*p & 0xC0) == 0x80)
                    continue;
                bool sp = is_space(*p);
                if (sp && prev_space)
                    continue;
                prev_space = sp;
                chars++;
                if (*p == ',' || (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C) ||
                    (p[0] == 0xD8 && p[1] == 0x8C) ||
                    (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x81))
                    t->commas++;
            }
            t->chars += chars;
            if (in_link)
                t->link_chars += chars;
        } else if (c->type == XML_ELEMENT_NODE) {
            bool link = in_link || tag_eq(c, "a");
            if (tag_eq(c, "a") && !in_link) {
                /* In-page anchors count less: they are footnotes, not navigation. */
                const char *href = attr(c, "href");
                struct text_counts inner = {0};
                count_text(c, true, &inner);
                t->chars += inner.chars;
                t->commas += inner.commas;
                t->link_chars += inner.link_chars * (href && href[0] == '#' ? 0.3 : 1.0);
                continue;
            }
            count_text(c, link, t);
        }
    }
}

static struct text_counts
counts_of(const xmlNode *n)
{
    struct text_counts t = {0};
    count_text(n, false, &t);
    return t;
}

static double
link_density(const xmlNode *n)
{
    struct text_counts t = counts_of(n);
    return t.chars > 0 ? t.link_chars / t.chars : 0;
}

static size_t
count_tags(const xmlNode *n, const char *name)
{
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            k += tag_eq(c, name) + count_tags(c, name);
    return k;
}

/* The next node after n in document order within root's subtree;
 * skip_children leaves n's own subtree out. */
static xmlNode *
next_node(xmlNode *n, const xmlNode *root, bool skip_children)
{
    if (!skip_children && n->children && n->type == XML_ELEMENT_NODE)
        return n->children;
    for (; n && n != root; n = n->parent)
        if (n->next)
            return n->next;
    return NULL;
}

static void
remove_node(xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* Copies at most max bytes of s, cut at a UTF-8 boundary; NULL on OOM or empty s. */
static char *
clamp_dup(const char *s, size_t max)
{
    if (!s || !*s)
        return NULL;
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return strndup(s, n);
}

/* Sets *field to a trimmed, collapsed copy of s unless already set. */
static int
set_once(char **field, const char *s, size_t max)
{
    if (*field || !s)
        return 0;
    struct strbuf b;
    strbuf_init(&b, 64);
    add_collapsed(&b, s);
    trim(&b);
    char *t = take(&b);
    if (!t)
        return -1;
    *field = clamp_dup(t, max);
    bool empty = t[0] == '\0';
    free(t);
    return *field || empty ? 0 : -1;
}

/* ---- charset ---------------------------------------------------------------------------- */

/* Copies the charset name that follows "charset=" in s[0..len) into out; false when none. */
static bool
charset_after(const char *s, size_t len, char *out, size_t outlen)
{
    static const char key[] = "charset";
    for (size_t i = 0; i + sizeof key - 1 < len; i++) {
        if (strncasecmp(s + i, key, sizeof key - 1) != 0)
            continue;
        size_t j = i + sizeof key - 1;
        while (j < len && is_space((unsigned char)s[j]))
            j++;
        if (j >= len || s[j] != '=')
            continue;
        j++;
        while (j < len && (is_space((unsigned char)s[j]) || s[j] == '"' || s[j] == '\''))
            j++;
        size_t o = 0;
        while (j < len && o + 1 < outlen && (isalnum((unsigned char)s[j]) || strchr("-_.:", s[j])))
            out[o++] = s[j++];
        out[o] = '\0';
        return o > 0;
    }
    return false;
}

/* The charset of the first <meta> that names one, in the first META_SCAN bytes. */
static bool
meta_charset(const char *html, size_t len, char *out, size_t outlen)
{
    size_t end = len < META_SCAN ? len : META_SCAN;
    for (size_t i = 0; i + 5 < end; i++) {
        if (html[i] != '<' || strncasecmp(html + i + 1, "meta", 4) != 0)
            continue;
        const char *close = memchr(html + i, '>', end - i);
        size_t tag_len = close ? (size_t)(close - (html + i)) : end - i;
        if (charset_after(html + i, tag_len, out, outlen))
            return true;
    }
    return false;
}

/* A UTF-8 copy of html: decoded from Windows-1252, or with invalid sequences
 * replaced by U+FFFD. NULL on OOM. */
static char *
to_utf8(const char *html, size_t len, bool cp1252, size_t *out_len)
{
    if (cp1252)
        return utf8_from_cp1252(html, len, out_len);
    struct strbuf b;
    strbuf_init(&b, len + 16);
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        uint32_t cp = utf8_next(html, len, &i);
        if (cp == 0xFFFD && i == start + 1) {
            strbuf_add(&b, "\xEF\xBF\xBD", 3);
        } else if (cp != 0) {
            strbuf_add(&b, html + start, i - start);
        }
    }
    return strbuf_take(&b, out_len);
}

/* Parses html as the charset rules of extract_html say. NULL on OOM or when
 * libxml2 gives up. */
static htmlDocPtr
parse_html(const char *html, size_t len, const char *url, const char *declared)
{
    char name[48] = "";
    if (declared && !charset_after(declared, strlen(declared), name, sizeof name))
        snprintf(name, sizeof name, "%s", declared);
    /* A page cannot declare UTF-16 in its own ASCII text: browsers read it as UTF-8. */
    if (!name[0] && meta_charset(html, len, name, sizeof name) &&
        strncasecmp(name, "utf-16", 6) == 0)
        snprintf(name, sizeof name, "utf-8");
    /* A UTF-8 byte order mark wins over any declaration, as in browsers. */
    if (len >= 3 && memcmp(html, "\xEF\xBB\xBF", 3) == 0) {
        html += 3;
        len -= 3;
        snprintf(name, sizeof name, "utf-8");
    }
    bool valid = utf8_valid(html, len, NULL);
    bool cp1252 = in_list(name, cp1252_names, COUNT(cp1252_names)) &&
                  !(valid && (!strcasecmp(name, "us-ascii") || !strcasecmp(name, "ascii")));
    bool utf8 = in_list(name, utf8_names, COUNT(utf8_names));
    if (!cp1252 && !utf8) {
        xmlCharEncodingHandlerPtr h = name[0] ? xmlFindCharEncodingHandler(name) : NULL;
        if (h) {
            xmlCharEncCloseFunc(h);
            return htmlReadMemory(html, (int)len, url, name, PARSE_OPTIONS);
        }
        cp1252 = !valid; /* unknown or no charset: detect */
    }
    size_t n = 0;
    char *copy = to_utf8(html, len, cp1252, &n);
    if (!copy)
        return NULL;
    htmlDocPtr doc = htmlReadMemory(copy, (int)n, url, "UTF-8", PARSE_OPTIONS);
    free(copy);
    return doc;
}

/* ---- metadata --------------------------------------------------------------------------- */

/* What the page says about itself, before the body is looked at. Strings are
 * owned here until moved into the article. */
struct meta {
    char *og_title, *ld_headline, *h1, *title;
    char *og_description, *description, *ld_description;
    char *ld_author, *meta_author, *rel_author;
    char *ld_published, *meta_published, *time_published;
    char *canonical, *og_url, *ld_url;
    char *site_name, *ld_publisher;
    char *language;
};

static void
meta_free(struct meta *m)
{
    char **fields[] = {&m->og_title,       &m->ld_headline,    &m->h1,
                       &m->title,          &m->og_description, &m->description,
                       &m->ld_description, &m->ld_author,      &m->meta_author,
                       &m->rel_author,     &m->ld_published,   &m->meta_published,
                       &m->time_published, &m->canonical,      &m->og_url,
                       &m->ld_url,         &m->site_name,      &m->ld_publisher,
                       &m->language};
    for (size_t i = 0; i < COUNT(fields); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* <meta property|name|itemprop=KEY content=...> keys and where they go. */
static const struct {
    const char *key;
    size_t offset;
} meta_keys[] = {
    {"og:title", offsetof(struct meta, og_title)},
    {"twitter:title", offsetof(struct meta, og_title)},
    {"og:description", offsetof(struct meta, og_description)},
    {"description", offsetof(struct meta, description)},
    {"twitter:description", offsetof(struct meta, description)},
    {"author", offsetof(struct meta, meta_author)},
    {"article:author", offsetof(struct meta, meta_author)},
    {"byl", offsetof(struct meta, meta_author)},
    {"dc.creator", offsetof(struct meta, meta_author)},
    {"sailthru.author", offsetof(struct meta, meta_author)},
    {"parsely-author", offsetof(struct meta, meta_author)},
    {"article:published_time", offsetof(struct meta, meta_published)},
    {"datepublished", offsetof(struct meta, meta_published)},
    {"og:article:published_time", offsetof(struct meta, meta_published)},
    {"article.published", offsetof(struct meta, meta_published)},
    {"date", offsetof(struct meta, meta_published)},
    {"dc.date.issued", offsetof(struct meta, meta_published)},
    {"pubdate", offsetof(struct meta, meta_published)},
    {"parsely-pub-date", offsetof(struct meta, meta_published)},
    {"sailthru.date", offsetof(struct meta, meta_published)},
    {"og:url", offsetof(struct meta, og_url)},
    {"og:site_name", offsetof(struct meta, site_name)},
    {"application-name", offsetof(struct meta, ld_publisher)},
};

static bool
looks_like_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 || s[0] == '/';
}

static int
read_meta_tag(const xmlNode *n, struct meta *m)
{
    const char *content = attr(n, "content");
    if (!content)
        return 0;
    const char *keys[] = {attr(n, "property"), attr(n, "name"), attr(n, "itemprop")};
    for (size_t k = 0; k < COUNT(keys); k++) {
        if (!keys[k])
            continue;
        for (size_t i = 0; i < COUNT(meta_keys); i++) {
            if (strcasecmp(keys[k], meta_keys[i].key) != 0)
                continue;
            char **field = (char **)((char *)m + meta_keys[i].offset);
            if (field == &m->meta_author && looks_like_url(content))
                continue;
            if (set_once(field, content, MAX_STANDFIRST) != 0)
                return -1;
        }
    }
    return 0;
}

static bool
ld_is_article(const cJSON *o)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "@type");
    if (cJSON_IsString(t))
        return in_list(t->valuestring, article_types, COUNT(article_types));
    const cJSON *e;
    cJSON_ArrayForEach(e, t) if (cJSON_IsString(e) && in_list(e->valuestring, article_types,
                                                              COUNT(article_types))) return true;
    return false;
}

/* The name in a JSON-LD person, organisation or list of them, joined with ", ". */
static void
ld_names(const cJSON *v, struct strbuf *b)
{
    if (cJSON_IsString(v) && !looks_like_url(v->valuestring)) {
        if (b->len)
            strbuf_adds(b, ", ");
        strbuf_adds(b, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) ld_names(e, b);
    } else if (cJSON_IsObject(v)) {
        ld_names(cJSON_GetObjectItemCaseSensitive(v, "name"), b);
    }
}

static const char *
ld_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsArray(v))
        v = cJSON_GetArrayItem(v, 0);
    if (cJSON_IsObject(v)) /* mainEntityOfPage and the like: {"@id": url} */
        v = cJSON_GetObjectItemCaseSensitive(v, "@id");
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
read_ld_article(const cJSON *o, struct meta *m)
{
    struct strbuf b;
    strbuf_init(&b, 64);
    ld_names(cJSON_GetObjectItemCaseSensitive(o, "author"), &b);
    char *author = take(&b);
    if (!author)
        return -1;
    int rc = set_once(&m->ld_author, author[0] ? author : NULL, MAX_BYLINE);
    free(author);
    strbuf_init(&b, 64);
    ld_names(cJSON_GetObjectItemCaseSensitive(o, "publisher"), &b);
    char *publisher = take(&b);
    if (!publisher)
        return -1;
    rc |= set_once(&m->ld_publisher, publisher[0] ? publisher : NULL, MAX_SOURCE);
    free(publisher);
    const char *url = ld_string(o, "url");
    if (!url)
        url = ld_string(o, "mainEntityOfPage");
    rc |= set_once(&m->ld_headline, ld_string(o, "headline"), MAX_HEADLINE);
    rc |= set_once(&m->ld_description, ld_string(o, "description"), MAX_STANDFIRST);
    rc |= set_once(&m->ld_published, ld_string(o, "datePublished"), 64);
    rc |= set_once(&m->ld_url, url, MAX_URL);
    return rc;
}

/* Looks for article objects in a JSON-LD value: the value, arrays and @graph. */
static int
read_ld(const cJSON *v, struct meta *m, int depth)
{
    if (depth > 4)
        return 0;
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) if (read_ld(e, m, depth + 1) != 0) return -1;
        return 0;
    }
    if (!cJSON_IsObject(v))
        return 0;
    if (ld_is_article(v) && read_ld_article(v, m) != 0)
        return -1;
    return read_ld(cJSON_GetObjectItemCaseSensitive(v, "@graph"), m, depth + 1);
}

static int
read_ld_script(const xmlNode *n, struct meta *m)
{
    const char *type = attr(n, "type");
    if (!type || strcasecmp(type, "application/ld+json") != 0)
        return 0;
    char *json = (char *)xmlNodeGetContent(n);
    if (!json)
        return 0;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(json, strlen(json) + 1, &end, 0);
    int rc = doc ? read_ld(doc, m, 0) : 0;
    cJSON_Delete(doc);
    xmlFree(json);
    return rc;
}

/* One pass over the untouched tree for everything but the body. */
static int
read_meta(xmlNode *root, struct meta *m)
{
    const char *lang = attr(root, "lang");
    if (lang && set_once(&m->language, lang, 35) != 0)
        return -1;
    for (xmlNode *n = root; n; n = next_node(n, root, false)) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        int rc = 0;
        const char *rel = attr(n, "rel");
        if (tag_eq(n, "meta")) {
            rc = read_meta_tag(n, m);
        } else if (tag_eq(n, "script")) {
            rc = read_ld_script(n, m);
        } else if (tag_eq(n, "title") && !m->title) {
            char *t = text_of(n);
            rc = t ? set_once(&m->title, t, MAX_HEADLINE) : -1;
            free(t);
        } else if (tag_eq(n, "h1") && !m->h1) {
            char *t = text_of(n);
            rc = t ? set_once(&m->h1, t[0] ? t : NULL, MAX_HEADLINE) : -1;
            free(t);
        } else if (tag_eq(n, "link") && rel && strcasecmp(rel, "canonical") == 0) {
            rc = set_once(&m->canonical, attr(n, "href"), MAX_URL);
        } else if (tag_eq(n, "a") && rel && has_fragment(rel, (const char *const[]){"author"}, 1) &&
                   !m->rel_author) {
            char *t = text_of(n);
            rc = t ? set_once(&m->rel_author, t[0] ? t : NULL, MAX_BYLINE) : -1;
            free(t);
        } else if (tag_eq(n, "time") && !m->time_published) {
            rc = set_once(&m->time_published, attr(n, "datetime"), 64);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Writes the date s into out as article_parse_time accepts it: a date-time
 * with a zone (`+0000` and `.123` repaired), else the date alone; false when s
 * does not start with YYYY-MM-DD. */
static bool
normalize_date(const char *s, char *out, size_t outlen)
{
    while (*s == ' ')
        s++;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    int64_t ts;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    const char *p = s + 10;
    int h, mi, sec = 0;
    /* Exactly two digits each: "T08:4" ends the string before p + 6. */
    if ((*p == 'T' || *p == ' ') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        p[3] == ':' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
        h = (p[1] - '0') * 10 + (p[2] - '0');
        mi = (p[4] - '0') * 10 + (p[5] - '0');
        p += 6;
        if (*p == ':' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
            sec = (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
        }
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p);)
                p++;
        char zone[8] = "";
        if (*p == 'Z' || *p == 'z') {
            snprintf(zone, sizeof zone, "Z");
        } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
                   isdigit((unsigned char)p[2])) {
            const char *m = p[3] == ':' ? p + 4 : p + 3;
            bool has_min = isdigit((unsigned char)m[0]) && isdigit((unsigned char)m[1]);
            snprintf(zone, sizeof zone, "%c%c%c:%c%c", p[0], p[1], p[2], has_min ? m[0] : '0',
                     has_min ? m[1] : '0');
        }
        if (zone[0]) {
            snprintf(out, outlen, "%sT%02d:%02d:%02d%s", date, h, mi, sec, zone);
            if (article_parse_time(out, &ts) == 0)
                return true;
        }
    }
    snprintf(out, outlen, "%s", date);
    return article_parse_time(out, &ts) == 0;
}

/* "Headline | Site" -> "Headline": cut at the last separator when what is left
 * keeps at least three words. */
static void
strip_site_suffix(char *title)
{
    char *best = NULL;
    for (size_t i = 0; i < COUNT(title_separators); i++) {
        char *p = title, *last = NULL;
        while ((p = strstr(p, title_separators[i]))) {
            last = p;
            p++;
        }
        if (last && (!best || last > best))
            best = last;
    }
    if (!best)
        return;
    size_t words = 0;
    for (char *p = title; p < best; p++)
        if (*p == ' ' && p + 1 < best && p[1] != ' ')
            words++;
    if (words >= 2)
        *best = '\0';
}

/* Resolves href against base into an http(s) URL; NULL when not one or on OOM. */
static char *
absolute_url(const char *href, const char *base)
{
    if (!href || !*href)
        return NULL;
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)(base ? base : ""));
    char *out = NULL;
    if (abs && (strncasecmp((char *)abs, "http://", 7) == 0 ||
                strncasecmp((char *)abs, "https://", 8) == 0))
        out = clamp_dup((char *)abs, MAX_URL);
    xmlFree(abs);
    return out;
}

static const char *
first_of(const char *a, const char *b, const char *c)
{
    return a ? a : b ? b : c;
}

/* Moves the metadata into the article. -1 on OOM. */
static int
apply_meta(struct meta *m, const char *url, struct article *a)
{
    char *headline = NULL;
    if (!m->og_title && !m->ld_headline && !m->h1 && m->title)
        strip_site_suffix(m->title);
    const char *h = m->og_title ? m->og_title : first_of(m->ld_headline, m->h1, m->title);
    if (set_once(&headline, h, MAX_HEADLINE) != 0)
        return -1;
    a->headline = headline;
    if (set_once(&a->standfirst, first_of(m->og_description, m->description, m->ld_description),
                 MAX_STANDFIRST) != 0 ||
        set_once(&a->byline, first_of(m->ld_author, m->meta_author, m->rel_author), MAX_BYLINE) !=
            0 ||
        set_once(&a->language, m->language, 35) != 0)
        return -1;
    const char *dates[] = {m->ld_published, m->meta_published, m->time_published};
    for (size_t i = 0; i < COUNT(dates) && !a->published; i++) {
        char iso[40];
        if (dates[i] && normalize_date(dates[i], iso, sizeof iso) && !(a->published = strdup(iso)))
            return -1;
    }
    const char *urls[] = {m->canonical, m->og_url, m->ld_url, url};
    for (size_t i = 0; i < COUNT(urls) && !a->url; i++)
        a->url = absolute_url(urls[i], url);
    const char *site = m->site_name ? m->site_name : m->ld_publisher;
    if (site && article_list_add(&a->source, &a->nsource, site, strnlen(site, MAX_SOURCE)) != 0)
        return -1;
    return 0;
}

/* ---- body: scoring ---------------------------------------------------------------------- */

struct node_score {
    double score;
    bool scored;
};

/* Per-pass state: the scores hang off each element's _private. */
struct pass {
    unsigned flags;
    struct node_score *scores;
    size_t nscores;
};

static struct node_score *
score_of(const xmlNode *n)
{
    return n && n->type == XML_ELEMENT_NODE ? n->_private : NULL;
}

static int
class_weight(const xmlNode *n, const struct pass *p)
{
    if (!(p->flags & WEIGHT_CLASSES))
        return 0;
    int w = 0;
    const char *vals[] = {attr(n, "class"), attr(n, "id")};
    for (size_t i = 0; i < COUNT(vals); i++) {
        if (has_fragment(vals[i], negative_hints, COUNT(negative_hints)))
            w -= 25;
        if (has_fragment(vals[i], positive_hints, COUNT(positive_hints)))
            w += 25;
    }
    return w;
}

static void
init_score(xmlNode *n, const struct pass *p)
{
    struct node_score *s = score_of(n);
    if (!s || s->scored)
        return;
    s->scored = true;
    s->score = class_weight(n, p);
    for (size_t i = 0; i < COUNT(tag_scores); i++)
        if (tag_eq(n, tag_scores[i].tag))
            s->score += tag_scores[i].score;
}

static bool
has_block_descendant(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            (is_tag(c, div_block_tags, COUNT(div_block_tags)) || has_block_descendant(c)))
            return true;
    return false;
}

static bool
is_hidden(const xmlNode *n)
{
    const char *style = attr(n, "style");
    const char *aria = attr(n, "aria-hidden");
    if (attr(n, "hidden") || (aria && strcasecmp(aria, "true") == 0 && !tag_eq(n, "figure")))
        return true;
    if (!style)
        return false;
    char low[256];
    size_t o = 0;
    for (const char *s = style; *s && o + 1 < sizeof low; s++)
        if (!is_space((unsigned char)*s))
            low[o++] = (char)tolower((unsigned char)*s);
    low[o] = '\0';
    return strstr(low, "display:none") || strstr(low, "visibility:hidden");
}

static bool
has_ancestor(const xmlNode *n, const char *tag)
{
    for (n = n->parent; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (tag_eq(n, tag))
            return true;
    return false;
}

static bool
is_unlikely(const xmlNode *n, const struct pass *p)
{
    static const char *const keep[] = {"body", "html", "a", "article", "main", "p", "h1"};
    if (!(p->flags & STRIP_UNLIKELY) || is_tag(n, keep, COUNT(keep)))
        return false;
    const char *role = attr(n, "role");
    if (role && in_list(role, furniture_roles, COUNT(furniture_roles)))
        return true;
    if (is_tag(n, furniture_tags, COUNT(furniture_tags)))
        return true;
    return hints_match(n, unlikely_hints, COUNT(unlikely_hints)) &&
           !hints_match(n, maybe_hints, COUNT(maybe_hints)) && !has_ancestor(n, "table") &&
           !has_ancestor(n, "code");
}

/* Wraps each run of inline children of div that holds text in a new <p>. -1 on OOM. */
static int
wrap_inline_runs(xmlNode *div)
{
    xmlNode *c = div->children;
    while (c) {
        bool is_inline =
            c->type == XML_TEXT_NODE ||
            (c->type == XML_ELEMENT_NODE && !is_tag(c, block_tags, COUNT(block_tags)) &&
             !is_tag(c, div_block_tags, COUNT(div_block_tags)) && !tag_eq(c, "br") &&
             !has_block_descendant(c));
        if (!is_inline) {
            c = c->next;
            continue;
        }
        xmlNode *end = c;
        bool text = false;
        for (; end; end = end->next) {
            bool inl =
                end->type == XML_TEXT_NODE || end->type == XML_COMMENT_NODE ||
                (end->type == XML_ELEMENT_NODE && !is_tag(end, block_tags, COUNT(block_tags)) &&
                 !is_tag(end, div_block_tags, COUNT(div_block_tags)) && !has_block_descendant(end));
            if (!inl)
                break;
            if (end->type == XML_TEXT_NODE) {
                for (const unsigned char *s = end->content; s && *s && !text; s++)
                    text = !is_space(*s);
            } else if (end->type == XML_ELEMENT_NODE && !tag_eq(end, "br")) {
                text = true;
            }
        }
        if (!text) {
            c = end;
            continue;
        }
        xmlNode *p = xmlNewDocNode(div->doc, NULL, (const xmlChar *)"p", NULL);
        if (!p || !xmlAddPrevSibling(c, p))
            return -1;
        while (c != end) {
            xmlNode *next = c->next;
            xmlUnlinkNode(c);
            if (!xmlAddChild(p, c))
                xmlFreeNode(c);
            c = next;
        }
    }
    return 0;
}

/* Removes what cannot be article text, turns text-only divs into paragraphs,
 * then gives every element a score slot. -1 on OOM. */
static int
prepare(xmlNode *root, struct pass *p)
{
    xmlNode *n = root;
    size_t elements = 0;
    while (n) {
        if (n->type == XML_COMMENT_NODE) {
            xmlNode *next = next_node(n, root, true);
            remove_node(n);
            n = next;
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || n == root) {
            n = next_node(n, root, false);
            continue;
        }
        if (is_tag(n, strip_tags, COUNT(strip_tags)) || is_hidden(n) || is_unlikely(n, p)) {
            xmlNode *next = next_node(n, root, true);
            remove_node(n);
            n = next;
            continue;
        }
        if (tag_eq(n, "div")) {
            if (!has_block_descendant(n))
                xmlNodeSetName(n, (const xmlChar *)"p");
            else if (wrap_inline_runs(n) != 0)
                return -1;
        }
        n = next_node(n, root, false);
    }
    for (n = root; n; n = next_node(n, root, false))
        elements += n->type == XML_ELEMENT_NODE;
    p->scores = calloc(elements + 1, sizeof *p->scores);
    if (!p->scores)
        return -1;
    p->nscores = elements;
    size_t i = 0;
    for (n = root; n; n = next_node(n, root, false))
        if (n->type == XML_ELEMENT_NODE)
            n->_private = &p->scores[i++];
    return 0;
}

static void
score_paragraphs(xmlNode *root, const struct pass *p)
{
    for (xmlNode *n = root; n; n = next_node(n, root, false)) {
        if (!is_tag(n, scored_tags, COUNT(scored_tags)))
            continue;
        struct text_counts t = counts_of(n);
        if (t.chars < MIN_SCORED)
            continue;
        double content = 1 + t.commas + fmin(floor(t.chars / 100), 3);
        xmlNode *anc = n->parent;
        for (int level = 0; level < 5 && anc && anc->type == XML_ELEMENT_NODE && anc->parent &&
                            anc->parent->type == XML_ELEMENT_NODE;
             level++, anc = anc->parent) {
            init_score(anc, p);
            double divider = level == 0 ? 1 : level == 1 ? 2 : level * 3;
            score_of(anc)->score += content / divider;
        }
    }
}

#define TOP_N 5

/* Picks the container of the article, as readability does; NULL when nothing scored. */
static xmlNode *
top_candidate(xmlNode *root, xmlNode *body, const struct pass *p)
{
    xmlNode *top[TOP_N] = {0};
    double best[TOP_N] = {0};
    for (xmlNode *n = root; n; n = next_node(n, root, false)) {
        struct node_score *s = score_of(n);
        if (!s || !s->scored)
            continue;
        s->score *= 1 - link_density(n);
        for (int i = 0; i < TOP_N; i++) {
            if (!top[i] || s->score > best[i]) {
                memmove(top + i + 1, top + i, (TOP_N - 1 - i) * sizeof *top);
                memmove(best + i + 1, best + i, (TOP_N - 1 - i) * sizeof *best);
                top[i] = n;
                best[i] = s->score;
                break;
            }
        }
    }
    xmlNode *t = top[0];
    if (!t || t == body)
        return NULL;
    /* Several strong candidates under one ancestor: the ancestor is the article. */
    int alternatives = 0;
    for (int i = 1; i < TOP_N; i++)
        alternatives += top[i] && best[i] / best[0] >= 0.75;
    if (alternatives >= 3) {
        for (xmlNode *anc = t->parent; anc && anc != body && anc->type == XML_ELEMENT_NODE;
             anc = anc->parent) {
            int containing = 0;
            for (int i = 1; i < TOP_N; i++)
                if (top[i] && best[i] / best[0] >= 0.75)
                    for (xmlNode *x = top[i]; x; x = x->parent)
                        if (x == anc) {
                            containing++;
                            break;
                        }
            if (containing >= 3) {
                t = anc;
                init_score(t, p);
                break;
            }
        }
    }
    /* Climb while a parent scores better: the article was split up. */
    double last = score_of(t)->score, threshold = last / 3;
    for (xmlNode *parent = t->parent; parent && parent != body && parent->type == XML_ELEMENT_NODE;
         parent = parent->parent) {
        struct node_score *ps = score_of(parent);
        if (!ps || !ps->scored)
            continue;
        if (ps->score < threshold)
            break;
        if (ps->score > last) {
            t = parent;
            break;
        }
        last = ps->score;
    }
    while (t->parent && t->parent != body && t->parent->type == XML_ELEMENT_NODE &&
           xmlChildElementCount(t->parent) == 1)
        t = t->parent;
    return t;
}

/* True when sibling s of the top candidate t belongs to the article too. */
static bool
sibling_belongs(xmlNode *s, xmlNode *t)
{
    if (s == t)
        return true;
    double top = score_of(t) ? score_of(t)->score : 0;
    double threshold = fmax(10, top * 0.2), bonus = 0;
    const char *sc = attr(s, "class"), *tc = attr(t, "class");
    if (sc && tc && *tc && strcmp(sc, tc) == 0)
        bonus = top * 0.2;
    struct node_score *ss = score_of(s);
    if (ss && ss->scored && ss->score + bonus >= threshold)
        return true;
    if (tag_eq(s, "p")) {
        struct text_counts c = counts_of(s);
        double ld = c.chars > 0 ? c.link_chars / c.chars : 0;
        if (c.chars > 80 && ld < 0.25)
            return true;
        if (c.chars > 0 && c.chars < 80 && ld == 0) {
            char *text = text_of(s);
            bool sentence =
                text && (strstr(text, ". ") || (strlen(text) > 0 && text[strlen(text) - 1] == '.'));
            free(text);
            return sentence;
        }
    }
    return false;
}

/* ---- body: clean-up --------------------------------------------------------------------- */

/* Readability's conditional clean-up of one container; true to remove it. */
static bool
looks_fishy(xmlNode *n, const struct pass *p)
{
    int weight = class_weight(n, p);
    struct node_score *s = score_of(n);
    double score = s && s->scored ? s->score : 0;
    if (weight + score < 0)
        return true;
    struct text_counts t = counts_of(n);
    if (t.commas >= 10)
        return false;
    bool list = tag_eq(n, "ul") || tag_eq(n, "ol");
    double paras = (double)count_tags(n, "p"), imgs = (double)count_tags(n, "img");
    double lis = (double)count_tags(n, "li") - 100, inputs = (double)count_tags(n, "input");
    double ld = t.chars > 0 ? t.link_chars / t.chars : 0;
    bool in_figure = has_ancestor(n, "figure") || tag_eq(n, "figure");
    if (imgs > 1 && paras / imgs < 0.5 && !in_figure)
        return true;
    if (!list && lis > paras)
        return true;
    if (inputs > floor(paras / 3))
        return true;
    if (!list && t.chars < 25 && (imgs == 0 || imgs > 2) && !in_figure &&
        count_tags(n, "h2") + count_tags(n, "h3") == 0)
        return true;
    if (!list && weight < 25 && ld > 0.2)
        return true;
    if (weight >= 25 && ld > 0.5)
        return true;
    if (list && ld > 0.5)
        return true;
    return false;
}

/* Cleans the article subtree in place: conditional removal bottom-up, share
 * bars, headings with a negative class, empty paragraphs. -1 on OOM. */
static int
clean_article(xmlNode *art, const struct pass *p)
{
    size_t n = 0, cap = 64;
    xmlNode **list = malloc(cap * sizeof *list);
    if (!list)
        return -1;
    for (xmlNode *x = art; x; x = next_node(x, art, false)) {
        if (x->type != XML_ELEMENT_NODE || x == art)
            continue;
        if (n == cap) {
            xmlNode **grown = realloc(list, (cap *= 2) * sizeof *list);
            if (!grown) {
                free(list);
                return -1;
            }
            list = grown;
        }
        list[n++] = x;
    }
    /* Descendants come after their ancestors: walking back removes children first. */
    for (size_t i = n; i-- > 0;) {
        xmlNode *x = list[i];
        bool drop = false;
        if (hints_match(x, embed_hints, COUNT(embed_hints)))
            continue; /* an embedded post the article quotes */
        if ((p->flags & CLEAN_CONDITIONALLY) &&
            is_tag(x, conditional_tags, COUNT(conditional_tags)))
            drop = looks_fishy(x, p);
        if (!drop && hints_match(x, (const char *const[]){"share", "social"}, 2) &&
            counts_of(x).chars < 500)
            drop = true;
        if (!drop && (tag_eq(x, "h1") || tag_eq(x, "h2")) && class_weight(x, p) < 0)
            drop = true;
        if (drop)
            remove_node(x);
    }
    free(list);
    return 0;
}

/* ---- body: blocks ----------------------------------------------------------------------- */

struct emitter {
    struct article *a;
    struct strbuf para; /* running text of the current paragraph */
    size_t link_bytes;  /* of para, inside links */
    size_t after_link;  /* para.len where the last link ended, 0 for none */
    const char *headline, *byline;
    size_t chars; /* paragraph and subheading text emitted */
    bool failed;
};

static bool
has_alnum(const char *s)
{
    return utf8_has_word(s, strlen(s));
}


static bool
starts_with_word(const char *s)
{
    size_t i = 0;
    return *s && utf8_is_word(utf8_next(s, strlen(s), &i));
}

/* True when s[0..len) ends in a letter or digit. */
static bool
ends_in_word(const char *s, size_t len)
{
    size_t start = len;
    while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return false;
    start--;
    size_t i = start;
    return utf8_is_word(utf8_next(s, len, &i));
}

static void
emit_text(struct emitter *e, enum article_block_type type, const char *text)
{
    if (e->failed || !text || !has_alnum(text) || e->a->nbody >= MAX_BLOCKS)
        return;
    if (type == ARTICLE_SUBHEADING && e->headline && strcasecmp(text, e->headline) == 0)
        return;
    /* A short line naming the author is the byline ("By Ana Lind - 11/18/19"); a
     * one-word byline is more likely a brand that the text names too. */
    if (e->byline && strchr(e->byline, ' ') && strlen(text) < BYLINE_LINE_MAX &&
        strstr(text, e->byline))
        return;
    struct article_block *b = article_add_block(e->a, type);
    if (!b || !(b->text = clamp_dup(text, MAX_TEXT))) {
        e->failed = true;
        return;
    }
    e->chars += strlen(text);
}

static void
flush(struct emitter *e)
{
    size_t raw = e->para.len;
    trim(&e->para);
    /* A short paragraph of links is navigation ("Related: ..."), not text. */
    bool links = raw > 0 && e->para.len < LINK_PARA_MAX &&
                 (double)e->link_bytes >= LINK_PARA_SHARE * (double)raw;
    if (e->para.failed)
        e->failed = true;
    else if (e->para.len && !links)
        emit_text(e, ARTICLE_PARAGRAPH, e->para.data);
    reset(&e->para);
    e->link_bytes = 0;
    e->after_link = 0;
}

/* The credit inside a figure (an element with a credit-like class), or NULL. */
static xmlNode *
find_credit(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (hints_match(c, credit_hints, COUNT(credit_hints)))
            return c;
        xmlNode *inner = find_credit(c);
        if (inner)
            return inner;
    }
    return NULL;
}

static xmlNode *
find_tag(xmlNode *n, const char *tag)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        if (tag_eq(c, tag))
            return c;
        xmlNode *inner = c->type == XML_ELEMENT_NODE ? find_tag(c, tag) : NULL;
        if (inner)
            return inner;
    }
    return NULL;
}

/* True when n is node or lies inside it; false for a NULL n. */
static bool
within(const xmlNode *n, const xmlNode *node)
{
    for (; n; n = n->parent)
        if (n == node)
            return true;
    return false;
}

static void
emit_image(struct emitter *e, xmlNode *fig)
{
    xmlNode *img = tag_eq(fig, "img") ? fig : find_tag(fig, "img");
    xmlNode *cap = find_tag(fig, "figcaption");
    if (!img && !cap)
        return;
    if (e->failed || e->a->nbody >= MAX_BLOCKS)
        return;
    xmlNode *credit = find_credit(fig);
    if (credit &&
        (find_tag(credit, "img") || find_tag(credit, "figcaption") || tag_eq(credit, "figcaption") ||
         within(img, credit) || within(cap, credit) || within(fig, credit)))
        credit = NULL; /* a wrapper (or the image itself), not the credit: removing it would
                          free what is still read below (found by fuzz/extract) */
    char *credit_text = credit ? text_of(credit) : NULL;
    if (credit)
        remove_node(credit);
    char *caption = cap ? text_of(cap) : NULL;
    const char *alt = img ? attr(img, "alt") : NULL;
    struct article_block *b = article_add_block(e->a, ARTICLE_IMAGE);
    if (!b || (credit && !credit_text) || (cap && !caption)) {
        e->failed = true;
    } else {
        b->text = caption && caption[0] ? clamp_dup(caption, MAX_TEXT) : NULL;
        b->alt = alt && alt[0] ? clamp_dup(alt, 1000) : NULL;
        b->credit.text = credit_text && credit_text[0] ? clamp_dup(credit_text, 300) : NULL;
    }
    free(caption);
    free(credit_text);
}

static void walk(struct emitter *e, xmlNode *n);

/* Emits node c, a child of the container being walked; *brs counts the <br>s in a row. */
static void
visit(struct emitter *e, xmlNode *c, int *brs)
{
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        bool blank = true;
        for (const unsigned char *s = c->content; s && *s && blank; s++)
            blank = is_space(*s);
        if (!blank)
            *brs = 0;
        if (e->after_link && e->after_link == e->para.len &&
            ends_in_word(e->para.data, e->para.len) && starts_with_word((const char *)c->content))
            strbuf_add(&e->para, " ", 1);
        add_collapsed(&e->para, (const char *)c->content);
        return;
    }
    if (c->type != XML_ELEMENT_NODE)
        return;
    const char *name = (const char *)c->name;
    if (strcasecmp(name, "br") == 0) {
        if (++*brs >= 2)
            flush(e);
        else
            add_collapsed(&e->para, " ");
        return;
    }
    *brs = 0;
    if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0') {
        flush(e);
        char *t = text_of(c);
        if (!t)
            e->failed = true;
        emit_text(e, ARTICLE_SUBHEADING, t);
        free(t);
    } else if (tag_eq(c, "figure") || tag_eq(c, "img")) {
        flush(e);
        const char *alt = attr(c, "alt");
        if (tag_eq(c, "figure") || (alt && alt[0]))
            emit_image(e, c);
    } else if (tag_eq(c, "td") || tag_eq(c, "th")) {
        add_collapsed(&e->para, " ");
        walk(e, c);
        add_collapsed(&e->para, " ");
    } else if (hints_match(c, caption_hints, COUNT(caption_hints))) {
        return; /* a caption or credit outside a <figure> */
    } else if (is_tag(c, block_tags, COUNT(block_tags))) {
        flush(e);
        walk(e, c);
        flush(e);
    } else if (tag_eq(c, "a")) {
        /* A link between two words keeps them apart, as a browser's layout does. */
        size_t before = e->para.len;
        walk(e, c);
        if (e->para.len > before && before > 0 && ends_in_word(e->para.data, before) &&
            starts_with_word(e->para.data + before)) {
            strbuf_add(&e->para, " ", 1);
            if (!e->para.failed) {
                memmove(e->para.data + before + 1, e->para.data + before, e->para.len - before - 1);
                e->para.data[before] = ' ';
            }
        }
        e->link_bytes += e->para.len - before;
        e->after_link = e->para.len;
    } else {
        walk(e, c);
    }
}

static void
walk(struct emitter *e, xmlNode *n)
{
    int brs = 0;
    for (xmlNode *c = n->children; c && !e->failed;) {
        xmlNode *next = c->next;
        visit(e, c, &brs);
        c = next;
    }
}

/* ---- passes ----------------------------------------------------------------------------- */

/* One attempt at the body with the given flags, into a (its body replaced),
 * on doc (freed here) or, when doc is NULL, on a fresh parse of html. Returns
 * the characters of text found, or -1 on OOM. */
static long
body_pass(htmlDocPtr doc, const char *html, size_t len, const char *url, const char *charset,
          unsigned flags, struct article *a)
{
    long rc = -1;
    struct pass p = {.flags = flags};
    struct emitter e = {.a = a, .headline = a->headline, .byline = a->byline};
    if (!doc && !(doc = parse_html(html, len, url, charset)))
        return 0;
    strbuf_init(&e.para, 256);
    xmlNode *root = xmlDocGetRootElement(doc);
    /* The body is looked up after prepare, which may remove elements (a page
     * can nest a body inside something prepare strips). */
    if (!root || prepare(root, &p) != 0)
        goto done;
    xmlNode *body = find_tag(root, "body");
    if (!body)
        goto done;
    score_paragraphs(body, &p);
    xmlNode *top = top_candidate(body, body, &p);
    xmlNode *parts_parent = top ? top->parent : NULL;
    if (!top) {
        if (clean_article(body, &p) != 0)
            goto done;
        walk(&e, body);
    } else {
        for (xmlNode *s = parts_parent->children; s && !e.failed;) {
            xmlNode *next = s->next;
            if (s->type == XML_ELEMENT_NODE && sibling_belongs(s, top)) {
                if (clean_article(s, &p) != 0)
                    goto done;
                int brs = 0;
                flush(&e);
                visit(&e, s, &brs);
                flush(&e);
            }
            s = next;
        }
    }
    flush(&e);
    rc = e.failed ? -1 : (long)e.chars;
done:
    for (xmlNode *n = root; n; n = next_node(n, root, false))
        n->_private = NULL;
    free(p.scores);
    strbuf_free(&e.para);
    xmlFreeDoc(doc);
    return rc;
}

/* An image block needs a caption (the article document requires one): an
 * image found without one takes its alt text as the caption, or is left out,
 * since it carries no text. */
static void
drop_uncaptioned_images(struct article *a)
{
    size_t kept = 0;
    for (size_t i = 0; i < a->nbody; i++) {
        struct article_block *b = &a->body[i];
        if (b->type == ARTICLE_IMAGE && (!b->text || !b->text[0])) {
            free(b->text);
            b->text = b->alt;
            b->alt = NULL;
            if (!b->text || !b->text[0]) {
                free(b->text);
                free(b->credit.text);
                free(b->credit.photographer);
                free(b->credit.agency);
                free(b->credit.distributor);
                continue;
            }
        }
        a->body[kept++] = *b;
    }
    a->nbody = kept;
}

static void
set_err(struct article_error *err, const char *field, const char *message)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->message, sizeof err->message, "%s", message);
}

/* libxml2's process-wide initialisation, run once by extract_init. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void
extract_init(void)
{
    pthread_once(&xml_once, xmlInitParser);
}

struct article *
extract_html(const char *html, size_t len, const char *url, const char *declared_charset,
             struct article_error *err)
{
    extract_init();
    struct meta m = {0};
    struct article *a = article_new();
    struct article *best = NULL;
    htmlDocPtr doc = NULL;
    if (!a || len > INT_MAX)
        goto oom;
    doc = parse_html(html ? html : "", html ? len : 0, url, declared_charset);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        set_err(err, "", "not an HTML page");
        goto fail;
    }
    if (read_meta(root, &m) != 0 || apply_meta(&m, url, a) != 0)
        goto oom;
    if (!a->headline || !has_alnum(a->headline)) {
        set_err(err, "/headline", "the page has no headline (og:title, JSON-LD, <h1> or <title>)");
        goto fail;
    }
    /* The strictest pass that finds enough text wins; else the one that found most. */
    long best_chars = -1;
    for (size_t i = 0; i < COUNT(passes); i++) {
        /* The first pass works on the tree the metadata came from. */
        long chars = body_pass(doc, html, len, url, declared_charset, passes[i], a);
        doc = NULL;
        if (chars < 0)
            goto oom;
        if (chars > best_chars) {
            if (best)
                article_free(best);
            best = article_new();
            if (!best)
                goto oom;
            best->body = a->body;
            best->nbody = a->nbody;
            a->body = NULL;
            a->nbody = 0;
            best_chars = chars;
        } else {
            article_clear_body(a);
        }
        if (chars >= RETRY_BELOW)
            break;
    }
    a->body = best->body;
    a->nbody = best->nbody;
    best->body = NULL;
    best->nbody = 0;
    article_free(best);
    best = NULL;
    if (best_chars <= 0) {
        set_err(err, "/body", "no article text found in the page");
        goto fail;
    }
    drop_uncaptioned_images(a);
    if (article_finish(a, err) != 0)
        goto fail;
    meta_free(&m);
    return a;
oom:
    set_err(err, "", "out of memory");
fail:
    xmlFreeDoc(doc);
    meta_free(&m);
    article_free(best);
    article_free(a);
    return NULL;
}
