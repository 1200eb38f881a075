# SPDX-License-Identifier: Apache-2.0
# A request that is itself pushed never pushes, even when its URL lies in a
# scope with resources: /self/ pushes /self/a.css and /self/b.css, both
# under /self/, and each would announce the other (a resource is never
# announced on its own URL, so the scope needs two).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 4;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get("/self/index.html?self=$vhost");
    is_deeply(paths_of($res), ['/self/a.css', '/self/b.css'],
              "$vhost: the page pushes /self/a.css and /self/b.css once each");
    is_deeply([ map { ($_->{response} || {})->{status} } @{ $res->{pushes} } ], [200, 200],
             "$vhost: the pushed responses are delivered");
    for my $css ('/self/a.css', '/self/b.css') {
        like quartpush_log_for($css), qr/ quartpush=- hints=- pushed=PUSHED$/,
             "$vhost: the pushed request for $css announced nothing itself";
    }
}
