/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus' text exposition format (version 0.0.4): escaping. */
#include "qp_prom.h"

const char *qp_prom_escape(apr_pool_t *p, const char *s, int label)
{
    const char *c;
    char *out, *o;
    apr_size_t extra = 0;

    for (c = s; *c; ++c) {
        if (*c == '\\' || *c == '\n' || (label && *c == '"')) {
            ++extra;
        }
    }
    if (!extra) {
        return s;
    }
    o = out = apr_palloc(p, (apr_size_t)(c - s) + extra + 1);
    for (c = s; *c; ++c) {
        if (*c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else {
            if (*c == '\\' || (label && *c == '"')) {
                *o++ = '\\';
            }
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}
