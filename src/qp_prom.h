/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus' text exposition format for quartpush-status?metrics. Pure
 * APR code. */
#ifndef QP_PROM_H
#define QP_PROM_H

#include <apr_pools.h>

/* s escaped for the text format: as a label value (label != 0), '\', '"'
 * and a line feed become \\, \" and \n; as a HELP text (label == 0), '\'
 * and a line feed only. s itself when nothing needs escaping. */
const char *qp_prom_escape(apr_pool_t *p, const char *s, int label);

#endif /* QP_PROM_H */
