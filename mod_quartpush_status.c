/* SPDX-License-Identifier: Apache-2.0 */
/* What mod_quartpush shows about itself: counters in shared memory, the
 * quartpush-status handler (HTML, JSON with ?json, Prometheus' text format
 * with ?metrics), a section on mod_status's page, and apachectl -t -D
 * DUMP_QUARTPUSH.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_main.h>
#include <http_protocol.h>
#include <mod_status.h>

#include "mod_quartpush_private.h"
#include "qp_json.h"
#include "qp_prom.h"

#define MQP_SHM_KEY        "mod_quartpush_counters"
#define MQP_STATUS_ROUTES  1000      /* routes shown at most */

/* The counters' layout: change it whenever mqp_counters changes, so that
 * a new module loaded by a graceful restart never reads a segment that an
 * older one laid out differently. */
#ifndef MQP_COUNTERS_LAYOUT_TEST
#define MQP_COUNTERS_MAGIC 0x51504304u      /* "QPC", layout 4 */
#else
/* t/counters_upgrade.t loads a build with another layout over this one */
#define MQP_COUNTERS_MAGIC 0x515043ffu
#endif

mqp_counters *mqp_ctr;

/* The counters live in anonymous shared memory of the process pool, which
 * a graceful restart keeps: they count since the server started. A segment
 * left by a module of another layout (an upgrade, then a graceful restart)
 * is given up and a new one made: the children of the old generation keep
 * their own mapping of the old one. Without shared memory the module works
 * the same, without counters. */
int mqp_counters_init(apr_pool_t *pconf, server_rec *s)
{
    apr_pool_t *pproc = s->process->pool;
    apr_shm_t *shm = NULL;
    apr_status_t rv;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    apr_pool_userdata_get((void **)&shm, MQP_SHM_KEY, pproc);
    if (shm) {
        const mqp_counters *old = apr_shm_baseaddr_get(shm);

        if (apr_shm_size_get(shm) == sizeof(mqp_counters)
            && old->magic == MQP_COUNTERS_MAGIC
            && old->size == sizeof(mqp_counters)) {
            mqp_ctr = apr_shm_baseaddr_get(shm);
            return OK;
        }
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, MQP_LOGNO(00005)
                     "the counters of quartpush-status were kept by a module "
                     "of another layout (%" APR_SIZE_T_FMT " bytes): they "
                     "start again at 0", apr_shm_size_get(shm));
        apr_pool_userdata_set(NULL, MQP_SHM_KEY, apr_pool_cleanup_null, pproc);
        apr_shm_destroy(shm);
    }
    mqp_ctr = NULL;
    rv = apr_shm_create(&shm, sizeof(mqp_counters), NULL, pproc);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, MQP_LOGNO(00006)
                     "cannot create shared memory for the counters of "
                     "quartpush-status; they stay at 0");
        return OK;
    }
    mqp_ctr = apr_shm_baseaddr_get(shm);
    memset(mqp_ctr, 0, sizeof(*mqp_ctr));
    mqp_ctr->magic = MQP_COUNTERS_MAGIC;
    mqp_ctr->size = sizeof(mqp_counters);
    mqp_ctr->started = apr_time_now();
    apr_pool_userdata_set(shm, MQP_SHM_KEY, apr_pool_cleanup_null, pproc);
    return OK;
}

/* A snapshot, so that one page shows one set of figures. */
static void mqp_counters_read(mqp_counters *c)
{
    int i;

    memset(c, 0, sizeof(*c));
    if (!mqp_ctr) {
        return;
    }
    c->started = mqp_ctr->started;
    c->requests = apr_atomic_read64(&mqp_ctr->requests);
    c->routes_matched = apr_atomic_read64(&mqp_ctr->routes_matched);
    c->routes_gave_up = apr_atomic_read64(&mqp_ctr->routes_gave_up);
    c->early_hints_responses = apr_atomic_read64(&mqp_ctr->early_hints_responses);
    c->pushes = apr_atomic_read64(&mqp_ctr->pushes);
    c->hints = apr_atomic_read64(&mqp_ctr->hints);
    c->api_calls = apr_atomic_read64(&mqp_ctr->api_calls);
    c->backend_hints_ignored = apr_atomic_read64(&mqp_ctr->backend_hints_ignored);
    for (i = 0; i < MQP_SKIP_COUNT; ++i) {
        c->skipped[i] = apr_atomic_read64(&mqp_ctr->skipped[i]);
    }
}

/* Each counter but the skip reasons: its key (JSON, HTML ids, mod_status's
 * ?auto, and quartpush_<key>_total for Prometheus), its label on the HTML
 * page, and its HELP text for Prometheus. */
