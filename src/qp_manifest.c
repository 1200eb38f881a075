/* SPDX-License-Identifier: Apache-2.0 */
/* Asset manifests: the JSON a build tool writes, compiled once into nodes
 * whose paths are already resolved, and each key's expansion into the
 * files its page loads, in the page's order. See qp_manifest.h for why
 * expansions are computed on demand rather than all at parse time.
 */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <apr_errno.h>
#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "qp_manifest.h"

/* One path of the manifest, resolved against base=, or why it cannot be. */
typedef struct qp_mf_item {
    qp_manifest_file f;         /* f.url is NULL when err is set */
    const char *err;
} qp_mf_item;

typedef struct qp_mf_node qp_mf_node;
struct qp_mf_node {
    const char *key;
    qp_mf_item *file;           /* vite and flat: the key's file */
    qp_mf_item *entry;          /* vite: the same file when the key itself
                                 * is expanded (a module, not a preload) */
    qp_mf_item **files;         /* vite: css; entrypoints: js then css */
    int nfiles;
    qp_mf_node **imports;       /* vite: NULL where the key is unknown */
    const char **import_keys;
    int nimports;
    int is_entry;               /* listed when a key is not found */
};

struct qp_manifest_t {
    qp_manifest_format_e fmt;
    qp_manifest_options opts;
    const char *base;           /* starts and ends with '/' */
    apr_hash_t *by_key;         /* key -> qp_mf_node * */
    apr_array_header_t *nodes;  /* qp_mf_node *, in the file's order */
};

static const char *const qp_mf_format_names[] = { "vite", "flat", "entrypoints" };

const char *qp_manifest_format_parse(qp_manifest_format_e *pfmt,
                                     apr_pool_t *p, const char *name)
{
    int i;

    for (i = 0; i < 3; ++i) {
        if (name && !strcasecmp(name, qp_mf_format_names[i])) {
            *pfmt = (qp_manifest_format_e)i;
            return NULL;
        }
    }
    return apr_psprintf(p, "'%s': unknown manifest format (expected vite, "
                        "flat or entrypoints)", name ? name : "");
}

const char *qp_manifest_format_name(qp_manifest_format_e fmt)
{
    return (unsigned)fmt < 3 ? qp_mf_format_names[fmt] : "unknown";
}

/* --- settings --------------------------------------------------------- */

static const char *const qp_mf_cors_names[] = {
    "none", "anonymous", "use-credentials"
};

void qp_manifest_options_init(qp_manifest_options *o)
{
    o->css_crossorigin = -1;
    o->scripts = QP_MANIFEST_SCRIPTS_DEFAULT;
}

/* "name=" at the start of word, in any case: the value after it. */
static const char *qp_mf_option_value(const char *word, const char *name)
{
    apr_size_t n = strlen(name);

    if (strncasecmp(word, name, n)) {
        return NULL;
    }
    if (word[n] == '=') {
        return word + n + 1;
    }
    return word[n] == '\0' ? "" : NULL;
}

int qp_manifest_option_parse(qp_manifest_options *o, const char **perr,
                             apr_pool_t *p, qp_manifest_format_e fmt,
                             const char *word)
{
    const char *v;
    int i;

    *perr = NULL;
    if ((v = qp_mf_option_value(word, "css-crossorigin")) != NULL) {
        if (o->css_crossorigin >= 0) {
            *perr = apr_psprintf(p, "'%s': css-crossorigin= is given twice",
                                 word);
            return 1;
        }
        for (i = 0; i < 3; ++i) {
            if (!strcasecmp(v, qp_mf_cors_names[i])) {
                o->css_crossorigin = i;
                return 1;
            }
        }
        *perr = apr_psprintf(p, "'%s': expected css-crossorigin=none, "
                             "css-crossorigin=anonymous or "
                             "css-crossorigin=use-credentials (the "
                             "crossorigin of the page's <link "
                             "rel=\"stylesheet\"> tags)", word);
        return 1;
    }
    if ((v = qp_mf_option_value(word, "scripts")) != NULL) {
        if (o->scripts != QP_MANIFEST_SCRIPTS_DEFAULT) {
            *perr = apr_psprintf(p, "'%s': scripts= is given twice", word);
        }
        else if (!strcasecmp(v, "module")) {
            o->scripts = QP_MANIFEST_SCRIPTS_MODULE;
        }
        else if (!strcasecmp(v, "classic")) {
            o->scripts = QP_MANIFEST_SCRIPTS_CLASSIC;
        }
        else {
            *perr = apr_psprintf(p, "'%s': expected scripts=module or "
                                 "scripts=classic (how the page loads the "
                                 "manifest's JavaScript)", word);
        }
        if (!*perr && fmt == QP_MANIFEST_VITE) {
            *perr = apr_psprintf(p, "'%s' is for flat and entrypoints "
                                 "manifests: a vite manifest's scripts are "
                                 "module scripts, as Vite builds them", word);
        }
        return 1;
    }
    return 0;
}

const char *qp_manifest_options_str(apr_pool_t *p,
                                    const qp_manifest_options *o)
{
    const char *css = NULL, *scripts = NULL;

    if (o->css_crossorigin >= 0 && o->css_crossorigin < 3) {
        css = apr_pstrcat(p, "css-crossorigin=",
                          qp_mf_cors_names[o->css_crossorigin], NULL);
    }
    if (o->scripts != QP_MANIFEST_SCRIPTS_DEFAULT) {
        scripts = o->scripts == QP_MANIFEST_SCRIPTS_MODULE ? "scripts=module"
                                                           : "scripts=classic";
    }
    if (css && scripts) {
        return apr_pstrcat(p, css, " ", scripts, NULL);
    }
    return css ? css : scripts;
}

qp_manifest_format_e qp_manifest_format(const qp_manifest_t *m)
{
    return m->fmt;
}

const char *qp_manifest_base(const qp_manifest_t *m)
{
    return m->base;
}

int qp_manifest_count(const qp_manifest_t *m)
{
    return m->nodes->nelts;
}

