/* A slow, separate reading of the matching rules in qp_routes.h, for the
 * fuzz targets: each route is tried against the whole path on its own, and
 * the first one in qp_routes_ranked() order that accepts the path is the one
 * qp_routes_match must return, with the same values. The trie, its pruning
 * and its backtracking are what this checks; so none of them are used here.
 */
#ifndef QP_REF_MATCH_H
#define QP_REF_MATCH_H

#include <string.h>

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

/* The first route of the ranking that accepts path, or NULL. */
static const qp_route *ref_match(const qp_routes *table, const char *path,
                                 qp_match *m)
{
    const apr_array_header_t *ranked = qp_routes_ranked(table);
    int i;

    m->route = NULL;
    for (i = 0; i < ranked->nelts; ++i) {
        const qp_route *r = APR_ARRAY_IDX(ranked, i, const qp_route *);
        if (ref_route_accepts(r, path, m)) {
            m->route = r;
            return r;
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
