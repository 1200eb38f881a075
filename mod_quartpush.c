/* mod_quartpush: HTTP/2 server push declared in httpd.conf, the way Quart's
 * make_push_promise() works. This file is the httpd glue: directives,
 * per-directory merging, and the fixups hook that hands preload links to
 * mod_http2 in a 103 interim response before the handler runs.
 */
#include <errno.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_optional.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <ap_expr.h>
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_http2.h>

#include <mod_status.h>

#include "mod_quartpush.h"
#include "qp_digest.h"
#include "qp_json.h"
#include "qp_link.h"
#include "qp_routes.h"

APLOG_USE_MODULE(quartpush);

#define QP_UNSET          (-1)
#define QP_DEFAULT_LIMIT  32
#define QP_MAX_LIMIT      1000
#define QP_NOTE           "quartpush"
#define QP_NOTE_HINTS     "quartpush-hints"
#define QP_ENV_OFF        "no-quartpush"
#define QP_COOKIE_FILTER  "QUARTPUSH_COOKIE"
#define QP_MAX_COOKIE_AGE (10 * 365 * 86400)
/* mod_http2 reads a 103 back line by line into an 8 KB buffer
 * (HUGE_STRING_LEN): one longer "Link: ..." line makes it drop the whole
 * 103, every link in it, and log an error. A route placeholder's value can
 * make a link that long (each byte may become %XX), so longer ones are
 * left out. */
#define QP_MAX_LINK_HEADER 8000

/* QuartPushCookie: where a client keeps the digest of what it was sent.
 * name NULL is "off". */
typedef struct {
    const char *name;
    int max_age;                /* seconds, or -1 for a session cookie */
} qp_cookie_conf;

/* QuartPushEarlyHints: who gets the links as 103 Early Hints when the
 * client does not accept push. */
enum {
    QP_HINTS_OFF = 0,
    QP_HINTS_ON,                /* HTTP/2 clients (the default) */
    QP_HINTS_H1                 /* HTTP/2 and HTTP/1.1 clients */
};

/* Per-directory configuration; also the server's defaults. Fields are
 * QP_UNSET until a directive sets them, so that a child scope inherits. */
typedef struct {
    int enabled;                /* QuartPush on|off */
    int limit;                  /* QuartPushLimit */
    int link_header;            /* QuartPushLinkHeader on|off */
    int early_hints;            /* QuartPushEarlyHints: QP_HINTS_* */
    const qp_cookie_conf *cookie;   /* QuartPushCookie, NULL when unset */
    apr_array_header_t *links;  /* qp_link *, parent's first */
} qp_dir_conf;

/* Per-server configuration: the route language. A virtual host's list is
 * the main server's routes followed by its own; the table is compiled from
 * it once the configuration is read. */
typedef struct {
    apr_array_header_t *routes;     /* qp_route *, in declaration order */
    qp_routes *table;               /* NULL when there are no routes */
    apr_array_header_t *rule_scopes;/* qp_dir_conf * where rules are
                                     * declared, NULL for server level */
    int h2_early_hints;             /* mod_http2 forwards a 103 (H2EarlyHints
                                     * on), read from the configuration tree */
} qp_srv_conf;

#define QP_CONF_GET(dc, field, dflt) \
    ((dc)->field == QP_UNSET ? (dflt) : (dc)->field)

/* What one response has announced so far, kept on the first request of an
 * internal redirect chain so that a redirect never pushes a URL twice. */
typedef struct {
    apr_array_header_t *announced;  /* const char * URLs, or NULL */
    const char *pushed;             /* space-separated URLs, the note */
    const char *hinted;             /* the same for hints only */
    const char *route_uri;          /* the path routes match */
    const void *dir_conf;           /* the scope of the URL asked for */
    qp_digest *digest;              /* QuartPushCookie: what the client has */
    const qp_cookie_conf *cookie;   /* ... and the cookie it goes back in */
    const char *skipped;            /* URLs skipped as already sent */
    const qp_route *route;          /* the route matched, for the log */
    int route_false;                /* ... whose when condition is false */
    int over;                       /* links left out by QuartPushLimit */
    int limit;                      /* ... which was */
    unsigned int digest_read:1;     /* the digest was looked for */
    unsigned int digest_dirty:1;    /* the client needs a new cookie */
} qp_response_state;

/* How the links reach this client, if at all. */
typedef enum {
    QP_SEND_NONE = 0,
    QP_SEND_PUSH,       /* one 103; mod_http2 promises its preload links */
    QP_SEND_HINTS       /* one 103 the client reads as Early Hints only */
} qp_send_e;

/* Why links were not announced: for the whole request (the first ones),
 * or for one resource (limit, cookie). Counted in shared memory, named in
 * the status page and the debug log. */
typedef enum {
    QP_SKIP_METHOD = 0,         /* not a GET */
    QP_SKIP_OFF,                /* QuartPush off, no-quartpush */
    QP_SKIP_CONDITIONAL,        /* If-None-Match, If-Modified-Since */
    QP_SKIP_ERROR,              /* the response will be an error */
    QP_SKIP_HTTP1,              /* HTTP/1.x without QuartPushEarlyHints h1 */
    QP_SKIP_CLIENT,             /* refuses push, and no hints can reach it */
    QP_SKIP_PUSHED,             /* a pushed request */
    QP_SKIP_LIMIT,              /* per resource: QuartPushLimit */
    QP_SKIP_COOKIE,             /* per resource: in the client's digest */
    QP_SKIP_COUNT,
    QP_SKIP_NONE = QP_SKIP_COUNT
} qp_skip_e;

static const char *const qp_skip_keys[QP_SKIP_COUNT] = {
    "not_get", "off", "conditional", "error", "http1",
    "client_refuses_push", "pushed_request", "limit", "cookie"
};

/* Counters since the server started, shared by all children (apr_shm,
 * kept across graceful restarts). */
typedef struct {
    apr_time_t started;
    volatile apr_uint64_t requests;     /* evaluated in a scope with rules */
    volatile apr_uint64_t matched;      /* ... whose route applied */
    volatile apr_uint64_t responses;    /* 103s sent */
    volatile apr_uint64_t pushes;       /* links pushed (fixups and API) */
    volatile apr_uint64_t hints;        /* links sent as hints only */
    volatile apr_uint64_t api_calls;    /* quartpush_make_push_promise */
    volatile apr_uint64_t skipped[QP_SKIP_COUNT];
} qp_counters;

static qp_counters *qp_ctr;             /* NULL without shared memory */

#define QP_COUNT(field) \
    do { if (qp_ctr) apr_atomic_inc64(&qp_ctr->field); } while (0)
#define QP_COUNT_N(field, n) \
    do { if (qp_ctr && (n)) apr_atomic_add64(&qp_ctr->field, (n)); } while (0)

static APR_OPTIONAL_FN_TYPE(http2_var_lookup) *qp_h2_var_lookup;

/* ------------------------------------------------------------------------
 * configuration
 */

static void *qp_create_dir_conf(apr_pool_t *p, char *dir)
{
    qp_dir_conf *dc = apr_pcalloc(p, sizeof(*dc));

    dc->enabled = QP_UNSET;
    dc->limit = QP_UNSET;
    dc->link_header = QP_UNSET;
    dc->early_hints = QP_UNSET;
    return dc;
}

static void *qp_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    qp_dir_conf *base = basev, *add = addv;
    qp_dir_conf *dc = apr_palloc(p, sizeof(*dc));

    dc->enabled = add->enabled != QP_UNSET ? add->enabled : base->enabled;
    dc->limit = add->limit != QP_UNSET ? add->limit : base->limit;
    dc->link_header = add->link_header != QP_UNSET ?
                      add->link_header : base->link_header;
    dc->early_hints = add->early_hints != QP_UNSET ?
                      add->early_hints : base->early_hints;
    dc->cookie = add->cookie ? add->cookie : base->cookie;
    /* no copy when only one side declares resources (the usual case) */
    dc->links = qp_links_merge(p, base->links, add->links);
    return dc;
}