static const struct {
    const char *key;
    const char *label;
    const char *help;
    apr_size_t offset;
} mqp_counter_fields[] = {
    { "requests", "Requests in a scope with rules",
      "Requests that mod_quartpush evaluated in a scope with push rules, "
      "pushed requests included",
      APR_OFFSETOF(mqp_counters, requests) },
    { "routes_matched", "... whose route applied",
      "Requests whose route (QuartPushRoute, QuartPushRoutes) applied",
      APR_OFFSETOF(mqp_counters, routes_matched) },
    { "routes_gave_up", "... whose route matcher gave up (QP_MAX_VISITS)",
      "Requests whose route matcher gave up at QP_MAX_VISITS",
      APR_OFFSETOF(mqp_counters, routes_gave_up) },
    { "early_hints_responses", "103 responses sent",
      "103 Early Hints responses sent",
      APR_OFFSETOF(mqp_counters, early_hints_responses) },
    { "pushes", "Resources pushed",
      "Resources pushed: PUSH_PROMISEs asked of mod_http2, by the rules and "
      "by quartpush_make_push_promise()",
      APR_OFFSETOF(mqp_counters, pushes) },
    { "hints", "Resources sent as hints only",
      "Resources announced as Early Hints only, to a client that takes no "
      "push",
      APR_OFFSETOF(mqp_counters, hints) },
    { "api_calls", "quartpush_make_push_promise() calls",
      "Calls of quartpush_make_push_promise() by other modules",
      APR_OFFSETOF(mqp_counters, api_calls) },
    { "backend_hints_ignored", "Links of a handler's later 103, which "
      "browsers ignore (QuartPushBackendHints)",
      "Links of a 103 that a handler (a proxied backend) sent after the "
      "first 103 of the response, which browsers ignore: "
      "QuartPushBackendHints merge sends one 103 with both",
      APR_OFFSETOF(mqp_counters, backend_hints_ignored) },
    { NULL, NULL, NULL, 0 }
};

static const char *const mqp_skip_labels[MQP_SKIP_COUNT] = {
    "requests: not a GET",
    "requests: QuartPush off or no-quartpush",
    "requests: the response will be an error",
    "requests: HTTP/1.x (no QuartPushEarlyHints h1)",
    "requests: client refuses push, no hints possible",
    "requests: a pushed request",
    "requests: H2Push off, no hints possible",
    "requests: hints, but not a navigation (no QuartPushEarlyHints all)",
    "resources: over QuartPushLimit",
    "resources: the client has them (QuartPushCookie)",
    "resources: over the size of one 103 (48 KB of Link headers)",
    "resources: a manifest's file not on disk"
};

#define MQP_FIELD(c, i) \
    (*(const apr_uint64_t *)((const char *)(c) + mqp_counter_fields[i].offset))

/* How a route's resource reads: its Link header, or its "@NAME:KEY" */
static const char *mqp_resource_text(apr_pool_t *p, const qp_resource *res)
{
    return res->link->ref ? res->link->url
                          : apr_pstrcat(p, "<", res->link->url, ">",
                                        res->link->suffix, NULL);
}

/* JSON: each manifest of this virtual host, with what its "@" resources
 * expand to now (as this response holds it), appended to the array that
 * is the baton */
static void mqp_json_manifest(void *baton, const mqp_manifest_info *info)
{
    json_t *manifests = baton, *m, *resources = json_array();
    json_t *children = json_array();
    apr_array_header_t *kids;
    apr_pool_t *p;
    int i, k;

    /* which build each child announces */
    apr_pool_create(&p, NULL);
    mqp_manifest_children(p, info, &kids);
    for (k = 0; k < kids->nelts; ++k) {
        const mqp_manifest_child *c = &APR_ARRAY_IDX(kids, k,
                                                     mqp_manifest_child);
        json_array_append_new(children, json_pack("{s:I, s:I, s:I}",
            "pid", (json_int_t)c->pid,
            "file_mtime", (json_int_t)apr_time_sec(c->mtime),
            "loaded_at", (json_int_t)apr_time_sec(c->loaded_at)));
    }
    apr_pool_destroy(p);

    for (i = 0; i < info->resources->nelts; ++i) {
        const mqp_manifest_resource *res = &APR_ARRAY_IDX(info->resources, i,
                                                          mqp_manifest_resource);
        json_t *links = json_array(), *missing = json_array();

        for (k = 0; k < res->headers->nelts; ++k) {
            json_array_append_new(links, qp_json_string(
                APR_ARRAY_IDX(res->headers, k, const char *)));
        }
        for (k = 0; k < res->missing->nelts; ++k) {
            json_array_append_new(missing, qp_json_string(
                APR_ARRAY_IDX(res->missing, k, const char *)));
        }
        json_array_append_new(resources, json_pack("{s:o, s:o, s:o, s:o, s:o}",
            "resource", qp_json_string(res->ref),
            "declared_at", qp_json_string(res->origin),
            "links", links,
            "missing", missing,
            "error", qp_json_string(res->error)));
    }
    m = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:I, s:i, s:i, "
                  "s:o, s:I}",
                  "name", qp_json_string(info->name),
                  "format", qp_json_string(info->format),
                  "file", qp_json_string(info->path),
                  "settings", qp_json_string(info->settings),
                  "declared_at", qp_json_string(info->origin),
                  "files", qp_json_string(info->files_dir),
                  "required", info->required,
                  "loaded_at", (json_int_t)apr_time_sec(info->loaded_at),
                  "file_mtime", (json_int_t)apr_time_sec(info->mtime),
                  "entries", info->entries,
                  "missing", info->missing,
                  "last_error", qp_json_string(info->last_error),
                  "pid", (json_int_t)getpid());
    json_object_set_new(m, "failed_at", info->failed_at ?
                        json_integer(apr_time_sec(info->failed_at)) :
                        json_null());
    json_object_set_new(m, "resources", resources);
    json_object_set_new(m, "children", children);
    json_array_append_new(manifests, m);
}

