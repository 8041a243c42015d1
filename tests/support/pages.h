/* pages: a tiny HTTP/1.1 server on 127.0.0.1 serving canned pages, for tests
 * of the import endpoint (redirects, slow and oversized answers, charsets). */
#ifndef ARTICLED_PAGES_H
#define ARTICLED_PAGES_H

#include <stddef.h>

struct page {
    const char *path;
    int status;
    const char *content_type; /* NULL: no Content-Type */
    const char *location;     /* redirect target, NULL for none; "%d" is the server's port */
    const char *body;
    size_t repeat;   /* the body is sent this many times (0 = once), without Content-Length */
    int delay_ms;    /* before answering */
};

struct pages;

/* Starts serving pages[0..n) (borrowed) on 127.0.0.1, port chosen by the kernel. */
struct pages *pages_start(const struct page *pages, size_t n);
int pages_port(const struct pages *p);
void pages_stop(struct pages *p);

#endif