static const char *qp_parse_on_off(cmd_parms *cmd, const char *arg, int *pflag)
{
    if (!strcasecmp(arg, "on")) {
        *pflag = 1;
    }
    else if (!strcasecmp(arg, "off")) {
        *pflag = 0;
    }
    else {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid value "
                            "(expected on or off)", cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *qp_cmd_push(cmd_parms *cmd, void *dconf, const char *arg)
{
    return qp_parse_on_off(cmd, arg, &((qp_dir_conf *)dconf)->enabled);
}

static const char *qp_cmd_link_header(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    return qp_parse_on_off(cmd, arg, &((qp_dir_conf *)dconf)->link_header);
}

static const char *qp_cmd_early_hints(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    qp_dir_conf *dc = dconf;

    if (!strcasecmp(arg, "h1")) {
        dc->early_hints = QP_HINTS_H1;
        return NULL;
    }
    if (qp_parse_on_off(cmd, arg, &dc->early_hints)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid value "
                            "(expected on, off or h1)", cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *qp_cmd_cookie(cmd_parms *cmd, void *dconf,
                                 const char *name, const char *opt)
{
    qp_dir_conf *dc = dconf;
    qp_cookie_conf *cc = apr_pcalloc(cmd->pool, sizeof(*cc));
    const char *err;

    cc->max_age = -1;
    if (!strcasecmp(name, "off")) {
        if (opt) {
            return apr_psprintf(cmd->pool, "%s: off takes no option (got "
                                "'%s')", cmd->cmd->name, opt);
        }
        dc->cookie = cc;            /* name NULL: no digest in this scope */
        return NULL;
    }
    if ((err = qp_cookie_name_check(cmd->pool, name)) != NULL) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    cc->name = name;
    if (opt) {
        char *end;
        apr_int64_t n;

        if (strncasecmp(opt, "max-age=", 8)) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not an option "
                                "(expected max-age=SECONDS)", cmd->cmd->name,
                                opt);
        }
        errno = 0;
        n = apr_strtoi64(opt + 8, &end, 10);
        if (errno || end == opt + 8 || *end || n < 0
            || n > QP_MAX_COOKIE_AGE) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not a valid max-age "
                                "(expected a whole number of seconds from 0 "
                                "to %d, ten years)", cmd->cmd->name, opt,
                                QP_MAX_COOKIE_AGE);
        }
        cc->max_age = (int)n;
    }
    dc->cookie = cc;
    return NULL;
}

/* Rules are declared in scope dc (NULL: the server's level) of the
 * server being read: its Early Hints setup is worth checking (see
 * qp_check_early_hints). Not for .htaccess files, read while serving. */
static void qp_note_rules(cmd_parms *cmd, qp_dir_conf *dc)
{
    qp_srv_conf *sc;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM) {
        return;
    }
    sc = ap_get_module_config(cmd->server->module_config, &quartpush_module);
    APR_ARRAY_PUSH(sc->rule_scopes, qp_dir_conf *) = cmd->path ? dc : NULL;
}

static const char *qp_cmd_limit(cmd_parms *cmd, void *dconf, const char *arg)
{
    qp_dir_conf *dc = dconf;
    char *end;
    apr_int64_t n;

    errno = 0;
    n = apr_strtoi64(arg, &end, 10);
    if (errno || !apr_isdigit(*arg) || *end || n < 0 || n > QP_MAX_LIMIT) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid limit "
                            "(expected a whole number from 0 to %d)",
                            cmd->cmd->name, arg, QP_MAX_LIMIT);
    }
    dc->limit = (int)n;
    return NULL;
}

/* one URL, one announcement: a later declaration in a scope replaces */
static void qp_dir_add_link(qp_dir_conf *dc, apr_pool_t *p, qp_link *link)
{
    int idx;

    if (!dc->links) {
        dc->links = apr_array_make(p, 4, sizeof(qp_link *));
    }
    idx = qp_links_find(dc->links, link->url);
    if (idx >= 0) {
        APR_ARRAY_IDX(dc->links, idx, qp_link *) = link;
    }
    else {
        APR_ARRAY_PUSH(dc->links, qp_link *) = link;
    }
}

static const char *qp_cmd_resource(cmd_parms *cmd, void *dconf,
                                   const char *args)
{
    qp_link *link;
    const char *err;

    /* raw arguments, so that media="(max-width: 600px)" is one parameter */
    err = qp_link_parse(&link, cmd->pool, args);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    qp_note_rules(cmd, dconf);
    qp_dir_add_link(dconf, cmd->pool, link);
    return NULL;
}

static const char *qp_cmd_preconnect(cmd_parms *cmd, void *dconf,
                                     const char *args)
{
    apr_array_header_t *words;
    qp_link *link;
    const char *err;

    err = qp_words_split(&words, cmd->temp_pool, args);
    if (!err && words->nelts == 0) {
        err = "no origin (expected e.g. https://cdn.example.com [crossorigin])";
    }
    if (!err) {
        err = qp_link_make_preconnect(&link, cmd->pool,
                                      APR_ARRAY_IDX(words, 0, const char *),
                                      words->nelts - 1,
                                      (const char *const *)words->elts + 1);
    }
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    qp_note_rules(cmd, dconf);
    qp_dir_add_link(dconf, cmd->pool, link);
    return NULL;
}

static void *qp_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    qp_srv_conf *sc = apr_pcalloc(p, sizeof(*sc));

    sc->routes = apr_array_make(p, 0, sizeof(qp_route *));
    sc->rule_scopes = apr_array_make(p, 0, sizeof(qp_dir_conf *));
    return sc;
}

static void *qp_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    qp_srv_conf *base = basev, *add = addv;
    qp_srv_conf *sc = apr_pcalloc(p, sizeof(*sc));

    /* the main server's sections apply to a virtual host's requests too */
    sc->rule_scopes = apr_array_append(p, base->rule_scopes, add->rule_scopes);
    /* the main server's routes first: a virtual host adds to them */
    if (add->routes->nelts == 0) {
        sc->routes = base->routes;
    }
    else if (base->routes->nelts == 0) {
        sc->routes = add->routes;
    }
    else {
        sc->routes = apr_array_append(p, base->routes, add->routes);
    }
    return sc;
}

/* The "when" conditions are httpd expressions: compiled here, once. */
static const char *qp_routes_add(cmd_parms *cmd, const apr_array_header_t *routes)
{
    qp_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &quartpush_module);
    int i;

    for (i = 0; i < routes->nelts; ++i) {
        qp_route *route = APR_ARRAY_IDX(routes, i, qp_route *);
        if (route->condition) {
            const char *err = NULL;
            route->condition_data = ap_expr_parse_cmd(cmd, route->condition,
                                                      0, &err, NULL);
            if (err) {
                return apr_psprintf(cmd->pool, "%s: route '%s': cannot parse "
                                    "when \"%s\": %s", route->origin,
                                    route->pattern, route->condition, err);
            }
        }
        APR_ARRAY_PUSH(sc->routes, qp_route *) = route;
    }
    if (routes->nelts) {
        qp_note_rules(cmd, NULL);
    }
    return NULL;
}

