/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_digest.c: the cookie digest of QuartPushCookie.
 * Round trips, the one canonical encoding of a set, the restart at the
 * bound, every way a cookie can be refused, the measured false-positive
 * rate and encoded sizes against what qp_digest.h documents, and finding a
 * cookie in a Cookie header. */
#include <stdio.h>
#include <stdlib.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_digest.h"
#include "qp_tap.h"

static apr_pool_t *pool;

/* xorshift64*: the same "random" URLs on every run, so a failure repeats */
static apr_uint64_t rng_state = APR_UINT64_C(0x9e3779b97f4a7c15);

static apr_uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * APR_UINT64_C(0x2545f4914f6cdd1d);
}

static const char *random_url(apr_pool_t *p)
{
    apr_uint64_t r = rng();
    return apr_psprintf(p, "/static/%08x/%s.js?v=%u",
                        (unsigned)(r >> 32), "app", (unsigned)(r & 0xffff));
}

/* A set of n distinct values from random URLs (two URLs may share a value:
 * add until the count is n); the URLs go to urls when it is not NULL. */
static qp_digest *random_set(apr_pool_t *p, int n, const char **urls)
{
    qp_digest *d = qp_digest_create(p);

    while (qp_digest_count(d) < n) {
        const char *u = random_url(p);
        if (qp_digest_add(d, u) && urls) {
            urls[qp_digest_count(d) - 1] = u;
        }
    }
    return d;
}

static qp_digest *decode_str(const char *s)
{
    return qp_digest_decode(pool, s, strlen(s));
}

/* Hand-made encodings: header and Rice codes as bits, in the format of
 * qp_digest.h, so that the decoder can be shown each kind of forgery. */
typedef struct {
    char bit[2048];
    int n;
} bits_t;

static void put(bits_t *b, unsigned long value, int nbits)
{
    while (nbits-- > 0) {
        b->bit[b->n++] = (char)((value >> nbits) & 1);
    }
}

static void put_rice(bits_t *b, unsigned long gap, int k)
{
    unsigned long q;

    for (q = gap >> k; q > 0; --q) {
        put(b, 1, 1);
    }
    put(b, 0, 1);
    put(b, gap, k);
}

/* The cookie for these bits, zero-padded to a whole character, with extra
 * padding bits of pad (to show that non-zero padding is refused). */
static const char *cookie_of(const bits_t *b, unsigned pad)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int nchars = (b->n + 5) / 6, i, j;
    char *s = apr_palloc(pool, (apr_size_t)nchars + 2);

    s[0] = QP_DIGEST_VERSION;
    for (i = 0; i < nchars; ++i) {
        int v = 0;
        for (j = 0; j < 6; ++j) {
            int at = i * 6 + j;
            v = (v << 1) | (at < b->n ? b->bit[at] : 0);
        }
        if (i == nchars - 1) {
            v |= (int)pad & ((1 << (nchars * 6 - b->n)) - 1);
        }
        s[i + 1] = b64[v];
    }
    s[nchars + 1] = '\0';
    return s;
}

/* A URL whose value (as qp_digest_contains sees it) is the one of target:
 * a different URL that collides, found by trying. */
static const char *colliding_url(const char *target)
{
    qp_digest *d = qp_digest_create(pool);
    int i;

    qp_digest_add(d, target);
    for (i = 0; ; ++i) {
        const char *u = apr_psprintf(pool, "/collide/%d", i);
        if (qp_digest_contains(d, u)) {
            return u;
        }
    }
}

