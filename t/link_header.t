# QuartPushLinkHeader on: the preload links also go on the final response,
# for every client, HTTP/1.1 included.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 4;

my $link = '</static/css/site.css>; rel=preload; as=style';
my $res = client_for('h2tls')->get('/linkheader/');
is_deeply($res->{headers}{link}, $link, 'h2: the final response carries the Link header');
is_deeply(paths_of($res), ['/static/css/site.css'], 'h2: and the resource is pushed once');
$res = client_for('h1tls', protocol => 'http/1.1')->get('/linkheader/');
is_deeply($res->{headers}{link}, $link, 'HTTP/1.1: the final response carries the Link header');
$res = client_for('h2tls')->get('/push/');
is_deeply($res->{headers}{link}, undef, 'without the directive there is no Link header');
