/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: QuartPushCookie values as any client may send them.
 * qp_digest_decode either refuses the bytes or returns a set whose encoding
 * is exactly those bytes (one canonical form per set), which decodes again
 * to the same set; the decoder reads only the size bytes it is given (the
 * input is passed as libFuzzer's own buffer, so ASan sees any read past
 * it). A decoded set also survives an add: the count stays within
 * QP_DIGEST_MAX and the encoding within QP_DIGEST_MAX_LEN.
 * The same bytes, split at the first NUL into a Cookie header and a cookie
 * name, exercise qp_cookie_value: a value found lies inside the header,
 * after "name=" with the exact name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_digest.h"

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_digest(apr_pool_t *p, const uint8_t *data, size_t size)
{
    qp_digest *d, *again;
    const char *e, *e2;
    int n;

    d = qp_digest_decode(p, (const char *)data, size);
    if (!d) {
        return;
    }
    n = qp_digest_count(d);
    e = qp_digest_encode(p, d);
    if (n < 0 || n > QP_DIGEST_MAX || size > QP_DIGEST_MAX_LEN
        || strlen(e) != size || memcmp(e, data, size) != 0) {
        abort();        /* accepted a non-canonical form */
    }
    again = qp_digest_decode(p, e, strlen(e));
    if (!again || qp_digest_count(again) != n
        || strcmp(qp_digest_encode(p, again), e) != 0) {
        abort();
    }
    /* adding keeps the bounds, whether it restarts or not */
    if (qp_digest_add(d, "/fuzz/added.css")) {
        if (qp_digest_count(d) != (n == QP_DIGEST_MAX ? 1 : n + 1)) {
            abort();
        }
    }
    else if (qp_digest_count(d) != n) {
        abort();
    }
    if (!qp_digest_contains(d, "/fuzz/added.css")) {
        abort();
    }
    e2 = qp_digest_encode(p, d);
    if (strlen(e2) > QP_DIGEST_MAX_LEN || !qp_digest_decode(p, e2, strlen(e2))) {
        abort();
    }
}

static void check_cookie(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    const char *header, *name, *v;
    apr_size_t len = 0, hlen, nlen;

    if (!nul) {
        return;
    }
    header = apr_pstrmemdup(p, (const char *)data, (apr_size_t)(nul - data));
    name = apr_pstrmemdup(p, (const char *)nul + 1,
                          size - (apr_size_t)(nul - data) - 1);
    hlen = strlen(header);
    nlen = strlen(name);
    v = qp_cookie_value(header, name, &len);
    if (!v) {
        if (len != 0) {
            abort();
        }
        return;
    }
    if (nlen == 0 || v < header || v + len > header + hlen
        || memchr(v, ';', len)) {
        abort();
    }
    /* "name" then '=' before the value, spaces and a quote aside */
    {
        const char *eq = v;
        while (eq > header && eq[-1] != '=') {
            --eq;
        }
        if (eq == header || (apr_size_t)(eq - 1 - header) < nlen) {
            abort();
        }
        --eq;
        while (eq > header && (eq[-1] == ' ' || eq[-1] == '\t')) {
            --eq;
        }
        if ((apr_size_t)(eq - header) < nlen
            || memcmp(eq - nlen, name, nlen) != 0) {
            abort();
        }
        eq -= nlen;     /* the name starts the pair, spaces aside */
        while (eq > header && (eq[-1] == ' ' || eq[-1] == '\t')) {
            --eq;
        }
        if (eq > header && eq[-1] != ';') {
            abort();
        }
    }
    /* with a valid name, the decoder takes what was found like any value */
    if (!qp_cookie_name_check(p, name)) {
        qp_digest_decode(p, v, len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    check_digest(p, data, size);
    check_cookie(p, data, size);
    apr_pool_destroy(p);
    return 0;
}