const char *qp_manifest_key(const qp_manifest_t *m, int i)
{
    if (i < 0 || i >= m->nodes->nelts) {
        return NULL;
    }
    return APR_ARRAY_IDX(m->nodes, i, const qp_mf_node *)->key;
}

/* --- reading ----------------------------------------------------------- */

/* Only a regular file of at most QP_MANIFEST_MAX_SIZE is read. */
static const char *qp_mf_check_finfo(apr_pool_t *p, const char *path,
                                     const apr_finfo_t *fi)
{
    if (fi->filetype != APR_REG) {
        return apr_psprintf(p, "the manifest '%s' is not a regular file (%s)",
                            path, fi->filetype == APR_DIR ? "a directory" :
                            fi->filetype == APR_PIPE ? "a FIFO" :
                            fi->filetype == APR_SOCK ? "a socket" :
                            fi->filetype == APR_CHR
                            || fi->filetype == APR_BLK ? "a device"
                                                        : "not a file");
    }
    if (fi->size > QP_MANIFEST_MAX_SIZE) {
        return apr_psprintf(p, "the manifest '%s' is %" APR_OFF_T_FMT " bytes, "
                            "more than the %d MB a manifest may have", path,
                            fi->size, QP_MANIFEST_MAX_SIZE / (1024 * 1024));
    }
    return NULL;
}

