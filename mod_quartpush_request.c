/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush's request path: which links a response announces, and
 * how. header_parser keeps the URL the client asked for; fixups decides
 * (mqp_decide, one function, top to bottom) and sends the links in one 103
 * before the handler runs; the notes and one debug line say what was done.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <ap_expr.h>
#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_quartpush_private.h"

const char *const mqp_skip_keys[MQP_SKIP_COUNT] = {
    "not_get", "off", "error", "http1",
    "client_refuses_push", "pushed_request", "h2push_off", "not_navigation",
    "limit", "cookie", "size", "missing"
};

mqp_response_state *mqp_state_get(request_rec *r, int create)
{
    request_rec *first = r;
    mqp_response_state *st;

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

int mqp_was_announced(const mqp_response_state *st, const char *url)
{
    int i;

    for (i = 0; st->links.announced && i < st->links.announced->nelts; ++i) {
        if (!strcmp(APR_ARRAY_IDX(st->links.announced, i, const char *), url)) {
            return 1;
        }
    }
    return 0;
}

/* Joins urls once per change: a response's notes are built once from its
 * list, not concatenated again for each URL (which grew with the square of
 * the link count). */
static const char *mqp_note(apr_pool_t *p, const apr_array_header_t *urls,
                            const char **note, int *n)
{
    if (urls && urls->nelts && (!*note || *n != urls->nelts)) {
        *note = apr_array_pstrcat(p, urls, ' ');
        *n = urls->nelts;
    }
    return *note;
}

/* Whether a link's url is that of the request itself (of the URL the
 * client asked for, before any internal redirect): announcing it would
 * have the client fetch what it is already fetching. The paths compare
 * decoded (the link's is written encoded, r->uri is decoded). A link
 * without a query string is the request's own whatever the request's
 * query (the same file, /site.css?v=3 included); one with a query string
 * only when the request has the same one: /page?part=1 is another
 * resource than /page. */
int mqp_is_own_url(request_rec *r, const mqp_response_state *st,
                   const char *url)
{
    const request_rec *first = r;
    const char *path, *args, *query = strchr(url, '?');
    apr_size_t len = query ? (apr_size_t)(query - url) : strlen(url);

    while (first->prev) {
        first = first->prev;
    }
    path = st && st->asked.uri ? st->asked.uri : first->uri;
    args = st && st->asked.uri ? st->asked.args : first->args;
    if (!path) {
        return 0;
    }
    if (memchr(url, '%', len)) {
        char *decoded = apr_pstrmemdup(r->pool, url, len);
        if (ap_unescape_url_keep2f(decoded, 0) != OK) {
            return 0;
        }
        url = decoded;
        len = strlen(decoded);
    }
    if (strlen(path) != len || memcmp(path, url, len)) {
        return 0;
    }
    return !query || (args && !strcmp(query + 1, args));
}

/* The notes say what this response announced so far, on r (the request
 * that logs them), also after an internal redirect. */
void mqp_set_notes(request_rec *r, mqp_response_state *st)
{
    if (mqp_note(r->pool, st->links.pushed, &st->notes.pushed, &st->notes.pushed_n)) {
        apr_table_setn(r->notes, MQP_NOTE, st->notes.pushed);
    }
    if (mqp_note(r->pool, st->links.hinted, &st->notes.hinted, &st->notes.hinted_n)) {
        apr_table_setn(r->notes, MQP_NOTE_HINTS, st->notes.hinted);
    }
}

static void mqp_list_add(apr_pool_t *p, apr_array_header_t **list,
                         const char *url)
{
    if (!*list) {
        *list = apr_array_make(p, 8, sizeof(const char *));
    }
    APR_ARRAY_PUSH(*list, const char *) = url;
}

/* A top-level navigation: the only request on which a browser acts on
 * Early Hints (Chrome 103+, Firefox 123+), and which it marks so with
 * Sec-Fetch-Mode: navigate and Sec-Fetch-Dest: document. A frame's
 * navigation (Dest iframe or frame) is not one: no browser uses hints
 * there. A request without these headers is not one either: every browser
 * that acts on Early Hints sends them. The values are tokens, compared
 * exactly (RFC 8941). */
static int mqp_is_navigation(const request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *dest;

    if (!mode || strcmp(mode, "navigate")) {
        return 0;
    }
    dest = apr_table_get(r->headers_in, "Sec-Fetch-Dest");
    return dest && !strcmp(dest, "document");
}

#define MQP_NOT_NAVIGATION "no push (the client refuses it, or H2Push is " \
    "off), and this is not a navigation (Sec-Fetch-Mode: navigate, " \
    "Sec-Fetch-Dest: document), the only request a browser uses Early " \
    "Hints on; QuartPushEarlyHints all hints every request"

/* Whether hints are worth sending on r: on a navigation, or anywhere
 * with QuartPushEarlyHints all. */
static int mqp_hints_wanted(const request_rec *r, int hints)
{
    return (hints & MQP_HINTS_ALL) || mqp_is_navigation(r);
}

/* Announces nothing, for reason code; why is the debug log's text. */
static void mqp_nothing(mqp_decision *d, mqp_skip_e code, const char *why)
{
    d->how = MQP_SEND_NONE;
    d->code = code;
    d->reason = why;
}

/* A client that gets no push (it refuses push, or H2Push is off): the
 * links as Early Hints, where they reach it and it reads them. Over
 * HTTP/2 mod_http2 forwards a 103 only with H2EarlyHints on, and one it
 * drops is pure cost; a browser reads Early Hints on a navigation only.
 * Where H2Push is off the hints say nopush, so that mod_http2 never
 * pushes from them. */
static void mqp_decide_hints(request_rec *r, const mqp_srv_conf *sc,
                             int hints, int h2push_off, mqp_decision *d)
{
    static const char *const no_hints[2][2] = {
        { "the client does not accept push, and QuartPushEarlyHints is off",
          "the client does not accept push, and H2EarlyHints is off "
          "(mod_http2 would drop the Early Hints)" },
        { "H2Push off, and QuartPushEarlyHints is off",
          "H2Push off, and H2EarlyHints is off (mod_http2 would drop the "
          "Early Hints)" }
    };
    mqp_skip_e code = h2push_off ? MQP_SKIP_H2PUSH_OFF
                                 : MQP_SKIP_CLIENT_REFUSES_PUSH;

    if (hints == MQP_HINTS_OFF) {
        mqp_nothing(d, code, no_hints[h2push_off][0]);
    }
    else if (!mqp_h2_early_hints(r, sc)) {
        mqp_nothing(d, code, no_hints[h2push_off][1]);
    }
    else if (!mqp_hints_wanted(r, hints)) {
        mqp_nothing(d, MQP_SKIP_NOT_NAVIGATION, MQP_NOT_NAVIGATION);
    }
    else {
        d->how = MQP_SEND_HINTS;
        d->nopush = h2push_off;
    }
}

/* Whether the response will predictably be an error, decided before the
 * handler runs: why, or NULL. A revalidation (If-None-Match,
 * If-Modified-Since) is not one: only the handler knows whether it is a
 * 304, and a navigation that revalidates after a deploy (an old ETag) is
 * the one that most needs the new files; when it is a 304 the browser
 * takes what the 103 names from its cache (docs/push-or-hints.md). */
static const char *mqp_predicted_error(const request_rec *r)
{
    const request_rec *prev;

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

/* Whether and how r's response announces links. The reasons for
 * announcing nothing come in the order they are checked, each with its
 * counter: first those that leave the response without links at all,
 * then (d->for_response set: QuartPushLinkHeader still applies) those
 * that leave this client without a 103. A client that accepts push gets
 * the links pushed, any other Early Hints where they reach it
 * (mqp_decide_hints). H2Push off at any scope counts as a client that
 * refuses push: mod_http2's H2PUSH variable reflects the stream's policy
 * (the session's server and the client's SETTINGS), not a <Location>'s
 * H2Push, which the module reads from its own H2Push command.
 * With predict, the configured links go out before the handler runs, so
 * the responses that will predictably be an error are left out; the API
 * asks without: a handler that pushes knows its response. */
void mqp_decide(request_rec *r, const mqp_dir_conf *dc,
                const mqp_srv_conf *sc, int predict, mqp_decision *d)
{
    int hints = MQP_CONF_GET(dc, early_hints, MQP_HINTS_ON);
    int h2push_off = sc->h2push == 0 || dc->h2push == 0;
    const char *error;

    d->for_response = 0;
    d->nopush = 0;
    /* no links for this response */
    if (dc->enabled == 0) {
        mqp_nothing(d, MQP_SKIP_OFF, "QuartPush off");
        return;
    }
    if (r->method_number != M_GET) {
        mqp_nothing(d, MQP_SKIP_NOT_GET, "not a GET request");
        return;
    }
    if (apr_table_get(r->subprocess_env, MQP_ENV_OFF)) {
        mqp_nothing(d, MQP_SKIP_OFF, "no-quartpush is set");
        return;
    }
    if (predict && (error = mqp_predicted_error(r)) != NULL) {
        mqp_nothing(d, MQP_SKIP_ERROR, error);
        return;
    }
    /* links for this response, but no 103 for this client */
    d->for_response = 1;
    if (r->header_only) {
        /* HEAD: the final Link headers of a GET (RFC 9110 9.3.2), no 103 */
        mqp_nothing(d, MQP_SKIP_NOT_GET, "a HEAD request");
    }
    else if (r->expecting_100) {
        /* a 1xx now would be taken for the 100 the client waits for */
        mqp_nothing(d, MQP_SKIP_CLIENT_REFUSES_PUSH,
                    "the client waits for 100-continue");
    }
    else if (r->proto_num < HTTP_VERSION(2, 0)) {
        if (!(hints & MQP_HINTS_H1) || r->proto_num < HTTP_VERSION(1, 1)) {
            mqp_nothing(d, MQP_SKIP_HTTP1,
                        "HTTP/1.x, and QuartPushEarlyHints is not h1");
        }
        else if (!mqp_hints_wanted(r, hints)) {
            mqp_nothing(d, MQP_SKIP_NOT_NAVIGATION, MQP_NOT_NAVIGATION);
        }
        else {
            d->how = MQP_SEND_HINTS;
        }
    }
    else if (!mqp_h2_loaded()) {
        mqp_nothing(d, MQP_SKIP_CLIENT_REFUSES_PUSH, "mod_http2 is not loaded");
    }
    else if (!mqp_h2_client_accepts_push(r)) {
        mqp_decide_hints(r, sc, hints, h2push_off, d);
    }
    /* (only a client that accepts push has pushed requests) */
    else if (mqp_h2_is_pushed_request(r)) {
        mqp_nothing(d, MQP_SKIP_PUSHED_REQUEST, "it is itself a pushed request");
    }
    else if (h2push_off) {
        mqp_decide_hints(r, sc, hints, h2push_off, d);
    }
    else {
        d->how = MQP_SEND_PUSH;
    }
}

void mqp_announce_begin(mqp_announcement *a, request_rec *r,
                        const mqp_dir_conf *dc, mqp_send_e how)
{
    a->r = r;
    a->st = mqp_state_get(r, 1);
    a->how = how;
    a->limit = MQP_CONF_GET(dc, limit, MQP_DEFAULT_LIMIT);
    a->over = 0;
    a->bytes = 0;
    a->over_size = 0;
    a->nopush = 0;
    a->hold = 0;
    a->links = NULL;
    a->rule = 0;
    mqp_cookie_digest(r, a->st, dc);
}

/* A resource left out is counted once per response: an internal redirect
 * runs fixups again on the same URLs. True when url was not left out
 * before (it is now). */
static int mqp_newly_left_out(request_rec *r, mqp_response_state *st,
                              const char *url)
{
    if (!st->left.counted) {
        st->left.counted = apr_hash_make(r->pool);
    }
    else if (apr_hash_get(st->left.counted, url, APR_HASH_KEY_STRING)) {
        return 0;
    }
    apr_hash_set(st->left.counted, url, APR_HASH_KEY_STRING, url);
    return 1;
}

int mqp_skip_once(request_rec *r, mqp_response_state *st, const char *url,
                  mqp_skip_e reason)
{
    if (!mqp_newly_left_out(r, st, url)) {
        return 0;
    }
    MQP_COUNT(skipped[reason]);
    return 1;
}

int mqp_announce(mqp_announcement *a, const char *url, const char *header,
                 const qp_link *link)
{
    request_rec *r = a->r;
    mqp_response_state *st = a->st;
    int uses_digest = st->cookie.digest && !link->preconnect;

    if (!link->preconnect && mqp_is_own_url(r, st, url)) {
        st->left.own = url;
        return 0;
    }
    if (mqp_was_announced(st, url)) {
        return 0;
    }
    if (uses_digest && qp_digest_contains(st->cookie.digest, url)) {
        if (mqp_newly_left_out(r, st, url)) {
            mqp_list_add(r->pool, &st->left.in_digest, url);
            MQP_COUNT(skipped[MQP_SKIP_COOKIE]);
        }
        return 0;
    }
    if (strlen(header) > MQP_MAX_LINK_HEADER) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "not announced: the "
                      "Link value of %.80s... is %" APR_SIZE_T_FMT " bytes, "
                      "more than mod_http2 forwards (%d)",
                      ap_escape_logitem(r->pool, url), strlen(header),
                      MQP_MAX_LINK_HEADER);
        return 0;
    }
    if (!st->links.announced) {
        st->links.announced = apr_array_make(r->pool, 8, sizeof(const char *));
    }
    if (st->links.announced->nelts >= a->limit) {
        if (mqp_newly_left_out(r, st, url)) {
            ++a->over;
            MQP_COUNT(skipped[MQP_SKIP_LIMIT]);
        }
        return 0;
    }
    if (a->over_size || a->bytes + MQP_LINK_ENTRY_BYTES(header)
                        + (a->nopush ? sizeof("; nopush") : 0)
                        > MQP_MAX_HINTS_BYTES) {
        /* the 103 is full: this one and every later one stay out, so
         * that the first ones declared are kept, as with the limit */
        ++a->over_size;
        MQP_COUNT(skipped[MQP_SKIP_SIZE]);
        return 0;
    }
    if (!a->links) {
        a->links = apr_table_make(r->pool, 8);
    }
    if (a->nopush && !link->nopush && !link->preconnect) {
        header = apr_pstrcat(r->pool, header, "; nopush", NULL);
    }
    a->bytes += MQP_LINK_ENTRY_BYTES(header);
    apr_table_addn(a->links, "Link", header);
    APR_ARRAY_PUSH(st->links.announced, const char *) = url;
    if (!link->preconnect) {
        mqp_used_mark(a, url);
    }
    if (uses_digest && qp_digest_add(st->cookie.digest, url)) {
        st->cookie.dirty = 1;
    }
    if (a->how == MQP_SEND_PUSH && !link->nopush) {
        mqp_list_add(r->pool, &st->links.pushed, url);
        MQP_COUNT(pushes);
    }
    else {
        mqp_list_add(r->pool, &st->links.hinted, url);
        MQP_COUNT(hints);
    }
    return 1;
}