static void test_empty_and_golden(void)
{
    qp_digest *d = qp_digest_create(pool);
    const char *e;

    qp_tap_ok(qp_digest_count(d) == 0, "a new digest is empty");
    qp_tap_ok(!qp_digest_contains(d, "/static/site.css"),
              "an empty digest contains nothing");
    qp_tap_is_str(qp_digest_encode(pool, d), "1AA",
                  "the empty digest is \"1AA\": n = 0, k = 0");
    /* These pin the hash and the format: a change that breaks them makes
     * every client's cookie mean something else. */
    qp_tap_ok(qp_digest_add(d, "/static/site.css") == 1, "adding a URL changes the set");
    e = qp_digest_encode(pool, d);
    qp_tap_is_str(e, "1AbzEQ", "golden encoding of {/static/site.css}");
    qp_tap_ok(qp_digest_add(d, "/static/app.js") == 1, "adding a second URL changes the set");
    qp_tap_is_str(qp_digest_encode(pool, d), "1AqxpaPg",
                  "golden encoding of {/static/site.css, /static/app.js}");
    qp_tap_ok(qp_digest_add(d, "/static/site.css") == 0,
              "adding a URL again does not change the set");
    qp_tap_ok(qp_digest_count(d) == 2, "the count is 2");
    qp_tap_ok(qp_digest_contains(d, "/static/site.css")
              && qp_digest_contains(d, "/static/app.js"),
              "both URLs are found");
    qp_tap_ok(!qp_digest_contains(d, "/static/site.css?v=2"),
              "the query string is part of the URL");
}

static void test_round_trips(void)
{
    static const int sizes[] = { 0, 1, 2, 31, 32, 127, 128 };
    const char *urls[QP_DIGEST_MAX];
    unsigned i;
    int j;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
        int n = sizes[i], all = 1;
        qp_digest *d = random_set(pool, n, urls), *back;
        const char *e = qp_digest_encode(pool, d), *s;

        for (s = e; *s; ++s) {
            if (!apr_isalnum(*s) && *s != '-' && *s != '_') {
                all = 0;
            }
        }
        qp_tap_ok(all && strlen(e) <= QP_DIGEST_MAX_LEN,
                  apr_psprintf(pool, "n = %d encodes to %d cookie-safe "
                               "characters", n, (int)strlen(e)));
        printf("# n = %d: %s\n", n, e);
        back = decode_str(e);
        qp_tap_ok(back && qp_digest_count(back) == n,
                  apr_psprintf(pool, "n = %d decodes with its count", n));
        if (!back) {
            continue;
        }
        for (j = 0; j < n; ++j) {
            if (!qp_digest_contains(back, urls[j])) {
                all = 0;
            }
        }
        qp_tap_ok(all, apr_psprintf(pool, "n = %d: every URL added is found "
                                    "after decoding", n));
        qp_tap_is_str(qp_digest_encode(pool, back), e,
                      apr_psprintf(pool, "n = %d re-encodes to the same text", n));
    }
}

static void test_canonical(void)
{
    const char *urls[40];
    qp_digest *a, *b;
    int i, changed = 0;

    a = random_set(pool, 40, urls);
    b = qp_digest_create(pool);
    for (i = 39; i >= 0; --i) {
        changed += qp_digest_add(b, urls[i]);
    }
    qp_tap_ok(changed == 40, "each URL of another order changes the set once");
    qp_tap_is_str(qp_digest_encode(pool, b), qp_digest_encode(pool, a),
                  "the same set added in another order encodes the same");
    for (i = 0; i < 40; ++i) {
        changed += qp_digest_add(b, urls[i]);
    }
    qp_tap_ok(changed == 40, "adding the same URLs again changes nothing");
    qp_tap_is_str(qp_digest_encode(pool, b), qp_digest_encode(pool, a),
                  "nor its encoding");

    b = qp_digest_create(pool);
    qp_digest_add(b, "/static/site.css");
    qp_tap_ok(qp_digest_add(b, colliding_url("/static/site.css")) == 0,
              "a URL with the value of one in the set does not change it");
    qp_tap_ok(qp_digest_count(b) == 1, "and the count stays 1");
}

static void test_restart(void)
{
    const char *urls[QP_DIGEST_MAX];
    qp_digest *d = random_set(pool, QP_DIGEST_MAX, urls);
    const char *full = qp_digest_encode(pool, d), *fresh;
    int i, kept = 0;

    qp_tap_ok(qp_digest_count(d) == QP_DIGEST_MAX, "the set is full");
    qp_tap_ok(qp_digest_add(d, urls[77]) == 0
              && qp_digest_count(d) == QP_DIGEST_MAX,
              "adding a URL it holds to a full set changes nothing");
    qp_tap_is_str(qp_digest_encode(pool, d), full, "nor its encoding");
    do {
        fresh = random_url(pool);
    } while (qp_digest_contains(d, fresh));
    qp_tap_ok(qp_digest_add(d, fresh) == 1, "adding one more changes the set");
    qp_tap_ok(qp_digest_count(d) == 1, "which restarts with that URL only");
    qp_tap_ok(qp_digest_contains(d, fresh), "the new URL is found");
    for (i = 0; i < QP_DIGEST_MAX; ++i) {
        kept += qp_digest_contains(d, urls[i]);
    }
    qp_tap_ok(kept == 0, "none of the 128 before is");
    qp_tap_ok(strlen(qp_digest_encode(pool, d)) < 10,
              "and the cookie is short again");
}

