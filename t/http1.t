# SPDX-License-Identifier: Apache-2.0
# HTTP/1.x has no push: mod_quartpush sends nothing there by default,
# neither a 103 nor a Link header, the same as Quart ignoring
# make_push_promise (QuartPushEarlyHints h1, in t/early_hints.t, is the
# only way to a 103 over HTTP/1.1). The exchange is read as raw bytes, so
# that a 103 is seen whatever a client's parser would make of it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 4;

for my $vhost ('h1tls', 'h2c') {
    my $path = "/push/index.html?h1=$vhost";
    my $port = Apache::Test::config()->{vhosts}{$vhost}{port};
    # (a browser's page load: a navigation, the request that would get
    # Early Hints if anything did)
    my $res = raw_http1($vhost, "GET $path HTTP/1.1\r\nHost: localhost:$port\r\n"
                                . NAVIGATION_RAW . "Connection: close\r\n\r\n");
    my @blocks = @{ $res->{blocks} };
    my $final = $blocks[-1] || {};
    is($final->{line} // $res->{error}, 'HTTP/1.1 200 OK',
       "HTTP/1.1 on $vhost: the page is served");
    ok($res->{bytes} =~ m{\AHTTP/1\.1 200 },
       "HTTP/1.1 on $vhost: the answer's first bytes are its 200: no 103 (nor any 1xx) before it")
        or diag 'the answer began: ' . join ' | ', map { $_->{line} } @blocks;
    is_deeply([ grep { $_->[0] eq 'link' } @{ $final->{header_list} || [] } ], [],
              "HTTP/1.1 on $vhost: no Link header");
    like quartpush_log_for($path), qr/ quartpush=- hints=- /,
         "HTTP/1.1 on $vhost: both notes are empty: nothing pushed, nothing hinted";
}
