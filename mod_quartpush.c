/* mod_quartpush: HTTP/2 server push declared in httpd.conf, the way Quart's
 * make_push_promise() works. This file is the httpd glue: directives,
 * per-directory merging, and the fixups hook that hands preload links to
 * mod_http2 in a 103 interim response before the handler runs.
 */
#include <errno.h>
#include <string.h>

#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_http2.h>

#include "qp_link.h"

APLOG_USE_MODULE(quartpush);

#define QP_UNSET          (-1)
#define QP_DEFAULT_LIMIT  32
#define QP_MAX_LIMIT      1000
#define QP_NOTE           "quartpush"
#define QP_ENV_OFF        "no-quartpush"

/* Per-directory configuration; also the server's defaults. Fields are
 * QP_UNSET until a directive sets them, so that a child scope inherits. */
typedef struct {
    int enabled;                /* QuartPush on|off */
    int limit;                  /* QuartPushLimit */
    int link_header;            /* QuartPushLinkHeader on|off */
    apr_array_header_t *links;  /* qp_link *, parent's first */
} qp_dir_conf;

#define QP_CONF_GET(dc, field, dflt) \
    ((dc)->field == QP_UNSET ? (dflt) : (dc)->field)

/* What one response has announced so far, kept on the first request of an
 * internal redirect chain so that a redirect never pushes a URL twice. */
typedef struct {
    apr_array_header_t *announced;  /* const char * URLs */
    const char *pushed;             /* space-separated URLs, the note */
} qp_response_state;

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

static const char *qp_cmd_limit(cmd_parms *cmd, void *dconf, const char *arg)
{
    qp_dir_conf *dc = dconf;
    char *end;
    apr_int64_t n;

    errno = 0;
    n = apr_strtoi64(arg, &end, 10);
    if (errno || end == arg || *end || n < 0 || n > QP_MAX_LIMIT) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid limit "
                            "(expected a whole number from 0 to %d)",
                            cmd->cmd->name, arg, QP_MAX_LIMIT);
    }
    dc->limit = (int)n;
    return NULL;
}

static const char *qp_cmd_resource(cmd_parms *cmd, void *dconf,
                                   const char *args)
{
    qp_dir_conf *dc = dconf;
    qp_link *link;
    const char *err;
    int idx;

    /* raw arguments, so that media="(max-width: 600px)" is one parameter */
    err = qp_link_parse(&link, cmd->pool, args);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    if (!dc->links) {
        dc->links = apr_array_make(cmd->pool, 4, sizeof(qp_link *));
    }
    /* one URL, one announcement: a later declaration in a scope replaces */
    idx = qp_links_find(dc->links, link->url);
    if (idx >= 0) {
        APR_ARRAY_IDX(dc->links, idx, qp_link *) = link;
    }
    else {
        APR_ARRAY_PUSH(dc->links, qp_link *) = link;
    }
    return NULL;
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

/* Why this response gets no announcements whatever the client, or NULL.
 * Pushes go out before the handler runs, so the final status is not known
 * yet: the cases where it predictably is 304 or an error are skipped. */
static const char *qp_response_skip_reason(request_rec *r)
{
    const request_rec *prev;

    if (r->method_number != M_GET || r->header_only) {
        return "not a GET request";
    }
    if (apr_table_get(r->subprocess_env, QP_ENV_OFF)) {
        return "no-quartpush is set";
    }
    if (apr_table_get(r->headers_in, "If-None-Match")
        || apr_table_get(r->headers_in, "If-Modified-Since")) {
        return "conditional request (the client revalidates its cache)";
    }
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
        st->announced = apr_array_make(first->pool, 8, sizeof(const char *));
        ap_set_module_config(first->request_config, &quartpush_module, st);
    }
    return st;
}