int mqp_announce_send(mqp_announcement *a)
{
    a->st->left.over_limit += a->over;
    a->st->left.over_size += a->over_size;
    a->st->left.limit = a->limit;
    if (a->links) {
        /* in the shared table before the client can know the URLs */
        mqp_used_write(a->r, a->st);
    }
    if (a->links && a->hold && !a->st->backend.held) {
        /* QuartPushBackendHints merge: one 103, the handler's, carries
         * them (mod_quartpush_backend.c); or the final response */
        a->st->backend.held = a->links;
        a->st->backend.first_was_hints = a->how == MQP_SEND_HINTS;
    }
    else if (a->links) {
        mqp_h2_send_early_hints(a->r, a->links);
        if (!a->st->links.first_103) {
            a->st->links.first_103 = a->links;
            a->st->backend.first_was_hints = a->how == MQP_SEND_HINTS;
        }
    }
    mqp_set_notes(a->r, a->st);
    return a->links != NULL;
}

/* The route for this request, when its condition holds. A false condition
 * means no resources from routes: there is no fall back to another one. */
static const qp_match *mqp_route_for(request_rec *r, const mqp_srv_conf *sc,
                                     qp_match *m)
{
    const qp_route *route;
    mqp_response_state *st = mqp_state_get(r, 1);
    const char *uri = st->asked.uri ? st->asked.uri : r->uri;
    const char *err = NULL;

    if (!sc->table) {
        return NULL;
    }
    route = qp_routes_match(sc->table, uri, m);
    if (m->gave_up && !st->route.gave_up) {   /* once, across internal redirects */
        st->route.gave_up = 1;
        MQP_COUNT(routes_gave_up);
    }
    if (!route) {
        return NULL;
    }
    if (route->condition_data) {
        int ok = ap_expr_exec(r, route->condition_data, &err);
        if (err) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MQP_LOGNO(00003)
                          "route '%s' (%s): evaluating its when condition "
                          "failed: %s", route->pattern, route->origin, err);
        }
        if (ok <= 0) {
            st->route.matched = route;
            st->route.condition_false = 1;
            return NULL;
        }
    }
    st->route.matched = route;
    if (!st->counted.route) {       /* once, across internal redirects */
        st->counted.route = 1;
        MQP_COUNT(routes_matched);
    }
    return m;
}

