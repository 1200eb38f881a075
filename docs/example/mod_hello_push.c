/* SPDX-License-Identifier: Apache-2.0 */
/* A handler that pushes its page's CSS and JS while it is still working,
 * through mod_quartpush's API. Build: apxs -c -i mod_hello_push.c */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include "mod_quartpush.h"

static APR_OPTIONAL_FN_TYPE(quartpush_make_push_promise) *push;

static int hello_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, "hello-push")) {
        return DECLINED;
    }
    if (push) {                 /* NULL when mod_quartpush is not loaded */
        push(r, "/static/css/site.css", NULL);
        push(r, "/static/js/app.js", "as=script critical");
    }
    ap_set_content_type(r, "text/html");   /* the slow work would go here */
    ap_rputs("<link rel=stylesheet href=/static/css/site.css>Hello\n", r);
    return OK;
}

static void hello_retrieve(void)
{
    push = APR_RETRIEVE_OPTIONAL_FN(quartpush_make_push_promise);
}

static void hello_hooks(apr_pool_t *p)
{
    ap_hook_optional_fn_retrieve(hello_retrieve, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(hello_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA hello_push_module = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, hello_hooks
};
