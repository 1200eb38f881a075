#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Vite's built index.html after 300 ms (../page.cgi), where the 103 comes from
# QuartPushResource @vite:index.html. mod_cgid runs a script in its own directory.
exec ../page.cgi index.html
