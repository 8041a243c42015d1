/* The articled binary as an operator runs it: flags, exit codes, signals.
 * ARTICLED_BIN names the binary under test (tools/run-tests.sh sets it). */
#include "tests/support/harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* The child of the running test, killed by the suite's fini if an assertion
 * left it running. */
static pid_t live_child;

static void
kill_leftover(void)
{
    if (live_child > 0 && waitpid(live_child, NULL, WNOHANG) == 0) {
        kill(live_child, SIGKILL);
        waitpid(live_child, NULL, 0);
    }
}

static const char *
bin(void)
{
    const char *b = getenv("ARTICLED_BIN");
    return b ? b : "./articled";
}

struct proc {
    pid_t pid;
    int out; /* the child's stdout */
    char buf[65536];
    size_t len;
};

/* Starts articled with args (NULL-terminated, after argv[0]); stdout is piped
 * to us, stderr goes to the test's stderr. */
static void
spawn(struct proc *p, const char *const *args)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    p->len = 0;
    p->pid = fork();
    cr_assert(p->pid >= 0);
    if (p->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        const char *argv[32] = {bin()};
        for (size_t i = 0; args[i] && i < 30; i++)
            argv[i + 1] = args[i];
        execv(bin(), (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    p->out = fds[0];
    live_child = p->pid;
}

/* Reads the child's stdout until `needle` shows up or timeout_ms passes. */
static const char *
wait_for(struct proc *p, const char *needle, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        p->buf[p->len] = '\0';
        const char *hit = strstr(p->buf, needle);
        if (hit)
            return hit;
        struct pollfd pf = {p->out, POLLIN, 0};
        if (poll(&pf, 1, 20) > 0) {
            ssize_t r = read(p->out, p->buf + p->len, sizeof p->buf - 1 - p->len);
            if (r > 0)
                p->len += (size_t)r;
        }
    }
    p->buf[p->len] = '\0';
    return strstr(p->buf, needle);
}

/* The port from the "listening" log line, once the content has loaded. */
static int
port_of(struct proc *p)
{
    const char *line = wait_for(p, "\"event\":\"listening\"", 5000);
    cr_assert_not_null(line, "no listening line in: %s", p->buf);
    const char *port = strstr(line, "\"port\":");
    cr_assert_not_null(port);
    int n = atoi(port + 7);
    cr_assert_not_null(wait_for(p, "\"event\":\"content_loaded\"", 10000), "%s", p->buf);
    return n;
}

/* Starts articled on the sample articles at a free port, with token (unless
 * NULL) as its write token, and returns the port once the content has loaded. */
static int
serve_sample(struct proc *p, const char *token)
{
    if (token)
        setenv("ARTICLED_WRITE_TOKEN", token, 1);
    const char *args[] = {"--port", "0", "--data", "data/articles", NULL};
    spawn(p, args);
    unsetenv("ARTICLED_WRITE_TOKEN");
    return port_of(p);
}

static int
wait_exit(struct proc *p, int timeout_ms)
{
    int status = 0;
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            close(p->out);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    close(p->out);
    cr_assert_fail("articled did not exit within %d ms", timeout_ms);
    return -1;
}

static long
get_status(int port, const char *path, long *total)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    fclose(f);
    if (total) {
        cJSON *j = cJSON_Parse(body);
        cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "total");
        *total = cJSON_IsNumber(t) ? (long)t->valuedouble : -1;
        cJSON_Delete(j);
    }
    free(body);
    return status;
}

