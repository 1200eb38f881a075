/* SPDX-License-Identifier: Apache-2.0 */
/* The shared table of recent announcements and the per-rule counters of
 * what became of them (see qp_used.h). Each slot's key is also its lock
 * word: 0 free, QP_USED_BUSY held by one caller for a few instructions,
 * anything else the key of a live announcement. Whoever wins the CAS from
 * the value it read owns the slot's entry until it stores a key or 0
 * again; everyone else sees BUSY and moves on, so nothing ever waits.
 */
#include <string.h>

#include <apr_atomic.h>

#include "qp_used.h"

#define QP_USED_MAGIC  0x51505531u      /* "QPU1" */
#define QP_USED_FREE   APR_UINT64_C(0)
#define QP_USED_BUSY   APR_UINT64_C(1)
#define QP_USED_ALIGN  64
/* how often a page's stamp tries a slot another caller holds: each holder
 * keeps it for a few instructions, so this is not a wait */
#define QP_USED_STAMP_TRIES 4

typedef struct {
    volatile apr_uint32_t rule;
    volatile apr_uint32_t nonce;    /* which announcement: a page stamps
                                     * only its own */
    volatile apr_time_t announced;
    volatile apr_time_t sent;       /* the page's final headers, 0 before */
    volatile apr_time_t done;       /* the page's end, 0 before */
} qp_used_entry;

struct qp_used_table {
    apr_uint32_t magic;
    apr_uint32_t nslots;
    apr_uint32_t nrules;
    volatile apr_uint32_t nonce;
    apr_interval_time_t grace;
    apr_interval_time_t max_age;
    volatile apr_uint64_t dropped;
    volatile apr_uint32_t live;     /* slots that hold a key: 0 lets a
                                     * request skip even its hash */
    apr_uint32_t pad;
    apr_size_t counts_off;          /* nrules * QP_USED_NCOUNTS counters */
    apr_size_t keys_off;            /* nslots keys, 64-byte aligned */
    apr_size_t entries_off;         /* nslots qp_used_entry */
};

#define QP_ROUND(n) (((n) + QP_USED_ALIGN - 1) & ~(apr_size_t)(QP_USED_ALIGN - 1))

static volatile apr_uint64_t *qp_counts(const qp_used_table *t)
{
    return (volatile apr_uint64_t *)((char *)t + t->counts_off);
}

static volatile apr_uint64_t *qp_keys(const qp_used_table *t)
{
    return (volatile apr_uint64_t *)((char *)t + t->keys_off);
}

static qp_used_entry *qp_entries(const qp_used_table *t)
{
    return (qp_used_entry *)((char *)t + t->entries_off);
}

static void qp_count(qp_used_table *t, apr_uint32_t rule, qp_used_count_e c)
{
    if (rule >= t->nrules) {
        rule = 0;
    }
    apr_atomic_inc64(&qp_counts(t)[rule * QP_USED_NCOUNTS + c]);
}

apr_size_t qp_used_table_size(apr_uint32_t nslots, apr_uint32_t nrules)
{
    if (nslots < QP_USED_BUCKET || (nslots & (nslots - 1)) || nrules == 0
        || nslots > (1u << 24) || nrules > (1u << 24)) {
        return 0;
    }
    return QP_ROUND(sizeof(qp_used_table))
         + QP_ROUND((apr_size_t)nrules * QP_USED_NCOUNTS * sizeof(apr_uint64_t))
         + QP_ROUND((apr_size_t)nslots * sizeof(apr_uint64_t))
         + (apr_size_t)nslots * sizeof(qp_used_entry);
}

