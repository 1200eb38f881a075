/* SPDX-License-Identifier: Apache-2.0 */
/* The route language of mod_quartpush: parser, compiler and matcher.
 * Routes are compiled into a trie of path segments. Matching walks it along
 * the request path, static children first (a hash lookup), then the few
 * converter edges of a node, and keeps the most specific route it meets.
 * The work depends on the path and on the shape of the trie along it,
 * never on how many routes there are.
 */
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "qp_routes.h"

/* A bound on the nodes one match may visit, whatever the configuration. */
#define QP_MAX_VISITS 4096

typedef struct qp_node qp_node;

typedef struct qp_edge {
    qp_seg_kind kind;
    const apr_array_header_t *choices;  /* any(...) */
    qp_node *child;
} qp_edge;

/* A few static children are kept in a small array: most nodes have one
 * or none, and a hash table costs some 250 bytes even for one entry. */
#define QP_FEW_STATICS 4

typedef struct qp_static {
    const char *text;
    apr_uint32_t len;
    qp_node *child;
} qp_static;

struct qp_node {
    qp_static *few;                 /* up to QP_FEW_STATICS children, or */
    apr_hash_t *statics;            /* decoded segment text -> qp_node * */
    qp_edge *edges;                 /* by weight; exactly nedges of them */
    const qp_route *end;            /* the route that ends at this node */
    const qp_route *tail_path;      /* <path:x> taking the rest from here */
    const qp_route *tail_wild;      /* "*" taking the rest from here */
    apr_uint32_t nedges;
    apr_uint16_t nfew;
    apr_uint16_t max_static;        /* most static segments below: pruning */
};

static qp_node *qp_static_child(const qp_node *node, const char *s,
                                apr_size_t len)
{
    int i;

    if (node->statics) {
        return apr_hash_get(node->statics, s, (apr_ssize_t)len);
    }
    for (i = 0; i < node->nfew; ++i) {
        if (node->few[i].len == len && !memcmp(node->few[i].text, s, len)) {
            return node->few[i].child;
        }
    }
    return NULL;
}

struct qp_routes {
    qp_node *root;
    apr_array_header_t *ranked;     /* const qp_route *, most specific first */
};

const char *qp_seg_kind_name(qp_seg_kind kind)
{
    switch (kind) {
    case QP_SEG_STATIC:   return "static";
    case QP_SEG_INT:      return "int";
    case QP_SEG_FLOAT:    return "float";
    case QP_SEG_UUID:     return "uuid";
    case QP_SEG_ANY:      return "any";
    case QP_SEG_STRING:   return "string";
    case QP_SEG_PATH:     return "path";
    case QP_SEG_WILDCARD: return "*";
    }
    return "?";
}

/* Rank of a segment: a static segment beats every converter; int, float,
 * uuid and any beat string, which beats path and "*". */
static int qp_seg_weight(qp_seg_kind kind)
{
    switch (kind) {
    case QP_SEG_STATIC:
        return 0;
    case QP_SEG_INT:
    case QP_SEG_FLOAT:
    case QP_SEG_UUID:
    case QP_SEG_ANY:
        return 1;
    case QP_SEG_STRING:
        return 2;
    default:
        return 3;
    }
}

/* ------------------------------------------------------------------------
 * parsing
 */

static int qp_is_name(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0 || apr_isdigit(s[0])) {
        return 0;
    }
    for (i = 0; i < len; ++i) {
        if (!apr_isalnum(s[i]) && s[i] != '_') {
            return 0;
        }
    }
    return 1;
}

static int qp_hexval(char c)
{
    return apr_isdigit(c) ? c - '0' : (apr_tolower(c) - 'a' + 10);
}

/* Decodes %XX in a static route segment: routes match the decoded path. */
static const char *qp_static_segment(qp_seg *seg, apr_pool_t *p,
                                     const char *s, apr_size_t len,
                                     const char *pattern)
{
    char *out = apr_palloc(p, len + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= len || !apr_isxdigit(s[i + 1]) || !apr_isxdigit(s[i + 2])) {
                return apr_psprintf(p, "route '%s' has a malformed "
                                    "percent-escape (expected %%XX with two "
                                    "hex digits)", pattern);
            }
            c = (unsigned char)(qp_hexval(s[i + 1]) * 16 + qp_hexval(s[i + 2]));
            i += 2;
            if (c == '/' || c == 0) {
                return apr_psprintf(p, "route '%s' encodes '/' or NUL in a "
                                    "segment, which never matches", pattern);
            }
        }
        if (c < 0x20 || c == 0x7f) {
            return apr_psprintf(p, "route '%s' has a control character",
                                pattern);
        }
        *o++ = (char)c;
    }
    *o = '\0';
    if ((o - out == 1 && out[0] == '.') || (o - out == 2 && !strcmp(out, ".."))) {
        return apr_psprintf(p, "route '%s' has a '.' or '..' segment, which "
                            "never matches: httpd removes them from paths",
                            pattern);
    }
    seg->kind = QP_SEG_STATIC;
    seg->text = out;
    seg->len = (apr_uint32_t)(o - out);
    return NULL;
}

