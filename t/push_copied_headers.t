# SPDX-License-Identifier: Apache-2.0
# A pushed request carries exactly the copied header set of the request that
# caused it: accept, accept-encoding, accept-language, cache-control and
# user-agent. Cookie and Authorization are never copied. mod_http2 adds one
# header of its own, host, which it derives from the pushed :authority.
#
# mod_http2 makes that copy, not mod_quartpush: the module only puts Link
# values in a 103, and mod_http2 builds each PUSH_PROMISE's headers from the
# request the 103 belongs to. No change to mod_quartpush can make the
# copied-header checks below fail; they stay as end-to-end proof of what a
# client receives (Quart's SERVER_PUSH_HEADERS_TO_COPY), and their messages
# say "(mod_http2's copy)". What mod_quartpush controls is which URLs go
# into which 103: checked at the end, for a page whose URLs come from
# QuartPushResource and from a route (t/api.t does it for the API).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

my %sent = (
    'accept'          => 'text/html,application/xhtml+xml;q=0.9',
    'accept-encoding' => 'gzip, br',
    'accept-language' => 'fr-CH, fr;q=0.9, en;q=0.8',
    'cache-control'   => 'no-cache',
    'user-agent'      => 'quartpush-test/1.0',
    'cookie'          => 'session=secret-cookie',
    'authorization'   => 'Basic c2VjcmV0OnNlY3JldA==',
);
my %copied = map { $_ => $sent{$_} } COPIED_HEADERS;

plan tests => 2 * 5 + 4;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get('/push/', headers => [ %sent ]);
    my @promises = @{ $res->{push_promises} };
    is_deeply(scalar @promises, 3, "$vhost: three resources pushed");
    my %host = map { $_->[1]{host} // '' => 1 } @promises;
    is_deeply([ keys %host ], [ "localhost:" . client_for($vhost)->port ],
              "$vhost: mod_http2's own host header names this server (mod_http2's copy)");
    my $exact = grep {
        my %h = %{ $_->[1] };
        delete $h{host};
        t_is_equal(\%h, \%copied);
    } @promises;
    is($exact, 3,
             "$vhost: every PUSH_PROMISE holds exactly the five copied headers, with the request's values (mod_http2's copy)");
    is(scalar(grep { exists $_->[1]{cookie} } @promises), 0,
             "$vhost: no PUSH_PROMISE carries the Cookie header (mod_http2's copy)");
    is(scalar(grep { exists $_->[1]{authorization} } @promises), 0,
             "$vhost: no PUSH_PROMISE carries the Authorization header (mod_http2's copy)");
}

# --- what mod_quartpush controls: which URL goes into which 103. /r/both/
#     has QuartPushResource site.css and logo.png, and the route
#     "/r/both/ => site.css, app.js": one 103, the directive's links first,
#     then the route's, each URL once; every push is one of those links
#     (h2hints forwards the 103 to this push client too)
my $res = client_for('h2hints')->get('/r/both/');
my @hints = grep { $_->{status} == 103 } @{ $res->{interim} };
is(scalar @hints, 1, 'directive and route resources go out in one 103');
is_deeply(links_of($hints[0] || {}), [
    '</static/css/site.css>; rel=preload; as=style',
    '</img/logo.png>; rel=preload; as=image',
    '</static/js/app.js>; rel=preload; as=script',
], "... whose Link values are the directive's, then the route's, each URL once");
is_deeply(paths_of($res), [qw(/static/css/site.css /img/logo.png /static/js/app.js)],
          '... and the PUSH_PROMISEs are exactly those URLs, in that order');
is_deeply(links_of($res), [], '... and the final response carries no Link header');