const char *qp_manifest_read_file(char **pdata, apr_size_t *plen,
                                  apr_finfo_t *finfo, apr_pool_t *p,
                                  const char *path)
{
    apr_file_t *fd;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t n = 0, extra = 0;
    char *buf, more, ebuf[256];
    const char *err = NULL;

    *pdata = NULL;
    *plen = 0;
    /* a FIFO, a device or a socket is refused from a stat, before any
     * open: opening a FIFO blocks until a writer comes, and would hold
     * httpd's start, its stop (which reads the configuration too) and a
     * child's reload */
    if ((rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, p))
        != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return apr_psprintf(p, "cannot open the manifest '%s': %s", path,
                            apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    if ((err = qp_mf_check_finfo(p, path, &fi)) != NULL) {
        return err;
    }
    /* and opened without blocking, should a FIFO replace it meanwhile;
     * the open file's type is checked again below */
    if ((rv = apr_file_open(&fd, path, APR_FOPEN_READ | APR_FOPEN_BINARY
                            | APR_FOPEN_NONBLOCK, 0, p)) != APR_SUCCESS) {
        return apr_psprintf(p, "cannot open the manifest '%s': %s", path,
                            apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    /* the size from the open file, so that what is checked is what is read */
    if ((rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE
                                | APR_FINFO_MTIME | APR_FINFO_CTIME
                                | APR_FINFO_INODE | APR_FINFO_DEV, fd))
        != APR_SUCCESS && rv != APR_INCOMPLETE) {
        err = apr_psprintf(p, "cannot stat the manifest '%s': %s", path,
                           apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    else if ((err = qp_mf_check_finfo(p, path, &fi)) != NULL) {
        /* said */
    }
    else {
        buf = apr_palloc(p, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(fd, buf, (apr_size_t)fi.size, &n);
        if (rv != APR_SUCCESS && rv != APR_EOF) {
            err = apr_psprintf(p, "cannot read the manifest '%s': %s", path,
                               apr_strerror(rv, ebuf, sizeof(ebuf)));
        }
        else if (n != (apr_size_t)fi.size
                 || apr_file_read_full(fd, &more, 1, &extra) != APR_EOF
                 || extra != 0) {
            /* rewritten in place while read: the caller tries again later */
            err = apr_psprintf(p, "the manifest '%s' changed while it was "
                               "read", path);
        }
        else {
            buf[n] = '\0';
            *pdata = buf;
            *plen = n;
            if (finfo) {
                *finfo = fi;
            }
        }
    }
    apr_file_close(fd);
    return err;
}

/* --- paths ------------------------------------------------------------- */

static int qp_mf_is_full_url(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8)
           || !strncmp(s, "//", 2);
}

/* "scheme:" before any '/', as in "data:..." or "blob:...". */
static int qp_mf_has_scheme(const char *s)
{
    const char *c = s;

    if (!apr_isalpha(*c)) {
        return 0;
    }
    while (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.') {
        ++c;
    }
    return *c == ':';
}

static const char *qp_mf_check_base(const char **pbase, apr_pool_t *p,
                                    const char *base)
{
    const char *err, *b;

    *pbase = "/";
    if (!base || !*base) {
        return NULL;
    }
    if (qp_mf_is_full_url(base)) {
        return apr_psprintf(p, "base=%s is a full URL: only files of this "
                            "server's origin are announced (expected a URL "
                            "path such as /build/)", base);
    }
    if (base[0] != '/') {
        return apr_psprintf(p, "base=%s is not a URL path (expected a path "
                            "starting with '/', such as /build/)", base);
    }
    if (strpbrk(base, "?#")) {
        return apr_psprintf(p, "base=%s has a query or a fragment (expected "
                            "a URL path such as /build/)", base);
    }
    b = base[strlen(base) - 1] == '/' ? apr_pstrdup(p, base)
                                      : apr_pstrcat(p, base, "/", NULL);
    if ((err = qp_url_check(p, b)) != NULL) {
        return apr_psprintf(p, "base=%s: %s", base, err);
    }
    *pbase = b;
    return NULL;
}

const char *qp_manifest_base_check(apr_pool_t *p, const char *base)
{
    const char *b;

    return qp_mf_check_base(&b, p, base);
}

/* The URL of path, or why there is none. */
static const char *qp_mf_resolve(const char **purl, apr_pool_t *p,
                                 const char *base, const char *path)
{
    const char *url, *err;

    *purl = NULL;
    if (!*path) {
        return "an empty path (expected the path of a built file)";
    }
    if (qp_mf_is_full_url(path)) {
        return apr_psprintf(p, "'%s' is a full URL: only files of this "
                            "server's origin are announced (expected a path, "
                            "relative to base= or starting with '/')", path);
    }
    if (qp_mf_has_scheme(path)) {
        return apr_psprintf(p, "'%s' is not a path: it starts with a URL "
                            "scheme", path);
    }
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
    }
    /* path is jansson's: copied either way */
    url = apr_pstrcat(p, path[0] == '/' ? "" : base, path, NULL);
    if (strlen(url) > QP_MANIFEST_MAX_URL) {
        return apr_psprintf(p, "'%.60s...' is longer than %d bytes, the "
                            "limit for a URL from a manifest", url,
                            QP_MANIFEST_MAX_URL);
    }
    if ((err = qp_url_check(p, url)) != NULL) {
        return err;
    }
    *purl = url;
    return NULL;
}

/* The tag that loads a file: want says how the manifest lists it (a Vite
 * "file", a "css" or "js" list, a flat value), and the extension decides
 * where the list does not: a Vite entry may be a CSS file or an asset. */
static qp_manifest_kind_e qp_mf_kind(qp_manifest_kind_e want, const char *as)
{
    int style = as && !strcmp(as, "style"), script = as && !strcmp(as, "script");

    switch (want) {
    case QP_MANIFEST_MODULE:
    case QP_MANIFEST_MODULEPRELOAD:
        return style ? QP_MANIFEST_STYLESHEET : script ? want : QP_MANIFEST_ASSET;
    case QP_MANIFEST_ASSET:
        return style ? QP_MANIFEST_STYLESHEET : script ? QP_MANIFEST_SCRIPT
                                                      : QP_MANIFEST_ASSET;
    default:
        return want;
    }
}

static qp_mf_item *qp_mf_item_make(apr_pool_t *p, const qp_manifest_t *m,
                                   const char *key, const char *path,
                                   qp_manifest_kind_e want)
{
    qp_mf_item *it = apr_pcalloc(p, sizeof(*it));
    const char *as = qp_link_infer_as(path);

    it->err = qp_mf_resolve(&it->f.url, p, m->base, path);
    it->f.key = key;
    it->f.kind = qp_mf_kind(want, as);
    if (it->f.kind == QP_MANIFEST_SCRIPT
        && m->opts.scripts == QP_MANIFEST_SCRIPTS_MODULE) {
        /* importmap-rails preloads a flat manifest's files with <link
         * rel="modulepreload">; an entrypoint's js is a module script */
        it->f.kind = want == QP_MANIFEST_ASSET ? QP_MANIFEST_MODULEPRELOAD
                                               : QP_MANIFEST_MODULE;
    }
    switch (it->f.kind) {
    case QP_MANIFEST_MODULE:
    case QP_MANIFEST_MODULEPRELOAD:
    case QP_MANIFEST_SCRIPT:
        it->f.as = "script";
        break;
    case QP_MANIFEST_STYLESHEET:
        it->f.as = "style";
        break;
    default:
        it->f.as = as;
    }
    /* Vite's HTML puts crossorigin on its script, modulepreload and
     * stylesheet tags; a module is fetched in CORS mode whatever its tag
     * says, and a font or fetch() preload is only used when made in CORS
     * mode (qp_link_make says the same). Backend helpers differ on
     * stylesheets only: css-crossorigin= says what theirs write. */
    if (it->f.kind == QP_MANIFEST_STYLESHEET) {
        it->f.crossorigin = m->opts.css_crossorigin >= 0 ?
                            (qp_crossorigin_e)m->opts.css_crossorigin :
                            m->fmt == QP_MANIFEST_VITE ?
                            QP_CROSSORIGIN_ANONYMOUS : QP_CROSSORIGIN_NONE;
    }
    else if ((m->fmt == QP_MANIFEST_VITE && it->f.kind != QP_MANIFEST_ASSET)
             || it->f.kind == QP_MANIFEST_MODULE
             || it->f.kind == QP_MANIFEST_MODULEPRELOAD
             || (it->f.as && (!strcmp(it->f.as, "font")
                              || !strcmp(it->f.as, "fetch")))) {
        it->f.crossorigin = QP_CROSSORIGIN_ANONYMOUS;
    }
    return it;
}

/* --- shapes ------------------------------------------------------------ */

static const char *qp_mf_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER:
    case JSON_REAL:    return "a number";
    case JSON_TRUE:    return "true";
    case JSON_FALSE:   return "false";
    default:           return "null";
    }
}

/* The strings of v[field], an array of strings (or, with one_ok, a single
 * string, as Vite 2 wrote "css"); none when it is absent. */
static const char *qp_mf_strings(const char ***pstrs, int *pn, apr_pool_t *p,
                                 const json_t *v, const char *key,
                                 const char *field, const char *what,
                                 int one_ok)
{
    const json_t *a = json_object_get(v, field), *s;
    size_t i;

    *pstrs = NULL;
    *pn = 0;
    if (!a) {
        return NULL;
    }
    if (one_ok && json_is_string(a)) {
        *pstrs = apr_palloc(p, sizeof(const char *));
        (*pstrs)[0] = apr_pstrdup(p, json_string_value(a));
        *pn = 1;
        return NULL;
    }
    if (!json_is_array(a)) {
        return apr_psprintf(p, "'%s': \"%s\" is %s, expected an array of %ss",
                            key, field, qp_mf_type(a), what);
    }
    *pstrs = apr_palloc(p, (json_array_size(a) + 1) * sizeof(const char *));
    json_array_foreach(a, i, s) {
        if (!json_is_string(s)) {
            return apr_psprintf(p, "'%s': \"%s\"[%d] is %s, expected a %s "
                                "(a string)", key, field, (int)i,
                                qp_mf_type(s), what);
        }
        (*pstrs)[i] = apr_pstrdup(p, json_string_value(s));
    }
    *pn = (int)json_array_size(a);
    return NULL;
}

static qp_mf_node *qp_mf_node_add(qp_manifest_t *m, apr_pool_t *p,
                                  const char *key)
{
    qp_mf_node *node = apr_pcalloc(p, sizeof(*node));

    node->key = apr_pstrdup(p, key);
    apr_hash_set(m->by_key, node->key, APR_HASH_KEY_STRING, node);
    APR_ARRAY_PUSH(m->nodes, qp_mf_node *) = node;
    return node;
}

/* One key of a Vite manifest and its value. */
static const char *qp_mf_vite_entry(qp_manifest_t *m, apr_pool_t *p,
                                    const char *key, const json_t *v)
{
    const char *err, **css;
    const json_t *file;
    int j, ncss;

    {
        qp_mf_node *node;

        if (!json_is_object(v)) {
            return apr_psprintf(p, "'%s' is %s, expected an object with "
                                "\"file\" (a Vite chunk)", key, qp_mf_type(v));
        }
        file = json_object_get(v, "file");
        if (!file) {
            return apr_psprintf(p, "'%s' has no \"file\" (expected the path "
                                "of the built file, a string)", key);
        }
        if (!json_is_string(file)) {
            return apr_psprintf(p, "'%s': \"file\" is %s, expected a string "
                                "(the path of the built file)", key,
                                qp_mf_type(file));
        }
        node = qp_mf_node_add(m, p, key);
        node->is_entry = json_is_true(json_object_get(v, "isEntry"));
        node->file = qp_mf_item_make(p, m, node->key, json_string_value(file),
                                     QP_MANIFEST_MODULEPRELOAD);
        node->entry = node->file;
        if (node->file->f.kind == QP_MANIFEST_MODULEPRELOAD) {
            node->entry = apr_pmemdup(p, node->file, sizeof(*node->file));
            node->entry->f.kind = QP_MANIFEST_MODULE;
        }
        if ((err = qp_mf_strings(&node->import_keys, &node->nimports, p, v,
                                 key, "imports", "manifest key", 0)) != NULL
            || (err = qp_mf_strings(&css, &ncss, p, v, key, "css", "path",
                                    1)) != NULL) {
            return err;
        }
        node->files = apr_palloc(p, (ncss + 1) * sizeof(qp_mf_item *));
        for (j = 0; j < ncss; ++j) {
            node->files[j] = qp_mf_item_make(p, m, node->key, css[j],
                                             QP_MANIFEST_STYLESHEET);
        }
        node->nfiles = ncss;
    }
    return NULL;
}

/* imports name keys, which may come later in the file: linked once all
 * keys are read */
static void qp_mf_vite_link(qp_manifest_t *m, apr_pool_t *p)
{
    int i, j;

    for (i = 0; i < m->nodes->nelts; ++i) {
        qp_mf_node *node = APR_ARRAY_IDX(m->nodes, i, qp_mf_node *);

        node->imports = apr_palloc(p, (node->nimports + 1) * sizeof(qp_mf_node *));
        for (j = 0; j < node->nimports; ++j) {
            node->imports[j] = apr_hash_get(m->by_key, node->import_keys[j],
                                            APR_HASH_KEY_STRING);
        }
    }
}

static const char *qp_mf_vite_root_error(apr_pool_t *p, const json_t *root)
{
    return apr_psprintf(p, "the manifest is %s, expected an object of "
                        "keys to {\"file\": ...} (Vite's "
                        ".vite/manifest.json)", qp_mf_type(root));
}

static const char *qp_mf_compile_vite(qp_manifest_t *m, apr_pool_t *p,
                                      const json_t *root)
{
    const char *key, *err;
    const json_t *v;

    if (!json_is_object(root)) {
        return qp_mf_vite_root_error(p, root);
    }
    json_object_foreach((json_t *)root, key, v) {
        if ((err = qp_mf_vite_entry(m, p, key, v)) != NULL) {
            return err;
        }
    }
    qp_mf_vite_link(m, p);
    return NULL;
}

/* One name of a flat manifest and its value. */
static const char *qp_mf_flat_entry(qp_manifest_t *m, apr_pool_t *p,
                                    const char *key, const json_t *v)
{
    const json_t *path;

    {
        qp_mf_node *node;

        /* Propshaft >= 1.1: {"digested_path": "...", "integrity": "..."} */
        path = json_is_object(v) ? json_object_get(v, "digested_path") : v;
        if (!path || !json_is_string(path)) {
            return apr_psprintf(p, "'%s' is %s, expected a path (a string) "
                                "or an object with \"digested_path\"%s", key,
                                json_is_object(v) && path ?
                                    "an object whose \"digested_path\" is not "
                                    "a string" : qp_mf_type(v),
                                !strcmp(key, "entrypoints") ?
                                    " (for a file of entrypoints, use the "
                                    "entrypoints format)" : "");
        }
        node = qp_mf_node_add(m, p, key);
        node->file = qp_mf_item_make(p, m, node->key, json_string_value(path),
                                     QP_MANIFEST_ASSET);
    }
    return NULL;
}

static const char *qp_mf_compile_flat(qp_manifest_t *m, apr_pool_t *p,
                                      const json_t *root)
{
    const char *key, *err;
    const json_t *v;

    if (!json_is_object(root)) {
        return apr_psprintf(p, "the manifest is %s, expected an object of "
                            "names to paths (webpack-manifest-plugin, "
                            "Propshaft)", qp_mf_type(root));
    }
    json_object_foreach((json_t *)root, key, v) {
        if ((err = qp_mf_flat_entry(m, p, key, v)) != NULL) {
            return err;
        }
    }
    return NULL;
}

static const char *qp_mf_compile_entrypoints(qp_manifest_t *m, apr_pool_t *p,
                                             const json_t *root)
{
    const char *name, *err, **js, **css;
    const json_t *eps, *v, *assets;
    int j, njs, ncss;

    eps = json_is_object(root) ? json_object_get(root, "entrypoints") : NULL;
    if (!eps || !json_is_object(eps)) {
        return apr_psprintf(p, "%s, expected {\"entrypoints\": {NAME: "
                            "{\"js\": [...], \"css\": [...]}}} (Encore's "
                            "entrypoints.json)",
                            !json_is_object(root) ?
                                apr_pstrcat(p, "the manifest is ",
                                            qp_mf_type(root), NULL) :
                            !eps ? "the manifest has no \"entrypoints\"" :
                                apr_pstrcat(p, "\"entrypoints\" is ",
                                            qp_mf_type(eps), NULL));
    }
    json_object_foreach((json_t *)eps, name, v) {
        qp_mf_node *node;

        if (!json_is_object(v)) {
            return apr_psprintf(p, "entrypoint '%s' is %s, expected an object "
                                "with \"js\" and \"css\" arrays", name,
                                qp_mf_type(v));
        }
        /* webpack-assets-manifest >= 4 nests them in "assets" */
        assets = json_object_get(v, "assets");
        if (assets) {
            if (!json_is_object(assets)) {
                return apr_psprintf(p, "entrypoint '%s': \"assets\" is %s, "
                                    "expected an object with \"js\" and "
                                    "\"css\" arrays", name, qp_mf_type(assets));
            }
            v = assets;
        }
        if ((err = qp_mf_strings(&js, &njs, p, v, name, "js", "path", 0))
            || (err = qp_mf_strings(&css, &ncss, p, v, name, "css", "path", 0))) {
            return apr_pstrcat(p, "entrypoint ", err, NULL);
        }
        node = qp_mf_node_add(m, p, name);
        node->is_entry = 1;
        node->files = apr_palloc(p, (njs + ncss + 1) * sizeof(qp_mf_item *));
        for (j = 0; j < njs; ++j) {
            node->files[node->nfiles++] = qp_mf_item_make(p, m, node->key,
                                                          js[j],
                                                          QP_MANIFEST_SCRIPT);
        }
        for (j = 0; j < ncss; ++j) {
            node->files[node->nfiles++] = qp_mf_item_make(p, m, node->key,
                                                          css[j],
                                                          QP_MANIFEST_STYLESHEET);
        }
    }
    return NULL;
}

/* What qp_manifest_parse and qp_manifest_load share: the checks before
 * the JSON is read, and the compilation once it is. */
static const char *qp_mf_begin(qp_manifest_t **pm, apr_pool_t *p,
                               qp_manifest_format_e fmt, const char *base,
                               const qp_manifest_options *opts)
{
    qp_manifest_t *m;
    const char *err;

    *pm = NULL;
    if ((unsigned)fmt >= 3) {
        return "unknown manifest format";
    }
    m = apr_pcalloc(p, sizeof(*m));
    m->fmt = fmt;
    if (opts) {
        m->opts = *opts;
    }
    else {
        qp_manifest_options_init(&m->opts);
    }
    if ((err = qp_mf_check_base(&m->base, p, base)) != NULL) {
        return err;
    }
    *pm = m;
    return NULL;
}

static const char *qp_mf_compile(qp_manifest_t **pm, apr_pool_t *p,
                                 qp_manifest_t *m, json_t *root)
{
    const char *err;

    m->by_key = apr_hash_make(p);
    m->nodes = apr_array_make(p, 16, sizeof(qp_mf_node *));
    switch (m->fmt) {
    case QP_MANIFEST_VITE:
        err = qp_mf_compile_vite(m, p, root);
        break;
    case QP_MANIFEST_FLAT:
        err = qp_mf_compile_flat(m, p, root);
        break;
    default:
        err = qp_mf_compile_entrypoints(m, p, root);
    }
    json_decref(root);
    if (err) {
        return apr_pstrcat(p, qp_mf_format_names[m->fmt], " manifest: ", err,
                           NULL);
    }
    *pm = m;
    return NULL;
}

/* --- reading key by key ----------------------------------------------- */

/* The ends of JSON tokens in the text [c, end), for splitting an object
 * into its members; jansson reads each member and checks it. */
static const char *qp_mf_ws(const char *c, const char *end)
{
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')) {
        ++c;
    }
    return c;
}

