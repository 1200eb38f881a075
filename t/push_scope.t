# SPDX-License-Identifier: Apache-2.0
# A child scope adds its QuartPushResource list to its parent's; a URL
# declared in both is pushed once. .htaccess works with AllowOverride FileInfo.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 3;

for my $vhost (h2_transports()) {
    is_deeply(paths_of(client_for($vhost)->get('/scoped/')),
             ['/static/css/site.css'], "$vhost: the parent scope pushes its list");
    is_deeply(paths_of(client_for($vhost)->get('/scoped/child/')),
             ['/static/css/site.css', '/static/js/app.js'],
             "$vhost: the child adds to its parent, and a URL declared twice is pushed once");
    is_deeply(paths_of(client_for($vhost)->get('/htaccess/')),
             ['/static/js/app.js'], "$vhost: QuartPushResource in .htaccess");
}
