# SPDX-License-Identifier: Apache-2.0
# QuartPushLimit caps the resources announced for one response; the first
# ones declared are kept.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 + 1;

for my $vhost (h2_transports()) {
    is_deeply(paths_of(client_for($vhost)->get('/limit/')),
             ['/static/css/site.css', '/static/js/app.js'],
             "$vhost: QuartPushLimit 2 pushes the first two of four resources");
}
my $found = 0;
for (1 .. 40) {
    open my $fh, '<', Apache::Test::vars('t_logs') . '/error_log' or last;
    $found = grep { /skipped: 2 over QuartPushLimit 2,/ } <$fh>;
    close $fh;
    last if $found;
    select undef, undef, undef, 0.05;
}
ok $found, 'the limit is reported at LogLevel debug';
