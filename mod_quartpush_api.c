/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush's API for other modules' handlers (mod_quartpush.h): the
 * equivalent of Quart's make_push_promise(). A handler's pushes take the
 * same decision as the configured rules (mqp_decide), share their limit,
 * cookie and once-per-URL rule, and go out at once in a 103 of their own.
 */
#include <string.h>

#include <apr_optional.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "mod_quartpush.h"
#include "mod_quartpush_private.h"

/* Why r cannot push now, whatever the URL, or NULL. The API only pushes:
 * a client that refuses push gets Early Hints from the configured rules,
 * in the one 103 a browser reads. */
static const char *mqp_api_cannot_push(request_rec *r)
{
    const mqp_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                  &quartpush_module);
    const mqp_srv_conf *sc = ap_get_module_config(r->server->module_config,
                                                  &quartpush_module);
    mqp_decision d;

    if (r->main) {
        return "a subrequest's response is not the client's";
    }
    mqp_decide(r, dc, sc, 0, &d);
    if (d.how == MQP_SEND_PUSH) {
        return NULL;
    }
    return d.how == MQP_SEND_NONE ? d.reason :
           "the client does not accept push (it gets Early Hints from the "
           "configured links only)";
}

static int quartpush_can_push(request_rec *r)
{
    return r && !r->sent_bodyct && !mqp_api_cannot_push(r);
}

static apr_status_t quartpush_make_push_promise(request_rec *r,
                                                const char *url,
                                                const char *params)
{
    mqp_announcement a;
    const char *err;
    qp_link *link;

    if (!r || !url) {
        return APR_EINVAL;
    }
    MQP_COUNT(api_calls);
    if ((err = qp_link_make_str(&link, r->pool, url, params)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MQP_LOGNO(00004)
                      "quartpush_make_push_promise: %s", err);
        return APR_EINVAL;
    }
    if (r->sent_bodyct) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s): the response headers "
                      "were sent already, too late to promise a push",
                      link->url);
        return APR_EGENERAL;
    }
    if ((err = mqp_api_cannot_push(r)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s) ignored: %s", link->url,
                      err);
        return APR_ENOTIMPL;
    }
    if (mqp_was_announced(mqp_state_get(r, 1), link->url)) {
        return APR_SUCCESS;     /* promised already: the promise stands */
    }
    mqp_announce_begin(&a, r, ap_get_module_config(r->per_dir_config,
                                                   &quartpush_module),
                       MQP_SEND_PUSH);
    if (!mqp_announce(&a, link->url, link->header, link)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "quartpush_make_push_promise(%s) ignored: %s", link->url,
                      a.st->left.own == link->url ? "it is the URL of the "
                      "request itself" :
                      a.over ? "QuartPushLimit reached" :
                      strlen(link->header) > MQP_MAX_LINK_HEADER ?
                      "its Link value is too long for mod_http2" :
                      "QuartPushCookie: the client has it already");
        return APR_ENOTIMPL;
    }
    mqp_announce_send(&a);
    return APR_SUCCESS;
}

void mqp_api_register(void)
{
    APR_REGISTER_OPTIONAL_FN(quartpush_make_push_promise);
    APR_REGISTER_OPTIONAL_FN(quartpush_can_push);
}
