/* SPDX-License-Identifier: Apache-2.0 */
/* The cookie digest of QuartPushCookie (format in qp_digest.h). The decoder
 * reads what any client sends, so it works on fixed-size arrays only and
 * checks every count against the bits that are really there: a cookie is
 * accepted only when it is exactly what qp_digest_encode would write.
 */
#include <string.h>

#include <apr_strings.h>

#include "qp_digest.h"

#define QP_DIGEST_RANGE     (1u << QP_DIGEST_BITS)
#define QP_DIGEST_CHARS     (QP_DIGEST_MAX_LEN - 1)     /* after the version */
#define QP_DIGEST_HDR_BITS  12                          /* n (8) and k (4) */

struct qp_digest {
    int n;
    apr_uint16_t v[QP_DIGEST_MAX];  /* sorted, distinct, < QP_DIGEST_RANGE */
};

static const char qp_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* FNV-1a 64, then fmix64 so that every output bit depends on every input
 * bit; the top bits are the value. Part of the format: never change it. */
static apr_uint32_t qp_digest_hash(const char *url)
{
    apr_uint64_t h = APR_UINT64_C(0xcbf29ce484222325);
    const unsigned char *s;

    for (s = (const unsigned char *)url; *s; ++s) {
        h ^= *s;
        h *= APR_UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= APR_UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= APR_UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (apr_uint32_t)(h >> (64 - QP_DIGEST_BITS));
}

/* Index of the first value >= x. */
static int qp_digest_lower(const qp_digest *d, apr_uint32_t x)
{
    int lo = 0, hi = d->n;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (d->v[mid] < x) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

qp_digest *qp_digest_create(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(qp_digest));
}

int qp_digest_count(const qp_digest *d)
{
    return d->n;
}

int qp_digest_contains(const qp_digest *d, const char *url)
{
    apr_uint32_t x = qp_digest_hash(url);
    int i = qp_digest_lower(d, x);

    return i < d->n && d->v[i] == x;
}

int qp_digest_add(qp_digest *d, const char *url)
{
    apr_uint32_t x = qp_digest_hash(url);
    int i = qp_digest_lower(d, x);

    if (i < d->n && d->v[i] == x) {
        return 0;
    }
    if (d->n == QP_DIGEST_MAX) {
        d->n = 0;       /* restart rather than grow: see qp_digest.h */
        i = 0;
    }
    memmove(d->v + i + 1, d->v + i, (apr_size_t)(d->n - i) * sizeof(d->v[0]));
    d->v[i] = (apr_uint16_t)x;
    d->n += 1;
    return 1;
}

/* Bits of the gaps of d with Rice parameter k. */
static apr_uint32_t qp_digest_gap_bits(const qp_digest *d, int k)
{
    apr_uint32_t bits = 0, prev = 0;
    int i;

    for (i = 0; i < d->n; ++i) {
        apr_uint32_t gap = d->v[i] - prev;
        bits += (gap >> k) + 1 + (apr_uint32_t)k;
        prev = d->v[i] + 1u;
    }
    return bits;
}

/* The k with the fewest bits, the smallest on a tie: the canonical one. */
static int qp_digest_best_k(const qp_digest *d, apr_uint32_t *pbits)
{
    apr_uint32_t best = qp_digest_gap_bits(d, 0), bits;
    int k, best_k = 0;

    for (k = 1; k < QP_DIGEST_BITS; ++k) {
        bits = qp_digest_gap_bits(d, k);
        if (bits < best) {
            best = bits;
            best_k = k;
        }
    }
    *pbits = best;
    return best_k;
}

/* A bit stream of 6-bit characters (values 0..63), most significant first. */
typedef struct {
    unsigned char c[QP_DIGEST_CHARS];
    apr_uint32_t pos;       /* in bits */
    apr_uint32_t end;       /* in bits */
} qp_bits;

static void qp_bits_put(qp_bits *b, apr_uint32_t value, int nbits)
{
    while (nbits-- > 0) {
        if ((value >> nbits) & 1u) {
            b->c[b->pos / 6] |= (unsigned char)(0x20u >> (b->pos % 6));
        }
        b->pos += 1;
    }
}

/* -1 past the end */
static int qp_bits_get1(qp_bits *b)
{
    int bit;

    if (b->pos >= b->end) {
        return -1;
    }
    bit = (b->c[b->pos / 6] >> (5 - b->pos % 6)) & 1;
    b->pos += 1;
    return bit;
}

static int qp_bits_get(qp_bits *b, int nbits, apr_uint32_t *value)
{
    apr_uint32_t v = 0;

    if (b->end - b->pos < (apr_uint32_t)nbits) {
        return 0;
    }
    while (nbits-- > 0) {
        v = (v << 1) | (apr_uint32_t)qp_bits_get1(b);
    }
    *value = v;
    return 1;
}

const char *qp_digest_encode(apr_pool_t *p, const qp_digest *d)
{
    qp_bits b;
    apr_uint32_t bits, prev = 0, nchars, i;
    int k = qp_digest_best_k(d, &bits), j;
    char *out;

    memset(&b, 0, sizeof(b));
    nchars = (QP_DIGEST_HDR_BITS + bits + 5) / 6;   /* <= QP_DIGEST_CHARS */
    qp_bits_put(&b, (apr_uint32_t)d->n, 8);
    qp_bits_put(&b, (apr_uint32_t)k, 4);
    for (j = 0; j < d->n; ++j) {
        apr_uint32_t gap = d->v[j] - prev, q;
        for (q = gap >> k; q > 0; --q) {
            qp_bits_put(&b, 1, 1);
        }
        qp_bits_put(&b, 0, 1);
        qp_bits_put(&b, gap, k);
        prev = d->v[j] + 1u;
    }
    out = apr_palloc(p, nchars + 2);
    out[0] = QP_DIGEST_VERSION;
    for (i = 0; i < nchars; ++i) {
        out[i + 1] = qp_b64url[b.c[i]];
    }
    out[nchars + 1] = '\0';
    return out;
}

static int qp_b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

qp_digest *qp_digest_decode(apr_pool_t *p, const char *value, apr_size_t len)
{
    qp_digest d;
    qp_bits b;
    apr_uint32_t n, k, prev = 0, canonical_bits;
    apr_size_t i;
    int best_k;

    /* the length first: everything after works within fixed arrays */
    if (!value || len < 2 || len > QP_DIGEST_MAX_LEN
        || value[0] != QP_DIGEST_VERSION) {
        return NULL;
    }
    memset(&b, 0, sizeof(b));
    for (i = 1; i < len; ++i) {
        int c = qp_b64url_value((unsigned char)value[i]);
        if (c < 0) {
            return NULL;
        }
        b.c[i - 1] = (unsigned char)c;
    }
    b.end = (apr_uint32_t)(len - 1) * 6;

    if (!qp_bits_get(&b, 8, &n) || !qp_bits_get(&b, 4, &k)
        || n > QP_DIGEST_MAX || k >= QP_DIGEST_BITS) {
        return NULL;
    }
    d.n = 0;
    while ((apr_uint32_t)d.n < n) {
        apr_uint32_t q = 0, r, x;
        int bit;

        /* the unary quotient ends within the input, and its value within
         * the range: each one-bit adds 2^k, so at most 2^14 of them */
        while ((bit = qp_bits_get1(&b)) == 1) {
            if (++q > (QP_DIGEST_RANGE >> k)) {
                return NULL;
            }
        }
        if (bit < 0 || !qp_bits_get(&b, (int)k, &r)) {
            return NULL;
        }
        x = prev + ((q << k) | r);
        if (x >= QP_DIGEST_RANGE) {
            return NULL;
        }
        d.v[d.n++] = (apr_uint16_t)x;
        prev = x + 1;
    }
    /* canonical: no character beyond the last bit, zero padding bits, the
     * best k; the padding is less than 6 bits, so one read takes it */
    if ((b.pos + 5) / 6 != len - 1) {
        return NULL;
    }
    if (b.pos < b.end) {
        apr_uint32_t pad;
        if (!qp_bits_get(&b, (int)(b.end - b.pos), &pad) || pad != 0) {
            return NULL;
        }
    }
    best_k = qp_digest_best_k(&d, &canonical_bits);
    if ((apr_uint32_t)best_k != k) {
        return NULL;
    }
    return apr_pmemdup(p, &d, sizeof(d));
}

/* Spaces and tabs around cookie names and values (RFC 6265 section 5.2
 * trims them; a strict sender puts one space after each ';'). */
static int qp_is_ows(char c)
{
    return c == ' ' || c == '\t';
}

const char *qp_cookie_value(const char *header, const char *name,
                            apr_size_t *len)
{
    apr_size_t nlen = strlen(name);
    const char *s = header;

    *len = 0;
    if (!header || nlen == 0) {
        return NULL;
    }
    while (*s) {
        const char *pair = s, *end, *eq, *nend, *v, *vend;

        end = pair + strcspn(pair, ";");
        s = *end ? end + 1 : end;
        eq = memchr(pair, '=', (apr_size_t)(end - pair));
        if (!eq) {
            continue;
        }
        while (pair < eq && qp_is_ows(*pair)) {
            ++pair;
        }
        nend = eq;
        while (nend > pair && qp_is_ows(nend[-1])) {
            --nend;
        }
        if ((apr_size_t)(nend - pair) != nlen || memcmp(pair, name, nlen)) {
            continue;
        }
        v = eq + 1;
        vend = end;
        while (v < vend && qp_is_ows(*v)) {
            ++v;
        }
        while (vend > v && qp_is_ows(vend[-1])) {
            --vend;
        }
        if (vend - v >= 2 && v[0] == '"' && vend[-1] == '"') {
            ++v;
            --vend;
        }
        *len = (apr_size_t)(vend - v);
        return v;
    }
    return NULL;
}

/* RFC 6265 cookie-name = token (RFC 2616): visible ASCII but separators. */
static int qp_is_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

const char *qp_cookie_name_check(apr_pool_t *p, const char *name)
{
    const char *s;

    if (!name || !*name) {
        return "an empty cookie name (expected a token such as qp_pushed)";
    }
    for (s = name; *s; ++s) {
        if (!qp_is_token_char((unsigned char)*s)) {
            return apr_psprintf(p, "'%s' is not a valid cookie name: it has "
                                "%s at offset %d (expected a token of letters, "
                                "digits and !#$%%&'*+-.^_`|~, such as "
                                "qp_pushed)", name,
                                (unsigned char)*s <= 0x20 || *s == 0x7f ?
                                    "a space or control character" :
                                (unsigned char)*s >= 0x80 ?
                                    "a non-ASCII character" :
                                    apr_psprintf(p, "the separator '%c'", *s),
                                (int)(s - name));
        }
    }
    return NULL;
}
