/* fetch: downloads a page a client named, through the request-forgery guard.
 *
 * One libcurl easy handle per call, safe from any thread: libcurl is
 * initialised on the first fetch (fetch_init), so a server that never fetches
 * never maps or touches its TLS libraries. Only http and https, on every hop; redirects followed here,
 * one hop at a time, at most max_redirects; every address libcurl is about to
 * connect to (after DNS, so rebinding is covered) checked with fetchguard; no
 * proxy from the environment; connect and total timeouts; a byte cap counted
 * while downloading. */
#ifndef ARTICLED_FETCH_H
#define ARTICLED_FETCH_H

#include "models/fetchguard.h"

#include <stdbool.h>
#include <stddef.h>

struct fetch_options {
    const struct fetchguard_policy *policy; /* borrowed; NULL: public addresses only */
    long max_redirects;                     /* hops followed; more is too_many_redirects */
    long connect_timeout_ms;
    long timeout_ms;   /* the whole fetch, all hops */
    size_t max_bytes;  /* of the final body; more is too_large */
    bool require_html; /* refuse a Content-Type other than text/html or XHTML */
    const char *user_agent;
};

/* What a fetch returned. The caller owns the strings and frees them with
 * fetch_result_free (also after a failed fetch: status and final_url may be set). */
struct fetch_result {
    char *body; /* NUL-terminated for convenience; len bytes, may contain NULs */
    size_t len;
    char *final_url;    /* after redirects */
    char *content_type; /* as sent, NULL when absent */
    long status;        /* HTTP status of the final response, 0 when none */
};

/* Initialises libcurl for the process, once: the first call runs
 * curl_global_init, every later one (from any thread, also while the first
 * runs) waits for it and returns its outcome. fetch_url calls it; any other
 * code that uses libcurl calls it before its first curl call. 0, or -1 when
 * libcurl could not initialise. curl_global_cleanup at exit, after the last
 * fetch, undoes it (and does nothing when no fetch ran). */
int fetch_init(void);

/* Fills o with the defaults: public addresses only, 3 redirects, 5 s to connect,
 * 15 s in all, 5 MiB, HTML required. */
void fetch_options_init(struct fetch_options *o);

/* Fetches url into *out (zeroed first). opt NULL means the defaults.
 * Returns 0 on a 2xx response within every limit. On -1, *why is a static
 * reason: scheme_forbidden, address_forbidden, too_many_redirects, too_large,
 * timeout, http_status, not_html, bad_url, dns_failed, connect_failed,
 * tls_failed, fetch_failed or out_of_memory (also when libcurl could not
 * initialise). */
int fetch_url(const char *url, const struct fetch_options *opt, struct fetch_result *out,
              const char **why);

void fetch_result_free(struct fetch_result *r);

#endif