/* Runs articled to completion and returns its exit code and combined output. */
static int
run(const char *const *args, char *out, size_t outlen)
{
    char cmd[1024];
    size_t o = (size_t)snprintf(cmd, sizeof cmd, "%s", bin());
    for (size_t i = 0; args[i]; i++)
        o += (size_t)snprintf(cmd + o, sizeof cmd - o, " '%s'", args[i]);
    snprintf(cmd + o, sizeof cmd - o, " 2>&1");
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TestSuite(process, .fini = kill_leftover, .timeout = 60);

Test(process, prints_help_listing_every_setting)
{
    char out[16384];
    const char *args[] = {"--help", NULL};
    cr_assert_eq(run(args, out, sizeof out), 0);
    static const char *const flags[] = {"--bind",           "--port",      "--data",
                                        "--max-body-bytes", "--log-level", "--connection-timeout",
                                        "--config"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        cr_assert_not_null(strstr(out, flags[i]), "%s missing from --help", flags[i]);
}

Test(process, exits_2_naming_the_setting_on_a_bad_value)
{
    char out[4096];
    const char *args[] = {"--port", "99999", NULL};
    cr_assert_eq(run(args, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "port"), "%s", out);
    const char *unknown[] = {"--no-such-thing", "1", NULL};
    cr_assert_eq(run(unknown, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "no_such_thing"), "%s", out);
}

Test(process, takes_settings_from_the_environment)
{
    char out[4096];
    setenv("ARTICLED_PORT", "abc", 1);
    const char *args[] = {NULL};
    int rc = run(args, out, sizeof out);
    unsetenv("ARTICLED_PORT");
    cr_assert_eq(rc, 2);
    cr_assert_not_null(strstr(out, "ARTICLED_PORT"), "%s", out);
}

Test(process, warns_about_environment_variables_that_name_no_setting)
{
    struct proc p;
    setenv("ARTICLED_NO_SUCH_SETTING", "1", 1);
    const char *args[] = {"--port", "0", "--data", "data/articles", NULL};
    spawn(&p, args);
    unsetenv("ARTICLED_NO_SUCH_SETTING");
    const char *w = wait_for(&p, "\"event\":\"config_ignored\"", 5000);
    cr_assert_not_null(w, "%s", p.buf);
    cr_assert_not_null(strstr(w, "ARTICLED_NO_SUCH_SETTING"));
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

Test(process, exits_1_when_the_content_directory_is_missing)
{
    struct proc p;
    const char *args[] = {"--port", "0", "--data", "/nonexistent/articled", NULL};
    spawn(&p, args);
    cr_assert_eq(wait_exit(&p, 10000), 1);
}

Test(process, finishes_an_in_flight_request_on_sigterm_then_exits_0)
{
    struct proc p;
    int port = serve_sample(&p, NULL);
    cr_assert_not_null(wait_for(&p, "content_loaded", 5000));
    /* A request whose body is still arriving when SIGTERM comes. */
    int fd = harness_connect(port);
    const char head[] = "POST /v1/annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 4\r\n\r\nab";
    cr_assert_eq(send(fd, head, sizeof head - 1, MSG_NOSIGNAL), (ssize_t)(sizeof head - 1));
    usleep(200000);
    kill(p.pid, SIGTERM);
    cr_assert_not_null(wait_for(&p, "\"event\":\"stopping\"", 5000));
    usleep(200000);
    cr_assert_eq(send(fd, "cd", 2, MSG_NOSIGNAL), 2);
    char reply[2048] = {0};
    ssize_t got = recv(fd, reply, sizeof reply - 1, 0);
    close(fd);
    cr_assert(got > 12 && strncmp(reply, "HTTP/1.1 200", 12) == 0,
              "the in-flight request was answered: %s", reply);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

Test(process, exits_0_on_sigint)
{
    struct proc p;
    serve_sample(&p, NULL);
    kill(p.pid, SIGINT);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

static void
copy_file(const char *from, const char *to)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    cr_assert_eq(system(cmd), 0);
}

Test(process, reloads_the_content_directory_on_sighup)
{
    char dir[] = "/tmp/articled-reload-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/seed.txt", dir);
    copy_file("data/articles/kim-visits-china.txt", path);
    struct proc p;
    const char *args[] = {"--port", "0", "--data", dir, NULL};
    spawn(&p, args);
    int port = port_of(&p);
    cr_assert_not_null(wait_for(&p, "content_loaded", 5000));
    long total = 0;
    cr_assert_eq(get_status(port, "/v1/articles", &total), 200);
    cr_assert_eq(total, 1);
    snprintf(path, sizeof path, "%s/bank.txt", dir);
    copy_file("data/articles/central-bank-holds-rates.txt", path);
    p.len = 0;
    kill(p.pid, SIGHUP);
    cr_assert_not_null(wait_for(&p, "\"generation\":2", 5000), "%s", p.buf);
    cr_assert_eq(get_status(port, "/v1/articles", &total), 200);
    cr_assert_eq(total, 2);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(process, logs_and_skips_a_bad_file_but_serves_the_rest)
{
    char dir[] = "/tmp/articled-bad-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/seed.txt", dir);
    copy_file("data/articles/kim-visits-china.txt", path);
    snprintf(path, sizeof path, "%s/broken.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"headline\": \"x\",", f);
    fclose(f);
    struct proc p;
    const char *args[] = {"--port", "0", "--data", dir, NULL};
    spawn(&p, args);
    int port = port_of(&p);
    const char *skip = wait_for(&p, "\"event\":\"file_skipped\"", 5000);
    cr_assert_not_null(skip, "%s", p.buf);
    cr_assert_not_null(strstr(skip, "\"file\":\"broken.json\""), "%s", skip);
    long total = 0;
    cr_assert_eq(get_status(port, "/v1/articles", &total), 200);
    cr_assert_eq(total, 1);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(process, logs_one_json_line_per_request)
{
    struct proc p;
    int port = serve_sample(&p, NULL);
    cr_assert_eq(get_status(port, "/v1/articles/nope", NULL), 404);
    const char *line = wait_for(&p, "\"event\":\"request\"", 5000);
    cr_assert_not_null(line, "%s", p.buf);
    const char *start = line;
    while (start > p.buf && start[-1] != '\n')
        start--;
    const char *end = strchr(start, '\n');
    cr_assert_not_null(end);
    cJSON *j = cJSON_ParseWithLength(start, (size_t)(end - start));
    cr_assert_not_null(j, "not a JSON line: %.*s", (int)(end - start), start);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "method")->valuestring, "GET");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "path")->valuestring, "/v1/articles/nope");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "status")->valuedouble, 404);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "bytes")));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "duration_ms")));
    cJSON_Delete(j);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