/* The end of the string at c (its '"'), or NULL. */
static const char *qp_mf_scan_string(const char *c, const char *end)
{
    for (++c; c < end; ++c) {
        if (*c == '\\') {
            if (++c == end) {
                return NULL;
            }
        }
        else if (*c == '"') {
            return c + 1;
        }
    }
    return NULL;
}

/* The end of the value at c, or NULL: strings and nesting are followed,
 * the rest is jansson's to check. */
static const char *qp_mf_scan_value(const char *c, const char *end)
{
    int depth = 0;

    if (c == end) {
        return NULL;
    }
    if (*c == '"') {
        return qp_mf_scan_string(c, end);
    }
    if (*c != '{' && *c != '[') {
        while (c < end && *c && !strchr(",}] \t\r\n", *c)) {
            ++c;
        }
        return c;
    }
    for (; c < end; ++c) {
        if (*c == '"') {
            if ((c = qp_mf_scan_string(c, end)) == NULL) {
                return NULL;
            }
            --c;
        }
        else if (*c == '{' || *c == '[') {
            ++depth;
        }
        else if ((*c == '}' || *c == ']') && --depth == 0) {
            return c + 1;
        }
    }
    return NULL;
}

/* Compiles a vite or flat manifest one key at a time: jansson builds the
 * tree of one value, which is compiled and freed before the next. The
 * peak is then the text and the compiled form, where the tree of the
 * whole file is some 7 times its size (a 15 MB manifest took a child to
 * 172 MB). Anything irregular (invalid JSON, a duplicate key, a value of
 * the wrong shape) returns qp_mf_whole: the caller then reads the whole
 * file as one tree, as before, which says what is wrong in jansson's
 * words, with the file's line and column. jansson has no streaming
 * reader; this splits only the outer object, by strings and nesting. */
