/* config: defaults, the four layers and their precedence, flags and errors. */
#include "config/config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A temporary config file for the running test (each test runs in its own process). */
static char conf_path[64];

static void
no_file(void)
{
    conf_path[0] = '\0';
}

static void
remove_file(void)
{
    if (conf_path[0])
        unlink(conf_path);
}

TestSuite(config, .init = no_file, .fini = remove_file);

static const char *
write_conf(const char *text)
{
    snprintf(conf_path, sizeof conf_path, "/tmp/articled-conf-XXXXXX");
    int fd = mkstemp(conf_path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return conf_path;
}

struct load {
    struct config cfg;
    enum config_action action;
    int first_rest, rc;
    char err[512];
};

/* Runs config_load over defaults; argv and envp are NULL-terminated lists. */
static void
run(struct load *l, const char *const *argv, const char *const *envp)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    config_defaults(&l->cfg);
    l->err[0] = '\0';
    l->action = (enum config_action)-1;
    l->first_rest = -1;
    l->rc = config_load(&l->cfg, argc, (char **)argv, (char **)envp, &l->action, &l->first_rest,
                        l->err, sizeof l->err);
}

Test(config, has_the_documented_defaults)
{
    struct config cfg;
    memset(&cfg, 0x5A, sizeof cfg);
    config_defaults(&cfg);
    cr_expect_str_eq(cfg.bind, "127.0.0.1");
    cr_expect_eq(cfg.port, 8080);
    cr_expect_str_eq(cfg.data, "data/articles");
    cr_expect_str_eq(cfg.config_file, "");
    cr_expect_eq(cfg.threads, 0);
    cr_expect_eq(cfg.max_connections, 1000);
    cr_expect_eq(cfg.connection_timeout, 60);
    cr_expect_eq(cfg.max_connections_per_address, 0);
    cr_expect_eq(cfg.header_timeout, 60);
    cr_expect_eq(cfg.body_timeout, 30);
    cr_expect_eq(cfg.shutdown_grace, 10);
    cr_expect_eq(cfg.max_body_bytes, 1048576);
    cr_expect_eq(cfg.max_uri_bytes, 8192);
    cr_expect_eq(cfg.max_header_line_bytes, 8192);
    cr_expect_eq(cfg.max_header_bytes, 16384);
    cr_expect_eq(cfg.max_article_bytes, 8388608);
    cr_expect_eq(cfg.per_page_default, 20);
    cr_expect_eq(cfg.per_page_max, 100);
    cr_expect_eq(cfg.log_level, LOG_INFO);
    cr_expect(cfg.access_log);
}

Test(config, keeps_the_defaults_with_an_empty_file_no_environment_and_no_flags)
{
    const char *argv[] = {"articled", NULL};
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf("# nothing set\n\n"));
    const char *envp[] = {"HOME=/root", "PATH=/bin", envv, NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_eq(l.action, CONFIG_SERVE);
    cr_expect_eq(l.first_rest, 1);
    cr_expect_str_eq(l.cfg.config_file, conf_path);
    struct config def;
    config_defaults(&def);
    cr_expect_eq(l.cfg.port, def.port);
    cr_expect_str_eq(l.cfg.bind, def.bind);
    cr_expect_eq(l.cfg.max_body_bytes, def.max_body_bytes);
    cr_expect_eq(l.cfg.log_level, def.log_level);
}

