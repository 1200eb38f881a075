/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush and a proxied app's own 103 (QuartPushBackendHints).
 * Browsers act on the first 103 of a navigation only: with "first" (the
 * default) the module's 103 goes first and the links of a backend's 103
 * that follows are counted and logged as lost; with "merge" the module
 * holds its links back and joins them to the backend's first 103, or to
 * the final response's Link header when no 103 comes.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_buckets.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "mod_quartpush_private.h"

/* An interim response is a few header lines; one that is not complete
 * after this many bytes is passed on as it is, never held without bound */
#define MQP_INTERIM_MAX (256 * 1024)
/* the scopes logged about (QP00030) by this child, at most */
#define MQP_BACKEND_LOGGED_MAX 1000

/* Why a connection filter. mod_proxy_http forwards a backend's 1xx with
 * ap_send_interim_response(r, 1), which writes it as HTTP/1.1 text
 * straight to r->connection->output_filters: no request filter and no
 * hook sees it, and r->headers_out is cleared before the text is flushed.
 * mod_http2 parses that text back on the stream's secondary connection
 * (its H2_C2_NET_CATCH_H1 filter, AP_FTYPE_NETWORK); over HTTP/1.1 it goes
 * to mod_ssl and the core. A filter of type AP_FTYPE_CONNECTION sits
 * before both, on h2, h2c and HTTP/1.1 alike, and sees the interim
 * response whole (up to the flush that ap_send_interim_response ends
 * with) while r->status is still the 1xx: it tells an interim response
 * from anything else without guessing from the bytes. Final responses
 * never pass through it: the request's filter chain was linked to the
 * connection's before this filter was put at its head. */
typedef struct {
    request_rec *r;             /* the request that answers now (the last
                                 * of an internal redirect chain) */
    mqp_response_state *st;
    const mqp_dir_conf *dc;
    apr_bucket_brigade *text;   /* an interim response, until its flush */
    apr_size_t text_len;
} mqp_backend_ctx;

static apr_thread_mutex_t *mqp_logged_lock;
static apr_hash_t *mqp_logged;  /* scopes said QP00030 about, this child */

void mqp_backend_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&mqp_logged_lock, APR_THREAD_MUTEX_DEFAULT,
                                pchild) == APR_SUCCESS) {
        mqp_logged = apr_hash_make(pchild);
    }
}

/* The link-values of one Link header value: commas inside <...> or a
 * quoted string do not separate (RFC 8288). Each is trimmed. */
static void mqp_split_links(apr_pool_t *p, const char *v,
                            apr_array_header_t *out)
{
    const char *s = v, *q;
    int in_uri = 0, in_quote = 0;

    for (q = v;; ++q) {
        if (*q == '\0' || (*q == ',' && !in_uri && !in_quote)) {
            const char *b = s, *e = q;
            while (b < e && (*b == ' ' || *b == '\t')) {
                ++b;
            }
            while (e > b && (e[-1] == ' ' || e[-1] == '\t')) {
                --e;
            }
            if (e > b) {
                APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, b, e - b);
            }
            if (*q == '\0') {
                break;
            }
            s = q + 1;
        }
        else if (*q == '<' && !in_quote) {
            in_uri = 1;
        }
        else if (*q == '>' && !in_quote) {
            in_uri = 0;
        }
        else if (*q == '"' && !in_uri) {
            in_quote = !in_quote;
        }
        else if (*q == '\\' && in_quote && q[1]) {
            ++q;
        }
    }
}

/* The target of a link-value, "<url>; ...": url, or the value itself */
static const char *mqp_link_target(apr_pool_t *p, const char *value)
{
    const char *b = strchr(value, '<'), *e = b ? strchr(b, '>') : NULL;

    return e ? apr_pstrmemdup(p, b + 1, e - b - 1) : value;
}

static int mqp_collect_cb(void *baton, const char *key, const char *val)
{
    apr_array_header_t *out = baton;

    (void)key;
    mqp_split_links(out->pool, val, out);
    return 1;
}

/* Every link-value of t's Link headers */
static apr_array_header_t *mqp_links_of(apr_pool_t *p, const apr_table_t *t)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(const char *));

    apr_table_do(mqp_collect_cb, out, t, "Link", NULL);
    return out;
}