static void mqp_html_manifest(void *baton, const mqp_manifest_info *info)
{
    request_rec *r = baton;
    char loaded[APR_RFC822_DATE_LEN], mtime[APR_RFC822_DATE_LEN];
    apr_array_header_t *kids;
    int i, k;

    apr_rfc822_date(loaded, info->loaded_at);
    apr_rfc822_date(mtime, info->mtime);
    ap_rprintf(r, "<h3>%s</h3>\n<table>\n"
               "<tr><th align=\"left\">Format</th><td>%s%s%s%s</td></tr>\n"
               "<tr><th align=\"left\">File</th><td><code>%s</code></td></tr>\n"
               "<tr><th align=\"left\">Its files in</th><td>%s</td></tr>\n"
               "<tr><th align=\"left\">Declared at</th><td>%s</td></tr>\n"
               "<tr><th align=\"left\">Build in use (this process, "
               "pid %" APR_PID_T_FMT ")</th><td>%s%s%s%s</td></tr>\n"
               "<tr><th align=\"left\">Entries</th><td>%d</td></tr>\n"
               "<tr><th align=\"left\">Files not on disk</th><td>%d</td></tr>\n"
               "<tr><th align=\"left\">Last error</th><td>%s</td></tr>\n"
               "</table>\n",
               ap_escape_html(r->pool, info->name),
               ap_escape_html(r->pool, info->format),
               info->settings ? ", " : "",
               info->settings ? ap_escape_html(r->pool, info->settings) : "",
               info->required ? ", required" : "",
               ap_escape_html(r->pool, info->path),
               info->files_dir ? apr_pstrcat(r->pool, "<code>",
                   ap_escape_html(r->pool, info->files_dir), "</code>", NULL)
                               : "not looked for (files=off)",
               ap_escape_html(r->pool, info->origin), getpid(),
               info->loaded_at ? "the file of " : "none: not read yet",
               info->loaded_at ? mtime : "",
               info->loaded_at ? ", read at " : "",
               info->loaded_at ? loaded : "",
               info->entries, info->missing,
               info->last_error ? ap_escape_html(r->pool, info->last_error)
                                : "none");
    mqp_manifest_children(r->pool, info, &kids);
    if (kids->nelts) {
        ap_rputs("<table>\n<tr><th>Child (pid)</th><th>Build announced "
                 "(the file's mtime)</th><th>Read at</th></tr>\n", r);
        for (k = 0; k < kids->nelts; ++k) {
            const mqp_manifest_child *c = &APR_ARRAY_IDX(kids, k,
                                                         mqp_manifest_child);
            apr_rfc822_date(mtime, c->mtime);
            apr_rfc822_date(loaded, c->loaded_at);
            ap_rprintf(r, "<tr><td>%" APR_PID_T_FMT "</td><td>%s</td>"
                       "<td>%s</td></tr>\n", c->pid,
                       c->loaded_at ? mtime : "none: not read",
                       c->loaded_at ? loaded : "");
        }
        ap_rputs("</table>\n", r);
    }
    if (!info->resources->nelts) {
        ap_rputs("<p>No resource names it.</p>\n", r);
        return;
    }
    ap_rputs("<table>\n<tr><th>Resource</th><th>Declared at</th>"
             "<th>Expands to now</th></tr>\n", r);
    for (i = 0; i < info->resources->nelts; ++i) {
        const mqp_manifest_resource *res = &APR_ARRAY_IDX(info->resources, i,
                                                          mqp_manifest_resource);
        ap_rprintf(r, "<tr><td><code>%s</code></td><td>%s</td><td>",
                   ap_escape_html(r->pool, res->ref),
                   ap_escape_html(r->pool, res->origin));
        for (k = 0; k < res->headers->nelts; ++k) {
            ap_rprintf(r, "%s<code>%s</code>", k ? "<br>" : "",
                       ap_escape_html(r->pool, APR_ARRAY_IDX(res->headers, k,
                                                             const char *)));
        }
        for (k = 0; k < res->missing->nelts; ++k) {
            ap_rprintf(r, "<br>not on disk, left out: <code>%s</code>",
                       ap_escape_html(r->pool, APR_ARRAY_IDX(res->missing, k,
                                                             const char *)));
        }
        if (res->error) {
            ap_rprintf(r, "nothing: %s", ap_escape_html(r->pool, res->error));
        }
        ap_rputs("</td></tr>\n", r);
    }
    ap_rputs("</table>\n", r);
}

