# SPDX-License-Identifier: Apache-2.0
# The route language: <QuartPushRoutes> blocks and QuartPushRoutes files map
# Quart-style routes to the resources they need. Every URL under /r/ is
# answered by one front controller (FallbackResource), as in an app; the
# routes match the path the client asked for. See t/conf/extra.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

my $uuid = '123e4567-e89b-12d3-a456-426614174000';
my @cases = (
    # path                    => expected pushes, what it shows
    [ '/r/'                   => [qw(/static/css/site.css /static/js/app.js)], 'a static route' ],
    [ '/r/?q=1'               => [qw(/static/css/site.css /static/js/app.js)], 'the query string is not part of the match' ],
    [ '/r/blog/hello'         => [qw(/static/css/site.css /img/hello/hero.webp)], '<slug> is captured and substituted' ],
    [ '/r/blog/hello%20world' => [qw(/static/css/site.css /img/hello%20world/hero.webp)], 'a captured value is percent-encoded' ],
    [ '/r/blog/a/b'           => [], 'a one-segment placeholder does not match two segments' ],
    [ '/r/user/42'            => ['/static/js/app.js'], '<int:id> beats <name> for digits' ],
    [ '/r/user/bob'           => ['/static/css/user.css'], '<name> takes what int refuses' ],
    [ '/r/user/admin'         => ['/static/css/admin.css'], 'a static segment beats a converter' ],
    [ '/r/docs/a/b/c'         => ['/docs/a/b/c.css'], '<path:page> keeps its slashes' ],
    [ '/r/static/x/y.css'     => ['/static/css/tree.css'], 'a trailing /* covers a whole tree' ],
    [ "/r/item/$uuid"         => ["/img/$uuid.png"], '<uuid:id>' ],
    [ '/r/item/not-a-uuid'    => [], 'uuid refuses anything else' ],
    [ '/r/lang/fr'            => ['/static/fr.css'], '<any(en,fr):lang> takes a choice' ],
    [ '/r/lang/de'            => [], 'any() refuses other values' ],
    [ '/r/price/1.5'          => ['/static/js/price.js'], '<float:p>' ],
    [ '/r/news/latest'        => ['/static/css/latest.css'], 'a converter before a static segment' ],
    [ '/r/q/a%22b'            => ['/search.css'], 'a quoted media= parameter' ],
    [ '/r/file/7'             => ['/static/file-7.css'], 'a route from a QuartPushRoutes file' ],
    [ '/r/file/latest'        => [qw(/static/file-latest.css /static/js/app.js)], 'a "\\" continuation in a file' ],
    [ '/r/fonts'              => ['/static/css/site.css'], 'nopush resources are not pushed' ],
    [ '/r/both/'              => [qw(/static/css/site.css /img/logo.png /static/js/app.js)],
      'a route and its scope\'s QuartPushResource lists are united, once per URL' ],
    [ '/r/nothing/here'       => [], 'no route, no push' ],
);

plan tests => 2 * @cases + 9;

for my $vhost (h2_transports()) {
    for my $case (@cases) {
        my ($path, $want, $what) = @$case;
        my $res = client_for($vhost)->get($path);
        is_deeply(paths_of($res), $want, "$vhost $path: $what");
    }
}

# a virtual host adds its routes to the main server's
is_deeply(paths_of(client_for('h2c')->get('/r/vhost-only')), ['/static/css/vhost.css'],
          "a virtual host's own route applies in that virtual host");
is_deeply(paths_of(client_for('h2tls')->get('/r/vhost-only')), [],
          '... and not in another one');
is_deeply(paths_of(client_for('h2c')->get('/r/user/42')), ['/static/js/app.js'],
          "... which still has the main server's routes");

# when "EXPR": evaluated per request; false means nothing from routes
my $res = client_for('h2tls')->get('/r/shop');
is_deeply(paths_of($res), ['/static/js/shop.js'], 'when "...": true pushes');
$res = client_for('h2tls')->get('/r/shop', headers => [ 'save-data' => 'on' ]);
is_deeply(paths_of($res), [], 'when "...": false pushes nothing, and falls back to no other route');

# the 103 carries the route's link parameters
$res = client_for('h2hints')->get('/r/fonts');
my $links = join ', ', map { $_->[1] } grep { lc $_->[0] eq 'link' }
    @{ ($res->{interim}[0] || {})->{header_list} || [] };
like($links, qr{</fonts/inter\.woff2>; rel=preload; as=font; crossorigin; nopush},
     'a nopush resource is still hinted in the 103');
$res = client_for('h2hints')->get('/r/user/42');
$links = join ', ', map { $_->[1] } grep { lc $_->[0] eq 'link' }
    @{ ($res->{interim}[0] || {})->{header_list} || [] };
is($links, '</static/js/app.js>; rel=preload; as=script; critical',
   'params of a route resource reach the Link header');

# QuartPush off and no-quartpush turn routes off too; HTTP/1.1 gets nothing
$res = client_for('h2tls', accept_push => 0)->get('/r/');
is_deeply(paths_of($res), [], 'a client that refuses push gets nothing from routes');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/r/');
is(scalar @{ $res->{interim} }, 0, 'HTTP/1.1 gets nothing from routes');