/* A set of link targets (URLs), for "is this one in the first 103?" */
static apr_hash_t *mqp_target_set(apr_pool_t *p,
                                  const apr_array_header_t *values)
{
    apr_hash_t *set = apr_hash_make(p);
    int i;

    for (i = 0; i < values->nelts; ++i) {
        const char *t = mqp_link_target(p, APR_ARRAY_IDX(values, i,
                                                         const char *));
        apr_hash_set(set, t, APR_HASH_KEY_STRING, t);
    }
    return set;
}

/* One interim response, parsed: its status line, its header lines other
 * than Link, and its Link headers as a table. */
typedef struct {
    const char *status_line;    /* without CRLF */
    int status;
    apr_array_header_t *others; /* const char *: "Name: value" */
    apr_table_t *links;
} mqp_interim;

static int mqp_parse_interim(apr_pool_t *p, char *text, apr_size_t len,
                             mqp_interim *it)
{
    char *line = text, *end = text + len, *nl;

    it->others = apr_array_make(p, 4, sizeof(const char *));
    it->links = apr_table_make(p, 4);
    it->status_line = NULL;
    while (line < end && (nl = memchr(line, '\n', end - line)) != NULL) {
        char *e = nl, *colon;

        if (e > line && e[-1] == '\r') {
            --e;
        }
        *e = '\0';
        if (!it->status_line) {
            it->status_line = line;
            if (strncmp(line, "HTTP/", 5) || !(line = strchr(line, ' '))) {
                return 0;
            }
            it->status = atoi(line + 1);
        }
        else if (*line == '\0') {
            return nl + 1 == end;   /* the blank line ends it, and it alone */
        }
        else if ((colon = strchr(line, ':')) != NULL
                 && colon - line == 4 && !strncasecmp(line, "Link", 4)) {
            const char *v = colon + 1;
            while (*v == ' ' || *v == '\t') {
                ++v;
            }
            apr_table_addn(it->links, "Link", v);
        }
        else {
            APR_ARRAY_PUSH(it->others, const char *) = line;
        }
        line = nl + 1;
    }
    return 0;
}

/* QP00030, once per scope in this child: what a handler's later 103 lost,
 * and what to do about it (merge: it was the backend's second 103) */
static void mqp_log_lost(request_rec *r, const mqp_dir_conf *dc,
                         const char *lost, int n, int merged)
{
    const char *scope = dc->scope ? dc->scope : "(server)";
    int first = 0;

    if (!mqp_logged || apr_thread_mutex_lock(mqp_logged_lock)) {
        return;
    }
    if (!apr_hash_get(mqp_logged, scope, APR_HASH_KEY_STRING)
        && apr_hash_count(mqp_logged) < MQP_BACKEND_LOGGED_MAX) {
        const char *key = apr_pstrdup(apr_hash_pool_get(mqp_logged), scope);
        apr_hash_set(mqp_logged, key, APR_HASH_KEY_STRING, key);
        first = 1;
    }
    apr_thread_mutex_unlock(mqp_logged_lock);
    if (!first) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MQP_LOGNO(00030)
                  "%s: the handler (a proxied backend?) sent a 103 after "
                  "the first one of the response; browsers act on the "
                  "first 103 only, so its %d link(s) not in the first are "
                  "ignored: %s. %s%s%s (logged once per scope and child)",
                  ap_escape_logitem(r->pool, r->uri), n,
                  ap_escape_logitem(r->pool, lost),
                  merged ? "Have the backend send all its links in its "
                           "first 103 (QuartPushBackendHints merge is on "
                           "for " : "Set 'QuartPushBackendHints merge' for ",
                  ap_escape_logitem(r->pool, scope),
                  merged ? ")" : " to send one 103 with both sets, or "
                                 "declare them with QuartPushResource");
}

/* The text of an interim response: the status line, the other headers as
 * they came, then the Link values (joined as mqp_h2_send_early_hints
 * joins them over HTTP/2; one header each over HTTP/1.1) */
static char *mqp_interim_text(request_rec *r, const mqp_interim *it,
                              apr_table_t *links)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    struct iovec *vec;
    int i, n = 0, cap;

    if (r->proto_num >= HTTP_VERSION(2, 0)) {
        links = mqp_h2_join_links(r->pool, links);
    }
    arr = apr_table_elts(links);
    e = (const apr_table_entry_t *)arr->elts;
    cap = 2 + 2 * it->others->nelts + 4 * arr->nelts + 1;
    vec = apr_palloc(r->pool, cap * sizeof(*vec));
