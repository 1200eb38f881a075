/* SPDX-License-Identifier: Apache-2.0 */
/* Preload links for mod_quartpush: what may be pushed, with which parameters,
 * and the exact Link header value mod_http2 will read. The checks are strict
 * on purpose: a value accepted here ends up verbatim in a response header.
 */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "qp_link.h"

/* Request destinations a preload may name (Fetch standard). */
static const char *const qp_destinations[] = {
    "audio", "document", "embed", "fetch", "font", "image", "object",
    "script", "style", "track", "video", "worker", NULL
};

static const struct {
    const char *ext;
    const char *as;
} qp_ext_as[] = {
    { "css", "style" },
    { "js", "script" }, { "mjs", "script" },
    { "woff", "font" }, { "woff2", "font" }, { "ttf", "font" }, { "otf", "font" },
    { "png", "image" }, { "jpg", "image" }, { "jpeg", "image" },
    { "gif", "image" }, { "webp", "image" }, { "avif", "image" },
    { "svg", "image" }, { "ico", "image" },
    { "json", "fetch" },
    { NULL, NULL }
};

/* RFC 3986 characters allowed in a path and query, '%' checked apart. */
static int qp_is_url_char(unsigned char c)
{
    if (apr_isalnum(c)) {
        return 1;
    }
    return c && strchr("-._~!$&'()*+,;=:@/?", c) != NULL;
}

/* Is url[start, end) a ".." segment, also when its dots are %2e-encoded? */
static int qp_is_dotdot(const char *seg, apr_size_t len)
{
    int dots = 0;
    apr_size_t i = 0;

    while (i < len) {
        if (seg[i] == '.') {
            i += 1;
        }
        else if (seg[i] == '%' && i + 2 < len && seg[i + 1] == '2'
                 && (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
            i += 3;
        }
        else {
            return 0;
        }
        ++dots;
    }
    return dots == 2;
}

const char *qp_url_check(apr_pool_t *p, const char *url)
{
    const char *s, *seg;

    if (!url || !*url) {
        return "an empty URL (expected an absolute path such as /static/site.css)";
    }
    if (url[0] != '/') {
        if (strstr(url, "://") || !strncmp(url, "//", 2)) {
            return apr_psprintf(p, "'%s' names another scheme or host; only "
                                "same-origin absolute paths can be pushed "
                                "(expected a path starting with '/')", url);
        }
        return apr_psprintf(p, "'%s' is not an absolute path (expected a "
                            "path starting with '/')", url);
    }
    if (url[1] == '/' || url[1] == '\\') {
        return apr_psprintf(p, "'%s' starts with '%c%c', which names another "
                            "host (expected a path starting with a single '/')",
                            url, url[0], url[1]);
    }
    for (s = url; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f) {
            return apr_psprintf(p, "'%s' has a control character or space "
                                "at offset %d (expected a URL; percent-encode "
                                "it as %%%02X)", url, (int)(s - url), c);
        }
        if (c == '%') {
            if (!apr_isxdigit(s[1]) || !apr_isxdigit(s[2])) {
                return apr_psprintf(p, "'%s' has a malformed percent-escape "
                                    "at offset %d (expected %%XX with two hex "
                                    "digits)", url, (int)(s - url));
            }
            if (s[1] == '0' && s[2] == '0') {
                return apr_psprintf(p, "'%s' has %%00, an encoded NUL, at "
                                    "offset %d: httpd answers such a path "
                                    "with 404", url, (int)(s - url));
            }
            continue;
        }
        if (c == '#') {
            return apr_psprintf(p, "'%s' has a fragment ('#'), which is "
                                "never sent to a server (expected a path)", url);
        }
        if (!qp_is_url_char(c)) {
            return apr_psprintf(p, "'%s' has the character '%c' at offset %d, "
                                "which must be percent-encoded", url, c,
                                (int)(s - url));
        }
    }
    /* ".." segments, in the path part only */
    seg = url + 1;
    for (s = seg; ; ++s) {
        if (*s == '/' || *s == '?' || *s == '\0') {
            if (qp_is_dotdot(seg, (apr_size_t)(s - seg))) {
                return apr_psprintf(p, "'%s' has a '..' segment (expected a "
                                    "path without '..')", url);
            }
            if (*s != '/') {
                break;
            }
            seg = s + 1;
        }
    }
    return NULL;
}

