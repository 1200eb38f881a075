/* SPDX-License-Identifier: Apache-2.0 */
/* Asset manifests written by build tools (Vite, webpack-manifest-plugin,
 * Propshaft, Encore, webpack-assets-manifest): which fingerprinted files a
 * page entry needs, read from JSON with jansson. Pure APR code.
 *
 * A manifest is read once into an immutable compiled form, allocated from
 * one pool: a reload builds a new one in a new pool and swaps a pointer,
 * and nothing is ever written to a published manifest, so threads may read
 * it at will. Parsing checks the JSON and the shape of the whole file and
 * resolves every path against base=; a key's expansion is computed on
 * demand by qp_manifest_expand, which is meant to run at configuration or
 * reload time for each key the configuration names (an "@NAME:KEY"
 * resource), into the pool of that generation, never per request. Why
 * not precompute every key at parse time: a Vite manifest has a key for
 * every chunk, asset and CSS file, most of which no configuration names,
 * and the total of all expansions grows with keys x imports (a 16 MB file
 * could ask for billions of steps). Problems that belong to one key
 * (an unknown import, a cycle, a path that is not a pushable URL, too many
 * files) are reported by its expansion, so that one odd asset file
 * somewhere in a manifest does not stop the keys that are fine.
 *
 * Every message is a sentence the glue can prefix with the directive and
 * the file (httpd adds "Syntax error on line N of FILE").
 */
#ifndef QP_MANIFEST_H
#define QP_MANIFEST_H

#include <apr_file_info.h>
#include <apr_pools.h>
#include <apr_tables.h>

#include "qp_link.h"

/* The largest manifest file read (16 MB), checked before reading: jansson's
 * tree of a file takes several times its size while it is compiled. Real
 * manifests are well under 1 MB. */
#define QP_MANIFEST_MAX_SIZE   (16 * 1024 * 1024)
/* The most files one key may expand to: a page that needs more is a
 * mistake, and a Link header with more is never useful. */
#define QP_MANIFEST_MAX_FILES  1000
/* The deepest chain of Vite imports followed (entry -> chunk -> ...). */
#define QP_MANIFEST_MAX_DEPTH  128
/* The longest URL a manifest path may resolve to, in bytes. */
#define QP_MANIFEST_MAX_URL    2048
/* JSON nesting is bounded by jansson itself (2048 levels, an error with
 * line and column); the formats need 4. */

typedef enum {
    QP_MANIFEST_VITE = 0,       /* .vite/manifest.json */
    QP_MANIFEST_FLAT,           /* {"name": "path"} or Propshaft's
                                 * {"name": {"digested_path": "path"}} */
    QP_MANIFEST_ENTRYPOINTS     /* {"entrypoints": {NAME: {"js": [...],
                                 * "css": [...]}}} (Encore; also with
                                 * webpack-assets-manifest's "assets": {...}) */
} qp_manifest_format_e;

/* What a file is to the page, i.e. which tag loads it there. */
typedef enum {
    QP_MANIFEST_MODULE = 0,     /* <script type="module">: a Vite entry */
    QP_MANIFEST_MODULEPRELOAD,  /* <link rel="modulepreload">: a chunk the
                                 * entry imports, directly or not */
    QP_MANIFEST_STYLESHEET,     /* <link rel="stylesheet"> */
    QP_MANIFEST_SCRIPT,         /* a classic <script src> (entrypoints' js) */
    QP_MANIFEST_ASSET           /* anything else (flat): as= from the
                                 * extension, maybe unknown */
} qp_manifest_kind_e;

typedef struct qp_manifest_file {
    const char *url;            /* passes qp_url_check */
    const char *key;            /* the manifest key it comes from */
    qp_manifest_kind_e kind;
    const char *as;             /* "script", "style", ..., or NULL */
    qp_crossorigin_e crossorigin; /* the CORS mode of the page's tag: the
                                 * hint must use the same, or the browser
                                 * fetches the file twice */
} qp_manifest_file;

typedef struct qp_manifest_t qp_manifest_t;

/* How the page's tags load the files, where the manifest cannot say it:
 * the backend's helper writes the tags, not the build tool, and helpers
 * differ (docs/manifests.md, "Per stack"). A hint must match its tag's
 * fetch (destination, CORS mode), or the browser fetches the file twice.
 * QuartPushManifest takes them as "css-crossorigin=MODE" and
 * "scripts=module|classic", apart from the link parameters. */
