#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The user pages' front controller: FallbackResource sends /user/<id> here.
# The route /user/<int:id> (conf/demo/user.routes) announced profile.js
# before this runs; a non-numeric id matches no route, and is a 404 here.
path=${REQUEST_URI%%\?*}
id=${path#/user/}

case $id in
""|*[!0-9]*) status="404 Not Found"; title="No such user" ;;
*)           status="200 OK";        title="User $id" ;;
esac
printf 'Status: %s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n' "$status"
cat <<HTML
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>$title - mod_quartpush demo</title>
  <link rel="stylesheet" href="/static/css/site.css">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="/blog/">Blog</a> <a href="/user/42">User 42</a> <a href="/gallery/">Gallery</a> <a href="/slow/">Slow page</a> <a href="/quartpush-status">Status</a></nav>
  <h1>$title</h1>
  <p>This page's URL matched the route <code>/user/&lt;int:id&gt;</code> of
     <code>conf/demo/user.routes</code>, which announces
     <code>/static/js/profile.js</code> with <code>critical</code>. Its
     103 also carries <code>rel=preconnect</code> for
     <code>https://avatars.example.net</code>
     (<code>QuartPushPreconnect</code>).</p>
  <p id="profile">profile.js has not run.</p>
  <p id="status">app.js has not run.</p>
  <script src="/static/js/app.js"></script>
  <script src="/static/js/profile.js"></script>
</body>
</html>
HTML
