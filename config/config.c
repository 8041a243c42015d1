#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum key_type { KEY_INT, KEY_LONG, KEY_STRING, KEY_BOOL, KEY_LEVEL };

/* One setting: its name in the file (the flag is --name with '-' for '_', the
 * environment variable ARTICLED_NAME in upper case), where it lives, its bounds. */
static const struct key {
    const char *name;
    enum key_type type;
    size_t offset, size;
    long min, max;
    const char *def;
    const char *help;
} keys[] = {
#define K(n, t, mn, mx, d, h)                                                                      \
    {                                                                                              \
#n, t, offsetof(struct config, n), sizeof(((struct config *)0)->n), mn, mx, d, h           \
    }
    K(bind, KEY_STRING, 0, 0, "127.0.0.1", "address to listen on (0.0.0.0 in a container)"),
    K(port, KEY_INT, 0, 65535, "8080", "TCP port; 0 picks a free one"),
    K(data, KEY_STRING, 0, 0, "data/articles", "the content directory (*.txt, *.json)"),
    K(threads, KEY_INT, 0, 256, "0", "HTTP threads; 0 = one per CPU this process may use"),
    K(cpu_affinity, KEY_BOOL, 0, 0, "false",
      "bind each HTTP thread to a CPU of its own (when threads are no more than the CPUs)"),
    K(sched_slice_us, KEY_INT, 0, 100000, "0",
      "scheduler time slice HTTP threads ask for, in microseconds (Linux 6.12+); 0 = the kernel's"),
    K(steer_local_connections, KEY_BOOL, 0, 0, "true",
      "send a new connection from a loopback address to the HTTP thread of its client's CPU"),
    K(max_connections, KEY_INT, 1, 100000, "1000", "open connections at most, in total"),
    K(max_connections_per_address, KEY_INT, 0, 100000, "0",
      "open connections at most from one client address; 0 = no limit"),
    K(connection_timeout, KEY_INT, 1, 3600, "60", "seconds a connection may stay idle"),
    K(header_timeout, KEY_INT, 1, 3600, "60",
      "seconds a request line and headers may take to arrive in full (408 past it)"),
    K(body_timeout, KEY_INT, 1, 3600, "30",
      "seconds a request body may take to arrive in full (connection cut past it)"),
    K(shutdown_grace, KEY_INT, 0, 600, "10", "seconds in-flight requests get on SIGTERM"),
    K(max_body_bytes, KEY_LONG, 0, 1L << 30, "1048576", "largest request body (413 past it)"),
    K(max_uri_bytes, KEY_LONG, 256, 1L << 20, "8192", "longest request target (414 past it)"),
    K(max_header_line_bytes, KEY_LONG, 256, 1L << 20, "8192",
      "longest header line, name and value (431 past it)"),
    K(max_header_bytes, KEY_LONG, 1024, 1L << 20, "16384",
      "request line and headers together (431 past it)"),
    K(max_article_bytes, KEY_LONG, 1024, 1L << 30, "8388608",
      "largest article file loaded from the content directory"),
    K(per_page_default, KEY_INT, 1, 1000, "20", "list page size when per_page is not given"),
    K(per_page_max, KEY_INT, 1, 1000, "100", "largest per_page a client may ask for"),
    K(log_level, KEY_LEVEL, 0, 0, "info", "debug, info, warn or error"),
    K(access_log, KEY_BOOL, 0, 0, "true", "one JSON line per request on stdout"),
    K(write_token, KEY_STRING, 0, 0, "", "bearer token for writes; none = read-only service"),
    K(write_token_file, KEY_STRING, 0, 0, "", "file holding the write token (wins over write_token)"),
    K(read_token, KEY_STRING, 0, 0, "", "bearer token for reads; none = reads are public"),
    K(read_token_file, KEY_STRING, 0, 0, "", "file holding the read token"),
    K(require_if_match, KEY_BOOL, 0, 0, "false",
      "answer 428 to PUT (replace), PATCH and DELETE without If-Match"),
    K(cors_origins, KEY_STRING, 0, 0, "", "origins browsers may call from: *, or a comma list"),
    K(cors_max_age, KEY_INT, 0, 86400, "600", "seconds a browser may cache a CORS preflight"),
    K(cache_max_age, KEY_INT, -1, 31536000, "60", "Cache-Control max-age of content (-1 omits)"),
    K(cache_s_maxage, KEY_INT, -1, 31536000, "-1", "Cache-Control s-maxage (-1 omits)"),
    K(cache_stale_while_revalidate, KEY_INT, -1, 31536000, "30",
      "Cache-Control stale-while-revalidate (-1 omits)"),
    K(public_base_url, KEY_STRING, 0, 0, "",
      "base of absolute links, e.g. https://news.example.com; none = relative links"),
    K(trusted_proxies, KEY_STRING, 0, 0, "",
      "proxies (addresses, CIDR ranges) whose X-Forwarded-* headers are believed"),
    K(fetch_allow, KEY_STRING, 0, 0, "",
      "hosts, addresses or CIDR ranges imports may fetch from besides public ones"),
    K(fetch_timeout, KEY_INT, 1, 300, "15", "seconds an import may take to fetch its page"),
    K(fetch_max_bytes, KEY_LONG, 1024, 1L << 30, "5242880", "largest page an import fetches"),
    K(web_plugin, KEY_STRING, 0, 0, "",
      "the page importer, articled-web.so; none = beside the binary, else where it was built for"),
    K(memo_max_bytes, KEY_LONG, 0, 1L << 30, "4194304",
      "bytes of list and search answers kept for reuse until the content changes; 0 = none"),
#undef K
};
#define NKEYS (sizeof keys / sizeof *keys)

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *
config_level_name(enum log_level level)
{
    return level_names[level];
}