static const char *qp_cmd_routes_file(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_array_header_t *routes = apr_array_make(cmd->pool, 16, sizeof(qp_route *));
    apr_file_t *f;
    apr_finfo_t finfo;
    apr_status_t rv;
    apr_size_t len;
    char *text, errbuf[120];
    const char *err;

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, arg);
    }
    /* the type is checked before opening too: opening a FIFO for reading
     * blocks until a writer comes, and httpd would hang at startup */
    rv = apr_stat(&finfo, path, APR_FINFO_TYPE, cmd->temp_pool);
    if (rv == APR_SUCCESS && finfo.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "%s: '%s' (%s) is not a regular "
                            "file", cmd->cmd->name, arg, path);
    }
    if (rv == APR_SUCCESS || APR_STATUS_IS_INCOMPLETE(rv)) {
        rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT,
                           cmd->temp_pool);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
        if (rv == APR_SUCCESS && finfo.filetype != APR_REG) {
            apr_file_close(f);
            return apr_psprintf(cmd->pool, "%s: '%s' (%s) is not a regular "
                                "file", cmd->cmd->name, arg, path);
        }
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s' (%s): %s",
                            cmd->cmd->name, arg, path,
                            apr_strerror(rv, errbuf, sizeof(errbuf)));
    }
    if (finfo.size > 64 * 1024 * 1024) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: '%s' is larger than 64 MB",
                            cmd->cmd->name, arg);
    }
    len = (apr_size_t)finfo.size;
    text = apr_palloc(cmd->temp_pool, len + 1);
    rv = apr_file_read_full(f, text, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %s",
                            cmd->cmd->name, arg,
                            apr_strerror(rv, errbuf, sizeof(errbuf)));
    }
    text[len] = '\0';
    err = qp_routes_parse_text(routes, cmd->pool, text, len, arg);
    if (!err) {
        err = qp_routes_add(cmd, routes);
    }
    return err ? apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL) : NULL;
}

/* <QuartPushRoutes>: httpd has already read the block into its tree, one
 * child per line (first word, then the rest), with file and line. */
static const char *qp_cmd_routes_block(cmd_parms *cmd, void *dconf,
                                       const char *arg)
{
    apr_array_header_t *routes = apr_array_make(cmd->pool, 16, sizeof(qp_route *));
    const ap_directive_t *d;
    const char *err;

    if ((err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT)) != NULL) {
        return err;
    }
    while (apr_isspace(*arg)) {
        ++arg;
    }
    if (strcmp(arg, ">")) {
        return "<QuartPushRoutes> takes no arguments (expected "
               "<QuartPushRoutes> on a line of its own)";
    }
    for (d = cmd->directive->first_child; d; d = d->next) {
        const char *origin = apr_psprintf(cmd->pool, "%s:%d", d->filename,
                                          d->line_num);
        const char *name = d->directive, *c;
        const char *line;
        qp_route *route;
        int open = 0;

        /* httpd's reader drops a '>' that ends the first word of a line
         * (it takes it for the end of a section tag): a route that ends in
         * a placeholder gets it back */
        for (c = name; *c; ++c) {
            open += (*c == '<') - (*c == '>');
        }
        line = apr_pstrcat(cmd->temp_pool, name, open > 0 ? ">" : "", " ",
                           d->args, NULL);

        if (d->first_child) {
            return apr_psprintf(cmd->pool, "<QuartPushRoutes>: %s: a section "
                                "'%s' cannot be nested here (expected route "
                                "lines)", origin, d->directive);
        }
        err = qp_route_parse_line(&route, cmd->pool, line, origin);
        if (err) {
            return apr_psprintf(cmd->pool, "<QuartPushRoutes>: %s: %s",
                                origin, err);
        }
        if (route) {
            APR_ARRAY_PUSH(routes, qp_route *) = route;
        }
    }
    return qp_routes_add(cmd, routes);
}

static const command_rec qp_cmds[] = {
    AP_INIT_RAW_ARGS("QuartPushResource", qp_cmd_resource, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "a same-origin URL path to push, then optional "
                     "parameters: as=DEST type=MIME crossorigin[=MODE] "
                     "media=QUERY critical nopush"),
    AP_INIT_TAKE1("QuartPush", qp_cmd_push, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "on|off: whether mod_quartpush pushes in this scope "
                  "(default on)"),
    AP_INIT_TAKE1("QuartPushLimit", qp_cmd_limit, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "the most resources announced for one response "
                  "(default 32)"),
    AP_INIT_RAW_ARGS("<QuartPushRoutes", qp_cmd_routes_block, NULL, RSRC_CONF,
                     "a block of route lines: ROUTE => URL [PARAM...], ... "
                     "[when \"EXPR\"]"),
    AP_INIT_TAKE1("QuartPushRoutes", qp_cmd_routes_file, NULL, RSRC_CONF,
                  "a file of route lines, relative to ServerRoot"),
    AP_INIT_TAKE1("QuartPushEarlyHints", qp_cmd_early_hints, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "on|off|h1: send the links as 103 Early Hints to clients "
                  "that do not accept push: HTTP/2 only (on, the default), "
                  "also HTTP/1.1 (h1), or never (off)"),
    AP_INIT_RAW_ARGS("QuartPushPreconnect", qp_cmd_preconnect, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "an origin the page will use, e.g. "
                     "https://cdn.example.com, then optional crossorigin: "
                     "hinted as rel=preconnect, never pushed"),
    AP_INIT_TAKE12("QuartPushCookie", qp_cmd_cookie, NULL,
                   RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                   "NAME [max-age=SECONDS] | off: remember in a cookie what "
                   "each client was pushed or hinted, and do not send it "
                   "again (default off)"),
    AP_INIT_TAKE1("QuartPushLinkHeader", qp_cmd_link_header, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "on|off: also send the preload Link headers on the final "
                  "response (default off)"),
    { NULL }
};

/* ------------------------------------------------------------------------
 * request processing
 */

static const char *qp_h2_var(request_rec *r, const char *name)
{
    return qp_h2_var_lookup(r->pool, r->server, r->connection, r,
                            (char *)name);
}

/* mod_http2 answers "on" when this stream may push: the client's
 * SETTINGS_ENABLE_PUSH, H2Push and the stream's push policy together. */
static int qp_client_accepts_push(request_rec *r)
{
    const char *v;

    if (r->proto_num < HTTP_VERSION(2, 0) || !qp_h2_var_lookup) {
        return 0;
    }
    v = qp_h2_var(r, "H2PUSH");
    return v && !strcmp(v, "on");
}

static int qp_is_pushed_request(request_rec *r)
{
    const char *v = qp_h2_var(r, "H2_PUSHED");
    return v && *v;
}

/* Why this request may not push, whoever asks (the fixups hook or the
 * API), or NULL; *code the counter. */
static const char *qp_request_cannot_push(request_rec *r, qp_skip_e *code)
{
    if (r->method_number != M_GET || r->header_only) {
        *code = QP_SKIP_METHOD;
        return "not a GET request";
    }
    if (apr_table_get(r->subprocess_env, QP_ENV_OFF)) {
        *code = QP_SKIP_OFF;
        return "no-quartpush is set";
    }
    return NULL;
}

/* How the declared links reach this client: pushed when it accepts push,
 * otherwise as Early Hints where QuartPushEarlyHints allows them and the
 * 103 reaches the client (over HTTP/2, mod_http2 forwards it only with
 * H2EarlyHints on, and a 103 it drops is pure cost). *reason and *code say
 * why nothing goes out. */
