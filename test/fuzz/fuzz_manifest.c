/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: asset manifests. The first byte picks the format, the
 * base and the settings (format = byte % 3: vite, flat, entrypoints; base =
 * byte / 3 % 3: "/build/", none, "/a"; css-crossorigin= = byte / 9 % 4:
 * the format's, none, anonymous, use-credentials; scripts= = byte / 36 % 3:
 * the format's, classic, module, not for vite), the rest is the JSON.
 * Whatever the input,
 * qp_manifest_parse refuses it with a message or compiles it, and then
 * every key either expands or is refused with a message. What it
 * compiles is JSON that jansson reads whole, with the same keys in the
 * same order (vite and flat manifests are read key by key). An expansion:
 *   - has at most QP_MANIFEST_MAX_FILES files, each URL once, each passing
 *     qp_url_check and making a link;
 *   - is exactly what a plain recursive reading of the same JSON gives,
 *     written after Vite's html.ts (imports followed, each chunk once and
 *     after its own imports, their CSS in the same order, the key's CSS
 *     last): so a file reached only through dynamicImports, or through an
 *     "assets" list, never appears;
 *   - for flat and entrypoints, is the key's path(s) in the file's order;
 *   - follows the settings: a stylesheet has css-crossorigin='s mode, or
 *     the format's (vite anonymous, others none); a module or modulepreload
 *     has crossorigin and a browser gets it as rel=modulepreload; with
 *     scripts=module no classic script is left.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_manifest.h"

static apr_pool_t *root_pool;

/* The reference: URLs in the order the page loads them, duplicates kept
 * (the expansion drops a URL seen before, and so does the comparison). */
typedef struct {
    apr_array_header_t *urls;
    const char *base;
    apr_pool_t *p;
} ref_t;

static void ref_add(ref_t *r, const char *path)
{
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
    }
    APR_ARRAY_PUSH(r->urls, const char *) =
        apr_pstrcat(r->p, path[0] == '/' ? "" : r->base, path, NULL);
}

static void ref_add_list(ref_t *r, const json_t *list)
{
    size_t i;
    const json_t *s;

    if (json_is_string(list)) {
        ref_add(r, json_string_value(list));
        return;
    }
    json_array_foreach(list, i, s) {
        ref_add(r, json_string_value(s));
    }
}

/* html.ts's getImportedChunks: post-order, each chunk once. Called only
 * when the expansion succeeded, so there is no cycle and the depth is at
 * most QP_MANIFEST_MAX_DEPTH. */
static void ref_imported(const json_t *m, const json_t *chunk, apr_hash_t *seen,
                         apr_array_header_t *out)
{
    size_t i;
    const json_t *k;

    json_array_foreach(json_object_get(chunk, "imports"), i, k) {
        const char *key = json_string_value(k);
        if (!apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
            ref_imported(m, json_object_get(m, key), seen, out);
            APR_ARRAY_PUSH(out, const json_t *) = json_object_get(m, key);
        }
    }
}

/* html.ts's getCssFilesForChunk: the imports' CSS, then the chunk's. */
static void ref_css(ref_t *r, const json_t *m, const json_t *chunk,
                    apr_hash_t *seen)
{
    size_t i;
    const json_t *k;

    json_array_foreach(json_object_get(chunk, "imports"), i, k) {
        const char *key = json_string_value(k);
        if (!apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
            ref_css(r, m, json_object_get(m, key), seen);
        }
    }
    ref_add_list(r, json_object_get(chunk, "css"));
}

static void ref_vite(ref_t *r, const json_t *m, const char *key)
{
    const json_t *entry = json_object_get(m, key);
    apr_array_header_t *chunks = apr_array_make(r->p, 8, sizeof(const json_t *));
    apr_hash_t *seen = apr_hash_make(r->p);
    int i;

    ref_add(r, json_string_value(json_object_get(entry, "file")));
    ref_imported(m, entry, seen, chunks);
    for (i = 0; i < chunks->nelts; ++i) {
        ref_add(r, json_string_value(json_object_get(
            APR_ARRAY_IDX(chunks, i, const json_t *), "file")));
    }
    seen = apr_hash_make(r->p);
    apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
    ref_css(r, m, entry, seen);
}

static void ref_other(ref_t *r, const json_t *m, qp_manifest_format_e fmt,
                      const char *key)
{
    const json_t *v;

    if (fmt == QP_MANIFEST_FLAT) {
        v = json_object_get(m, key);
        ref_add(r, json_string_value(json_is_object(v) ?
                                     json_object_get(v, "digested_path") : v));
        return;
    }
    v = json_object_get(json_object_get(m, "entrypoints"), key);
    if (json_object_get(v, "assets")) {
        v = json_object_get(v, "assets");
    }
    ref_add_list(r, json_object_get(v, "js"));
    ref_add_list(r, json_object_get(v, "css"));
}

