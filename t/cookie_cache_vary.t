# SPDX-License-Identifier: Apache-2.0
# QuartPushCookie with QuartPushLinkHeader behind mod_cache: a returning
# client's final response lacks the Link headers its cookie says it has, so
# it says Vary: Cookie (and keeps the site's Cache-Control: public). The
# cache then never hands it to a new visitor, who gets every Link header.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan skip_all => 'mod_cache_socache is not available'
    unless Apache::Test::have_module('mod_cache_socache.c');
plan tests => 9;

my @links = ('</static/css/site.css>; rel=preload; as=style',
             '</static/js/app.js>; rel=preload; as=script');
my $url = "/cached/lh/index.html?run=$$";

sub qpd_of {
    my ($res) = @_;
    my @sc = map { $_->[1] =~ /^qpd=([^;]*)/ ? $1 : () }
             grep { lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} || [] };
    return $sc[0];
}
sub visit {
    my ($cookie) = @_;
    return client_for('h2tls')
        ->get($url, $cookie ? (headers => [ cookie => "qpd=$cookie" ]) : ());
}

# A, new: every link, and a cookie
my $res = visit();
my $a1 = qpd_of($res);
is_deeply(links_of($res), \@links, 'A, new: both Link headers on the final response');
ok(defined $a1, '... and a digest cookie');

# A returns: its cookie has both, so no Link header, and no new cookie
$res = visit($a1);
is_deeply(links_of($res), [], 'A again: no Link header (its cookie has both)');
ok(!defined qpd_of($res), '... no new cookie');
my $vary = join ', ', map { $_->[1] } grep { lc $_->[0] eq 'vary' } @{ $res->{header_list} };
like($vary, qr/(?:^|,)\s*cookie\s*(?:,|$)/i, "... the response varies on the cookie (Vary: $vary)");
like($res->{headers}{'cache-control'} // '', qr/public/,
     '... and keeps the Cache-Control: public the site set');

# C, new, after A's response may be in the cache: not A's, every link
$res = visit();
is_deeply(links_of($res), \@links, "C, new after A's return: both Link headers ("
          . ($res->{headers}{'x-cache'} // 'no X-Cache') . ')');
ok(defined qpd_of($res), '... and its own digest cookie');

# A once more: the cache may answer it, still without Link headers
$res = visit($a1);
is_deeply(links_of($res), [], 'A a third time: still no Link header ('
          . ($res->{headers}{'x-cache'} // 'no X-Cache') . ')');
