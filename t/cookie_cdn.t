# SPDX-License-Identifier: Apache-2.0
# A response that sets the QuartPushCookie says no-store to CDNs too: a
# CDN-Cache-Control or Surrogate-Control that the site set would otherwise
# override Cache-Control: private for the CDNs that read them, and let one
# client's digest be stored and replayed to others. A response that sets no
# cookie keeps them as the site set them.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 6;

my $res = client_for('h2tls')->get('/cookie/cdn/');
my ($cookie) = map { $_->[1] =~ /^(qpd=[^;]*)/ ? $1 : () }
               grep { lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} };
ok(defined $cookie, 'a first visit gets a digest cookie');
is($res->{headers}{'cdn-cache-control'}, 'no-store', '... and CDN-Cache-Control: no-store');
is($res->{headers}{'surrogate-control'}, 'no-store', '... and Surrogate-Control: no-store');

$res = client_for('h2tls')->get('/cookie/cdn/', headers => [ cookie => $cookie // '' ]);
ok(!grep({ lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} }),
   'a return visit that has everything gets no cookie');
is($res->{headers}{'cdn-cache-control'}, 'public, max-age=600',
   '... and the CDN-Cache-Control the site set');
is($res->{headers}{'surrogate-control'}, 'max-age=600',
   '... and its Surrogate-Control');