typedef enum {
    QP_MANIFEST_SCRIPTS_DEFAULT = 0,    /* the format's: vite's are modules,
                                         * flat's and entrypoints' classic */
    QP_MANIFEST_SCRIPTS_CLASSIC,        /* <script src> */
    QP_MANIFEST_SCRIPTS_MODULE          /* <script type="module">, or
                                         * importmap-rails' modulepreload */
} qp_manifest_scripts_e;

typedef struct qp_manifest_options {
    int css_crossorigin;        /* a qp_crossorigin_e for every stylesheet,
                                 * or -1 for the format's (vite: anonymous,
                                 * as Vite's HTML; flat, entrypoints: none) */
    qp_manifest_scripts_e scripts; /* flat and entrypoints only: a vite
                                 * manifest's scripts are modules */
} qp_manifest_options;

/* The formats' own settings: what qp_manifest_parse uses for NULL. */
void qp_manifest_options_init(qp_manifest_options *o);

/* When word is one of the settings above ("css-crossorigin=none",
 * "scripts=module"), records it in o and returns 1, with *perr NULL, or
 * with *perr a message quoting word when its value is not one of the
 * expected ones, when it is given twice, or when it makes no sense for
 * fmt (scripts= on vite). Any other word (a link parameter) returns 0 and
 * leaves o alone. */
int qp_manifest_option_parse(qp_manifest_options *o, const char **perr,
                             apr_pool_t *p, qp_manifest_format_e fmt,
                             const char *word);

/* The settings o gives explicitly, as written ("css-crossorigin=none
 * scripts=module"), or NULL for none (status page, dumps). */
const char *qp_manifest_options_str(apr_pool_t *p,
                                    const qp_manifest_options *o);

/* *pfmt for "vite", "flat" or "entrypoints"; otherwise a message. */
const char *qp_manifest_format_parse(qp_manifest_format_e *pfmt,
                                     apr_pool_t *p, const char *name);
const char *qp_manifest_format_name(qp_manifest_format_e fmt);

/* Reads the file at path into *pdata (NUL-terminated, *plen bytes) from p.
 * Refuses, from a stat before any open, a file that is not a regular file
 * (a FIFO would block the open) or is larger than QP_MANIFEST_MAX_SIZE,
 * and opens without blocking. finfo, when not NULL, gets the open file's
 * information as read (device, inode, size, mtime, ctime) so that a reload
 * can tell when it changes. Messages quote path. */
const char *qp_manifest_read_file(char **pdata, apr_size_t *plen,
                                  apr_finfo_t *finfo, apr_pool_t *p,
                                  const char *path);

/* NULL when base (base= of QuartPushManifest) is a URL path that files
 * can resolve against, otherwise why not: configuration, checked before
 * any manifest is read. */
const char *qp_manifest_base_check(apr_pool_t *p, const char *base);

/* qp_manifest_read_file, then qp_manifest_parse, with the file's bytes
 * freed as soon as jansson has read them (the peak is never the text, the
 * tree and the compiled form together). finfo as qp_manifest_read_file's;
 * messages as theirs. */
const char *qp_manifest_load(qp_manifest_t **pm, apr_finfo_t *finfo,
                             apr_pool_t *p, qp_manifest_format_e fmt,
                             const char *path, const char *base,
                             const qp_manifest_options *opts);

/* Compiles the JSON text json[0, len) of format fmt into *pm, from p,
 * with the settings opts (NULL: the format's own; copied).
 * base is the URL prefix that relative paths resolve against ("/build/";
 * a missing final '/' is added; NULL or "" for "/"); paths that start with
 * '/' stay as they are; full URLs (http://, https://, //) are refused where
 * a key expands to them, since only this origin's files are announced.
 * Errors: invalid JSON (jansson's message with line and column), a file
 * larger than QP_MANIFEST_MAX_SIZE, a bad base, and the wrong shape for
 * the format (naming the key and what was expected). Keys an entry does not
 * need are ignored: build tools add fields over versions. On failure *pm is
 * NULL and what was allocated stays in p: give each load a pool of its own
 * and destroy it on failure. A vite or flat manifest is read one key at
 * a time (jansson's tree of one value at once: the peak is the text and
 * the compiled form, about 5 times the file, where the tree of the whole
 * file is some 7 times it); anything irregular in it is read again as one
 * tree, so that the message is jansson's, with the file's line and
 * column. jansson's trees are freed before returning. */