/* ------------------------------------------------------------------------
 * used, late, unused, per rule (mod_quartpush_used.c): the whole server's,
 * since the last (graceful) restart, the rules with the most unused first
 */

/* The share of decided announcements that were used early, in percent */
static double mqp_used_share(const mqp_used_row *row, apr_uint64_t n)
{
    apr_uint64_t decided = row->early + row->late + row->unused
                         + row->refused + row->evicted;

    return decided ? 100.0 * (double)n / (double)decided : 0.0;
}

static json_t *mqp_json_used(apr_pool_t *p)
{
    apr_array_header_t *rows;
    mqp_used_summary sum;
    json_t *list = json_array();
    int i;

    mqp_used_rows(p, &rows, &sum);
    for (i = 0; i < rows->nelts; ++i) {
        const mqp_used_row *row = &APR_ARRAY_IDX(rows, i, mqp_used_row);
        json_array_append_new(list, json_pack(
            "{s:i, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
            "rule", (int)row->rule,
            "declared_at", qp_json_string(row->origin),
            "resource", qp_json_string(row->resource),
            "announced", (json_int_t)row->announced,
            "used_early", (json_int_t)row->early,
            "late", (json_int_t)row->late,
            "unused", (json_int_t)row->unused,
            "refused", (json_int_t)row->refused,
            "evicted", (json_int_t)row->evicted,
            "waiting", (json_int_t)row->waiting));
    }
    return json_pack("{s:b, s:i, s:i, s:I, s:I, s:o}",
                     "available", sum.available,
                     "table_slots", (int)sum.slots,
                     "waiting", (int)sum.waiting,
                     "dropped", (json_int_t)sum.dropped,
                     "grace_ms", (json_int_t)apr_time_as_msec(sum.grace),
                     "rules", list);
}

static void mqp_html_used(request_rec *r)
{
    apr_array_header_t *rows;
    mqp_used_summary sum;
    int i;

    mqp_used_rows(r->pool, &rows, &sum);
    ap_rputs("<h2 id=\"hints_used\">Hints used, per rule (most unused "
             "first)</h2>\n", r);
    if (!sum.available) {
        ap_rputs("<p>Not counted: no shared memory.</p>\n", r);
        return;
    }
    ap_rprintf(r, "<p>The whole server's, since the last restart. Used "
               "early: asked for by the client before the page's final "
               "headers went out; late: after them; unused: not asked for "
               "by the page's end plus %" APR_TIME_T_FMT " ms; refused: a "
               "push the client cancelled; evicted: pushed out of the full "
               "table undecided (%u slots, %u waiting now, %"
               APR_UINT64_T_FMT " not recorded). Shares are of the decided "
               "ones.</p>\n", apr_time_as_msec(sum.grace), sum.slots,
               sum.waiting, sum.dropped);
    if (!rows->nelts) {
        ap_rputs("<p>Nothing announced yet.</p>\n", r);
        return;
    }
    ap_rputs("<table id=\"hints_used_rules\">\n<tr><th>Declared at</th>"
             "<th>Rule</th><th>Announced</th><th>Used early</th><th>Late</th>"
             "<th>Unused</th><th>Refused</th><th>Evicted</th><th>Waiting</th>"
             "</tr>\n", r);
    for (i = 0; i < rows->nelts; ++i) {
        const mqp_used_row *row = &APR_ARRAY_IDX(rows, i, mqp_used_row);
        ap_rprintf(r, "<tr class=\"rule\"><td>%s</td><td><code>%s</code></td>"
                   "<td class=\"announced\">%" APR_UINT64_T_FMT "</td>"
                   "<td class=\"used_early\">%" APR_UINT64_T_FMT " (%.0f%%)</td>"
                   "<td class=\"late\">%" APR_UINT64_T_FMT " (%.0f%%)</td>"
                   "<td class=\"unused\">%" APR_UINT64_T_FMT " (%.0f%%)</td>"
                   "<td class=\"refused\">%" APR_UINT64_T_FMT "</td>"
                   "<td class=\"evicted\">%" APR_UINT64_T_FMT "</td>"
                   "<td class=\"waiting\">%" APR_UINT64_T_FMT "</td></tr>\n",
                   ap_escape_html(r->pool, row->origin),
                   ap_escape_html(r->pool, row->resource), row->announced,
                   row->early, mqp_used_share(row, row->early),
                   row->late, mqp_used_share(row, row->late),
                   row->unused, mqp_used_share(row, row->unused),
                   row->refused, row->evicted, row->waiting);
    }
    ap_rputs("</table>\n", r);
}

