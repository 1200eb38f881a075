/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_manifest.c: what each key of a build tool's
 * manifest expands to, in which order and with which tags, and the message
 * for each mistake a manifest or a configuration can hold.
 * The manifests are shaped like the tools' own output, and one is a real
 * Vite 5.4 build checked against its built HTML: Vite 5/6's
 * .vite/manifest.json, webpack-manifest-plugin 5, Propshaft before and
 * after 1.1, Webpack Encore 4's entrypoints.json, webpack-assets-manifest 5.
 */
#include <stdlib.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_manifest.h"
#include "qp_tap.h"

static apr_pool_t *pool;

static const char *const kind_names[] = {
    "module", "modulepreload", "stylesheet", "script", "asset"
};

/* One line per file: "KIND URL [as=AS] [crossorigin]", or "error: MSG". */
static const char *expand(const qp_manifest_t *m, const char *key)
{
    const apr_array_header_t *files;
    const char *err, *out = "";
    int i;

    if (!m) {
        return "no manifest";
    }
    if ((err = qp_manifest_expand(&files, m, key, pool)) != NULL) {
        return apr_pstrcat(pool, "error: ", err, NULL);
    }
    for (i = 0; i < files->nelts; ++i) {
        const qp_manifest_file *f = APR_ARRAY_IDX(files, i, const qp_manifest_file *);
        out = apr_psprintf(pool, "%s%s%s %s%s%s%s", out, i ? "\n" : "",
                           kind_names[f->kind], f->url, f->as ? " as=" : "",
                           f->as ? f->as : "",
                           f->crossorigin == QP_CROSSORIGIN_ANONYMOUS ?
                               " crossorigin" :
                           f->crossorigin == QP_CROSSORIGIN_USE_CREDENTIALS ?
                               " crossorigin=use-credentials" : "");
    }
    return out;
}

/* The settings of words (a QuartPushManifest line's), or "error: MSG". */
static const char *options(qp_manifest_options *o, qp_manifest_format_e fmt,
                           int n, const char *const *words)
{
    const char *err;
    int i;

    qp_manifest_options_init(o);
    for (i = 0; i < n; ++i) {
        if (!qp_manifest_option_parse(o, &err, pool, fmt, words[i])) {
            return apr_pstrcat(pool, "not a setting: ", words[i], NULL);
        }
        if (err) {
            return apr_pstrcat(pool, "error: ", err, NULL);
        }
    }
    err = qp_manifest_options_str(pool, o);
    return err ? err : "";
}

/* The expansion of key in json, with the settings words. */
static const char *parse_expand_with(qp_manifest_format_e fmt, const char *json,
                                     const char *base, const char *key, int n,
                                     const char *const *words)
{
    qp_manifest_options o;
    qp_manifest_t *m;
    const char *err = options(&o, fmt, n, words);

    if (!strncmp(err, "error: ", 7) || !strncmp(err, "not a setting: ", 15)) {
        return err;
    }
    err = qp_manifest_parse(&m, pool, fmt, json, strlen(json), base, &o);
    return err ? apr_pstrcat(pool, "parse error: ", err, NULL) : expand(m, key);
}

static const char *parse(qp_manifest_t **pm, qp_manifest_format_e fmt,
                         const char *json, const char *base)
{
    return qp_manifest_parse(pm, pool, fmt, json, strlen(json), base, NULL);
}

/* The expansion of key in json, or the parse error. */
static const char *parse_expand(qp_manifest_format_e fmt, const char *json,
                                const char *base, const char *key)
{
    qp_manifest_t *m;
    const char *err = parse(&m, fmt, json, base);

    return err ? apr_pstrcat(pool, "parse error: ", err, NULL) : expand(m, key);
}

/* Two entries sharing a chunk that has its own CSS and imports a vendor
 * chunk; a dynamic import with its own CSS that must never appear; a CSS
 * entry (Laravel's resources/css/app.css), an HTML entry and an asset. */
static const char *vite_manifest =
    "{\n"
    "  \"_shared-B7PI925R.js\": {\n"
    "    \"file\": \"assets/shared-B7PI925R.js\",\n"
    "    \"name\": \"shared\",\n"
    "    \"imports\": [\"_vendor-Ck3xQ9aZ.js\"],\n"
    "    \"css\": [\"assets/shared-ChJ_j-JJ.css\"]\n"
    "  },\n"
    "  \"_vendor-Ck3xQ9aZ.js\": {\n"
    "    \"file\": \"assets/vendor-Ck3xQ9aZ.js\",\n"
    "    \"name\": \"vendor\"\n"
    "  },\n"
    "  \"_util-D9aa01.js\": {\n"
    "    \"file\": \"assets/util-D9aa01.js\",\n"
    "    \"name\": \"util\",\n"
    "    \"imports\": [\"_vendor-Ck3xQ9aZ.js\"],\n"
    "    \"css\": [\"assets/util-Q1xx.css\"]\n"
    "  },\n"
    "  \"src/lazy.js\": {\n"
    "    \"file\": \"assets/lazy-Bz81.js\",\n"
    "    \"name\": \"lazy\",\n"
    "    \"src\": \"src/lazy.js\",\n"
    "    \"isDynamicEntry\": true,\n"
    "    \"imports\": [\"_shared-B7PI925R.js\"],\n"
    "    \"css\": [\"assets/lazy-Lz0.css\"]\n"
    "  },\n"
    "  \"logo.svg\": {\n"
    "    \"file\": \"assets/logo-BuPIv-2h.svg\",\n"
    "    \"src\": \"logo.svg\"\n"
    "  },\n"
    "  \"src/main.js\": {\n"
    "    \"file\": \"assets/main-A1b2.js\",\n"
    "    \"name\": \"main\",\n"
    "    \"src\": \"src/main.js\",\n"
    "    \"isEntry\": true,\n"
    "    \"imports\": [\"_shared-B7PI925R.js\", \"_util-D9aa01.js\"],\n"
    "    \"dynamicImports\": [\"src/lazy.js\"],\n"
    "    \"css\": [\"assets/main-C2c3.css\"],\n"
    "    \"assets\": [\"assets/logo-BuPIv-2h.svg\"]\n"
    "  },\n"
    "  \"src/admin.js\": {\n"
    "    \"file\": \"assets/admin-E3e4.js\",\n"
    "    \"name\": \"admin\",\n"
    "    \"src\": \"src/admin.js\",\n"
    "    \"isEntry\": true,\n"
    "    \"imports\": [\"_util-D9aa01.js\", \"_shared-B7PI925R.js\"],\n"
    "    \"dynamicImports\": [\"src/lazy.js\"],\n"
    "    \"names\": [\"admin.css\"],\n"
    "    \"css\": []\n"
    "  },\n"
    "  \"index.html\": {\n"
    "    \"file\": \"assets/index-F5f6.js\",\n"
    "    \"name\": \"index\",\n"
    "    \"src\": \"index.html\",\n"
    "    \"isEntry\": true,\n"
    "    \"imports\": [\"_shared-B7PI925R.js\"]\n"
    "  },\n"
    "  \"resources/css/app.css\": {\n"
    "    \"file\": \"assets/app-G7g8.css\",\n"
    "    \"src\": \"resources/css/app.css\",\n"
    "    \"isEntry\": true\n"
    "  }\n"
    "}\n";