#define MQP_IOV(s) do { vec[n].iov_base = (void *)(s); \
                        vec[n].iov_len = strlen(s); ++n; } while (0)
    MQP_IOV(it->status_line);
    MQP_IOV(CRLF);
    for (i = 0; i < it->others->nelts; ++i) {
        MQP_IOV(APR_ARRAY_IDX(it->others, i, const char *));
        MQP_IOV(CRLF);
    }
    for (i = 0; i < arr->nelts; ++i) {
        MQP_IOV("Link: ");
        MQP_IOV(e[i].val);
        MQP_IOV(CRLF);
    }
    MQP_IOV(CRLF);
#undef MQP_IOV
    return apr_pstrcatv(r->pool, vec, n, NULL);
}

/* merge: the module's held links first, then the backend's that are not
 * among them (nor twice), while the 103 stays under MQP_MAX_HINTS_BYTES
 * and each Link line under what mod_http2 forwards */
static apr_table_t *mqp_merge_links(request_rec *r, mqp_response_state *st,
                                    const apr_table_t *backend)
{
    const apr_array_header_t *own = mqp_links_of(r->pool, st->backend.held);
    const apr_array_header_t *theirs = mqp_links_of(r->pool, backend);
    apr_hash_t *seen = mqp_target_set(r->pool, own);
    apr_table_t *out = apr_table_make(r->pool, own->nelts + theirs->nelts);
    apr_size_t bytes = 0;
    int i;

    for (i = 0; i < own->nelts; ++i) {
        const char *v = APR_ARRAY_IDX(own, i, const char *);
        bytes += MQP_LINK_ENTRY_BYTES(v);
        apr_table_addn(out, "Link", v);
    }
    for (i = 0; i < theirs->nelts; ++i) {
        const char *v = APR_ARRAY_IDX(theirs, i, const char *);
        const char *t = mqp_link_target(r->pool, v);

        if (apr_hash_get(seen, t, APR_HASH_KEY_STRING)) {
            continue;
        }
        if (strlen(v) > MQP_MAX_LINK_HEADER
            || bytes + MQP_LINK_ENTRY_BYTES(v) > MQP_MAX_HINTS_BYTES) {
            MQP_COUNT(skipped[MQP_SKIP_SIZE]);
            continue;
        }
        apr_hash_set(seen, t, APR_HASH_KEY_STRING, t);
        bytes += MQP_LINK_ENTRY_BYTES(v);
        apr_table_addn(out, "Link", v);
    }
    return out;
}

/* One whole interim response that the handler sent: returns the text to
 * send instead, or NULL to send it as it came. */
static const char *mqp_backend_interim(mqp_backend_ctx *ctx, char *text,
                                       apr_size_t len)
{
    request_rec *r = ctx->r;
    mqp_response_state *st = ctx->st;
    const apr_array_header_t *theirs;
    apr_array_header_t *lost;
    apr_hash_t *first;
    mqp_interim it;
    int i;

    if (!mqp_parse_interim(r->pool, text, len, &it)
        || it.status != HTTP_EARLY_HINTS) {
        return NULL;            /* a 100, or not what we can read */
    }
    if (st->backend.held && !st->backend.held_sent) {
        /* merge: this 103 is the first the client gets; it carries the
         * module's links too */
        apr_table_t *links = mqp_merge_links(r, st, it.links);
        st->backend.held_sent = 1;
        st->links.first_103 = links;
        MQP_COUNT(early_hints_responses);
        return mqp_interim_text(r, &it, links);
    }
    if (!st->links.first_103) {
        /* the first 103 the client gets is this one: nothing is lost */
        st->links.first_103 = it.links;
        return NULL;
    }
    if (!st->backend.first_was_hints) {
        return NULL;            /* a push client gets pushes from both */
    }
    /* a later 103: a browser ignores it, and so every link of it that the
     * first one did not have */
    first = mqp_target_set(r->pool, mqp_links_of(r->pool, st->links.first_103));
    theirs = mqp_links_of(r->pool, it.links);
    lost = apr_array_make(r->pool, 4, sizeof(const char *));
    for (i = 0; i < theirs->nelts; ++i) {
        const char *t = mqp_link_target(r->pool, APR_ARRAY_IDX(theirs, i,
                                                               const char *));
        if (!apr_hash_get(first, t, APR_HASH_KEY_STRING)) {
            APR_ARRAY_PUSH(lost, const char *) = t;
        }
    }
    if (lost->nelts) {
        if (mqp_ctr) {
            apr_atomic_add64(&mqp_ctr->backend_hints_ignored, lost->nelts);
        }
        mqp_log_lost(r, ctx->dc, apr_array_pstrcat(r->pool, lost, ' '),
                     lost->nelts, st->backend.held != NULL);
    }
    return NULL;
}