static const char qp_mf_whole[] = "read it whole";

static const char *qp_mf_compile_keys(qp_manifest_t *m, apr_pool_t *p,
                                      const char *text, apr_size_t len)
{
    const char *c, *end = text + len, *ke, *v, *ve, *err;
    json_error_t jerr;

    c = qp_mf_ws(text, end);
    if (c == end || *c != '{') {
        return qp_mf_whole;
    }
    c = qp_mf_ws(c + 1, end);
    while (c < end && *c != '}') {
        json_t *key, *val;

        if (*c != '"' || (ke = qp_mf_scan_string(c, end)) == NULL) {
            return qp_mf_whole;
        }
        key = json_loadb(c, (size_t)(ke - c), JSON_DECODE_ANY, &jerr);
        c = qp_mf_ws(ke, end);
        if (!key || c == end || *c != ':'
            || apr_hash_get(m->by_key, json_string_value(key),
                            APR_HASH_KEY_STRING)) {
            json_decref(key);
            return qp_mf_whole;
        }
        v = qp_mf_ws(c + 1, end);
        ve = qp_mf_scan_value(v, end);
        val = ve ? json_loadb(v, (size_t)(ve - v), JSON_DECODE_ANY
                              | JSON_REJECT_DUPLICATES, &jerr) : NULL;
        err = !val ? qp_mf_whole
            : m->fmt == QP_MANIFEST_VITE ?
                qp_mf_vite_entry(m, p, json_string_value(key), val)
            : qp_mf_flat_entry(m, p, json_string_value(key), val);
        json_decref(val);
        json_decref(key);
        if (err) {
            return qp_mf_whole;
        }
        c = qp_mf_ws(ve, end);
        if (c < end && *c == ',') {
            c = qp_mf_ws(c + 1, end);
            if (c < end && *c == '}') {
                return qp_mf_whole;     /* a trailing comma */
            }
        }
        else if (c == end || *c != '}') {
            return qp_mf_whole;
        }
    }
    if (c == end || qp_mf_ws(c + 1, end) != end) {
        return qp_mf_whole;
    }
    if (m->fmt == QP_MANIFEST_VITE) {
        qp_mf_vite_link(m, p);
    }
    return NULL;
}

