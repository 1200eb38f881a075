#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The pages of t/hints_used_browser.t and t/hints_used_firefox.t: a handler
# that takes 300 ms, then HTML that uses two of the three files its rules
# name (never the third), the way its argument says: plain (a stylesheet
# and a script), cors (the same behind crossorigin), mod (two module
# scripts, which Chromium fetches in CORS mode without credentials, and a
# crossorigin font). Each page also asks for late.dat with a synchronous
# XMLHttpRequest once its HTML is in: hinted without as=, which browsers
# ignore, it is asked for after the final headers, late, while the page
# is still running (its last line comes 0.5 s later).
# $2 is the directory its files are in (the Firefox pages have their own,
# so that the two tests count apart).
sleep 0.3
dir=/browser/used/$2
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
printf '<!doctype html>\n<html><head><meta charset="utf-8"><title>used %s</title>\n' "$1"
case "$1" in
plain)
    printf '<link rel="stylesheet" href="%s/a.css">\n<script src="%s/a.js"></script>\n' "$dir" "$dir" ;;
cors)
    printf '<link rel="stylesheet" crossorigin href="%s/c.css">\n<script crossorigin src="%s/c.js"></script>\n' "$dir" "$dir" ;;
mod)
    printf '<script type="module" crossorigin src="%s/a.js"></script>\n<script type="module" crossorigin src="%s/b.js"></script>\n' "$dir" "$dir"
    printf '<style>@font-face { font-family: QP; src: url(%s/f.woff2) format("woff2"); } body { font-family: QP, sans-serif; }</style>\n' "$dir" ;;
esac
printf '</head><body><p>used %s</p>\n' "$1"
printf '<script>var x = new XMLHttpRequest(); x.open("GET", "%s/late.dat", false); x.send();</script>\n' "$dir"
# the rest comes 0.5 s later: late.dat is asked for while the page is still
# being produced, after its final headers (late only by their stamp)
sleep 0.5
printf '<pre id="timing">QP-TIMING {"navigation":{},"resources":[]} QP-TIMING-END</pre>\n</body></html>\n'
