#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Vite's built index.html after 300 ms (../page.cgi), hinted as /index/ is,
# but the files it loads come with Cache-Control: no-store (extra.conf.in),
# so the browser cannot keep what it fetched for the hints. mod_cgid runs a
# script in its own directory.
exec ../page.cgi index.html
