/* log: JSON lines on stdout, one write(2) per line so threads never interleave.
 *
 * A line is built on the stack with log_begin / log_str / log_int and sent with
 * log_end; the logger itself is read-only after log_init. */
#ifndef ARTICLED_LOG_H
#define ARTICLED_LOG_H

#include "config/config.h"

#include <stddef.h>

struct logger {
    enum log_level level;
    int fd;
};

struct log_line {
    char buf[4096];
    size_t len;
    enum log_level level;
};

void log_init(struct logger *lg, enum log_level level, int fd);

/* True when a line at level would be written: callers skip building it otherwise. */
int log_enabled(const struct logger *lg, enum log_level level);

/* Starts a line: {"ts":"...","level":"...","event":"..."; an over-long line is cut
 * at a field boundary, never in the middle of a JSON string. */
void log_begin(struct log_line *l, enum log_level level, const char *event);
void log_str(struct log_line *l, const char *key, const char *value);
void log_strn(struct log_line *l, const char *key, const char *value, size_t len);
void log_int(struct log_line *l, const char *key, long long value);
void log_double(struct log_line *l, const char *key, double value);
void log_end(const struct logger *lg, struct log_line *l);

/* A one-field line: {"event": event, "message": message}. */
void log_msg(const struct logger *lg, enum log_level level, const char *event, const char *message);

#endif
