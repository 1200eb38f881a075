# SPDX-License-Identifier: Apache-2.0
# QuartPushCookie and a shared cache: a response that carries one client's
# digest says Cache-Control: private, so mod_cache (here with
# mod_cache_socache, as any CDN would) never stores it and never hands one
# client's digest to another. A response without a new cookie stays
# cacheable, and a cache hit carries no cookie.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan skip_all => 'mod_cache_socache is not available'
    unless Apache::Test::have_module('mod_cache_socache.c');
plan tests => 16;

# the qpd cookie a response sets, or undef
sub qpd_of {
    my ($res) = @_;
    my @sc = map { $_->[1] =~ /^qpd=([^;]*)/ ? $1 : () }
             grep { lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} || [] };
    return $sc[0];
}

my $url = "/cached/index.html?run=$$";
my %got;        # client => { cookie value => 1 } of every Set-Cookie it got
sub visit {
    my ($who, $cookie) = @_;
    my $res = client_for('h2tls')->get($url, $cookie ? (headers => [ cookie => "qpd=$cookie" ]) : ());
    my $qpd = qpd_of($res);
    $got{$who}{$qpd} = 1 if defined $qpd;
    return ($res, $qpd);
}

# B holds a digest of something else: /ck/7 pushed it /img/ck7.png
my $b0 = qpd_of(client_for('h2c')->get('/ck/7'));
ok(defined $b0, 'client B has a digest from another page');

# A's first visit: pushed, its cookie set, marked private
my ($res, $a1) = visit('A');
is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'], 'A: first visit pushed');
ok(defined $a1, '... and its digest set');
my $cc = $res->{headers}{'cache-control'} // '';
like($cc, qr/(?:^|,)\s*private\s*(?:,|$)/, "... the response is private ($cc)");
unlike($cc, qr/public|s-maxage/, '... and no longer says public');
like($cc, qr/max-age=600/, '... what else it said is kept');

# B's visit: not A's response from the cache, its own digest
my $b1;
($res, $b1) = visit('B', $b0);
is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'], 'B: pushed what it lacks');
ok(defined $b1 && $b1 ne ($a1 // ''), "... and gets its own digest, not A's");

# A's repeat visit: nothing new, no cookie: that response may be cached
my $a2;
($res, $a2) = visit('A', $a1);
ok(!defined $a2, 'A again: no new cookie');
unlike($res->{headers}{'cache-control'} // '', qr/private/, '... and the response is not made private');

# now the cache answers; with no cookie in what it stored
($res) = visit('B', $b1);
like($res->{headers}{'x-cache'} // '', qr/HIT/, 'B again: a cache hit (' . ($res->{headers}{'x-cache'} // 'no X-Cache') . ')');
($res) = visit('C');
like($res->{headers}{'x-cache'} // '', qr/HIT/, 'C, new: a cache hit');
is($res->{status}, 200, '... the page');

# nobody ever got another's digest: no value reached two clients
my %holders;
for my $who (sort keys %got) {
    push @{ $holders{$_} }, $who for keys %{ $got{$who} };
}
my @shared = grep { @{ $holders{$_} } > 1 } sort keys %holders;
ok(!@shared, 'no digest was ever sent to two clients') or diag explain \%got;
ok(!grep({ keys %{ $got{$_} } > 1 } keys %got), '... and each client got one digest at most')
    or diag explain \%got;
ok(!%{ $got{C} || {} }, 'C, served from the cache, got no digest at all') or diag explain \%got;
