/* SPDX-License-Identifier: Apache-2.0 */
/* A test handler that calls mod_quartpush's API the way an application
 * module would, driven by its query string, and reports every return code
 * in its response body, one line per call:
 *   push=URL[,URL...]   quartpush_make_push_promise(r, URL, params)
 *   params=P            the params of the pushes that follow ('+' = space)
 *   sleep=MS            wait, as a slow handler does
 *   flush=1             send the response headers now
 * Built and loaded by Apache::Test (t/c-modules); <Location "/api/">
 * in t/conf/extra.conf.in sets its handler.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

#include "../../../mod_quartpush.h"

module AP_MODULE_DECLARE_DATA quartpush_api_module;

static APR_OPTIONAL_FN_TYPE(quartpush_make_push_promise) *make_push_promise;
static APR_OPTIONAL_FN_TYPE(quartpush_can_push) *can_push;

static const char *rc_name(apr_status_t rv)
{
    switch (rv) {
    case APR_SUCCESS:  return "SUCCESS";
    case APR_ENOTIMPL: return "ENOTIMPL";
    case APR_EINVAL:   return "EINVAL";
    case APR_EGENERAL: return "EGENERAL";
    default:           return "OTHER";
    }
}

static char *query_value(apr_pool_t *p, const char *raw)
{
    char *v = apr_pstrdup(p, raw), *c;

    for (c = v; *c; ++c) {
        if (*c == '+') {
            *c = ' ';
        }
    }
    ap_unescape_url(v);
    return v;
}

static int api_handler(request_rec *r)
{
    char *args, *pair, *state;
    const char *params = NULL;

    if (!r->handler || strcmp(r->handler, "quartpush-api")) {
        return DECLINED;
    }
    if (!make_push_promise || !can_push) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_set_content_type(r, "text/plain");
    ap_rprintf(r, "can_push %d\n", can_push(r));
    args = apr_pstrdup(r->pool, r->args ? r->args : "");
    for (pair = apr_strtok(args, "&", &state); pair;
         pair = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(pair, '='), *item, *istate;
        if (!eq) {
            continue;
        }
        *eq++ = '\0';
        if (!strcmp(pair, "params")) {
            params = query_value(r->pool, eq);
        }
        else if (!strcmp(pair, "sleep")) {
            apr_sleep(apr_time_from_msec(atoi(eq)));
        }
        else if (!strcmp(pair, "flush")) {
            ap_rflush(r);
        }
        else if (!strcmp(pair, "push")) {
            for (item = apr_strtok(eq, ",", &istate); item;
                 item = apr_strtok(NULL, ",", &istate)) {
                const char *url = query_value(r->pool, item);
                apr_status_t rv = make_push_promise(r, url, params);
                ap_rprintf(r, "push %s %s\n", url, rc_name(rv));
            }
        }
    }
    return OK;
}

static void api_retrieve(void)
{
    make_push_promise = APR_RETRIEVE_OPTIONAL_FN(quartpush_make_push_promise);
    can_push = APR_RETRIEVE_OPTIONAL_FN(quartpush_can_push);
}

static void api_register_hooks(apr_pool_t *p)
{
    ap_hook_optional_fn_retrieve(api_retrieve, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(api_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA quartpush_api_module = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    api_register_hooks
};
