# SPDX-License-Identifier: Apache-2.0
# A response keeps one state across a chain of internal redirects, however
# long: the state lives on the chain's first request, which every later
# one must reach. /chain/a is rewritten to /chain/b, which is rewritten to
# /chain/c.html (two internal redirects, three requests): one 103, each
# resource pushed or hinted once, one request counted. /chain/missing.html
# is a 404 whose ErrorDocument (/chain/err) is rewritten to /chain/c.html:
# the third request is still part of an error response, so nothing is
# announced, and the response counts as one request, skipped once. (httpd
# hands the 404 on to each request of the chain, new->status = r->status,
# so the last one's own status says so: checking only the previous
# request, not the whole chain, would not show here.)
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 17;

my @urls = ('/static/css/site.css', '/static/js/app.js');

# the counters that moved, for a diag
sub moved { my ($d) = @_; join ' ', map { "$_=$d->{$_}" } grep { $d->{$_} } sort keys %$d }

# --- a browser's navigation: the 103 of the chain, counted once
my $before = status_counters();
my $res = client_for('h2hints', accept_push => 0)->get('/chain/a?c=nav', headers => [ NAVIGATION ]);
my $d = counters_delta($before, status_counters());
is($res->{status}, 200, '/chain/a, rewritten twice, answers 200');
like($res->{body}, qr/the end of the chain/, '... with /chain/c.html');
is(scalar @{ $res->{interim} }, 1, '... after one 103, not one per request of the chain')
    or diag explain [ map { links_of($_) } @{ $res->{interim} } ];
is_deeply(links_of($res->{interim}[0] || {}),
          [ '</static/css/site.css>; rel=preload; as=style', '</static/js/app.js>; rel=preload; as=script' ],
          '... carrying each link once');
is($d->{requests}, 1, 'it counts as one request') or diag moved($d);
is($d->{hints}, 2, '... whose two links are counted as hinted once') or diag moved($d);
is($d->{pushes}, 0, '... and none as pushed') or diag moved($d);
like(quartpush_log_for('/chain/a?c=nav'), qr{ quartpush=- hints=/static/css/site\.css /static/js/app\.js },
     '... the note lists each link once');

# --- a client that accepts push: each resource pushed once
$before = status_counters();
$res = client_for('h2tls')->get('/chain/a?c=push');
$d = counters_delta($before, status_counters());
is($res->{status}, 200, 'a push client: /chain/a answers 200');
is_deeply(paths_of($res), \@urls, '... with each resource pushed once');
is($d->{pushes}, 2, '... counted as two pushes') or diag moved($d);
# (each push is a request of its own, which the server's routes make count
# too, as skipped: pushed_request)
is(($d->{requests} // 0) - ($d->{'skipped.pushed_request'} // 0), 1, '... and one request')
    or diag moved($d);

# --- a 404 whose ErrorDocument is rewritten: three requests, an error
$before = status_counters();
$res = client_for('h2hints', accept_push => 0)->get('/chain/missing.html?c=err', headers => [ NAVIGATION ]);
$d = counters_delta($before, status_counters());
is($res->{status}, 404, '/chain/missing.html answers 404');
like($res->{body}, qr/the end of the chain/, '... with its ErrorDocument, rewritten to /chain/c.html');
is(scalar @{ $res->{interim} }, 0, '... and no 103, not even from the last request of the chain');
is($d->{requests}, 1, 'it counts as one request') or diag moved($d);
is($d->{'skipped.error'}, 1, '... skipped once, as an error') or diag moved($d);
