/* SPDX-License-Identifier: Apache-2.0 */
/* QuartPushCookie: what a client was sent before, kept in a cookie of its
 * own as a digest (src/qp_digest.c), so that a repeat visit is not sent
 * again what it has. Read once per response; the new cookie goes out as
 * the response headers leave, so that the handler's API pushes are in it.
 * The filter that sets it is added in insert_filter (and
 * insert_error_filter), for whichever request finally answers: an
 * internal redirect (a per-directory RewriteRule front controller, an
 * ErrorDocument) builds a new filter chain, and an error response made by
 * httpd starts from a bare one. A response that carries the cookie is
 * marked private (and no-store for CDNs), so that no shared cache stores
 * one client's digest and hands it to others.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "mod_quartpush_private.h"

typedef struct {
    const char *name;
    const char *value;
    apr_size_t len;
} mqp_cookie_find;

static int mqp_cookie_find_cb(void *baton, const char *key, const char *val)
{
    mqp_cookie_find *cf = baton;

    cf->value = qp_cookie_value(val, cf->name, &cf->len);
    return cf->value == NULL;       /* the first one wins */
}

/* QuartPushCookie: the digest of what this client was sent before, read
 * once per response from its cookie; NULL when the scope has no cookie. A
 * cookie that is not a valid digest is no error: it is replaced. */
qp_digest *mqp_cookie_digest(request_rec *r, mqp_response_state *st,
                                const mqp_dir_conf *dc)
{
    mqp_cookie_find cf;

    if (st->cookie.read) {
        return st->cookie.digest;
    }
    st->cookie.read = 1;
    if (!dc->cookie || !dc->cookie->name) {
        return NULL;
    }
    st->cookie.conf = dc->cookie;
    cf.name = dc->cookie->name;
    cf.value = NULL;
    apr_table_do(mqp_cookie_find_cb, &cf, r->headers_in, "Cookie", NULL);
    if (cf.value) {
        st->cookie.digest = qp_digest_decode(r->pool, cf.value, cf.len);
        if (!st->cookie.digest) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "QuartPushCookie: "
                          "cookie %s is not a valid digest (%" APR_SIZE_T_FMT
                          " bytes); replaced", cf.name, cf.len);
            st->cookie.dirty = 1;
        }
    }
    if (!st->cookie.digest) {
        st->cookie.digest = qp_digest_create(r->pool);
    }
    /* the cookie is set by the filter mqp_insert_error_filters adds, once
     * the handler is done, so that its pushes (the API) are in it too */
    return st->cookie.digest;
}

/* The response's filter chain is built: the cookie's filter goes in when
 * this response may carry one, that is when a digest was read for it
 * (also by an earlier request of its internal redirect chain) or its scope
 * has a cookie (the handler may still push through the API). After
 * mod_headers' filter, so that the Cache-Control it sets is seen. */
static void mqp_cookie_insert(request_rec *r, const mqp_response_state *st)
{
    const mqp_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &quartpush_module);

    if ((st && st->cookie.conf) || (dc->cookie && dc->cookie->name)) {
        ap_add_output_filter(MQP_COOKIE_FILTER, NULL, r, r->connection);
    }
}

/* insert_filter: the cookie's filter, and QuartPushLinkHeader's (one hook,
 * one look at the response's state: every request passes here) */
void mqp_insert_filters(request_rec *r)
{
    mqp_response_state *st;

    if (r->main) {
        return;         /* a subrequest's headers are not the client's */
    }
    st = mqp_state_get(r, 0);
    mqp_cookie_insert(r, st);
    mqp_links_insert_filter(r, st);
    if (st && (st->used.written || st->used.claim_at_log)) {
        mqp_used_insert_filter(r, st);
    }
}

/* insert_error_filter: an error response keeps the cookie */
void mqp_insert_error_filters(request_rec *r)
{
    mqp_response_state *st;

    if (r->main) {
        return;
    }
    st = mqp_state_get(r, 0);
    mqp_cookie_insert(r, st);
    mqp_used_insert_filter(r, st);
}

static int mqp_cc_collect(void *baton, const char *key, const char *val)
{
    apr_array_header_t *items = baton;
    apr_pool_t *p = items->pool;
    const char *field = val;
    char *item;

    while ((item = ap_get_list_item(p, &field)) != NULL) {
        APR_ARRAY_PUSH(items, char *) = item;
    }
    return 1;
}

/* A response that carries one client's digest must not be stored by a
 * shared cache (mod_cache, a CDN) and replayed to others: its Cache-Control
 * says private, unless it already says private or no-store. public and
 * s-maxage, which would contradict it, are dropped; the rest is kept. The
 * whole field goes to err_headers_out, where mod_cache looks first. */
static void mqp_cookie_private(request_rec *r)
{
    apr_array_header_t *items = apr_array_make(r->pool, 4, sizeof(char *));
    apr_array_header_t *kept = apr_array_make(r->pool, 4, sizeof(char *));
    int i;

    apr_table_do(mqp_cc_collect, items, r->headers_out, "Cache-Control",
                 NULL);
    apr_table_do(mqp_cc_collect, items, r->err_headers_out, "Cache-Control",
                 NULL);
    for (i = 0; i < items->nelts; ++i) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);

        if (!strcasecmp(item, "private") || !strcasecmp(item, "no-store")) {
            return;
        }
        if (strcasecmp(item, "public") && strncasecmp(item, "s-maxage", 8)) {
            APR_ARRAY_PUSH(kept, const char *) = item;
        }
    }
    APR_ARRAY_PUSH(kept, const char *) = "private";
    apr_table_unset(r->headers_out, "Cache-Control");
    apr_table_setn(r->err_headers_out, "Cache-Control",
                   apr_array_pstrcat(r->pool, kept, ','));
}

/* CDN-Cache-Control (RFC 9213) and Surrogate-Control override
 * Cache-Control for the CDNs that read them: one that says a CDN may
 * store the response would let it replay the cookie to others. Each one
 * present says no-store instead; one absent leaves the CDN to
 * Cache-Control's private. */
static void mqp_cookie_no_cdn(request_rec *r, const char *field)
{
    if (apr_table_get(r->headers_out, field)
        || apr_table_get(r->err_headers_out, field)) {
        apr_table_unset(r->headers_out, field);
        apr_table_setn(r->err_headers_out, field, "no-store");
    }
}

/* Sets the client's new digest cookie as the response headers go out. */
apr_status_t mqp_cookie_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    mqp_response_state *st = mqp_state_get(r, 0);

    if (st && st->cookie.dirty && st->cookie.conf) {
        const mqp_cookie_conf *cc = st->cookie.conf;
        apr_table_addn(r->err_headers_out, "Set-Cookie",
            apr_pstrcat(r->pool, cc->name, "=",
                        qp_digest_encode(r->pool, st->cookie.digest), "; Path=/",
                        cc->max_age >= 0 ? apr_psprintf(r->pool,
                            "; Max-Age=%d", cc->max_age) : "",
                        "; HttpOnly",
                        strcmp(ap_http_scheme(r), "https") ? "" : "; Secure",
                        "; SameSite=Lax", NULL));
        mqp_cookie_private(r);
        mqp_cookie_no_cdn(r, "CDN-Cache-Control");
        mqp_cookie_no_cdn(r, "Surrogate-Control");
        st->cookie.dirty = 0;
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

