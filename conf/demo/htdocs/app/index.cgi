#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The page built by Vite, as a backend serves it: 500 ms of work, then the
# HTML that Vite built (build/index.html, from demo/vite-app). Its 103
# Early Hints went out before this script started, with the files that the
# build's manifest (build/.vite/manifest.json) lists for that page.
sleep 0.5
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
exec cat "$(dirname "$0")/build/index.html"
