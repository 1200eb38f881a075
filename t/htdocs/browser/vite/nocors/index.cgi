#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Vite's built index.html after 300 ms (../page.cgi), where the 103 names
# the same files without crossorigin, as a backend helper's tags would:
# they do not match the page's crossorigin tags. mod_cgid runs a script in
# its own directory.
exec ../page.cgi index.html
