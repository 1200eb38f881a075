/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush: HTTP/2 server push and 103 Early Hints declared in
 * httpd.conf, the way Quart's make_push_promise() works. This file is the
 * module's table of contents: the module record, its hooks, and the
 * checks made once the configuration is read. Each topic has its own file:
 *
 *   mod_quartpush_config.c   directives, scopes, the route language's input
 *   mod_quartpush_request.c  the decision for a request, the 103, the log
 *   mod_quartpush_cookie.c   QuartPushCookie: what a client has already
 *   mod_quartpush_h2.c       everything that asks or tells mod_http2
 *   mod_quartpush_api.c      the API for other modules (mod_quartpush.h)
 *   mod_quartpush_manifest.c asset manifests: QuartPushManifest, @NAME:KEY
 *   mod_quartpush_backend.c  a handler's own 103: QuartPushBackendHints
 *   mod_quartpush_used.c     used, late, unused: what became of each rule's
 *                            announcements
 *   mod_quartpush_status.c   counters, quartpush-status, DUMP_QUARTPUSH
 *   src/qp_*.c               the pure library: links, routes, digest, JSON,
 *                            manifests
 */
#include <apr_optional.h>

#include <httpd.h>
#include <http_config.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_log.h>
#include <http_main.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_status.h>

#include "mod_quartpush_private.h"

/* Once the configuration is read and merged (apachectl -t too): route
 * tables compile, so that a route that could never apply stops the start;
 * each server's H2EarlyHints is read from the configuration tree. Then,
 * once per start (not on the first of its two configuration passes), a
 * warning when mod_http2, the only way to push, is missing, when rules
 * would give browsers nothing, or when a manifest (deploy data) cannot be
 * read or lacks keys or files. */
static int mqp_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    if (mqp_compile_routes(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    mqp_h2_scan_early_hints(ptemp, s);
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        && ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_CONFIG_TEST) {
        mqp_manifest_config_done(ptemp, s, 0);
        return OK;
    }
    mqp_manifest_config_done(ptemp, s, 1);
    if (!mqp_h2_configured()) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MQP_LOGNO(00007)
                     "mod_http2 is not loaded: mod_quartpush will push "
                     "nothing (a2enmod http2, or LoadModule http2_module)");
    }
    else {
        mqp_h2_check_early_hints(s);
    }
    return OK;
}

static void mqp_test_config(apr_pool_t *pconf, server_rec *s)
{
    mqp_dump_routes(pconf, s);
}

static int mqp_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    if (mqp_manifest_post_config(pconf, s) != OK
        || mqp_used_post_config(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return mqp_counters_init(pconf, s);
}

static void mqp_child_init(apr_pool_t *pchild, server_rec *s)
{
    mqp_manifest_child_init(pchild, s);
    mqp_backend_child_init(pchild);
}

static void mqp_register_hooks(apr_pool_t *p)
{
    /* After the modules that can still change the request in fixups:
     * mod_rewrite and mod_env may set no-quartpush, mod_dir picks the file
     * (DirectoryIndex, FallbackResource) that will answer. Still before
     * the handler, so that the pushes go out while it runs. */
    static const char *const fixups_after[] = {
        "mod_rewrite.c", "mod_env.c", "mod_dir.c", NULL
    };
    static const char *const filters_after[] = { "mod_headers.c", NULL };
    static const char *const remoteip_first[] = { "mod_remoteip.c", NULL };

    /* mod_http2's variables tell whether a stream may push: look it up
     * once all modules are loaded */
    ap_hook_optional_fn_retrieve(mqp_h2_retrieve_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    /* route tables compile once the configuration is merged; a route that
     * could never apply fails apachectl -t; warn when mod_http2 is missing */
    ap_hook_check_config(mqp_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* apachectl -t -D DUMP_QUARTPUSH prints the compiled routes */
    ap_hook_test_config(mqp_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* the rules are numbered as the configuration is read: from 1 again
     * on each reading */
    ap_hook_pre_config(mqp_used_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* the counters' shared memory, and the table of the builds each child
     * announces, made in the parent before the children */
    ap_hook_post_config(mqp_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* each child's locks for reading asset manifests again */
    ap_hook_child_init(mqp_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* before mod_dir can rewrite r->uri in fixups: keep the path routes
     * match and the scope of the URL the client asked for */
    ap_hook_header_parser(mqp_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    /* a primary connection's word for whether its client accepts push,
     * asked of mod_http2 once per connection (mod_quartpush_h2.c) */
    ap_hook_pre_connection(mqp_h2_pre_connection, NULL, NULL,
                           APR_HOOK_MIDDLE);
    /* the server mod_http2's session will decide H2EarlyHints with */
    ap_hook_protocol_propose(mqp_h2_protocol_propose, NULL, NULL,
                             APR_HOOK_MIDDLE);
    /* the decision and the 103, last of fixups, before the handler */
    ap_hook_fixups(mqp_fixups, fixups_after, NULL, APR_HOOK_LAST);
    /* QuartPushCookie: the digest goes out with the response headers, from
     * the request that answers (internal redirects, error responses) and
     * after mod_headers' filter (its Cache-Control is seen) */
    ap_register_output_filter(MQP_COOKIE_FILTER, mqp_cookie_out_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
    ap_hook_insert_error_filter(mqp_insert_error_filters, filters_after, NULL,
                                APR_HOOK_LAST);
    /* QuartPushLinkHeader: the final Link headers, added as the headers
     * leave (mod_proxy_http replaces r->headers_out in its handler) */
    ap_register_output_filter(MQP_LINKS_FILTER, mqp_links_out_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
    /* a handler's own 103s (a proxied backend's), read on the connection
     * before mod_http2 and mod_ssl: ap_send_interim_response writes them
     * there; added in fixups when the module announced */
    ap_register_output_filter(MQP_BACKEND_FILTER, mqp_backend_out_filter,
                              NULL, AP_FTYPE_CONNECTION);
    /* both filters from one insert_filter hook: every request runs it */
    ap_hook_insert_filter(mqp_insert_filters, filters_after, NULL,
                          APR_HOOK_LAST);
    /* used, late, unused: the final headers' time of a page that
     * announced (mod_quartpush_used.c) */
    mqp_used_filter = ap_register_output_filter(MQP_USED_FILTER,
                                                mqp_used_out_filter, NULL,
                                                AP_FTYPE_PROTOCOL - 1);
    /* ... and whether a pushed response went out whole, or the client's
     * reset stopped it: refused */
    mqp_used_push_filter_rec = ap_register_output_filter(MQP_USED_PUSH_FILTER,
                                                         mqp_used_push_filter,
                                                         NULL,
                                                         AP_FTYPE_PROTOCOL - 1);
    /* every request looks its URL up once, as soon as it is read: after
     * mod_remoteip has set the client's address, before mod_cache's quick
     * handler may answer it */
    ap_hook_post_read_request(mqp_used_post_read_request, remoteip_first,
                              NULL, APR_HOOK_MIDDLE);
    /* SetHandler quartpush-status, and a section on mod_status's page */
    ap_hook_handler(mqp_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, mqp_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
    /* other modules' handlers push through these (mod_quartpush.h) */
    mqp_api_register();
}

module AP_MODULE_DECLARE_DATA quartpush_module = {
    STANDARD20_MODULE_STUFF,
    mqp_create_dir_conf,
    mqp_merge_dir_conf,
    mqp_create_srv_conf,
    mqp_merge_srv_conf,
    mqp_cmds,
    mqp_register_hooks,
    AP_MODULE_FLAG_NONE
};
