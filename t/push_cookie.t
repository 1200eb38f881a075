# SPDX-License-Identifier: Apache-2.0
# QuartPushCookie: a repeat visit does not get again what it was pushed or
# hinted. The client keeps a digest of the URLs in a cookie; a new resource
# is still pushed, and a broken, forged or oversized cookie is replaced,
# never an error. The cookie has a fixed size bound.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 41;

# the qpd cookie a response sets: (value, attributes), or ()
sub set_cookie {
    my ($res) = @_;
    my @sc = grep { lc $_->[0] eq 'set-cookie' && $_->[1] =~ /^qpd=/ }
             @{ $res->{header_list} || [] };
    return () unless @sc == 1;
    my ($pair, @attrs) = split /;\s*/, $sc[0][1];
    return ((split /=/, $pair, 2)[1], join('; ', @attrs));
}

# (a client that refuses push is a browser: its page loads are
# navigations, the requests that get Early Hints)
sub visit {
    my ($vhost, $path, $cookie, %o) = @_;
    my @nav = defined $o{accept_push} && !$o{accept_push} ? (NAVIGATION) : ();
    return client_for($vhost, %o)->get($path,
        headers => [ @nav, $cookie ? (cookie => $cookie) : () ]);
}

# --- first visit: everything is pushed, and the digest is set
my $res = visit('h2tls', '/cookie/index.html?v=1');
is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'],
          'first visit: both resources pushed');
my ($digest, $attrs) = set_cookie($res);
ok(defined $digest && $digest =~ /^[A-Za-z0-9_-]+$/,
   '... and one qpd cookie set, of URL-safe characters') or diag explain $res->{header_list};
$attrs //= '';
is($attrs, 'Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax',
   '... Path=/, the max-age, HttpOnly, Secure over TLS, SameSite=Lax');
