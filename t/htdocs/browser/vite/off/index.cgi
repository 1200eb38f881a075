#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Vite's built index.html after 300 ms (../page.cgi), where the same
# QuartPushResource @vite:index.html is declared with QuartPushEarlyHints
# off: no 103. mod_cgid runs a script in its own directory.
exec ../page.cgi index.html