/* JSON: one route of the status page */
static json_t *mqp_json_route(apr_pool_t *p, const qp_route *route, int rank)
{
    json_t *resources = json_array();
    int k;

    for (k = 0; k < route->resources->nelts; ++k) {
        const qp_resource *res = APR_ARRAY_IDX(route->resources, k,
                                               const qp_resource *);
        json_array_append_new(resources,
                              qp_json_string(mqp_resource_text(p, res)));
    }
    return json_pack("{s:i, s:o, s:o, s:o, s:o}", "rank", rank,
                     "pattern", qp_json_string(route->pattern),
                     "origin", qp_json_string(route->origin),
                     "when", qp_json_string(route->condition),
                     "resources", resources);
}

static apr_status_t mqp_json_release(void *v)
{
    json_decref(v);
    return APR_SUCCESS;
}

/* ?json: the page as one jansson tree, written out once. Every string
 * from the configuration goes through qp_json_string (bytes that are not
 * UTF-8), and the output is ASCII: what is beyond it is \u-escaped. */
static int mqp_status_json(request_rec *r, const mqp_counters *c,
                           const mqp_srv_conf *sc)
{
    const apr_array_header_t *ranked = sc->table ?
                                       qp_routes_ranked(sc->table) : NULL;
    int i, n = ranked ? ranked->nelts : 0;
    json_t *root, *counters = json_object(), *skipped = json_object();
    json_t *routes = json_array(), *manifests = json_array();
    json_t *hints_used;
    char *text;

    for (i = 0; mqp_counter_fields[i].key; ++i) {
        json_object_set_new(counters, mqp_counter_fields[i].key,
                            json_integer((json_int_t)MQP_FIELD(c, i)));
    }
    for (i = 0; i < MQP_SKIP_COUNT; ++i) {
        json_object_set_new(skipped, mqp_skip_keys[i],
                            json_integer((json_int_t)c->skipped[i]));
    }
    json_object_set_new(counters, "skipped", skipped);
    hints_used = mqp_json_used(r->pool);
    for (i = 0; i < n && i < MQP_STATUS_ROUTES; ++i) {
        json_array_append_new(routes, mqp_json_route(r->pool,
            APR_ARRAY_IDX(ranked, i, const qp_route *), i + 1));
    }
    /* root takes every "o" value; manifests stays a pointer into it */
    root = json_pack("{s:o, s:b, s:b, s:s, s:I, s:o, s:o, s:i, s:i, s:o, s:o}",
                     "server", qp_json_string(r->server->server_hostname),
                     "h2_early_hints", sc->h2_early_hints,
                     "counters_available", mqp_ctr != NULL,
                     "counters_scope", "server",
                     "started", (json_int_t)apr_time_sec(c->started),
                     "counters", counters,
                     "hints_used", hints_used,
                     "route_count", n,
                     "routes_shown", n < MQP_STATUS_ROUTES ? n
                                                           : MQP_STATUS_ROUTES,
                     "routes", routes,
                     "manifests", manifests);
    if (!root) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* freed with the request, whatever happens from here */
    apr_pool_cleanup_register(r->pool, root, mqp_json_release,
                              apr_pool_cleanup_null);
    /* the manifests go in last: each is appended to the array in root */
    mqp_manifest_each(r, sc, r->pool, mqp_json_manifest, manifests);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER
                            | JSON_ENSURE_ASCII);
    if (!text) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_set_content_type(r, "application/json");
    ap_rputs(text, r);
    ap_rputs("\n", r);
    free(text);
    return OK;
}

