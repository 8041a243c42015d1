#include "models/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
strbuf_init(struct strbuf *b, size_t initial)
{
    b->len = 0;
    b->failed = false;
    b->cap = initial ? initial : 64;
    b->data = malloc(b->cap);
    if (!b->data)
        b->failed = true;
    else
        b->data[0] = '\0';
}

static bool
reserve(struct strbuf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > (SIZE_MAX - 1) / 2 - b->len) {
        b->failed = true;
        return false;
    }
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (b->len + extra + 1 > cap)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
strbuf_adds(struct strbuf *b, const char *s)
{
    strbuf_add(b, s, strlen(s));
}

void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
strbuf_add_json_string(struct strbuf *b, const char *s)
{
    strbuf_add(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            strbuf_add(b, esc, 2);
        } else if (c < 0x20) {
            strbuf_addf(b, "\\u%04x", c);
        } else {
            strbuf_add(b, p, 1);
        }
    }
    strbuf_add(b, "\"", 1);
}

char *
strbuf_take(struct strbuf *b, size_t *len)
{
    if (b->failed) {
        strbuf_free(b);
        return NULL;
    }
    char *out = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    return out;
}

void
strbuf_free(struct strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
