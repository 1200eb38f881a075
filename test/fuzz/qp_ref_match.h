/* SPDX-License-Identifier: Apache-2.0 */
/* A slow, separate reading of the route rules of docs/routes.md, for the
 * fuzz targets. "What a route matches": each route is tried against the
 * whole path on its own. "Which route applies": of all the routes that
 * accept the path, the best one by ref_ranks_before, a comparator written
 * from that section's four rules; the declaration order is the caller's
 * array of routes. Nothing of the library's ranking is used here (not
 * qp_routes_ranked, qp_route->nstatic or ->order), nor its trie, pruning
 * or backtracking: those are what this checks.
 * Proof: qp_seg_weight with int and string swapped, or any() as weak as
 * string: fuzz_match says "mismatch" within 0.6 s / 6 s; reverted, 60 s clean.
 */
#ifndef QP_REF_MATCH_H
#define QP_REF_MATCH_H

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "qp_routes.h"

static int ref_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int ref_is_hex(char c)
{
    return ref_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* What no one-segment placeholder takes: an empty, '.' or '..' segment,
 * control characters, an encoded slash. */
static int ref_segment_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || (len == 1 && s[0] == '.')
        || (len == 2 && s[0] == '.' && s[1] == '.')) {
        return 0;
    }
    for (i = 0; i < len; ++i) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
        if (i + 2 < len && s[i] == '%' && s[i + 1] == '2'
            && (s[i + 2] == 'F' || s[i + 2] == 'f')) {
            return 0;
        }
    }
    return 1;
}

