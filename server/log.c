#include "server/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
log_init(struct logger *lg, enum log_level level, int fd)
{
    lg->level = level;
    lg->fd = fd;
}

int
log_enabled(const struct logger *lg, enum log_level level)
{
    return level >= lg->level;
}

/* Room kept free for the closing "}\n". */
#define RESERVE 3

void
log_begin(struct log_line *l, enum log_level level, const char *event)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    l->level = level;
    l->len = (size_t)snprintf(l->buf, sizeof l->buf,
                              "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\"",
                              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                              tm.tm_sec, ts.tv_nsec / 1000000, config_level_name(level));
    log_str(l, "event", event);
}

/* Appends raw bytes if they fit with the reserve; returns 0, or -1 (line unchanged). */
static int
put(struct log_line *l, const char *s, size_t n)
{
    if (l->len + n + RESERVE > sizeof l->buf)
        return -1;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 0;
}

/* JSON-escapes value into the line; restores the line on overflow. */
void
log_strn(struct log_line *l, const char *key, const char *value, size_t len)
{
    size_t mark = l->len;
    char tmp[8];
    if (put(l, ",\"", 2) || put(l, key, strlen(key)) || put(l, "\":\"", 3))
        goto undo;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            if (put(l, esc, 2))
                goto undo;
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            if (put(l, tmp, 6))
                goto undo;
        } else if (put(l, (const char *)&value[i], 1)) {
            goto undo;
        }
    }
    if (put(l, "\"", 1) == 0)
        return;
undo:
    l->len = mark;
}

void
log_str(struct log_line *l, const char *key, const char *value)
{
    if (value)
        log_strn(l, key, value, strlen(value));
}

void
log_int(struct log_line *l, const char *key, long long value)
{
    char tmp[96];
    int n = snprintf(tmp, sizeof tmp, ",\"%s\":%lld", key, value);
    if (n > 0 && (size_t)n < sizeof tmp)
        put(l, tmp, (size_t)n);
}

void
log_double(struct log_line *l, const char *key, double value)
{
    char tmp[96];
    int n = snprintf(tmp, sizeof tmp, ",\"%s\":%.3f", key, value);
    if (n > 0 && (size_t)n < sizeof tmp)
        put(l, tmp, (size_t)n);
}

void
log_end(const struct logger *lg, struct log_line *l)
{
    if (!log_enabled(lg, l->level))
        return;
    l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
    for (size_t off = 0; off < l->len;) {
        ssize_t w = write(lg->fd, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* stdout gone: logging must never stop the service */
        off += (size_t)w;
    }
}

void
log_msg(const struct logger *lg, enum log_level level, const char *event, const char *message)
{
    if (!log_enabled(lg, level))
        return;
    struct log_line l;
    log_begin(&l, level, event);
    log_str(&l, "message", message);
    log_end(lg, &l);
}