static void test_vite(void)
{
    qp_manifest_t *m;
    const apr_array_header_t *files;
    const qp_manifest_file *f;

    qp_tap_is_str(parse(&m, QP_MANIFEST_VITE, vite_manifest, "/build/"), NULL,
                  "vite: a manifest of Vite 5/6 compiles");
    qp_tap_ok(m && qp_manifest_count(m) == 9, "vite: one key per chunk, asset and CSS entry");
    qp_tap_is_str(m ? qp_manifest_key(m, 5) : NULL, "src/main.js",
                  "vite: keys keep the file's order");
    qp_tap_is_str(expand(m, "src/main.js"),
                  "module /build/assets/main-A1b2.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "modulepreload /build/assets/util-D9aa01.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style crossorigin\n"
                  "stylesheet /build/assets/util-Q1xx.css as=style crossorigin\n"
                  "stylesheet /build/assets/main-C2c3.css as=style crossorigin",
                  "vite: an entry as Vite's HTML loads it: its module, its "
                  "imports depth first (each after its own, each once), their "
                  "CSS, its own CSS last; no dynamic import, no asset");
    qp_tap_is_str(expand(m, "src/admin.js"),
                  "module /build/assets/admin-E3e4.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/util-D9aa01.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "stylesheet /build/assets/util-Q1xx.css as=style crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style crossorigin",
                  "vite: the second entry follows its own import order; the "
                  "shared vendor chunk comes once");
    qp_tap_is_str(expand(m, "index.html"),
                  "module /build/assets/index-F5f6.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style crossorigin",
                  "vite: an HTML entry, keyed index.html");
    qp_tap_is_str(expand(m, "resources/css/app.css"),
                  "stylesheet /build/assets/app-G7g8.css as=style crossorigin",
                  "vite: a CSS entry is one stylesheet");
    qp_tap_is_str(expand(m, "src/lazy.js"),
                  "module /build/assets/lazy-Bz81.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style crossorigin\n"
                  "stylesheet /build/assets/lazy-Lz0.css as=style crossorigin",
                  "vite: a dynamic entry named on its own expands like an entry");
    qp_tap_is_str(expand(m, "logo.svg"), "asset /build/assets/logo-BuPIv-2h.svg as=image",
                  "vite: an asset key is the file, as= from its extension");
    qp_tap_is_str(expand(m, "_vendor-Ck3xQ9aZ.js"),
                  "module /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin",
                  "vite: a chunk key named on its own");
    if (m && !qp_manifest_expand(&files, m, "src/main.js", pool)) {
        f = APR_ARRAY_IDX(files, 2, const qp_manifest_file *);
        qp_tap_ok(f->kind == QP_MANIFEST_MODULEPRELOAD && !strcmp(f->as, "script")
                  && f->crossorigin == QP_CROSSORIGIN_ANONYMOUS,
                  "vite: an imported chunk is a modulepreload, as=script, crossorigin");
        qp_tap_is_str(f->key, "_shared-B7PI925R.js", "vite: each file names its key");
    }
    else {
        qp_tap_ok(0, "vite: an imported chunk is a modulepreload, as=script, crossorigin");
        qp_tap_ok(0, "vite: each file names its key");
    }
    qp_tap_is_str(expand(m, "src/missing.js"),
                  "error: no key 'src/missing.js' in the manifest (its entries: "
                  "'src/main.js', 'src/admin.js', 'index.html', "
                  "'resources/css/app.css')",
                  "vite: an unknown key names the entries there are");
    qp_tap_is_str(qp_manifest_format_name(qp_manifest_format(m)), "vite",
                  "vite: the format's name");
    qp_tap_is_str(qp_manifest_base(m), "/build/", "vite: the base");
}

/* The manifest of a real build (Vite 5.4.21, base /build/): index.html and
 * admin.html each import shared.js and util.js (manualChunks: each its own
 * chunk, with its own CSS, both importing a vendor chunk) in opposite
 * orders; index.html dynamically imports lazy.js, which has its own CSS.
 * Note the keys Vite 5 gives the CSS of a chunk ("_shared-!~{005}~.js").
 * The expected lists are the tags of the built dist/index.html and
 * dist/admin.html, in their order. */
static const char *vite_real_manifest =
    "{\n"
    "  \"_modulepreload-polyfill-B5Qt9EMX.js\": {\n"
    "    \"file\": \"assets/modulepreload-polyfill-B5Qt9EMX.js\",\n"
    "    \"name\": \"modulepreload-polyfill\"\n"
    "  },\n"
    "  \"_shared-!~{005}~.js\": {\n"
    "    \"file\": \"assets/shared-a9zuq20O.css\",\n"
    "    \"src\": \"_shared-!~{005}~.js\"\n"
    "  },\n"
    "  \"_shared-CWAhnuwD.js\": {\n"
    "    \"file\": \"assets/shared-CWAhnuwD.js\",\n"
    "    \"name\": \"shared\",\n"
    "    \"imports\": [\n"
    "      \"_vendor-Bwrg2wtR.js\"\n"
    "    ],\n"
    "    \"css\": [\n"
    "      \"assets/shared-a9zuq20O.css\"\n"
    "    ]\n"
    "  },\n"
    "  \"_util-!~{003}~.js\": {\n"
    "    \"file\": \"assets/util-Bsh6ydRP.css\",\n"
    "    \"src\": \"_util-!~{003}~.js\"\n"
    "  },\n"
    "  \"_util-Ci3nOze3.js\": {\n"
    "    \"file\": \"assets/util-Ci3nOze3.js\",\n"
    "    \"name\": \"util\",\n"
    "    \"imports\": [\n"
    "      \"_vendor-Bwrg2wtR.js\"\n"
    "    ],\n"
    "    \"css\": [\n"
    "      \"assets/util-Bsh6ydRP.css\"\n"
    "    ]\n"
    "  },\n"
    "  \"_vendor-Bwrg2wtR.js\": {\n"
    "    \"file\": \"assets/vendor-Bwrg2wtR.js\",\n"
    "    \"name\": \"vendor\"\n"
    "  },\n"
    "  \"admin.html\": {\n"
    "    \"file\": \"assets/admin-DFX9FxL9.js\",\n"
    "    \"name\": \"admin\",\n"
    "    \"src\": \"admin.html\",\n"
    "    \"isEntry\": true,\n"
    "    \"imports\": [\n"
    "      \"_modulepreload-polyfill-B5Qt9EMX.js\",\n"
    "      \"_util-Ci3nOze3.js\",\n"
    "      \"_shared-CWAhnuwD.js\",\n"
    "      \"_vendor-Bwrg2wtR.js\"\n"
    "    ]\n"
    "  },\n"
    "  \"index.html\": {\n"
    "    \"file\": \"assets/index-DZLFd-3E.js\",\n"
    "    \"name\": \"index\",\n"
    "    \"src\": \"index.html\",\n"
    "    \"isEntry\": true,\n"
    "    \"imports\": [\n"
    "      \"_modulepreload-polyfill-B5Qt9EMX.js\",\n"
    "      \"_shared-CWAhnuwD.js\",\n"
    "      \"_util-Ci3nOze3.js\",\n"
    "      \"_vendor-Bwrg2wtR.js\"\n"
    "    ],\n"
    "    \"dynamicImports\": [\n"
    "      \"src/lazy.js\"\n"
    "    ],\n"
    "    \"css\": [\n"
    "      \"assets/index-C9U_Dy5k.css\"\n"
    "    ]\n"
    "  },\n"
    "  \"src/lazy.js\": {\n"
    "    \"file\": \"assets/lazy-Du3KHIDN.js\",\n"
    "    \"name\": \"lazy\",\n"
    "    \"src\": \"src/lazy.js\",\n"
    "    \"isDynamicEntry\": true,\n"
    "    \"imports\": [\n"
    "      \"_shared-CWAhnuwD.js\",\n"
    "      \"_vendor-Bwrg2wtR.js\"\n"
    "    ],\n"
    "    \"css\": [\n"
    "      \"assets/lazy-8HZXP7lx.css\"\n"
    "    ]\n"
    "  }\n"
    "}\n";

