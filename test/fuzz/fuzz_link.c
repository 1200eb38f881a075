/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: QuartPushResource lines and API parameter strings.
 * Whatever the input, qp_link_parse either refuses it with a message or
 * builds a link whose header value is safe to send: it starts with
 * "<URL>; rel=preload" for a same-origin absolute path, has no control
 * characters, and its quoted strings are closed. (A media query may hold
 * '<', '>' or ',' inside its quotes: range syntax, query lists.)
 * The same input as a preconnect origin, first word, params after: it is
 * refused, or its header is exactly "<http(s)://host[:port]>; rel=preconnect"
 * with a host of letters, digits, '-', '.', or an IPv6 literal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "qp_link.h"

static apr_pool_t *root;

static void check_preconnect(apr_pool_t *p, const char *line)
{
    apr_array_header_t *words;
    qp_link *link;
    const char *h, *rest;
    int in_v6 = 0;

    if (qp_words_split(&words, p, line) || words->nelts == 0) {
        return;
    }
    if (qp_link_make_preconnect(&link, p, APR_ARRAY_IDX(words, 0, const char *),
                                words->nelts - 1,
                                (const char *const *)words->elts + 1)) {
        if (link) {
            abort();
        }
        return;
    }
    if (!link->preconnect || !link->nopush) {
        abort();
    }
    if (!strncmp(link->header, "<https://", 9)) {
        h = link->header + 9;
    }
    else if (!strncmp(link->header, "<http://", 8)) {
        h = link->header + 8;
    }
    else {
        abort();
    }
    for (; *h && *h != '>'; ++h) {
        in_v6 += (*h == '[') - (*h == ']');
        if (!((*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9')
              || *h == '-' || *h == '.' || *h == ':' || *h == '[' || *h == ']'
              || (in_v6 && ((*h >= 'A' && *h <= 'F'))))) {
            abort();
        }
    }
    rest = h;
    if (strcmp(rest, ">; rel=preconnect")
        && strcmp(rest, ">; rel=preconnect; crossorigin")
        && strcmp(rest, ">; rel=preconnect; crossorigin=use-credentials")) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    qp_link *link;
    char *line;
    const char *err, *h, *prefix;
    int quotes = 0;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    line = apr_pstrmemdup(p, (const char *)data, size);  /* stops at a NUL */
    err = qp_link_parse(&link, p, line);
    if (!err && link && link->ref) {
        /* "@NAME:KEY": no URL and no header of its own; a name of the
         * allowed characters and a key without space or control */
        const char *s;
        if (link->header || link->url[0] != '@' || !*link->ref->name
            || !*link->ref->key) {
            abort();
        }
        for (s = link->ref->name; *s; ++s) {
            if (!apr_isalnum(*s) && *s != '_' && *s != '-') {
                abort();
            }
        }
        for (s = link->ref->key; *s; ++s) {
            if ((unsigned char)*s <= 0x20 || *s == 0x7f) {
                abort();
            }
        }
        apr_pool_destroy(p);
        return 0;
    }
    if (!err) {
        if (!link || !link->header || link->url[0] != '/' || link->url[1] == '/'
            || qp_url_check(p, link->url) != NULL) {
            abort();
        }
        prefix = apr_pstrcat(p, "<", link->url, ">; rel=preload", NULL);
        if (strncmp(link->header, prefix, strlen(prefix)) != 0) {
            abort();
        }
        for (h = link->header; *h; ++h) {
            if ((unsigned char)*h < 0x20 || *h == 0x7f || *h == '\\') {
                abort();
            }
            quotes += (*h == '"');
        }
        if (quotes % 2) {
            abort();
        }
    }
    else if (link) {
        abort();
    }
    check_preconnect(p, line);
    apr_pool_destroy(p);
    return 0;
}