/* Announces the scope's links, then those of the matched route (m may be
 * NULL): together, once per URL, up to the limit, in one 103 (or held for
 * the handler's, QuartPushBackendHints merge). True when any went in. */
static int mqp_announce_rules(request_rec *r, const mqp_dir_conf *dc,
                              const qp_match *m, const mqp_decision *d)
{
    mqp_announcement a;
    int i;

    mqp_announce_begin(&a, r, dc, d->how);
    a.nopush = d->nopush;
    a.hold = MQP_CONF_GET(dc, backend_hints, 0) == 1;
    for (i = 0; dc->links && i < dc->links->nelts; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);
        a.rule = link->rule;
        if (link->ref) {
            mqp_manifest_announce(&a, link);
            continue;
        }
        mqp_announce(&a, link->url, link->header, link);
    }
    for (i = 0; m && i < m->route->resources->nelts; ++i) {
        const qp_resource *res = APR_ARRAY_IDX(m->route->resources, i,
                                               const qp_resource *);
        const char *url;

        a.rule = res->link->rule;
        if (res->link->ref) {
            mqp_manifest_announce(&a, res->link);
            continue;
        }

        /* a URL with placeholders is left out before it is built: nothing
         * is spent on a resource that cannot go in (a fixed one costs
         * nothing to build, and mqp_announce may find it announced) */
        if (res->parts && (a.over_size
            || (a.st->links.announced && a.st->links.announced->nelts >= a.limit))) {
            if (a.over_size) {
                ++a.over_size;
                MQP_COUNT(skipped[MQP_SKIP_SIZE]);
            }
            else if (mqp_newly_left_out(r, a.st, res->link->url)) {
                /* (keyed by the template: a redirect's second pass over
                 * the same route counts it once) */
                ++a.over;
                MQP_COUNT(skipped[MQP_SKIP_LIMIT]);
            }
            continue;
        }
        url = qp_resource_url(r->pool, res, m);
        mqp_announce(&a, url, qp_resource_header_for_url(r->pool, res, url),
                     res->link);
    }
    if (mqp_announce_send(&a)) {
        a.st->links.sent_103 = 1;
        return 1;
    }
    return 0;
}

