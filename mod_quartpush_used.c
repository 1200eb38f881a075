/* SPDX-License-Identifier: Apache-2.0 */
/* Used, late, unused (issue 25): whether a client asks for what a page
 * announced to it, counted per rule, the line a user can fix. The page
 * writes each announced URL into a table shared by every child, keyed by
 * (client address, URL, server), before its 103 leaves; it stamps them when
 * its final headers go out and when it is done. Any request looks its own
 * (address, URL) up once: a miss ends it; a hit is claimed (once) and
 * counted early or late. The table itself is src/qp_used.c.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_main.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_quartpush_private.h"
#include "qp_used.h"

/* The table's size: 8,192 announcements waiting at once (some 330 KB with
 * the counters of 1,000 rules), a few hundred pages in flight. When a
 * bucket is full its oldest announcement goes, counted evicted. */
#define MQP_USED_SLOTS     8192
/* How long after a page is done a hinted file may still be asked for
 * before it counts unused: a browser asks for what it preloaded within
 * moments of the page's end, or never. */
#define MQP_USED_GRACE     apr_time_from_sec(3)
/* A page that never says it is done (its process died): its announcements
 * count unused after this */
#define MQP_USED_MAX_AGE   apr_time_from_sec(300)

typedef struct {
    const char *origin;         /* "FILE:LINE" */
    const char *resource;       /* as written there */
    const char *label;          /* both, for the access log's note */
} mqp_rule;

/* Written at configuration time only, in the parent: every child reads
 * the same numbers. */
static apr_array_header_t *mqp_rules;   /* mqp_rule; [0]: without a rule */
static apr_hash_t *mqp_rule_ids;        /* "origin\nresource" -> number */
static qp_used_table *mqp_used;         /* NULL without shared memory */
static apr_uint64_t mqp_used_seed;      /* the keys' salt, random per start:
                                         * no one can make a URL that meets
                                         * another client's */

ap_filter_rec_t *mqp_used_filter;
ap_filter_rec_t *mqp_used_push_filter_rec;

typedef struct {
    const char *url;
    unsigned int rule;
    qp_used_ref ref;
} mqp_used_mark_t;

int mqp_used_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    mqp_rules = NULL;
    mqp_rule_ids = NULL;
    mqp_used = NULL;
    (void)pconf;
    return OK;
}

static void mqp_rules_make(apr_pool_t *pconf)
{
    mqp_rule *other;

    mqp_rules = apr_array_make(pconf, 16, sizeof(mqp_rule));
    mqp_rule_ids = apr_hash_make(pconf);
    other = apr_array_push(mqp_rules);
    other->origin = "(none)";
    other->resource = "(.htaccess files, quartpush_make_push_promise())";
    other->label = "(none)";
}

unsigned int mqp_used_rule(apr_pool_t *pconf, const char *origin,
                           const char *resource)
{
    const char *key;
    unsigned int *id;
    mqp_rule *rule;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM) {
        return 0;       /* a .htaccess file, read while serving */
    }
    if (!mqp_rules) {
        mqp_rules_make(pconf);
    }
    /* the same line read twice (a file Included twice) is one rule: one
     * series for Prometheus */
    key = apr_pstrcat(pconf, origin, "\n", resource, NULL);
    id = apr_hash_get(mqp_rule_ids, key, APR_HASH_KEY_STRING);
    if (id) {
        return *id;
    }
    id = apr_palloc(pconf, sizeof(*id));
    *id = (unsigned int)mqp_rules->nelts;
    rule = apr_array_push(mqp_rules);
    rule->origin = apr_pstrdup(pconf, origin);
    rule->resource = apr_pstrdup(pconf, resource);
    rule->label = apr_pstrcat(pconf, origin, " ", resource, NULL);
    apr_hash_set(mqp_rule_ids, key, APR_HASH_KEY_STRING, id);
    return *id;
}

/* The table lives in anonymous shared memory of the configuration pool:
 * a restart (graceful too) makes a new one, since the rules and their
 * numbers may have changed; the old generation's children keep theirs
 * until they end. */
int mqp_used_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_uint32_t nrules;
    apr_size_t size;
    apr_shm_t *shm;
    apr_status_t rv;

    mqp_used = NULL;
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    if (!mqp_rules) {
        mqp_rules_make(pconf);
    }
    nrules = (apr_uint32_t)mqp_rules->nelts;
    size = qp_used_table_size(MQP_USED_SLOTS, nrules);
    if (!size) {
        return OK;
    }
    rv = apr_shm_create(&shm, size, NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, MQP_LOGNO(00040)
                     "cannot create shared memory for the hints' outcomes "
                     "(%" APR_SIZE_T_FMT " bytes): quartpush-status will not "
                     "count them", size);
        return OK;
    }
    mqp_used = qp_used_table_init(apr_shm_baseaddr_get(shm), MQP_USED_SLOTS,
                                  nrules, MQP_USED_GRACE, MQP_USED_MAX_AGE);
    if (apr_generate_random_bytes((unsigned char *)&mqp_used_seed,
                                  sizeof(mqp_used_seed)) != APR_SUCCESS) {
        mqp_used_seed = (apr_uint64_t)apr_time_now();
    }
    return OK;
}

