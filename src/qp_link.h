/* SPDX-License-Identifier: Apache-2.0 */
/* Preload links: validation of the URLs mod_quartpush may push, parsing of
 * their parameters, and the Link header value each one becomes.
 * Pure APR code: everything here runs at configuration time, so that the
 * request path only copies ready-made header values.
 */
#ifndef QP_LINK_H
#define QP_LINK_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef enum {
    QP_CROSSORIGIN_NONE = 0,
    QP_CROSSORIGIN_ANONYMOUS,
    QP_CROSSORIGIN_USE_CREDENTIALS
} qp_crossorigin_e;

/* An "@NAME:KEY" resource: the files that entry KEY of the asset manifest
 * NAME expands to (src/qp_manifest.h), each with the parameters written
 * after it. Only the words are checked here; the caller (the httpd glue)
 * finds the manifest and keeps what it needs in data. */
typedef struct qp_link_ref {
    const char *name;           /* the manifest's name */
    const char *key;            /* its entry */
    int nparams;
    const char *const *params;  /* as written: critical, nopush, ... */
    void *data;                 /* the caller's */
} qp_link_ref;

typedef struct qp_link {
    const char *url;            /* same-origin absolute path (+ query) */
    const char *as;             /* request destination, NULL when unknown */
    const char *type;           /* MIME type hint, or NULL */
    const char *media;          /* media query, or NULL */
    qp_crossorigin_e crossorigin;
    unsigned int critical:1;    /* mod_http2 raises the pushed stream's priority */
    unsigned int nopush:1;      /* a hint only: mod_http2 never pushes it */
    unsigned int preconnect:1;  /* rel=preconnect to url, an origin: a hint
                                 * only, never pushed, never in a digest */
    qp_link_ref *ref;           /* an "@NAME:KEY" resource: url is that
                                 * text, header NULL; the files come from
                                 * the manifest (NULL for any other link) */
    const char *header;         /* the Link header value, built once
                                 * (NULL for a template: see qp_routes.h) */
    const char *suffix;         /* the header after "<URL>" */
    unsigned int rule;          /* the caller's number for the line that
                                 * declared it, 0 when it has none */
} qp_link;

/* NULL when url may be pushed: an absolute path on this origin, made only of
 * URL characters, with no ".." segment. Otherwise why not, from pool p. */
const char *qp_url_check(apr_pool_t *p, const char *url);

/* The destination ("style", "script", ...) a browser needs in as= for the
 * resource at url, from its extension; NULL when it cannot be inferred. */
const char *qp_link_infer_as(const char *url);

/* Builds *plink for url with nparams parameters such as "as=script",
 * "crossorigin" or "media=(max-width: 600px)". Returns NULL on success,
 * otherwise a message that quotes the offending text. */
const char *qp_link_make(qp_link **plink, apr_pool_t *p, const char *url,
                         int nparams, const char *const *params);

/* The same for a URL template (one with placeholders): sample is the
 * template with each placeholder replaced by a plain value, and is what
 * gets checked and gives the extension for as=. */
const char *qp_link_make_template(qp_link **plink, apr_pool_t *p,
                                  const char *url_template, const char *sample,
                                  int nparams, const char *const *params);

/* NULL when origin is a plain http or https origin ("https://cdn.example.com",
 * a port allowed, a trailing "/" tolerated); otherwise why not. *pcanon is
 * the origin in canonical form: scheme and host in lower case, no "/". */
const char *qp_origin_check(apr_pool_t *p, const char *origin,
                            const char **pcanon);

/* Builds *plink for a preconnect hint, "<ORIGIN>; rel=preconnect": browsers
 * open the connection while the page is produced. The only parameter is
 * crossorigin[=MODE], for origins the page fetches fonts or CORS data from. */
const char *qp_link_make_preconnect(qp_link **plink, apr_pool_t *p,
                                    const char *origin, int nparams,
                                    const char *const *params);

/* Splits s into white-space separated words; a double quote anywhere in a
 * word protects white space up to the next quote, and quotes are removed:
 * media="(max-width: 600px)" is one word. */
const char *qp_words_split(apr_array_header_t **pwords, apr_pool_t *p,
                           const char *s);

/* The same, with the parameters in one string separated by white space;
 * a value may be quoted: media="(max-width: 600px)". params may be NULL. */
const char *qp_link_make_str(qp_link **plink, apr_pool_t *p, const char *url,
                             const char *params);

/* "; crossorigin", "; crossorigin=use-credentials" or "": mode as a Link
 * header's parameter, as every header of this module writes it. */
const char *qp_crossorigin_attr(qp_crossorigin_e mode);

/* Whether s, up to end (or its NUL when end is NULL), is a manifest's
 * NAME: one or more letters, digits, '_' and '-'. */
int qp_manifest_name_ok(const char *s, const char *end);

/* Builds *plink for "@NAME:KEY" (ref is that text) and its parameters:
 * NAME is letters, digits, '_' and '-'; KEY is any non-empty text. The
 * parameters are checked as a URL's would be, except as= and crossorigin,
 * which a manifest's file may set itself. */
const char *qp_link_make_ref(qp_link **plink, apr_pool_t *p, const char *ref,
                             int nparams, const char *const *params);

/* Builds *plink from a whole line: "URL [PARAM...]" or "@NAME:KEY
 * [PARAM...]", quoting as above. */
const char *qp_link_parse(qp_link **plink, apr_pool_t *p, const char *line);

/* A new list: base's links in their order, where add's declaration of the
 * same URL replaces base's, then add's other links. Either may be NULL; when
 * one is empty the other is returned as it is, without a copy. */
apr_array_header_t *qp_links_merge(apr_pool_t *p,
                                   const apr_array_header_t *base,
                                   const apr_array_header_t *add);

/* Index of the link with this URL in links (of qp_link *), or -1. */
int qp_links_find(const apr_array_header_t *links, const char *url);

/* A copy of l in p, its strings too (its ref, configuration data, is
 * shared). */
qp_link *qp_link_copy(apr_pool_t *p, const qp_link *l);

#endif /* QP_LINK_H */
