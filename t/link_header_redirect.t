# SPDX-License-Identifier: Apache-2.0
# QuartPushLinkHeader with QuartPushCookie behind a per-directory RewriteRule
# front controller (<Directory> and .htaccess): /fc/page is answered by
# /fc/index.html after an internal redirect, and its final response carries
# the same Link headers as /fc/index.html asked for directly. The first
# pass's announcements, already in the digest being built, are not taken
# for what the client had.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 2 * 3;

my @links = ('</static/css/site.css>; rel=preload; as=style',
             '</static/js/app.js>; rel=preload; as=script');

for my $vhost (h2_transports()) {
    for my $dir ('/fc', '/fchta') {
        my $res = client_for($vhost)->get("$dir/index.html?v=$vhost");
        is_deeply(links_of($res), \@links, "$vhost: $dir/index.html: both Link headers");
        $res = client_for($vhost)->get("$dir/page?v=$vhost");
        is_deeply(links_of($res), \@links,
                  "$vhost: $dir/page, answered by the front controller: the same two");
        my ($cookie) = map { $_->[1] =~ /^(qpd=[^;]*)/ ? $1 : () }
                       grep { lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} };
        $res = client_for($vhost)->get("$dir/page?v=$vhost", headers => [ cookie => $cookie // '' ]);
        is_deeply(links_of($res), [], "$vhost: $dir/page again, with its cookie: none (it has both)");
    }
}