/* "<name>", "<conv:name>" or "<any(a,b):name>", the whole of s[0, len). */
static const char *qp_placeholder(qp_seg *seg, apr_pool_t *p, const char *s,
                                  apr_size_t len, const char *pattern)
{
    const char *body = s + 1, *colon, *name;
    apr_size_t blen = len - 2, clen, nlen;
    const char *paren = memchr(body, '(', blen);

    colon = memchr(body, ':', blen);
    if (colon && paren && paren < colon) {
        /* any(a:b) would hold a colon in a choice: find the one after ')';
         * without a ')', the last one, so that the message below says the
         * ')' is missing rather than that "any(a,b:x" is a bad name */
        const char *close = memchr(body, ')', blen);
        if (close) {
            colon = memchr(close, ':', (apr_size_t)(body + blen - close));
        }
        else {
            for (colon = body + blen - 1; *colon != ':'; --colon) {
            }
        }
    }
    if (colon) {
        clen = (apr_size_t)(colon - body);
        name = colon + 1;
        nlen = blen - clen - 1;
    }
    else {
        clen = 0;
        name = body;
        nlen = blen;
    }
    if (nlen == 0) {
        return apr_psprintf(p, "route '%s': placeholder '%.*s' has no name "
                            "(expected <name> or <converter:name>)",
                            pattern, (int)len, s);
    }
    if (!qp_is_name(name, nlen)) {
        return apr_psprintf(p, "route '%s': '%.*s' is not a placeholder name "
                            "(expected letters, digits and '_', not starting "
                            "with a digit)", pattern, (int)nlen, name);
    }
    seg->name = apr_pstrmemdup(p, name, nlen);
#define QP_CONV_IS(str) (clen == sizeof(str) - 1 && !strncmp(body, str, clen))
    /* "<:x>" names no converter: an error, not a string */
    if (!colon || QP_CONV_IS("string")) {
        seg->kind = QP_SEG_STRING;
    }
    else if (QP_CONV_IS("int")) {
        seg->kind = QP_SEG_INT;
    }
    else if (QP_CONV_IS("float")) {
        seg->kind = QP_SEG_FLOAT;
    }
    else if (QP_CONV_IS("uuid")) {
        seg->kind = QP_SEG_UUID;
    }
    else if (QP_CONV_IS("path")) {
        seg->kind = QP_SEG_PATH;
    }
    else if (clen > 4 && !strncmp(body, "any(", 4)) {
        const char *c = body + 4, *end = body + clen - 1;
        if (*end != ')') {
            return apr_psprintf(p, "route '%s': '%.*s' is missing its ')' "
                                "(expected any(a,b,c))", pattern, (int)clen, body);
        }
        seg->kind = QP_SEG_ANY;
        seg->choices = apr_array_make(p, 4, sizeof(const char *));
        while (c <= end) {
            const char *comma = memchr(c, ',', (apr_size_t)(end - c));
            const char *stop = comma ? comma : end;
            const char *a = c, *b = stop;
            apr_size_t k;
            while (a < b && *a == ' ') {
                ++a;
            }
            while (b > a && b[-1] == ' ') {
                --b;
            }
            if (a == b) {
                return apr_psprintf(p, "route '%s': any() has an empty choice "
                                    "(expected any(a,b,c))", pattern);
            }
            for (k = 0; k < (apr_size_t)(b - a); ++k) {
                unsigned char ch = (unsigned char)a[k];
                if (ch <= 0x20 || ch == 0x7f || ch == '/' || ch == '<'
                    || ch == '>' || ch == '"') {
                    return apr_psprintf(p, "route '%s': any() choice '%.*s' "
                                        "may not hold '%c' (expected plain "
                                        "segment text)", pattern,
                                        (int)(b - a), a, ch > 0x20 ? ch : '?');
                }
            }
            APR_ARRAY_PUSH(seg->choices, const char *) =
                apr_pstrmemdup(p, a, (apr_size_t)(b - a));
            c = stop + 1;
        }
    }
    else {
        return apr_psprintf(p, "route '%s': unknown converter '%.*s' "
                            "(expected string, int, float, uuid, path or "
                            "any(a,b,c))", pattern, (int)clen, body);
    }
#undef QP_CONV_IS
    return NULL;
}