const char *qp_link_infer_as(const char *url)
{
    const char *end, *dot = NULL, *s;
    apr_size_t elen;
    int i;

    end = url + strcspn(url, "?");
    for (s = end; s > url; --s) {
        if (s[-1] == '/') {
            break;
        }
        if (s[-1] == '.') {
            dot = s;
            break;
        }
    }
    if (!dot || dot == end) {
        return NULL;
    }
    elen = (apr_size_t)(end - dot);
    for (i = 0; qp_ext_as[i].ext; ++i) {
        if (strlen(qp_ext_as[i].ext) == elen
            && !strncasecmp(qp_ext_as[i].ext, dot, elen)) {
            return qp_ext_as[i].as;
        }
    }
    return NULL;
}

static const char *qp_destination(const char *as)
{
    int i;

    for (i = 0; qp_destinations[i]; ++i) {
        if (!strcmp(qp_destinations[i], as)) {
            return qp_destinations[i];
        }
    }
    return NULL;
}

/* A MIME type: token "/" token, RFC 9110 token characters. */
static int qp_is_mime_type(const char *v)
{
    const char *slash = strchr(v, '/');
    const char *s;

    if (!slash || slash == v || !slash[1]) {
        return 0;
    }
    for (s = v; *s; ++s) {
        if (s == slash) {
            continue;
        }
        if (!apr_isalnum(*s) && !strchr("!#$&'*+-.^_`|~", *s)) {
            return 0;
        }
    }
    return 1;
}

/* A media query goes into a quoted-string: no quote, backslash or control. */
static int qp_is_media(const char *v)
{
    const char *s;

    if (!*v) {
        return 0;
    }
    for (s = v; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            return 0;
        }
    }
    return 1;
}

static const char *qp_link_param(qp_link *link, apr_pool_t *p,
                                 const char *param, unsigned int *seen)
{
    const char *eq = strchr(param, '=');
    apr_size_t nlen = eq ? (apr_size_t)(eq - param) : strlen(param);
    const char *val = eq ? eq + 1 : NULL;
    unsigned int bit;

#define QP_PARAM_IS(name) (nlen == sizeof(name) - 1 && !strncasecmp(param, name, nlen))
    if (QP_PARAM_IS("as")) {
        bit = 1;
        if (!val || !(link->as = qp_destination(val))) {
            return apr_psprintf(p, "'%s': unknown destination (expected as= "
                                "one of audio, document, embed, fetch, font, "
                                "image, object, script, style, track, video, "
                                "worker)", param);
        }
    }
    else if (QP_PARAM_IS("type")) {
        bit = 2;
        if (!val || !qp_is_mime_type(val)) {
            return apr_psprintf(p, "'%s': not a MIME type (expected "
                                "type=TYPE/SUBTYPE, e.g. type=text/css)", param);
        }
        link->type = apr_pstrdup(p, val);
    }
    else if (QP_PARAM_IS("crossorigin")) {
        bit = 4;
        if (!val || !strcasecmp(val, "anonymous")) {
            link->crossorigin = QP_CROSSORIGIN_ANONYMOUS;
        }
        else if (!strcasecmp(val, "use-credentials")) {
            link->crossorigin = QP_CROSSORIGIN_USE_CREDENTIALS;
        }
        else {
            return apr_psprintf(p, "'%s': unknown CORS mode (expected "
                                "crossorigin, crossorigin=anonymous or "
                                "crossorigin=use-credentials)", param);
        }
    }
    else if (QP_PARAM_IS("media")) {
        bit = 8;
        if (!val || !qp_is_media(val)) {
            return apr_psprintf(p, "'%s': not a media query (expected "
                                "media=QUERY of printable characters without "
                                "quotes or backslashes)", param);
        }
        link->media = apr_pstrdup(p, val);
    }
    else if (QP_PARAM_IS("critical")) {
        bit = 16;
        if (val) {
            return apr_psprintf(p, "'%s': critical takes no value", param);
        }
        link->critical = 1;
    }
    else if (QP_PARAM_IS("nopush")) {
        bit = 32;
        if (val) {
            return apr_psprintf(p, "'%s': nopush takes no value", param);
        }
        link->nopush = 1;
    }
    else {
        return apr_psprintf(p, "'%s': unknown parameter (expected as=, type=, "
                            "crossorigin, media=, critical or nopush)", param);
    }
#undef QP_PARAM_IS
    if (*seen & bit) {
        return apr_psprintf(p, "'%s': parameter given twice", param);
    }
    *seen |= bit;
    return NULL;
}

const char *qp_crossorigin_attr(qp_crossorigin_e mode)
{
    return mode == QP_CROSSORIGIN_ANONYMOUS ? "; crossorigin" :
           mode == QP_CROSSORIGIN_USE_CREDENTIALS ?
               "; crossorigin=use-credentials" : "";
}

