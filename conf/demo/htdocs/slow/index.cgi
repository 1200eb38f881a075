#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The slow page: a handler that works for 500 ms before it answers, like a
# page that waits for its database. mod_quartpush's 103 Early Hints went out
# before this script started, so a browser fetches the page's CSS, script,
# font and clock during the wait. The script at the end of the page prints
# how each resource was fetched, from the browser's Resource Timing.
sleep 0.5
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
cat <<'HTML'
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Slow page - mod_quartpush demo</title>
  <link rel="stylesheet" href="/static/css/site.css">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="/blog/">Blog</a> <a href="/user/42">User 42</a> <a href="/gallery/">Gallery</a> <a href="/slow/">Slow page</a> <a href="/quartpush-status">Status</a></nav>
  <h1><img src="/img/clock.svg" alt="" width="32" height="32"> A slow page</h1>
  <p>This page took 500 ms to produce. Before its handler started, the
     server sent a <code>103 Early Hints</code> response with a preload link
     for each resource of the page. A browser that acts on it fetches them
     during the wait; their <code>initiatorType</code> is then
     <code>early-hints</code>. Without the hints, they would have been
     fetched only once this HTML arrived, with <code>link</code>,
     <code>script</code>, <code>css</code> or <code>img</code>.</p>
  <p>Chromium acts on Early Hints over HTTP/2, for preloads with
     <code>as=</code>, and only for a certificate it trusts: with
     <code>--ignore-certificate-errors</code> it ignores them.</p>
  <p id="status">app.js has not run.</p>
  <script src="/static/js/app.js"></script>
  <pre id="timing">Resource Timing: needs JavaScript.</pre>
  <p class="note">Resource Timing tells how a resource was fetched, not
     when: Chromium dates a hinted resource from the moment the page used
     it. The access log tells when: each line starts with the time its
     request began, and the page's own line with how long it took.</p>
  <script>
  // Runs once the script above has loaded (the stylesheet too), and again
  // at the load event, when the font and the image are surely in.
  function quartpushTiming() {
    var nav = performance.getEntriesByType("navigation")[0];
    var ms = function (t) { return Math.round(t) + " ms"; };
    var lines = [];
    if (nav.firstInterimResponseStart > 0) {
      lines.push("103 Early Hints at " + ms(nav.firstInterimResponseStart) +
                 ", the page (200) at " + ms(nav.finalResponseHeadersStart) +
                 ", over " + nav.nextHopProtocol);
    } else {
      lines.push("no 103 Early Hints; the page arrived at " +
                 ms(nav.responseStart) + ", over " + nav.nextHopProtocol);
    }
    performance.getEntriesByType("resource").forEach(function (e) {
      lines.push("initiatorType " + (e.initiatorType + "            ").slice(0, 12) +
                 new URL(e.name).pathname);
    });
    document.getElementById("timing").textContent = lines.join("\n");
  }
  quartpushTiming();
  window.addEventListener("load", quartpushTiming);
  </script>
</body>
</html>
HTML