static const char *qp_route_pattern(qp_route *route, apr_pool_t *p,
                                    apr_pool_t *ptemp, const char *pattern)
{
    apr_array_header_t *segs = apr_array_make(ptemp, 8, sizeof(qp_seg));
    const char *s = pattern + 1, *err;
    int i, j;

    if (pattern[0] != '/') {
        return apr_psprintf(p, "route '%s' does not start with '/' (expected "
                            "a path such as /blog/<slug>)", pattern);
    }
    for (;;) {
        const char *end = s;
        int depth = 0;
        qp_seg *seg;
        apr_size_t len;

        while (*end && (depth || *end != '/')) {
            if (*end == '<') {
                ++depth;
            }
            else if (*end == '>' && depth) {
                --depth;
            }
            ++end;
        }
        len = (apr_size_t)(end - s);
        if (segs->nelts >= QP_MAX_SEGMENTS) {
            return apr_psprintf(p, "route '%.60s...' has more than %d "
                                "segments", pattern, QP_MAX_SEGMENTS);
        }
        seg = apr_array_push(segs);
        memset(seg, 0, sizeof(*seg));
        if (len == 1 && s[0] == '*') {
            if (*end) {
                return apr_psprintf(p, "route '%s': '*' must be the last "
                                    "segment (expected /prefix/*)", pattern);
            }
            seg->kind = QP_SEG_WILDCARD;
        }
        else if (len >= 2 && s[0] == '<' && s[len - 1] == '>'
                 && !memchr(s + 1, '<', len - 2) && !memchr(s + 1, '>', len - 2)) {
            if ((err = qp_placeholder(seg, p, s, len, pattern)) != NULL) {
                return err;
            }
            if (seg->kind == QP_SEG_PATH && *end) {
                return apr_psprintf(p, "route '%s': <path:%s> must be the last "
                                    "segment", pattern, seg->name);
            }
        }
        else if (memchr(s, '<', len) || memchr(s, '>', len)) {
            if (depth) {
                return apr_psprintf(p, "route '%s' has an unterminated "
                                    "placeholder (expected <name>)", pattern);
            }
            return apr_psprintf(p, "route '%s': a placeholder must be a whole "
                                "path segment, as in /files/<name>", pattern);
        }
        else if (memchr(s, '*', len)) {
            return apr_psprintf(p, "route '%s': '*' must be a whole last "
                                "segment, as in /static/*", pattern);
        }
        else if ((err = qp_static_segment(seg, p, s, len, pattern)) != NULL) {
            return err;
        }
        if (!*end) {
            break;
        }
        s = end + 1;
    }
    /* exactly as many as there are: 100,000 routes add up */
    route->nsegs = segs->nelts;
    route->segs = apr_pmemdup(p, segs->elts, sizeof(qp_seg) * (apr_size_t)segs->nelts);
    for (i = 0; i < route->nsegs; ++i) {
        const qp_seg *seg = &route->segs[i];
        if (seg->kind == QP_SEG_STATIC) {
            ++route->nstatic;
        }
        if (!seg->name) {
            continue;
        }
        for (j = 0; j < route->nvars; ++j) {
            if (!strcmp(route->segs[route->var_seg[j]].name, seg->name)) {
                return apr_psprintf(p, "route '%s': placeholder '%s' is used "
                                    "twice", pattern, seg->name);
            }
        }
        if (route->nvars >= QP_MAX_VARS) {
            return apr_psprintf(p, "route '%s' has more than %d placeholders",
                                pattern, QP_MAX_VARS);
        }
        route->var_seg[route->nvars++] = (unsigned char)i;
    }
    return NULL;
}

static int qp_route_var(const qp_route *route, const char *name, apr_size_t len)
{
    int i;

    for (i = 0; i < route->nvars; ++i) {
        const char *v = route->segs[route->var_seg[i]].name;
        if (strlen(v) == len && !strncmp(v, name, len)) {
            return i;
        }
    }
    return -1;
}

/* One resource: a URL template and its parameters. The template's parts
 * point into the link's own copy of the URL: 100,000 routes add up. */
static const char *qp_resource_parse(qp_resource **pres, apr_pool_t *p,
                                     apr_pool_t *ptemp, const qp_route *route,
                                     const char *text, apr_hash_t *interned)
{
    apr_array_header_t *words, *parts;
    const char *err, *url, *s;
    char *sample;
    qp_resource *res;
    apr_size_t slen = 0;
    int templated = 0;

    /* a fixed resource is the same for every route: share it */
    if (interned && !strchr(text, '<')) {
        res = apr_hash_get(interned, text, APR_HASH_KEY_STRING);
        if (res) {
            *pres = res;
            return NULL;
        }
    }
    if ((err = qp_words_split(&words, ptemp, text)) != NULL) {
        return err;
    }
    url = APR_ARRAY_IDX(words, 0, const char *);
    if (!strncmp(url, "preconnect=", 11)) {
        /* preconnect=ORIGIN: a connection hint, never pushed; no template */
        res = apr_pcalloc(p, sizeof(*res));
        err = qp_link_make_preconnect(&res->link, p, url + 11,
                                      words->nelts - 1,
                                      (const char *const *)words->elts + 1);
        if (err) {
            return err;
        }
        if (interned) {
            apr_hash_set(interned, apr_pstrdup(apr_hash_pool_get(interned), text),
                         APR_HASH_KEY_STRING, res);
        }
        *pres = res;
        return NULL;
    }
    if (url[0] == '@') {
        /* @NAME:KEY: an asset manifest's entry, resolved by the caller;
         * shared like a fixed resource, so that routes naming the same
         * entry are expanded once per manifest load, not once each */
        res = apr_pcalloc(p, sizeof(*res));
        err = qp_link_make_ref(&res->link, p, url, words->nelts - 1,
                               (const char *const *)words->elts + 1);
        if (err) {
            return err;
        }
        if (interned && !strchr(text, '<')) {
            apr_hash_set(interned, apr_pstrdup(apr_hash_pool_get(interned), text),
                         APR_HASH_KEY_STRING, res);
        }
        *pres = res;
        return NULL;
    }
    if (strlen(url) > QP_MAX_LINE) {
        return apr_psprintf(p, "resource '%.40s...' is too long", url);
    }
    sample = apr_palloc(ptemp, strlen(url) + 1);
    parts = apr_array_make(ptemp, 4, sizeof(qp_url_part));
    for (s = url; *s; ) {
        qp_url_part *part;
        const char *close;
        int var;

        if (*s != '<') {
            const char *next = strchr(s, '<');
            apr_size_t n = next ? (apr_size_t)(next - s) : strlen(s);
            part = apr_array_push(parts);
            part->offset = (apr_uint32_t)(s - url);
            part->len = (apr_uint16_t)n;
            part->var = -1;
            memcpy(sample + slen, s, n);
            slen += n;
            s += n;
            continue;
        }
        close = strchr(s, '>');
        if (!close) {
            return apr_psprintf(p, "resource '%s' has an unterminated "
                                "placeholder (expected <name>)", url);
        }
        var = qp_route_var(route, s + 1, (apr_size_t)(close - s - 1));
        if (var < 0) {
            return apr_psprintf(p, "resource '%s' uses <%.*s>, which route "
                                "'%s' does not define", url,
                                (int)(close - s - 1), s + 1, route->pattern);
        }
        part = apr_array_push(parts);
        part->offset = 0;
        part->len = 0;
        part->var = (apr_int16_t)var;
        templated = 1;
        sample[slen++] = 'x';
        s = close + 1;
    }
    sample[slen] = '\0';
    res = apr_pcalloc(p, sizeof(*res));
    err = qp_link_make_template(&res->link, p, url, sample, words->nelts - 1,
                                (const char *const *)words->elts + 1);
    if (err) {
        return err;
    }
    if (templated) {
        res->nparts = parts->nelts;
        res->parts = apr_pmemdup(p, parts->elts,
                                 sizeof(qp_url_part) * (apr_size_t)parts->nelts);
    }
    else if (interned) {
        apr_hash_set(interned, apr_pstrdup(apr_hash_pool_get(interned), text),
                     APR_HASH_KEY_STRING, res);
    }
    *pres = res;
    return NULL;
}