Test(config, applies_defaults_then_file_then_environment_then_flags)
{
    const char *file = write_conf("# every layer sets port\n"
                                  "port = 1000\n"
                                  "threads = 2\n"
                                  "per_page_max = 50\n"
                                  "  log_level =  debug  \n"
                                  "bind = \"0.0.0.0\"\n");
    const char *argv[] = {"articled", "--config", file, "--port", "3000", NULL};
    const char *envp[] = {"ARTICLED_PORT=2000", "ARTICLED_THREADS=3", "ARTICLED_ACCESS_LOG=false",
                          "OTHER_PORT=1", NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_eq(l.cfg.port, 3000, "flags beat the environment");
    cr_expect_eq(l.cfg.threads, 3, "the environment beats the file");
    cr_expect_eq(l.cfg.per_page_max, 50, "the file beats the defaults");
    cr_expect_eq(l.cfg.log_level, LOG_DEBUG);
    cr_expect_str_eq(l.cfg.bind, "0.0.0.0", "quotes around a file value are dropped");
    cr_expect_not(l.cfg.access_log);
    cr_expect_eq(l.cfg.per_page_default, 20, "untouched keys keep their default");
    cr_expect_str_eq(l.cfg.config_file, file);
}

Test(config, reads_the_config_file_named_by_the_environment_or_a_flag)
{
    const char *file = write_conf("port = 4242\n");
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", file);
    const char *envp[] = {envv, NULL};
    const char *argv1[] = {"articled", NULL};
    struct load l;
    run(&l, argv1, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_eq(l.cfg.port, 4242);

    char flag[128];
    snprintf(flag, sizeof flag, "--config=%s", file);
    const char *argv2[] = {"articled", flag, NULL};
    const char *noenv[] = {NULL};
    run(&l, argv2, noenv);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_eq(l.cfg.port, 4242);
}

struct flag_case {
    const char *args[4];
    long want; /* the value of max_body_bytes */
};

Test(config, accepts_key_value_and_key_equals_value_with_dashes_or_underscores)
{
    static const struct flag_case cases[] = {
        {{"--max-body-bytes", "5", NULL}, 5},
        {{"--max-body-bytes=6", NULL}, 6},
        {{"--max_body_bytes", "7", NULL}, 7},
        {{"--max_body_bytes=8", NULL}, 8},
        {{"--max-body-bytes=1", "--max-body-bytes", "9", NULL}, 9}, /* the last one wins */
    };
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, NULL};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *argv[6] = {"articled"};
        for (size_t i = 0; cases[k].args[i]; i++)
            argv[i + 1] = cases[k].args[i];
        struct load l;
        run(&l, argv, envp);
        cr_expect_eq(l.rc, 0, "case %zu: %s", k, l.err);
        cr_expect_eq(l.cfg.max_body_bytes, cases[k].want, "case %zu", k);
    }
}

Test(config, reads_every_kind_of_value)
{
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, "ARTICLED_LOG_LEVEL=error", "ARTICLED_DATA=/srv/articles", NULL};
    const char *argv[] = {"articled", "--bind", "::1", "--access-log", "off", "--per-page-default",
                          "1000", "--port", "0", NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_str_eq(l.cfg.bind, "::1");
    cr_expect_not(l.cfg.access_log);
    cr_expect_eq(l.cfg.per_page_default, 1000);
    cr_expect_eq(l.cfg.port, 0);
    cr_expect_eq(l.cfg.log_level, LOG_ERROR);
    cr_expect_str_eq(l.cfg.data, "/srv/articles");
}

struct error_case {
    const char *name;
    const char *file;     /* config file text, NULL for none */
    const char *env;      /* one environment entry or NULL */
    const char *args[4];  /* flags */
    const char *key;      /* expected in the message */
    const char *layer;    /* expected in the message */
};

