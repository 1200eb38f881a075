# SPDX-License-Identifier: Apache-2.0
# Observability: the quartpush-status handler (counters kept in shared
# memory across child processes, this virtual host's routes, HTML or JSON),
# a section in mod_status's page, and one debug line per request.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;

plan tests => 17 + 17;

sub status_json {
    my ($vhost) = @_;
    my $res = client_for($vhost // 'h2tls')->get('/quartpush-status?json');
    return (JSON::PP::decode_json($res->{body} || '{}'), $res);
}

my ($before, $res) = status_json();
is($res->{status}, 200, '?json: 200');
like($res->{headers}{'content-type'} // '', qr{^application/json}, '... as application/json');
ok($before->{counters_available}, '... counters in shared memory are available');
ok(grep({ $_->{pattern} eq '/r/blog/<slug>' } @{ $before->{routes} || [] }),
   '... it lists the routes of this virtual host');
my ($blog) = grep { $_->{pattern} eq '/r/blog/<slug>' } @{ $before->{routes} || [] };
like($blog->{origin} // '', qr/extra\.conf:\d+$/, '... each with where it was declared');
is_deeply($blog->{resources}, ['</static/css/site.css>; rel=preload; as=style',
                               '</img/<slug>/hero.webp>; rel=preload; as=image'],
          '... and its resources');
is($before->{h2_early_hints}, JSON::PP::false, '... and that H2EarlyHints is off here');
my ($h2c) = status_json('h2c');
ok(grep({ $_->{pattern} eq '/r/vhost-only' } @{ $h2c->{routes} || [] }),
   'another virtual host shows its own routes too');
ok(!grep({ $_->{pattern} eq '/r/vhost-only' } @{ $before->{routes} || [] }),
   '... which the first does not have');

# what requests do to the counters (each request is a new connection, so
# likely another child or thread: the counters are shared). The tests run
# one at a time, so each difference is exact: a counter that counts one
# event twice, or misses one, fails here. A pushed request is a request
# too: it is counted, then skipped as a pushed request, or as an error when
# its file is missing.
client_for('h2tls')->get('/push/?status=1');        # 3 pushes in one 103, 3 pushed requests
client_for('h2hints', accept_push => 0)->get('/eh/?status=2',       # 4 hints in one 103
    headers => [ NAVIGATION ]);                                      # (a navigation)
client_for('h2tls')->get('/push/?status=3',                      # a revalidation: the same
    headers => [ 'if-none-match' => '"x"' ]);                      # 3 pushes, 3 pushed requests
client_for('h2tls', accept_push => 0)->get('/push/?status=4',      # H2EarlyHints off
    headers => [ NAVIGATION ]);
client_for('h2tls')->get('/limit/?status=5');       # 2 pushes, 2 over the limit, 2 pushed requests
client_for('h2tls')->get('/r/blog/hello?status=6'); # a route: 2 pushes, 2 pushed requests,
                                                    # one of them missing (hero.webp)
my ($after) = status_json();
my %d = map { $_ => $after->{counters}{$_} - $before->{counters}{$_} }
        grep { !ref $after->{counters}{$_} } keys %{ $after->{counters} };
my %s = map { $_ => $after->{counters}{skipped}{$_} - $before->{counters}{skipped}{$_} }
        keys %{ $after->{counters}{skipped} };
my @want = (
    # counter, its difference, why
    [ requests              => 16, 'the 6 pages and their 10 pushed requests' ],
    [ pushes                => 10, '3 for /push/ twice, 2 for /limit/, 2 for the route' ],
    [ hints                 => 4,  'the 4 links of /eh/' ],
    [ early_hints_responses => 5,  'one 103 for each page that announced something' ],
    [ routes_matched        => 1,  '/r/blog/hello' ],
    [ routes_gave_up        => 0,  'no route table here makes the matcher give up' ],
    [ api_calls             => 0,  'no API call' ],
);
my @want_skipped = (
    [ pushed_request      => 9, 'the pushed requests whose file exists' ],
    [ error               => 1, 'the pushed /img/hello/hero.webp, which is missing' ],
    [ client_refuses_push => 1, 'the client that refuses push where H2EarlyHints is off' ],
    [ limit               => 2, 'the 2 resources of /limit/ over QuartPushLimit 2' ],
    [ not_get             => 0, 'no other method than GET' ],
    [ off                 => 0, 'no scope with QuartPush off' ],
    [ http1               => 0, 'no HTTP/1.x request' ],
    [ cookie              => 0, 'no QuartPushCookie' ],
    [ not_navigation      => 0, 'both requests of a client that refuses push are navigations' ],
);
is($d{ $_->[0] } // 'missing', $_->[1], "counter $_->[0] grew by exactly $_->[1]: $_->[2]")
    for @want;
is($s{ $_->[0] } // 'missing', $_->[1], "skipped $_->[0] grew by exactly $_->[1]: $_->[2]")
    for @want_skipped;
ok(!exists $after->{counters}{skipped}{conditional},
   'no "conditional" skip reason: a revalidation is announced like any request');

my ($again) = status_json();
is($again->{counters}{requests}, $after->{counters}{requests},
   'reading the status page is not counted as a request, nor pushes anything');

# HTML by default, escaped
$res = client_for('h2tls')->get('/quartpush-status');
like($res->{body}, qr{<code>/r/blog/&lt;slug&gt;</code>}, 'HTML by default, route patterns escaped');
like($res->{body}, qr{resources: a manifest's file not on disk}, '... with a label for every skip reason');
unlike($res->{body}, qr{\(null\)}, '... and no (null) anywhere');
$res = client_for('h2tls')->request(method => 'POST', path => '/quartpush-status', body => 'x');
is($res->{status}, 405, 'POST: 405');
$res = client_for('h2tls')->get('/quartpush-status-denied');
is($res->{status}, 403, 'Require restricts it like any handler');

# mod_status
SKIP: {
    skip 'mod_status is not loaded', 1 unless Apache::Test::have_module('mod_status.c');
    $res = client_for('h2tls')->get('/server-status?auto');
    like($res->{body}, qr/^QuartPush_pushes: \d+$/m, 'mod_status ?auto has a QuartPush section');
}

# one debug line per request where LogLevel quartpush:debug applies
my $log = Apache::Test::vars('t_logs') . '/error_log';
client_for('h2tls')->get('/r/blog/debug-line?x=1');
my @lines;
for (1 .. 40) {
    open my $fh, '<', $log or last;
    @lines = grep { m{quartpush:debug.*GET /r/blog/debug-line:} } <$fh>;
    last if @lines;
    sleep 0.05;
}
ok(@lines == 1 && $lines[0] =~ m{route '/r/blog/<slug>' \(\S+:\d+\); pushed: /static/css/site.css /img/debug-line/hero.webp; hinted: -; skipped: 0 over QuartPushLimit 32, the client has \(QuartPushCookie\): -$},
   'one debug line: the route, what was pushed and hinted, what was skipped')
    or diag @lines;