static const char *qp_mf_json_error(apr_pool_t *p, const json_error_t *jerr)
{
    return apr_psprintf(p, "invalid JSON at line %d, column %d: %s",
                        jerr->line, jerr->column, jerr->text);
}

/* The text of a manifest, compiled key by key where it can be, else as
 * one tree (see qp_mf_compile_keys). */
static const char *qp_mf_parse_text(qp_manifest_t **pm, apr_pool_t *p,
                                    qp_manifest_t *m, const char *json,
                                    apr_size_t len)
{
    json_t *root;
    json_error_t jerr;

    if (m->fmt != QP_MANIFEST_ENTRYPOINTS) {
        m->by_key = apr_hash_make(p);
        m->nodes = apr_array_make(p, 16, sizeof(qp_mf_node *));
        if (qp_mf_compile_keys(m, p, json, len) == NULL) {
            *pm = m;
            return NULL;
        }
    }
    /* a duplicate key would hide one of its values */
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        return qp_mf_json_error(p, &jerr);
    }
    return qp_mf_compile(pm, p, m, root);
}

const char *qp_manifest_parse(qp_manifest_t **pm, apr_pool_t *p,
                              qp_manifest_format_e fmt, const char *json,
                              apr_size_t len, const char *base,
                              const qp_manifest_options *opts)
{
    qp_manifest_t *m;
    const char *err;

    *pm = NULL;
    if (len > QP_MANIFEST_MAX_SIZE) {
        return apr_psprintf(p, "the manifest is %" APR_SIZE_T_FMT " bytes, "
                            "more than the %d MB a manifest may have", len,
                            QP_MANIFEST_MAX_SIZE / (1024 * 1024));
    }
    if ((err = qp_mf_begin(&m, p, fmt, base, opts)) != NULL) {
        return err;
    }
    return qp_mf_parse_text(pm, p, m, json, len);
}

const char *qp_manifest_load(qp_manifest_t **pm, apr_finfo_t *finfo,
                             apr_pool_t *p, qp_manifest_format_e fmt,
                             const char *path, const char *base,
                             const qp_manifest_options *opts)
{
    qp_manifest_t *m;
    apr_pool_t *raw;
    char *data;
    apr_size_t len;
    const char *err;

    *pm = NULL;
    if ((err = qp_mf_begin(&m, p, fmt, base, opts)) != NULL) {
        return err;
    }
    /* the file's bytes live only while it is compiled */
    if (apr_pool_create(&raw, p) != APR_SUCCESS) {
        return "out of memory";
    }
    err = qp_manifest_read_file(&data, &len, finfo, raw, path);
    if (err) {
        err = apr_pstrdup(p, err);
    }
    else {
        err = qp_mf_parse_text(pm, p, m, data, len);
    }
    apr_pool_destroy(raw);
    return err;
}

/* --- files on disk ---------------------------------------------------- */

const char *qp_manifest_files_dir(apr_pool_t *p, qp_manifest_format_e fmt,
                                  const char *path)
{
    char *dir = apr_pstrdup(p, path), *slash = strrchr(dir, '/');

    if (!slash) {
        return ".";
    }
    *slash = '\0';
    /* Vite 5 and later write outDir/.vite/manifest.json, earlier ones
     * outDir/manifest.json */
    if (fmt == QP_MANIFEST_VITE && (slash = strrchr(dir, '/')) != NULL
        && !strcmp(slash + 1, ".vite")) {
        *slash = '\0';
    }
    return *dir ? dir : "/";
}

static int qp_mf_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

const char *qp_manifest_file_path(apr_pool_t *p, const char *dir,
                                  const qp_manifest_t *m, const char *url)
{
    apr_size_t blen = strlen(m->base), n;
    const char *rel, *seg;
    char *path, *o;
    int hi, lo;

    if (strncmp(url, m->base, blen)) {
        return NULL;
    }
    rel = url + blen;
    n = strcspn(rel, "?#");
    path = apr_palloc(p, strlen(dir) + 1 + n + 1);
    o = apr_cpystrn(path, dir, strlen(dir) + 1);
    if (o == path || o[-1] != '/') {
        *o++ = '/';
    }
    seg = o;
    for (; n; --n, ++rel) {
        if (*rel == '%' && n >= 3 && (hi = qp_mf_hex(rel[1])) >= 0
            && (lo = qp_mf_hex(rel[2])) >= 0) {
            *o = (char)(hi * 16 + lo);
            rel += 2;
            n -= 2;
        }
        else {
            *o = *rel;
        }
        if (*o == '\0') {
            return NULL;
        }
        if (*o == '/') {
            /* a ".." that was written encoded: qp_url_check saw none */
            if ((o - seg == 2 && seg[0] == '.' && seg[1] == '.')) {
                return NULL;
            }
            seg = o + 1;
        }
        ++o;
    }
    if (o - seg == 2 && seg[0] == '.' && seg[1] == '.') {
        return NULL;
    }
    *o = '\0';
    return path;
}