Test(config, refuses_bad_values_and_unknown_keys_naming_the_key_and_the_layer)
{
    static const struct error_case cases[] = {
        {"port out of range", NULL, NULL, {"--port", "70000"}, "port", "option"},
        {"port not a number", NULL, NULL, {"--port=abc"}, "port", "option"},
        {"port with trailing junk", NULL, NULL, {"--port", "80x"}, "port", "option"},
        {"port empty", NULL, NULL, {"--port="}, "port", "option"},
        {"negative threads", NULL, NULL, {"--threads", "-1"}, "threads", "option"},
        {"a number past long", NULL, NULL, {"--max-body-bytes", "99999999999999999999999"},
         "max_body_bytes", "option"},
        {"a bad boolean", NULL, NULL, {"--access-log", "maybe"}, "access_log", "option"},
        {"a bad log level", NULL, NULL, {"--log-level", "loud"}, "log_level", "option"},
        {"an empty data directory", NULL, NULL, {"--data", ""}, "data", "option"},
        {"an unknown flag", NULL, NULL, {"--colour", "red"}, "colour", "option"},
        {"a flag without its value", NULL, NULL, {"--port"}, "port", "option"},
        {"env out of range", NULL, "ARTICLED_MAX_CONNECTIONS=0", {NULL}, "max_connections",
         "environment"},
        {"env not a number", NULL, "ARTICLED_PORT=eighty", {NULL}, "ARTICLED_PORT", "environment"},
        {"file out of range", "port = 99999\n", NULL, {NULL}, "port", "config file"},
        {"file not a number", "# comment\nper_page_max = ten\n", NULL, {NULL}, "per_page_max",
         "line 2"},
        {"an unknown file key", "colour = red\n", NULL, {NULL}, "colour", "config file"},
        {"a file line without =", "port 8080\n", NULL, {NULL}, "line 1", "config file"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct error_case *c = &cases[k];
        char envv[128];
        snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(c->file ? c->file : ""));
        const char *envp[] = {envv, c->env, NULL};
        const char *argv[6] = {"articled"};
        for (size_t i = 0; c->args[i]; i++)
            argv[i + 1] = c->args[i];
        struct load l;
        run(&l, argv, envp);
        unlink(conf_path);
        conf_path[0] = '\0';
        cr_expect_eq(l.rc, -1, "%s: accepted", c->name);
        cr_expect_not_null(strstr(l.err, c->key), "%s: `%s` does not name %s", c->name, l.err,
                           c->key);
        cr_expect_not_null(strstr(l.err, c->layer), "%s: `%s` does not name %s", c->name, l.err,
                           c->layer);
    }
}

/* config.h: ARTICLED_* variables that name no setting are ignored and kept in
 * env_ignored for the start-up log (not an error, unlike unknown file keys and flags). */
Test(config, ignores_unknown_environment_variables_and_records_them)
{
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, "ARTICLED_COLOUR=red", "ARTICLED_PORT=9100", "ARTICLED_SHAPE=round",
                          NULL};
    const char *argv[] = {"articled", NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_eq(l.cfg.port, 9100, "known variables still apply");
    cr_expect_not_null(strstr(l.cfg.env_ignored, "ARTICLED_COLOUR"), "`%s`", l.cfg.env_ignored);
    cr_expect_not_null(strstr(l.cfg.env_ignored, "ARTICLED_SHAPE"), "`%s`", l.cfg.env_ignored);
    cr_expect_null(strstr(l.cfg.env_ignored, "ARTICLED_PORT"), "`%s`", l.cfg.env_ignored);
    cr_expect_null(strstr(l.cfg.env_ignored, "ARTICLED_CONFIG"), "`%s`", l.cfg.env_ignored);
}

/* env_ignored is logged at start-up, and a deployment may keep secrets under our
 * prefix (ARTICLED_WRITE_TOKEN): the record must hold names, never values. */
Test(config, records_ignored_environment_variables_without_their_values)
{
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, "ARTICLED_DEPLOY_SECRET=s3cr3t-value", NULL};
    const char *argv[] = {"articled", NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_not_null(strstr(l.cfg.env_ignored, "ARTICLED_DEPLOY_SECRET"), "`%s`", l.cfg.env_ignored);
    cr_expect_null(strstr(l.cfg.env_ignored, "s3cr3t-value"), "the secret is kept for the log: `%s`",
                   l.cfg.env_ignored);
}

Test(config, refuses_a_missing_config_file)
{
    const char *argv[] = {"articled", "--config", "/nonexistent/articled.conf", NULL};
    const char *envp[] = {NULL};
    struct load l;
    run(&l, argv, envp);
    cr_expect_eq(l.rc, -1);
    cr_expect_not_null(strstr(l.err, "/nonexistent/articled.conf"), "%s", l.err);
}

struct action_case {
    const char *args[4];
    enum config_action action;
};

Test(config, reports_help_version_and_healthcheck)
{
    static const struct action_case cases[] = {
        {{"--help"}, CONFIG_HELP},
        {{"-h"}, CONFIG_HELP},
        {{"--port", "9000", "--help"}, CONFIG_HELP},
        {{"--version"}, CONFIG_VERSION},
        {{"--healthcheck"}, CONFIG_HEALTHCHECK},
        {{"--port", "9000"}, CONFIG_SERVE},
    };
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, NULL};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *argv[6] = {"articled"};
        for (size_t i = 0; cases[k].args[i]; i++)
            argv[i + 1] = cases[k].args[i];
        struct load l;
        run(&l, argv, envp);
        cr_expect_eq(l.rc, 0, "case %zu: %s", k, l.err);
        cr_expect_eq(l.action, cases[k].action, "case %zu", k);
    }
}