static void test_vite_real(void)
{
    qp_manifest_t *m;

    qp_tap_is_str(parse(&m, QP_MANIFEST_VITE, vite_real_manifest, "/build/"), NULL,
                  "vite build: the manifest of a real Vite 5.4 build compiles");
    qp_tap_is_str(expand(m, "index.html"),
                  "module /build/assets/index-DZLFd-3E.js as=script crossorigin\n"
                  "modulepreload /build/assets/modulepreload-polyfill-B5Qt9EMX.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Bwrg2wtR.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-CWAhnuwD.js as=script crossorigin\n"
                  "modulepreload /build/assets/util-Ci3nOze3.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-a9zuq20O.css as=style crossorigin\n"
                  "stylesheet /build/assets/util-Bsh6ydRP.css as=style crossorigin\n"
                  "stylesheet /build/assets/index-C9U_Dy5k.css as=style crossorigin",
                  "vite build: index.html expands to the tags of the built "
                  "index.html, in their order, without the dynamic import");
    qp_tap_is_str(expand(m, "admin.html"),
                  "module /build/assets/admin-DFX9FxL9.js as=script crossorigin\n"
                  "modulepreload /build/assets/modulepreload-polyfill-B5Qt9EMX.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Bwrg2wtR.js as=script crossorigin\n"
                  "modulepreload /build/assets/util-Ci3nOze3.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-CWAhnuwD.js as=script crossorigin\n"
                  "stylesheet /build/assets/util-Bsh6ydRP.css as=style crossorigin\n"
                  "stylesheet /build/assets/shared-a9zuq20O.css as=style crossorigin",
                  "vite build: admin.html expands to the tags of the built admin.html");
    /* The same project with shared.js and util.js importing each other:
     * Rollup then writes chunks that import each other, and Vite only
     * warns ("Circular chunk: shared -> util -> shared. Please adjust the
     * manual chunk logic for these chunks."); its HTML loads each chunk
     * once. Refused here, as issue 17 asks, naming the same cycle. */
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
        "{\"_modulepreload-polyfill-B5Qt9EMX.js\": {\"file\": \"assets/modulepreload-polyfill-B5Qt9EMX.js\","
        " \"name\": \"modulepreload-polyfill\"}, \"_shared-CZVeCjnw.js\": {\"file\": \"assets/shared-CZVeCjnw.js\","
        " \"name\": \"shared\", \"imports\": [\"_vendor-Bwrg2wtR.js\", \"_util-GnjdayU4.js\"],"
        " \"css\": [\"assets/shared-a9zuq20O.css\"]}, \"_util-GnjdayU4.js\": {\"file\": \"assets/util-GnjdayU4.js\","
        " \"name\": \"util\", \"imports\": [\"_vendor-Bwrg2wtR.js\", \"_shared-CZVeCjnw.js\"],"
        " \"css\": [\"assets/util-Bsh6ydRP.css\"]}, \"_vendor-Bwrg2wtR.js\": {\"file\": \"assets/vendor-Bwrg2wtR.js\","
        " \"name\": \"vendor\"}, \"index.html\": {\"file\": \"assets/index-CB5PWlOa.js\", \"name\": \"index\","
        " \"src\": \"index.html\", \"isEntry\": true, \"imports\": [\"_modulepreload-polyfill-B5Qt9EMX.js\","
        " \"_shared-CZVeCjnw.js\", \"_util-GnjdayU4.js\", \"_vendor-Bwrg2wtR.js\"], \"dynamicImports\":"
        " [\"src/lazy.js\"], \"css\": [\"assets/index-C9U_Dy5k.css\"]}}",
        "/build/", "index.html"),
        "error: 'index.html': imports form a cycle: '_shared-CZVeCjnw.js' -> "
        "'_util-GnjdayU4.js' -> '_shared-CZVeCjnw.js'",
        "vite build: chunks that import each other (Vite warns) are refused, "
        "the cycle named");
}

static void test_base(void)
{
    static const char *json =
        "{\"a.js\": {\"file\": \"assets/a.js\", \"isEntry\": true,"
        " \"imports\": [\"_b.js\"], \"css\": [\"./assets/a.css\"]},"
        " \"_b.js\": {\"file\": \"/static/b.js\"}}";

    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, NULL, "a.js"),
                  "module /assets/a.js as=script crossorigin\n"
                  "modulepreload /static/b.js as=script crossorigin\n"
                  "stylesheet /assets/a.css as=style crossorigin",
                  "base: none is '/'; a path starting with '/' stays; './' dropped");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "/build", "a.js"),
                  "module /build/assets/a.js as=script crossorigin\n"
                  "modulepreload /static/b.js as=script crossorigin\n"
                  "stylesheet /build/assets/a.css as=style crossorigin",
                  "base: a prefix without its final '/' gets one");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "https://cdn.example.com/build/", "a.js"),
                  "parse error: base=https://cdn.example.com/build/ is a full URL: "
                  "only files of this server's origin are announced (expected a "
                  "URL path such as /build/)",
                  "base: a full URL is refused");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "build/", "a.js"),
                  "parse error: base=build/ is not a URL path (expected a path "
                  "starting with '/', such as /build/)",
                  "base: a relative prefix is refused");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "/build/?v=1", "a.js"),
                  "parse error: base=/build/?v=1 has a query or a fragment "
                  "(expected a URL path such as /build/)",
                  "base: a query is refused");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "/a b/", "a.js"),
                  "parse error: base=/a b/: '/a b/' has a control character or "
                  "space at offset 2 (expected a URL; percent-encode it as %20)",
                  "base: what QuartPushResource refuses is refused");
}

static void test_vite_errors(void)
{
    const char *json;
    int i;

    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\"]},"
                  " \"_b.js\": {\"file\": \"b.js\", \"imports\": [\"a.js\"]}}",
                  "/", "a.js"),
                  "error: 'a.js': imports form a cycle: 'a.js' -> '_b.js' -> 'a.js'",
                  "vite errors: a cycle is named");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\"]},"
                  " \"_b.js\": {\"file\": \"b.js\", \"imports\": [\"_c.js\"]},"
                  " \"_c.js\": {\"file\": \"c.js\", \"imports\": [\"_b.js\"]}}",
                  "/", "a.js"),
                  "error: 'a.js': imports form a cycle: '_b.js' -> '_c.js' -> '_b.js'",
                  "vite errors: a cycle below the key is named from where it starts");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"a.js\"]}}",
                  "/", "a.js"),
                  "error: 'a.js': imports form a cycle: 'a.js' -> 'a.js'",
                  "vite errors: a chunk that imports itself");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\"]},"
                  " \"_b.js\": {\"file\": \"b.js\"},"
                  " \"c.js\": {\"file\": \"c.js\", \"imports\": [\"c.js\"]}}",
                  "/", "a.js"),
                  "module /a.js as=script crossorigin\n"
                  "modulepreload /b.js as=script crossorigin",
                  "vite errors: a cycle elsewhere does not stop this key");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_gone.js\"]}}",
                  "/", "a.js"),
                  "error: 'a.js' imports '_gone.js', which is not in the manifest",
                  "vite errors: an import that is not a key");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\"]},"
                  " \"_b.js\": {\"file\": \"b.js\", \"imports\": [\"_gone.js\"]}}",
                  "/", "a.js"),
                  "error: 'a.js': '_b.js' imports '_gone.js', which is not in the manifest",
                  "vite errors: an import of an import that is not a key");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"assets/a b.js\"}}", "/build/", "a.js"),
                  "error: 'a.js': '/build/assets/a b.js' has a control character "
                  "or space at offset 15 (expected a URL; percent-encode it as %20)",
                  "vite errors: a path that is not a URL is quoted");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\"]},"
                  " \"_b.js\": {\"file\": \"b.js\", \"css\": [\"https://cdn.example.com/b.css\"]}}",
                  "/", "a.js"),
                  "error: 'a.js': its import '_b.js': 'https://cdn.example.com/b.css' "
                  "is a full URL: only files of this server's origin are announced "
                  "(expected a path, relative to base= or starting with '/')",
                  "vite errors: a full URL in an import's CSS");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"../a.js\"}}", "/build/", "a.js"),
                  "error: 'a.js': '/build/../a.js' has a '..' segment (expected a "
                  "path without '..')",
                  "vite errors: a path out of base=");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"data:text/javascript,1\"}}", "/", "a.js"),
                  "error: 'a.js': 'data:text/javascript,1' is not a path: it starts "
                  "with a URL scheme",
                  "vite errors: a data: URL");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"\"}}", "/", "a.js"),
                  "error: 'a.js': an empty path (expected the path of a built file)",
                  "vite errors: an empty path");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\"}, \"b.js\": {\"file\": \"b c.js\"}}",
                  "/", "a.js"),
                  "module /a.js as=script crossorigin",
                  "vite errors: a bad path elsewhere does not stop this key");
    json = apr_psprintf(pool, "%2100s", "");
    for (i = 0; json[i]; ++i) {
        ((char *)json)[i] = 'x';
    }
    json = apr_psprintf(pool, "{\"a.js\": {\"file\": \"%s.js\"}}", json);
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, json, "/", "a.js"),
                  "error: 'a.js': '/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
                  "is longer than 2048 bytes, the limit for a URL from a manifest",
                  "vite errors: a URL longer than the bound");
}

