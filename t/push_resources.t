# QuartPushResource: an HTTP/2 client that accepts push gets a PUSH_PROMISE
# for every declared resource, before the page's own response headers.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

my @expected = qw(/static/css/site.css /static/js/app.js /fonts/inter.woff2);
my %body = (
    '/static/css/site.css' => qr/font-family/,
    '/static/js/app.js'    => qr/console\.log/,
    '/fonts/inter.woff2'   => qr/wOF2/,
);

plan tests => 2 * 13;

for my $vhost (h2_transports()) {
    for my $path ('/push/', '/push/index.html') {
        my $res = client_for($vhost)->get($path);
        is_deeply($res->{status}, 200, "$vhost $path: the page is served");
        is_deeply(paths_of($res), \@expected,
                 "$vhost $path: one PUSH_PROMISE per resource, in declaration order");
        is_deeply($res->{headers}{link}, undef,
                 "$vhost $path: the final response carries no Link header");
        my $before = grep { $_->{promised_at} <= $res->{headers_at} } @{ $res->{pushes} };
        is_deeply($before, 3,
                 "$vhost $path: every PUSH_PROMISE arrives before the response HEADERS");
        next if $path eq '/push/index.html';
        for my $push (@{ $res->{pushes} }) {
            my $r = $push->{response} || {};
            ok(($r->{status} // 0) == 200 && ($r->{body} // '') =~ $body{$push->{path}},
               "$vhost: the pushed $push->{path} is delivered with its content");
        }
    }
    my $res = client_for($vhost)->get('/static/css/site.css');
    is_deeply(scalar @{ $res->{push_promises} }, 0,
             "$vhost: a URL outside any QuartPushResource scope pushes nothing");
    $res = client_for($vhost)->get('/push/index.html?x=1');
    is_deeply(paths_of($res), \@expected,
             "$vhost: a query string does not change the pushes");
}
