/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration text as JSON strings, for jansson. Pure APR and jansson. */
#ifndef QP_JSON_H
#define QP_JSON_H

#include <apr.h>
#include <jansson.h>

/* s as a JSON string (a new reference). jansson takes only valid UTF-8,
 * but configuration text (a route pattern, a file name, a ServerName) is
 * bytes: valid UTF-8 is kept as the characters it encodes, and each byte
 * that is not part of a valid sequence (overlong, truncated, a surrogate,
 * 0x80 to 0xff alone) becomes the character of the same number, U+0080 to
 * U+00FF, as ISO-8859-1 reads it. NULL becomes JSON null. NULL only when
 * memory runs out. */
json_t *qp_json_string(const char *s);

#endif /* QP_JSON_H */