/* The announcement's key: the client's address (mod_remoteip's when it
 * has one), the URL as the client will send it, the server. Not the
 * connection: a browser's credential-less CORS requests come on another. */
apr_uint64_t mqp_used_client_hash(const char *ip)
{
    return mqp_used ? qp_used_client(ip, mqp_used_seed) : 0;
}

static apr_uint64_t mqp_used_key(const request_rec *r, const char *url,
                                 apr_size_t len)
{
    /* the server: a multiplication spreads its pointer's bits */
    return qp_used_key_url(mqp_h2_client_hash(r)
                           ^ ((apr_uint64_t)(apr_uintptr_t)r->server
                              * APR_UINT64_C(0x9e3779b97f4a7c15)),
                           url, len);
}

void mqp_used_mark(mqp_announcement *a, const char *url)
{
    mqp_response_state *st = a->st;
    mqp_used_mark_t *m;

    if (!mqp_used) {
        return;
    }
    if (!st->used.marks) {
        st->used.marks = apr_array_make(a->r->pool, 8, sizeof(mqp_used_mark_t));
    }
    m = apr_array_push(st->used.marks);
    m->url = url;
    m->rule = a->rule;
    m->ref.key = 0;
}

static apr_status_t mqp_used_page_done(void *data);

void mqp_used_write(request_rec *r, mqp_response_state *st)
{
    apr_time_t now;
    int i;

    if (!mqp_used || !st->used.marks
        || st->used.written >= st->used.marks->nelts) {
        return;
    }
    if (!st->used.written) {
        apr_pool_cleanup_register(r->pool, st, mqp_used_page_done,
                                  apr_pool_cleanup_null);
    }
    now = apr_time_now();
    for (i = st->used.written; i < st->used.marks->nelts; ++i) {
        mqp_used_mark_t *m = &APR_ARRAY_IDX(st->used.marks, i, mqp_used_mark_t);
        qp_used_announce(mqp_used, mqp_used_key(r, m->url, strlen(m->url)),
                         m->rule, now, &m->ref);
    }
    st->used.written = st->used.marks->nelts;
    /* the final headers' time: announced from the handler (the API),
     * the filter goes in now */
    mqp_used_insert_filter(r, st);
}

void mqp_used_insert_filter(request_rec *r, mqp_response_state *st)
{
    if (!st) {
        return;
    }
    if (st->used.written && !st->used.sent && st->used.filter_on != r) {
        st->used.filter_on = r;
        ap_add_output_filter_handle(mqp_used_filter, NULL, r, r->connection);
    }
    if (st->used.claim_at_log && st->used.filter_on != r) {
        st->used.filter_on = r;
        ap_add_output_filter_handle(mqp_used_push_filter_rec, NULL, r,
                                    r->connection);
    }
}

static void mqp_used_note(request_rec *r, qp_used_outcome_e out,
                          unsigned int rule)
{
    static const char *const words[] = { NULL, "early", "late", "refused" };
    const mqp_rule *mr;

    if (out == QP_USED_MISS) {
        return;
    }
    mr = rule < (unsigned int)mqp_rules->nelts
         ? &APR_ARRAY_IDX(mqp_rules, rule, mqp_rule)
         : &APR_ARRAY_IDX(mqp_rules, 0, mqp_rule);
    apr_table_setn(r->notes, MQP_NOTE_HINT, words[out]);
    apr_table_setn(r->notes, MQP_NOTE_HINT_RULE, mr->label);
}

/* A pushed request of an announced URL is decided once: when its response
 * reached mod_http2 whole (used early), when writing it failed (refused),
 * or, if neither happened, when its pool goes (refused). */
static void mqp_used_claim_pushed(request_rec *r, int refused)
{
    request_rec *first = r;
    mqp_response_state *st = mqp_state_get(r, 0);
    unsigned int rule = 0;
    const char *url;

    while (first->prev) {
        first = first->prev;
    }
    url = first->unparsed_uri;
    if (!st || !st->used.claim_at_log || !url) {
        return;
    }
    st->used.claim_at_log = 0;
    mqp_used_note(r, qp_used_claim(mqp_used,
                                   mqp_used_key(first, url, strlen(url)),
                                   first->request_time, refused, &rule),
                  rule);
}

static apr_status_t mqp_used_pushed_end(void *data)
{
    mqp_used_claim_pushed(data, 1);
    return APR_SUCCESS;
}

/* A pushed response of an announced URL: whether it reached mod_http2
 * whole. When the client reset the stream (RST_STREAM CANCEL), writing to
 * it fails and its connection is aborted. Whether its connection is
 * aborted at log time says nothing: mod_http2 marks it so too when the
 * client closed the connection after taking everything. */
