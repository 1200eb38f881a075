# SPDX-License-Identifier: Apache-2.0
# Clients that refuse push (every current browser) get the same links as
# 103 Early Hints, before the handler runs: one 103, where mod_http2 will
# forward it (H2EarlyHints on). QuartPushEarlyHints off gives them nothing,
# h1 also hints over HTTP/1.1. Preconnect hints are never pushed.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 27;

my @eh_links = (
    '</static/css/site.css>; rel=preload; as=style',
    '</static/js/app.js>; rel=preload; as=script; nopush',
    '<https://cdn.example.com>; rel=preconnect',
    '<https://fonts.example.com:8443>; rel=preconnect; crossorigin',
);

# Every request below that a browser would make is a top-level navigation
# (Sec-Fetch-Mode: navigate, Sec-Fetch-Dest: document): the one request a
# browser reads Early Hints on, and by default the only one that gets them
# (t/navigation_hints.t has the others). Each "no 103" case is one too, so
# that it fails for its own reason.
my @nav = (headers => [ NAVIGATION ]);

# --- a browser-like client (SETTINGS_ENABLE_PUSH=0) on a host that forwards 103s
my $res = client_for('h2hints', accept_push => 0)->get('/eh/index.html?c=browser', @nav);
is(scalar @{ $res->{interim} }, 1, 'a client that refuses push gets one 103');
is($res->{interim}[0]{status} // 0, 103, '... a 103 Early Hints');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links,
          '... with every link: preloads, the nopush one, and the preconnects');
is(scalar @{ $res->{push_promises} }, 0, '... and no PUSH_PROMISE');
is($res->{status}, 200, '... then its page');
ok(defined $res->{headers_at} && $res->{interim}[0]{time} <= $res->{headers_at},
   '... the 103 came before the final response');
like(quartpush_log_for('/eh/index.html?c=browser'),
     qr{ quartpush=- hints=/static/css/site.css /static/js/app.js https://cdn.example.com https://fonts.example.com:8443 },
     '... the notes: nothing pushed, all hinted');

# --- the same client where H2EarlyHints is off: mod_http2 would drop the 103,
#     so mod_quartpush does not send one at all (it costs the server time)
$res = client_for('h2tls', accept_push => 0)->get('/eh/index.html?c=h2tls', @nav);
is(scalar @{ $res->{interim} }, 0, 'H2EarlyHints off: no 103 reaches the client');
like(quartpush_log_for('/eh/index.html?c=h2tls'), qr/ quartpush=- hints=- /,
     '... and mod_quartpush sent none (both notes empty)');
$res = client_for('h2c', accept_push => 0)->get('/eh/index.html?c=h2c', @nav);
like(quartpush_log_for('/eh/index.html?c=h2c'), qr/ quartpush=- hints=- /,
     '... the same over h2c');

# --- QuartPushEarlyHints off
$res = client_for('h2hints', accept_push => 0)->get('/eh/off/index.html?c=browser', @nav);
is(scalar @{ $res->{interim} }, 0, 'QuartPushEarlyHints off: no 103 for a client that refuses push');
like(quartpush_log_for('/eh/off/index.html?c=browser'), qr/ quartpush=- hints=- /,
     '... nothing announced');
$res = client_for('h2hints')->get('/eh/off/index.html?c=push');
is_deeply(paths_of($res), ['/static/css/site.css'],
          '... a push client still gets its push (off is about hints only)');

# --- a push client: one 103 both drives the pushes and, forwarded, hints;
#     each link appears once, nothing is hinted a second time
$res = client_for('h2hints')->get('/eh/index.html?c=push');
is(scalar @{ $res->{interim} }, 1, 'a push client gets one 103, not a second one for hints');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... each link once');
is_deeply(paths_of($res), ['/static/css/site.css'],
          '... the preload is pushed; nopush and preconnect links are not');
like(quartpush_log_for('/eh/index.html?c=push'),
     qr{ quartpush=/static/css/site.css hints=/static/js/app.js https://cdn.example.com https://fonts.example.com:8443 },
     '... the notes tell pushed from hinted');

# --- HTTP/1.1: nothing by default, hints with QuartPushEarlyHints h1
$res = client_for('h1tls', protocol => 'http/1.1')->get('/eh/index.html?c=h1', @nav);
is(scalar @{ $res->{interim} }, 0, 'HTTP/1.1: no 103 by default');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/eh/h1/index.html?c=h1', @nav);
is(scalar @{ $res->{interim} }, 1, 'HTTP/1.1 with QuartPushEarlyHints h1: one 103');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with every link');
is($res->{status}, 200, '... then the page');
$res = client_for('h2c', protocol => 'http/1.1')->get('/eh/h1/index.html?c=h1c', @nav);
is(scalar @{ $res->{interim} }, 1, '... also in cleartext');

# --- non-GET gets no hints (a revalidation does: t/revalidation_hints.t)
$res = client_for('h2hints', accept_push => 0)->request(method => 'HEAD',
    path => '/eh/index.html?c=head', @nav);
is(scalar @{ $res->{interim} }, 0, 'HEAD: no 103');
$res = client_for('h1tls', protocol => 'http/1.1')->request(method => 'HEAD',
    path => '/eh/h1/index.html?c=head', @nav);
is(scalar @{ $res->{interim} }, 0, 'HEAD over HTTP/1.1 with h1: no 103');

# --- a route's preconnect resource
$res = client_for('h2hints', accept_push => 0)->get('/r/pre/cat', @nav);
is_deeply(links_of($res->{interim}[0] || {}), [
        '<https://img.example.com>; rel=preconnect',
        '</img/cat.png>; rel=preload; as=image',
    ], 'a route: preconnect=ORIGIN and a templated preload, as hints');
$res = client_for('h2hints')->get('/r/pre/dog');
is_deeply(paths_of($res), ['/img/dog.png'], '... for a push client, only the preload is pushed');
is_deeply(links_of($res->{interim}[0] || {}), [
        '<https://img.example.com>; rel=preconnect',
        '</img/dog.png>; rel=preload; as=image',
    ], '... in the same single 103');