/* Removes a comment: '#' at the start or after white space, outside quotes. */
static char *qp_strip_comment(char *line)
{
    char *s;
    int quoted = 0;

    for (s = line; *s; ++s) {
        if (quoted && *s == '\\' && s[1]) {
            ++s;    /* \" or \\ in a quoted 'when' expression */
        }
        else if (*s == '"' && (quoted || s == line || s[-1] != '\\')) {
            quoted = !quoted;
        }
        else if (*s == '#' && !quoted && (s == line || apr_isspace(s[-1]))) {
            *s = '\0';
            break;
        }
    }
    return line;
}

/* Finds the keyword "when" outside quotes, as a word of its own. */
static char *qp_find_when(char *s)
{
    char *c;
    int quoted = 0;

    for (c = s; *c; ++c) {
        if (*c == '"') {
            quoted = !quoted;
        }
        else if (!quoted && !strncmp(c, "when", 4) && c > s && apr_isspace(c[-1])
                 && (apr_isspace(c[4]) || c[4] == '"' || c[4] == '\0')) {
            return c;
        }
    }
    return NULL;
}

static const char *qp_condition(const char **pcond, apr_pool_t *p,
                                const char *s)
{
    char *out, *o;

    while (apr_isspace(*s)) {
        ++s;
    }
    if (*s != '"') {
        return apr_psprintf(p, "expected a quoted expression after 'when', "
                            "found '%s'", *s ? s : "(end of line)");
    }
    o = out = apr_palloc(p, strlen(s) + 1);
    for (++s; *s && *s != '"'; ++s) {
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
            ++s;
        }
        *o++ = *s;
    }
    if (*s != '"') {
        return "unterminated quote in the 'when' expression";
    }
    *o = '\0';
    for (++s; apr_isspace(*s); ++s) {
    }
    if (*s) {
        return apr_psprintf(p, "unexpected text '%s' after the 'when' "
                            "expression", s);
    }
    if (!*out) {
        return "empty 'when' expression";
    }
    *pcond = out;
    return NULL;
}

static const char *qp_route_parse(qp_route **proute, apr_pool_t *p,
                                  apr_pool_t *ptemp, const char *text,
                                  const char *origin, apr_hash_t *interned)
{
    char *line, *s, *rest, *when, *piece;
    const char *err;
    qp_route *route;
    apr_array_header_t *resources;
    apr_size_t len;
    int depth = 0, quoted = 0;

    *proute = NULL;
    if (strlen(text) > QP_MAX_LINE) {
        return apr_psprintf(p, "line of %" APR_SIZE_T_FMT " bytes is too "
                            "long (at most %d)", strlen(text), QP_MAX_LINE);
    }
    line = qp_strip_comment(apr_pstrdup(ptemp, text));
    while (apr_isspace(*line)) {
        ++line;
    }
    len = strlen(line);
    while (len && apr_isspace(line[len - 1])) {
        line[--len] = '\0';
    }
    if (!*line) {
        return NULL;
    }
    /* the route: up to white space outside <...> */
    for (s = line; *s && (depth || !apr_isspace(*s)); ++s) {
        if (*s == '<') {
            ++depth;
        }
        else if (*s == '>' && depth) {
            --depth;
        }
        else if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return apr_psprintf(p, "route '%.*s' has a control character",
                                (int)(s - line), line);
        }
    }
    route = apr_pcalloc(p, sizeof(*route));
    route->pattern = apr_pstrmemdup(p, line, (apr_size_t)(s - line));
    route->origin = origin;
    if ((err = qp_route_pattern(route, p, ptemp, route->pattern)) != NULL) {
        return err;
    }
    while (apr_isspace(*s)) {
        ++s;
    }
    if (strncmp(s, "=>", 2)) {
        return apr_psprintf(p, "expected '=>' after the route '%s', found "
                            "'%s'", route->pattern, *s ? s : "(end of line)");
    }
    rest = s + 2;
    if ((when = qp_find_when(rest)) != NULL) {
        if ((err = qp_condition(&route->condition, p, when + 4)) != NULL) {
            return err;
        }
        *when = '\0';
    }
    resources = apr_array_make(ptemp, 4, sizeof(qp_resource *));
    /* resources: split on commas outside quotes */
    piece = rest;
    for (s = rest; ; ++s) {
        if (*s == '"') {
            quoted = !quoted;
        }
        if ((*s == ',' && !quoted) || *s == '\0') {
            char *a = piece, *b = s;
            int last = (*s == '\0');
            qp_resource *res = NULL;

            while (a < b && apr_isspace(*a)) {
                ++a;
            }
            while (b > a && apr_isspace(b[-1])) {
                --b;
            }
            if (a == b) {
                if (last && resources->nelts == 0 && piece == rest) {
                    return apr_psprintf(p, "route '%s' has no resources after "
                                        "'=>' (expected URLs separated by "
                                        "commas)", route->pattern);
                }
                return apr_psprintf(p, "route '%s' has an empty resource "
                                    "(two commas, or one at the end)",
                                    route->pattern);
            }
            *b = '\0';
            if ((err = qp_resource_parse(&res, p, ptemp, route, a, interned)) != NULL) {
                return err;
            }
            APR_ARRAY_PUSH(resources, qp_resource *) = res;
            if (last) {
                break;
            }
            piece = s + 1;
        }
    }
    route->resources = apr_array_make(p, resources->nelts, sizeof(qp_resource *));
    apr_array_cat(route->resources, resources);
    *proute = route;
    return NULL;
}

