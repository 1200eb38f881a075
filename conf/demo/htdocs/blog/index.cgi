#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The blog's front controller. FallbackResource sends here every URL under
# /blog/ that is not a file, as an app's router would: /blog/ lists the
# posts, /blog/<slug> shows posts/<slug>.html (its first line is the title).
# mod_quartpush has already announced the route's resources when this runs.
posts=$(dirname "$SCRIPT_FILENAME")/posts
path=${REQUEST_URI%%\?*}
slug=${path#/blog/}

# page_top STATUS TITLE: the response headers and the top of the page
page_top() {
    printf 'Status: %s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n' "$1"
    cat <<HTML
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>$2 - mod_quartpush demo</title>
  <link rel="stylesheet" href="/static/css/site.css">
  <link rel="stylesheet" href="/static/css/blog.css">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="/blog/">Blog</a> <a href="/user/42">User 42</a> <a href="/gallery/">Gallery</a> <a href="/slow/">Slow page</a> <a href="/quartpush-status">Status</a></nav>
HTML
}
page_bottom() {
    printf '  <p id="status">app.js has not run.</p>\n'
    printf '  <script src="/static/js/app.js"></script>\n</body>\n</html>\n'
}

case $slug in
"")
    page_top "200 OK" "Blog"
    printf '  <h1>Blog</h1>\n  <ul>\n'
    for f in "$posts"/*.html; do
        printf '    <li><a href="/blog/%s">%s</a></li>\n' \
            "$(basename "$f" .html)" "$(sed -n 1p "$f")"
    done
    printf '  </ul>\n'
    ;;
*[!a-z0-9-]*)
    page_top "404 Not Found" "Not found"
    printf '  <h1>No such post</h1>\n'
    ;;
*)
    if [ ! -f "$posts/$slug.html" ]; then
        page_top "404 Not Found" "Not found"
        printf '  <h1>No such post</h1>\n'
    else
        title=$(sed -n 1p "$posts/$slug.html")
        page_top "200 OK" "$title"
        printf '  <article>\n    <h1>%s</h1>\n' "$title"
        printf '    <img src="/img/blog/%s.svg" alt="">\n' "$slug"
        sed 1d "$posts/$slug.html"
        printf '  </article>\n'
    fi
    ;;
esac
page_bottom