static void test_decode_refuses(void)
{
    qp_digest *d = random_set(pool, 20, NULL);
    const char *good = qp_digest_encode(pool, d);
    apr_size_t glen = strlen(good);
    char *buf;
    bits_t b;
    int i;

    qp_tap_ok(decode_str(good) != NULL, "a valid cookie decodes");
    qp_tap_ok(qp_digest_decode(pool, NULL, 0) == NULL, "NULL is refused");
    qp_tap_ok(decode_str("") == NULL, "an empty value is refused");
    qp_tap_ok(decode_str("1") == NULL, "the version alone is refused");
    qp_tap_ok(decode_str("1A") == NULL, "a header cut short is refused");
    qp_tap_ok(decode_str("2AA") == NULL, "another version is refused");
    qp_tap_ok(decode_str("AAA") == NULL, "a missing version is refused");
    qp_tap_ok(decode_str("1A=") == NULL, "base64 padding is refused");
    qp_tap_ok(decode_str("1A+") == NULL && decode_str("1A/") == NULL,
              "the standard base64 alphabet's + and / are refused");
    qp_tap_ok(decode_str("1A A") == NULL && decode_str("1A.") == NULL,
              "other characters are refused");
    qp_tap_ok(qp_digest_decode(pool, "1A\0", 3) == NULL, "a NUL is refused");
    qp_tap_ok(decode_str("1AB") == NULL, "non-zero padding bits are refused");
    qp_tap_ok(decode_str("1AAA") == NULL, "a trailing character is refused");
    qp_tap_ok(decode_str(apr_pstrcat(pool, good, "A", NULL)) == NULL,
              "a valid cookie with a character more is refused");
    qp_tap_ok(qp_digest_decode(pool, good, glen - 1) == NULL,
              "a valid cookie cut by a character is refused");
    qp_tap_ok(qp_digest_decode(pool, good, glen / 2) == NULL,
              "a valid cookie cut in half is refused");
    qp_tap_ok(decode_str(apr_pstrcat(pool, " ", good, NULL)) == NULL,
              "a leading space is refused (qp_cookie_value trims it)");
    /* len is the end: what follows in memory is never read */
    buf = apr_pstrcat(pool, good, "AAAAAAAA", NULL);
    qp_tap_ok(qp_digest_decode(pool, buf, glen) != NULL,
              "the bytes after len are not read");
    buf = apr_pmemdup(pool, good, glen);
    qp_tap_ok(qp_digest_decode(pool, buf, glen) != NULL,
              "a value without a NUL decodes");

    buf = apr_palloc(pool, QP_DIGEST_MAX_LEN + 2);
    buf[0] = QP_DIGEST_VERSION;
    for (i = 1; i <= QP_DIGEST_MAX_LEN; ++i) {
        buf[i] = 'A';
    }
    buf[QP_DIGEST_MAX_LEN + 1] = '\0';
    qp_tap_ok(decode_str(buf) == NULL,
              "a value longer than QP_DIGEST_MAX_LEN is refused");
    qp_tap_ok(decode_str(apr_pstrcat(pool, "1", apr_pstrndup(pool,
                  "________________________________________________________________"
                  "________________________________________________________________"
                  "________________________________________________________________"
                  "________________________________________________________________",
                  100000), NULL)) == NULL,
              "an over-long value of one-bits is refused");

    /* forged headers and gaps */
    b.n = 0; put(&b, 129, 8); put(&b, 0, 4);
    for (i = 0; i < 129; ++i) {
        put_rice(&b, 0, 0);
    }
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "n = 129 is refused, even with its 129 gaps");
    b.n = 0; put(&b, 255, 8); put(&b, 7, 4);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "n = 255 with no data is refused");
    b.n = 0; put(&b, 128, 8); put(&b, 7, 4); put_rice(&b, 5, 7);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "n = 128 with one gap is refused");
    b.n = 0; put(&b, 1, 8); put(&b, 14, 4); put(&b, 0, 1); put(&b, 5, 14);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL, "k = 14 is refused");
    b.n = 0; put(&b, 1, 8); put(&b, 15, 4); put(&b, 0, 1); put(&b, 5, 15);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL, "k = 15 is refused");
    /* {3}: 4 bits at k = 0, 3 at k = 1 and k = 2, 5 at k = 4 */
    b.n = 0; put(&b, 1, 8); put(&b, 1, 4); put_rice(&b, 3, 1);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) != NULL,
              "{3} with its best k = 1 decodes");
    b.n = 0; put(&b, 1, 8); put(&b, 2, 4); put_rice(&b, 3, 2);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "{3} with k = 2, as short but not the smallest k, is refused");
    b.n = 0; put(&b, 1, 8); put(&b, 0, 4); put_rice(&b, 3, 0);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "{3} with a longer k = 0 is refused");
    b.n = 0; put(&b, 1, 8); put(&b, 4, 4); put_rice(&b, 3, 4);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "{3} with a longer k = 4 is refused");
    b.n = 0; put(&b, 1, 8); put(&b, 13, 4); put_rice(&b, 16383, 13);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) != NULL,
              "the last value of the range, 16383, decodes");
    b.n = 0; put(&b, 1, 8); put(&b, 13, 4); put_rice(&b, 16384, 13);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "a value of 16384, out of the range, is refused");
    b.n = 0; put(&b, 2, 8); put(&b, 12, 4); put_rice(&b, 16000, 12);
    put_rice(&b, 16000, 12);
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "gaps that add up beyond the range are refused");
    b.n = 0; put(&b, 1, 8); put(&b, 0, 4);
    for (i = 0; i < 1000; ++i) {
        put(&b, 1, 1);
    }
    qp_tap_ok(decode_str(cookie_of(&b, 0)) == NULL,
              "an unending unary quotient is refused");
    /* Unsorted or duplicate values cannot be written: a gap is the distance
     * to the previous value less one, never negative; gaps of 0 are
     * consecutive values. */
    b.n = 0; put(&b, 3, 8); put(&b, 0, 4);
    put_rice(&b, 0, 0); put_rice(&b, 0, 0); put_rice(&b, 0, 0);
    d = decode_str(cookie_of(&b, 0));
    qp_tap_ok(d && qp_digest_count(d) == 3,
              "three gaps of 0 are three distinct values 0, 1, 2");
    qp_tap_is_str(d ? qp_digest_encode(pool, d) : NULL, cookie_of(&b, 0),
                  "which re-encode the same");
    qp_tap_ok(decode_str(cookie_of(&b, 1)) == NULL,
              "the same with a padding bit set is refused");
}