/* QuartPushLinkHeader on: the same links on the final response too, for
 * clients and proxies that act on final-response preload headers. They
 * are kept in the state and added by mqp_links_out_filter as the headers
 * leave: a handler may replace r->headers_out (mod_proxy_http puts the
 * backend's there), and err_headers_out would carry them on an error too.
 * The request that answers decides (after an internal redirect, the last
 * one); they go out once. */
/* One final link: 0 once the header block is full. mod_http2 pushes from
 * these too: not what the client has, nor what it is fetching. */
static int mqp_final_link(request_rec *r, mqp_response_state *st,
                          qp_digest *digest, apr_size_t *bytes, int limit,
                          const char *url, const char *header,
                          const qp_link *link)
{
    if (st->links.final->nelts >= limit) {
        return 0;       /* QuartPushLimit holds here too */
    }
    /* (after an internal redirect the digest holds what an earlier pass
     * announced too: the client has only what it holds and this response
     * did not announce) */
    if (!link->preconnect && (mqp_is_own_url(r, st, url)
                              || (digest && qp_digest_contains(digest, url)
                                  && !mqp_was_announced(st, url)))) {
        return 1;
    }
    /* the final response's header block has the same bound */
    *bytes += MQP_LINK_ENTRY_BYTES(header);
    if (*bytes > MQP_MAX_HINTS_BYTES) {
        return 0;
    }
    APR_ARRAY_PUSH(st->links.final, const char *) = header;
    return 1;
}