int qp_manifest_name_ok(const char *s, const char *end)
{
    if (s == end || !*s) {
        return 0;
    }
    for (; *s && (!end || s < end); ++s) {
        if (!apr_isalnum(*s) && *s != '_' && *s != '-') {
            return 0;
        }
    }
    return 1;
}

/* The parameters in a fixed order, built in one allocation: a file of
 * 100,000 routes makes as many links. A template's header depends on the
 * match, so it keeps only the suffix (with_header 0). */
static void qp_link_build_header(qp_link *link, apr_pool_t *p, int with_header)
{
    int t = link->type != NULL, m = link->media != NULL;

    link->suffix = apr_pstrcat(p, "; rel=preload",
        link->as ? "; as=" : "", link->as ? link->as : "",
        t ? "; type=\"" : "", t ? link->type : "", t ? "\"" : "",
        qp_crossorigin_attr(link->crossorigin),
        m ? "; media=\"" : "", m ? link->media : "", m ? "\"" : "",
        link->critical ? "; critical" : "",
        link->nopush ? "; nopush" : "", NULL);
    link->header = with_header ?
        apr_pstrcat(p, "<", link->url, ">", link->suffix, NULL) : NULL;
}

const char *qp_link_make_template(qp_link **plink, apr_pool_t *p,
                                  const char *url, const char *sample,
                                  int nparams, const char *const *params)
{
    qp_link *link;
    const char *err;
    unsigned int seen = 0;
    int i;

    *plink = NULL;
    if ((err = qp_url_check(p, sample)) != NULL) {
        return err;
    }
    link = apr_pcalloc(p, sizeof(*link));
    link->url = apr_pstrdup(p, url);
    for (i = 0; i < nparams; ++i) {
        if ((err = qp_link_param(link, p, params[i], &seen)) != NULL) {
            return err;
        }
    }
    if (!link->as) {
        link->as = qp_link_infer_as(sample);
    }
    /* A font or fetch() preload is only reused by the page when made in CORS
     * mode, so it is useless without crossorigin. */
    if (link->as && (!strcmp(link->as, "font") || !strcmp(link->as, "fetch"))
        && link->crossorigin == QP_CROSSORIGIN_NONE) {
        link->crossorigin = QP_CROSSORIGIN_ANONYMOUS;
    }
    qp_link_build_header(link, p, !strcmp(url, sample));
    *plink = link;
    return NULL;
}

const char *qp_link_make(qp_link **plink, apr_pool_t *p, const char *url,
                         int nparams, const char *const *params)
{
    return qp_link_make_template(plink, p, url, url, nparams, params);
}

/* A host: a DNS name of letters, digits, '-' and '.', or a bracketed IPv6
 * literal. Strict, since it ends up verbatim inside a Link header's <>. */
static int qp_is_host(const char *h, apr_size_t len)
{
    apr_size_t i;

    if (len == 0 || len > 253) {
        return 0;
    }
    if (h[0] == '[') {
        if (len < 4 || h[len - 1] != ']') {
            return 0;
        }
        for (i = 1; i < len - 1; ++i) {
            if (!apr_isxdigit(h[i]) && h[i] != ':' && h[i] != '.') {
                return 0;
            }
        }
        return 1;
    }
    if (h[0] == '.' || h[0] == '-' || h[len - 1] == '.' || h[len - 1] == '-') {
        return 0;
    }
    for (i = 0; i < len; ++i) {
        if (!apr_isalnum(h[i]) && h[i] != '-' && h[i] != '.') {
            return 0;
        }
        if (h[i] == '.' && h[i + 1] == '.') {
            return 0;
        }
    }
    return 1;
}

