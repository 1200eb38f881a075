/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal TAP producer for the C unit tests: one "ok N - what" line per
 * assertion, a plan at the end, and exit status 1 when anything failed. */
#ifndef QP_TAP_H
#define QP_TAP_H

#include <stdio.h>
#include <string.h>

static int qp_tap_n, qp_tap_failed;

static int qp_tap_ok(int cond, const char *what)
{
    ++qp_tap_n;
    if (!cond) {
        ++qp_tap_failed;
    }
    printf("%sok %d - %s\n", cond ? "" : "not ", qp_tap_n, what);
    return cond;
}

static int qp_tap_is_str(const char *got, const char *want, const char *what)
{
    int same = (got == NULL && want == NULL)
               || (got && want && strcmp(got, want) == 0);
    if (!qp_tap_ok(same, what)) {
        printf("#   got:      %s\n#   expected: %s\n",
               got ? got : "(null)", want ? want : "(null)");
    }
    return same;
}

static int qp_tap_done(void)
{
    printf("1..%d\n", qp_tap_n);
    if (qp_tap_failed) {
        printf("# %d of %d failed\n", qp_tap_failed, qp_tap_n);
    }
    return qp_tap_failed ? 1 : 0;
}

#endif /* QP_TAP_H */