static void mqp_add_final_links(request_rec *r, const mqp_dir_conf *dc)
{
    int limit = MQP_CONF_GET(dc, limit, MQP_DEFAULT_LIMIT);
    mqp_response_state *st = mqp_state_get(r, 1);
    qp_digest *digest = mqp_cookie_digest(r, st, dc);
    apr_size_t bytes = 0;
    int i, j, more = 1;

    st->links.final = apr_array_make(r->pool, 8, sizeof(const char *));
    st->links.final_vary = digest != NULL;
    for (i = 0; more && i < dc->links->nelts; ++i) {
        const qp_link *link = APR_ARRAY_IDX(dc->links, i, const qp_link *);
        const apr_array_header_t *items;

        if (!link->ref) {
            more = mqp_final_link(r, st, digest, &bytes, limit, link->url,
                                  link->header, link);
            continue;
        }
        /* an @NAME:KEY: its files, as the 103 has them for a browser */
        items = mqp_manifest_items(r, link);
        for (j = 0; more && items && j < items->nelts; ++j) {
            const mqp_mf_item *it = &APR_ARRAY_IDX(items, j, mqp_mf_item);
            more = mqp_final_link(r, st, digest, &bytes, limit, it->url,
                                  it->hint_header, it->link);
        }
    }
}