const char *qp_route_parse_line(qp_route **proute, apr_pool_t *p,
                                const char *line, const char *origin)
{
    apr_pool_t *ptemp;
    const char *err;

    apr_pool_create(&ptemp, p);
    err = qp_route_parse(proute, p, ptemp, line, origin, NULL);
    apr_pool_destroy(ptemp);
    return err;
}

struct qp_routes_reader {
    apr_pool_t *pool;               /* the routes' */
    apr_pool_t *scratch;            /* one line's, cleared after it */
    apr_pool_t *lookup;             /* the interning table's */
    apr_hash_t *interned;           /* resources shared by routes */
    apr_array_header_t *routes;
    const char *name;
};

qp_routes_reader *qp_routes_reader_make(apr_pool_t *p,
                                        apr_array_header_t *routes,
                                        const char *name)
{
    qp_routes_reader *rd = apr_pcalloc(p, sizeof(*rd));

    rd->pool = p;
    rd->routes = routes;
    rd->name = name;
    apr_pool_create(&rd->scratch, p);
    apr_pool_create(&rd->lookup, p);
    rd->interned = apr_hash_make(rd->lookup);
    return rd;
}

const char *qp_routes_reader_line(qp_routes_reader *rd, const char *line,
                                  int lineno)
{
    qp_route *route;
    const char *err;

    if (strlen(line) > QP_MAX_LINE) {
        return qp_routes_reader_too_long(rd, lineno);
    }
    err = qp_route_parse(&route, rd->pool, rd->scratch, line,
                         apr_psprintf(rd->pool, "%s:%d", rd->name, lineno),
                         rd->interned);
    apr_pool_clear(rd->scratch);
    if (err) {
        return apr_psprintf(rd->pool, "%s:%d: %s", rd->name, lineno, err);
    }
    if (route) {
        APR_ARRAY_PUSH(rd->routes, qp_route *) = route;
    }
    return NULL;
}

const char *qp_routes_reader_too_long(qp_routes_reader *rd, int lineno)
{
    return apr_psprintf(rd->pool, "%s:%d: line too long (at most %d bytes)",
                        rd->name, lineno, QP_MAX_LINE);
}

void qp_routes_reader_close(qp_routes_reader *rd)
{
    apr_pool_destroy(rd->scratch);
    apr_pool_destroy(rd->lookup);
}

const char *qp_routes_parse_text(apr_array_header_t *routes, apr_pool_t *p,
                                 const char *text, apr_size_t len,
                                 const char *name)
{
    qp_routes_reader *rd;
    apr_pool_t *joins;
    const char *s = text, *end = text + len, *err = NULL;
    int lineno = 0;

    if (memchr(text, '\0', len)) {
        const char *nul = memchr(text, '\0', len), *c;
        int n = 1;
        for (c = text; c < nul; ++c) {
            n += (*c == '\n');
        }
        return apr_psprintf(p, "%s:%d: a NUL byte (expected a text file)",
                            name, n);
    }
    rd = qp_routes_reader_make(p, routes, name);
    apr_pool_create(&joins, p);
    while (s < end && !err) {
        apr_size_t total = 0;
        int first = lineno + 1;
        char *joined = NULL;

        /* one logical line: physical lines ending in '\' are joined */
        for (;;) {
            const char *nl = memchr(s, '\n', (apr_size_t)(end - s));
            const char *stop = nl ? nl : end;
            apr_size_t n = (apr_size_t)(stop - s);
            int more;

            ++lineno;
            if (n && s[n - 1] == '\r') {
                --n;
            }
            more = n && s[n - 1] == '\\';
            if (more) {
                --n;
            }
            if (total + n > QP_MAX_LINE) {
                err = qp_routes_reader_too_long(rd, first);
                break;
            }
            joined = joined ? apr_pstrcat(joins, joined, " ",
                                          apr_pstrmemdup(joins, s, n), NULL)
                            : apr_pstrmemdup(joins, s, n);
            total += n + 1;
            s = nl ? nl + 1 : end;
            if (!more) {
                break;
            }
            if (s >= end) {
                err = apr_psprintf(p, "%s:%d: the last line ends with '\\' "
                                   "(expected a continuation line)", name,
                                   lineno);
                break;
            }
        }
        if (!err) {
            err = qp_routes_reader_line(rd, joined, first);
        }
        apr_pool_clear(joins);
    }
    apr_pool_destroy(joins);
    qp_routes_reader_close(rd);
    return err;
}