static qp_send_e qp_delivery(request_rec *r, const qp_dir_conf *dc,
                             const qp_srv_conf *sc, const char **reason,
                             qp_skip_e *code)
{
    int hints = QP_CONF_GET(dc, early_hints, QP_HINTS_ON);

    *code = QP_SKIP_CLIENT;
    if (r->expecting_100) {
        /* a 1xx now would be taken for the 100 the client waits for */
        *reason = "the client waits for 100-continue";
        return QP_SEND_NONE;
    }
    if (r->proto_num >= HTTP_VERSION(2, 0)) {
        if (!qp_h2_var_lookup) {
            *reason = "mod_http2 is not loaded";
            return QP_SEND_NONE;
        }
        if (qp_client_accepts_push(r)) {
            /* (only a client that accepts push has pushed requests) */
            if (qp_is_pushed_request(r)) {
                *code = QP_SKIP_PUSHED;
                *reason = "it is itself a pushed request";
                return QP_SEND_NONE;
            }
            return QP_SEND_PUSH;
        }
        if (hints == QP_HINTS_OFF) {
            *reason = "the client does not accept push, and "
                      "QuartPushEarlyHints is off";
            return QP_SEND_NONE;
        }
        if (!sc->h2_early_hints) {
            *reason = "the client does not accept push, and H2EarlyHints is "
                      "off (mod_http2 would drop the Early Hints)";
            return QP_SEND_NONE;
        }
        return QP_SEND_HINTS;
    }
    if (hints == QP_HINTS_H1 && r->proto_num >= HTTP_VERSION(1, 1)) {
        return QP_SEND_HINTS;
    }
    *code = QP_SKIP_HTTP1;
    *reason = "HTTP/1.x, and QuartPushEarlyHints is not h1";
    return QP_SEND_NONE;
}

/* Why the declared resources should not go out for this response, or
 * NULL. They go out before the handler runs, so the final status is not
 * known yet: the cases where it predictably is 304 or an error are skipped.
 * (A handler's own API calls know better, and are not held to this.) */
static const char *qp_response_skip_reason(request_rec *r, qp_skip_e *code)
{
    const request_rec *prev;
    const char *reason;

    if ((reason = qp_request_cannot_push(r, code)) != NULL) {
        return reason;
    }
    *code = QP_SKIP_CONDITIONAL;
    if (apr_table_get(r->headers_in, "If-None-Match")
        || apr_table_get(r->headers_in, "If-Modified-Since")) {
        return "conditional request (the client revalidates its cache)";
    }
    *code = QP_SKIP_ERROR;
    if (r->status >= 400) {
        return "error response";
    }
    for (prev = r->prev; prev; prev = prev->prev) {
        if (prev->status >= 400) {
            return "error document";
        }
    }
    if (r->finfo.filetype == APR_NOFILE && !r->handler) {
        return "no file and no handler (the response will be 404)";
    }
    *code = QP_SKIP_NONE;
    return NULL;
}

static qp_response_state *qp_state_get(request_rec *r, int create)
{
    request_rec *first = r;
    qp_response_state *st;

    while (first->prev) {
        first = first->prev;
    }
    st = ap_get_module_config(first->request_config, &quartpush_module);
    if (!st && create) {
        st = apr_pcalloc(first->pool, sizeof(*st));
        ap_set_module_config(first->request_config, &quartpush_module, st);
    }
    return st;
}

static int qp_was_announced(const qp_response_state *st, const char *url)
{
    int i;

    for (i = 0; st->announced && i < st->announced->nelts; ++i) {
        if (!strcmp(APR_ARRAY_IDX(st->announced, i, const char *), url)) {
            return 1;
        }
    }
    return 0;
}

/* Send a 103 carrying only the given Link headers. mod_http2 turns each
 * rel=preload link into a PUSH_PROMISE right away, while the handler has
 * not even started; the final response keeps its own headers untouched. */
static void qp_send_early_hints(request_rec *r, apr_table_t *links)
{
    apr_table_t *saved_headers = r->headers_out;
    int saved_status = r->status;
    const char *saved_line = r->status_line;

    r->headers_out = links;
    r->status = HTTP_EARLY_HINTS;
    r->status_line = "103 Early Hints";
    ap_send_interim_response(r, 1);
    r->headers_out = saved_headers;
    r->status = saved_status;
    r->status_line = saved_line;
    QP_COUNT(responses);
}

/* The notes say what this response announced so far, on r (the request
 * that logs them), also after an internal redirect. */
static void qp_set_notes(request_rec *r, const qp_response_state *st)
{
    if (st->pushed) {
        apr_table_setn(r->notes, QP_NOTE, st->pushed);
    }
    if (st->hinted) {
        apr_table_setn(r->notes, QP_NOTE_HINTS, st->hinted);
    }
}

typedef struct {
    const char *name;
    const char *value;
    apr_size_t len;
} qp_cookie_find;

static int qp_cookie_find_cb(void *baton, const char *key, const char *val)
{
    qp_cookie_find *cf = baton;

    cf->value = qp_cookie_value(val, cf->name, &cf->len);
    return cf->value == NULL;       /* the first one wins */
}

/* QuartPushCookie: the digest of what this client was sent before, read
 * once per response from its cookie; NULL when the scope has no cookie. A
 * cookie that is not a valid digest is no error: it is replaced. */
static qp_digest *qp_digest_get(request_rec *r, qp_response_state *st,
                                const qp_dir_conf *dc)
{
    qp_cookie_find cf;

    if (st->digest_read) {
        return st->digest;
    }
    st->digest_read = 1;
    if (!dc->cookie || !dc->cookie->name) {
        return NULL;
    }
    st->cookie = dc->cookie;
    cf.name = dc->cookie->name;
    cf.value = NULL;
    apr_table_do(qp_cookie_find_cb, &cf, r->headers_in, "Cookie", NULL);
    if (cf.value) {
        st->digest = qp_digest_decode(r->pool, cf.value, cf.len);
        if (!st->digest) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "QuartPushCookie: "
                          "cookie %s is not a valid digest (%" APR_SIZE_T_FMT
                          " bytes); replaced", cf.name, cf.len);
            st->digest_dirty = 1;
        }
    }
    if (!st->digest) {
        st->digest = qp_digest_create(r->pool);
    }
    /* the cookie is set once the response is complete, so that pushes
     * from the handler (the API) are in it too */
    ap_add_output_filter(QP_COOKIE_FILTER, st, r, r->connection);
    return st->digest;
}

/* Sets the client's new digest cookie as the response headers go out. */
static apr_status_t qp_cookie_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    qp_response_state *st = f->ctx;
    request_rec *r = f->r;

    if (st->digest_dirty && st->cookie) {
        const qp_cookie_conf *cc = st->cookie;
        apr_table_addn(r->err_headers_out, "Set-Cookie",
            apr_pstrcat(r->pool, cc->name, "=",
                        qp_digest_encode(r->pool, st->digest), "; Path=/",
                        cc->max_age >= 0 ? apr_psprintf(r->pool,
                            "; Max-Age=%d", cc->max_age) : "",
                        "; HttpOnly",
                        strcmp(ap_http_scheme(r), "https") ? "" : "; Secure",
                        "; SameSite=Lax", NULL));
        st->digest_dirty = 0;
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Adds one link to the 103 unless this response announced its URL already,
 * the client's digest says it has it, or the limit is reached. */
static void qp_announce(request_rec *r, qp_response_state *st,
                        apr_table_t **hints, int limit, int *over,
                        const char *url, const char *header,
                        const qp_link *link, qp_send_e how)
{
    int digested = st->digest && !link->preconnect;

    if (qp_was_announced(st, url)) {
        return;
    }
    if (digested && qp_digest_contains(st->digest, url)) {
        st->skipped = st->skipped ?
            apr_pstrcat(r->pool, st->skipped, " ", url, NULL) : url;
        QP_COUNT(skipped[QP_SKIP_COOKIE]);
        return;
    }
    if (strlen(header) > QP_MAX_LINK_HEADER) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "not announced: the "
                      "Link value of %.80s... is %" APR_SIZE_T_FMT " bytes, "
                      "more than mod_http2 forwards (%d)",
                      ap_escape_logitem(r->pool, url), strlen(header),
                      QP_MAX_LINK_HEADER);
        return;
    }
    if (!st->announced) {
        st->announced = apr_array_make(r->pool, 8, sizeof(const char *));
    }
    if (st->announced->nelts >= limit) {
        ++*over;
        QP_COUNT(skipped[QP_SKIP_LIMIT]);
        return;
    }
    if (!*hints) {
        *hints = apr_table_make(r->pool, 8);
    }
    apr_table_addn(*hints, "Link", header);
    APR_ARRAY_PUSH(st->announced, const char *) = url;
    if (digested && qp_digest_add(st->digest, url)) {
        st->digest_dirty = 1;
    }
    if (how == QP_SEND_PUSH && !link->nopush) {
        st->pushed = st->pushed ?
            apr_pstrcat(r->pool, st->pushed, " ", url, NULL) : url;
        QP_COUNT(pushes);
    }
    else {
        st->hinted = st->hinted ?
            apr_pstrcat(r->pool, st->hinted, " ", url, NULL) : url;
        QP_COUNT(hints);
    }
}

