/* extract: the article in an HTML page, as an article value.
 *
 * Parses with libxml2's HTML parser, which the first extraction initialises
 * (once, thread-safe), so a server that never extracts never touches libxml2's
 * tables; xmlCleanupParser at exit undoes it. Thread-safe: no other state
 * outside the call. Code that uses libxml2 outside this module calls
 * extract_init first.
 *
 * Metadata: headline from og:title, JSON-LD headline, the first <h1>, then
 * <title> without its site suffix; standfirst from og:description, meta
 * description or JSON-LD description; byline from JSON-LD author, meta author
 * or rel=author; published from JSON-LD datePublished, article:published_time
 * or <time datetime> (normalised to ISO 8601, left out when unparseable);
 * url from rel=canonical, og:url, JSON-LD url, then the url given; the site
 * name (og:site_name, JSON-LD publisher) as the article's source; language
 * from <html lang>. Body: readability-style scoring of block containers (text
 * length, commas, link density, class and id hints), the best container and its
 * related siblings, cleaned of navigation, ads, share bars, comments, related
 * links and footers, as paragraphs, subheadings (h2-h6) and images (figures
 * with caption, alt and credit); quotes, list items and table rows become
 * paragraphs. */
#ifndef ARTICLED_EXTRACT_H
#define ARTICLED_EXTRACT_H

#include "models/article.h"

#include <stddef.h>

/* Runs xmlInitParser once for the process; later calls, from any thread, wait
 * for the first to finish. extract_html calls it. */
void extract_init(void);

/* Extracts the article from html[0..len) (any encoding: declared_charset, a
 * charset name or a whole Content-Type value, wins; then <meta charset> or
 * http-equiv; then valid UTF-8, else Windows-1252). url (may be NULL) is where
 * the page came from: it resolves relative links and is the fallback url.
 * Returns a finished article (article_finish has run: id and slug from the
 * headline) that the caller frees with article_free; NULL with err set when
 * the page has no headline or no article text, or on OOM. */
struct article *extract_html(const char *html, size_t len, const char *url,
                             const char *declared_charset, struct article_error *err);

#endif
