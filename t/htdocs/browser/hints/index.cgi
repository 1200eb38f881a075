#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The page of t/early_hints_browser.t: a handler that takes 300 ms, so that
# a browser has time to fetch the page's CSS and JS from a 103 Early Hints
# before the HTML arrives. Its last script writes the page's Resource Timing
# entries into the DOM as JSON, for "chromium --headless --dump-dom".
sleep 0.3
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
cat <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>early hints</title>
<link rel="stylesheet" href="/browser/style.css">
<script src="/browser/script.js"></script>
</head><body><p>early hints</p>
<pre id="timing"></pre>
<script>
// A sync script at the end of the body runs after the head's stylesheet
// and sync script have loaded, so their entries are complete here.
(function () {
  var nav = performance.getEntriesByType('navigation')[0];
  var out = {
    // Chromium counts a 103 as the response's start: responseStart is
    // firstInterimResponseStart then, and finalResponseHeadersStart is
    // when the real response (the 200) began.
    navigation: { responseStart: nav.responseStart,
                  firstInterimResponseStart: nav.firstInterimResponseStart,
                  finalResponseHeadersStart: nav.finalResponseHeadersStart,
                  nextHopProtocol: nav.nextHopProtocol },
    scriptRan: !!window.quartpushBrowserScript,
    resources: performance.getEntriesByType('resource').map(function (e) {
      return { name: new URL(e.name).pathname, initiatorType: e.initiatorType,
               startTime: e.startTime, responseEnd: e.responseEnd,
               nextHopProtocol: e.nextHopProtocol,
               deliveryType: e.deliveryType, transferSize: e.transferSize };
    })
  };
  document.getElementById('timing').textContent =
      'QP-TIMING ' + JSON.stringify(out) + ' QP-TIMING-END';
})();
</script>
</body></html>
HTML
