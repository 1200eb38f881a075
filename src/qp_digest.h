/* SPDX-License-Identifier: Apache-2.0 */
/* The cookie digest of QuartPushCookie: which resources mod_quartpush has
 * already pushed or hinted to a client, kept by the client in one small
 * cookie (the idea of h2o's "casper"), so that a repeat visit does not get
 * them again. Pure APR code.
 *
 * The set. Each URL (its path and query, the bytes as given) hashes to a
 * value in the fixed range [0, 2^QP_DIGEST_BITS): FNV-1a 64 of the bytes,
 * then the fmix64 finalizer of MurmurHash3 (FNV's low bits are poorly
 * mixed), of which the top QP_DIGEST_BITS bits are kept. The hash is part
 * of the format and must never change without a new version character. It
 * has no secret on purpose: a forged cookie can only make the server skip
 * pushes for the client that sent it, which it could refuse anyway.
 * Because the range is fixed, URLs are added to a decoded set without
 * knowing the URLs that made it.
 *
 * False positives. QP_DIGEST_BITS = log2(QP_DIGEST_MAX) + 7, so with n
 * distinct values a URL never added is reported as present with
 * probability n / 2^14: at most 128 / 16384 = 0.78% at full size, 0.2% at
 * 32 entries. Such a URL is then neither pushed nor hinted to that client
 * (the page still loads it itself); that is the whole cost.
 *
 * The bound. The set holds at most QP_DIGEST_MAX values; adding to a full
 * set empties it first, so the cookie never grows beyond
 * QP_DIGEST_MAX_LEN characters, and a client simply gets its pushes again
 * after 128 distinct resources.
 *
 * The encoding, version '1':
 *     "1" then a bit stream written 6 bits per character, most significant
 *     bit first, in the base64url alphabet (A-Z a-z 0-9 - _), no padding:
 *       n   8 bits   number of values, 0..QP_DIGEST_MAX
 *       k   4 bits   Rice parameter, 0..QP_DIGEST_BITS - 1
 *       n gaps, Golomb-Rice coded: for the sorted values v[0] < v[1] < ...,
 *       gap[0] = v[0] and gap[i] = v[i] - v[i-1] - 1, each written as
 *       (gap >> k) one-bits, a zero-bit, then the k low bits of gap
 *     then zero-bits up to the end of the last character.
 *   The "- 1" makes unsorted or duplicate values impossible to write. k is
 *   the one that gives the fewest bits for these values (the smallest such
 *   k on a tie), so every set has exactly one encoding; the decoder refuses
 *   anything else (another k, a value beyond the range, non-zero padding,
 *   trailing characters), and a decoded cookie re-encodes to the same text.
 *   Sizes, measured over 2,000 sets of random URLs each (the unit test
 *   prints them): 3 characters empty, 4 to 6 with one entry, 57 to 60 at 32
 *   entries, 182 to 187 at 128 (185 on average). Never more than
 *   QP_DIGEST_MAX_LEN = 195: 128 gaps add up to less than 2^14, so k = 7
 *   takes at most 128 * 8 + 127 bits, 1,163 with the header, 194
 *   characters and the version; some sets reach it.
 */
#ifndef QP_DIGEST_H
#define QP_DIGEST_H

#include <apr_pools.h>

#define QP_DIGEST_VERSION   '1'
#define QP_DIGEST_MAX       128     /* entries; adding one more restarts */
#define QP_DIGEST_BITS      14      /* log2(QP_DIGEST_MAX) + 7 */
#define QP_DIGEST_MAX_LEN   195     /* characters of the longest encoding */

typedef struct qp_digest qp_digest;

/* A new, empty set. */
qp_digest *qp_digest_create(apr_pool_t *p);

/* The set a cookie value holds, or NULL when the value is anything but an
 * encoding this code would write: malformed, truncated, forged, longer than
 * QP_DIGEST_MAX_LEN, non-canonical (trailing characters or bits, a k other
 * than the best one), n above QP_DIGEST_MAX, a value out of range. NULL is
 * not an error for the caller: it starts again from an empty set. Reads at
 * most len bytes of value (which need not be NUL-terminated) and allocates
 * one fixed-size set whatever the input. */
qp_digest *qp_digest_decode(apr_pool_t *p, const char *value, apr_size_t len);

/* 1 when url (NUL-terminated) may have been added, 0 when it surely was
 * not: see the false-positive rate above. */
int qp_digest_contains(const qp_digest *d, const char *url);

/* Adds url; returns 1 when the set changed, 0 when it already held url's
 * value. When the set already holds QP_DIGEST_MAX values it restarts: it is
 * emptied, then url is added, so the cookie never grows beyond the bound. */
int qp_digest_add(qp_digest *d, const char *url);

/* The number of distinct values in the set (two URLs may share one). */
int qp_digest_count(const qp_digest *d);

/* The cookie value for d, from pool p: at most QP_DIGEST_MAX_LEN characters
 * of A-Z a-z 0-9 - _, the same for the same set. */
const char *qp_digest_encode(apr_pool_t *p, const qp_digest *d);

/* The value of the cookie called name in a Cookie header value such as
 * "a=1; qp=xyz; b=2", or NULL when there is none; *len is its length (0 for
 * an empty value). The name must match exactly ("xqp" or "qp2" is not
 * "qp"), spaces and tabs around names and values are ignored, a value in
 * double quotes (RFC 6265) is returned without them, and a pair without
 * '=' is skipped. With the name twice, the first one wins: browsers send
 * the cookie of the more specific path first. The value points into
 * header, which must be NUL-terminated. */
const char *qp_cookie_value(const char *header, const char *name,
                            apr_size_t *len);

/* NULL when name may be a cookie name (an RFC 6265 token: visible ASCII
 * without separators), otherwise why not, quoting it, from pool p. */
const char *qp_cookie_name_check(apr_pool_t *p, const char *name);

#endif /* QP_DIGEST_H */
