# SPDX-License-Identifier: Apache-2.0
# A proxied app that sends its own 103 Early Hints
# (t/backend/early_hints_backend.py, behind ProxyPass). Browsers act on the
# first 103 of a navigation only. By default mod_quartpush's 103 goes
# first and the backend's follows: the backend's links that the first one
# lacks are counted (backend_hints_ignored) and logged (QP00030). With
# QuartPushBackendHints merge there is one 103: mod_quartpush's links
# joined to the backend's first one, its own first, each URL once; without
# a 103 from the backend, its links go into the final Link header.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;

unless (Apache::Test::have_module('mod_proxy_http.c')) {
    plan tests => 1;
    fail('mod_proxy_http is loaded (t/TEST.PL @needed)');
    exit 1;
}
plan tests => 32;

my $backend = start_backend103();

my $css = '</static/css/site.css>; rel=preload; as=style';
my $js = '</static/js/app.js>; rel=preload; as=script';
my $extra = '</static/js/extra.js>; rel=preload; as=script';

sub ignored {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    return JSON::PP::decode_json($res->{body} || '{}')->{counters}{backend_hints_ignored};
}

sub browser {
    my ($vhost, $path) = @_;
    return client_for($vhost, accept_push => 0)->get($path, headers => [ NAVIGATION ]);
}

sub statuses { [ map { $_->{status} } @{ $_[0]{interim} } ] }

# --- first (the default): two 103s, the backend's links are lost
my $before = ignored();
my $res = browser('h2hints', '/b103/one?c=first');
is($res->{status}, 200, 'first: the proxied page answers 200');
is_deeply(statuses($res), [103, 103], 'first: the browser gets two 103s');
is_deeply(links_of($res->{interim}[0] || {}), [$css], "first: the first is mod_quartpush's");
is_deeply(links_of($res->{interim}[1] || {}), [$css, $js], "first: the second is the backend's, as it sent it");
is(ignored() - $before, 1, 'first: backend_hints_ignored counts the one link the first 103 lacks (app.js)');
my $log = Apache::Test::vars('t_logs') . '/error_log';
my @lines;
for (1 .. 40) {
    open my $fh, '<', $log or last;
    @lines = grep { /QP00030/ && m{/b103/one} } <$fh>;
    last if @lines;
    sleep 0.05;
}
ok(@lines >= 1 && $lines[0] =~ m{QuartPushBackendHints merge} && $lines[0] =~ m{/static/js/app\.js},
   'first: QP00030 names the lost link and the setting that keeps it')
    or diag @lines;
$res = browser('h2hints', '/b103/one?c=first2');
for (1 .. 20) {
    open my $fh, '<', $log or last;
    @lines = grep { /QP00030/ && m{/b103/} } <$fh>;
    sleep 0.05;
}
# (once per child: httpd here may have a few)
ok(@lines <= 2, 'first: ... logged once per scope and child, not on every request');
$before = ignored();
$res = client_for('h2hints')->get('/b103/one?c=push');
is_deeply(statuses($res), [103, 103], 'first, a push client: two 103s too');
is(ignored() - $before, 0, '... not counted: a push client gets pushes from both');

# --- merge: one 103
$before = ignored();
for my $vhost ('h2hints', 'h2chints') {
    $res = browser($vhost, "/b103m/one?c=$vhost");
    is($res->{status}, 200, "merge, $vhost: 200");
    is_deeply(statuses($res), [103], "merge, $vhost: one 103");
    is_deeply(links_of($res->{interim}[0] || {}), [$css, $js],
              "merge, $vhost: mod_quartpush's link first, then the backend's, site.css once");
}
is(ignored() - $before, 0, 'merge: nothing ignored');

# the backend sends no 103: the links go into the final response
$res = browser('h2hints', '/b103m/none?c=none');
is_deeply(statuses($res), [], 'merge, no 103 from the backend: none from mod_quartpush either');
is_deeply(links_of($res), [$css], "... its link is in the final response's Link header");
is($res->{status}, 200, '... which is 200');

# the backend sends two 103s: the first carries both sets; the second,
# which a browser ignores, is counted
$before = ignored();
$res = browser('h2hints', '/b103m/two?c=two');
is_deeply(statuses($res), [103, 103], 'merge, two 103s from the backend: two reach the client');
is_deeply(links_of($res->{interim}[0] || {}), [$css, $js], '... the first with both sets');
is_deeply(links_of($res->{interim}[1] || {}), [$extra], '... the second as the backend sent it');
is(ignored() - $before, 1, '... whose link is counted as ignored');

# an unasked-for 100 from the backend (mod_proxy_http drops it), then a 103
$res = browser('h2hints', '/b103m/continue?c=continue');
is_deeply(links_of($res->{interim}[0] || {}), [$css, $js], 'merge, a 100 before the 103: the 103 is merged');
is($res->{status}, 200, '... and the page answers');

# a push client in merge mode gets the pushes from the one 103
$res = client_for('h2hints')->get('/b103m/one?c=push');
ok(grep({ $_ eq '/static/css/site.css' } @{ paths_of($res) }),
   "merge, a push client: mod_quartpush's link is pushed from the backend's 103")
    or diag explain paths_of($res);

# HTTP/1.1 (QuartPushEarlyHints h1): the same single 103, as text
for my $vhost ('h1tls', 'h2c') {
    my $raw = raw_http1($vhost, "GET /b103mh1/one?c=$vhost HTTP/1.1\r\nHost: localhost\r\n"
        . NAVIGATION_RAW . "Connection: close\r\n\r\n");
    my @hints = grep { $_->{status} == 103 } @{ $raw->{blocks} };
    if ($vhost eq 'h1tls') {
        is(scalar @hints, 1, 'merge over HTTP/1.1 (TLS): one 103');
        is_deeply([ map { $_->[1] } grep { lc $_->[0] eq 'link' } @{ $hints[0]{header_list} || [] } ],
                  [$css, $js], '... with both sets, one Link header each')
            or diag $raw->{bytes};
    }
    else {
        is(scalar @hints, 1, 'merge over HTTP/1.1 (cleartext): one 103') or diag $raw->{bytes};
    }
}

# a backend's 103 of 80 KB of links: the merged one keeps under the 48 KB
# that one 103 may carry (nghttp2 resets a stream whose header block is
# over 64 KB), mod_quartpush's link first
$res = browser('h2hints', '/b103m/big?c=big');
my @big = @{ links_of($res->{interim}[0] || {}) };
my $bytes = 0;
$bytes += length('link') + length($_) + 32 for @big;
is($res->{status}, 200, 'merge, a backend 103 of 80 KB: the page answers 200');
ok(@big > 100 && $bytes <= 48 * 1024,
   "... its one 103 keeps under 48 KB of Link headers (@{[ scalar @big ]} links, $bytes bytes)");
is($big[0], $css, "... mod_quartpush's link first");