apr_status_t mqp_backend_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    mqp_backend_ctx *ctx = f->ctx;
    request_rec *r = ctx->r;
    apr_bucket *b;
    apr_status_t rv;
    const char *text;
    char *flat;
    apr_size_t len;
    int flushed = 0;

    /* the module's own 103 and everything but a handler's interim
     * response pass untouched */
    if (!ctx->text && (ctx->st->backend.sending_own || r->status < 100
                       || r->status >= 200)) {
        return ap_pass_brigade(f->next, bb);
    }
    if (!ctx->text) {
        ctx->text = apr_brigade_create(r->pool, f->c->bucket_alloc);
        ctx->text_len = 0;
    }
    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_FLUSH(b) || APR_BUCKET_IS_EOS(b)) {
            flushed = 1;
        }
        else if (b->length != (apr_size_t)-1) {
            ctx->text_len += b->length;
        }
    }
    /* ap_send_interim_response ends with a flush; before it, a long one
     * may come in pieces (apr_brigade_puts passes every 8 KB) */
    rv = ap_save_brigade(f, &ctx->text, &bb, r->pool);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (!flushed && ctx->text_len <= MQP_INTERIM_MAX) {
        return APR_SUCCESS;
    }
    bb = ctx->text;
    ctx->text = NULL;
    text = NULL;
    if (flushed && apr_brigade_pflatten(bb, &flat, &len, r->pool)
                   == APR_SUCCESS) {
        text = mqp_backend_interim(ctx, flat, len);
    }
    if (text) {
        apr_brigade_cleanup(bb);
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(text, strlen(text),
                                                           r->pool,
                                                           f->c->bucket_alloc));
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(f->c->bucket_alloc));
    }
    return ap_pass_brigade(f->next, bb);
}

static apr_status_t mqp_backend_remove(void *data)
{
    ap_remove_output_filter(data);
    return APR_SUCCESS;
}

/* From fixups, once the module decided to announce on r: watch what the
 * handler sends as interim responses, for as long as the response lasts.
 * After an internal redirect the new request answers: follow it. */
void mqp_backend_watch(request_rec *r, mqp_response_state *st,
                       const mqp_dir_conf *dc)
{
    request_rec *first = r;
    mqp_backend_ctx *ctx;

    if (st->backend.filter) {
        ctx = ((ap_filter_t *)st->backend.filter)->ctx;
        ctx->r = r;
        return;
    }
    while (first->prev) {
        first = first->prev;
    }
    ctx = apr_pcalloc(first->pool, sizeof(*ctx));
    ctx->r = r;
    ctx->st = st;
    ctx->dc = dc;
    st->backend.filter = ap_add_output_filter(MQP_BACKEND_FILTER, ctx, NULL,
                                              r->connection);
    if (st->backend.filter) {
        /* a connection outlives the request (HTTP/1.1 keep-alive) */
        apr_pool_cleanup_register(first->pool, st->backend.filter,
                                  mqp_backend_remove, apr_pool_cleanup_null);
    }
}

/* After an internal redirect: the filter follows the request that now
 * answers, whatever it decides */
void mqp_backend_follow(request_rec *r, mqp_response_state *st)
{
    if (st->backend.filter) {
        ((mqp_backend_ctx *)((ap_filter_t *)st->backend.filter)->ctx)->r = r;
    }
}

/* merge, and the final response came without a 103: the held links go
 * into its Link headers, which browsers preload from too (called as the
 * response headers leave, by mqp_links_out_filter) */
void mqp_backend_final_links(request_rec *r, mqp_response_state *st)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    int i;

    if (!st->backend.held || st->backend.held_sent) {
        return;
    }
    st->backend.held_sent = 1;
    if (r->status >= 400) {
        return;
    }
    arr = apr_table_elts(st->backend.held);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; ++i) {
        if (!mqp_has_link(r->headers_out, e[i].val)
            && !mqp_has_link(r->err_headers_out, e[i].val)) {
            apr_table_addn(r->headers_out, "Link", e[i].val);
        }
    }
}
