# SPDX-License-Identifier: Apache-2.0
# Apps that are not httpd modules (CGI, FastCGI, proxied) push by sending
# their own "Link: <...>; rel=preload" header: mod_http2 turns it into a
# PUSH_PROMISE once the response headers are out. mod_quartpush does not see
# those pushes, so its note does not list them (docs/api.md).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');
plan tests => 2 * 2 + 1;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get('/cgi/preload.cgi?v=' . $vhost);
    is($res->{status}, 200, "$vhost: the CGI answers");
    is_deeply(paths_of($res), ['/static/js/app.js'],
              "$vhost: its own preload Link header is pushed by mod_http2");
}
like(quartpush_log_for('/cgi/preload.cgi?v=h2c'), qr/ quartpush=- /,
     'mod_quartpush does not see pushes an app makes itself: its note is empty');