/* ------------------------------------------------------------------------
 * compiling
 */

/* Does route a rank before route b? More static segments first; then,
 * segment by segment, the better converter; then the longer route; then
 * the one declared first. */
static int qp_route_before(const qp_route *a, const qp_route *b)
{
    int i, n;

    if (a->nstatic != b->nstatic) {
        return a->nstatic > b->nstatic;
    }
    n = a->nsegs < b->nsegs ? a->nsegs : b->nsegs;
    for (i = 0; i < n; ++i) {
        int wa = qp_seg_weight(a->segs[i].kind);
        int wb = qp_seg_weight(b->segs[i].kind);
        if (wa != wb) {
            return wa < wb;
        }
    }
    if (a->nsegs != b->nsegs) {
        return a->nsegs > b->nsegs;
    }
    return a->order < b->order;
}

static int qp_route_cmp(const void *x, const void *y)
{
    const qp_route *a = *(const qp_route *const *)x;
    const qp_route *b = *(const qp_route *const *)y;

    return a == b ? 0 : (qp_route_before(a, b) ? -1 : 1);
}

static int qp_same_choices(const apr_array_header_t *a,
                           const apr_array_header_t *b)
{
    int i;

    if (!a || !b) {
        return a == b;
    }
    if (a->nelts != b->nelts) {
        return 0;
    }
    for (i = 0; i < a->nelts; ++i) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *),
                   APR_ARRAY_IDX(b, i, const char *))) {
            return 0;
        }
    }
    return 1;
}

static qp_node *qp_node_child(apr_pool_t *p, qp_node *node, const qp_seg *seg)
{
    qp_node *child;
    qp_edge *edge;
    int i;

    if (seg->kind == QP_SEG_STATIC) {
        qp_static *few;

        if ((child = qp_static_child(node, seg->text, seg->len)) != NULL) {
            return child;
        }
        child = apr_pcalloc(p, sizeof(*child));
        if (!node->statics && node->nfew < QP_FEW_STATICS) {
            few = apr_palloc(p, sizeof(qp_static) * (apr_size_t)(node->nfew + 1));
            if (node->nfew) {
                memcpy(few, node->few, sizeof(qp_static) * node->nfew);
            }
            few[node->nfew].text = seg->text;
            few[node->nfew].len = seg->len;
            few[node->nfew].child = child;
            node->few = few;
            node->nfew++;
            return child;
        }
        if (!node->statics) {
            node->statics = apr_hash_make(p);
            for (i = 0; i < node->nfew; ++i) {
                apr_hash_set(node->statics, node->few[i].text,
                             (apr_ssize_t)node->few[i].len, node->few[i].child);
            }
            node->few = NULL;
            node->nfew = 0;
        }
        apr_hash_set(node->statics, seg->text, (apr_ssize_t)seg->len, child);
        return child;
    }
    for (i = 0; i < (int)node->nedges; ++i) {
        edge = &node->edges[i];
        if (edge->kind == seg->kind && qp_same_choices(edge->choices, seg->choices)) {
            return edge->child;
        }
    }
    /* exactly sized while small: a node rarely has more than one or two
     * converters, and 100,000 routes make as many nodes. Past 4, the room
     * doubles, so that many any() lists at one node stay linear to build. */
    if (node->nedges < 4 || !(node->nedges & (node->nedges - 1))) {
        apr_size_t room = node->nedges < 4 ? node->nedges + 1 : 2 * node->nedges;
        edge = apr_palloc(p, sizeof(qp_edge) * room);
        if (node->nedges) {
            memcpy(edge, node->edges, sizeof(qp_edge) * (apr_size_t)node->nedges);
        }
        node->edges = edge;
    }
    edge = &node->edges[node->nedges++];
    edge->kind = seg->kind;
    edge->choices = seg->choices;
    edge->child = apr_pcalloc(p, sizeof(qp_node));
    return edge->child;
}

static int qp_edge_cmp(const void *x, const void *y)
{
    const qp_edge *a = x, *b = y;

    return qp_seg_weight(a->kind) - qp_seg_weight(b->kind);
}

