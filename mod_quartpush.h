/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush's API for other modules: the equivalent of Quart's
 * make_push_promise(). Call it through the optional functions below, so
 * that your module neither links against mod_quartpush nor fails when it is
 * not loaded:
 *
 *     #include "mod_quartpush.h"
 *
 *     static APR_OPTIONAL_FN_TYPE(quartpush_make_push_promise) *push;
 *
 *     static void retrieve(void)      // ap_hook_optional_fn_retrieve
 *     {
 *         push = APR_RETRIEVE_OPTIONAL_FN(quartpush_make_push_promise);
 *     }
 *
 *     // in a handler, before the response starts:
 *     if (push) {
 *         push(r, "/static/css/site.css", NULL);
 *         push(r, "/static/js/app.js", "as=script critical");
 *     }
 *
 * docs/api.md has a complete example handler.
 */
#ifndef MOD_QUARTPUSH_H
#define MOD_QUARTPUSH_H

#include <apr_optional.h>
#include <httpd.h>

/**
 * Promise url to the client now, the way Quart's make_push_promise() does.
 *
 * A 103 interim response carrying just this Link goes out at once, and
 * mod_http2 sends the PUSH_PROMISE before the handler produces its response.
 * The pushed request carries the copied request headers (accept,
 * accept-encoding, accept-language, cache-control, user-agent).
 *
 * @param r      the request being handled (not a subrequest)
 * @param url    a same-origin absolute path, with an optional query string
 * @param params link parameters as for QuartPushResource, separated by
 *               spaces ("as=script critical"), or NULL; as= is inferred from
 *               the extension when missing
 * @return APR_SUCCESS   the push was handed to mod_http2, or this URL was
 *                       already promised for this response (it is not sent
 *                       twice, whether it came from this API, a directive or
 *                       a route)
 *         APR_ENOTIMPL  pushing is impossible, and nothing was sent: HTTP/1.x,
 *                       a client that refuses push, a pushed request, a
 *                       request other than GET, QuartPush off or no-quartpush,
 *                       QuartPushLimit reached, or the client's
 *                       QuartPushCookie digest says it has url already
 *                       (Quart's "ignore the push promise"). The API pushes
 *                       only: a client that refuses push gets no Early Hints
 *                       from it, since browsers use only the first 103
 *         APR_EINVAL    url or params are not valid; the reason is logged
 *         APR_EGENERAL  the final response headers were sent already: a push
 *                       can no longer be promised (logged at debug level)
 */
APR_DECLARE_OPTIONAL_FN(apr_status_t, quartpush_make_push_promise,
                        (request_rec *r, const char *url, const char *params));

/**
 * Whether quartpush_make_push_promise() would push for r now.
 * @return non-zero if a push would be promised
 */
APR_DECLARE_OPTIONAL_FN(int, quartpush_can_push, (request_rec *r));

#endif /* MOD_QUARTPUSH_H */