static void test_vite_shapes(void)
{
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, "[{\"file\": \"a.js\"}]", "/", "a"),
                  "parse error: vite manifest: the manifest is an array, expected "
                  "an object of keys to {\"file\": ...} (Vite's .vite/manifest.json)",
                  "vite shape: not an object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, "{\"a.js\": \"assets/a.js\"}", "/", "a"),
                  "parse error: vite manifest: 'a.js' is a string, expected an "
                  "object with \"file\" (a Vite chunk)",
                  "vite shape: a flat manifest read as Vite's");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, "{\"a.js\": {\"src\": \"a.js\"}}", "/", "a"),
                  "parse error: vite manifest: 'a.js' has no \"file\" (expected the "
                  "path of the built file, a string)",
                  "vite shape: no file");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, "{\"a.js\": {\"file\": 3}}", "/", "a"),
                  "parse error: vite manifest: 'a.js': \"file\" is a number, expected "
                  "a string (the path of the built file)",
                  "vite shape: file not a string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": \"_b.js\"}}", "/", "a"),
                  "parse error: vite manifest: 'a.js': \"imports\" is a string, "
                  "expected an array of manifest keys",
                  "vite shape: imports not an array");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"imports\": [\"_b.js\", null]}}", "/", "a"),
                  "parse error: vite manifest: 'a.js': \"imports\"[1] is null, "
                  "expected a manifest key (a string)",
                  "vite shape: an import not a string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"css\": [{}]}}", "/", "a"),
                  "parse error: vite manifest: 'a.js': \"css\"[0] is an object, "
                  "expected a path (a string)",
                  "vite shape: a CSS file not a string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"css\": \"assets/a.css\"}}", "/", "a.js"),
                  "module /a.js as=script crossorigin\n"
                  "stylesheet /assets/a.css as=style crossorigin",
                  "vite shape: Vite 2's \"css\" as one string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a.js\": {\"file\": \"a.js\", \"dynamicImports\": 7,"
                  " \"assets\": {}, \"isEntry\": \"yes\", \"integrity\": \"sha-1\"}}",
                  "/", "a.js"),
                  "module /a.js as=script crossorigin",
                  "vite shape: fields an expansion does not use are not checked");
}

static void test_json_errors(void)
{
    char *deep;
    int i;

    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\n  \"a.js\": {\"file\": \"a.js\",}\n}\n", "/", "a"),
                  "parse error: invalid JSON at line 2, column 27: string or '}' "
                  "expected near '}'",
                  "JSON: a trailing comma, with jansson's line and column");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "", "/", "a"),
                  "parse error: invalid JSON at line 1, column 0: '[' or '{' "
                  "expected near end of file",
                  "JSON: an empty file");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\": \"a.js\"", "/", "a"),
                  "parse error: invalid JSON at line 1, column 12: '}' expected "
                  "near end of file",
                  "JSON: a file cut short (written while read)");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"a\": \"a.js\",\n \"a\": \"b.js\"}", "/", "a"),
                  "parse error: invalid JSON at line 2, column 4: duplicate object "
                  "key near '\"a\"'",
                  "JSON: a key given twice");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\": \"a\\u0000.js\"}", "/", "a"),
                  "parse error: invalid JSON at line 1, column 18: \\u0000 is not "
                  "allowed without JSON_ALLOW_NUL near '\"a\\u0000.js\"'",
                  "JSON: a NUL in a string");
    /* read key by key where it can be: what is irregular in the outer
     * object is still said as jansson says it of the whole file */
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\": \"a.js\",\n}", "/", "a"),
                  "parse error: invalid JSON at line 2, column 1: string or '}' "
                  "expected near '}'",
                  "JSON: a trailing comma in the outer object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\": \"a.js\"} x", "/", "a"),
                  "parse error: invalid JSON at line 1, column 15: end of file "
                  "expected near 'x'",
                  "JSON: text after the outer object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\": \"a.js\" \"b\": \"b.js\"}",
                               "/", "a"),
                  "parse error: invalid JSON at line 1, column 16: '}' expected "
                  "near '\"b\"'",
                  "JSON: two members without a comma");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE,
                  "{\"a\": {\"file\": \"a.js\", \"x\": \"}]\\\"{[\"},\n \"b\": 3}", "/", "a"),
                  "parse error: vite manifest: 'b' is a number, expected an object "
                  "with \"file\" (a Vite chunk)",
                  "JSON: brackets and an escaped quote in a string, then a key "
                  "of the wrong shape");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, " \r\n{ \"a\" :\t\"a.js\" , \"b\":\"b.js\" } \n",
                               "/", "b"),
                  "script /b.js as=script", "JSON: white space anywhere around the outer object's members");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a\\u00e9\": \"a.js\"}", "/",
                               "a\xc3\xa9"),
                  "script /a.js as=script", "JSON: a key with an escape is read as jansson reads it");
    deep = apr_palloc(pool, 5002);
    for (i = 0; i < 2500; ++i) {
        deep[i] = '[';
        deep[5000 - 1 - i] = ']';
    }
    deep[5000] = '\0';
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, deep, "/", "a"),
                  "parse error: invalid JSON at line 1, column 2049: maximum "
                  "parsing depth reached near '['",
                  "JSON: nesting deeper than 2048 stops the parser");
    qp_tap_is_str(qp_manifest_parse(&(qp_manifest_t *){NULL}, pool, QP_MANIFEST_FLAT,
                                    "{}", (apr_size_t)QP_MANIFEST_MAX_SIZE + 1, "/", NULL),
                  "the manifest is 16777217 bytes, more than the 16 MB a manifest "
                  "may have",
                  "JSON: a text over the size bound is refused before parsing");
}

/* A Vite entry importing n chunks, each with a CSS file (shape 0) or
 * without (2), or a chain of n chunks each importing the next (1). */
static const char *vite_many(int n, int shape)
{
    int chain = shape == 1;
    apr_array_header_t *parts = apr_array_make(pool, n + 2, sizeof(char *));
    int i;

    APR_ARRAY_PUSH(parts, char *) = "{\"e.js\": {\"file\": \"e.js\", \"imports\": [";
    for (i = 0; i < (chain ? (n > 0) : n); ++i) {
        APR_ARRAY_PUSH(parts, char *) = apr_psprintf(pool, "%s\"_%d.js\"", i ? ", " : "", i);
    }
    APR_ARRAY_PUSH(parts, char *) = "]}";
    for (i = 0; i < n; ++i) {
        APR_ARRAY_PUSH(parts, char *) =
            chain && i + 1 < n ?
            apr_psprintf(pool, ", \"_%d.js\": {\"file\": \"%d.js\", \"imports\": [\"_%d.js\"]}",
                         i, i, i + 1) :
            apr_psprintf(pool, ", \"_%d.js\": {\"file\": \"%d.js\"%s}", i, i,
                         shape ? "" : apr_psprintf(pool, ", \"css\": [\"%d.css\"]", i));
    }
    APR_ARRAY_PUSH(parts, char *) = "}";
    return apr_array_pstrcat(pool, parts, 0);
}

static int count_lines(const char *s)
{
    int n = 1;

    if (!strncmp(s, "error", 5) || !strncmp(s, "parse error", 11)) {
        return -1;
    }
    for (; *s; ++s) {
        n += *s == '\n';
    }
    return n;
}

/* A lattice of levels chunks deep, two per level, each importing both
 * of the next level: 2^levels paths from the entry to the last level,
 * but 2 * levels + 1 files. */
static const char *vite_lattice(int levels)
{
    const char *json = "{\"e.html\": {\"file\": \"e.js\", \"isEntry\": true, "
                       "\"imports\": [\"_a1.js\", \"_b1.js\"]}";
    int k;

    for (k = 1; k <= levels; ++k) {
        const char *imports = k < levels ?
            apr_psprintf(pool, "\"_a%d.js\", \"_b%d.js\"", k + 1, k + 1) : "";
        json = apr_psprintf(pool, "%s, \"_a%d.js\": {\"file\": \"a%d.js\", "
                            "\"imports\": [%s]}, \"_b%d.js\": {\"file\": "
                            "\"b%d.js\", \"imports\": [%s]}", json, k, k,
                            imports, k, k, imports);
    }
    return apr_pstrcat(pool, json, "}", NULL);
}

