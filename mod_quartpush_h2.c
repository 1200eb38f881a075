/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush and mod_http2: everything that asks or tells mod_http2.
 * Its variables (may this stream push? is it a pushed request?), the 103
 * that carries the links (mod_http2 promises the preload ones and forwards
 * the 103 where H2EarlyHints is on), and the H2EarlyHints setting of each
 * server, which mod_http2 gives no way to read but its configuration tree.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_optional.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <mod_http2.h>

#include "mod_quartpush_private.h"

static APR_OPTIONAL_FN_TYPE(http2_var_lookup) *mqp_h2_var_lookup;

void mqp_h2_retrieve_optional_fns(void)
{
    mqp_h2_var_lookup = APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup);
}

int mqp_h2_loaded(void)
{
    return mqp_h2_var_lookup != NULL;
}

int mqp_h2_configured(void)
{
    return APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup) != NULL;
}

static const char *mqp_h2_var(request_rec *r, const char *name)
{
    return mqp_h2_var_lookup(r->pool, r->server, r->connection, r,
                            (char *)name);
}

/* What a primary connection keeps, shared by the streams of its HTTP/2
 * session, which run as secondary connections in other threads. */
typedef struct {
    apr_uint32_t refuses_push;  /* 2: its client refuses push, else 0;
                                 * written once, read with atomics */
    server_rec *server;         /* the server its protocol was chosen with
                                 * (the SNI virtual host, or the request's
                                 * on an h2c upgrade), or NULL; written
                                 * before any stream runs */
    const char *client_ip;      /* c->client_ip when it connected ... */
    apr_uint64_t client_hash;   /* ... hashed once for used, late, unused
                                 * (mqp_used_client_hash) */
} mqp_h2_conn;

static mqp_h2_conn *mqp_h2_conn_get(conn_rec *c)
{
    conn_rec *c1 = c->master ? c->master : c;

    return ap_get_module_config(c1->conn_config, &quartpush_module);
}

/* pre_connection: a primary connection gets its mqp_h2_conn */
int mqp_h2_pre_connection(conn_rec *c, void *csd)
{
    if (!c->master) {
        mqp_h2_conn *hc = apr_pcalloc(c->pool, sizeof(mqp_h2_conn));

        hc->client_ip = c->client_ip;
        hc->client_hash = mqp_used_client_hash(c->client_ip);
        ap_set_module_config(c->conn_config, &quartpush_module, hc);
    }
    return OK;
}

/* The hash of r's client address: its connection's, computed once, when
 * the request's address is the very string the connection had (no
 * mod_remoteip, or mod_remoteip left it) */
apr_uint64_t mqp_h2_client_hash(const request_rec *r)
{
    const mqp_h2_conn *hc = mqp_h2_conn_get(r->connection);

    return hc && hc->client_ip == r->useragent_ip
           ? hc->client_hash : mqp_used_client_hash(r->useragent_ip);
}

/* protocol_propose: the server a protocol is chosen with (ALPN after SNI,
 * an h2c upgrade) is the one mod_http2 makes its session's, and decides
 * with whether to forward a 103 (H2EarlyHints): keep it. */
int mqp_h2_protocol_propose(conn_rec *c, request_rec *r, server_rec *s,
                            const apr_array_header_t *offers,
                            apr_array_header_t *proposals)
{
    mqp_h2_conn *hc = mqp_h2_conn_get(c);

    (void)offers;
    (void)proposals;
    if (hc && (s || r)) {
        hc->server = s ? s : r->server;
    }
    return DECLINED;
}

/* Whether mod_http2 forwards r's 103: H2EarlyHints of its session's
 * server, not of r's virtual host (one connection may serve several
 * names); on h2c with prior knowledge, the connection's base server. */
int mqp_h2_early_hints(request_rec *r, const mqp_srv_conf *sc)
{
    mqp_h2_conn *hc = mqp_h2_conn_get(r->connection);
    conn_rec *c1 = r->connection->master ? r->connection->master
                                         : r->connection;
    server_rec *s = hc && hc->server ? hc->server : c1->base_server;

    if (!s || s == r->server) {
        return sc->h2_early_hints;
    }
    sc = ap_get_module_config(s->module_config, &quartpush_module);
    return sc->h2_early_hints;
}

/* mod_http2 answers "on" when this stream may push: the client's
 * SETTINGS_ENABLE_PUSH and H2Push, which belong to the connection (and an
 * accept-push-policy request header, a draft no client sends). Asking costs
 * a lookup among mod_http2's variables and a lock of its session. A refusal
 * is kept for the connection: browsers refuse from their first SETTINGS
 * on, and every request of theirs asks (a client that allows push again
 * later still gets hints). A yes is asked again on each request: a client
 * may send SETTINGS_ENABLE_PUSH=0 at any time, and a kept yes would count
 * and log pushes that mod_http2 never makes, and give the client the push
 * form of the links. */
int mqp_h2_client_accepts_push(request_rec *r)
{
    mqp_h2_conn *hc = mqp_h2_conn_get(r->connection);
    apr_uint32_t *known = hc ? &hc->refuses_push : NULL;
    apr_uint32_t state = known ? apr_atomic_read32(known) : 0;
    const char *v;

    if (r->proto_num < HTTP_VERSION(2, 0) || !mqp_h2_var_lookup) {
        return 0;
    }
    if (state == 2) {
        return 0;
    }
    v = mqp_h2_var(r, "H2PUSH");
    if (v && !strcmp(v, "on")) {
        return 1;
    }
    if (known) {
        apr_atomic_set32(known, 2);
    }
    return 0;
}

