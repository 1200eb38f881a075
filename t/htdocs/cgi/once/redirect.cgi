#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A local redirect: httpd answers with /scoped/child/index.html instead, an
# internal redirect whose new request has rules of its own. The query string
# goes along: the access log's %q is the new request's.
printf 'Location: /scoped/child/index.html?%s\r\n\r\n' "$QUERY_STRING"
