# SPDX-License-Identifier: Apache-2.0
# The 103 that mod_quartpush sends holds only Link headers, one per resource,
# with rel=preload, the as= destination and the declared parameters. nopush
# links are hints only: mod_http2 does not push them. On its way to the
# client mod_http2 folds the Link headers into one, and adds "push-policy"
# when it pushed from them.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 7;

# h2hints has H2EarlyHints on, so mod_http2 forwards the 103 it pushes from
my $res = client_for('h2hints')->get('/hints/');
my @hints = @{ $res->{interim} };
is_deeply(scalar @hints, 1, 'one 103 response');
is_deeply($hints[0]{status}, 103, 'with status 103');
my @names = sort map { lc $_->[0] } @{ $hints[0]{header_list} };
is_deeply([ grep { $_ ne 'push-policy' } @names ], ['link'],
          'it carries the Link headers and nothing else of mod_quartpush');
is_deeply(links_of($hints[0]), [
        '</static/css/site.css>; rel=preload; as=style; critical',
        '</static/js/app.js>; rel=preload; as=script; nopush',
        '</img/logo.png>; rel=preload; as=image; type="image/png"; media="(min-width: 600px)"',
        '</fonts/inter.woff2>; rel=preload; as=font; crossorigin=use-credentials',
    ], 'each Link value is exactly as declared, as= inferred from the extension');
is_deeply(paths_of($res), ['/static/css/site.css', '/img/logo.png', '/fonts/inter.woff2'],
         'the nopush resource is hinted but not pushed');
is_deeply($res->{headers}{link}, undef, 'the final response carries no Link header');

$res = client_for('h2hints')->get('/push/');
is_deeply(links_of($res->{interim}[0] || {}), [
        '</static/css/site.css>; rel=preload; as=style',
        '</static/js/app.js>; rel=preload; as=script',
        '</fonts/inter.woff2>; rel=preload; as=font; crossorigin',
    ], 'the README example: CSS, JS and a font with crossorigin');
