/* Fuzz target: settings from the config file and the environment.
 *
 * Each input line `key=value` goes through config_set on fresh defaults; then
 * the whole input is the config file that config_load reads (written to a file
 * in /dev/shm, the only I/O, rewritten in place for every input). A setting
 * that is accepted must leave every string of the config NUL-terminated. */
#include "config/config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static int fd = -1;

static void
remove_file(void)
{
    if (fd >= 0)
        close(fd);
    unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/dev/shm/articled-fuzz-config-%ld.conf", (long)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    atexit(remove_file);
    return 0;
}

static void
check_strings(const struct config *cfg)
{
    if (!memchr(cfg->bind, '\0', sizeof cfg->bind) ||
        !memchr(cfg->data, '\0', sizeof cfg->data) ||
        !memchr(cfg->write_token, '\0', sizeof cfg->write_token) ||
        !memchr(cfg->read_token, '\0', sizeof cfg->read_token) ||
        !memchr(cfg->cors_origins, '\0', sizeof cfg->cors_origins) ||
        !memchr(cfg->public_base_url, '\0', sizeof cfg->public_base_url) ||
        !memchr(cfg->trusted_proxies, '\0', sizeof cfg->trusted_proxies))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    char errbuf[512];
    struct config cfg;
    for (char *line = buf; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            config_defaults(&cfg);
            if (config_set(&cfg, line, eq + 1, errbuf, sizeof errbuf) == 0)
                check_strings(&cfg);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(buf);

    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    char *argv[] = {"articled", "--config", path, NULL};
    enum config_action action;
    int first_rest;
    config_defaults(&cfg);
    if (config_load(&cfg, 3, argv, NULL, &action, &first_rest, errbuf, sizeof errbuf) == 0)
        check_strings(&cfg);
    return 0;
}
