#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# The pages of t/manifest_browser.t: a handler that takes 300 ms, then sends
# Vite's built HTML for the entry named as its argument (index.html or
# blog.html of test/manifest/vite-app/dist, staged by t/TEST.PL under
# htdocs/build). Vite's bytes are kept as they are, tags and crossorigin
# included; one inline script is added before </body>, which writes the
# page's Resource Timing entries into the DOM as JSON for "chromium
# --headless --dump-dom" (the same shape as ../hints/index.cgi writes).
use strict;
use warnings;
use Time::HiRes qw(sleep);

my ($entry) = @ARGV;
$entry = '' unless defined $entry && $entry =~ /^[a-z]+\.html$/;
my $file = "$ENV{DOCUMENT_ROOT}/build/$entry";
open my $fh, '<', $file or do {
    print "Status: 500\r\nContent-Type: text/plain\r\n\r\nno built page $file: $!\n";
    exit;
};
my $html = do { local $/; <$fh> };
close $fh;

# An inline module script runs after the document's other module scripts
# (Vite's entry, which runs only once its imported chunks have) and, like
# every deferred script, only once the stylesheets have loaded: every file
# the page's tags load has its complete Resource Timing entry by then.
my $timing = <<'JS';
<pre id="timing"></pre>
<script type="module">
var nav = performance.getEntriesByType('navigation')[0];
var out = {
  navigation: { responseStart: nav.responseStart,
                firstInterimResponseStart: nav.firstInterimResponseStart,
                finalResponseHeadersStart: nav.finalResponseHeadersStart,
                nextHopProtocol: nav.nextHopProtocol },
  // Vite's entry sets it through the shared and util chunks: "[home]"
  title: document.title,
  resources: performance.getEntriesByType('resource').map(function (e) {
    return { name: new URL(e.name).pathname, initiatorType: e.initiatorType,
             startTime: e.startTime, responseEnd: e.responseEnd,
             nextHopProtocol: e.nextHopProtocol,
             deliveryType: e.deliveryType, transferSize: e.transferSize };
  })
};
document.getElementById('timing').textContent =
    'QP-TIMING ' + JSON.stringify(out) + ' QP-TIMING-END';
</script>
JS
$html =~ s{(?=</body>)}{$timing} or $html .= $timing;

sleep 0.3;
print "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n", $html;