static void test_bounds(void)
{
    apr_array_header_t *parts;
    const char *r;
    int i;

    /* shared chunks: each once, after its own imports, the deepest first */
    r = parse_expand(QP_MANIFEST_VITE, vite_lattice(9), "/", "e.html");
    qp_tap_ok(count_lines(r) == 19, "bounds: a lattice of 9 levels of 2 chunks is 19 files");
    qp_tap_ok(!strncmp(r, "module /e.js", 12) && strstr(r, "/a9.js") < strstr(r, "/a8.js")
              && strstr(r, "/b9.js") < strstr(r, "/a8.js"),
              "bounds: ... the entry first, then each chunk after the ones it imports");
    /* 2^60 paths: a walk that does not expand each chunk once never ends */
    qp_tap_ok(count_lines(parse_expand(QP_MANIFEST_VITE, vite_lattice(60), "/", "e.html")) == 121,
              "bounds: a lattice of 60 levels is 121 files: each chunk is walked once");
    qp_tap_ok(count_lines(parse_expand(QP_MANIFEST_VITE, vite_many(499, 0), "/", "e.js")) == 999,
              "bounds: an entry with 499 chunks and their CSS: 999 files");
    qp_tap_ok(count_lines(parse_expand(QP_MANIFEST_VITE, vite_many(999, 2), "/", "e.js")) == 1000,
              "bounds: 1000 files are allowed");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, vite_many(1000, 2), "/", "e.js"),
                  "error: 'e.js' expands to more than 1000 files (the limit for "
                  "one manifest key)",
                  "bounds: 1001 files are not (chunks)");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, vite_many(500, 0), "/", "e.js"),
                  "error: 'e.js' expands to more than 1000 files (the limit for "
                  "one manifest key)",
                  "bounds: 1001 files are not (chunks and their CSS)");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, vite_many(10000, 0), "/", "e.js"),
                  "error: 'e.js' expands to more than 1000 files (the limit for "
                  "one manifest key)",
                  "bounds: an entry importing 10,000 chunks fails");
    r = parse_expand(QP_MANIFEST_VITE, vite_many(128, 1), "/", "e.js");
    qp_tap_ok(count_lines(r) == 129, "bounds: imports 128 levels deep are followed");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, vite_many(129, 1), "/", "e.js"),
                  "error: 'e.js': imports nest deeper than 128 levels",
                  "bounds: 129 levels are not");
    qp_tap_is_str(parse_expand(QP_MANIFEST_VITE, vite_many(20000, 1), "/", "e.js"),
                  "error: 'e.js': imports nest deeper than 128 levels",
                  "bounds: a chain of 20,000 imports fails without recursion");
    parts = apr_array_make(pool, 10002, sizeof(char *));
    APR_ARRAY_PUSH(parts, char *) = "{\"entrypoints\": {\"app\": {\"js\": [";
    for (i = 0; i < 10000; ++i) {
        APR_ARRAY_PUSH(parts, char *) = apr_psprintf(pool, "%s\"/js/%d.js\"", i ? "," : "", i);
    }
    APR_ARRAY_PUSH(parts, char *) = "]}}}";
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS, apr_array_pstrcat(pool, parts, 0),
                               "/", "app"),
                  "error: 'app' expands to more than 1000 files (the limit for one "
                  "manifest key)",
                  "bounds: an entrypoint of 10,000 scripts fails");
}

static void test_flat(void)
{
    qp_manifest_t *m;

    /* webpack-manifest-plugin 5, publicPath "/build/" */
    qp_tap_is_str(parse(&m, QP_MANIFEST_FLAT,
                  "{\n"
                  "  \"main.js\": \"/build/main.1a2b3c4d.js\",\n"
                  "  \"main.css\": \"/build/main.5e6f7a8b.css\",\n"
                  "  \"images/logo.png\": \"/build/images/logo.9c0d1e2f.png\",\n"
                  "  \"fonts/inter.woff2\": \"/build/fonts/inter.3a4b5c6d.woff2\",\n"
                  "  \"main.js.map\": \"/build/main.1a2b3c4d.js.map\"\n"
                  "}\n", NULL), NULL,
                  "flat: webpack-manifest-plugin's manifest.json compiles");
    qp_tap_is_str(expand(m, "main.js"), "script /build/main.1a2b3c4d.js as=script",
                  "flat: a script, as=script, no crossorigin");
    qp_tap_is_str(expand(m, "main.css"), "stylesheet /build/main.5e6f7a8b.css as=style",
                  "flat: a stylesheet, as=style");
    qp_tap_is_str(expand(m, "images/logo.png"), "asset /build/images/logo.9c0d1e2f.png as=image",
                  "flat: an image, as=image");
    qp_tap_is_str(expand(m, "fonts/inter.woff2"),
                  "asset /build/fonts/inter.3a4b5c6d.woff2 as=font crossorigin",
                  "flat: a font, in CORS mode as browsers fetch fonts");
    qp_tap_is_str(expand(m, "main.js.map"), "asset /build/main.1a2b3c4d.js.map",
                  "flat: an unknown extension has no as=");
    qp_tap_is_str(expand(m, "app.js"), "error: no key 'app.js' in the manifest "
                  "(the nearest of its keys: 'main.js', 'main.css', 'main.js.map', "
                  "'images/logo.png', 'fonts/inter.woff2')",
                  "flat: an unknown name names the nearest keys, nearest first");
    qp_tap_is_str(expand(m, "mian.css"), "error: no key 'mian.css' in the manifest "
                  "(the nearest of its keys: 'main.css', 'main.js', 'main.js.map', "
                  "'images/logo.png', 'fonts/inter.woff2')",
                  "flat: a typo names the key meant first");
    {
        /* more entries than are shown: the nearest of them */
        qp_manifest_t *v;
        const char *many =
            "{\"a.html\": {\"file\": \"a.js\", \"isEntry\": true},"
            " \"blog.html\": {\"file\": \"b.js\", \"isEntry\": true},"
            " \"shop.html\": {\"file\": \"c.js\", \"isEntry\": true},"
            " \"cart.html\": {\"file\": \"d.js\", \"isEntry\": true},"
            " \"admin.html\": {\"file\": \"e.js\", \"isEntry\": true},"
            " \"index.html\": {\"file\": \"f.js\", \"isEntry\": true},"
            " \"_index-chunk.js\": {\"file\": \"g.js\"}}";
        qp_tap_ok(parse(&v, QP_MANIFEST_VITE, many, "/") == NULL, "vite: 6 entries parse");
        qp_tap_is_str(expand(v, "indx.html"), "error: no key 'indx.html' in the "
                      "manifest (the nearest of its entries: 'index.html', "
                      "'a.html', 'blog.html', 'shop.html', 'cart.html')",
                      "vite: more than 5 entries: the nearest entries, never a chunk");
    }
    /* Propshaft before 1.1 (Rails 7.x), prefix /assets */
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"application.css\": \"application-6d58c9e6.css\","
                  " \"application.js\": \"application-8c1d4a70.js\"}",
                  "/assets/", "application.css"),
                  "stylesheet /assets/application-6d58c9e6.css as=style",
                  "flat: Propshaft's .manifest.json, name to digested path");
    /* Propshaft 1.1 and later */
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"application.css\": {\"digested_path\": \"application-6d58c9e6.css\","
                  " \"integrity\": \"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\"}}",
                  "/assets/", "application.css"),
                  "stylesheet /assets/application-6d58c9e6.css as=style",
                  "flat: Propshaft 1.1's {digested_path, integrity}");
    /* Webpack Encore 4's manifest.json */
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"build/app.js\": \"/build/app.2b3c4d5e.js\","
                  " \"build/app.css\": \"/build/app.6f7a8b9c.css\"}",
                  NULL, "build/app.js"),
                  "script /build/app.2b3c4d5e.js as=script",
                  "flat: Encore's manifest.json");
    /* Laravel Mix's mix-manifest.json: a query string for the version */
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"/js/app.js\": \"/js/app.js?id=6d58c9e6a1b2\"}", NULL, "/js/app.js"),
                  "script /js/app.js?id=6d58c9e6a1b2 as=script",
                  "flat: a versioned URL keeps its query");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a.js\": 3}", NULL, "a.js"),
                  "parse error: flat manifest: 'a.js' is a number, expected a path "
                  "(a string) or an object with \"digested_path\"",
                  "flat shape: a number");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a.js\": {\"path\": \"a.js\"}}", NULL, "a.js"),
                  "parse error: flat manifest: 'a.js' is an object, expected a path "
                  "(a string) or an object with \"digested_path\"",
                  "flat shape: an object without digested_path");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "{\"a.js\": {\"digested_path\": []}}", NULL, "a.js"),
                  "parse error: flat manifest: 'a.js' is an object whose "
                  "\"digested_path\" is not a string, expected a path (a string) or "
                  "an object with \"digested_path\"",
                  "flat shape: digested_path not a string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT,
                  "{\"main.js\": \"main.js\", \"entrypoints\": {\"main\": {\"assets\": {}}}}",
                  NULL, "main.js"),
                  "parse error: flat manifest: 'entrypoints' is an object, expected a "
                  "path (a string) or an object with \"digested_path\" (for a file of "
                  "entrypoints, use the entrypoints format)",
                  "flat shape: webpack-assets-manifest's entrypoints point to the format");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "\"main.js\"", NULL, "main.js"),
                  "parse error: invalid JSON at line 1, column 9: '[' or '{' "
                  "expected near '\"main.js\"'",
                  "flat shape: a bare string is not a manifest (jansson)");
    qp_tap_is_str(parse_expand(QP_MANIFEST_FLAT, "[\"main.js\"]", NULL, "main.js"),
                  "parse error: flat manifest: the manifest is an array, expected an "
                  "object of names to paths (webpack-manifest-plugin, Propshaft)",
                  "flat shape: an array");
}