/* --- expansion --------------------------------------------------------- */

typedef struct {
    const qp_mf_node *root;
    apr_array_header_t *files;  /* const qp_manifest_file * */
    apr_hash_t *urls;           /* the URLs in files */
    apr_pool_t *p;
} qp_mf_out;

static const char *qp_mf_out_add(qp_mf_out *out, const qp_mf_item *it)
{
    if (it->err) {
        if (strcmp(it->f.key, out->root->key)) {
            return apr_psprintf(out->p, "'%s': its import '%s': %s",
                                out->root->key, it->f.key, it->err);
        }
        return apr_psprintf(out->p, "'%s': %s", out->root->key, it->err);
    }
    if (apr_hash_get(out->urls, it->f.url, APR_HASH_KEY_STRING)) {
        return NULL;
    }
    if (out->files->nelts >= QP_MANIFEST_MAX_FILES) {
        return apr_psprintf(out->p, "'%s' expands to more than %d files (the "
                            "limit for one manifest key)", out->root->key,
                            QP_MANIFEST_MAX_FILES);
    }
    apr_hash_set(out->urls, it->f.url, APR_HASH_KEY_STRING, it);
    APR_ARRAY_PUSH(out->files, const qp_manifest_file *) = &it->f;
    return NULL;
}

typedef struct {
    const qp_mf_node *node;
    int next;                   /* the next import to look at */
} qp_mf_frame;

static const char qp_mf_on_stack = 1, qp_mf_done = 2;

/* The chunks root imports, recursively, each once and after its own
 * imports (Vite's post-order), into order[]; a cycle or a chain deeper
 * than QP_MANIFEST_MAX_DEPTH is an error. No recursion: the walk keeps its
 * own stack, bounded by QP_MANIFEST_MAX_DEPTH, and stops after
 * QP_MANIFEST_MAX_FILES chunks. */
static const char *qp_mf_walk(const qp_mf_node ***porder, int *pn,
                              const qp_mf_node *root, apr_pool_t *tmp,
                              apr_pool_t *p)
{
    qp_mf_frame *stack = apr_palloc(tmp, (QP_MANIFEST_MAX_DEPTH + 1)
                                         * sizeof(*stack));
    const qp_mf_node **order = apr_palloc(tmp, QP_MANIFEST_MAX_FILES
                                               * sizeof(*order));
    apr_hash_t *state = apr_hash_make(tmp);
    int depth = 1, n = 0;

    stack[0].node = root;
    stack[0].next = 0;
    apr_hash_set(state, root->key, APR_HASH_KEY_STRING, &qp_mf_on_stack);
    while (depth > 0) {
        qp_mf_frame *fr = &stack[depth - 1];
        const qp_mf_node *child;
        const char *st;

        if (fr->next == fr->node->nimports) {
            apr_hash_set(state, fr->node->key, APR_HASH_KEY_STRING, &qp_mf_done);
            if (fr->node != root) {
                if (n == QP_MANIFEST_MAX_FILES - 1) {
                    return apr_psprintf(p, "'%s' expands to more than %d "
                                        "files (the limit for one manifest "
                                        "key)", root->key,
                                        QP_MANIFEST_MAX_FILES);
                }
                order[n++] = fr->node;
            }
            --depth;
            continue;
        }
        child = fr->node->imports[fr->next];
        if (!child) {
            const char *name = fr->node->import_keys[fr->next];
            if (fr->node == root) {
                return apr_psprintf(p, "'%s' imports '%s', which is not in "
                                    "the manifest", root->key, name);
            }
            return apr_psprintf(p, "'%s': '%s' imports '%s', which is not in "
                                "the manifest", root->key, fr->node->key, name);
        }
        ++fr->next;
        st = apr_hash_get(state, child->key, APR_HASH_KEY_STRING);
        if (st == &qp_mf_done) {
            continue;
        }
        if (st == &qp_mf_on_stack) {
            const char *cycle = NULL;
            int i;

            for (i = 0; i < depth; ++i) {
                if (cycle || stack[i].node == child) {
                    cycle = apr_psprintf(p, "%s'%s' -> ", cycle ? cycle : "",
                                         stack[i].node->key);
                }
            }
            return apr_psprintf(p, "'%s': imports form a cycle: %s'%s'",
                                root->key, cycle, child->key);
        }
        if (depth > QP_MANIFEST_MAX_DEPTH) {
            return apr_psprintf(p, "'%s': imports nest deeper than %d levels",
                                root->key, QP_MANIFEST_MAX_DEPTH);
        }
        apr_hash_set(state, child->key, APR_HASH_KEY_STRING, &qp_mf_on_stack);
        stack[depth].node = child;
        stack[depth].next = 0;
        ++depth;
    }
    *porder = order;
    *pn = n;
    return NULL;
}

static const char *qp_mf_expand_vite(qp_mf_out *out, apr_pool_t *tmp)
{
    const qp_mf_node **order = NULL;
    const char *err;
    int i, j, n = 0;

    if ((err = qp_mf_walk(&order, &n, out->root, tmp, out->p)) != NULL
        || (err = qp_mf_out_add(out, out->root->entry)) != NULL) {
        return err;
    }
    for (i = 0; i < n; ++i) {
        if ((err = qp_mf_out_add(out, order[i]->file)) != NULL) {
            return err;
        }
    }
    /* the CSS of the imported chunks in the same order, the root's last */
    for (i = 0; i <= n; ++i) {
        const qp_mf_node *node = i < n ? order[i] : out->root;
        for (j = 0; j < node->nfiles; ++j) {
            if ((err = qp_mf_out_add(out, node->files[j])) != NULL) {
                return err;
            }
        }
    }
    return NULL;
}

