#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The slow page of bench/early-hints: a handler that works for 300 ms, then
# answers with a page whose head needs /static/site.css and /static/app.js.
# Every configuration runs this same CGI; only the hints differ.
# The inline script at the end of the body runs once the head's CSS and
# (synchronous) JS have loaded. It writes the Resource Timing entries into
# the DOM as JSON, where `chromium --headless --dump-dom` shows them; it
# writes them again at the load event, when the navigation entry is complete.
sleep 0.3
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
cat <<'HTML'
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>mod_quartpush slow page</title>
  <link rel="stylesheet" href="/static/site.css">
  <script src="/static/app.js"></script>
</head>
<body>
  <h1>A page that takes 300 ms to make</h1>
  <p>Its CSS and JS can arrive while the server still works on it, if the
  server says early which ones it needs: as pushes, or as Early Hints.</p>
  <pre id="qp-timings"></pre>
  <script>
  (function () {
    var fields = ["name", "initiatorType", "startTime", "fetchStart",
                  "requestStart", "responseStart", "responseEnd",
                  "firstInterimResponseStart", "finalResponseHeadersStart",
                  "nextHopProtocol"];
    function pick(e) {
      var o = {};
      fields.forEach(function (f) { if (e[f] !== undefined) o[f] = e[f]; });
      return o;
    }
    function dump(when) {
      var nav = performance.getEntriesByType("navigation")[0];
      document.getElementById("qp-timings").textContent = JSON.stringify({
        when: when,
        navigation: nav ? pick(nav) : null,
        resources: performance.getEntriesByType("resource").map(pick)
      });
    }
    dump("script");
    window.addEventListener("load", function () { dump("load"); });
  })();
  </script>
</body>
</html>
HTML