/* Announces the scope's links, then those of the matched route (m may be
 * NULL): together, once per URL, up to the limit, in one 103. */
static void qp_push_links(request_rec *r, const qp_dir_conf *dc,
                          const qp_match *m, qp_send_e how)
{
    qp_response_state *st = qp_state_get(r, 1);
    int limit = QP_CONF_GET(dc, limit, QP_DEFAULT_LIMIT);
    apr_table_t *hints = NULL;
    int i, over = 0;

    qp_digest_get(r, st, dc);
    for (i = 0; dc->links && i < dc->links->nelts; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);
        qp_announce(r, st, &hints, limit, &over, link->url, link->header,
                    link, how);
    }
    for (i = 0; m && i < m->route->resources->nelts; ++i) {
        const qp_resource *res = APR_ARRAY_IDX(m->route->resources, i,
                                               const qp_resource *);
        const char *url = qp_resource_url(r->pool, res, m);
        qp_announce(r, st, &hints, limit, &over, url,
                    qp_resource_header_for_url(r->pool, res, url),
                    res->link, how);
    }
    st->over += over;
    st->limit = limit;
    if (hints) {
        qp_send_early_hints(r, hints);
    }
    qp_set_notes(r, st);
}

/* The route for this request, when its condition holds. A false condition
 * means no resources from routes: there is no fall back to another one. */
static const qp_match *qp_route_for(request_rec *r, const qp_srv_conf *sc,
                                    qp_match *m)
{
    const qp_route *route;
    qp_response_state *st = qp_state_get(r, 1);
    const char *uri = st->route_uri ? st->route_uri : r->uri;
    const char *err = NULL;

    if (!sc->table || !(route = qp_routes_match(sc->table, uri, m))) {
        return NULL;
    }
    if (route->condition_data) {
        int ok = ap_expr_exec(r, route->condition_data, &err);
        if (err) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          "route '%s' (%s): evaluating its when condition "
                          "failed: %s", route->pattern, route->origin, err);
        }
        if (ok <= 0) {
            st->route = route;
            st->route_false = 1;
            return NULL;
        }
    }
    st->route = route;
    QP_COUNT(matched);
    return m;
}

/* QuartPushLinkHeader on: the same links on the final response too, for
 * clients and proxies that act on final-response preload headers. */
static void qp_add_final_links(request_rec *r, const qp_dir_conf *dc)
{
    int limit = QP_CONF_GET(dc, limit, QP_DEFAULT_LIMIT);
    qp_digest *digest = qp_digest_get(r, qp_state_get(r, 1), dc);
    int i;

    for (i = 0; i < dc->links->nelts && i < limit; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);
        /* mod_http2 pushes from these too: not what the client has */
        if (digest && !link->preconnect
            && qp_digest_contains(digest, link->url)) {
            continue;
        }
        apr_table_addn(r->headers_out, "Link", link->header);
    }
}

/* Rules apply to the URL the client asked for. Keep its decoded path and
 * its scope now: in fixups, mod_dir's DirectoryIndex and FallbackResource
 * may already have replaced both with those of the file that answers (a
 * front controller), after which a <Location "/blog/"> would not apply. */
static int qp_header_parser(request_rec *r)
{
    const qp_srv_conf *sc;
    const qp_dir_conf *dc;
    qp_response_state *st;

    if (r->main || r->prev) {
        return DECLINED;
    }
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    dc = ap_get_module_config(r->per_dir_config, &quartpush_module);
    if (sc->table || (dc->links && dc->links->nelts)) {
        st = qp_state_get(r, 1);
        st->route_uri = r->uri;
        st->dir_conf = dc;
    }
    return DECLINED;
}

/* One line per request at LogLevel quartpush:debug: the route, what was
 * pushed and hinted, and why anything was left out. */
static void qp_log_request(request_rec *r, const qp_response_state *st,
                           const char *skipped_reason)
{
    const char *route = "no route";
    const char *uri = st && st->route_uri ? st->route_uri : r->uri;

    if (!APLOGrdebug(r)) {
        return;
    }
    if (st && st->route) {
        route = apr_psprintf(r->pool, "route '%s' (%s)%s", st->route->pattern,
                             st->route->origin, st->route_false ?
                             ", its when condition is false" : "");
    }
    if (skipped_reason) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s %s: nothing "
                      "announced: %s", r->method,
                      ap_escape_logitem(r->pool, uri), skipped_reason);
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "%s %s: %s; pushed: %s; hinted: %s; skipped: %d over "
                  "QuartPushLimit %d, the client has (QuartPushCookie): %s",
                  r->method, ap_escape_logitem(r->pool, uri), route,
                  st->pushed ? st->pushed : "-", st->hinted ? st->hinted : "-",
                  st->over, st->limit, st->skipped ? st->skipped : "-");
}

static int qp_fixups(request_rec *r)
{
    const qp_dir_conf *dc;
    const qp_srv_conf *sc;
    qp_response_state *st;
    const char *reason;
    qp_skip_e code;
    qp_send_e how;
    qp_match m;

    /* a subrequest's response is not what the client receives */
    if (r->main) {
        return DECLINED;
    }
    st = qp_state_get(r, 0);
    /* an internally redirected request answers for its predecessors */
    if (r->prev && st) {
        qp_set_notes(r, st);
    }
    dc = (!r->prev && st && st->dir_conf) ? st->dir_conf :
         ap_get_module_config(r->per_dir_config, &quartpush_module);
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    if (((!dc->links || dc->links->nelts == 0) && !sc->table)
        || (r->handler && !strcmp(r->handler, "quartpush-status"))) {
        return DECLINED;    /* nothing to announce; the status page itself */
    }
    if (!r->prev) {
        QP_COUNT(requests);
    }
    if (dc->enabled == 0) {
        reason = "QuartPush off", code = QP_SKIP_OFF;
    }
    else if ((reason = qp_response_skip_reason(r, &code)) == NULL) {
        if (QP_CONF_GET(dc, link_header, 0) && dc->links) {
            qp_add_final_links(r, dc);
        }
        how = qp_delivery(r, dc, sc, &reason, &code);
        if (how != QP_SEND_NONE) {
            qp_push_links(r, dc, qp_route_for(r, sc, &m), how);
            qp_log_request(r, qp_state_get(r, 0), NULL);
            return DECLINED;
        }
    }
    QP_COUNT(skipped[code]);
    qp_log_request(r, st, reason);
    return DECLINED;
}

/* ------------------------------------------------------------------------
 * the API for other modules (mod_quartpush.h)
 */

/* Why r cannot push now, whatever the URL, or NULL. */
static const char *qp_push_impossible(request_rec *r)
{
    const qp_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                 &quartpush_module);
    const qp_srv_conf *sc = ap_get_module_config(r->server->module_config,
                                                 &quartpush_module);
    const char *reason = NULL;
    qp_skip_e code;

    if (r->main) {
        return "a subrequest's response is not the client's";
    }
    if (dc->enabled == 0) {
        return "QuartPush off";
    }
    if ((reason = qp_request_cannot_push(r, &code)) != NULL) {
        return reason;
    }
    /* the same decision as for the configured links; the API only pushes */
    if (qp_delivery(r, dc, sc, &reason, &code) != QP_SEND_PUSH) {
        return reason ? reason : "the client does not accept push (it gets "
                                 "Early Hints from the configured links only)";
    }
    return NULL;
}

