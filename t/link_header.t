# SPDX-License-Identifier: Apache-2.0
# QuartPushLinkHeader on: the preload links also go on the final response,
# for every client, HTTP/1.1 included, within QuartPushLimit.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 6;

my $link = '</static/css/site.css>; rel=preload; as=style';
my $res = client_for('h2tls')->get('/linkheader/');
is_deeply($res->{headers}{link}, $link, 'h2: the final response carries the Link header');
is_deeply(paths_of($res), ['/static/css/site.css'], 'h2: and the resource is pushed once');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/linkheader/');
is_deeply($res->{headers}{link}, $link, 'HTTP/1.1: the final response carries the Link header');
$res = client_for('h2tls')->get('/push/');
is_deeply($res->{headers}{link}, undef, 'without the directive there is no Link header');

# /limit/linkheader/ adds QuartPushLinkHeader on to /limit/: QuartPushLimit 2
# and four resources
my @first_two = ('</static/css/site.css>; rel=preload; as=style',
                 '</static/js/app.js>; rel=preload; as=script');
$res = client_for('h2tls')->get('/limit/linkheader/');
is_deeply(links_of($res), \@first_two,
          'h2: QuartPushLimit 2 leaves the first two links on the final response, not four');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/limit/linkheader/');
is_deeply(links_of($res), \@first_two,
          'HTTP/1.1: the same two links, within QuartPushLimit');