static const struct key *
find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* Parses a whole decimal integer in [min, max]; no trailing characters. */
static int
parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || !(isdigit((unsigned char)*s) || *s == '-') ||
        v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
apply(struct config *cfg, const struct key *k, const char *value, char *errbuf, size_t errlen)
{
    void *field = (char *)cfg + k->offset;
    long v;
    switch (k->type) {
    case KEY_INT:
    case KEY_LONG:
        if (parse_long(value, k->min, k->max, &v) != 0) {
            snprintf(errbuf, errlen, "%s: `%s` is not a whole number from %ld to %ld", k->name,
                     value, k->min, k->max);
            return -1;
        }
        if (k->type == KEY_INT)
            *(int *)field = (int)v;
        else
            *(long *)field = v;
        return 0;
    case KEY_STRING:
        if (strlen(value) >= k->size || (value[0] == '\0' && strcmp(k->name, "data") == 0)) {
            snprintf(errbuf, errlen, "%s: `%s` is empty or too long", k->name, value);
            return -1;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case KEY_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "on") == 0)
            *(bool *)field = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                 strcmp(value, "off") == 0)
            *(bool *)field = false;
        else {
            snprintf(errbuf, errlen, "%s: `%s` is not true or false", k->name, value);
            return -1;
        }
        return 0;
    case KEY_LEVEL:
        for (int i = 0; i < 4; i++)
            if (strcmp(value, level_names[i]) == 0) {
                *(enum log_level *)field = (enum log_level)i;
                return 0;
            }
        snprintf(errbuf, errlen, "%s: `%s` is not debug, info, warn or error", k->name, value);
        return -1;
    }
    return -1;
}

int
config_set(struct config *cfg, const char *key, const char *value, char *errbuf, size_t errlen)
{
    const struct key *k = find_key(key);
    if (!k) {
        snprintf(errbuf, errlen, "unknown setting `%s`", key);
        return -1;
    }
    return apply(cfg, k, value, errbuf, errlen);
}