static int quartpush_can_push(request_rec *r)
{
    return r && !r->sent_bodyct && !qp_push_impossible(r);
}

static apr_status_t quartpush_make_push_promise(request_rec *r, const char *url,
                                                const char *params)
{
    const qp_dir_conf *dc;
    qp_response_state *st;
    apr_table_t *hints = NULL;
    const char *err;
    qp_link *link;
    int limit, over = 0;

    if (!r || !url) {
        return APR_EINVAL;
    }
    QP_COUNT(api_calls);
    if ((err = qp_link_make_str(&link, r->pool, url, params)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "quartpush_make_push_promise: %s", err);
        return APR_EINVAL;
    }
    if (r->sent_bodyct) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s): the response headers "
                      "were sent already, too late to promise a push",
                      link->url);
        return APR_EGENERAL;
    }
    if ((err = qp_push_impossible(r)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s) ignored: %s", link->url,
                      err);
        return APR_ENOTIMPL;
    }
    st = qp_state_get(r, 1);
    if (qp_was_announced(st, link->url)) {
        return APR_SUCCESS;     /* promised already: the promise stands */
    }
    dc = ap_get_module_config(r->per_dir_config, &quartpush_module);
    limit = QP_CONF_GET(dc, limit, QP_DEFAULT_LIMIT);
    qp_digest_get(r, st, dc);
    qp_announce(r, st, &hints, limit, &over, link->url, link->header,
                link, QP_SEND_PUSH);
    if (!hints) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s) ignored: %s", link->url,
                      over ? "QuartPushLimit reached" :
                      strlen(link->header) > QP_MAX_LINK_HEADER ?
                      "its Link value is too long for mod_http2" :
                      "QuartPushCookie: the client has it already");
        return APR_ENOTIMPL;
    }
    qp_send_early_hints(r, hints);
    qp_set_notes(r, st);
    return APR_SUCCESS;
}

static void qp_retrieve_optional_fns(void)
{
    qp_h2_var_lookup = APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup);
}

/* H2EarlyHints of one server, as mod_http2 reads it: the last one given
 * among the directives of a level (conditional sections such as
 * <IfModule> are already resolved and spliced in); -1 when not given. */
static int qp_tree_early_hints(const ap_directive_t *d)
{
    int on = -1;

    for (; d; d = d->next) {
        if (!strcasecmp(d->directive, "H2EarlyHints") && d->args) {
            on = !strcasecmp(d->args, "on");
        }
    }
    return on;
}

/* mod_http2 offers no way to read its settings: find each server's
 * H2EarlyHints in httpd's configuration tree. A <VirtualHost> node is the
 * server whose definition starts at its file and line. A server not found
 * (a configuration made in an unusual way) counts as forwarding hints, so
 * that it still gets them and no false warning. */
static void qp_scan_early_hints(apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *vhosts = apr_hash_make(ptemp);  /* "file:line" -> node */
    const ap_directive_t *d;
    int main_on = qp_tree_early_hints(ap_conftree);
    server_rec *sv;

    /* one pass over the tree, then one lookup per server: a configuration
     * may have thousands of virtual hosts */
    for (d = ap_conftree; d; d = d->next) {
        if (!strcasecmp(d->directive, "<VirtualHost") && d->filename) {
            apr_hash_set(vhosts, apr_psprintf(ptemp, "%s:%d", d->filename,
                                              d->line_num),
                         APR_HASH_KEY_STRING, d);
        }
    }
    for (sv = s; sv; sv = sv->next) {
        qp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                               &quartpush_module);
        int on = -1, found = (sv == s);

        if (sv != s && sv->defn_name) {
            d = apr_hash_get(vhosts, apr_psprintf(ptemp, "%s:%u",
                                                  sv->defn_name,
                                                  sv->defn_line_number),
                             APR_HASH_KEY_STRING);
            if (d) {
                on = qp_tree_early_hints(d->first_child);
                found = 1;
            }
        }
        sc->h2_early_hints = !found ? 1 : on >= 0 ? on : main_on > 0;
    }
}

/* QuartPushEarlyHints is on by default, so a server with rules whose
 * H2EarlyHints is off would give browsers nothing: say so, for each
 * virtual host, and for the main server when there is no virtual host (with
 * virtual hosts, as in Debian's layout, the main server rarely answers). */
static void qp_check_early_hints(server_rec *s)
{
    server_rec *sv;

    for (sv = s->next ? s->next : s; sv; sv = sv->next) {
        const qp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                                     &quartpush_module);
        const qp_dir_conf *dc = ap_get_module_config(sv->lookup_defaults,
                                                     &quartpush_module);
        int server_hints = QP_CONF_GET(dc, early_hints, QP_HINTS_ON);
        int i, hinted = 0;

        if (sc->h2_early_hints) {
            continue;
        }
        /* rules in a scope that turns hints off do not count; a setting in
         * a section between the two is not seen (the warning may then be
         * said where it need not be, never missed) */
        for (i = 0; i < sc->rule_scopes->nelts && !hinted; ++i) {
            const qp_dir_conf *scope = APR_ARRAY_IDX(sc->rule_scopes, i,
                                                     const qp_dir_conf *);
            hinted = (scope && scope->early_hints != QP_UNSET ?
                      scope->early_hints : server_hints) != QP_HINTS_OFF;
        }
        if (!hinted) {
            continue;
        }
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, sv,
                     "QuartPushEarlyHints is on for %s%s%s but its "
                     "H2EarlyHints is off: mod_http2 drops a 103, so browsers, "
                     "which refuse push, get no Early Hints over HTTP/2. Add "
                     "'H2EarlyHints on' there, or 'QuartPushEarlyHints off' "
                     "to silence this",
                     sv == s ? "the main server " : "the virtual host ",
                     sv->server_hostname ? sv->server_hostname : "(no name)",
                     sv->defn_name ? apr_psprintf(s->process->pconf, " (%s:%u)",
                         sv->defn_name, sv->defn_line_number) : "");
    }
}

/* Compiles each server's route table once the configuration is read and
 * merged (this runs for "apachectl -t" too), so that a route that could
 * never apply stops the server from starting. Also warns when mod_http2,
 * the only way to push, is missing: once, not on the first of the two
 * configuration passes of a start. */
static int qp_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    qp_srv_conf *main_sc = ap_get_module_config(s->module_config,
                                                &quartpush_module);
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        qp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                               &quartpush_module);
        const char *err;

        if (sv != s && sc == main_sc) {
            /* no configuration of its own: it gets its own copy, since
             * what is found out about each server differs */
            sc = apr_pmemdup(pconf, main_sc, sizeof(*sc));
            ap_set_module_config(sv->module_config, &quartpush_module, sc);
        }
        if (sv != s && sc->routes == main_sc->routes) {
            sc->table = main_sc->table;     /* no routes of its own */
            continue;
        }
        sc->table = NULL;
        if (sc->routes->nelts == 0) {
            continue;
        }
        err = qp_routes_compile(&sc->table, pconf, sc->routes);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sv, "QuartPushRoutes: %s",
                         err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    qp_scan_early_hints(ptemp, s);
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        && ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_CONFIG_TEST) {
        return OK;
    }
    if (!APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "mod_http2 is not loaded: mod_quartpush will push "
                     "nothing (a2enmod http2, or LoadModule http2_module)");
    }
    else {
        qp_check_early_hints(s);
    }
    return OK;
}

