/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration text as JSON strings: route patterns, file names and
 * conditions end up in the status page's JSON whatever bytes they hold, and
 * jansson takes only valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include <apr.h>

#include "qp_json.h"

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static apr_size_t qp_utf8_len(const unsigned char *s)
{
    apr_size_t n, i;
    apr_uint32_t cp;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2, cp = s[0] & 0x1f;
    }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3, cp = s[0] & 0x0f;
    }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4, cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    for (i = 1; i < n; ++i) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* no overlong forms, no surrogates, nothing above U+10FFFF */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
        || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

json_t *qp_json_string(const char *s)
{
    const unsigned char *u;
    char *out, *o;
    apr_size_t n;
    json_t *v;

    if (!s) {
        return json_null();
    }
    /* most text is valid UTF-8 (mostly ASCII): jansson takes it as it is */
    u = (const unsigned char *)s;
    while (*u && (n = qp_utf8_len(u)) != 0) {
        u += n;
    }
    if (!*u) {
        return json_string(s);
    }
    /* the valid part as it is, then each byte of 0x80 and above that is
     * not part of a valid sequence in two bytes: at worst twice as long */
    n = (apr_size_t)((const char *)u - s);
    if ((o = out = malloc(strlen(s) * 2 + 1)) == NULL) {
        return NULL;
    }
    memcpy(o, s, n);
    o += n;
    while (*u) {
        n = qp_utf8_len(u);
        if (n) {
            memcpy(o, u, n);
            o += n;
            u += n;
        }
        else {
            *o++ = (char)(0xc0 | (*u >> 6));
            *o++ = (char)(0x80 | (*u & 0x3f));
            ++u;
        }
    }
    *o = '\0';
    v = json_string(out);
    free(out);
    return v;
}