Test(process, healthcheck_exits_0_against_a_live_server_and_1_otherwise)
{
    struct proc p;
    int port = serve_sample(&p, NULL);
    char portstr[16], out[1024];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *hc[] = {"--healthcheck", "--port", portstr, NULL};
    cr_assert_eq(run(hc, out, sizeof out), 0, "%s", out);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    cr_assert_eq(run(hc, out, sizeof out), 1, "no server: %s", out);
}

/* POSTs a file's bytes to /v1/annotate and returns the parsed reply. */
static cJSON *
post_annotate(int port, const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    char url[128], *body = NULL;
    size_t len = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/annotate", port);
    CURL *c = curl_easy_init();
    FILE *out = open_memstream(&body, &len);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/plain");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    fclose(out);
    cJSON *j = cJSON_Parse(body);
    free(body);
    cr_assert_not_null(j);
    return j;
}

Test(process, annotate_prints_one_line_per_file_with_the_same_json_as_the_api)
{
    static char out[1 << 20];
    const char *args[] = {"annotate", "data/articles/kim-visits-china.txt",
                          "data/articles/summit-talks-quotes.txt", NULL};
    cr_assert_eq(run(args, out, sizeof out), 0, "%.300s", out);
    char *nl = strchr(out, '\n');
    cr_assert_not_null(nl);
    cr_assert_not_null(strchr(nl + 1, '\n'), "two lines for two files");
    *nl = '\0';
    cJSON *line = cJSON_Parse(out);
    cr_assert_not_null(line, "the first line is one JSON object");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(line, "file")->valuestring,
                     "data/articles/kim-visits-china.txt");

    struct proc p;
    const char *serve[] = {"--port", "0", "--data", "data/articles", "--access-log", "false", NULL};
    spawn(&p, serve);
    int port = port_of(&p);
    cJSON *api = post_annotate(port, "data/articles/kim-visits-china.txt");
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(line, "article"),
                            cJSON_GetObjectItemCaseSensitive(api, "article"), 1));
    cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(line, "annotations"),
                            cJSON_GetObjectItemCaseSensitive(api, "annotations"), 1));
    cJSON_Delete(line);
    cJSON_Delete(api);
}

Test(process, annotate_reads_stdin_and_reports_bad_files_with_exit_1)
{
    char out[8192];
    FILE *f = popen(
        "printf 'A headline\\n\\nA standfirst.\\n' | \"${ARTICLED_BIN:-./articled}\" annotate -",
        "r");
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    cr_assert_eq(pclose(f), 0);
    cr_assert_not_null(strstr(out, "\"file\":\"-\""), "%s", out);
    cr_assert_not_null(strstr(out, "\"headline\":\"A headline\""), "%s", out);

    const char *args[] = {"annotate", "/nonexistent/file.txt", NULL};
    cr_assert_eq(run(args, out, sizeof out), 1);
    cr_assert_not_null(strstr(out, "{\"file\":\"/nonexistent/file.txt\",\"error\":"), "%s", out);
}

