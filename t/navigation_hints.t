# SPDX-License-Identifier: Apache-2.0
# Early Hints go where a browser uses them: on a top-level navigation
# (Sec-Fetch-Mode: navigate and Sec-Fetch-Dest: document), the only request
# Chrome (103+) and Firefox (123+) read a 103 on. A client that refuses
# push gets no 103 on any other request: an asset, a fetch, a frame's
# navigation, a request without Sec-Fetch headers (h2load, curl). A push
# client, which sends no Sec-Fetch headers, keeps its pushes.
# QuartPushEarlyHints all sends the hints on every request, as before.
# All on h2hints, where mod_http2 forwards a 103 (H2EarlyHints on).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use lib 't/lib';
use QuartPushTest;

plan tests => 21;

my @eh_links = (
    '</static/css/site.css>; rel=preload; as=style',
    '</static/js/app.js>; rel=preload; as=script; nopush',
    '<https://cdn.example.com>; rel=preconnect',
    '<https://fonts.example.com:8443>; rel=preconnect; crossorigin',
);

sub browser {
    my ($path, @headers) = @_;
    return client_for('h2hints', accept_push => 0)->get($path, headers => [ @headers ]);
}

sub hints_103 {
    my ($res) = @_;
    return scalar grep { $_->{status} == 103 } @{ $res->{interim} };
}

sub skipped_not_navigation {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $json = eval { JSON::PP::decode_json($res->{body} || '{}') } || {};
    return $json->{counters}{skipped}{not_navigation} // -1;
}

my $counted = skipped_not_navigation();

# --- a navigation: the 103, with every link
my $res = browser('/eh/index.html?n=nav', NAVIGATION);
is(hints_103($res), 1, 'a navigation (navigate, document) gets one 103');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with every link');
like(quartpush_log_for('/eh/index.html?n=nav'), qr{ quartpush=- hints=/static/css/site\.css },
     '... and the note says they were hinted');

# --- not navigations: nothing
$res = browser('/eh/index.html?n=style', 'sec-fetch-mode' => 'no-cors', 'sec-fetch-dest' => 'style');
is(hints_103($res), 0, 'an asset request (no-cors, style) gets no 103');
like(quartpush_log_for('/eh/index.html?n=style'), qr/ quartpush=- hints=- /, '... nothing announced');
$res = browser('/eh/index.html?n=none');
is(hints_103($res), 0, 'a client without Sec-Fetch headers (h2load, curl) gets no 103');
like(quartpush_log_for('/eh/index.html?n=none'), qr/ quartpush=- hints=- /, '... nothing announced');
$res = browser('/eh/index.html?n=iframe', 'sec-fetch-mode' => 'navigate', 'sec-fetch-dest' => 'iframe');
is(hints_103($res), 0, "an iframe's navigation (navigate, iframe) gets no 103: no browser uses it there");
$res = browser('/eh/index.html?n=fetch', 'sec-fetch-mode' => 'cors', 'sec-fetch-dest' => 'document');
is(hints_103($res), 0, 'Sec-Fetch-Dest: document without Sec-Fetch-Mode: navigate gets no 103');
$res = browser('/eh/index.html?n=mode', 'sec-fetch-mode' => 'navigate');
is(hints_103($res), 0, 'Sec-Fetch-Mode: navigate without Sec-Fetch-Dest gets no 103');

# every one of those five went to the not_navigation counter, once each
# (the status page is on h2tls; the counters are shared by every virtual
# host). Exactly 5: this file made every request since $counted was read,
# none of them a push client (so no pushed requests), and the navigation
# was hinted, not skipped; the status page itself is not counted.
is(skipped_not_navigation() - $counted, 5,
   'the requests left out are counted as skipped: not_navigation, once each');

# --- a push client sends no Sec-Fetch headers: it keeps its pushes
$res = client_for('h2hints')->get('/eh/index.html?n=push');
is_deeply(paths_of($res), ['/static/css/site.css'], 'a push client without Sec-Fetch headers still gets its push');
is(hints_103($res), 1, '... in its one 103');
$res = client_for('h2tls')->get('/push/index.html?n=push');
is_deeply(paths_of($res), [qw(/static/css/site.css /static/js/app.js /fonts/inter.woff2)],
          '... on a host without H2EarlyHints too');

# --- QuartPushEarlyHints all: every request, as before
$res = browser('/eh/all/index.html?n=none');
is(hints_103($res), 1, 'QuartPushEarlyHints all: a client without Sec-Fetch headers gets the 103');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with every link');
$res = browser('/eh/all/index.html?n=style', 'sec-fetch-mode' => 'no-cors', 'sec-fetch-dest' => 'style');
is(hints_103($res), 1, '... and so does an asset request');

# --- HTTP/1.1 with h1: navigations only too, unless all
$res = client_for('h1tls', protocol => 'http/1.1')->get('/eh/h1/index.html?n=h1none');
is(scalar @{ $res->{interim} }, 0, 'HTTP/1.1, QuartPushEarlyHints h1: no 103 without Sec-Fetch headers');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/eh/h1/index.html?n=h1nav',
                                                         headers => [ NAVIGATION ]);
is(scalar @{ $res->{interim} }, 1, '... one on a navigation');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/eh/h1all/index.html?n=h1all');
is(scalar @{ $res->{interim} }, 1, 'HTTP/1.1, QuartPushEarlyHints h1 all: one without Sec-Fetch headers');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with every link');