static void qp_dump_server(apr_file_t *out, apr_pool_t *p, server_rec *s,
                           int is_main)
{
    const qp_srv_conf *sc = ap_get_module_config(s->module_config,
                                                 &quartpush_module);
    const apr_array_header_t *ranked;
    int i, k;

    if (is_main) {
        apr_file_printf(out, "Server %s (main server)\n",
                        s->server_hostname ? s->server_hostname : "(no name)");
    }
    else {
        apr_file_printf(out, "VirtualHost %s:%u (%s:%u)\n",
                        s->server_hostname ? s->server_hostname : "(no name)",
                        (unsigned)s->port, s->defn_name ? s->defn_name : "?",
                        s->defn_line_number);
    }
    if (!sc->table) {
        apr_file_printf(out, "    no routes\n");
        return;
    }
    ranked = qp_routes_ranked(sc->table);
    for (i = 0; i < ranked->nelts; ++i) {
        const qp_route *route = APR_ARRAY_IDX(ranked, i, const qp_route *);
        apr_file_printf(out, "  %3d. %s  [%s]\n", i + 1, route->pattern,
                        route->origin);
        for (k = 0; k < route->resources->nelts; ++k) {
            const qp_resource *res = APR_ARRAY_IDX(route->resources, k,
                                                   const qp_resource *);
            apr_file_printf(out, "         <%s>%s\n", res->link->url,
                            res->link->suffix);
        }
        if (route->condition) {
            apr_file_printf(out, "         when \"%s\"\n", route->condition);
        }
    }
}

/* apachectl -t -D DUMP_QUARTPUSH: the compiled routes of every server in
 * match order, most specific first, like -D DUMP_VHOSTS. */
static void qp_test_config(apr_pool_t *pconf, server_rec *s)
{
    apr_file_t *out = NULL;
    server_rec *sv;

    if (!ap_exists_config_define("DUMP_QUARTPUSH")) {
        return;
    }
    apr_file_open_stdout(&out, pconf);
    apr_file_printf(out, "mod_quartpush routes, in match order:\n");
    for (sv = s; sv; sv = sv->next) {
        qp_dump_server(out, pconf, sv, sv == s);
    }
}

/* ------------------------------------------------------------------------
 * observability: counters in shared memory, the quartpush-status handler,
 * a section in mod_status
 */

#define QP_SHM_KEY        "mod_quartpush_counters"
#define QP_STATUS_ROUTES  1000      /* routes shown at most */

/* The counters live in anonymous shared memory of the process pool, which
 * a graceful restart keeps: they count since the server started. Without
 * shared memory the module works the same, without counters. */
static int qp_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    apr_pool_t *pproc = s->process->pool;
    apr_shm_t *shm = NULL;
    apr_status_t rv;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    apr_pool_userdata_get((void **)&shm, QP_SHM_KEY, pproc);
    if (!shm) {
        rv = apr_shm_create(&shm, sizeof(qp_counters), NULL, pproc);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, "cannot create "
                         "shared memory for the counters of quartpush-status; "
                         "they stay at 0");
            qp_ctr = NULL;
            return OK;
        }
        memset(apr_shm_baseaddr_get(shm), 0, sizeof(qp_counters));
        ((qp_counters *)apr_shm_baseaddr_get(shm))->started = apr_time_now();
        apr_pool_userdata_set(shm, QP_SHM_KEY, apr_pool_cleanup_null, pproc);
    }
    qp_ctr = apr_shm_baseaddr_get(shm);
    return OK;
}

/* A snapshot, so that one page shows one set of figures. */
static void qp_counters_read(qp_counters *c)
{
    int i;

    memset(c, 0, sizeof(*c));
    if (!qp_ctr) {
        return;
    }
    c->started = qp_ctr->started;
    c->requests = apr_atomic_read64(&qp_ctr->requests);
    c->matched = apr_atomic_read64(&qp_ctr->matched);
    c->responses = apr_atomic_read64(&qp_ctr->responses);
    c->pushes = apr_atomic_read64(&qp_ctr->pushes);
    c->hints = apr_atomic_read64(&qp_ctr->hints);
    c->api_calls = apr_atomic_read64(&qp_ctr->api_calls);
    for (i = 0; i < QP_SKIP_COUNT; ++i) {
        c->skipped[i] = apr_atomic_read64(&qp_ctr->skipped[i]);
    }
}

static const struct {
    const char *key;
    const char *label;
    apr_size_t offset;
} qp_counter_fields[] = {
    { "requests", "Requests in a scope with rules",
      APR_OFFSETOF(qp_counters, requests) },
    { "routes_matched", "... whose route applied",
      APR_OFFSETOF(qp_counters, matched) },
    { "early_hints_responses", "103 responses sent",
      APR_OFFSETOF(qp_counters, responses) },
    { "pushes", "Resources pushed",
      APR_OFFSETOF(qp_counters, pushes) },
    { "hints", "Resources sent as hints only",
      APR_OFFSETOF(qp_counters, hints) },
    { "api_calls", "quartpush_make_push_promise() calls",
      APR_OFFSETOF(qp_counters, api_calls) },
    { NULL, NULL, 0 }
};

static const char *const qp_skip_labels[QP_SKIP_COUNT] = {
    "requests: not a GET",
    "requests: QuartPush off or no-quartpush",
    "requests: conditional (revalidation)",
    "requests: the response will be an error",
    "requests: HTTP/1.x (no QuartPushEarlyHints h1)",
    "requests: client refuses push, no hints possible",
    "requests: a pushed request",
    "resources: over QuartPushLimit",
    "resources: the client has them (QuartPushCookie)"
};

#define QP_FIELD(c, i) \
    (*(const apr_uint64_t *)((const char *)(c) + qp_counter_fields[i].offset))

static void qp_status_json(request_rec *r, const qp_counters *c,
                           const qp_srv_conf *sc)
{
    const apr_array_header_t *ranked = sc->table ?
                                       qp_routes_ranked(sc->table) : NULL;
    int i, k, n = ranked ? ranked->nelts : 0;

    ap_set_content_type(r, "application/json");
    ap_rprintf(r, "{\n  \"server\": %s,\n  \"h2_early_hints\": %s,\n"
               "  \"counters_available\": %s,\n  \"started\": %" APR_TIME_T_FMT
               ",\n  \"counters\": {",
               qp_json_str(r->pool, r->server->server_hostname),
               sc->h2_early_hints ? "true" : "false",
               qp_ctr ? "true" : "false", apr_time_sec(c->started));
    for (i = 0; qp_counter_fields[i].key; ++i) {
        ap_rprintf(r, "%s\n    \"%s\": %" APR_UINT64_T_FMT, i ? "," : "",
                   qp_counter_fields[i].key, QP_FIELD(c, i));
    }
    ap_rputs(",\n    \"skipped\": {", r);
    for (i = 0; i < QP_SKIP_COUNT; ++i) {
        ap_rprintf(r, "%s\n      \"%s\": %" APR_UINT64_T_FMT, i ? "," : "",
                   qp_skip_keys[i], c->skipped[i]);
    }
    ap_rprintf(r, "\n    }\n  },\n  \"route_count\": %d,\n"
               "  \"routes_shown\": %d,\n  \"routes\": [", n,
               n < QP_STATUS_ROUTES ? n : QP_STATUS_ROUTES);
    for (i = 0; i < n && i < QP_STATUS_ROUTES; ++i) {
        const qp_route *route = APR_ARRAY_IDX(ranked, i, const qp_route *);
        ap_rprintf(r, "%s\n    {\"rank\": %d, \"pattern\": %s, "
                   "\"origin\": %s, \"when\": %s, \"resources\": [",
                   i ? "," : "", i + 1, qp_json_str(r->pool, route->pattern),
                   qp_json_str(r->pool, route->origin),
                   qp_json_str(r->pool, route->condition));
        for (k = 0; k < route->resources->nelts; ++k) {
            const qp_resource *res = APR_ARRAY_IDX(route->resources, k,
                                                   const qp_resource *);
            ap_rprintf(r, "%s%s", k ? ", " : "", qp_json_str(r->pool,
                       apr_pstrcat(r->pool, "<", res->link->url, ">",
                                   res->link->suffix, NULL)));
        }
        ap_rputs("]}", r);
    }
    ap_rputs("\n  ]\n}\n", r);
}