const char *qp_origin_check(apr_pool_t *p, const char *origin,
                            const char **pcanon)
{
    const char *host, *end, *colon;
    apr_size_t slen;
    char *canon, *c;

    *pcanon = NULL;
    if (!origin || !*origin) {
        return "an empty origin (expected e.g. https://cdn.example.com)";
    }
    if (!strncasecmp(origin, "https://", 8)) {
        slen = 5;
    }
    else if (!strncasecmp(origin, "http://", 7)) {
        slen = 4;
    }
    else {
        return apr_psprintf(p, "'%s' is not an http or https origin "
                            "(expected e.g. https://cdn.example.com)", origin);
    }
    host = origin + slen + 3;
    end = host + strlen(host);
    if (end > host && end[-1] == '/') {
        --end;
    }
    if (host + strcspn(host, "/?#@\\") < end) {
        return apr_psprintf(p, "'%s' is more than an origin: no user, path, "
                            "query or fragment (expected e.g. "
                            "https://cdn.example.com)", origin);
    }
    /* the port, after the last ':' that is not inside an IPv6 literal */
    colon = NULL;
    if (end > host && host[0] == '[') {
        const char *close = memchr(host, ']', (apr_size_t)(end - host));
        if (close && close + 1 < end && close[1] == ':') {
            colon = close + 1;
        }
    }
    else {
        for (colon = end; colon > host && colon[-1] != ':'; --colon) {
        }
        colon = colon > host ? colon - 1 : NULL;
    }
    if (!qp_is_host(host, (apr_size_t)((colon ? colon : end) - host))) {
        return apr_psprintf(p, "'%s' does not name a valid host (expected a "
                            "DNS name or a bracketed IPv6 address)", origin);
    }
    if (colon) {
        const char *d;
        long port = 0;

        if (colon + 1 == end || end - colon - 1 > 5) {
            return apr_psprintf(p, "'%s' has a bad port (expected a number "
                                "from 1 to 65535)", origin);
        }
        for (d = colon + 1; d < end; ++d) {
            if (!apr_isdigit(*d)) {
                return apr_psprintf(p, "'%s' has a bad port (expected a number "
                                    "from 1 to 65535)", origin);
            }
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535) {
            return apr_psprintf(p, "'%s' has a bad port (expected a number "
                                "from 1 to 65535)", origin);
        }
    }
    canon = apr_pstrmemdup(p, origin, (apr_size_t)(end - origin));
    for (c = canon; *c && c < canon + (colon ? colon - origin : end - origin); ++c) {
        *c = apr_tolower(*c);
    }
    *pcanon = canon;
    return NULL;
}

const char *qp_link_make_preconnect(qp_link **plink, apr_pool_t *p,
                                    const char *origin, int nparams,
                                    const char *const *params)
{
    qp_link *link;
    const char *err, *canon;
    unsigned int seen = 0;
    int i;

    *plink = NULL;
    if ((err = qp_origin_check(p, origin, &canon)) != NULL) {
        return err;
    }
    link = apr_pcalloc(p, sizeof(*link));
    link->url = canon;
    link->preconnect = 1;
    link->nopush = 1;
    for (i = 0; i < nparams; ++i) {
        if (strncasecmp(params[i], "crossorigin", 11)
            || (params[i][11] && params[i][11] != '=')) {
            return apr_psprintf(p, "'%s': a preconnect takes no parameter but "
                                "crossorigin[=anonymous|use-credentials]",
                                params[i]);
        }
        if ((err = qp_link_param(link, p, params[i], &seen)) != NULL) {
            return err;
        }
    }
    link->suffix = apr_pstrcat(p, "; rel=preconnect",
        qp_crossorigin_attr(link->crossorigin), NULL);
    link->header = apr_pstrcat(p, "<", link->url, ">", link->suffix, NULL);
    *plink = link;
    return NULL;
}

const char *qp_words_split(apr_array_header_t **pwords, apr_pool_t *p,
                           const char *s)
{
    apr_array_header_t *words = apr_array_make(p, 4, sizeof(const char *));
    const char *start = s;

    *pwords = words;
    while (s && *s) {
        char *word, *w;
        int quoted = 0;

        while (apr_isspace(*s)) {
            ++s;
        }
        if (!*s) {
            break;
        }
        w = word = apr_palloc(p, strlen(s) + 1);
        while (*s && (quoted || !apr_isspace(*s))) {
            if (*s == '"') {
                quoted = !quoted;
            }
            else {
                *w++ = *s;
            }
            ++s;
        }
        *w = '\0';
        if (quoted) {
            return apr_psprintf(p, "'%s': unterminated quote", start);
        }
        APR_ARRAY_PUSH(words, const char *) = word;
    }
    return NULL;
}

const char *qp_link_make_str(qp_link **plink, apr_pool_t *p, const char *url,
                             const char *params)
{
    apr_array_header_t *words;
    const char *err;

    *plink = NULL;
    if ((err = qp_words_split(&words, p, params)) != NULL) {
        return err;
    }
    return qp_link_make(plink, p, url, words->nelts,
                        (const char *const *)words->elts);
}