static int qp_was_announced(const qp_response_state *st, const char *url)
{
    int i;

    for (i = 0; i < st->announced->nelts; ++i) {
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
}

/* Announce dc's links not yet announced for this response, up to the limit. */
static void qp_push_links(request_rec *r, const qp_dir_conf *dc)
{
    qp_response_state *st = qp_state_get(r, 1);
    int limit = QP_CONF_GET(dc, limit, QP_DEFAULT_LIMIT);
    apr_table_t *hints = NULL;
    int i, over = 0;

    for (i = 0; i < dc->links->nelts; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);

        if (qp_was_announced(st, link->url)) {
            continue;
        }
        if (st->announced->nelts >= limit) {
            ++over;
            continue;
        }
        if (!hints) {
            hints = apr_table_make(r->pool, dc->links->nelts);
        }
        apr_table_addn(hints, "Link", link->header);
        APR_ARRAY_PUSH(st->announced, const char *) = link->url;
        if (!link->nopush) {
            st->pushed = st->pushed ?
                apr_pstrcat(r->pool, st->pushed, " ", link->url, NULL) :
                link->url;
        }
    }
    if (over) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "QuartPushLimit %d reached: %d more resource(s) not "
                      "announced", limit, over);
    }
    if (hints) {
        qp_send_early_hints(r, hints);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "pushed for %s: %s", ap_escape_logitem(r->pool, r->uri),
                      st->pushed ? st->pushed : "(hints only)");
    }
    if (st->pushed) {
        apr_table_setn(r->notes, QP_NOTE, st->pushed);
    }
}

/* QuartPushLinkHeader on: the same links on the final response too, for
 * clients and proxies that act on final-response preload headers. */
static void qp_add_final_links(request_rec *r, const qp_dir_conf *dc)
{
    int limit = QP_CONF_GET(dc, limit, QP_DEFAULT_LIMIT);
    int i;

    for (i = 0; i < dc->links->nelts && i < limit; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);
        apr_table_addn(r->headers_out, "Link", link->header);
    }
}

static int qp_fixups(request_rec *r)
{
    const qp_dir_conf *dc;
    const qp_response_state *st;
    const char *reason;

    /* a subrequest's response is not what the client receives */
    if (r->main) {
        return DECLINED;
    }
    /* an internally redirected request answers for its predecessors */
    if (r->prev && (st = qp_state_get(r, 0)) != NULL && st->pushed) {
        apr_table_setn(r->notes, QP_NOTE, st->pushed);
    }
    dc = ap_get_module_config(r->per_dir_config, &quartpush_module);
    if (!dc->links || dc->links->nelts == 0 || dc->enabled == 0) {
        return DECLINED;
    }
    if ((reason = qp_response_skip_reason(r)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "no push for %s: %s",
                      ap_escape_logitem(r->pool, r->uri), reason);
        return DECLINED;
    }
    if (QP_CONF_GET(dc, link_header, 0)) {
        qp_add_final_links(r, dc);
    }
    if (!qp_client_accepts_push(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "no push for %s: the client does not accept push",
                      ap_escape_logitem(r->pool, r->uri));
        return DECLINED;
    }
    if (qp_is_pushed_request(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "no push for %s: it is itself a pushed request",
                      ap_escape_logitem(r->pool, r->uri));
        return DECLINED;
    }
    if (r->expecting_100) {
        /* a 1xx now would be taken for the 100 the client waits for */
        return DECLINED;
    }
    qp_push_links(r, dc);
    return DECLINED;
}

static void qp_retrieve_optional_fns(void)
{
    qp_h2_var_lookup = APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup);
}

/* Without mod_http2 there is no push at all: say so once, at "apachectl -t"
 * and at startup (not on the first of the two configuration passes). */
static int qp_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        && ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_CONFIG_TEST) {
        return OK;
    }
    if (!APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "mod_http2 is not loaded: mod_quartpush will push "
                     "nothing (a2enmod http2, or LoadModule http2_module)");
    }
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

    /* warn when mod_http2, the only way to push, is missing */
    ap_hook_check_config(qp_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* mod_http2's variables tell whether this stream may push */
    ap_hook_optional_fn_retrieve(qp_retrieve_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_fixups(qp_fixups, fixups_after, NULL, APR_HOOK_LAST);
}

module AP_MODULE_DECLARE_DATA quartpush_module = {
    STANDARD20_MODULE_STUFF,
    qp_create_dir_conf,
    qp_merge_dir_conf,
    NULL,
    NULL,
    qp_cmds,
    qp_register_hooks,
    AP_MODULE_FLAG_NONE
};