static void qp_status_html(request_rec *r, const qp_counters *c,
                           const qp_srv_conf *sc)
{
    const apr_array_header_t *ranked = sc->table ?
                                       qp_routes_ranked(sc->table) : NULL;
    int i, k, n = ranked ? ranked->nelts : 0;
    char since[APR_RFC822_DATE_LEN];

    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_rfc822_date(since, c->started);
    ap_rprintf(r, "<!DOCTYPE html>\n<html><head><title>mod_quartpush status"
               "</title></head><body>\n<h1>mod_quartpush status</h1>\n"
               "<p>Server %s. H2EarlyHints: %s (browsers %s Early Hints "
               "here).</p>\n<h2>Counters since %s</h2>\n",
               ap_escape_html(r->pool, r->server->server_hostname ?
                              r->server->server_hostname : "(no name)"),
               sc->h2_early_hints ? "on" : "off",
               sc->h2_early_hints ? "get" : "get no",
               qp_ctr ? since : "(no shared memory: counters off)");
    ap_rputs("<table>\n", r);
    for (i = 0; qp_counter_fields[i].key; ++i) {
        ap_rprintf(r, "<tr><th align=\"left\">%s</th><td id=\"%s\">%"
                   APR_UINT64_T_FMT "</td></tr>\n", qp_counter_fields[i].label,
                   qp_counter_fields[i].key, QP_FIELD(c, i));
    }
    for (i = 0; i < QP_SKIP_COUNT; ++i) {
        ap_rprintf(r, "<tr><th align=\"left\">Skipped %s</th><td id=\""
                   "skipped_%s\">%" APR_UINT64_T_FMT "</td></tr>\n",
                   qp_skip_labels[i], qp_skip_keys[i], c->skipped[i]);
    }
    ap_rprintf(r, "</table>\n<h2>Routes of this virtual host, in match "
               "order (%d)</h2>\n", n);
    if (n == 0) {
        ap_rputs("<p>No routes.</p>\n", r);
    }
    else {
        ap_rputs("<table>\n<tr><th>#</th><th>Route</th><th>Declared at</th>"
                 "<th>Resources</th><th>When</th></tr>\n", r);
    }
    for (i = 0; i < n && i < QP_STATUS_ROUTES; ++i) {
        const qp_route *route = APR_ARRAY_IDX(ranked, i, const qp_route *);
        ap_rprintf(r, "<tr><td>%d</td><td><code>%s</code></td><td>%s</td><td>",
                   i + 1, ap_escape_html(r->pool, route->pattern),
                   ap_escape_html(r->pool, route->origin));
        for (k = 0; k < route->resources->nelts; ++k) {
            const qp_resource *res = APR_ARRAY_IDX(route->resources, k,
                                                   const qp_resource *);
            ap_rprintf(r, "%s<code>%s</code>", k ? "<br>" : "",
                       ap_escape_html(r->pool, apr_pstrcat(r->pool, "<",
                           res->link->url, ">", res->link->suffix, NULL)));
        }
        ap_rprintf(r, "</td><td>%s</td></tr>\n", route->condition ?
                   ap_escape_html(r->pool, route->condition) : "");
    }
    if (n) {
        ap_rputs("</table>\n", r);
    }
    if (n > QP_STATUS_ROUTES) {
        ap_rprintf(r, "<p>... and %d more (apachectl -t -D DUMP_QUARTPUSH "
                   "lists them all).</p>\n", n - QP_STATUS_ROUTES);
    }
    ap_rputs("</body></html>\n", r);
}

/* SetHandler quartpush-status: counters and this virtual host's routes,
 * HTML, or JSON with ?json. Restrict it with Require, like server-status. */
static int qp_status_handler(request_rec *r)
{
    const qp_srv_conf *sc;
    qp_counters c;

    if (!r->handler || strcmp(r->handler, "quartpush-status")) {
        return DECLINED;
    }
    r->allowed = AP_METHOD_BIT << M_GET;
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    qp_counters_read(&c);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (r->args && !strcmp(r->args, "json")) {
        qp_status_json(r, &c, sc);
    }
    else {
        qp_status_html(r, &c, sc);
    }
    return OK;
}

/* A short section on mod_status's page (and its ?auto form). */
static int qp_status_hook(request_rec *r, int flags)
{
    qp_counters c;
    int i;

    qp_counters_read(&c);
    if (flags & AP_STATUS_SHORT) {
        for (i = 0; qp_counter_fields[i].key; ++i) {
            ap_rprintf(r, "QuartPush_%s: %" APR_UINT64_T_FMT "\n",
                       qp_counter_fields[i].key, QP_FIELD(&c, i));
        }
        for (i = 0; i < QP_SKIP_COUNT; ++i) {
            ap_rprintf(r, "QuartPush_skipped_%s: %" APR_UINT64_T_FMT "\n",
                       qp_skip_keys[i], c.skipped[i]);
        }
        return OK;
    }
    ap_rputs("<hr>\n<h2>mod_quartpush</h2>\n<dl>", r);
    for (i = 0; qp_counter_fields[i].key; ++i) {
        ap_rprintf(r, "<dt>%s: %" APR_UINT64_T_FMT "</dt>\n",
                   qp_counter_fields[i].label, QP_FIELD(&c, i));
    }
    ap_rputs("</dl>\n<p>Details: a location with "
             "<code>SetHandler quartpush-status</code>.</p>\n", r);
    return OK;
}

static void qp_register_hooks(apr_pool_t *p)
{
    /* After the modules that can still change the request in fixups:
     * mod_rewrite and mod_env may set no-quartpush, mod_dir picks the file
     * (DirectoryIndex, FallbackResource) that will answer. Still before
     * the handler, so that the pushes go out while it runs. */
    static const char *const fixups_after[] = {
        "mod_rewrite.c", "mod_env.c", "mod_dir.c", NULL
    };

    /* route tables compile once the configuration is merged; a route that
     * could never apply fails apachectl -t; warn when mod_http2 is missing */
    ap_hook_check_config(qp_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* apachectl -t -D DUMP_QUARTPUSH prints the compiled routes */
    ap_hook_test_config(qp_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* counters in shared memory; quartpush-status; a mod_status section */
    ap_hook_post_config(qp_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(qp_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, qp_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
    /* other modules' handlers push through these (mod_quartpush.h) */
    APR_REGISTER_OPTIONAL_FN(quartpush_make_push_promise);
    APR_REGISTER_OPTIONAL_FN(quartpush_can_push);
    /* mod_http2's variables tell whether this stream may push */
    ap_hook_optional_fn_retrieve(qp_retrieve_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    /* before mod_dir can rewrite r->uri in fixups: keep the path routes match */
    ap_hook_header_parser(qp_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(qp_fixups, fixups_after, NULL, APR_HOOK_LAST);
    /* QuartPushCookie: the digest goes out with the response headers */
    ap_register_output_filter(QP_COOKIE_FILTER, qp_cookie_out_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
}

module AP_MODULE_DECLARE_DATA quartpush_module = {
    STANDARD20_MODULE_STUFF,
    qp_create_dir_conf,
    qp_merge_dir_conf,
    qp_create_srv_conf,
    qp_merge_srv_conf,
    qp_cmds,
    qp_register_hooks,
    AP_MODULE_FLAG_NONE
};