const char *qp_link_make_ref(qp_link **plink, apr_pool_t *p, const char *ref,
                             int nparams, const char *const *params)
{
    const char *colon, *s, *err;
    qp_link *check;
    qp_link_ref *lr;
    qp_link *link;

    *plink = NULL;
    colon = ref[0] == '@' ? strchr(ref, ':') : NULL;
    if (!colon || colon == ref + 1 || !colon[1]) {
        return apr_psprintf(p, "'%s' is not a manifest entry (expected "
                            "@NAME:KEY, e.g. @app:resources/js/app.js)", ref);
    }
    if (!qp_manifest_name_ok(ref + 1, colon)) {
        return apr_psprintf(p, "'%s': a manifest name is made of "
                            "letters, digits, '_' and '-'", ref);
    }
    for (s = colon + 1; *s; ++s) {
        if ((unsigned char)*s <= 0x20 || *s == 0x7f) {
            return apr_psprintf(p, "'%s' has a control character or space "
                                "in its key", ref);
        }
    }
    /* the parameters, checked on a stand-in URL now, so that a mistake is
     * reported where it is written, whatever the manifest holds */
    if ((err = qp_link_make(&check, p, "/x", nparams, params)) != NULL) {
        return err;
    }
    lr = apr_pcalloc(p, sizeof(*lr));
    lr->name = apr_pstrndup(p, ref + 1, (apr_size_t)(colon - ref - 1));
    lr->key = apr_pstrdup(p, colon + 1);
    lr->nparams = nparams;
    if (nparams > 0) {
        const char **copy = apr_palloc(p, sizeof(*copy) * (apr_size_t)nparams);
        int i;
        for (i = 0; i < nparams; ++i) {
            copy[i] = apr_pstrdup(p, params[i]);
        }
        lr->params = copy;
    }
    link = apr_pcalloc(p, sizeof(*link));
    link->url = apr_pstrdup(p, ref);
    link->ref = lr;
    *plink = link;
    return NULL;
}

const char *qp_link_parse(qp_link **plink, apr_pool_t *p, const char *line)
{
    apr_array_header_t *words;
    const char *err;

    *plink = NULL;
    if ((err = qp_words_split(&words, p, line)) != NULL) {
        return err;
    }
    if (words->nelts == 0) {
        return "no URL (expected a URL path and optional parameters, e.g. "
               "/static/css/site.css as=style)";
    }
    if (APR_ARRAY_IDX(words, 0, const char *)[0] == '@') {
        return qp_link_make_ref(plink, p, APR_ARRAY_IDX(words, 0, const char *),
                                words->nelts - 1,
                                (const char *const *)words->elts + 1);
    }
    return qp_link_make(plink, p, APR_ARRAY_IDX(words, 0, const char *),
                        words->nelts - 1,
                        (const char *const *)words->elts + 1);
}

int qp_links_find(const apr_array_header_t *links, const char *url)
{
    int i;

    if (!links) {
        return -1;
    }
    for (i = 0; i < links->nelts; ++i) {
        const qp_link *l = APR_ARRAY_IDX(links, i, const qp_link *);
        if (!strcmp(l->url, url)) {
            return i;
        }
    }
    return -1;
}

apr_array_header_t *qp_links_merge(apr_pool_t *p,
                                   const apr_array_header_t *base,
                                   const apr_array_header_t *add)
{
    apr_array_header_t *merged;
    int i, idx;

    if (!add || add->nelts == 0) {
        return (apr_array_header_t *)base;
    }
    if (!base || base->nelts == 0) {
        return (apr_array_header_t *)add;
    }
    /* the parent's order, with the child's version of a URL it redeclares,
     * then the child's new URLs */
    merged = apr_array_make(p, base->nelts + add->nelts, sizeof(qp_link *));
    for (i = 0; i < base->nelts; ++i) {
        qp_link *l = APR_ARRAY_IDX(base, i, qp_link *);
        idx = qp_links_find(add, l->url);
        APR_ARRAY_PUSH(merged, qp_link *) =
            idx < 0 ? l : APR_ARRAY_IDX(add, idx, qp_link *);
    }
    for (i = 0; i < add->nelts; ++i) {
        qp_link *l = APR_ARRAY_IDX(add, i, qp_link *);
        if (qp_links_find(base, l->url) < 0) {
            APR_ARRAY_PUSH(merged, qp_link *) = l;
        }
    }
    return merged;
}

qp_link *qp_link_copy(apr_pool_t *p, const qp_link *l)
{
    qp_link *c = apr_pmemdup(p, l, sizeof(*l));

    c->url = apr_pstrdup(p, l->url);
    c->as = apr_pstrdup(p, l->as);
    c->type = apr_pstrdup(p, l->type);
    c->media = apr_pstrdup(p, l->media);
    c->header = apr_pstrdup(p, l->header);
    c->suffix = apr_pstrdup(p, l->suffix);
    return c;
}