static void test_entrypoints(void)
{
    qp_manifest_t *m;

    /* Webpack Encore 4's entrypoints.json */
    qp_tap_is_str(parse(&m, QP_MANIFEST_ENTRYPOINTS,
                  "{\n"
                  "  \"entrypoints\": {\n"
                  "    \"app\": {\n"
                  "      \"js\": [\"/build/runtime.6b1c.js\", \"/build/vendors-node_modules_a.53d4.js\",\n"
                  "             \"/build/app.2b3c.js\"],\n"
                  "      \"css\": [\"/build/app.6f7a.css\"]\n"
                  "    },\n"
                  "    \"admin\": {\n"
                  "      \"js\": [\"/build/runtime.6b1c.js\", \"/build/admin.9a8b.js\"]\n"
                  "    }\n"
                  "  },\n"
                  "  \"integrity\": {\"/build/app.2b3c.js\": \"sha384-abc\"}\n"
                  "}\n", NULL), NULL,
                  "entrypoints: Encore's entrypoints.json compiles");
    qp_tap_ok(m && qp_manifest_count(m) == 2, "entrypoints: one key per entrypoint");
    qp_tap_is_str(expand(m, "app"),
                  "script /build/runtime.6b1c.js as=script\n"
                  "script /build/vendors-node_modules_a.53d4.js as=script\n"
                  "script /build/app.2b3c.js as=script\n"
                  "stylesheet /build/app.6f7a.css as=style",
                  "entrypoints: its scripts, then its stylesheets, in order");
    qp_tap_is_str(expand(m, "admin"),
                  "script /build/runtime.6b1c.js as=script\n"
                  "script /build/admin.9a8b.js as=script",
                  "entrypoints: no css is none");
    qp_tap_is_str(expand(m, "shop"),
                  "error: no key 'shop' in the manifest (its entries: 'app', 'admin')",
                  "entrypoints: an unknown name lists the entrypoints");
    /* webpack-assets-manifest 5, entrypoints: true, publicPath "" */
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"main.js\": \"main-abc.js\", \"entrypoints\": {\"main\": {"
                  "\"assets\": {\"js\": [\"main-abc.js\"], \"css\": [\"main-def.css\"]},"
                  "\"preload\": {\"js\": [\"preload-1.js\"]},"
                  "\"prefetch\": {\"js\": [\"prefetch-2.js\"]}}}}",
                  "/dist/", "main"),
                  "script /dist/main-abc.js as=script\n"
                  "stylesheet /dist/main-def.css as=style",
                  "entrypoints: webpack-assets-manifest's \"assets\"; no prefetch");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS, "{\"app\": {\"js\": []}}", NULL, "app"),
                  "parse error: entrypoints manifest: the manifest has no "
                  "\"entrypoints\", expected {\"entrypoints\": {NAME: {\"js\": [...], "
                  "\"css\": [...]}}} (Encore's entrypoints.json)",
                  "entrypoints shape: no entrypoints");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS, "{\"entrypoints\": []}", NULL, "app"),
                  "parse error: entrypoints manifest: \"entrypoints\" is an array, "
                  "expected {\"entrypoints\": {NAME: {\"js\": [...], \"css\": [...]}}} "
                  "(Encore's entrypoints.json)",
                  "entrypoints shape: entrypoints not an object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS, "[]", NULL, "app"),
                  "parse error: entrypoints manifest: the manifest is an array, "
                  "expected {\"entrypoints\": {NAME: {\"js\": [...], \"css\": [...]}}} "
                  "(Encore's entrypoints.json)",
                  "entrypoints shape: not an object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"entrypoints\": {\"app\": [\"/a.js\"]}}", NULL, "app"),
                  "parse error: entrypoints manifest: entrypoint 'app' is an array, "
                  "expected an object with \"js\" and \"css\" arrays",
                  "entrypoints shape: an entrypoint not an object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"entrypoints\": {\"app\": {\"js\": \"/a.js\"}}}", NULL, "app"),
                  "parse error: entrypoints manifest: entrypoint 'app': \"js\" is a "
                  "string, expected an array of paths",
                  "entrypoints shape: js not an array");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"entrypoints\": {\"app\": {\"css\": [\"/a.css\", 1]}}}", NULL, "app"),
                  "parse error: entrypoints manifest: entrypoint 'app': \"css\"[1] is "
                  "a number, expected a path (a string)",
                  "entrypoints shape: a css file not a string");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"entrypoints\": {\"app\": {\"assets\": []}}}", NULL, "app"),
                  "parse error: entrypoints manifest: entrypoint 'app': \"assets\" is "
                  "an array, expected an object with \"js\" and \"css\" arrays",
                  "entrypoints shape: assets not an object");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS,
                  "{\"entrypoints\": {\"app\": {\"js\": [\"/a.js\", \"//cdn.example.com/b.js\"]}}}",
                  NULL, "app"),
                  "error: 'app': '//cdn.example.com/b.js' is a full URL: only files of "
                  "this server's origin are announced (expected a path, relative to "
                  "base= or starting with '/')",
                  "entrypoints: a protocol-relative URL is another origin");
}

static void test_links(void)
{
    qp_manifest_t *m;
    const apr_array_header_t *files;
    const qp_manifest_file *f;
    qp_link *link;
    static const char *const critical[] = { "critical" };
    static const char *const creds[] = { "crossorigin=use-credentials", "nopush" };

    if (parse(&m, QP_MANIFEST_VITE, vite_manifest, "/build/")
        || qp_manifest_expand(&files, m, "src/main.js", pool)) {
        qp_tap_ok(0, "links: the Vite manifest expands");
        return;
    }
    f = APR_ARRAY_IDX(files, 0, const qp_manifest_file *);
    qp_tap_is_str(qp_manifest_file_link(&link, pool, f, 0, NULL), NULL,
                  "links: a module makes a link");
    qp_tap_is_str(link->header, "</build/assets/main-A1b2.js>; rel=preload; as=script; crossorigin",
                  "links: for a push client, a module is a pushable preload in CORS mode");
    qp_tap_is_str(qp_manifest_hint_header(pool, f, link),
                  "</build/assets/main-A1b2.js>; rel=modulepreload; crossorigin",
                  "links: for a browser, a module is a modulepreload");
    f = APR_ARRAY_IDX(files, 1, const qp_manifest_file *);
    qp_manifest_file_link(&link, pool, f, 1, critical);
    qp_tap_is_str(link->header,
                  "</build/assets/vendor-Ck3xQ9aZ.js>; rel=preload; as=script; crossorigin; critical",
                  "links: parameters after an @ resource apply to each file");
    qp_manifest_file_link(&link, pool, f, 2, creds);
    qp_tap_is_str(qp_manifest_hint_header(pool, f, link),
                  "</build/assets/vendor-Ck3xQ9aZ.js>; rel=modulepreload; crossorigin=use-credentials",
                  "links: a crossorigin given replaces the file's own");
    f = APR_ARRAY_IDX(files, 4, const qp_manifest_file *);
    qp_manifest_file_link(&link, pool, f, 0, NULL);
    qp_tap_is_str(qp_manifest_hint_header(pool, f, link),
                  "</build/assets/shared-ChJ_j-JJ.css>; rel=preload; as=style; crossorigin",
                  "links: a stylesheet is the same preload for both");
    if (parse(&m, QP_MANIFEST_FLAT, "{\"f.woff2\": \"f-1.woff2\", \"x.txt\": \"x-1.txt\"}", "/")
        || qp_manifest_expand(&files, m, "x.txt", pool)) {
        qp_tap_ok(0, "links: a flat manifest expands");
        return;
    }
    qp_manifest_file_link(&link, pool, APR_ARRAY_IDX(files, 0, const qp_manifest_file *), 0, NULL);
    qp_tap_is_str(link->header, "</x-1.txt>; rel=preload",
                  "links: a file of unknown type has no as=");
    qp_manifest_expand(&files, m, "f.woff2", pool);
    qp_manifest_file_link(&link, pool, APR_ARRAY_IDX(files, 0, const qp_manifest_file *), 0, NULL);
    qp_tap_is_str(link->header, "</f-1.woff2>; rel=preload; as=font; crossorigin",
                  "links: a font in CORS mode");
}

/* css-crossorigin= and scripts=: what a backend's helper writes, which the
 * manifest cannot say */
