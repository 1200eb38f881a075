/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the matcher. A fixed table, with every converter,
 * static segments, tails, any(), overlapping routes and URL templates, is
 * compiled once. Each input gives two request paths: the input itself (a
 * "/" is put before it when missing; it ends at a NUL, as r->uri does), and
 * a path shaped like a route of the table (shaped_path). Whatever the path:
 * - the route found is the one the reference finds, with the same values:
 *   every route tried on its own, the best of those that accept the path
 *   kept by the rules of docs/routes.md (qp_ref_match.h), in an order of
 *   its own, not the library's ranking;
 * - captured values lie inside the path;
 * - every resource URL built from them passes qp_url_check, and its Link
 *   header has no control characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_routes.h"
#include "qp_ref_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char qp_fuzz_table[] =
    "/ => /static/site.css, /static/app.js\n"
    "/index.html => /static/site.css\n"
    "/about => /static/about.css as=style critical\n"
    "/blog/<slug> => /img/blog/<slug>.png, /static/site.css\n"
    "/blog/new => /static/editor.js\n"
    "/blog/<int:id> => /api/posts/<id>.json\n"
    "/blog/<int:year>/<int:month>/<slug> => /img/<year>/<month>/<slug>.jpg\n"
    "/blog/<int:year>/<any(jan,feb,mar):month>/<title> => "
    "/img/<year>-<month>/<title>.webp media=\"(min-width: 600px)\"\n"
    "/u/<uuid:id> => /api/users/<id>.json\n"
    "/u/<uuid:id>/avatar => /img/avatars/<id>.webp nopush\n"
    "/u/<name> => /users/<name>.css\n"
    "/price/<float:amount> => /fmt/<amount>.js\n"
    "/price/<int:amount> => /fmt/int-<amount>.js\n"
    "/price/<any(0,1,1.5,free):amount> => /fmt/special-<amount>.js\n"
    "/files/<path:p> => /raw/<p>, /raw/<p>.sig as=fetch\n"
    "/files/special/<name> => /raw/special/<name>.txt\n"
    "/files/* => /never.css\n"
    "/static/* => /static/site.css\n"
    "/static/<path:f> => /s/<f>?v=<f>\n"
    "/<a>/x/y => /xy/<a>.css\n"
    "/p/<b>/<c> => /pbc/<b>/<c>.css\n"
    "/shop/<any(books,music, films):cat>/<int:id> => "
    "/img/<cat>/<id>.png?size=<id>\n"
    "/shop/<any(books,games):cat>/<slug> => /shop/<cat>/<slug>.css\n"
    "/shop/<cat>/<float:v> => /shop/<cat>/v<v>.js\n"
    "/search/<q> => /search.json?q=<q>&again=<q>\n"
    "/a/<x>/b/<y>/c/<path:rest> => /deep/<x>/<y>/<rest>\n"
    "/a/<x>/b/* => /deep/<x>.css\n"
    "/<lang>/docs/<path:page> => /docs/<lang>/<page>.html\n"
    "/<lang>/<int:n> => /n/<lang>/<n>.json\n"
    "/<lang>/<float:n> => /f/<lang>/<n>.json\n"
    "/<lang>/<uuid:n> => /u/<lang>/<n>.json\n"
    "/caf%C3%A9/<x> => /c/<x>.css\n"
    "/sp%20ace/<int:n> => /sp/<n>.css\n"
    "/d/<int:a>/<float:b>/<uuid:c>/<any(x,y):d>/<e>/<path:f> => "
    "/all/<a>/<b>/<c>/<d>/<e>/<f>\n"
    "/t/<int:n>/* => /t/<n>.css\n"
    "/t/<int:n>/<path:rest> => /t/<n>/<rest>.js\n"
    "/t/<s>/* => /t/s-<s>.css\n"
    "/when/<w> => /w/<w>.js when \"%{HTTPS} == 'on'\"\n"
    "/<a>/<b>/<c>/<d>/<e> => /five/<a><b><c><d><e>.css\n"
    "/<path:anything> => /fallback/<anything>\n"
    "/* => /fallback.css\n";

static apr_pool_t *root;
static apr_array_header_t *routes;     /* in declaration order */
static qp_routes *table;
static apr_array_header_t *words;      /* const char *, see shaped_path */

/* Values of each converter, and values no converter takes. */
static const char *const qp_fuzz_samples[] = {
    "hello", "7", "2024", "0", "1.5", "123e4567-e89b-12d3-a456-426614174000",
    "", ".", "..", "a%2Fb", "a b", "x/y"
};

static void add_word(const char *w)
{
    int i;

    for (i = 0; i < words->nelts; ++i) {
        if (!strcmp(APR_ARRAY_IDX(words, i, const char *), w)) {
            return;
        }
    }
    APR_ARRAY_PUSH(words, const char *) = w;
}