static void mqp_status_html(request_rec *r, const mqp_counters *c,
                           const mqp_srv_conf *sc)
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
               "here).</p>\n<h2>Counters since %s</h2>\n"
               "<p>The counters are the whole server's, every virtual host "
               "together; the routes below are this virtual host's.</p>\n",
               ap_escape_html(r->pool, r->server->server_hostname ?
                              r->server->server_hostname : "(no name)"),
               sc->h2_early_hints ? "on" : "off",
               sc->h2_early_hints ? "get" : "get no",
               mqp_ctr ? since : "(no shared memory: counters off)");
    ap_rputs("<table>\n", r);
    for (i = 0; mqp_counter_fields[i].key; ++i) {
        ap_rprintf(r, "<tr><th align=\"left\">%s</th><td id=\"%s\">%"
                   APR_UINT64_T_FMT "</td></tr>\n", mqp_counter_fields[i].label,
                   mqp_counter_fields[i].key, MQP_FIELD(c, i));
    }
    for (i = 0; i < MQP_SKIP_COUNT; ++i) {
        ap_rprintf(r, "<tr><th align=\"left\">Skipped %s</th><td id=\""
                   "skipped_%s\">%" APR_UINT64_T_FMT "</td></tr>\n",
                   mqp_skip_labels[i], mqp_skip_keys[i], c->skipped[i]);
    }
    ap_rputs("</table>\n", r);
    mqp_html_used(r);
    ap_rprintf(r, "<h2>Routes of this virtual host, in match "
               "order (%d)</h2>\n", n);
    if (n == 0) {
        ap_rputs("<p>No routes.</p>\n", r);
    }
    else {
        ap_rputs("<table>\n<tr><th>#</th><th>Route</th><th>Declared at</th>"
                 "<th>Resources</th><th>When</th></tr>\n", r);
    }
    for (i = 0; i < n && i < MQP_STATUS_ROUTES; ++i) {
        const qp_route *route = APR_ARRAY_IDX(ranked, i, const qp_route *);
        ap_rprintf(r, "<tr><td>%d</td><td><code>%s</code></td><td>%s</td><td>",
                   i + 1, ap_escape_html(r->pool, route->pattern),
                   ap_escape_html(r->pool, route->origin));
        for (k = 0; k < route->resources->nelts; ++k) {
            const qp_resource *res = APR_ARRAY_IDX(route->resources, k,
                                                   const qp_resource *);
            ap_rprintf(r, "%s<code>%s</code>", k ? "<br>" : "",
                       ap_escape_html(r->pool, mqp_resource_text(r->pool, res)));
        }
        ap_rprintf(r, "</td><td>%s</td></tr>\n", route->condition ?
                   ap_escape_html(r->pool, route->condition) : "");
    }
    if (n) {
        ap_rputs("</table>\n", r);
    }
    if (n > MQP_STATUS_ROUTES) {
        ap_rprintf(r, "<p>... and %d more (apachectl -t -D DUMP_QUARTPUSH "
                   "lists them all).</p>\n", n - MQP_STATUS_ROUTES);
    }
    if (sc->manifests) {
        ap_rputs("<h2>Asset manifests of this virtual host</h2>\n"
                 "<p>As this process has them: each reads its file again "
                 "within a second of a change.</p>\n", r);
        mqp_manifest_each(r, sc, r->pool, mqp_html_manifest, r);
    }
    ap_rputs("</body></html>\n", r);
}

/* ------------------------------------------------------------------------
 * ?metrics: the counters in Prometheus' text exposition format (0.0.4).
 * They are the whole server's, every virtual host together, so no metric
 * has a virtual host label; the routes, which are per virtual host, are
 * not exported. docs/observability.md lists every metric.
 */

static void mqp_prom_family(request_rec *r, const char *name,
                            const char *type, const char *help)
{
    ap_rprintf(r, "# HELP %s %s\n# TYPE %s %s\n", name,
               qp_prom_escape(r->pool, help, 0), name, type);
}

#define MQP_PROM_SCOPE " (whole server: every virtual host together, " \
                       "since the server started)"

/* The skip reasons from MQP_SKIP_LIMIT on count resources, the others
 * requests: two metrics, so that each one sums to something meaningful. */
static void mqp_prom_skipped(request_rec *r, const mqp_counters *c,
                             int resources)
{
    const char *name = resources ? "quartpush_resources_skipped_total"
                                 : "quartpush_requests_skipped_total";
    int i;

    mqp_prom_family(r, name, "counter", resources ?
        "Resources of a page left out, by reason" MQP_PROM_SCOPE :
        "Requests for which nothing was announced, by reason" MQP_PROM_SCOPE);
    for (i = 0; i < MQP_SKIP_COUNT; ++i) {
        if ((i >= MQP_SKIP_LIMIT) == !!resources) {
            ap_rprintf(r, "%s{reason=\"%s\"} %" APR_UINT64_T_FMT "\n", name,
                       qp_prom_escape(r->pool, mqp_skip_keys[i], 1),
                       c->skipped[i]);
        }
    }
}

