#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# An application that is not an httpd module: its own preload Link header
# makes mod_http2 push, with or without mod_quartpush.
printf 'Content-Type: text/html\r\nLink: </static/js/app.js>; rel=preload; as=script\r\n\r\n'
printf '<script src="/static/js/app.js"></script>\n'