/* Sorts edges by weight and records the most static segments below. */
static int qp_node_finish(qp_node *node)
{
    int best = 0, i;
    apr_hash_index_t *hi;

    if (node->end) {
        best = node->end->nstatic;
    }
    if (node->tail_path && node->tail_path->nstatic > best) {
        best = node->tail_path->nstatic;
    }
    if (node->tail_wild && node->tail_wild->nstatic > best) {
        best = node->tail_wild->nstatic;
    }
    for (i = 0; i < node->nfew; ++i) {
        int m = qp_node_finish(node->few[i].child);
        if (m > best) {
            best = m;
        }
    }
    if (node->statics) {
        for (hi = apr_hash_first(NULL, node->statics); hi; hi = apr_hash_next(hi)) {
            void *v;
            int m;
            apr_hash_this(hi, NULL, NULL, &v);
            m = qp_node_finish(v);
            if (m > best) {
                best = m;
            }
        }
    }
    /* a stable order: equal weights keep their declaration order */
    for (i = 1; i < (int)node->nedges; ++i) {
        qp_edge tmp = node->edges[i];
        int j = i - 1;
        while (j >= 0 && qp_edge_cmp(&node->edges[j], &tmp) > 0) {
            node->edges[j + 1] = node->edges[j];
            --j;
        }
        node->edges[j + 1] = tmp;
    }
    for (i = 0; i < (int)node->nedges; ++i) {
        int m = qp_node_finish(node->edges[i].child);
        if (m > best) {
            best = m;
        }
    }
    node->max_static = (apr_uint16_t)best;
    return best;
}

const char *qp_routes_compile(qp_routes **ptable, apr_pool_t *p,
                              const apr_array_header_t *routes)
{
    qp_routes *table = apr_pcalloc(p, sizeof(*table));
    int i, k;

    *ptable = NULL;
    table->root = apr_pcalloc(p, sizeof(qp_node));
    table->ranked = apr_array_make(p, routes->nelts ? routes->nelts : 1,
                                   sizeof(const qp_route *));
    for (i = 0; i < routes->nelts; ++i) {
        qp_route *route = APR_ARRAY_IDX(routes, i, qp_route *);
        qp_node *node = table->root;
        const qp_route **slot;
        qp_seg_kind last = route->segs[route->nsegs - 1].kind;
        int inner = route->nsegs;

        route->order = i;
        if (last == QP_SEG_PATH || last == QP_SEG_WILDCARD) {
            --inner;    /* the tail hangs at the node before it */
        }
        for (k = 0; k < inner; ++k) {
            node = qp_node_child(p, node, &route->segs[k]);
        }
        slot = last == QP_SEG_PATH ? &node->tail_path :
               last == QP_SEG_WILDCARD ? &node->tail_wild : &node->end;
        if (*slot) {
            const qp_route *prev = *slot;
            if (!strcmp(prev->pattern, route->pattern)) {
                return apr_psprintf(p, "%s: route '%s' is declared twice "
                                    "(first at %s)", route->origin,
                                    route->pattern, prev->origin);
            }
            return apr_psprintf(p, "%s: route '%s' has the same shape as "
                                "'%s' (%s), so it could never apply",
                                route->origin, route->pattern, prev->pattern,
                                prev->origin);
        }
        *slot = route;
        APR_ARRAY_PUSH(table->ranked, const qp_route *) = route;
    }
    qp_node_finish(table->root);
    qsort(table->ranked->elts, (size_t)table->ranked->nelts,
          sizeof(const qp_route *), qp_route_cmp);
    *ptable = table;
    return NULL;
}

const apr_array_header_t *qp_routes_ranked(const qp_routes *table)
{
    return table->ranked;
}

int qp_routes_count(const qp_routes *table)
{
    return table ? table->ranked->nelts : 0;
}

/* ------------------------------------------------------------------------
 * matching
 */

typedef struct {
    const char *seg[QP_MAX_SEGMENTS];
    apr_size_t len[QP_MAX_SEGMENTS];
    const qp_route *best;
    qp_match *m;
    int visits;
} qp_walk;

/* Values that may never be captured by a one-segment converter: empty, a
 * '.' or '..' segment, control characters, or an encoded '/' (httpd keeps
 * %2F encoded with AllowEncodedSlashes NoDecode). */
static int qp_segment_value_ok(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) {
        return 0;
    }
    for (i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return 0;
        }
        if (c == '%' && i + 2 < len && s[i + 1] == '2'
            && (s[i + 2] == 'f' || s[i + 2] == 'F')) {
            return 0;
        }
    }
    return 1;
}

/* A <path:x> value: not empty, no control characters, no '.' or '..'
 * segment, not starting with '/'. */
static int qp_path_value_ok(const char *s)
{
    const char *seg = s, *c;

    if (!*s || *s == '/') {
        return 0;
    }
    for (c = s; ; ++c) {
        if (*c == '/' || *c == '\0') {
            apr_size_t n = (apr_size_t)(c - seg);
            if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
                return 0;
            }
            if (!*c) {
                return 1;
            }
            seg = c + 1;
        }
        else if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return 0;
        }
    }
}