/* The longest encoding: 128 values whose gaps are all 0 but one of 16,256
 * (a multiple of 2^7, so that no bit is lost to rounding at k = 6 or 7). */
static void test_worst_case_size(void)
{
    bits_t b;
    const char *s;
    qp_digest *d;
    int i, n, k, worst = 0;

    b.n = 0; put(&b, 128, 8); put(&b, 6, 4);
    put_rice(&b, 16256, 6);
    for (i = 1; i < 128; ++i) {
        put_rice(&b, 0, 6);
    }
    s = cookie_of(&b, 0);
    d = decode_str(s);
    qp_tap_ok(d != NULL && qp_digest_count(d) == 128,
              "the worst-case set decodes (k = 6 is its best)");
    qp_tap_ok(strlen(s) == QP_DIGEST_MAX_LEN,
              apr_psprintf(pool, "and is %d characters, QP_DIGEST_MAX_LEN",
                           (int)strlen(s)));
    /* the bound for every n: gaps add up to at most 2^14 - n, and
     * (sum of gaps) >> k bounds the one-bits */
    for (n = 0; n <= QP_DIGEST_MAX; ++n) {
        int best = 1 << 30;
        for (k = 0; k < QP_DIGEST_BITS; ++k) {
            int bits = 12 + n * (1 + k) + (((1 << QP_DIGEST_BITS) - n) >> k);
            if (bits < best) {
                best = bits;
            }
        }
        if (1 + (best + 5) / 6 > worst) {
            worst = 1 + (best + 5) / 6;
        }
    }
    qp_tap_ok(worst == QP_DIGEST_MAX_LEN,
              apr_psprintf(pool, "no set of any size encodes to more than "
                           "%d characters", worst));
}

