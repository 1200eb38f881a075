# SPDX-License-Identifier: Apache-2.0
# A request counts once, however many internal redirects answer it: the
# fixups of each request of the chain decide again, but the counters of
# quartpush-status (and the debug line) count the response, not the
# passes. /redir/page is rewritten to /redir/target.html by a
# per-directory RewriteRule (an internal redirect); /status/missing.html is
# a 404 answered by an ErrorDocument in a scope with rules.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;

plan tests => 12;

# a digest that holds /static/css/site.css and /static/js/app.js
my ($cookie) = map { $_->[1] =~ /^qpd=([^;]*)/ ? $1 : () }
    grep { lc $_->[0] eq 'set-cookie' } @{ client_for('h2tls')->get('/cookie/?redir=0')->{header_list} };

# /redir/page, QuartPushLimit 1: site.css and app.js are in the digest
# (cookie), logo.png is pushed (by the scope and by the route /redir/page),
# inter.woff2 is over the limit. The internal redirect runs all of that
# again on the same URLs.
my $before = status_counters();
my $res = client_for('h2tls')->get('/redir/page?c=1', headers => [ cookie => "qpd=$cookie" ]);
my $d = counters_delta($before, status_counters());
is_deeply(paths_of($res), ['/img/logo.png'], 'the redirected page pushes its one resource');
# (the push of /img/logo.png is a request of its own, which the server's
# routes make count too, as skipped: pushed_request)
is($d->{requests} - $d->{'skipped.pushed_request'}, 1, 'it counts as one request');
is($d->{routes_matched}, 1, '... whose route applied once');
is($d->{'skipped.cookie'}, 2, '... the two resources the client has are skipped once each');
is($d->{'skipped.limit'}, 1, '... the one over QuartPushLimit once');
is($d->{pushes}, 1, '... the one pushed once');

my $log = Apache::Test::vars('t_logs') . '/error_log';
my @lines;
for (1 .. 40) {
    open my $fh, '<', $log or last;
    @lines = grep { m{quartpush:debug.*GET /redir/page: route} } <$fh>;
    last if @lines >= 2;
    sleep 0.05;
}
like($lines[-1] // '', qr{skipped: 1 over QuartPushLimit 1, the client has \(QuartPushCookie\): /static/css/site\.css /static/js/app\.js$},
     'the debug line of the redirect lists each skipped resource once') or diag @lines;

# /redir2/page: the client has every resource, so the first pass sends no
# 103 and the redirect's pass decides again, on the same URLs and route
$before = status_counters();
$res = client_for('h2tls')->get('/redir2/page?c=3', headers => [ cookie => "qpd=$cookie" ]);
$d = counters_delta($before, status_counters());
is_deeply([ $res->{status}, paths_of($res), scalar @{ $res->{interim} } ], [ 200, [], 0 ],
          'a redirected page whose resources the client all has: no push, no 103');
is($d->{routes_matched}, 1, '... its route applied once, though both passes matched it');
is($d->{'skipped.cookie'}, 2, '... the two resources the client has skipped once each, though both passes skipped them');

# a 404 whose ErrorDocument is in a scope with rules: both requests are
# left out (an error), one request and one skip are counted
$before = status_counters();
client_for('h2tls')->get('/status/missing.html?c=2');
$d = counters_delta($before, status_counters());
is($d->{requests}, 1, 'a 404 answered by an ErrorDocument counts as one request');
is($d->{'skipped.error'}, 1, '... skipped once, as an error');
