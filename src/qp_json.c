/* SPDX-License-Identifier: Apache-2.0 */
/* JSON strings for the status page. Configuration text (route patterns,
 * file names, conditions) ends up in the output, so it is escaped here
 * whatever it holds.
 */
#include <string.h>

#include <apr_strings.h>

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

const char *qp_json_str(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    char *out, *o;

    if (!s) {
        return "null";
    }
    /* at worst every byte becomes \u00XX */
    o = out = apr_palloc(p, strlen(s) * 6 + 3);
    *o++ = '"';
    while (*u) {
        apr_size_t n = qp_utf8_len(u);

        if (*u == '"' || *u == '\\') {
            *o++ = '\\';
            *o++ = (char)*u++;
        }
        else if (*u == '\n' || *u == '\r' || *u == '\t') {
            *o++ = '\\';
            *o++ = *u == '\n' ? 'n' : *u == '\r' ? 'r' : 't';
            ++u;
        }
        else if (*u < 0x20 || *u == 0x7f || n == 0) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[*u >> 4];
            o[5] = hex[*u & 15];
            o += 6;
            ++u;
        }
        else {
            memcpy(o, u, n);
            o += n;
            u += n;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}
