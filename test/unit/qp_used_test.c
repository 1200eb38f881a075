/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_used.c: the table of recent announcements and the
 * per-rule counters of used early, late, unused, refused and evicted.
 * Each outcome from its definition (the page's final headers, its end plus
 * the grace period), a claim counted once, a full bucket's oldest evicted,
 * a page's stamp that never lands on another page's slot, the sweep, and
 * that any two keys that differ in client or URL do not meet. */
#include <stdio.h>
#include <stdlib.h>

#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "qp_used.h"
#include "qp_tap.h"

#define SLOTS   64
#define RULES   4
#define SEC(n)  apr_time_from_sec(n)
#define GRACE   SEC(3)
#define MAXAGE  SEC(300)

static void *mem;

static qp_used_table *fresh(void)
{
    return qp_used_table_init(mem, SLOTS, RULES, GRACE, MAXAGE);
}

static apr_uint64_t count(qp_used_table *t, apr_uint32_t rule,
                          qp_used_count_e c)
{
    apr_uint64_t counts[QP_USED_NCOUNTS];

    qp_used_rule_counts(t, rule, counts);
    return counts[c];
}

/* Threads that announce, claim and sweep at once over a small table */
#define THREADS 4
#define ROUNDS  200000

typedef struct {
    qp_used_table *t;
    int id;
    apr_uint64_t claims;
} racer;

static void *APR_THREAD_FUNC race(apr_thread_t *th, void *data)
{
    racer *w = data;
    qp_used_ref ref;
    apr_uint32_t rule;
    int i;

    for (i = 0; i < ROUNDS; ++i) {
        /* 16 URLs shared by every thread: announcements of one thread are
         * claimed by another, buckets fill and evict */
        char url[16];
        apr_uint64_t k;
        apr_time_t now = apr_time_from_sec(1000) + i;

        apr_snprintf(url, sizeof(url), "/f%d", (i * 7 + w->id) % 16);
        k = qp_used_key("192.0.2.9", url, strlen(url), 1);
        if ((i + w->id) % 3) {
            if (qp_used_announce(w->t, k, (apr_uint32_t)(i % 3), now, &ref)) {
                qp_used_stamp(w->t, &ref, now + 5, (i % 5) ? 0 : now + 6);
            }
        }
        else if (qp_used_claim(w->t, k, now + 1, i % 7 == 0, &rule)
                 != QP_USED_MISS) {
            ++w->claims;
        }
        if (i % 1000 == 0) {
            qp_used_sweep(w->t, now);
        }
    }
    apr_thread_exit(th, APR_SUCCESS);
    return NULL;
}

/* Every announcement is counted exactly once, whatever the interleaving:
 * announced = decided + still waiting, per table. */
static void test_race(apr_pool_t *p)
{
    qp_used_table *t = qp_used_table_init(mem, SLOTS, RULES, GRACE, MAXAGE);
    apr_thread_t *th[THREADS];
    racer w[THREADS];
    apr_uint64_t announced = 0, decided = 0, claims = 0, c[QP_USED_NCOUNTS];
    apr_status_t rv;
    apr_uint32_t r;
    int i;

    for (i = 0; i < THREADS; ++i) {
        w[i].t = t;
        w[i].id = i;
        w[i].claims = 0;
        apr_thread_create(&th[i], NULL, race, &w[i], p);
    }
    for (i = 0; i < THREADS; ++i) {
        apr_thread_join(&rv, th[i]);
        claims += w[i].claims;
    }
    for (r = 0; r < RULES; ++r) {
        qp_used_rule_counts(t, r, c);
        announced += c[QP_USED_ANNOUNCED];
        decided += c[QP_USED_EARLY] + c[QP_USED_LATE] + c[QP_USED_UNUSED]
                 + c[QP_USED_REFUSED] + c[QP_USED_EVICTED];
    }
    qp_tap_ok(announced > 0 && claims > 0, apr_psprintf(p, "%d threads at "
              "once: %" APR_UINT64_T_FMT " announced, %" APR_UINT64_T_FMT
              " claimed", THREADS, announced, claims));
    qp_tap_ok(qp_used_pending(t) == 0 || !qp_used_idle(t),
              "not idle while anything waits");
    qp_tap_ok(announced == decided + qp_used_pending(t),
              apr_psprintf(p, "... each counted once: announced %"
                           APR_UINT64_T_FMT " = decided %" APR_UINT64_T_FMT
                           " + waiting %u", announced, decided,
                           qp_used_pending(t)));
    qp_used_sweep(t, apr_time_from_sec(1000000000));
    qp_tap_ok(qp_used_pending(t) == 0 && qp_used_idle(t),
              "... and once all is swept, the count of live slots is 0 again");
}