ok(length($digest // '') < 40, '... compact: ' . length($digest // '') . ' characters for two URLs');

# --- repeat visit: nothing again, and no new cookie
$res = visit('h2tls', '/cookie/index.html?v=2', "qpd=$digest");
is_deeply(paths_of($res), [], 'repeat visit with the cookie: nothing pushed');
is(scalar @{ $res->{interim} }, 0, '... no 103 at all');
is_deeply([ set_cookie($res) ], [], '... and the cookie is not set again (unchanged)');
is($res->{status}, 200, '... the page itself is served');
like(quartpush_log_for('/cookie/index.html?v=2'), qr/ quartpush=- /, '... the note is empty');

$res = visit('h2tls', '/cookie/index.html?v=3', "a=1; qpd=$digest; b=2");
is_deeply(paths_of($res), [], 'the cookie is found among others');
$res = visit('h2tls', '/cookie/index.html?v=4', "xqpd=$digest; qpd2=$digest");
is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'],
          '... but not under a name that only contains its name');

# --- a resource added later is pushed, alone, and the digest grows
$res = visit('h2tls', '/cookie/more/index.html?v=5', "qpd=$digest");
is_deeply(paths_of($res), ['/img/logo.png'], 'a new resource is pushed, the known ones are not');
my ($digest2) = set_cookie($res);
ok(defined $digest2 && $digest2 ne $digest, '... and a new digest is set');
$res = visit('h2tls', '/cookie/more/index.html?v=6', "qpd=$digest2");
is_deeply(paths_of($res), [], '... which holds all three');
$res = visit('h2tls', '/cookie/more/index.html?v=7', "qpd=$digest");
is_deeply(paths_of($res), ['/img/logo.png'], 'the old digest still lacks the new one');

# --- broken, forged and oversized cookies: ignored and replaced
my %bad = (
    'garbage'          => '!!not a digest!!',
    'another version'  => '9AbzEQ',
    'truncated'        => substr($digest2 // 'AAAA', 0, 3),
    'trailing bytes'   => ($digest2 // '') . 'AAAA',
    'oversized (8 KB)' => 'A' x 8000,
);
for my $case (sort keys %bad) {
    (my $tag = $case) =~ s/\W+/-/g;
    $res = visit('h2tls', "/cookie/index.html?bad=$tag", "qpd=$bad{$case}");
    is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'],
              "a $case cookie is ignored: both pushed ($res->{status})");
    my ($new) = set_cookie($res);
    is($new, $digest, "... and replaced by a valid digest");
}

# --- a browser (no push) gets hints once, then nothing
$res = visit('h2hints', '/cookie/index.html?b=1', undef, accept_push => 0);
is(scalar @{ $res->{interim} }, 1, 'a browser: first visit gets the 103 Early Hints');
my ($bdigest) = set_cookie($res);
is($bdigest, $digest, '... and the same digest (hinted counts as sent)');
$res = visit('h2hints', '/cookie/index.html?b=2', "qpd=$bdigest", accept_push => 0);
is(scalar @{ $res->{interim} }, 0, '... its repeat visit gets no 103');

# --- cleartext: no Secure; QuartPushCookie off: no cookie
$res = visit('h2c', '/cookie/index.html?c=1');
(undef, $attrs) = set_cookie($res);
is($attrs, 'Path=/; Max-Age=3600; HttpOnly; SameSite=Lax', 'h2c: the cookie is not Secure');
$res = visit('h2tls', '/cookie/off/index.html?o=1');
is_deeply([ set_cookie($res) ], [], 'QuartPushCookie off: no cookie');
is(scalar @{ paths_of($res) }, 2, '... and everything pushed');

# --- the bound: 140 different resources, one per visit, with the cookie
#     carried along; it never grows past 195 characters
my ($cookie, $max, $pushed) = ('', 0, 0);
for my $n (1 .. 140) {
    $res = visit('h2c', "/ck/$n", $cookie ? "qpd=$cookie" : undef);
    $pushed += @{ paths_of($res) };
    my ($v) = set_cookie($res);
    $cookie = $v if defined $v;
    $max = length $cookie if length $cookie > $max;
}
ok($max > 100 && $max <= 195, "140 resources later the cookie is at most 195 characters ($max)");
is($pushed, 140, '... and each new resource was pushed once');
$res = visit('h2c', '/ck/140', "qpd=$cookie");
is_deeply(paths_of($res), [], '... the latest one is remembered');

# --- pushes made through the API during the handler are remembered too
SKIP: {
    skip 'the C test module mod_quartpush_api was not built', 4
        unless Apache::Test::have_module('mod_quartpush_api.c');
    my $url = '/static/css/site.css';
    $res = visit('h2tls', "/api/cookie/?push=$url");
    is_deeply(paths_of($res), [$url], 'API: the first push goes out');
    my ($api) = set_cookie($res);
    ok(defined $api, '... and the cookie, set after the handler pushed, records it');
    $res = visit('h2tls', "/api/cookie/?push=$url", "qpd=$api");
    is_deeply(paths_of($res), [], '... the repeat visit gets no push');
    like($res->{body}, qr{^push \Q$url\E ENOTIMPL$}m,
         '... and the call returns APR_ENOTIMPL (the client has it)');
}

# --- QuartPushLinkHeader on: the final response's links follow the digest
#     too, since mod_http2 pushes from them as well
$res = visit('h2tls', '/cookie/lh/index.html?lh=1');
is_deeply(links_of($res), ['</static/css/site.css>; rel=preload; as=style',
                           '</static/js/app.js>; rel=preload; as=script'],
          'QuartPushLinkHeader: the first visit gets the final Link headers');
my ($lh) = set_cookie($res);
$res = visit('h2tls', '/cookie/lh/index.html?lh=2', "qpd=$lh");
is_deeply(links_of($res), [], '... the repeat visit none');
is_deeply(paths_of($res), [], '... and no push from them');
