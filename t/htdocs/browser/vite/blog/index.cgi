#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Vite's built blog.html after 300 ms (../page.cgi), where the 103 comes from
# QuartPushResource @vite:blog.html. mod_cgid runs a script in its own directory.
exec ../page.cgi blog.html
