/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_json.c: what the status page's JSON output
 * writes for configuration text of any content. Each string is checked as
 * jansson writes it for the status page (JSON_ENSURE_ASCII), and read back:
 * the output is valid JSON, and reads as the characters expected. */
#include <stdlib.h>

#include "qp_json.h"
#include "qp_tap.h"

#define QP_JSON_FLAGS (JSON_ENCODE_ANY | JSON_ENSURE_ASCII)

/* s as the status page writes it (want: the JSON text), and read back by
 * jansson as the UTF-8 text back (NULL: JSON null) */
static void qp_json_is(const char *s, const char *want,
                       const char *back, const char *what)
{
    json_t *v = qp_json_string(s), *again;
    char *text = v ? json_dumps(v, QP_JSON_FLAGS) : NULL;
    json_error_t err;

    qp_tap_is_str(text, want, what);
    again = text ? json_loads(text, JSON_DECODE_ANY, &err) : NULL;
    qp_tap_ok(again && (back ? json_is_string(again)
                               && !strcmp(json_string_value(again), back)
                             : json_is_null(again)),
              "... valid JSON, read back as expected");
    json_decref(again);
    free(text);
    json_decref(v);
}

int main(void)
{
    qp_json_is(NULL, "null", NULL, "NULL is null");
    qp_json_is("", "\"\"", "", "the empty string");
    qp_json_is("/blog/<slug>", "\"/blog/<slug>\"", "/blog/<slug>",
               "a route pattern as it is");
    qp_json_is("a\"b\\c", "\"a\\\"b\\\\c\"", "a\"b\\c",
               "quote and backslash escaped");
    qp_json_is("a\nb\rc\td", "\"a\\nb\\rc\\td\"", "a\nb\rc\td",
               "newline, return and tab");
    /* JSON (RFC 8259) escapes the control characters below 0x20; DEL is
     * a character like another, which jansson writes as it is */
    qp_json_is("\x01\x1f\x7f", "\"\\u0001\\u001F\x7f\"", "\x01\x1f\x7f",
               "other control characters as \\u00XX, DEL as it is");
    qp_json_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
               "\"caf\\u00E9 \\u20AC \\uD83D\\uDE00\"",
               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
               "valid UTF-8 is kept, in ASCII escapes");
    qp_json_is("\xc0\xae\xff\xe2\x82",
               "\"\\u00C0\\u00AE\\u00FF\\u00E2\\u0082\"",
               "\xc3\x80\xc2\xae\xc3\xbf\xc3\xa2\xc2\x82",
               "overlong, invalid and truncated UTF-8 read byte by byte, "
               "as ISO-8859-1");
    qp_json_is("\xed\xa0\x80", "\"\\u00ED\\u00A0\\u0080\"",
               "\xc3\xad\xc2\xa0\xc2\x80",
               "a UTF-16 surrogate is not valid UTF-8");
    qp_json_is("/caf\xe9/caf\xc3\xa9/\xf4\x90\x80\x80",
               "\"/caf\\u00E9/caf\\u00E9/\\u00F4\\u0090\\u0080\\u0080\"",
               "/caf\xc3\xa9/caf\xc3\xa9/\xc3\xb4\xc2\x90\xc2\x80\xc2\x80",
               "invalid bytes among valid UTF-8, and above U+10FFFF");
    return qp_tap_done();
}
