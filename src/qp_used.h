/* SPDX-License-Identifier: Apache-2.0 */
/* Whether a client asked for what a page announced to it (issue 25): a
 * fixed table of recent announcements, shared by every process of the
 * server, and per-rule counters of what became of them (used early, late,
 * unused, refused, evicted). Pure APR: the memory is the caller's (shared
 * memory in httpd), every update is an atomic operation or a CAS, and no
 * call ever waits for another.
 *
 * An announcement is keyed by a 64-bit hash of (client address, URL, a
 * salt such as the server): not by connection, since a browser's
 * credential-less CORS requests (crossorigin, modulepreload) may come on
 * another connection, which may land in another process. Slots are kept
 * in buckets of 8 whose keys share one 64-byte cache line: a request whose
 * URL was announced to nobody reads that one line and stops.
 */
#ifndef QP_USED_H
#define QP_USED_H

#include <apr.h>
#include <apr_time.h>

/* The slots of a bucket: a lookup reads this many keys, one cache line */
#define QP_USED_BUCKET 8

/* What became of announcements, per rule. */
typedef enum {
    QP_USED_ANNOUNCED = 0,      /* written to the table */
    QP_USED_EARLY,              /* asked for before the page's final
                                 * headers went out: the hint was used */
    QP_USED_LATE,               /* asked for after them */
    QP_USED_UNUSED,             /* not asked for by the page's end plus
                                 * the grace period */
    QP_USED_REFUSED,            /* a push the client cancelled */
    QP_USED_EVICTED,            /* pushed out of a full bucket undecided */
    QP_USED_NCOUNTS
} qp_used_count_e;

/* What a claim found. */
typedef enum {
    QP_USED_MISS = 0,           /* announced to nobody (or expired) */
    QP_USED_HIT_EARLY,
    QP_USED_HIT_LATE,
    QP_USED_HIT_REFUSED
} qp_used_outcome_e;

typedef struct qp_used_table qp_used_table;

/* Where one announcement was written, kept by the page that wrote it so
 * that it can stamp it later (0 index with key 0: not written). */
typedef struct {
    apr_uint32_t index;
    apr_uint32_t nonce;
    apr_uint64_t key;
} qp_used_ref;

/* The bytes a table of nslots slots (a power of two, at least
 * QP_USED_BUCKET) and nrules rules takes; 0 when nslots is not valid. */
apr_size_t qp_used_table_size(apr_uint32_t nslots, apr_uint32_t nrules);

/* Lays a new table out in mem (qp_used_table_size bytes, 64-byte aligned
 * preferred), every slot free and every counter 0. grace: how long after
 * a page is done its announcements may still be asked for; max_age: how
 * long an announcement whose page never said it was done lives. */
qp_used_table *qp_used_table_init(void *mem, apr_uint32_t nslots,
                                  apr_uint32_t nrules,
                                  apr_interval_time_t grace,
                                  apr_interval_time_t max_age);

/* The key of (client, url[0..url_len)) under salt; never 0 nor 1. */
apr_uint64_t qp_used_key(const char *client, const char *url,
                         apr_size_t url_len, apr_uint64_t salt);
/* The same in two steps, so that a connection hashes its client once:
 * qp_used_key(c, u, n, s) == qp_used_key_url(qp_used_client(c, s), u, n) */
apr_uint64_t qp_used_client(const char *client, apr_uint64_t salt);
apr_uint64_t qp_used_key_url(apr_uint64_t client, const char *url,
                             apr_size_t url_len);

/* Writes an announcement of rule (0 when rule >= nrules) for key at now:
 * a free slot of its bucket, else one whose time is up (counted unused),
 * else the oldest (counted evicted). 1 and *ref set when written; 0 when
 * every slot of the bucket was busy at that instant (counted dropped). */
int qp_used_announce(qp_used_table *t, apr_uint64_t key, apr_uint32_t rule,
                     apr_time_t now, qp_used_ref *ref);

/* The page that wrote ref: its final headers went out at sent (0: not
 * known), it was done at done (0: not yet). A stamp is written once: a
 * later one does not move it. Nothing happens when the slot was claimed or
 * reused since. */
void qp_used_stamp(qp_used_table *t, const qp_used_ref *ref,
                   apr_time_t sent, apr_time_t done);

/* Whether nothing at all waits in the table: then a request need not even
 * compute its key (one read of a shared word). */
int qp_used_idle(const qp_used_table *t);

/* Whether key is in the table now: one bucket read, no write. */
int qp_used_find(const qp_used_table *t, apr_uint64_t key);

/* A request for key, that began at asked_at: claims the announcement
 * (once: the slot is freed) and counts it early or late by the page's
 * final headers, or refused when refused is set. An announcement whose
 * time was up at asked_at is counted unused and is no hit. *rule is the
 * rule of a hit. */
qp_used_outcome_e qp_used_claim(qp_used_table *t, apr_uint64_t key,
                                apr_time_t asked_at, int refused,
                                apr_uint32_t *rule);

/* Counts unused every announcement whose time is up at now, and frees its
 * slot: a status page calls it before reading the counters. Returns how
 * many it found. */
apr_uint32_t qp_used_sweep(qp_used_table *t, apr_time_t now);

/* A snapshot of rule's counters, counts[QP_USED_NCOUNTS]. */
void qp_used_rule_counts(const qp_used_table *t, apr_uint32_t rule,
                         apr_uint64_t *counts);

/* Announcements still waiting (in the table, undecided), the number of
 * slots, of rules, and the announcements dropped (a bucket all busy). */
apr_uint32_t qp_used_pending(const qp_used_table *t);
apr_uint32_t qp_used_slots(const qp_used_table *t);
apr_uint32_t qp_used_rules(const qp_used_table *t);
apr_uint64_t qp_used_dropped(const qp_used_table *t);
apr_interval_time_t qp_used_grace(const qp_used_table *t);

#endif /* QP_USED_H */