static void test_measured_sizes(void)
{
    static const int sizes[] = { 1, 32, 128 };
    unsigned i;
    int r;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
        apr_size_t min = (apr_size_t)-1, max = 0, sum = 0, len;
        int runs = 2000;
        for (r = 0; r < runs; ++r) {
            apr_pool_t *p;
            apr_pool_create(&p, pool);
            len = strlen(qp_digest_encode(p, random_set(p, sizes[i], NULL)));
            min = len < min ? len : min;
            max = len > max ? len : max;
            sum += len;
            apr_pool_destroy(p);
        }
        printf("# %d entries: %d to %d characters, %.1f on average "
               "(%d random sets)\n", sizes[i], (int)min, (int)max,
               (double)sum / runs, runs);
        qp_tap_ok(max <= QP_DIGEST_MAX_LEN,
                  apr_psprintf(pool, "%d entries: at most %d characters, "
                               "within QP_DIGEST_MAX_LEN", sizes[i], (int)max));
    }
}

/* 20 full sets, 10,000 URLs never added looked up in each. The documented
 * bound is 128 / 2^14 per lookup; the measure may exceed it by chance, so
 * the test allows 4 standard deviations (about 0.09 percentage points at
 * 200,000 lookups) before it calls the bound wrong. */
static void test_false_positives(void)
{
    const int sets = 20, lookups = 10000;
    double bound = (double)QP_DIGEST_MAX / (1 << QP_DIGEST_BITS), rate, var;
    long hits = 0, total = 0;
    int s, i;

    for (s = 0; s < sets; ++s) {
        apr_pool_t *p;
        qp_digest *d;

        apr_pool_create(&p, pool);
        d = random_set(p, QP_DIGEST_MAX, NULL);
        for (i = 0; i < lookups; ++i) {
            /* a different shape from random_url: surely never added */
            const char *u = apr_psprintf(p, "/other/%d/%d.css", s, i);
            hits += qp_digest_contains(d, u);
            ++total;
        }
        apr_pool_destroy(p);
    }
    rate = (double)hits / total;
    var = bound * (1 - bound) / total;      /* 4 sigma: 16 var, squared */
    printf("# false positives at %d entries: %ld of %ld lookups = %.3f%% "
           "(documented bound %.3f%%)\n", QP_DIGEST_MAX, hits, total,
           rate * 100, bound * 100);
    qp_tap_ok(rate <= bound || (rate - bound) * (rate - bound) <= 16 * var,
              apr_psprintf(pool, "the measured false-positive rate %.3f%% is "
                           "within the bound %.3f%%", rate * 100, bound * 100));
    qp_tap_ok(rate >= bound || (bound - rate) * (bound - rate) <= 16 * var,
              "and near it: the hash spreads the URLs over the whole range");
}