static void test_settings(void)
{
    qp_manifest_options o;
    const char *err;
    static const char *const none[] = { "css-crossorigin=none" };
    static const char *const creds[] = { "CSS-Crossorigin=Use-Credentials" };
    static const char *const anon[] = { "css-crossorigin=anonymous" };
    static const char *const module[] = { "scripts=module" };
    static const char *const classic[] = { "scripts=classic" };
    static const char *const both[] = { "scripts=module", "css-crossorigin=anonymous" };
    static const char *const twice[] = { "css-crossorigin=none", "css-crossorigin=none" };
    static const char *const twice_s[] = { "scripts=module", "scripts=classic" };
    static const char *const bad[] = { "css-crossorigin=maybe" };
    static const char *const bare[] = { "css-crossorigin" };
    static const char *const bad_s[] = { "scripts=esm" };
    static const char *const link_param[] = { "critical" };
    static const char *propshaft =
        "{\"application.js\": \"application-8c1d4a70.js\","
        " \"controllers/hello.mjs\": \"controllers/hello-5d1c.mjs\","
        " \"application.css\": \"application-6d58c9e6.css\","
        " \"inter.woff2\": \"inter-3a4b.woff2\"}";
    static const char *encore =
        "{\"entrypoints\": {\"app\": {\"js\": [\"/build/runtime.6b1c.js\", \"/build/app.2b3c.js\"],"
        " \"css\": [\"/build/app.6f7a.css\"]}}}";

    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 0, NULL), "",
                  "settings: none given, the format's own");
    qp_tap_ok(o.css_crossorigin == -1 && o.scripts == QP_MANIFEST_SCRIPTS_DEFAULT,
              "settings: unset until given");
    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 1, none), "css-crossorigin=none",
                  "settings: css-crossorigin=none");
    qp_tap_is_str(options(&o, QP_MANIFEST_FLAT, 1, creds), "css-crossorigin=use-credentials",
                  "settings: names and values in any case");
    qp_tap_is_str(options(&o, QP_MANIFEST_FLAT, 2, both),
                  "css-crossorigin=anonymous scripts=module",
                  "settings: both, shown in one order");
    qp_tap_is_str(options(&o, QP_MANIFEST_ENTRYPOINTS, 1, classic), "scripts=classic",
                  "settings: scripts=classic, the default, may be said");
    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 1, bad),
                  "error: 'css-crossorigin=maybe': expected css-crossorigin=none, "
                  "css-crossorigin=anonymous or css-crossorigin=use-credentials (the "
                  "crossorigin of the page's <link rel=\"stylesheet\"> tags)",
                  "settings: an unknown CORS mode, quoted");
    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 1, bare),
                  "error: 'css-crossorigin': expected css-crossorigin=none, "
                  "css-crossorigin=anonymous or css-crossorigin=use-credentials (the "
                  "crossorigin of the page's <link rel=\"stylesheet\"> tags)",
                  "settings: css-crossorigin needs its value");
    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 2, twice),
                  "error: 'css-crossorigin=none': css-crossorigin= is given twice",
                  "settings: css-crossorigin= twice");
    qp_tap_is_str(options(&o, QP_MANIFEST_FLAT, 1, bad_s),
                  "error: 'scripts=esm': expected scripts=module or scripts=classic "
                  "(how the page loads the manifest's JavaScript)",
                  "settings: an unknown kind of script, quoted");
    qp_tap_is_str(options(&o, QP_MANIFEST_FLAT, 2, twice_s),
                  "error: 'scripts=classic': scripts= is given twice",
                  "settings: scripts= twice");
    qp_tap_is_str(options(&o, QP_MANIFEST_VITE, 1, module),
                  "error: 'scripts=module' is for flat and entrypoints manifests: a "
                  "vite manifest's scripts are module scripts, as Vite builds them",
                  "settings: scripts= makes no sense for vite");
    qp_tap_is_str(options(&o, QP_MANIFEST_FLAT, 1, link_param),
                  "not a setting: critical", "settings: a link parameter is not one");
    qp_manifest_options_init(&o);
    qp_tap_ok(!qp_manifest_option_parse(&o, &err, pool, QP_MANIFEST_FLAT, "crossorigin")
              && !qp_manifest_option_parse(&o, &err, pool, QP_MANIFEST_FLAT, "scriptsy=1")
              && !qp_manifest_option_parse(&o, &err, pool, QP_MANIFEST_FLAT, "css-crossoriginx")
              && !err && o.css_crossorigin == -1,
              "settings: crossorigin and look-alike words are left to the link parameters");

    /* Laravel's @vite, vite_ruby, django-vite: stylesheets without
     * crossorigin; the module scripts keep it */
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_VITE, vite_manifest, "/build/",
                                    "src/main.js", 1, none),
                  "module /build/assets/main-A1b2.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "modulepreload /build/assets/util-D9aa01.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style\n"
                  "stylesheet /build/assets/util-Q1xx.css as=style\n"
                  "stylesheet /build/assets/main-C2c3.css as=style",
                  "settings: vite with css-crossorigin=none: the stylesheets in no-cors "
                  "mode, the modules in CORS mode, the same order");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_VITE, vite_manifest, "/build/",
                                    "resources/css/app.css", 1, none),
                  "stylesheet /build/assets/app-G7g8.css as=style",
                  "settings: ... a CSS entry too");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_VITE, vite_manifest, "/build/",
                                    "index.html", 1, creds),
                  "module /build/assets/index-F5f6.js as=script crossorigin\n"
                  "modulepreload /build/assets/vendor-Ck3xQ9aZ.js as=script crossorigin\n"
                  "modulepreload /build/assets/shared-B7PI925R.js as=script crossorigin\n"
                  "stylesheet /build/assets/shared-ChJ_j-JJ.css as=style "
                  "crossorigin=use-credentials",
                  "settings: css-crossorigin=use-credentials");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_VITE, vite_manifest, "/build/",
                                    "logo.svg", 1, none),
                  "asset /build/assets/logo-BuPIv-2h.svg as=image",
                  "settings: an asset is not a stylesheet");

    /* Propshaft with importmap-rails: modules */
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "application.js", 1, module),
                  "modulepreload /assets/application-8c1d4a70.js as=script crossorigin",
                  "settings: flat with scripts=module: a .js file is a modulepreload, "
                  "in CORS mode as a module is fetched");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "controllers/hello.mjs", 1, module),
                  "modulepreload /assets/controllers/hello-5d1c.mjs as=script crossorigin",
                  "settings: ... a .mjs file too");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "application.css", 1, module),
                  "stylesheet /assets/application-6d58c9e6.css as=style",
                  "settings: ... a stylesheet stays as it was");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "inter.woff2", 1, module),
                  "asset /assets/inter-3a4b.woff2 as=font crossorigin",
                  "settings: ... and a font");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "application.js", 1, classic),
                  "script /assets/application-8c1d4a70.js as=script",
                  "settings: flat with scripts=classic: a classic script, as by default");
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_FLAT, propshaft, "/assets/",
                                    "application.css", 1, anon),
                  "stylesheet /assets/application-6d58c9e6.css as=style crossorigin",
                  "settings: flat with css-crossorigin=anonymous");

    /* entrypoints with scripts=module */
    qp_tap_is_str(parse_expand_with(QP_MANIFEST_ENTRYPOINTS, encore, NULL, "app", 2, both),
                  "module /build/runtime.6b1c.js as=script crossorigin\n"
                  "module /build/app.2b3c.js as=script crossorigin\n"
                  "stylesheet /build/app.6f7a.css as=style crossorigin",
                  "settings: entrypoints with scripts=module and css-crossorigin=anonymous");
    qp_tap_is_str(parse_expand(QP_MANIFEST_ENTRYPOINTS, encore, NULL, "app"),
                  "script /build/runtime.6b1c.js as=script\n"
                  "script /build/app.2b3c.js as=script\n"
                  "stylesheet /build/app.6f7a.css as=style",
                  "settings: entrypoints without: classic scripts, no crossorigin");
}

/* The links of a file under the settings: what a browser and a push client
 * get */