void mqp_links_insert_filter(request_rec *r, const mqp_response_state *st)
{
    if (st && ((st->links.final
                && (st->links.final->nelts || st->links.final_vary)
                && !st->links.final_added)
               || (st->backend.held && !st->backend.held_sent))) {
        ap_add_output_filter(MQP_LINKS_FILTER, NULL, r, r->connection);
    }
}

/* Whether a Link header already in t carries value, alone or as one
 * element of a comma-separated list (a backend may fold them). */
static int mqp_has_link_cb(void *baton, const char *key, const char *val)
{
    const char *value = baton, *p = val;
    apr_size_t n = strlen(value);

    (void)key;
    while ((p = strstr(p, value)) != NULL) {
        const char *q = p;
        while (q > val && (q[-1] == ' ' || q[-1] == '\t')) {
            --q;
        }
        if ((q == val || q[-1] == ',')
            && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) {
            return 0;       /* found: stop */
        }
        p += n;
    }
    return 1;
}

int mqp_has_link(apr_table_t *t, const char *value)
{
    return !apr_table_do(mqp_has_link_cb, (void *)value, t, "Link", NULL);
}

static int mqp_vary_has_cookie_cb(void *baton, const char *key,
                                  const char *val)
{
    const char *field = val;
    char *item;

    (void)key;
    while ((item = ap_get_list_item(baton, &field)) != NULL) {
        if (!strcmp(item, "*") || !strcasecmp(item, "cookie")) {
            return 0;
        }
    }
    return 1;
}