static int qp_edge_accepts(const qp_edge *edge, const char *s, apr_size_t len)
{
    apr_size_t i;

    if (!qp_segment_value_ok(s, len)) {
        return 0;
    }
    switch (edge->kind) {
    case QP_SEG_STRING:
        return 1;
    case QP_SEG_INT:
        if (len > 64) {
            return 0;
        }
        for (i = 0; i < len; ++i) {
            if (!apr_isdigit(s[i])) {
                return 0;
            }
        }
        return 1;
    case QP_SEG_FLOAT: {
        apr_size_t dots = 0, digits_before = 0, digits_after = 0;
        if (len > 64) {
            return 0;
        }
        for (i = 0; i < len; ++i) {
            if (s[i] == '.') {
                ++dots;
            }
            else if (!apr_isdigit(s[i])) {
                return 0;
            }
            else if (dots) {
                ++digits_after;
            }
            else {
                ++digits_before;
            }
        }
        return dots == 1 && digits_before && digits_after;
    }
    case QP_SEG_UUID:
        if (len != 36) {
            return 0;
        }
        for (i = 0; i < len; ++i) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (s[i] != '-') {
                    return 0;
                }
            }
            else if (!apr_isxdigit(s[i])) {
                return 0;
            }
        }
        return 1;
    case QP_SEG_ANY: {
        int k;
        for (k = 0; k < edge->choices->nelts; ++k) {
            const char *c = APR_ARRAY_IDX(edge->choices, k, const char *);
            if (strlen(c) == len && !memcmp(c, s, len)) {
                return 1;
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

static void qp_consider(qp_walk *w, const qp_route *route)
{
    int i;

    if (w->best && !qp_route_before(route, w->best)) {
        return;
    }
    w->best = route;
    w->m->route = route;
    for (i = 0; i < route->nvars; ++i) {
        w->m->value[i] = w->seg[route->var_seg[i]];
        w->m->len[i] = w->len[route->var_seg[i]];
    }
}

static void qp_walk_node(qp_walk *w, const qp_node *node, const char *s,
                         int depth)
{
    const char *end;
    apr_size_t len;
    int last, i;

    if (depth >= QP_MAX_SEGMENTS) {
        return;     /* no route is that long: nothing is missed */
    }
    if (++w->visits > QP_MAX_VISITS) {
        w->m->gave_up = 1;      /* the caller says so: nothing silent */
        return;
    }
    if (w->best && node->max_static < w->best->nstatic) {
        return;     /* nothing below can rank before what was found */
    }
    if (node->tail_path || node->tail_wild) {
        w->seg[depth] = s;
        w->len[depth] = strlen(s);
        if (node->tail_wild) {
            qp_consider(w, node->tail_wild);
        }
        if (node->tail_path && qp_path_value_ok(s)) {
            qp_consider(w, node->tail_path);
        }
    }
    end = s + strcspn(s, "/");
    len = (apr_size_t)(end - s);
    last = (*end == '\0');
    w->seg[depth] = s;
    w->len[depth] = len;
    if (node->nfew || node->statics) {
        const qp_node *child = qp_static_child(node, s, len);
        if (child) {
            if (last) {
                if (child->end) {
                    qp_consider(w, child->end);
                }
            }
            else {
                qp_walk_node(w, child, end + 1, depth + 1);
            }
        }
    }
    {
        for (i = 0; i < (int)node->nedges; ++i) {
            const qp_edge *edge = &node->edges[i];
            if (!qp_edge_accepts(edge, s, len)) {
                continue;
            }
            /* the walk below may have overwritten this depth's entry */
            w->seg[depth] = s;
            w->len[depth] = len;
            if (last) {
                if (edge->child->end) {
                    qp_consider(w, edge->child->end);
                }
            }
            else {
                qp_walk_node(w, edge->child, end + 1, depth + 1);
            }
        }
    }
}

const qp_route *qp_routes_match(const qp_routes *table, const char *path,
                                qp_match *m)
{
    qp_walk w;

    m->route = NULL;
    m->gave_up = 0;
    if (!table || !path || path[0] != '/') {
        return NULL;
    }
    w.best = NULL;
    w.m = m;
    w.visits = 0;
    qp_walk_node(&w, table->root, path + 1, 0);
    return w.best;
}

/* ------------------------------------------------------------------------
 * resource URLs
 */

static const char qp_hex[] = "0123456789ABCDEF";

const char *qp_resource_url(apr_pool_t *p, const qp_resource *res,
                            const qp_match *m)
{
    apr_size_t n = 0;
    char *out, *o;
    int i;

    if (!res->parts) {
        return res->link->url;
    }
    for (i = 0; i < res->nparts; ++i) {
        const qp_url_part *part = &res->parts[i];
        n += part->var < 0 ? part->len : 3 * m->len[part->var];
    }
    o = out = apr_palloc(p, n + 1);
    for (i = 0; i < res->nparts; ++i) {
        const qp_url_part *part = &res->parts[i];
        const qp_seg *seg;
        apr_size_t k, len;
        const char *v;
        int keep_slash;

        if (part->var < 0) {
            memcpy(o, res->link->url + part->offset, part->len);
            o += part->len;
            continue;
        }
        v = m->value[part->var];
        len = m->len[part->var];
        seg = &m->route->segs[m->route->var_seg[part->var]];
        keep_slash = seg->kind == QP_SEG_PATH || seg->kind == QP_SEG_WILDCARD;
        for (k = 0; k < len; ++k) {
            unsigned char c = (unsigned char)v[k];
            if (apr_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
                || (c == '/' && keep_slash)) {
                *o++ = (char)c;
            }
            else {
                *o++ = '%';
                *o++ = qp_hex[c >> 4];
                *o++ = qp_hex[c & 15];
            }
        }
    }
    *o = '\0';
    return out;
}

const char *qp_resource_header_for_url(apr_pool_t *p, const qp_resource *res,
                                       const char *url)
{
    if (!res->parts) {
        return res->link->header;
    }
    return apr_pstrcat(p, "<", url, ">", res->link->suffix, NULL);
}

const char *qp_resource_header(apr_pool_t *p, const qp_resource *res,
                               const qp_match *m)
{
    return qp_resource_header_for_url(p, res, qp_resource_url(p, res, m));
}
