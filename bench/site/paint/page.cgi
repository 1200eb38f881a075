#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The paint-time page of bench/paint-times, as a backend serves it: 300 ms
# of work, then the HTML that Vite built (build/index.html, from
# bench/paint-app). Every configuration runs this same CGI; only the hints
# differ. The HTML is never cached (a fresh page at every visit); its files,
# whose names change with their content, are cached for a year (the
# httpd.conf of bench/paint-times).
sleep 0.3
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
exec cat "$(dirname "$0")/build/index.html"
