/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_json.c: what the status page's JSON output
 * writes for configuration text of any content. */
#include <apr_general.h>
#include <apr_pools.h>

#include "qp_json.h"
#include "qp_tap.h"

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    qp_tap_is_str(qp_json_str(p, NULL), "null", "NULL is null");
    qp_tap_is_str(qp_json_str(p, ""), "\"\"", "the empty string");
    qp_tap_is_str(qp_json_str(p, "/blog/<slug>"), "\"/blog/<slug>\"",
                  "a route pattern as it is");
    qp_tap_is_str(qp_json_str(p, "a\"b\\c"), "\"a\\\"b\\\\c\"",
                  "quote and backslash escaped");
    qp_tap_is_str(qp_json_str(p, "a\nb\rc\td"), "\"a\\nb\\rc\\td\"",
                  "newline, return and tab");
    qp_tap_is_str(qp_json_str(p, "\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"",
                  "other control characters as \\u00XX");
    qp_tap_is_str(qp_json_str(p, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
                  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
                  "valid UTF-8 passes through");
    qp_tap_is_str(qp_json_str(p, "\xc0\xae\xff\xe2\x82"),
                  "\"\\u00c0\\u00ae\\u00ff\\u00e2\\u0082\"",
                  "overlong, invalid and truncated UTF-8 escaped byte by byte");
    qp_tap_is_str(qp_json_str(p, "\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"",
                  "a UTF-16 surrogate is not valid UTF-8");
    apr_pool_destroy(p);
    apr_terminate();
    return qp_tap_done();
}