apr_status_t mqp_used_push_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    mqp_response_state *st = mqp_state_get(f->r, 0);
    apr_bucket *b;
    apr_status_t rv;
    int eos = 0;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            eos = 1;
        }
    }
    rv = ap_pass_brigade(f->next, bb);
    if (st && st->used.claim_at_log
        && (rv != APR_SUCCESS || f->c->aborted || eos)) {
        mqp_used_claim_pushed(f->r, rv != APR_SUCCESS || f->c->aborted);
    }
    return rv;
}

static void mqp_used_stamp_all(mqp_response_state *st, apr_time_t sent,
                               apr_time_t done)
{
    int i;

    for (i = 0; i < st->used.written; ++i) {
        const mqp_used_mark_t *m = &APR_ARRAY_IDX(st->used.marks, i,
                                                  mqp_used_mark_t);
        qp_used_stamp(mqp_used, &m->ref, sent, done);
    }
}

/* The page is done (its request's pool goes, after the access log): its
 * announcements have the grace period left. A pool cleanup rather than a
 * log_transaction hook: only a page that announced pays for it. */
static apr_status_t mqp_used_page_done(void *data)
{
    mqp_response_state *st = data;
    apr_time_t now = apr_time_now();

    mqp_used_stamp_all(st, st->used.sent ? 0 : now, now);
    st->used.sent = 1;
    return APR_SUCCESS;
}

/* The first of the response's body passes: its final headers go out now.
 * A request for a hinted file from here on is late. */
apr_status_t mqp_used_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    mqp_response_state *st = mqp_state_get(f->r, 0);

    if (st && !st->used.sent && st->used.written && mqp_used) {
        st->used.sent = 1;
        mqp_used_stamp_all(st, apr_time_now(), 0);
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Every request (not only a navigation's files) asks once: hashing its
 * address and URL and reading one cache line of keys is all that a URL
 * announced to nobody costs. A pushed request is decided at its end:
 * whether the client cancelled it is known only then. */
static void mqp_used_asked(request_rec *r)
{
    const char *url = r->unparsed_uri;
    unsigned int rule = 0;
    apr_uint64_t key;
    qp_used_outcome_e out;

    if (!mqp_used || qp_used_idle(mqp_used) || r->method_number != M_GET
        || !url || url[0] != '/') {
        return;
    }
    key = mqp_used_key(r, url, strlen(url));
    if (!qp_used_find(mqp_used, key)) {
        return;
    }
    if (mqp_h2_is_pushed_request(r)) {
        mqp_state_get(r, 1)->used.claim_at_log = 1;
        apr_pool_cleanup_register(r->pool, r, mqp_used_pushed_end,
                                  apr_pool_cleanup_null);
        return;
    }
    out = qp_used_claim(mqp_used, key, r->request_time, 0, &rule);
    mqp_used_note(r, out, rule);
}

int mqp_used_post_read_request(request_rec *r)
{
    if (!r->main && !r->prev) {
        mqp_used_asked(r);
    }
    return DECLINED;
}

static int mqp_used_row_cmp(const void *a, const void *b)
{
    const mqp_used_row *x = a, *y = b;

    if (x->unused != y->unused) {
        return x->unused > y->unused ? -1 : 1;
    }
    if (x->announced != y->announced) {
        return x->announced > y->announced ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

void mqp_used_rows(apr_pool_t *p, apr_array_header_t **rows,
                   mqp_used_summary *sum)
{
    apr_uint32_t i;

    *rows = apr_array_make(p, 8, sizeof(mqp_used_row));
    memset(sum, 0, sizeof(*sum));
    if (!mqp_used) {
        return;
    }
    qp_used_sweep(mqp_used, apr_time_now());
    sum->available = 1;
    sum->slots = qp_used_slots(mqp_used);
    sum->waiting = qp_used_pending(mqp_used);
    sum->dropped = qp_used_dropped(mqp_used);
    sum->grace = qp_used_grace(mqp_used);
    for (i = 0; i < qp_used_rules(mqp_used); ++i) {
        apr_uint64_t c[QP_USED_NCOUNTS], decided;
        const mqp_rule *mr = &APR_ARRAY_IDX(mqp_rules, i, mqp_rule);
        mqp_used_row *row;

        qp_used_rule_counts(mqp_used, i, c);
        if (!c[QP_USED_ANNOUNCED]) {
            continue;
        }
        row = apr_array_push(*rows);
        row->rule = i;
        row->origin = mr->origin;
        row->resource = mr->resource;
        row->announced = c[QP_USED_ANNOUNCED];
        row->early = c[QP_USED_EARLY];
        row->late = c[QP_USED_LATE];
        row->unused = c[QP_USED_UNUSED];
        row->refused = c[QP_USED_REFUSED];
        row->evicted = c[QP_USED_EVICTED];
        decided = row->early + row->late + row->unused + row->refused
                + row->evicted;
        /* (a count read a moment apart from another may pass it) */
        row->waiting = decided < row->announced ? row->announced - decided : 0;
    }
    qsort((*rows)->elts, (size_t)(*rows)->nelts, sizeof(mqp_used_row),
          mqp_used_row_cmp);
}