/* The final Link headers left out what the client's cookie says it has:
 * a shared cache must not hand this response to a client with another
 * cookie (or none). Vary: Cookie says so and keeps the site's own
 * Cache-Control; merged into the Vary already there, since mod_cache reads
 * one field (err_headers_out's first). */
static void mqp_vary_cookie(request_rec *r)
{
    apr_table_t *t = apr_table_get(r->err_headers_out, "Vary")
                     ? r->err_headers_out : r->headers_out;

    if (apr_table_do(mqp_vary_has_cookie_cb, r->pool, r->headers_out,
                     "Vary", NULL)
        && apr_table_do(mqp_vary_has_cookie_cb, r->pool, r->err_headers_out,
                        "Vary", NULL)) {
        apr_table_merge(t, "Vary", "Cookie");
    }
}

apr_status_t mqp_links_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    mqp_response_state *st = mqp_state_get(r, 0);
    int i;

    if (st) {
        mqp_backend_final_links(r, st);
    }
    /* not on an error: httpd drops headers_out there, and so do we */
    if (st && st->links.final && !st->links.final_added
        && r->status < 400) {
        if (st->links.final_vary) {
            mqp_vary_cookie(r);
        }
        for (i = 0; i < st->links.final->nelts; ++i) {
            const char *v = APR_ARRAY_IDX(st->links.final, i, const char *);
            /* once: not again when a backend (or mod_headers) sent it */
            if (!mqp_has_link(r->headers_out, v)
                && !mqp_has_link(r->err_headers_out, v)) {
                apr_table_addn(r->headers_out, "Link", v);
            }
        }
        st->links.final_added = 1;
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Rules apply to the URL the client asked for. Keep its decoded path and
 * its scope now: in fixups, mod_dir's DirectoryIndex and FallbackResource
 * may already have replaced both with those of the file that answers (a
 * front controller), after which a <Location "/blog/"> would not apply. */
int mqp_header_parser(request_rec *r)
{
    const mqp_srv_conf *sc;
    const mqp_dir_conf *dc;
    mqp_response_state *st;

    if (r->main || r->prev) {
        return DECLINED;
    }
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    dc = ap_get_module_config(r->per_dir_config, &quartpush_module);
    if (sc->table || (dc->links && dc->links->nelts)) {
        st = mqp_state_get(r, 1);
        st->asked.uri = r->uri;
        st->asked.args = r->args;
        st->asked.dir_conf = dc;
    }
    return DECLINED;
}

/* One line per request at LogLevel quartpush:debug: the route, what was
 * pushed and hinted, and why anything was left out. */
static void mqp_log_request(request_rec *r, mqp_response_state *st,
                           const char *skipped_reason)
{
    const char *route = "no route";
    const char *size = "";
    const char *uri;

    if (!APLOGrdebug(r)) {
        return;
    }
    uri = st && st->asked.uri ? st->asked.uri : r->uri;
    if (st && st->route.matched) {
        route = apr_psprintf(r->pool, "route '%s' (%s)%s", st->route.matched->pattern,
                             st->route.matched->origin, st->route.condition_false ?
                             ", its when condition is false" : "");
    }
    if (st && st->route.gave_up) {
        route = apr_pstrcat(r->pool, route, " (the route matcher gave up at "
                            "its bound of nodes visited, QP_MAX_VISITS: a more "
                            "specific route may exist)", NULL);
    }
    if (skipped_reason) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s %s: nothing "
                      "announced: %s", r->method,
                      ap_escape_logitem(r->pool, uri), skipped_reason);
        return;
    }
    if (st->left.over_size) {
        size = apr_psprintf(r->pool, ", %d over the 103's size cap (%d "
                            "bytes of Link headers)", st->left.over_size,
                            MQP_MAX_HINTS_BYTES);
        /* also on a short line of its own: the one below lists every URL
         * and httpd cuts a log line at 8 KB */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s %s: %d links left "
                      "out over the 103's size cap (%d bytes of Link "
                      "headers)", r->method, ap_escape_logitem(r->pool, uri),
                      st->left.over_size, MQP_MAX_HINTS_BYTES);
    }
    mqp_set_notes(r, st);   /* joined once; the log line uses them too */
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "%s %s: %s; pushed: %s; hinted: %s; skipped: %d over "
                  "QuartPushLimit %d%s, the client has (QuartPushCookie): %s%s%s",
                  r->method, ap_escape_logitem(r->pool, uri), route,
                  st->notes.pushed ? st->notes.pushed : "-",
                  st->notes.hinted ? st->notes.hinted : "-",
                  st->left.over_limit, st->left.limit, size,
                  st->left.in_digest ? apr_array_pstrcat(r->pool, st->left.in_digest, ' ')
                              : "-",
                  st->left.own ? ", the URL asked for: " : "",
                  st->left.own ? st->left.own : "");
}