static void test_settings_links(void)
{
    qp_manifest_options o;
    qp_manifest_t *m;
    const apr_array_header_t *files;
    const qp_manifest_file *f;
    qp_link *link;
    const char *err;
    static const char *propshaft_small = "{\"application.js\": \"application-8c1d.js\"}";

    qp_manifest_options_init(&o);
    qp_manifest_option_parse(&o, &err, pool, QP_MANIFEST_FLAT, "scripts=module");
    qp_manifest_option_parse(&o, &err, pool, QP_MANIFEST_FLAT, "css-crossorigin=none");
    if (qp_manifest_parse(&m, pool, QP_MANIFEST_FLAT, propshaft_small,
                          strlen(propshaft_small), "/assets/", &o)
        || qp_manifest_expand(&files, m, "application.js", pool)) {
        qp_tap_ok(0, "settings links: a flat manifest expands");
        return;
    }
    f = APR_ARRAY_IDX(files, 0, const qp_manifest_file *);
    qp_manifest_file_link(&link, pool, f, 0, NULL);
    qp_tap_is_str(link->header,
                  "</assets/application-8c1d.js>; rel=preload; as=script; crossorigin",
                  "settings links: for a push client, a module of a flat manifest is "
                  "a pushable preload in CORS mode");
    qp_tap_is_str(qp_manifest_hint_header(pool, f, link),
                  "</assets/application-8c1d.js>; rel=modulepreload; crossorigin",
                  "settings links: for a browser, a modulepreload");
    if (qp_manifest_parse(&m, pool, QP_MANIFEST_VITE, vite_manifest, strlen(vite_manifest),
                          "/build/", &o)
        || qp_manifest_expand(&files, m, "index.html", pool)) {
        qp_tap_ok(0, "settings links: the Vite manifest expands");
        return;
    }
    f = APR_ARRAY_IDX(files, 3, const qp_manifest_file *);
    qp_manifest_file_link(&link, pool, f, 0, NULL);
    qp_tap_is_str(qp_manifest_hint_header(pool, f, link),
                  "</build/assets/shared-ChJ_j-JJ.css>; rel=preload; as=style",
                  "settings links: with css-crossorigin=none, a stylesheet's preload "
                  "has no crossorigin, for a browser and a push client");
}

static void test_formats(void)
{
    qp_manifest_format_e fmt = QP_MANIFEST_FLAT;

    qp_tap_ok(!qp_manifest_format_parse(&fmt, pool, "vite") && fmt == QP_MANIFEST_VITE,
              "formats: vite");
    qp_tap_ok(!qp_manifest_format_parse(&fmt, pool, "Entrypoints")
              && fmt == QP_MANIFEST_ENTRYPOINTS, "formats: entrypoints, any case");
    qp_tap_is_str(qp_manifest_format_parse(&fmt, pool, "webpack"),
                  "'webpack': unknown manifest format (expected vite, flat or entrypoints)",
                  "formats: an unknown one");
}

static void test_read_file(void)
{
    const char *dir, *path, *err;
    apr_file_t *fd;
    apr_finfo_t fi;
    char *data;
    apr_size_t len;

    apr_temp_dir_get(&dir, pool);
    path = apr_psprintf(pool, "%s/qp_manifest_test.%ld.json", dir, (long)getpid());
    apr_file_open(&fd, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                  APR_FPROT_OS_DEFAULT, pool);
    apr_file_puts(vite_manifest, fd);
    apr_file_close(fd);
    err = qp_manifest_read_file(&data, &len, &fi, pool, path);
    qp_tap_ok(!err && len == strlen(vite_manifest) && !strcmp(data, vite_manifest)
              && fi.size == (apr_off_t)len, "read: a manifest file, whole, with its size");

    /* 50 MB, sparse: refused from its size, not after reading it */
    apr_file_open(&fd, path, APR_FOPEN_WRITE | APR_FOPEN_TRUNCATE, APR_FPROT_OS_DEFAULT, pool);
    apr_file_trunc(fd, (apr_off_t)50 * 1024 * 1024);
    apr_file_close(fd);
    qp_tap_is_str(qp_manifest_read_file(&data, &len, NULL, pool, path),
                  apr_psprintf(pool, "the manifest '%s' is 52428800 bytes, more "
                               "than the 16 MB a manifest may have", path),
                  "read: a 50 MB file is refused before reading");
    qp_tap_ok(data == NULL && len == 0, "read: and nothing is returned");
    apr_file_remove(path, pool);
    qp_tap_is_str(qp_manifest_read_file(&data, &len, NULL, pool, path),
                  apr_psprintf(pool, "cannot open the manifest '%s': No such file "
                               "or directory", path),
                  "read: a missing file");
    qp_tap_is_str(qp_manifest_read_file(&data, &len, NULL, pool, dir),
                  apr_psprintf(pool, "the manifest '%s' is not a regular file (a directory)", dir),
                  "read: a directory");

    /* a FIFO: refused from a stat, before an open that would block */
    {
        const char *fifo = apr_psprintf(pool, "%s/qp_manifest_test.%ld.fifo",
                                        dir, (long)getpid());
        qp_manifest_t *m;

        apr_file_remove(fifo, pool);
        apr_file_namedpipe_create(fifo, APR_FPROT_UREAD | APR_FPROT_UWRITE, pool);
        qp_tap_is_str(qp_manifest_read_file(&data, &len, NULL, pool, fifo),
                      apr_psprintf(pool, "the manifest '%s' is not a regular "
                                   "file (a FIFO)", fifo),
                      "read: a FIFO is refused without blocking");
        qp_tap_ok(qp_manifest_load(&m, NULL, pool, QP_MANIFEST_VITE, fifo, NULL,
                                   NULL) != NULL && m == NULL,
                  "load: a FIFO too");
        apr_file_remove(fifo, pool);
    }

    /* load: read and parsed, with its file's identity */
    apr_file_open(&fd, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                  APR_FPROT_OS_DEFAULT, pool);
    apr_file_puts(vite_manifest, fd);
    apr_file_close(fd);
    {
        qp_manifest_t *m;
        err = qp_manifest_load(&m, &fi, pool, QP_MANIFEST_VITE, path, "/build/", NULL);
        qp_tap_ok(!err && m && qp_manifest_count(m) > 0
                  && fi.size == (apr_off_t)strlen(vite_manifest) && fi.ctime > 0,
                  "load: a manifest file, parsed, with its size and ctime");
        qp_tap_ok(qp_manifest_load(&m, NULL, pool, QP_MANIFEST_VITE, path,
                                   "https://cdn/x/", NULL) != NULL && !m,
                  "load: a bad base= is refused");
    }
    apr_file_remove(path, pool);
}

/* Where a manifest's files are on disk, and which file serves a URL. */
static void test_files_on_disk(void)
{
    qp_manifest_t *m;

    qp_tap_is_str(qp_manifest_files_dir(pool, QP_MANIFEST_VITE,
                                        "/srv/app/public/build/.vite/manifest.json"),
                  "/srv/app/public/build", "files dir: vite 5, the directory above .vite/");
    qp_tap_is_str(qp_manifest_files_dir(pool, QP_MANIFEST_VITE,
                                        "/srv/app/public/build/manifest.json"),
                  "/srv/app/public/build", "files dir: vite 4, the manifest's directory");
    qp_tap_is_str(qp_manifest_files_dir(pool, QP_MANIFEST_ENTRYPOINTS,
                                        "/srv/app/public/build/.vite/entrypoints.json"),
                  "/srv/app/public/build/.vite", "files dir: another format, the manifest's directory");
    qp_tap_is_str(qp_manifest_files_dir(pool, QP_MANIFEST_FLAT, "/m.json"), "/",
                  "files dir: the root directory");
    qp_tap_is_str(qp_manifest_base_check(pool, "/build"), NULL, "base check: a path");
    qp_tap_ok(qp_manifest_base_check(pool, "//cdn/build/") != NULL, "base check: another host");

    qp_manifest_parse(&m, pool, QP_MANIFEST_VITE, vite_manifest, strlen(vite_manifest),
                      "/build/", NULL);
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/build/assets/a-1.js"),
                  "/srv/b/assets/a-1.js", "file path: below base=, in the files' directory");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b/", m, "/build/assets/a%20b.js?v=3#x"),
                  "/srv/b/assets/a b.js", "file path: decoded, without its query");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/other/a.js"), NULL,
                  "file path: a URL outside base= has none");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/build/%2e%2e/etc/passwd"), NULL,
                  "file path: an encoded '..' segment has none");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/build/a/%2E%2e"), NULL,
                  "file path: an encoded '..' at the end too");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/build/a%00.js"), NULL,
                  "file path: an encoded NUL has none");
    qp_tap_is_str(qp_manifest_file_path(pool, "/srv/b", m, "/build/..a/b..c.js"),
                  "/srv/b/..a/b..c.js", "file path: dots inside a name are names");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_formats();
    test_vite();
    test_vite_real();
    test_base();
    test_vite_errors();
    test_vite_shapes();
    test_json_errors();
    test_bounds();
    test_flat();
    test_entrypoints();
    test_links();
    test_settings();
    test_settings_links();
    test_read_file();
    test_files_on_disk();
    apr_pool_destroy(pool);
    apr_terminate();
    return qp_tap_done();
}