/* Per rule: labels rule (FILE:LINE) and resource (as written), bounded
 * by the configuration, never by what clients ask for */
static void mqp_prom_used(request_rec *r)
{
    static const char *const outcomes[] = {
        "used_early", "late", "unused", "refused", "evicted"
    };
    apr_array_header_t *rows;
    mqp_used_summary sum;
    int i, k;

    mqp_used_rows(r->pool, &rows, &sum);
    mqp_prom_family(r, "quartpush_hint_announced_total", "counter",
                    "Resources announced (pushed or hinted) by each rule, "
                    "recorded to see whether the client asks for them "
                    "(whole server, since the last restart)");
    for (i = 0; i < rows->nelts; ++i) {
        const mqp_used_row *row = &APR_ARRAY_IDX(rows, i, mqp_used_row);
        ap_rprintf(r, "quartpush_hint_announced_total{rule=\"%s\",resource="
                   "\"%s\"} %" APR_UINT64_T_FMT "\n",
                   qp_prom_escape(r->pool, row->origin, 1),
                   qp_prom_escape(r->pool, row->resource, 1), row->announced);
    }
    mqp_prom_family(r, "quartpush_hint_outcomes_total", "counter",
                    "What became of each rule's announcements: used_early "
                    "(asked for before the page's final headers), late, "
                    "unused (not asked for by the page's end plus the grace "
                    "period), refused (a push the client cancelled), "
                    "evicted (the table was full) (whole server, since the "
                    "last restart)");
    for (i = 0; i < rows->nelts; ++i) {
        const mqp_used_row *row = &APR_ARRAY_IDX(rows, i, mqp_used_row);
        const apr_uint64_t v[] = { row->early, row->late, row->unused,
                                   row->refused, row->evicted };
        for (k = 0; k < 5; ++k) {
            ap_rprintf(r, "quartpush_hint_outcomes_total{rule=\"%s\","
                       "resource=\"%s\",outcome=\"%s\"} %" APR_UINT64_T_FMT
                       "\n", qp_prom_escape(r->pool, row->origin, 1),
                       qp_prom_escape(r->pool, row->resource, 1), outcomes[k],
                       v[k]);
        }
    }
    mqp_prom_family(r, "quartpush_hint_waiting", "gauge",
                    "Announcements in the table not decided yet (whole "
                    "server)");
    ap_rprintf(r, "quartpush_hint_waiting %u\n", sum.waiting);
    mqp_prom_family(r, "quartpush_hint_dropped_total", "counter",
                    "Announcements not recorded: every slot of their bucket "
                    "was busy at that instant (whole server, since the last "
                    "restart)");
    ap_rprintf(r, "quartpush_hint_dropped_total %" APR_UINT64_T_FMT "\n",
               sum.dropped);
}

static void mqp_status_metrics(request_rec *r, const mqp_counters *c)
{
    int i;

    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
#ifdef MQP_VERSION
    mqp_prom_family(r, "quartpush_info", "gauge",
                    "mod_quartpush's version, as a label; the value is 1");
    ap_rprintf(r, "quartpush_info{version=\"%s\"} 1\n",
               qp_prom_escape(r->pool, MQP_VERSION, 1));
#endif
    mqp_prom_family(r, "quartpush_counters_available", "gauge",
                    "1 when the counters are kept in shared memory; 0 when "
                    "it could not be had, and every counter stays at 0");
    ap_rprintf(r, "quartpush_counters_available %d\n", mqp_ctr ? 1 : 0);
    mqp_prom_family(r, "quartpush_start_time_seconds", "gauge",
                    "When the counters started, in seconds since the epoch: "
                    "the server's start (a graceful restart keeps them)");
    ap_rprintf(r, "quartpush_start_time_seconds %" APR_TIME_T_FMT "\n",
               apr_time_sec(c->started));
    for (i = 0; mqp_counter_fields[i].key; ++i) {
        const char *name = apr_pstrcat(r->pool, "quartpush_",
                                       mqp_counter_fields[i].key, "_total",
                                       NULL);
        mqp_prom_family(r, name, "counter", apr_pstrcat(r->pool,
                        mqp_counter_fields[i].help, MQP_PROM_SCOPE, NULL));
        ap_rprintf(r, "%s %" APR_UINT64_T_FMT "\n", name, MQP_FIELD(c, i));
    }
    mqp_prom_skipped(r, c, 0);
    mqp_prom_skipped(r, c, 1);
    mqp_prom_used(r);
}

/* The query that asks for the metrics: "metrics", or "metrics=" as a
 * Prometheus scrape sends it with params: {metrics: ['']}. */
static int mqp_status_wants_metrics(const request_rec *r)
{
    return r->args && (!strcmp(r->args, "metrics")
                       || !strcmp(r->args, "metrics="));
}