static void test_cookie_value(void)
{
    static const struct {
        const char *header, *name, *want;
        const char *what;
    } cases[] = {
        { "qp=abc", "qp", "abc", "the only cookie" },
        { "qp=abc; a=1; b=2", "qp", "abc", "the first cookie" },
        { "a=1; qp=abc; b=2", "qp", "abc", "a cookie in the middle" },
        { "a=1; b=2; qp=abc", "qp", "abc", "the last cookie" },
        { "xqp=1; qp=abc", "qp", "abc", "a name that ends with it is another cookie" },
        { "qpx=1; qp=abc", "qp", "abc", "a name that starts with it is another cookie" },
        { "xqp=1; qpx=2", "qp", NULL, "only longer names: none" },
        { "a=qp=1; qp=abc", "qp", "abc", "a value holding \"qp=\" is not the cookie" },
        { "a=1;qp=abc;b=2", "qp", "abc", "no space after ';'" },
        { "a=1 ;  qp = abc  ; b=2", "qp", "abc", "spaces around the name and value" },
        { "a=1;\tqp=abc\t", "qp", "abc", "tabs" },
        { "qp=\"abc\"", "qp", "abc", "a quoted value, without its quotes" },
        { "qp= \"abc\" ; b=2", "qp", "abc", "a quoted value with spaces around" },
        { "qp=\"", "qp", "\"", "a lone quote is the value" },
        { "qp=\"\"", "qp", "", "an empty quoted value" },
        { "a=1; qp=; b=2", "qp", "", "an empty value" },
        { "a=1; qp=", "qp", "", "an empty value at the end" },
        { "a=1; b=2", "qp", NULL, "a missing cookie" },
        { "", "qp", NULL, "an empty header" },
        { "qp; a=1", "qp", NULL, "a name without '=' is no cookie" },
        { "qp=first; qp=second", "qp", "first", "the first of two wins" },
        { "QP=abc", "qp", NULL, "names are case-sensitive" },
        { ";;; qp=abc;;", "qp", "abc", "empty pairs are skipped" },
        { "a=1; qp=abc", "", NULL, "an empty name finds nothing" },
        { "=abc", "", NULL, "not even a pair without a name" },
        { NULL, NULL, NULL, NULL }
    };
    apr_size_t len = 99;
    const char *v;
    int i;

    for (i = 0; cases[i].header; ++i) {
        v = qp_cookie_value(cases[i].header, cases[i].name, &len);
        qp_tap_is_str(v ? apr_pstrmemdup(pool, v, len) : NULL, cases[i].want,
                      apr_psprintf(pool, "cookie value: %s", cases[i].what));
    }
    len = 99;
    qp_tap_ok(qp_cookie_value(NULL, "qp", &len) == NULL && len == 0,
              "no Cookie header: NULL and a length of 0");
}

static void test_cookie_name(void)
{
    static const char *const good[] = {
        "qp", "qp_pushed", "__Host-qp", "a.b-c!#$%&'*+^`|~", "Z9", NULL
    };
    static const char *const bad[][2] = {
        { "a b", "'a b' is not a valid cookie name: it has a space or control "
          "character at offset 1 (expected a token of letters, digits and "
          "!#$%&'*+-.^_`|~, such as qp_pushed)" },
        { "a=b", "'a=b' is not a valid cookie name: it has the separator '=' "
          "at offset 1 (expected a token of letters, digits and "
          "!#$%&'*+-.^_`|~, such as qp_pushed)" },
        { "qp;", "'qp;' is not a valid cookie name: it has the separator ';' "
          "at offset 2 (expected a token of letters, digits and "
          "!#$%&'*+-.^_`|~, such as qp_pushed)" },
        { "caf\xc3\xa9", "'caf\xc3\xa9' is not a valid cookie name: it has a "
          "non-ASCII character at offset 3 (expected a token of letters, "
          "digits and !#$%&'*+-.^_`|~, such as qp_pushed)" },
        { "", "an empty cookie name (expected a token such as qp_pushed)" },
        { NULL, NULL }
    };
    static const char seps[] = "()<>@,;:\\\"/[]?={} \t\x01\x7f";
    int i, all = 1;

    for (i = 0; good[i]; ++i) {
        qp_tap_is_str(qp_cookie_name_check(pool, good[i]), NULL,
                      apr_psprintf(pool, "cookie name %s is accepted", good[i]));
    }
    for (i = 0; bad[i][0]; ++i) {
        qp_tap_is_str(qp_cookie_name_check(pool, bad[i][0]), bad[i][1],
                      apr_psprintf(pool, "cookie name '%s' is refused", bad[i][0]));
    }
    for (i = 0; seps[i]; ++i) {
        char name[4] = { 'a', seps[i], 'b', '\0' };
        if (!qp_cookie_name_check(pool, name)) {
            all = 0;
        }
    }
    qp_tap_ok(all, "every separator, space and control character is refused");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_empty_and_golden();
    test_round_trips();
    test_canonical();
    test_restart();
    test_decode_refuses();
    test_worst_case_size();
    test_measured_sizes();
    test_false_positives();
    test_cookie_value();
    test_cookie_name();
    apr_pool_destroy(pool);
    apr_terminate();
    return qp_tap_done();
}