/* Decides for each response (never a subrequest's, which the client does
 * not receive) and announces; after an internal redirect the new request
 * answers for the chain, and a URL is never announced twice in it. */
int mqp_fixups(request_rec *r)
{
    const mqp_dir_conf *dc;
    const mqp_srv_conf *sc;
    mqp_response_state *st;
    mqp_decision d;
    qp_match m;

    if (r->main) {
        return DECLINED;
    }
    st = mqp_state_get(r, 0);
    if (r->prev && st) {
        mqp_set_notes(r, st);
        st->links.final = NULL;     /* the request that answers decides */
        mqp_backend_follow(r, st);
    }
    /* the rules of the URL the client asked for (see mqp_header_parser) */
    dc = (!r->prev && st && st->asked.dir_conf) ? st->asked.dir_conf :
         ap_get_module_config(r->per_dir_config, &quartpush_module);
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    if (((!dc->links || dc->links->nelts == 0) && !sc->table)
        || mqp_is_status_handler(r->handler)) {
        return DECLINED;    /* nothing to announce; the status page itself */
    }
    /* a response counts once, however many internal redirects it takes:
     * in requests, and in one skip reason unless it announced (the first
     * reason found: an ErrorDocument's after a 404 is the same request) */
    if (!st) {
        st = mqp_state_get(r, 1);
    }
    if (!st->counted.request) {
        st->counted.request = 1;
        MQP_COUNT(requests);
    }
    mqp_decide(r, dc, sc, 1, &d);
    if (d.for_response && dc->links && MQP_CONF_GET(dc, link_header, 0)) {
        mqp_add_final_links(r, dc);
    }
    if (d.how == MQP_SEND_NONE) {
        if (!st->counted.outcome) {
            st->counted.outcome = 1;
            MQP_COUNT(skipped[d.code]);
        }
        mqp_log_request(r, st, d.reason);
        return DECLINED;
    }
    st->counted.outcome = 1;
    if (st->links.sent_103) {
        /* One 103 per response: a browser reads only the first, and the
         * size cap bounds the response's links (a per-directory RewriteRule
         * sends its first pass's 103 before this one). So a link left out
         * by the size cap is counted once, by the pass that sent it. */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s %s: its 103 was "
                      "sent before the internal redirect", r->method,
                      ap_escape_logitem(r->pool, r->uri));
        return DECLINED;
    }
    if (mqp_announce_rules(r, dc, mqp_route_for(r, sc, &m), &d)
        || st->backend.held) {
        /* the handler may send a 103 of its own (a proxied backend) */
        mqp_backend_watch(r, st, dc);
    }
    mqp_log_request(r, st, NULL);
    return DECLINED;
}
