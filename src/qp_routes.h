/* SPDX-License-Identifier: Apache-2.0 */
/* The per-route push language of mod_quartpush: Quart-style routes mapped
 * to the resources they need, parsed and compiled into a segment trie at
 * configuration time, and matched against a request path in time that
 * depends on the path, not on the number of routes. Pure APR code.
 *
 *   routes    = { line }
 *   line      = [ route "=>" resource { "," resource } [ "when" QUOTED ] ]
 *               [ "#" comment ]                 a "\" at the end continues
 *   route     = "/" [ segment { "/" segment } ] [ "/" "*" ]
 *   segment   = static-text | "<" [ converter ":" ] name ">"
 *   converter = "string" | "int" | "float" | "uuid" | "path"
 *             | "any(" choice { "," choice } ")"
 *   resource  = url-template { param }          params as QuartPushResource
 *             | "preconnect=" origin [ crossorigin ]  a connection hint
 *   url-template: a same-origin path in which "<name>" stands for a value
 *   the route captured
 */
#ifndef QP_ROUTES_H
#define QP_ROUTES_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "qp_link.h"

#define QP_MAX_SEGMENTS  64     /* segments in one route */
#define QP_MAX_VARS      16     /* placeholders in one route */
#define QP_MAX_LINE      8192   /* bytes in one (joined) route line */

typedef enum {
    QP_SEG_STATIC = 0,
    QP_SEG_INT,
    QP_SEG_FLOAT,
    QP_SEG_UUID,
    QP_SEG_ANY,
    QP_SEG_STRING,
    QP_SEG_PATH,        /* <path:x>: the rest of the path, '/' included */
    QP_SEG_WILDCARD     /* trailing "*": the rest of the path, maybe empty */
} qp_seg_kind;

typedef struct qp_seg {
    const char *text;               /* static text (decoded), or NULL */
    const char *name;               /* placeholder name, or NULL */
    apr_array_header_t *choices;    /* any(...): const char * */
    apr_uint32_t len;               /* of text: a line is at most 8 KB */
    qp_seg_kind kind;
} qp_seg;

/* A piece of a URL template: literal text of link->url, or a value. */
typedef struct qp_url_part {
    apr_uint32_t offset;            /* of the literal text in link->url */
    apr_uint16_t len;               /* of the literal text */
    apr_int16_t var;                /* the route's placeholder, or -1 */
} qp_url_part;

/* One resource of a route: a link whose URL may hold placeholders. */
typedef struct qp_resource {
    qp_link *link;                  /* params; link->url is the template */
    qp_url_part *parts;             /* NULL when the URL is fixed */
    int nparts;
} qp_resource;

typedef struct qp_route {
    const char *pattern;            /* as written */
    const char *origin;             /* "FILE:LINE", for messages and dumps */
    int order;                      /* declaration order, set on compile */
    int nsegs;
    qp_seg *segs;
    int nstatic;                    /* static segments: the first rank key */
    int nvars;
    unsigned char var_seg[QP_MAX_VARS]; /* the segment each placeholder is */
    apr_array_header_t *resources;  /* qp_resource * */
    const char *condition;          /* the text of when "...", or NULL */
    void *condition_data;           /* for the caller (a compiled ap_expr) */
} qp_route;

/* Captured values of a match: pointers into the matched path. */
typedef struct qp_match {
    const qp_route *route;
    const char *value[QP_MAX_VARS];
    apr_size_t len[QP_MAX_VARS];
    int gave_up;                    /* the walk stopped at its bound on the
                                     * nodes visited (QP_MAX_VISITS): route
                                     * is the best of those seen, maybe not
                                     * the most specific */
} qp_match;

typedef struct qp_routes qp_routes;

/* Parses one route line (already joined, comments allowed). *proute is NULL
 * for a blank or comment-only line. Errors quote the offending text. */
const char *qp_route_parse_line(qp_route **proute, apr_pool_t *p,
                                const char *line, const char *origin);

/* Reads route lines one logical line at a time, as a route file or a
 * <QuartPushRoutes> block gives them: one parser and the same messages,
 * "NAME:LINE: ...", for both. Routes are appended to routes (of
 * qp_route *) and allocated from p; close frees the reader's scratch. */
typedef struct qp_routes_reader qp_routes_reader;

qp_routes_reader *qp_routes_reader_make(apr_pool_t *p,
                                        apr_array_header_t *routes,
                                        const char *name);
/* One logical line (continuations joined) that starts on line lineno. */
const char *qp_routes_reader_line(qp_routes_reader *rd, const char *line,
                                  int lineno);
/* The error for a logical line longer than QP_MAX_LINE. */
const char *qp_routes_reader_too_long(qp_routes_reader *rd, int lineno);
void qp_routes_reader_close(qp_routes_reader *rd);

/* Parses a whole text (a route file): comments, blank lines, trailing "\"
 * continuations. Appends to routes (of qp_route *); name is used in the
 * origins and messages ("NAME:LINE: ..."). */
const char *qp_routes_parse_text(apr_array_header_t *routes, apr_pool_t *p,
                                 const char *text, apr_size_t len,
                                 const char *name);

/* Compiles routes (qp_route *, in declaration order) into a match table.
 * Fails when two routes have the same shape, since the second could never
 * apply. */
const char *qp_routes_compile(qp_routes **ptable, apr_pool_t *p,
                              const apr_array_header_t *routes);

/* The most specific route for path (the decoded URI path), or NULL. The
 * walk visits each node of the table at most once, and at most
 * QP_MAX_VISITS (4096) of them: only a table with thousands of routes
 * whose placeholders all accept the same path can reach that bound, and
 * then m->gave_up says so. */
const qp_route *qp_routes_match(const qp_routes *table, const char *path,
                                qp_match *m);

/* The routes in match order (most specific first), for dumps. */
const apr_array_header_t *qp_routes_ranked(const qp_routes *table);

int qp_routes_count(const qp_routes *table);

/* The URL of resource res for match m: placeholders replaced by the captured
 * values, percent-encoded (a path value keeps its '/'). */
const char *qp_resource_url(apr_pool_t *p, const qp_resource *res,
                            const qp_match *m);

/* The Link header value of resource res for match m. */
const char *qp_resource_header(apr_pool_t *p, const qp_resource *res,
                               const qp_match *m);

/* The same, when the caller has the URL from qp_resource_url already. */
const char *qp_resource_header_for_url(apr_pool_t *p, const qp_resource *res,
                                       const char *url);

/* "int", "path", ... for dumps. */
const char *qp_seg_kind_name(qp_seg_kind kind);

#endif /* QP_ROUTES_H */
