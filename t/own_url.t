# SPDX-License-Identifier: Apache-2.0
# A resource is never announced on the request for that same URL: under
# rules that cover their own resources (<Location "/"> is the usual case),
# the request for /own/site.css does not push or hint /own/site.css, which
# the client is fetching already. A link without a query string is the
# request's own whatever the request's query; a link with one only for the
# same query (/own/page.html?part=1 is another resource than the page).
# The whole path must match: /own/site.css.map, whose path begins with
# /own/site.css, is another resource, and still announces /own/site.css.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

my $css  = '/own/site.css';
my $js   = '/own/app.js';
my $part = '/own/page.html?part=1';

plan tests => 9 + 3 + 2;

my $res = client_for('h2tls')->get($css);
is_deeply(paths_of($res), [$js, $part], "the request for $css pushes the others, not $css");
$res = client_for('h2tls')->get("$css?v=2");
is_deeply(paths_of($res), [$js, $part], "... nor with a query string of its own ($css?v=2)");
$res = client_for('h2tls')->get('/own/%73ite.css');
is_deeply(paths_of($res), [$js, $part], '... nor when the path is percent-encoded (/own/%73ite.css)');
$res = client_for('h2tls')->get('/own/enc/~old.css');
is_deeply(paths_of($res), [$css, $js, $part],
          '... nor when the link is percent-encoded (/own/enc/%7Eold.css)');
$res = client_for('h2tls')->get('/own/page.html');
is_deeply(paths_of($res), [$css, $js, $part], 'the page pushes a link to itself with another query string');
$res = client_for('h2tls')->get($part);
is_deeply(paths_of($res), [$css, $js], "... but not on the request for that URL ($part)");

# URLs that share a prefix: the source map of site.css is not site.css
$res = client_for('h2tls')->get("$css.map");
is($res->{status}, 200, "$css.map answers 200");
is_deeply(paths_of($res), [$css, $js, $part],
          "... and pushes $css, whose path is a prefix of its own");
$res = client_for('h2hints', accept_push => 0)->get("$css.map", headers => [ NAVIGATION ]);
is_deeply(links_of($res->{interim}[0] || {}),
          [ "<$css>; rel=preload; as=style", "<$js>; rel=preload; as=script",
            "<$part>; rel=preload; as=fetch; crossorigin" ],
          "... and hints it to a browser's navigation");

# a browser's navigation to it: the 103 leaves it out too
$res = client_for('h2hints', accept_push => 0)->get($css, headers => [ NAVIGATION ]);
is_deeply(links_of($res->{interim}[0] || {}),
          [ "<$js>; rel=preload; as=script", "<$part>; rel=preload; as=fetch; crossorigin" ],
          'Early Hints leave out the URL asked for');

# QuartPushLinkHeader: the final response's links leave it out as well
$res = client_for('h2tls')->get('/own/lh/site.css');
is_deeply(links_of($res), [ "<$css>; rel=preload; as=style", "<$js>; rel=preload; as=script",
                            "<$part>; rel=preload; as=fetch; crossorigin" ],
          "QuartPushLinkHeader: the final Link headers leave out the URL asked for");
is_deeply(paths_of($res), [$css, $js, $part], '... and it is not pushed');

SKIP: {
    skip 'the C test module mod_quartpush_api was not built', 2
        unless Apache::Test::have_module('mod_quartpush_api.c');
    $res = client_for('h2tls')->get('/api/?push=/api/');
    like($res->{body}, qr{^push /api/ ENOTIMPL$}m,
         'the API: pushing the URL of the request itself is APR_ENOTIMPL');
    is_deeply(paths_of($res), [], '... and promises nothing');
}