qp_used_table *qp_used_table_init(void *mem, apr_uint32_t nslots,
                                  apr_uint32_t nrules,
                                  apr_interval_time_t grace,
                                  apr_interval_time_t max_age)
{
    apr_size_t size = qp_used_table_size(nslots, nrules);
    qp_used_table *t = mem;

    if (!size || !mem) {
        return NULL;
    }
    memset(mem, 0, size);
    t->magic = QP_USED_MAGIC;
    t->nslots = nslots;
    t->nrules = nrules;
    t->grace = grace;
    t->max_age = max_age;
    t->counts_off = QP_ROUND(sizeof(qp_used_table));
    t->keys_off = t->counts_off
        + QP_ROUND((apr_size_t)nrules * QP_USED_NCOUNTS * sizeof(apr_uint64_t));
    t->entries_off = t->keys_off
        + QP_ROUND((apr_size_t)nslots * sizeof(apr_uint64_t));
    return t;
}

/* Eight bytes at a time, each word multiplied in and folded: a key costs
 * a few instructions per word, since every request of the server computes
 * one. Not meant to resist an attacker who can see the salt: a collision
 * costs a wrong count, and the salt comes from the caller (a random one). */
#define QP_K1 APR_UINT64_C(0x9e3779b97f4a7c15)
#define QP_K2 APR_UINT64_C(0xff51afd7ed558ccd)

static apr_uint64_t qp_mix(apr_uint64_t h, const char *s, apr_size_t n)
{
    apr_uint64_t w = 0;

    h = (h ^ n) * QP_K1;            /* "ab" + "c" is not "a" + "bc" */
    if (n >= 8) {
        const char *last = s + n - 8;

        while (s < last) {
            memcpy(&w, s, 8);
            h = (h ^ w) * QP_K1;
            h ^= h >> 29;
            s += 8;
        }
        memcpy(&w, last, 8);        /* the last 8 bytes, overlapping the
                                     * word before: no byte loop */
    }
    else {
        /* (a memcpy of a variable length is a call) */
        const unsigned char *u = (const unsigned char *)s;
        switch (n) {
        case 7: w |= (apr_uint64_t)u[6] << 48; /* fall through */
        case 6: w |= (apr_uint64_t)u[5] << 40; /* fall through */
        case 5: w |= (apr_uint64_t)u[4] << 32; /* fall through */
        case 4: w |= (apr_uint64_t)u[3] << 24; /* fall through */
        case 3: w |= (apr_uint64_t)u[2] << 16; /* fall through */
        case 2: w |= (apr_uint64_t)u[1] << 8;  /* fall through */
        case 1: w |= (apr_uint64_t)u[0];       /* fall through */
        default: break;
        }
    }
    h = (h ^ w) * QP_K2;
    return h ^ (h >> 32);
}

apr_uint64_t qp_used_client(const char *client, apr_uint64_t salt)
{
    client = client ? client : "";
    return qp_mix(salt ^ QP_K2, client, strlen(client));
}

apr_uint64_t qp_used_key(const char *client, const char *url,
                         apr_size_t url_len, apr_uint64_t salt)
{
    return qp_used_key_url(qp_used_client(client, salt), url, url_len);
}

apr_uint64_t qp_used_key_url(apr_uint64_t client, const char *url,
                             apr_size_t url_len)
{
    apr_uint64_t h = qp_mix(client, url, url_len);

    h ^= h >> 33;
    h *= APR_UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h | 2;       /* never FREE nor BUSY */
}

static apr_uint32_t qp_bucket(const qp_used_table *t, apr_uint64_t key)
{
    return ((apr_uint32_t)(key >> 32) & (t->nslots / QP_USED_BUCKET - 1))
           * QP_USED_BUCKET;
}

/* Whether e's time is up at "at": its page was done longer than the grace
 * period ago, or (a page that never said it was done) it is older than
 * max_age */
static int qp_expired(const qp_used_table *t, const qp_used_entry *e,
                      apr_time_t at)
{
    apr_time_t done = e->done;

    return done ? at > done + t->grace : at > e->announced + t->max_age;
}

