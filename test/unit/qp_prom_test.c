/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_prom.c: label values and HELP texts as
 * quartpush-status?metrics writes them. */
#include <apr_general.h>
#include <apr_pools.h>

#include "qp_prom.h"
#include "qp_tap.h"

int main(void)
{
    apr_pool_t *p;
    const char *plain = "pushed_request";

    apr_initialize();
    apr_pool_create(&p, NULL);
    qp_tap_ok(qp_prom_escape(p, plain, 1) == plain,
              "nothing to escape: the string itself");
    qp_tap_is_str(qp_prom_escape(p, "", 1), "", "the empty string");
    qp_tap_is_str(qp_prom_escape(p, "a\"b", 1), "a\\\"b",
                  "a label value: a quote escaped");
    qp_tap_is_str(qp_prom_escape(p, "a\\b", 1), "a\\\\b",
                  "a label value: a backslash escaped");
    qp_tap_is_str(qp_prom_escape(p, "a\nb", 1), "a\\nb",
                  "a label value: a line feed as \\n");
    qp_tap_is_str(qp_prom_escape(p, "\\\"\n\\", 1), "\\\\\\\"\\n\\\\",
                  "a label value of nothing else");
    qp_tap_is_str(qp_prom_escape(p, "say \"hi\"\\\n", 0), "say \"hi\"\\\\\\n",
                  "a HELP text: backslash and line feed escaped, quotes kept");
    qp_tap_is_str(qp_prom_escape(p, "caf\xc3\xa9\t", 1), "caf\xc3\xa9\t",
                  "UTF-8 and a tab as they are");
    apr_pool_destroy(p);
    apr_terminate();
    return qp_tap_done();
}
