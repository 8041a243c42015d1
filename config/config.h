/* config: every setting of the service, from four layers.
 *
 * defaults < config file < ARTICLED_* environment variables < command-line flags.
 * The keys are one table (config.c), which also writes `--help` and is the
 * reference that config/articled.conf documents. */
#ifndef ARTICLED_CONFIG_H
#define ARTICLED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct config {
    char bind[64];
    int port;
    char data[1024];
    char config_file[1024]; /* "" when none was read */
    int threads;            /* 0 = one per usable CPU (models/cpus.h) */
    bool cpu_affinity;      /* bind each HTTP thread to a CPU of its own */
    int sched_slice_us;     /* the slice HTTP threads ask for; 0 = the kernel's */
    /* new local connections to the thread of their client's CPU (server/steer.h) */
    bool steer_local_connections;
    int max_connections;
    int max_connections_per_address; /* 0 = no limit */
    int connection_timeout;          /* seconds a connection may sit idle */
    int header_timeout;              /* seconds the request line and headers may take, in all */
    int body_timeout;                /* seconds a request body may take, in all */
    int shutdown_grace;              /* seconds in-flight requests get on SIGTERM */
    long max_body_bytes;
    long max_uri_bytes;         /* the request target */
    long max_header_line_bytes; /* one header line */
    long max_header_bytes;      /* request line and headers together */
    long max_article_bytes;
    int per_page_default;
    int per_page_max;
    enum log_level log_level;
    bool access_log;
    /* Bearer tokens. Secrets: never logged. A *_file setting names a file whose
     * first line is the token (a container secret); it wins over the value. */
    char write_token[256];
    char write_token_file[1024];
    char read_token[256];
    char read_token_file[1024];
    bool require_if_match; /* 428 for a replace, patch or delete without If-Match */
    char cors_origins[1024]; /* "" = off, "*", or a comma-separated list of origins */
    int cors_max_age;        /* seconds a browser may cache a preflight */
    int cache_max_age;       /* Cache-Control max-age of content; -1 = omit */
    int cache_s_maxage;      /* s-maxage for shared caches; -1 = omit */
    int cache_stale_while_revalidate; /* -1 = omit */
    char public_base_url[256];  /* "https://news.example.com": absolute links; "" = relative */
    char trusted_proxies[1024]; /* addresses or CIDR ranges whose X-Forwarded-* count */
    char fetch_allow[1024];     /* hosts, addresses or CIDR ranges imports may fetch from
                                   besides public addresses */
    int fetch_timeout;          /* seconds for a whole import fetch */
    long fetch_max_bytes;
    char web_plugin[1024];      /* path of articled-web.so; "" = models/web.h's search */
    long memo_max_bytes; /* response memo bound; 0 = no memo */
    /* ARTICLED_* variables that name no setting: ignored (a deployment may set
     * variables for other tools with our prefix) and logged at start-up. */
    char env_ignored[256];
};

/* What the command line asks for besides settings. */
enum config_action { CONFIG_SERVE, CONFIG_HELP, CONFIG_VERSION, CONFIG_HEALTHCHECK };

/* Fills cfg with the defaults. */
void config_defaults(struct config *cfg);

/* Applies the layers in order: the file named by --config or ARTICLED_CONFIG (or
 * config/articled.conf when it exists and neither names one), then the
 * environment (envp, NULL-terminated "KEY=value" strings), then argv[1..argc).
 * Non-option arguments are left in *rest (argv indices from *first_rest).
 * Returns 0, or -1 with errbuf naming the key, the layer and what is wrong. */
int config_load(struct config *cfg, int argc, char **argv, char **envp, enum config_action *action,
                int *first_rest, char *errbuf, size_t errlen);

/* Applies one `key = value` setting (key as in the file: max_body_bytes). -1 with errbuf set. */
int config_set(struct config *cfg, const char *key, const char *value, char *errbuf, size_t errlen);

/* Writes the usage text, generated from the key table, to out. */
void config_usage(void *out_file);

const char *config_level_name(enum log_level level);

#endif