static apr_uint64_t key_of(const char *client, const char *url)
{
    return qp_used_key(client, url, strlen(url), 42);
}

int main(void)
{
    apr_pool_t *p;
    qp_used_table *t;
    qp_used_ref ref, ref2, refs[QP_USED_BUCKET + 1];
    apr_uint32_t rule = 99;
    apr_time_t t0 = SEC(1000000);
    apr_uint64_t k, k2;
    int i;

    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_atomic_init(p);
    (void)qp_tap_is_str;

    qp_tap_ok(qp_used_table_size(0, 1) == 0, "no slots: not a table");
    qp_tap_ok(qp_used_table_size(100, 1) == 0, "slots not a power of two: "
              "not a table");
    qp_tap_ok(qp_used_table_size(64, 0) == 0, "no rules: not a table");
    mem = calloc(1, qp_used_table_size(SLOTS, RULES));
    t = fresh();
    qp_tap_ok(t != NULL && qp_used_slots(t) == SLOTS
              && qp_used_rules(t) == RULES, "a table of 64 slots, 4 rules");

    /* keys */
    k = key_of("192.0.2.1", "/a.css");
    qp_tap_ok(k > 1, "a key is never FREE (0) nor BUSY (1)");
    qp_tap_ok(k != key_of("192.0.2.2", "/a.css"), "another client: another key");
    qp_tap_ok(k != key_of("192.0.2.1", "/a.css?v=2"), "another URL: another key");
    qp_tap_ok(k != qp_used_key("192.0.2.1", "/a.css", 6, 43),
              "another server (salt): another key");
    qp_tap_ok(key_of("192.0.2.1/a", ".css") != key_of("192.0.2.1", "/a.css"),
              "the client and the URL do not run into each other");
    qp_tap_ok(qp_used_key_url(qp_used_client("192.0.2.1", 42), "/a.css", 6) == k,
              "a client hashed once, then its URLs: the same keys");
    qp_tap_ok(key_of("2001:db8::1234:5678:9abc", "/static/assets/index-DaCWtDuE.js")
              != key_of("2001:db8::1234:5678:9abd", "/static/assets/index-DaCWtDuE.js")
              && key_of("192.0.2.1", "/static/assets/index-DaCWtDuE.js")
              != key_of("192.0.2.1", "/static/assets/index-DaCWtDuF.js"),
              "long addresses and URLs: their last bytes count");

    /* used early: asked for while the page is still produced */
    qp_tap_ok(qp_used_idle(t), "a new table is idle");
    qp_tap_ok(!qp_used_find(t, k), "nothing announced: a miss");
    qp_tap_ok(qp_used_claim(t, k, t0, 0, &rule) == QP_USED_MISS,
              "a claim of a URL announced to nobody: a miss");
    qp_tap_ok(qp_used_announce(t, k, 1, t0, &ref) == 1, "announced");
    qp_tap_ok(count(t, 1, QP_USED_ANNOUNCED) == 1, "counted announced for "
              "its rule");
    qp_tap_ok(qp_used_pending(t) == 1, "one waiting");
    qp_tap_ok(qp_used_find(t, k), "found");
    qp_tap_ok(!qp_used_find(t, key_of("192.0.2.2", "/a.css")),
              "another client asking for the same URL: a miss");
    qp_tap_ok(qp_used_claim(t, k, t0 + 1000, 0, &rule) == QP_USED_HIT_EARLY
              && rule == 1, "asked for before the page's final headers: "
              "early, of rule 1");
    qp_tap_ok(count(t, 1, QP_USED_EARLY) == 1, "counted used early");
    qp_tap_ok(qp_used_claim(t, k, t0 + 2000, 0, &rule) == QP_USED_MISS,
              "asked for again: counted once, a miss now");
    qp_tap_ok(qp_used_pending(t) == 0, "none waiting once claimed");
    qp_tap_ok(qp_used_idle(t), "idle again once claimed");

    /* late: asked for after the final headers */
    t = fresh();
    qp_used_announce(t, k, 2, t0, &ref);
    qp_used_stamp(t, &ref, t0 + SEC(1), 0);
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(1) - 1, 0, &rule)
              == QP_USED_HIT_EARLY, "asked for a microsecond before the final "
              "headers: early");
    qp_used_announce(t, k, 2, t0, &ref);
    qp_used_stamp(t, &ref, t0 + SEC(1), 0);
    qp_used_stamp(t, &ref, t0 + SEC(2), 0);
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(1) + 1, 0, &rule)
              == QP_USED_HIT_LATE && rule == 2, "asked for after them: late "
              "(a later stamp does not move the first)");
    qp_tap_ok(count(t, 2, QP_USED_LATE) == 1 && count(t, 2, QP_USED_EARLY) == 1,
              "counted one late, one early");

    /* an end stamp without a final-headers stamp stands for both */
    qp_used_announce(t, k, 2, t0, &ref);
    qp_used_stamp(t, &ref, 0, t0 + SEC(1));
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(2), 0, &rule) == QP_USED_HIT_LATE,
              "the page's end without a final-headers stamp: after it, late");

    /* unused: the page's end plus the grace period */
    t = fresh();
    qp_used_announce(t, k, 3, t0, &ref);
    qp_used_stamp(t, &ref, t0 + SEC(1), t0 + SEC(2));
    qp_tap_ok(qp_used_sweep(t, t0 + SEC(2) + GRACE) == 0,
              "at the end of the grace period: still waiting");
    qp_tap_ok(qp_used_sweep(t, t0 + SEC(2) + GRACE + 1) == 1
              && count(t, 3, QP_USED_UNUSED) == 1,
              "a microsecond after it: swept, counted unused");
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(10), 0, &rule) == QP_USED_MISS,
              "asked for after that: a miss, not counted again");
    qp_used_announce(t, k, 3, t0, &ref);
    qp_used_stamp(t, &ref, t0 + SEC(1), t0 + SEC(2));
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(6), 0, &rule) == QP_USED_MISS
              && count(t, 3, QP_USED_UNUSED) == 2,
              "asked for after the grace period, before any sweep: unused "
              "all the same");
    qp_used_announce(t, k, 3, t0, &ref);
    qp_tap_ok(qp_used_sweep(t, t0 + MAXAGE) == 0
              && qp_used_sweep(t, t0 + MAXAGE + 1) == 1,
              "a page that never said it was done: unused after max_age");

    /* refused: a pushed stream the client cancelled */
    t = fresh();
    qp_used_announce(t, k, 1, t0, &ref);
    qp_tap_ok(qp_used_claim(t, k, t0 + 10, 1, &rule) == QP_USED_HIT_REFUSED
              && count(t, 1, QP_USED_REFUSED) == 1, "refused");

    /* asked for before it was announced: not the hint's doing */
    qp_used_announce(t, k, 1, t0, &ref);
    qp_tap_ok(qp_used_claim(t, k, t0 - 1, 0, &rule) == QP_USED_MISS
              && qp_used_find(t, k), "a request that began before the "
              "announcement leaves it waiting");

    /* a full bucket: the oldest goes, counted evicted; a stamp for it
     * lands nowhere */
    t = fresh();
    k2 = 0;
    for (i = 0; i <= QP_USED_BUCKET; ++i) {
        /* keys of one bucket: the same high 32 bits */
        apr_uint64_t ki = (k & APR_UINT64_C(0xffffffff00000000))
                          | ((apr_uint64_t)(i + 1) << 2) | 2;
        qp_tap_ok(qp_used_announce(t, ki, 1, t0 + i, &refs[i]) == 1,
                  apr_psprintf(p, "announcement %d of one bucket", i + 1));
        if (i == 0) {
            k2 = ki;
        }
    }
    qp_tap_ok(count(t, 1, QP_USED_EVICTED) == 1, "the ninth pushed one out: "
              "counted evicted");
    qp_tap_ok(!qp_used_find(t, k2), "the oldest went");
    qp_tap_ok(refs[QP_USED_BUCKET].index == refs[0].index,
              "into the oldest's slot");
    qp_used_stamp(t, &refs[0], t0 + 5, 0);
    qp_tap_ok(qp_used_claim(t, refs[QP_USED_BUCKET].key, t0 + SEC(1), 0, &rule)
              == QP_USED_HIT_EARLY, "the evicted page's stamp did not touch "
              "the new announcement");
    qp_tap_ok(qp_used_pending(t) == QP_USED_BUCKET - 1, "the others wait");

    /* a full bucket with one whose time is up: that one goes, unused */
    t = fresh();
    for (i = 0; i < QP_USED_BUCKET; ++i) {
        apr_uint64_t ki = (k & APR_UINT64_C(0xffffffff00000000))
                          | ((apr_uint64_t)(i + 1) << 2) | 2;
        qp_used_announce(t, ki, 2, t0 + SEC(100) + i, &refs[i]);
    }
    qp_used_stamp(t, &refs[5], t0 + SEC(101), t0 + SEC(101));
    ref2.key = (k & APR_UINT64_C(0xffffffff00000000)) | (APR_UINT64_C(99) << 2) | 2;
    qp_used_announce(t, ref2.key, 2, t0 + SEC(200), &ref);
    qp_tap_ok(ref.index == refs[5].index && count(t, 2, QP_USED_EVICTED) == 0
              && count(t, 2, QP_USED_UNUSED) == 1,
              "a full bucket gives up the one whose time is up first, "
              "counted unused, not evicted");

    /* two pages for the same client and URL (two tabs, a NAT): two slots,
     * each claimed once */
    t = fresh();
    qp_used_announce(t, k, 1, t0, &ref);
    qp_used_announce(t, k, 1, t0 + 1, &ref2);
    qp_tap_ok(ref.index != ref2.index, "the same key twice: two slots");
    qp_tap_ok(qp_used_claim(t, k, t0 + 10, 0, &rule) == QP_USED_HIT_EARLY
              && qp_used_claim(t, k, t0 + 11, 0, &rule) == QP_USED_HIT_EARLY
              && qp_used_claim(t, k, t0 + 12, 0, &rule) == QP_USED_MISS,
              "two requests claim them, a third misses");

    /* a stale reference: the slot was claimed and reused */
    t = fresh();
    qp_used_announce(t, k, 1, t0, &ref);
    qp_used_claim(t, k, t0 + 1, 0, &rule);
    qp_used_announce(t, k, 2, t0 + 2, &ref2);
    qp_used_stamp(t, &ref, t0 + 3, t0 + 3);
    qp_tap_ok(qp_used_claim(t, k, t0 + SEC(1), 0, &rule) == QP_USED_HIT_EARLY
              && rule == 2, "an old page's stamp does not land on a new "
              "announcement of the same key");

    /* a rule out of range counts as rule 0 */
    t = fresh();
    qp_used_announce(t, k, RULES + 5, t0, &ref);
    qp_tap_ok(count(t, 0, QP_USED_ANNOUNCED) == 1, "a rule out of range is "
              "counted as rule 0");

    test_race(p);

    free(mem);
    apr_pool_destroy(p);
    apr_terminate();
    return qp_tap_done();
}
