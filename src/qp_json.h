/* SPDX-License-Identifier: Apache-2.0 */
/* JSON strings for the status page's ?json output. Pure APR code. */
#ifndef QP_JSON_H
#define QP_JSON_H

#include <apr_pools.h>

/* s as a JSON string, quotes included: '"' and '\' escaped, control
 * characters as \n, \t, ... or \u00XX, bytes of 0x7f and above as they are
 * (UTF-8 passes through; other bytes are escaped as \u00XX so that the
 * output is always valid UTF-8). NULL becomes null. */
const char *qp_json_str(apr_pool_t *p, const char *s);

#endif /* QP_JSON_H */
