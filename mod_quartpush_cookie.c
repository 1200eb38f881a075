/* QuartPushCookie: what a client was sent before, kept in a cookie of its
 * own as a digest (src/qp_digest.c), so that a repeat visit is not sent
 * again what it has. Read once per response; the new cookie goes out as
 * the response headers leave, so that the handler's API pushes are in it.
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
    apr_table_do(mqp_cookie_find_cb, &cf, r->headers_in, "Cookie", NULL);
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
    ap_add_output_filter(MQP_COOKIE_FILTER, st, r, r->connection);
    return st->digest;
}

/* Sets the client's new digest cookie as the response headers go out. */
apr_status_t mqp_cookie_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    mqp_response_state *st = f->ctx;
    request_rec *r = f->r;

    if (st->digest_dirty && st->cookie) {
        const mqp_cookie_conf *cc = st->cookie;
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