int mqp_h2_is_pushed_request(request_rec *r)
{
    const char *v = mqp_h2_var(r, "H2_PUSHED");
    return v && *v;
}

/* The Link headers of links, joined with ", " into as few headers as fit
 * in MQP_MAX_LINK_HEADER bytes each (each link alone does). Over HTTP/2,
 * mod_http2 reads the 103 back from the request's secondary connection,
 * line by line into an 8 KB buffer, and joins the headers of one name with
 * apr_table_merge (h2_c2_filter.c): each Link header copied every one
 * before it into the request's pool, and the 188 links of 200 bytes that
 * fit under MQP_MAX_HINTS_BYTES took some 4.6 MB of memory for one 103
 * (make check-hard's htaccess stage), against 0.1 MB over HTTP/1.1. Joined
 * here, a few lines are merged instead of hundreds, and the client gets
 * the same single Link header as before. */
apr_table_t *mqp_h2_join_links(apr_pool_t *p, const apr_table_t *links)
{
    const apr_array_header_t *arr = apr_table_elts(links);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_t *joined = apr_table_make(p, 4);
    int i, j, k;

    for (i = 0; i < arr->nelts; i = j) {
        apr_size_t len = strlen(e[i].val);
        char *v, *w;

        for (j = i + 1; j < arr->nelts; ++j) {
            apr_size_t n = strlen(e[j].val);
            if (strcasecmp(e[j].key, e[i].key)
                || len + 2 + n > MQP_MAX_LINK_HEADER) {
                break;
            }
            len += 2 + n;
        }
        w = v = apr_palloc(p, len + 1);
        for (k = i; k < j; ++k) {
            apr_size_t n = strlen(e[k].val);
            if (k > i) {
                *w++ = ',';
                *w++ = ' ';
            }
            memcpy(w, e[k].val, n);
            w += n;
        }
        *w = '\0';
        apr_table_addn(joined, e[i].key, v);
    }
    return joined;
}

/* Send a 103 carrying only the given Link headers. mod_http2 turns each
 * rel=preload link into a PUSH_PROMISE right away, while the handler has
 * not even started; the final response keeps its own headers untouched.
 * Over HTTP/1.1 each link keeps its own Link header. */
void mqp_h2_send_early_hints(request_rec *r, apr_table_t *links)
{
    apr_table_t *saved_headers = r->headers_out;
    int saved_status = r->status;
    const char *saved_line = r->status_line;
    mqp_response_state *st = mqp_state_get(r, 0);

    if (r->proto_num >= HTTP_VERSION(2, 0)) {
        links = mqp_h2_join_links(r->pool, links);
    }
    r->headers_out = links;
    r->status = HTTP_EARLY_HINTS;
    r->status_line = "103 Early Hints";
    if (st) {
        st->backend.sending_own = 1;    /* not a handler's 103: pass it as it is */
    }
    ap_send_interim_response(r, 1);
    if (st) {
        st->backend.sending_own = 0;
    }
    r->headers_out = saved_headers;
    r->status = saved_status;
    r->status_line = saved_line;
    MQP_COUNT(early_hints_responses);
}

/* H2EarlyHints of one server, as mod_http2 reads it: the last one given
 * among the directives of a level (conditional sections such as
 * <IfModule> are already resolved and spliced in); -1 when not given. */
static int mqp_tree_early_hints(const ap_directive_t *d)
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
void mqp_h2_scan_early_hints(apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *vhosts = apr_hash_make(ptemp);  /* "file:line" -> node */
    const ap_directive_t *d;
    int main_on = mqp_tree_early_hints(ap_conftree);
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
        mqp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                               &quartpush_module);
        int on = -1, found = (sv == s);

        if (sv != s && sv->defn_name) {
            d = apr_hash_get(vhosts, apr_psprintf(ptemp, "%s:%u",
                                                  sv->defn_name,
                                                  sv->defn_line_number),
                             APR_HASH_KEY_STRING);
            if (d) {
                on = mqp_tree_early_hints(d->first_child);
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
void mqp_h2_check_early_hints(server_rec *s)
{
    server_rec *sv;

    for (sv = s->next ? s->next : s; sv; sv = sv->next) {
        const mqp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                                     &quartpush_module);
        const mqp_dir_conf *dc = ap_get_module_config(sv->lookup_defaults,
                                                     &quartpush_module);
        int server_hints = MQP_CONF_GET(dc, early_hints, MQP_HINTS_ON);
        int i, hinted = 0;

        if (sc->h2_early_hints) {
            continue;
        }
        /* rules in a scope that turns hints off do not count; a setting in
         * a section between the two is not seen (the warning may then be
         * said where it need not be, never missed) */
        for (i = 0; i < sc->rule_scopes->nelts && !hinted; ++i) {
            const mqp_dir_conf *scope = APR_ARRAY_IDX(sc->rule_scopes, i,
                                                     const mqp_dir_conf *);
            hinted = (scope && scope->early_hints != MQP_UNSET ?
                      scope->early_hints : server_hints) != MQP_HINTS_OFF;
        }
        if (!hinted) {
            continue;
        }
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, sv, MQP_LOGNO(00002)
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

