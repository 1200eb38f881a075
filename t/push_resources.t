# SPDX-License-Identifier: Apache-2.0
# QuartPushResource: an HTTP/2 client that accepts push gets a PUSH_PROMISE
# for every declared resource, before the page's own response headers.
# "Before" is timed against a handler that takes 300 ms (t/htdocs/slow/),
# as t/api.t times the API: the pushes of QuartPushResource and of a route,
# and the 103 of a client that refuses push, must each arrive more than
# 250 ms before the response HEADERS, i.e. while the handler still runs.
# (For a static file, "before the HEADERS" would also hold if the links
# went out on the final response, which mod_http2 pushes from first.)
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

plan tests => 2 * 11 + 2 * 4 + 4;

for my $vhost (h2_transports()) {
    for my $path ('/push/', '/push/index.html') {
        my $res = client_for($vhost)->get($path);
        is_deeply($res->{status}, 200, "$vhost $path: the page is served");
        is_deeply(paths_of($res), \@expected,
                 "$vhost $path: one PUSH_PROMISE per resource, in declaration order");
        is_deeply($res->{headers}{link}, undef,
                 "$vhost $path: the final response carries no Link header");
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

# --- the slow page: /slow/ has two QuartPushResource lines and the route
#     "/slow/ => /static/js/app.js, /img/logo.png"; its CGI takes 300 ms
my @slow = qw(/static/css/site.css /fonts/inter.woff2 /static/js/app.js /img/logo.png);
my $ms = sub { join ', ', map { int($_ * 1000) } @_ };

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get("/slow/?t=$vhost");
    is_deeply(paths_of($res), \@slow,
              "$vhost /slow/: the directive's resources, then the route's, are promised");
    ok(($res->{headers_at} // 0) >= 0.3,
       sprintf("$vhost /slow/: the handler took its 300 ms (HEADERS at %d ms)",
               ($res->{headers_at} // 0) * 1000));
    my @gaps = map { ($res->{headers_at} // 0) - $_->{promised_at} } @{ $res->{pushes} };
    ok(@gaps == 4 && !grep({ $_ <= 0.25 } @gaps),
       sprintf("$vhost /slow/: each PUSH_PROMISE, of a directive or of a route, arrives "
               . "more than 250 ms before the response HEADERS (%s ms)", $ms->(@gaps)));
    ok(!grep({ !$_->{response} || ($_->{response}{status} // 0) != 200 } @{ $res->{pushes} }),
       "$vhost /slow/: every pushed resource is delivered (200)");
}

# a client that refuses push, where mod_http2 forwards the 103 (h2hints)
# (a browser's page load: a navigation)
my $res = client_for('h2hints', accept_push => 0)->get('/slow/?t=hints',
                                                       headers => [ NAVIGATION ]);
my @hints = grep { $_->{status} == 103 } @{ $res->{interim} };
is_deeply([ map { m{^<([^>]*)>} ? $1 : $_ } @{ links_of($hints[0] || {}) } ], \@slow,
          'h2hints /slow/, push refused: one 103 holds the links of the directive and the route')
    or diag scalar(@hints) . ' 103(s): ' . join ' | ', @{ links_of($hints[0] || {}) };
ok(($res->{headers_at} // 0) >= 0.3,
   sprintf('h2hints /slow/: the handler took its 300 ms (HEADERS at %d ms)',
           ($res->{headers_at} // 0) * 1000));
my $gap = @hints ? ($res->{headers_at} // 0) - $hints[0]{time} : 0;
ok(@hints == 1 && $gap > 0.25,
   sprintf('h2hints /slow/: the 103 arrives more than 250 ms before the response HEADERS '
           . '(%s)', @hints ? $ms->($gap) . ' ms' : 'no 103'));
is(scalar @{ $res->{push_promises} }, 0, 'h2hints /slow/: nothing is pushed to it');
