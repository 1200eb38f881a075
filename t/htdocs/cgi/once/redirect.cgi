#!/bin/sh
# A local redirect: httpd answers with /scoped/child/index.html instead, an
# internal redirect whose new request has rules of its own.
printf 'Location: /scoped/child/index.html\r\n\r\n'