void
config_defaults(struct config *cfg)
{
    char ignored[8];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++)
        apply(cfg, &keys[i], keys[i].def, ignored, sizeof ignored);
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Reads `key = value` lines; '#' starts a comment line. */
static int
load_file(struct config *cfg, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errlen, "config file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048], why[256];
    int rc = 0;
    for (size_t n = 1; fgets(line, sizeof line, f); n++) {
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(errbuf, errlen, "config file %s line %zu: not `key = value`", path, n);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        if (config_set(cfg, trim(s), value, why, sizeof why) != 0) {
            snprintf(errbuf, errlen, "config file %s line %zu: %s", path, n, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* ARTICLED_MAX_BODY_BYTES -> max_body_bytes; false when env is not ours. */
static bool
env_to_key(const char *env, size_t len, char *out, size_t outlen)
{
    static const char prefix[] = "ARTICLED_";
    if (len <= sizeof prefix - 1 || strncmp(env, prefix, sizeof prefix - 1) != 0 ||
        len - (sizeof prefix - 1) >= outlen)
        return false;
    size_t n = 0;
    for (size_t i = sizeof prefix - 1; i < len; i++)
        out[n++] = (char)tolower((unsigned char)env[i]);
    out[n] = '\0';
    return true;
}

int
config_load(struct config *cfg, int argc, char **argv, char **envp, enum config_action *action,
            int *first_rest, char *errbuf, size_t errlen)
{
    char why[256];
    const char *file = NULL;
    *action = CONFIG_SERVE;
    *first_rest = argc;
    /* Pass 1: find the config file, since it is applied before the others. */
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
    }
    for (char **e = envp; !file && e && *e; e++)
        if (strncmp(*e, "ARTICLED_CONFIG=", 16) == 0)
            file = *e + 16;
    if (!file && access("config/articled.conf", R_OK) == 0)
        file = "config/articled.conf";
    if (file) {
        if (load_file(cfg, file, errbuf, errlen) != 0)
            return -1;
        snprintf(cfg->config_file, sizeof cfg->config_file, "%s", file);
    }
    for (char **e = envp; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        char key[64];
        if (!eq || !env_to_key(*e, (size_t)(eq - *e), key, sizeof key))
            continue;
        if (strcmp(key, "config") == 0)
            continue;
        if (!find_key(key)) {
            size_t used = strlen(cfg->env_ignored);
            snprintf(cfg->env_ignored + used, sizeof cfg->env_ignored - used, "%s%.*s",
                     used ? " " : "", (int)(eq - *e), *e);
            continue;
        }
        if (config_set(cfg, key, eq + 1, why, sizeof why) != 0) {
            snprintf(errbuf, errlen, "environment %.*s: %s", (int)(eq - *e), *e, why);
            return -1;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            *action = CONFIG_HELP;
            return 0;
        }
        if (strcmp(arg, "--version") == 0) {
            *action = CONFIG_VERSION;
            continue;
        }
        if (strcmp(arg, "--healthcheck") == 0) {
            *action = CONFIG_HEALTHCHECK;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            *first_rest = strcmp(arg, "--") == 0 ? i + 1 : i;
            return 0;
        }
        char key[64];
        const char *value;
        const char *eq = strchr(arg, '=');
        size_t klen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (klen >= sizeof key) {
            snprintf(errbuf, errlen, "unknown option %s", arg);
            return -1;
        }
        for (size_t k = 0; k < klen; k++)
            key[k] = arg[2 + k] == '-' ? '_' : arg[2 + k];
        key[klen] = '\0';
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(errbuf, errlen, "option %s needs a value", arg);
            return -1;
        }
        if (strcmp(key, "config") == 0)
            continue;
        if (config_set(cfg, key, value, why, sizeof why) != 0) {
            snprintf(errbuf, errlen, "option %s: %s", arg, why);
            return -1;
        }
    }
    return 0;
}

void
config_usage(void *out_file)
{
    FILE *out = out_file;
    fprintf(out,
            "usage: articled [OPTIONS]                serve the content directory over HTTP\n"
            "       articled [OPTIONS] annotate [FILE...]\n"
            "                                         print each article (- or none: stdin) with\n"
            "                                         its annotations as one JSON line\n"
            "       articled [OPTIONS] extract FILE.html [--url URL]\n"
            "                                         print the article found in an HTML page\n"
            "       articled [OPTIONS] export DIR     write the bytes served, as files, into DIR\n"
            "       articled --healthcheck            exit 0 when the local server is healthy\n"
            "       articled --help | --version\n\n"
            "Each setting is, from lowest to highest precedence: its default, a line\n"
            "`name = value` in the config file, the environment variable ARTICLED_NAME,\n"
            "the option --name VALUE.\n\n"
            "  --config FILE             config file (env ARTICLED_CONFIG; default\n"
            "                            config/articled.conf when it exists)\n");
    for (size_t i = 0; i < NKEYS; i++) {
        char flag[64];
        size_t n = 0;
        for (const char *p = keys[i].name; *p; p++)
            flag[n++] = *p == '_' ? '-' : *p;
        flag[n] = '\0';
        fprintf(out, "  --%-23s %s (default %s)\n", flag, keys[i].help,
                keys[i].def[0] ? keys[i].def : "none");
    }
}