int qp_used_announce(qp_used_table *t, apr_uint64_t key, apr_uint32_t rule,
                     apr_time_t now, qp_used_ref *ref)
{
    apr_uint32_t b = qp_bucket(t, key), i, slot = 0;
    volatile apr_uint64_t *keys = qp_keys(t) + b;
    qp_used_entry *ents = qp_entries(t) + b, *e;
    int pass, found = 0;

    if (rule >= t->nrules) {
        rule = 0;
    }
    for (pass = 0; pass < 2 && !found; ++pass) {
        apr_uint64_t victim_key = 0;
        apr_time_t oldest = 0;
        int victim = -1;

        for (i = 0; i < QP_USED_BUCKET && !found; ++i) {
            if (apr_atomic_read64(&keys[i]) == QP_USED_FREE
                && apr_atomic_cas64(&keys[i], QP_USED_BUSY, QP_USED_FREE)
                   == QP_USED_FREE) {
                slot = i;
                found = 1;
                apr_atomic_inc32(&t->live);     /* before the key shows */
            }
        }
        if (found) {
            break;
        }
        /* the bucket is full: a slot whose time is up, else the oldest
         * (read without the slot: only a choice, checked once held) */
        for (i = 0; i < QP_USED_BUCKET; ++i) {
            apr_uint64_t k = apr_atomic_read64(&keys[i]);
            if (k <= QP_USED_BUSY) {
                continue;
            }
            if (qp_expired(t, &ents[i], now)) {
                victim = (int)i;
                victim_key = k;
                break;
            }
            if (victim < 0 || ents[i].announced < oldest) {
                victim = (int)i;
                victim_key = k;
                oldest = ents[i].announced;
            }
        }
        if (victim >= 0 && apr_atomic_cas64(&keys[victim], QP_USED_BUSY,
                                            victim_key) == victim_key) {
            e = &ents[victim];
            qp_count(t, e->rule, qp_expired(t, e, now) ? QP_USED_UNUSED
                                                       : QP_USED_EVICTED);
            slot = (apr_uint32_t)victim;
            found = 1;
        }
    }
    if (!found) {
        apr_atomic_inc64(&t->dropped);
        return 0;
    }
    e = &ents[slot];
    e->rule = rule;
    e->nonce = apr_atomic_inc32(&t->nonce);
    e->announced = now;
    e->sent = 0;
    e->done = 0;
    qp_count(t, rule, QP_USED_ANNOUNCED);
    apr_atomic_xchg64(&keys[slot], key);    /* a full barrier: the entry
                                             * is seen whole */
    ref->index = b + slot;
    ref->nonce = e->nonce;
    ref->key = key;
    return 1;
}

void qp_used_stamp(qp_used_table *t, const qp_used_ref *ref,
                   apr_time_t sent, apr_time_t done)
{
    volatile apr_uint64_t *k;
    qp_used_entry *e;
    int tries;

    if (!ref->key || ref->index >= t->nslots) {
        return;
    }
    k = &qp_keys(t)[ref->index];
    e = &qp_entries(t)[ref->index];
    for (tries = 0; tries < QP_USED_STAMP_TRIES; ++tries) {
        apr_uint64_t old = apr_atomic_cas64(k, QP_USED_BUSY, ref->key);
        if (old == ref->key) {
            if (e->nonce == ref->nonce) {
                if (sent && !e->sent) {
                    e->sent = sent;
                }
                if (done && !e->done) {
                    e->done = done;
                    if (!e->sent) {
                        e->sent = done;
                    }
                }
            }
            apr_atomic_xchg64(k, ref->key);
            return;
        }
        if (old != QP_USED_BUSY) {
            return;         /* claimed, or reused: not this page's now */
        }
    }
}

int qp_used_idle(const qp_used_table *t)
{
    return t->live == 0;
}

int qp_used_find(const qp_used_table *t, apr_uint64_t key)
{
    /* plain reads of aligned words, without a branch per slot: a racing
     * write shows the old key or the new, and a claim decides anyway */
    const apr_uint64_t *k = (const apr_uint64_t *)(const void *)
                            (qp_keys(t) + qp_bucket(t, key));

    return ((k[0] == key) | (k[1] == key) | (k[2] == key) | (k[3] == key)
            | (k[4] == key) | (k[5] == key) | (k[6] == key) | (k[7] == key));
}