static void check_key(apr_pool_t *p, const qp_manifest_t *m, const json_t *json,
                      qp_manifest_format_e fmt, const qp_manifest_options *o,
                      const char *key)
{
    const apr_array_header_t *files;
    apr_hash_t *urls = apr_hash_make(p);
    ref_t ref;
    int i, j;

    if (qp_manifest_expand(&files, m, key, p)) {
        if (files) {
            abort();
        }
        return;
    }
    if (!files || files->nelts > QP_MANIFEST_MAX_FILES) {
        abort();
    }
    for (i = 0; i < files->nelts; ++i) {
        const qp_manifest_file *f = APR_ARRAY_IDX(files, i, const qp_manifest_file *);
        qp_link *link;
        const char *hint;

        if (qp_url_check(p, f->url) || strlen(f->url) > QP_MANIFEST_MAX_URL
            || apr_hash_get(urls, f->url, APR_HASH_KEY_STRING)) {
            abort();
        }
        apr_hash_set(urls, f->url, APR_HASH_KEY_STRING, f);
        if (qp_manifest_file_link(&link, p, f, 0, NULL) || !link
            || strcmp(link->url, f->url)) {
            abort();
        }
        hint = qp_manifest_hint_header(p, f, link);
        if (strncmp(hint, apr_pstrcat(p, "<", f->url, ">; rel=", NULL),
                    strlen(f->url) + 8)) {
            abort();
        }
        switch (f->kind) {
        case QP_MANIFEST_STYLESHEET:
            if ((int)f->crossorigin != (o->css_crossorigin >= 0 ?
                                        o->css_crossorigin :
                                        fmt == QP_MANIFEST_VITE ?
                                        QP_CROSSORIGIN_ANONYMOUS :
                                        QP_CROSSORIGIN_NONE)) {
                abort();
            }
            break;
        case QP_MANIFEST_MODULE:
        case QP_MANIFEST_MODULEPRELOAD:
            if (f->crossorigin != QP_CROSSORIGIN_ANONYMOUS
                || strcmp(hint, apr_pstrcat(p, "<", f->url, ">; rel=modulepreload; "
                                            "crossorigin", NULL))
                || strcmp(link->header, apr_pstrcat(p, "<", f->url, ">; rel=preload; "
                                                    "as=script; crossorigin", NULL))) {
                abort();
            }
            break;
        case QP_MANIFEST_SCRIPT:
            if (o->scripts == QP_MANIFEST_SCRIPTS_MODULE) {
                abort();
            }
            break;
        default:
            break;
        }
    }
    ref.urls = apr_array_make(p, 16, sizeof(const char *));
    ref.base = qp_manifest_base(m);
    ref.p = p;
    if (fmt == QP_MANIFEST_VITE) {
        ref_vite(&ref, json, key);
    }
    else {
        ref_other(&ref, json, fmt, key);
    }
    /* the same URLs in the same order, once each */
    urls = apr_hash_make(p);
    for (i = j = 0; i < ref.urls->nelts; ++i) {
        const char *u = APR_ARRAY_IDX(ref.urls, i, const char *);
        if (apr_hash_get(urls, u, APR_HASH_KEY_STRING)) {
            continue;
        }
        apr_hash_set(urls, u, APR_HASH_KEY_STRING, u);
        if (j >= files->nelts
            || strcmp(u, APR_ARRAY_IDX(files, j, const qp_manifest_file *)->url)) {
            abort();
        }
        ++j;
    }
    if (j != files->nelts) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const bases[] = { "/build/", NULL, "/a" };
    apr_pool_t *p;
    qp_manifest_t *m;
    qp_manifest_format_e fmt;
    qp_manifest_options o;
    json_t *json;
    const char *err, *text;
    int i;

    if (size < 1) {
        return 0;
    }
    if (!root_pool) {
        apr_initialize();
        apr_pool_create(&root_pool, NULL);
    }
    apr_pool_create(&p, root_pool);
    fmt = (qp_manifest_format_e)(data[0] % 3);
    qp_manifest_options_init(&o);
    o.css_crossorigin = data[0] / 9 % 4 - 1;
    if (fmt != QP_MANIFEST_VITE) {
        o.scripts = (qp_manifest_scripts_e)(data[0] / 36 % 3);
    }
    text = apr_pstrmemdup(p, (const char *)data + 1, size - 1);
    err = qp_manifest_parse(&m, p, fmt, text, size - 1, bases[data[0] / 3 % 3],
                            &o);
    if (err) {
        if (m || !*err) {
            abort();
        }
    }
    else {
        json = json_loadb(text, size - 1, JSON_REJECT_DUPLICATES, NULL);
        if (!json) {
            abort();
        }
        /* read key by key (vite, flat): every key of the file, in its
         * order, as jansson reads the whole of it */
        if (fmt != QP_MANIFEST_ENTRYPOINTS) {
            const char *k;
            json_t *v;
            i = 0;
            if (!json_is_object(json)
                || (size_t)qp_manifest_count(m) != json_object_size(json)) {
                abort();
            }
            json_object_foreach(json, k, v) {
                if (strcmp(k, qp_manifest_key(m, i++))) {
                    abort();
                }
            }
        }
        for (i = 0; i < qp_manifest_count(m); ++i) {
            check_key(p, m, json, fmt, &o, qp_manifest_key(m, i));
        }
        check_key(p, m, json, fmt, &o, "no such key");
        json_decref(json);
    }
    apr_pool_destroy(p);
    return 0;
}