static int ref_converter_ok(const qp_seg *seg, const char *s, size_t len)
{
    size_t i, dot = 0, ndots = 0;
    int k;

    if (!ref_segment_ok(s, len)) {
        return 0;
    }
    switch (seg->kind) {
    case QP_SEG_STRING:
        return 1;
    case QP_SEG_INT:
        for (i = 0; i < len; ++i) {
            if (!ref_is_digit(s[i])) {
                return 0;
            }
        }
        return len <= 64;
    case QP_SEG_FLOAT:
        for (i = 0; i < len; ++i) {
            if (s[i] == '.') {
                dot = i;
                ++ndots;
            }
            else if (!ref_is_digit(s[i])) {
                return 0;
            }
        }
        return len <= 64 && ndots == 1 && dot > 0 && dot < len - 1;
    case QP_SEG_UUID:
        if (len != 36) {
            return 0;
        }
        for (i = 0; i < len; ++i) {
            int dash = (i == 8 || i == 13 || i == 18 || i == 23);
            if (dash ? s[i] != '-' : !ref_is_hex(s[i])) {
                return 0;
            }
        }
        return 1;
    case QP_SEG_ANY:
        for (k = 0; k < seg->choices->nelts; ++k) {
            const char *c = APR_ARRAY_IDX(seg->choices, k, const char *);
            if (strlen(c) == len && memcmp(c, s, len) == 0) {
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

/* A <path:x> value: not empty, not starting with '/', no control
 * characters, no '.' or '..' segment. */
static int ref_path_ok(const char *s, size_t len)
{
    size_t i, start = 0;

    if (len == 0 || s[0] == '/') {
        return 0;
    }
    for (i = 0; i <= len; ++i) {
        if (i == len || s[i] == '/') {
            size_t n = i - start;
            if ((n == 1 && s[start] == '.')
                || (n == 2 && s[start] == '.' && s[start + 1] == '.')) {
                return 0;
            }
            start = i + 1;
        }
        else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* Does route r accept the whole of path? Its values go to m. */
static int ref_route_accepts(const qp_route *r, const char *path, qp_match *m)
{
    const char *end = path + strlen(path);
    const char *s = path + 1;   /* the next segment; NULL after the last */
    int i, var = 0;

    if (path[0] != '/') {
        return 0;
    }
    for (i = 0; i < r->nsegs; ++i) {
        const qp_seg *seg = &r->segs[i];
        const char *stop;
        size_t len;

        if (!s) {
            return 0;           /* the path has fewer segments */
        }
        if (seg->kind == QP_SEG_PATH || seg->kind == QP_SEG_WILDCARD) {
            len = (size_t)(end - s);
            if (seg->kind == QP_SEG_PATH && !ref_path_ok(s, len)) {
                return 0;
            }
            if (seg->name) {
                m->value[var] = s;
                m->len[var++] = len;
            }
            return 1;           /* a tail is always last */
        }
        stop = memchr(s, '/', (size_t)(end - s));
        if (!stop) {
            stop = end;
        }
        len = (size_t)(stop - s);
        if (seg->kind == QP_SEG_STATIC) {
            if (len != seg->len || memcmp(s, seg->text, len) != 0) {
                return 0;
            }
        }
        else if (!ref_converter_ok(seg, s, len)) {
            return 0;
        }
        if (seg->name) {
            m->value[var] = s;
            m->len[var++] = len;
        }
        s = stop < end ? stop + 1 : NULL;
    }
    return s == NULL;           /* and no segment is left over */
}

/* docs/routes.md, "Which route applies", rule 2: the strength of a
 * segment, strongest (smallest) first. */
static int ref_strength(qp_seg_kind kind)
{
    switch (kind) {
    case QP_SEG_STATIC:
        return 1;                       /* a static segment */
    case QP_SEG_INT:
    case QP_SEG_FLOAT:
    case QP_SEG_UUID:
    case QP_SEG_ANY:
        return 2;                       /* equal to each other */
    case QP_SEG_STRING:
        return 3;                       /* <name>, <string:name> */
    case QP_SEG_PATH:
    case QP_SEG_WILDCARD:
        return 4;                       /* equal to each other */
    }
    abort();                            /* a kind the docs do not rank */
}

static int ref_static_segments(const qp_route *r)
{
    int i, n = 0;

    for (i = 0; i < r->nsegs; ++i) {
        n += r->segs[i].kind == QP_SEG_STATIC;
    }
    return n;
}

/* Does route a, declared at index ia, rank before route b, declared at
 * ib? The four rules, one after the other. */
static int ref_ranks_before(const qp_route *a, int ia, const qp_route *b,
                            int ib)
{
    int sa = ref_static_segments(a), sb = ref_static_segments(b);
    int i;

    /* 1. more static segments win */
    if (sa != sb) {
        return sa > sb;
    }
    /* 2. then, from the left, the first segment whose strength differs
     * decides; past the end of the shorter route there is nothing to
     * compare (rule 3 takes over) */
    for (i = 0; i < a->nsegs && i < b->nsegs; ++i) {
        int wa = ref_strength(a->segs[i].kind);
        int wb = ref_strength(b->segs[i].kind);
        if (wa != wb) {
            return wa < wb;
        }
    }
    /* 3. then the longer route wins */
    if (a->nsegs != b->nsegs) {
        return a->nsegs > b->nsegs;
    }
    /* 4. on a tie, the route declared first wins */
    return ia < ib;
}

/* The route that applies to path, or NULL: every route of declared (of
 * qp_route *, in declaration order) is tried, and of those that accept
 * the path the one that ranks before all the others is kept, with its
 * values. */
static const qp_route *ref_match(const apr_array_header_t *declared,
                                 const char *path, qp_match *m)
{
    qp_match cand;
    int i, best = -1;

    m->route = NULL;
    for (i = 0; i < declared->nelts; ++i) {
        const qp_route *r = APR_ARRAY_IDX(declared, i, const qp_route *);

        if (!ref_route_accepts(r, path, &cand)) {
            continue;
        }
        if (best < 0 || ref_ranks_before(r, i, m->route, best)) {
            best = i;
            *m = cand;
            m->route = r;
        }
    }
    return m->route;
}

/* The comparator read back against the docs themselves: each table,
 * declared in this order, ranks as docs/routes.md says (its worked example,
 * then the examples of the four rules). NULL, or the table that does not;
 * a mistake of this file, not a finding of the fuzzer. */
static const char *ref_check_docs(apr_pool_t *p)
{
    static const char *const cases[][2] = {
        { "/<path:page>\n/static/*\n/blog/<slug>\n/blog/<int:id>\n"
          "/blog/new\n/<section>/latest/news\n/blog/<slug>/<part>\n",
          "/blog/new /<section>/latest/news /blog/<int:id> "
          "/blog/<slug>/<part> /blog/<slug> /static/* /<path:page>" },
        { "/blog/<slug>/<part>\n/<section>/latest/news\n",
          "/<section>/latest/news /blog/<slug>/<part>" },
        { "/user/<name>\n/user/<int:id>\n/user/admin\n",
          "/user/admin /user/<int:id> /user/<name>" },
        { "/<c>/<int:d>\n/<int:a>/<b>\n", "/<int:a>/<b> /<c>/<int:d>" },
        { "/blog/<slug>\n/blog/<slug>/<part>\n",
          "/blog/<slug>/<part> /blog/<slug>" },
        { "/static/*\n/static/<path:p>\n", "/static/* /static/<path:p>" },
        { "/static/<path:p>\n/static/*\n", "/static/<path:p> /static/*" },
        { "/n/<any(1,2):a>\n/n/<int:b>\n", "/n/<any(1,2):a> /n/<int:b>" },
        { "/n/<int:b>\n/n/<any(1,2):a>\n", "/n/<int:b> /n/<any(1,2):a>" },
    };
    size_t c;

    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
        apr_array_header_t *routes = apr_array_make(p, 8, sizeof(qp_route *));
        const char *text = cases[c][0], *order = "";
        const char *lines[8];
        int idx[8], n, i, j;

        for (n = 0; *text; ++n) {
            const char *nl = strchr(text, '\n');
            lines[n] = apr_pstrcat(p, apr_pstrmemdup(p, text,
                                                     (apr_size_t)(nl - text)),
                                   " => /r.css", NULL);
            text = nl + 1;
        }
        for (i = 0; i < n; ++i) {
            qp_route *r;
            if (qp_route_parse_line(&r, p, lines[i], "docs") || !r) {
                return cases[c][0];
            }
            APR_ARRAY_PUSH(routes, qp_route *) = r;
        }
        for (i = 0; i < n; ++i) {               /* insertion sort */
            for (j = i; j > 0; --j) {
                const qp_route *a = APR_ARRAY_IDX(routes, idx[j - 1],
                                                  const qp_route *);
                const qp_route *b = APR_ARRAY_IDX(routes, i, const qp_route *);
                if (ref_ranks_before(a, idx[j - 1], b, i)) {
                    break;
                }
                idx[j] = idx[j - 1];
            }
            idx[j] = i;
        }
        for (i = 0; i < n; ++i) {
            order = apr_pstrcat(p, order, i ? " " : "",
                                APR_ARRAY_IDX(routes, idx[i],
                                              const qp_route *)->pattern, NULL);
        }
        if (strcmp(order, cases[c][1])) {
            return cases[c][0];
        }
    }
    return NULL;
}

/* Do the library's match and the reference's agree, values included? */
static int ref_same_match(const qp_route *got, const qp_match *mg,
                          const qp_route *want, const qp_match *mw)
{
    int i;

    if (got != want) {
        return 0;
    }
    if (!got) {
        return 1;
    }
    if (mg->route != got) {
        return 0;
    }
    for (i = 0; i < got->nvars; ++i) {
        if (mg->value[i] != mw->value[i] || mg->len[i] != mw->len[i]) {
            return 0;
        }
    }
    return 1;
}

#endif /* QP_REF_MATCH_H */