qp_used_outcome_e qp_used_claim(qp_used_table *t, apr_uint64_t key,
                                apr_time_t asked_at, int refused,
                                apr_uint32_t *rule)
{
    apr_uint32_t b = qp_bucket(t, key), i;
    volatile apr_uint64_t *keys = qp_keys(t) + b;
    qp_used_entry *ents = qp_entries(t) + b;

    for (i = 0; i < QP_USED_BUCKET; ++i) {
        qp_used_entry *e = &ents[i];
        qp_used_outcome_e out;

        if (apr_atomic_read64(&keys[i]) != key
            || apr_atomic_cas64(&keys[i], QP_USED_BUSY, key) != key) {
            continue;
        }
        if (asked_at < e->announced) {
            /* asked for before it was announced: not this hint's doing */
            apr_atomic_xchg64(&keys[i], key);
            continue;
        }
        if (qp_expired(t, e, asked_at)) {
            qp_count(t, e->rule, QP_USED_UNUSED);
            apr_atomic_xchg64(&keys[i], QP_USED_FREE);
            apr_atomic_dec32(&t->live);
            continue;
        }
        out = refused ? QP_USED_HIT_REFUSED
            : (!e->sent || asked_at < e->sent) ? QP_USED_HIT_EARLY
            : QP_USED_HIT_LATE;
        *rule = e->rule;
        qp_count(t, e->rule, out == QP_USED_HIT_REFUSED ? QP_USED_REFUSED
                           : out == QP_USED_HIT_EARLY ? QP_USED_EARLY
                           : QP_USED_LATE);
        apr_atomic_xchg64(&keys[i], QP_USED_FREE);     /* claimed: once */
        apr_atomic_dec32(&t->live);
        return out;
    }
    return QP_USED_MISS;
}

apr_uint32_t qp_used_sweep(qp_used_table *t, apr_time_t now)
{
    volatile apr_uint64_t *keys = qp_keys(t);
    qp_used_entry *ents = qp_entries(t);
    apr_uint32_t i, n = 0;

    for (i = 0; i < t->nslots; ++i) {
        apr_uint64_t k = apr_atomic_read64(&keys[i]);
        if (k <= QP_USED_BUSY || !qp_expired(t, &ents[i], now)
            || apr_atomic_cas64(&keys[i], QP_USED_BUSY, k) != k) {
            continue;
        }
        if (qp_expired(t, &ents[i], now)) {
            qp_count(t, ents[i].rule, QP_USED_UNUSED);
            apr_atomic_xchg64(&keys[i], QP_USED_FREE);
            apr_atomic_dec32(&t->live);
            ++n;
        }
        else {
            apr_atomic_xchg64(&keys[i], k);
        }
    }
    return n;
}

void qp_used_rule_counts(const qp_used_table *t, apr_uint32_t rule,
                         apr_uint64_t *counts)
{
    int c;

    for (c = 0; c < QP_USED_NCOUNTS; ++c) {
        counts[c] = rule < t->nrules
            ? apr_atomic_read64(&qp_counts(t)[rule * QP_USED_NCOUNTS + c]) : 0;
    }
}

apr_uint32_t qp_used_pending(const qp_used_table *t)
{
    const volatile apr_uint64_t *keys = qp_keys(t);
    apr_uint32_t i, n = 0;

    for (i = 0; i < t->nslots; ++i) {
        n += keys[i] > QP_USED_BUSY;
    }
    return n;
}

apr_uint32_t qp_used_slots(const qp_used_table *t)
{
    return t->nslots;
}

apr_uint32_t qp_used_rules(const qp_used_table *t)
{
    return t->nrules;
}

apr_uint64_t qp_used_dropped(const qp_used_table *t)
{
    return apr_atomic_read64(&((qp_used_table *)t)->dropped);
}

apr_interval_time_t qp_used_grace(const qp_used_table *t)
{
    return t->grace;
}