/* True when the process maps a file whose path contains name. */
static bool
maps(pid_t pid, const char *name)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* method path with the token as bearer and body (NULL: none) as JSON; the
 * status, the answer's body in out. */
static long
call(int port, const char *method, const char *path, const char *token, const char *body,
     char *out, size_t outlen)
{
    char url[256], auth[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    FILE *f = fmemopen(out, outlen, "w");
    cr_assert_not_null(f);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    fclose(f);
    return status;
}

Test(process, never_logs_a_token)
{
    struct proc p;
    int port = serve_sample(&p, "tok-never-logged-42");
    char out[2048];
    cr_assert_eq(call(port, "DELETE", "/v1/articles/x", "tok-never-logged-42", NULL, out, sizeof out),
                 404, "authorised, and no such article: %s", out);
    cr_assert_not_null(wait_for(&p, "\"status\":404", 5000));
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    cr_assert_null(strstr(p.buf, "tok-never-logged-42"), "the token appears in the log: %s", p.buf);
}

/* libcurl, libxml2 (in articled-web.so) and libstemmer are mapped by their
 * first use, not at start-up (models/web.h, models/stemmer.h). */
Test(process, maps_the_page_importer_and_the_stemmer_only_when_first_needed)
{
    struct proc p;
    int port = serve_sample(&p, "tok-lazy");
    cr_assert_eq(get_status(port, "/v1/articles", NULL), 200);
    static const char *const lazy[] = {"articled-web.so", "libcurl", "libxml2", "libstemmer"};
    for (size_t i = 0; i < sizeof lazy / sizeof *lazy; i++)
        cr_expect(!maps(p.pid, lazy[i]), "%s is mapped at start-up", lazy[i]);

    cr_assert_eq(get_status(port, "/v1/articles?q=kim", NULL), 200);
    cr_expect(maps(p.pid, "libstemmer"), "the first search loads the stemmer");
    cr_expect(!maps(p.pid, "libcurl"), "a search does not load the importer");

    char out[2048];
    /* Loopback is refused by the fetch guard: the importer loads, nothing is written. */
    long st = call(port, "POST", "/v1/articles/import", "tok-lazy",
                        "{\"url\":\"http://127.0.0.1:1/\"}", out, sizeof out);
    cr_expect_eq(st, 403, "%s", out);
    cr_expect_not_null(strstr(out, "fetch-address-forbidden"), "%s", out);
    for (size_t i = 0; i < 3; i++)
        cr_expect(maps(p.pid, lazy[i]), "%s is not mapped after an import", lazy[i]);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

Test(process, answers_503_and_logs_the_path_when_the_page_importer_is_missing)
{
    struct proc p;
    setenv("ARTICLED_WEB_PLUGIN", "/nonexistent/articled-web.so", 1);
    int port = serve_sample(&p, "tok-missing");
    unsetenv("ARTICLED_WEB_PLUGIN");
    cr_assert_not_null(strstr(p.buf, "\"web_plugin\":\"/nonexistent/articled-web.so\""), "%s",
                       p.buf);
    cr_assert_not_null(strstr(p.buf, "\"level\":\"warn\",\"event\":\"import_unavailable\""),
                       "warned at start-up: %s", p.buf);
    char out[2048];
    long st = call(port, "POST", "/v1/articles/import", "tok-missing",
                        "{\"url\":\"https://news.example.com/a\"}", out, sizeof out);
    cr_assert_eq(st, 503, "%s", out);
    cr_assert_not_null(strstr(out, "\"code\":\"import-unavailable\""), "%s", out);
    cr_assert_null(strstr(out, "/nonexistent"), "the client is not told the path: %s", out);
    cr_assert_not_null(wait_for(&p, "\"level\":\"error\",\"event\":\"import_unavailable\"", 5000),
                       "%s", p.buf);
    cr_assert_not_null(strstr(p.buf, "could not be loaded"), "%s", p.buf);
    long total = 0;
    cr_assert_eq(get_status(port, "/v1/articles", &total), 200, "the rest is served");
    cr_assert_gt(total, 0);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

/* The healthcheck gives up on a server that accepts and never answers. */
Test(process, healthcheck_exits_1_within_its_deadline_when_nothing_answers)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(fd, 4), 0);
    socklen_t alen = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &alen);
    char portstr[16], out[1024];
    snprintf(portstr, sizeof portstr, "%d", ntohs(a.sin_port));
    const char *hc[] = {"--healthcheck", "--port", portstr, NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(run(hc, out, sizeof out), 1, "%s", out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_not_null(strstr(out, "no answer"), "%s", out);
    cr_assert_lt(t1.tv_sec - t0.tv_sec, 10, "the 3 s deadline holds");
    close(fd);
}

Test(process, says_at_start_up_that_it_is_read_only_without_a_token)
{
    struct proc p;
    const char *args[] = {"--port", "0", "--data", "data/articles", NULL};
    spawn(&p, args);
    cr_assert_not_null(wait_for(&p, "\"event\":\"read_only\"", 5000), "%s", p.buf);
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

Test(process, keeps_serving_the_old_content_when_a_reload_fails)
{
    char dir[] = "/tmp/articled-gone-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/seed.txt", dir);
    copy_file("data/articles/kim-visits-china.txt", path);
    struct proc p;
    const char *args[] = {"--port", "0", "--data", dir, NULL};
    spawn(&p, args);
    int port = port_of(&p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    kill(p.pid, SIGHUP);
    cr_assert_not_null(wait_for(&p, "\"event\":\"content_load_failed\"", 5000), "%s", p.buf);
    long total = 0;
    cr_assert_eq(get_status(port, "/v1/articles", &total), 200);
    cr_assert_eq(total, 1, "the old snapshot is still served");
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
}

/* Fetches path from port into a new buffer; *len gets its size. */
static char *
fetch_body(int port, const char *path, size_t *len)
{
    char url[512], *body = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    FILE *out = open_memstream(&body, len);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    fclose(out);
    return body;
}

static void
assert_same_file(const char *path, const char *body, size_t len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    cr_assert(n == len && memcmp(buf, body, len) == 0, "%s differs from what is served", path);
}

Test(process, exports_the_bytes_it_serves)
{
    char dir[] = "/tmp/articled-export-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[4096];
    const char *args[] = {"--data", "data/articles", "export", dir, NULL};
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    struct proc p;
    const char *serve[] = {"--port", "0", "--data", "data/articles", "--access-log", "false", NULL};
    spawn(&p, serve);
    int port = port_of(&p);
    static const char *const paths[] = {
        "/v1/articles",
        "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation",
        "/v1/articles/summit-talks-quotes/quotes",
        "/v1/articles/harbour-bridge-reopens/entities",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        size_t len = 0;
        char *body = fetch_body(port, paths[i], &len);
        char file[512];
        snprintf(file, sizeof file, "%s%s.json", dir, paths[i]);
        assert_same_file(file, body, len);
        free(body);
    }
    kill(p.pid, SIGTERM);
    cr_assert_eq(wait_exit(&p, 10000), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(process, extract_prints_the_article_found_in_an_html_page)
{
    static char out[1 << 18];
    const char *args[] = {"extract", "tests/fixtures/html/ferry.html", "--url",
                          "https://gazette.example/news/ferry-service-resumes", NULL};
    cr_assert_eq(run(args, out, sizeof out), 0, "%.300s", out);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line");
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "%.300s", out);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "file")->valuestring,
                     "tests/fixtures/html/ferry.html");
    cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "article");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(a, "headline")->valuestring,
                     "Ferry service resumes after storm damage");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(a, "published")->valuestring,
                     "2024-02-12T07:30:00Z");
    cJSON *body = cJSON_GetObjectItemCaseSensitive(a, "body");
    cr_assert_eq(cJSON_GetArraySize(body), 6, "five text blocks and the figure, no boilerplate");
    char *printed = cJSON_PrintUnformatted(body);
    cr_assert_null(strstr(printed, "Advertisement"));
    cr_assert_null(strstr(printed, "Related stories"));
    cr_assert_null(strstr(printed, "Great news for the island"));
    free(printed);
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(a, "annotations"), "as the API serves it");
    cJSON_Delete(j);

    const char *missing[] = {"extract", "/nonexistent.html", NULL};
    cr_assert_eq(run(missing, out, sizeof out), 1);
    cr_assert_not_null(strstr(out, "\"error\""), "%s", out);
}