const char *qp_manifest_parse(qp_manifest_t **pm, apr_pool_t *p,
                              qp_manifest_format_e fmt, const char *json,
                              apr_size_t len, const char *base,
                              const qp_manifest_options *opts);

/* The files of key, in the order the page's tags load them, each once, as
 * an array of const qp_manifest_file * allocated from p (the files
 * themselves belong to m: they live as long as its pool).
 *   vite: as Vite's own built HTML does (html.ts): the key's file (a module
 *     script; a stylesheet for a CSS entry), then every chunk it imports,
 *     recursively, depth first, each after its own imports (modulepreload),
 *     then the CSS of those chunks in the same order and the key's own CSS
 *     last. dynamicImports are never followed. Every file has crossorigin,
 *     as Vite's tags have, but stylesheets take css-crossorigin= when given.
 *   flat: the one file, as= from its extension; a .js or .mjs file is a
 *     modulepreload with scripts=module, a classic script otherwise.
 *   entrypoints: the name's js (classic scripts, or module scripts with
 *     scripts=module) then its css, in order.
 * Module scripts and modulepreloads always have crossorigin: a module is
 * fetched in CORS mode, and a push client's rel=preload must say so to be
 * used; stylesheets have css-crossorigin='s mode, or the format's.
 * Errors: an unknown key, an import that is not in the manifest, a cycle of
 * imports (named: 'a' -> 'b' -> 'a'), imports deeper than
 * QP_MANIFEST_MAX_DEPTH, a path that is not a pushable URL (quoted), more
 * than QP_MANIFEST_MAX_FILES files. Work and memory are bounded by
 * QP_MANIFEST_MAX_FILES, not by the size of the manifest; the walk's
 * scratch is a subpool of p, gone on return. m is only read, so threads may
 * expand from one manifest at once, each with its own p. */
const char *qp_manifest_expand(const apr_array_header_t **pfiles,
                               const qp_manifest_t *m, const char *key,
                               apr_pool_t *p);

/* The link for one file of an expansion, for push clients: rel=preload with
 * the file's as= and crossorigin, then params (critical, nopush, ... as
 * QuartPushResource takes them, given after an "@NAME:KEY" resource).
 * An as= or crossorigin in params replaces the file's own. */
const char *qp_manifest_file_link(qp_link **plink, apr_pool_t *p,
                                  const qp_manifest_file *f, int nparams,
                                  const char *const *params);

/* The Link header value for a browser: for a module script or a
 * modulepreload, "<URL>; rel=modulepreload" with link's crossorigin, as
 * Vite's own HTML has it (the browser also parses and compiles the module
 * early); for any other file, link->header. link is the one
 * qp_manifest_file_link made for f. mod_http2 pushes rel=preload links
 * only, so a push client gets link->header. */
const char *qp_manifest_hint_header(apr_pool_t *p, const qp_manifest_file *f,
                                    const qp_link *link);

/* Where the files of a manifest at path are by default: a vite
 * manifest's outDir (the directory above .vite/, or the manifest's own
 * directory for Vite 4's outDir/manifest.json), the manifest's own
 * directory for the other formats. */
const char *qp_manifest_files_dir(apr_pool_t *p, qp_manifest_format_e fmt,
                                  const char *path);

/* The file on disk that serves url, a URL of m's files: dir (where the
 * files are) joined with the part of url's path below m's base, %XX
 * decoded, without its query string. NULL when url is not below base, or
 * when its decoded path has a NUL byte or a ".." segment. */
const char *qp_manifest_file_path(apr_pool_t *p, const char *dir,
                                  const qp_manifest_t *m, const char *url);

qp_manifest_format_e qp_manifest_format(const qp_manifest_t *m);
const char *qp_manifest_base(const qp_manifest_t *m);

/* The number of keys, and the i-th key in the file's order (status page,
 * dumps, the fuzzer). */
int qp_manifest_count(const qp_manifest_t *m);
const char *qp_manifest_key(const qp_manifest_t *m, int i);

#endif /* QP_MANIFEST_H */
