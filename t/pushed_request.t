# SPDX-License-Identifier: Apache-2.0
# A request that is itself pushed never pushes, even when its URL lies in a
# scope with resources: /self/ pushes /self/a.css, which is under /self/.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 3;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get("/self/index.html?self=$vhost");
    is_deeply(paths_of($res), ['/self/a.css'], "$vhost: the page pushes /self/a.css once");
    is_deeply(($res->{pushes}[0]{response} || {})->{status}, 200,
             "$vhost: the pushed response is delivered");
    like quartpush_log_for('/self/a.css'), qr/ quartpush=- hints=- pushed=PUSHED$/,
         "$vhost: the pushed request announced nothing itself";
}