struct rest_case {
    const char *args[6];
    int first_rest;
    int port;
};

Test(config, stops_at_the_first_non_option_argument)
{
    static const struct rest_case cases[] = {
        {{"--port", "9000", "extra", "--port", "1"}, 3, 9000},
        {{"extra"}, 1, 8080},
        {{"--", "--port", "1"}, 2, 8080},
        {{"--port=9001", "-"}, 2, 9001},
        {{"--port=9002"}, 2, 9002}, /* nothing left: first_rest is argc */
    };
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, NULL};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *argv[8] = {"articled"};
        for (size_t i = 0; cases[k].args[i]; i++)
            argv[i + 1] = cases[k].args[i];
        struct load l;
        run(&l, argv, envp);
        cr_expect_eq(l.rc, 0, "case %zu: %s", k, l.err);
        cr_expect_eq(l.first_rest, cases[k].first_rest, "case %zu: %d", k, l.first_rest);
        cr_expect_eq(l.cfg.port, cases[k].port, "case %zu", k);
    }
}

Test(config, sets_one_key_by_its_file_name)
{
    struct config cfg;
    config_defaults(&cfg);
    char err[256];
    cr_expect_eq(config_set(&cfg, "per_page_max", "1000", err, sizeof err), 0, "%s", err);
    cr_expect_eq(cfg.per_page_max, 1000);
    cr_expect_eq(config_set(&cfg, "per_page_max", "1001", err, sizeof err), -1);
    cr_expect_eq(cfg.per_page_max, 1000, "a refused value changes nothing");
    cr_expect_eq(config_set(&cfg, "max-body-bytes", "10", err, sizeof err), -1,
                 "file names use underscores");
    cr_expect_eq(config_set(&cfg, "log_level", "warn", err, sizeof err), 0);
    cr_expect_eq(cfg.log_level, LOG_WARN);
    char longbind[100];
    memset(longbind, 'b', sizeof longbind - 1);
    longbind[sizeof longbind - 1] = '\0';
    cr_expect_eq(config_set(&cfg, "bind", longbind, err, sizeof err), -1, "64 bytes at most");
    cr_expect_str_eq(cfg.bind, "127.0.0.1");
}

Test(config, writes_usage_listing_every_flag)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    config_usage(f);
    fclose(f);
    static const char *const flags[] = {"--bind", "--port", "--data", "--threads",
                                        "--max-connections", "--max-body-bytes",
                                        "--max-article-bytes", "--per-page-max", "--log-level",
                                        "--access-log", "--config", "--help"};
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
        cr_expect_not_null(strstr(text, flags[k]), "usage lacks %s", flags[k]);
    free(text);
}

Test(config, names_the_log_levels)
{
    cr_expect_str_eq(config_level_name(LOG_DEBUG), "debug");
    cr_expect_str_eq(config_level_name(LOG_INFO), "info");
    cr_expect_str_eq(config_level_name(LOG_WARN), "warn");
    cr_expect_str_eq(config_level_name(LOG_ERROR), "error");
}

Test(config, takes_the_write_token_from_the_environment)
{
    char envv[128];
    snprintf(envv, sizeof envv, "ARTICLED_CONFIG=%s", write_conf(""));
    const char *envp[] = {envv, "ARTICLED_WRITE_TOKEN=tok-123", "ARTICLED_WRITE_TOKEN_FILE=/run/x",
                          NULL};
    const char *argv[] = {"articled", NULL};
    struct load l;
    run(&l, argv, envp);
    cr_assert_eq(l.rc, 0, "%s", l.err);
    cr_expect_str_eq(l.cfg.write_token, "tok-123");
    cr_expect_str_eq(l.cfg.write_token_file, "/run/x");
    cr_expect_str_eq(l.cfg.env_ignored, "");
}
