# SPDX-License-Identifier: Apache-2.0
# Pushes go out before the handler runs, so the final status is not known.
# mod_quartpush skips the responses that predictably are errors: missing
# files, denied access, error documents. A revalidation is not one: only
# the handler knows whether it is a 304 or, after a deploy, a 200 that
# needs the new files, so it is announced like any request. A handler
# that decides on an error only after that still had its resources pushed:
# that is the documented cost of pushing early (docs/directives.md).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 10;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get('/status/');
    is_deeply(paths_of($res), ['/static/css/site.css'], "$vhost: the page of /status/ pushes");

    $res = client_for($vhost)->get('/status/missing.html');
    is_deeply($res->{status}, 404, "$vhost: a missing file is 404");
    is_deeply(scalar @{ $res->{push_promises} }, 0,
             "$vhost: ... and pushes nothing, not even from its ErrorDocument's scope");
    like $res->{body}, qr/Not found/, "$vhost: ... the ErrorDocument was served";

    $res = client_for($vhost)->get('/status/denied/');
    is_deeply($res->{status}, 403, "$vhost: a denied request is 403");
    is_deeply(scalar @{ $res->{push_promises} }, 0, "$vhost: ... and pushes nothing");

    $res = client_for($vhost)->get('/status/', headers => [ 'if-none-match' => '"x"' ]);
    is_deeply(paths_of($res), ['/static/css/site.css'],
             "$vhost: a request with If-None-Match pushes as without (its answer is not known yet)");
    $res = client_for($vhost)->get('/status/',
        headers => [ 'if-modified-since' => 'Sat, 01 Jan 2000 00:00:00 GMT' ]);
    is_deeply(paths_of($res), ['/static/css/site.css'],
             "$vhost: ... and so does one with If-Modified-Since");

    $res = client_for($vhost)->get('/status/cgi/notfound.cgi');
    is_deeply($res->{status}, 404, "$vhost: a CGI that answers 404 after fixups");
    is_deeply(paths_of($res), ['/static/css/site.css'],
             "$vhost: ... had its resources pushed already (documented limitation)");
}
