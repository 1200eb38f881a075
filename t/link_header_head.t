# SPDX-License-Identifier: Apache-2.0
# QuartPushLinkHeader on: a HEAD request gets the same final Link headers as
# a GET (RFC 9110 asks for the same header fields), but no 103 and no push:
# nothing is fetched for a page that is not. On h2hints, which forwards
# 103s, over HTTP/2, and on HTTP/1.1.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 7;

my @links = ('</static/css/site.css>; rel=preload; as=style');

my $get = client_for('h2hints')->get('/linkheader/?m=get');
is_deeply(links_of($get), \@links, 'GET: the final response carries the Link header');
is(scalar @{ $get->{interim} }, 1, 'GET: and a 103');

my $head = client_for('h2hints')->head('/linkheader/?m=head');
is($head->{status}, 200, 'HEAD: 200');
is_deeply(links_of($head), \@links, 'HEAD: the same final Link header as GET');
is(scalar @{ $head->{interim} }, 0, 'HEAD: no 103');
is(scalar @{ $head->{push_promises} }, 0, 'HEAD: no PUSH_PROMISE');

$head = client_for('h1tls', protocol => 'http/1.1')->head('/linkheader/?m=head1');
is_deeply(links_of($head), \@links, 'HEAD over HTTP/1.1: the same final Link header');