/* SetHandler quartpush-status: counters and this virtual host's routes,
 * HTML, JSON with ?json, or the counters for Prometheus with ?metrics.
 * Restrict it with Require, like server-status. */
static int mqp_status_page(request_rec *r);

/* Every request passes here: the test is all it costs */
int mqp_status_handler(request_rec *r)
{
    if (!mqp_is_status_handler(r->handler)) {
        return DECLINED;
    }
    return mqp_status_page(r);
}

static int mqp_status_page(request_rec *r)
{
    const mqp_srv_conf *sc;
    mqp_counters c;

    r->allowed = AP_METHOD_BIT << M_GET;
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    sc = ap_get_module_config(r->server->module_config, &quartpush_module);
    mqp_counters_read(&c);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (mqp_status_wants_metrics(r)) {
        mqp_status_metrics(r, &c);
    }
    else if (r->args && !strcmp(r->args, "json")) {
        return mqp_status_json(r, &c, sc);
    }
    else {
        mqp_status_html(r, &c, sc);
    }
    return OK;
}

/* A short section on mod_status's page (and its ?auto form). */
int mqp_status_hook(request_rec *r, int flags)
{
    mqp_counters c;
    int i;

    mqp_counters_read(&c);
    if (flags & AP_STATUS_SHORT) {
        for (i = 0; mqp_counter_fields[i].key; ++i) {
            ap_rprintf(r, "QuartPush_%s: %" APR_UINT64_T_FMT "\n",
                       mqp_counter_fields[i].key, MQP_FIELD(&c, i));
        }
        for (i = 0; i < MQP_SKIP_COUNT; ++i) {
            ap_rprintf(r, "QuartPush_skipped_%s: %" APR_UINT64_T_FMT "\n",
                       mqp_skip_keys[i], c.skipped[i]);
        }
        return OK;
    }
    ap_rputs("<hr>\n<h2>mod_quartpush</h2>\n<dl>", r);
    for (i = 0; mqp_counter_fields[i].key; ++i) {
        ap_rprintf(r, "<dt>%s: %" APR_UINT64_T_FMT "</dt>\n",
                   mqp_counter_fields[i].label, MQP_FIELD(&c, i));
    }
    ap_rputs("</dl>\n<p>Details: a location with "
             "<code>SetHandler quartpush-status</code>.</p>\n", r);
    return OK;
}

static void mqp_dump_manifest(void *baton, const mqp_manifest_info *info)
{
    apr_file_t *out = baton;
    int i, k;

    apr_file_printf(out, "    manifest %s (%s, %s%s%d entries) %s  [%s]\n",
                    info->name, info->format,
                    info->settings ? info->settings : "",
                    info->settings ? ", " : "", info->entries, info->path,
                    info->origin);
    for (i = 0; i < info->resources->nelts; ++i) {
        const mqp_manifest_resource *res = &APR_ARRAY_IDX(info->resources, i,
                                                          mqp_manifest_resource);
        apr_file_printf(out, "      %s  [%s]\n", res->ref, res->origin);
        for (k = 0; k < res->headers->nelts; ++k) {
            apr_file_printf(out, "         %s\n",
                            APR_ARRAY_IDX(res->headers, k, const char *));
        }
        for (k = 0; k < res->missing->nelts; ++k) {
            apr_file_printf(out, "         (not on disk, left out: %s)\n",
                            APR_ARRAY_IDX(res->missing, k, const char *));
        }
        if (res->error) {
            apr_file_printf(out, "         (nothing: %s)\n", res->error);
        }
    }
}

static void mqp_dump_server(apr_file_t *out, apr_pool_t *p, server_rec *s,
                           int is_main)
{
    const mqp_srv_conf *sc = ap_get_module_config(s->module_config,
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
    mqp_manifest_each(NULL, sc, p, mqp_dump_manifest, out);
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
            apr_file_printf(out, "         %s\n", mqp_resource_text(p, res));
        }
        if (route->condition) {
            apr_file_printf(out, "         when \"%s\"\n", route->condition);
        }
    }
}

/* apachectl -t -D DUMP_QUARTPUSH: the compiled routes of every server in
 * match order, most specific first, like -D DUMP_VHOSTS. */
void mqp_dump_routes(apr_pool_t *pconf, server_rec *s)
{
    apr_file_t *out = NULL;
    server_rec *sv;

    if (!ap_exists_config_define("DUMP_QUARTPUSH")) {
        return;
    }
    apr_file_open_stdout(&out, pconf);
    apr_file_printf(out, "mod_quartpush routes, in match order:\n");
    for (sv = s; sv; sv = sv->next) {
        mqp_dump_server(out, pconf, sv, sv == s);
    }
}
