/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: route files. Whatever the input, qp_routes_parse_text
 * and qp_routes_compile either refuse it with a message or build a table,
 * and never crash. For each accepted route, a path made to fit it is
 * matched: the route found must be the one the reference finds by the
 * rules of docs/routes.md (qp_ref_match.h), and every resource of it must
 * give a URL that qp_url_check accepts and a Link header without control
 * characters, since those go out verbatim in a response. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_routes.h"
#include "qp_ref_match.h"

/* Routes of one input checked by a match, to keep each run short */
#define FUZZ_MAX_CHECKED 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

/* A path that route r accepts, if its static text and any() choices allow:
 * each converter gets a value of its kind. */
static const char *sample_path(apr_pool_t *p, const qp_route *r)
{
    const char *path = "";
    int i;

    for (i = 0; i < r->nsegs; ++i) {
        const qp_seg *seg = &r->segs[i];
        const char *v;

        switch (seg->kind) {
        case QP_SEG_STATIC:
            v = apr_pstrmemdup(p, seg->text, seg->len);
            break;
        case QP_SEG_INT:
            v = "42";
            break;
        case QP_SEG_FLOAT:
            v = "1.5";
            break;
        case QP_SEG_UUID:
            v = "123e4567-e89b-12d3-a456-426614174000";
            break;
        case QP_SEG_ANY:
            v = APR_ARRAY_IDX(seg->choices, 0, const char *);
            break;
        case QP_SEG_STRING:
            v = "a b%\"<>\xc3\xa9";     /* all of it needs encoding */
            break;
        case QP_SEG_PATH:
            v = "p q/r?s";
            break;
        default:
            v = "w/x";
            break;
        }
        path = apr_pstrcat(p, path, "/", v, NULL);
    }
    return path;
}

/* The resources of the matched route make safe URLs and headers. */
static void check_resources(apr_pool_t *p, const qp_match *m)
{
    int i;

    for (i = 0; i < m->route->resources->nelts; ++i) {
        const qp_resource *res = APR_ARRAY_IDX(m->route->resources, i,
                                               const qp_resource *);
        const char *url, *h, *prefix;
        int quotes = 0;

        if (res->link->ref) {
            /* an asset manifest's entry: resolved by the glue, never a
             * URL or a header here */
            if (res->parts || res->link->header || res->link->url[0] != '@') {
                abort();
            }
            continue;
        }
        url = qp_resource_url(p, res, m);
        h = qp_resource_header(p, res, m);

        if (res->link->preconnect) {
            /* an origin, checked by fuzz_link; never pushed */
            const char *canon;
            if (!res->link->nopush || res->parts
                || qp_origin_check(p, url, &canon) || strcmp(canon, url)) {
                abort();
            }
            prefix = apr_pstrcat(p, "<", url, ">; rel=preconnect", NULL);
        }
        else if (qp_url_check(p, url) != NULL) {
            abort();
        }
        else {
            prefix = apr_pstrcat(p, "<", url, ">; rel=preload", NULL);
        }
        if (strncmp(h, prefix, strlen(prefix)) != 0) {
            abort();
        }
        for (; *h; ++h) {
            if ((unsigned char)*h < 0x20 || *h == 0x7f) {
                abort();
            }
            quotes += (*h == '"');
        }
        if (quotes % 2) {
            abort();
        }
    }
}

/* Captured values lie inside the path matched. */
static void check_values(const char *path, const qp_match *m)
{
    const char *end = path + strlen(path);
    int i;

    for (i = 0; i < m->route->nvars; ++i) {
        if (m->value[i] < path || m->value[i] > end
            || m->len[i] > (size_t)(end - m->value[i])) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_array_header_t *routes;
    qp_routes *table;
    qp_route *one;
    const char *err;
    int i;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
        if ((err = ref_check_docs(root)) != NULL) {
            /* a mistake in the reference, not a finding */
            fprintf(stderr, "fuzz_routes: the reference ranks this table "
                    "unlike docs/routes.md:\n%s", err);
            exit(2);
        }
    }
    apr_pool_create(&p, root);

    /* the whole input as one line too: its own entry point */
    if (qp_route_parse_line(&one, p, apr_pstrmemdup(p, (const char *)data, size),
                            "fuzz:1") != NULL && one != NULL) {
        abort();
    }

    routes = apr_array_make(p, 8, sizeof(qp_route *));
    err = qp_routes_parse_text(routes, p, (const char *)data, size, "fuzz");
    if (!err) {
        err = qp_routes_compile(&table, p, routes);
        if (!err) {
            if (!table || qp_routes_count(table) != routes->nelts) {
                abort();
            }
            for (i = 0; i < routes->nelts && i < FUZZ_MAX_CHECKED; ++i) {
                const qp_route *r = APR_ARRAY_IDX(routes, i, const qp_route *);
                const char *path = sample_path(p, r);
                qp_match m, want;
                const qp_route *got = qp_routes_match(table, path, &m);

                if (!m.gave_up          /* it says so: see fuzz_match */
                    && !ref_same_match(got, &m, ref_match(routes, path,
                                                          &want), &want)) {
                    abort();
                }
                if (got) {
                    check_values(path, &m);
                    check_resources(p, &m);
                }
            }
        }
        else if (table) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