/* Every static text and any() choice of the table, and the samples. */
static void collect_words(void)
{
    size_t k;
    int i, j, c;

    words = apr_array_make(root, 64, sizeof(const char *));
    for (k = 0; k < sizeof(qp_fuzz_samples) / sizeof(qp_fuzz_samples[0]); ++k) {
        add_word(qp_fuzz_samples[k]);
    }
    for (i = 0; i < routes->nelts; ++i) {
        const qp_route *r = APR_ARRAY_IDX(routes, i, const qp_route *);
        for (j = 0; j < r->nsegs; ++j) {
            const qp_seg *seg = &r->segs[j];
            if (seg->kind == QP_SEG_STATIC) {
                add_word(apr_pstrmemdup(root, seg->text, seg->len));
            }
            else if (seg->kind == QP_SEG_ANY) {
                for (c = 0; c < seg->choices->nelts; ++c) {
                    add_word(APR_ARRAY_IDX(seg->choices, c, const char *));
                }
            }
        }
    }
}

/* Ranking decides only where two routes accept the same path, and the
 * raw input seldom finds such a path: coverage does not tell /shop/books/1.5
 * from /shop/books/x. So the first byte picks a route of the table and each
 * next byte the value of one of its converter segments: below 128 a value
 * of the segment's own kind, else any word of the table (a static text, an
 * any() choice, a sample), which may fit another route too. Static
 * segments keep their text. */
static const char *shaped_path(apr_pool_t *p, const uint8_t *data,
                               size_t size)
{
    const qp_route *r;
    const char *path = "";
    size_t k = 1;
    int i;

    if (size == 0) {
        return NULL;
    }
    r = APR_ARRAY_IDX(routes, data[0] % routes->nelts, const qp_route *);
    for (i = 0; i < r->nsegs; ++i) {
        const qp_seg *seg = &r->segs[i];
        unsigned b;
        const char *v;

        if (seg->kind == QP_SEG_STATIC) {
            path = apr_pstrcat(p, path, "/",
                               apr_pstrmemdup(p, seg->text, seg->len), NULL);
            continue;
        }
        b = k < size ? data[k++] : 0;
        if (b >= 128) {
            v = APR_ARRAY_IDX(words, (int)(b - 128) % words->nelts,
                              const char *);
        }
        else {
            switch (seg->kind) {
            case QP_SEG_INT:      v = b & 1 ? "7" : "2024"; break;
            case QP_SEG_FLOAT:    v = "1.5"; break;
            case QP_SEG_UUID:     v = qp_fuzz_samples[5]; break;
            case QP_SEG_ANY:
                v = APR_ARRAY_IDX(seg->choices, (int)b % seg->choices->nelts,
                                  const char *);
                break;
            case QP_SEG_STRING:   v = "hello"; break;
            case QP_SEG_PATH:     v = b & 1 ? "x/y" : "hello"; break;
            default:              v = b & 1 ? "x/y" : ""; break;
            }
        }
        path = apr_pstrcat(p, path, "/", v, NULL);
    }
    return path;
}

static void setup(void)
{
    const char *err;

    apr_initialize();
    apr_pool_create(&root, NULL);
    if ((err = ref_check_docs(root)) != NULL) {
        /* a mistake in the reference, not a finding */
        fprintf(stderr, "fuzz_match: the reference ranks this table unlike "
                "docs/routes.md:\n%s", err);
        exit(2);
    }
    routes = apr_array_make(root, 64, sizeof(qp_route *));
    err = qp_routes_parse_text(routes, root, qp_fuzz_table,
                               sizeof(qp_fuzz_table) - 1, "fuzz-table");
    if (!err) {
        err = qp_routes_compile(&table, root, routes);
    }
    if (err) {
        /* a mistake in the table above, not a finding */
        fprintf(stderr, "fuzz_match: the fixed table is refused: %s\n", err);
        exit(2);
    }
    collect_words();
}

/* The invariants above, for one path. */
static void check_path(apr_pool_t *p, const char *path)
{
    const char *end = path + strlen(path), *h;
    qp_match m, want;
    const qp_route *got;
    int i;

    got = qp_routes_match(table, path, &m);
    /* a match that gave up (QP_MAX_VISITS) says so: only one that did
     * not must agree with the reference */
    if (!m.gave_up
        && !ref_same_match(got, &m, ref_match(routes, path, &want), &want)) {
        fprintf(stderr, "fuzz_match: mismatch for path '%s': qp_routes_match "
                "gives %s, the reference %s\n", path,
                got ? got->pattern : "no route",
                want.route ? want.route->pattern : "no route");
        abort();
    }
    if (got) {
        for (i = 0; i < got->nvars; ++i) {
            if (m.value[i] < path || m.value[i] > end
                || m.len[i] > (size_t)(end - m.value[i])) {
                abort();
            }
        }
        for (i = 0; i < got->resources->nelts; ++i) {
            const qp_resource *res = APR_ARRAY_IDX(got->resources, i,
                                                   const qp_resource *);
            const char *url = qp_resource_url(p, res, &m);

            if (qp_url_check(p, url) != NULL) {
                abort();
            }
            for (h = qp_resource_header(p, res, &m); *h; ++h) {
                if ((unsigned char)*h < 0x20 || *h == 0x7f) {
                    abort();
                }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *path;

    if (!root) {
        setup();
    }
    apr_pool_create(&p, root);
    path = apr_pstrmemdup(p, (const char *)data, size);     /* up to a NUL */
    if (path[0] != '/') {
        path = apr_pstrcat(p, "/", path, NULL);
    }
    check_path(p, path);
    if ((path = shaped_path(p, data, size)) != NULL) {
        check_path(p, path);
    }
    apr_pool_destroy(p);
    return 0;
}