/* The edit distance between a and b (Levenshtein), or -1 when either is
 * longer than QP_MF_NEAR_MAX: for naming the keys nearest to a key that
 * is not in a manifest (a typo, or the last build's hashed chunk name). */
#define QP_MF_NEAR_MAX   256
#define QP_MF_NEAR_SCAN  10000      /* keys compared at most */
#define QP_MF_NEAR_SHOWN 5

static int qp_mf_distance(const char *a, const char *b)
{
    int row[QP_MF_NEAR_MAX + 1];
    apr_size_t la = strlen(a), lb = strlen(b), i, j;

    if (la > QP_MF_NEAR_MAX || lb > QP_MF_NEAR_MAX) {
        return -1;
    }
    for (j = 0; j <= lb; ++j) {
        row[j] = (int)j;
    }
    for (i = 1; i <= la; ++i) {
        int diag = row[0];
        row[0] = (int)i;
        for (j = 1; j <= lb; ++j) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* "no key ..." with the manifest's entries when it has a few (Vite's
 * isEntry keys, entrypoints' names), else the nearest of its entries, or
 * of its keys when none is an entry (flat). */
static const char *qp_mf_unknown_key(const qp_manifest_t *m, apr_pool_t *p,
                                     const char *key)
{
    const qp_mf_node *near[QP_MF_NEAR_SHOWN];
    int dist[QP_MF_NEAR_SHOWN];
    const char *list = NULL;
    int i, k, n = 0, entries = 0, scanned = 0;

    for (i = 0; i < m->nodes->nelts; ++i) {
        entries += APR_ARRAY_IDX(m->nodes, i, const qp_mf_node *)->is_entry;
    }
    for (i = 0; i < m->nodes->nelts && scanned < QP_MF_NEAR_SCAN; ++i) {
        const qp_mf_node *node = APR_ARRAY_IDX(m->nodes, i, const qp_mf_node *);
        int d;

        if (entries && !node->is_entry) {
            continue;
        }
        ++scanned;
        if (entries && entries <= QP_MF_NEAR_SHOWN) {
            d = 0;              /* a few: all of them, in the file's order */
        }
        else if ((d = qp_mf_distance(key, node->key)) < 0) {
            continue;
        }
        /* kept sorted by distance, the file's order among equals */
        if (n == QP_MF_NEAR_SHOWN && d >= dist[n - 1]) {
            continue;
        }
        k = n < QP_MF_NEAR_SHOWN ? n++ : n - 1;
        while (k > 0 && dist[k - 1] > d) {
            near[k] = near[k - 1];
            dist[k] = dist[k - 1];
            --k;
        }
        near[k] = node;
        dist[k] = d;
    }
    for (i = 0; i < n; ++i) {
        list = apr_psprintf(p, "%s%s'%s'", list ? list : "", list ? ", " : "",
                            near[i]->key);
    }
    return apr_psprintf(p, "no key '%s' in the manifest%s%s%s", key,
                        !list ? "" : entries && entries <= QP_MF_NEAR_SHOWN ?
                        " (its entries: " : entries ?
                        " (the nearest of its entries: " : " (the nearest of "
                        "its keys: ", list ? list : "", list ? ")" : "");
}

const char *qp_manifest_expand(const apr_array_header_t **pfiles,
                               const qp_manifest_t *m, const char *key,
                               apr_pool_t *p)
{
    qp_mf_out out;
    apr_pool_t *tmp;
    const char *err = NULL;
    int i;

    *pfiles = NULL;
    out.root = apr_hash_get(m->by_key, key, APR_HASH_KEY_STRING);
    if (!out.root) {
        return qp_mf_unknown_key(m, p, key);
    }
    out.p = p;
    /* the walk's stack and the seen URLs go when the expansion is made */
    apr_pool_create(&tmp, p);
    out.urls = apr_hash_make(tmp);
    out.files = apr_array_make(p, out.root->nfiles + 2,
                               sizeof(const qp_manifest_file *));
    if (m->fmt == QP_MANIFEST_VITE) {
        err = qp_mf_expand_vite(&out, tmp);
    }
    else {
        if (out.root->file) {
            err = qp_mf_out_add(&out, out.root->file);
        }
        for (i = 0; !err && i < out.root->nfiles; ++i) {
            err = qp_mf_out_add(&out, out.root->files[i]);
        }
    }
    apr_pool_destroy(tmp);
    if (!err) {
        *pfiles = out.files;
    }
    return err;
}

/* --- links ------------------------------------------------------------- */

static int qp_mf_param_is(const char *param, const char *name)
{
    apr_size_t n = strlen(name);
    return !strncasecmp(param, name, n) && (param[n] == '\0' || param[n] == '=');
}

const char *qp_manifest_file_link(qp_link **plink, apr_pool_t *p,
                                  const qp_manifest_file *f, int nparams,
                                  const char *const *params)
{
    const char **all = apr_palloc(p, (nparams + 2) * sizeof(const char *));
    int i, n = 0, has_as = 0, has_cors = 0;

    for (i = 0; i < nparams; ++i) {
        has_as |= qp_mf_param_is(params[i], "as");
        has_cors |= qp_mf_param_is(params[i], "crossorigin");
    }
    if (f->as && !has_as) {
        all[n++] = apr_pstrcat(p, "as=", f->as, NULL);
    }
    if (f->crossorigin != QP_CROSSORIGIN_NONE && !has_cors) {
        all[n++] = f->crossorigin == QP_CROSSORIGIN_USE_CREDENTIALS ?
                   "crossorigin=use-credentials" : "crossorigin";
    }
    for (i = 0; i < nparams; ++i) {
        all[n++] = params[i];
    }
    return qp_link_make(plink, p, f->url, n, all);
}

const char *qp_manifest_hint_header(apr_pool_t *p, const qp_manifest_file *f,
                                    const qp_link *link)
{
    if (f->kind != QP_MANIFEST_MODULE && f->kind != QP_MANIFEST_MODULEPRELOAD) {
        return link->header;
    }
    return apr_pstrcat(p, "<", link->url, ">; rel=modulepreload",
                       qp_crossorigin_attr(link->crossorigin), NULL);
}
