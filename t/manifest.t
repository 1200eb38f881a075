# SPDX-License-Identifier: Apache-2.0
# QuartPushManifest, with a real Vite build as the oracle: for each entry,
# a browser's navigation gets one 103 that names exactly the files Vite's
# own built HTML loads, in its order, with the same rel and crossorigin
# (test/manifest/vite-app/expected*.txt, extracted from that HTML); a push
# client gets every one of them pushed; a file reached only through a
# dynamic import() is never announced. Also: an "@" resource in a route
# next to a placeholder, its parameters on each file, the status page.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use FindBin;
use JSON::PP;

my $app = "$FindBin::Bin/../test/manifest/vite-app";

# expected(FILE, ENTRY): ([KIND, CROSSORIGIN, URL] in document order, [URL
# never to announce])
sub expected {
    my ($file, $entry) = @_;
    open my $fh, '<', "$app/$file" or die "$app/$file: $!";
    my (@load, @never);
    while (<$fh>) {
        chomp;
        next if /^#/ || !/\S/;
        my ($e, $kind, $co, $url) = split /\t/;
        next unless $e eq $entry;
        if ($kind eq 'never') { push @never, $url }
        else { push @load, [ $kind, $co, $url ] }
    }
    return (\@load, \@never);
}

# a Link value as [URL, rel, crossorigin, the rest]
sub parse_link {
    my ($v) = @_;
    my ($url) = $v =~ /^<([^>]*)>/;
    my ($rel) = $v =~ /;\s*rel=([\w-]+)/;
    my $co = $v =~ /;\s*crossorigin=use-credentials/ ? 'use-credentials'
           : $v =~ /;\s*crossorigin(?:=anonymous)?(?:;|$)/ ? 'anonymous' : 'none';
    return [ $url, $rel, $co, $v ];
}

# what a page's tags load, as a browser's 103 must say it
sub want_hints {
    my ($load) = @_;
    return [ map {
        my ($kind, $co, $url) = @$_;
        [ $url, $kind eq 'stylesheet' ? 'preload' : 'modulepreload', $co ]
    } @$load ];
}

my @cases = (
    # page, entry, oracle file, params expected on every pushed file
    [ '/mfpage-index/', 'index.html', 'expected.txt', '' ],
    [ '/mfpage-blog/', 'blog.html', 'expected-nohoist.txt', 'critical' ],
    [ '/mfroute/hello', 'blog.html', 'expected.txt', '', '/img/hello/hero.webp' ],
);
plan tests => 7 * @cases + 5;

for my $case (@cases) {
    my ($page, $entry, $oracle, $param, $extra) = @$case;
    my ($load, $never) = expected($oracle, $entry);
    die "no rows for $entry in $oracle" unless @$load;

    # a browser: push refused, a navigation
    my $res = client_for('qpmanifest', accept_push => 0)->get($page, headers => [ NAVIGATION ]);
    is($res->{status}, 200, "$page: 200");
    is(scalar @{ $res->{interim} }, 1, "$page: one 103 for a browser's navigation");
    my @links = map { parse_link($_) } @{ links_of($res->{interim}[0] || {}) };
    my @got = map { [ @$_[0 .. 2] ] } @links;
    my $want = want_hints($load);
    push @$want, [ $extra, 'preload', 'none' ] if $extra;
    is_deeply(\@got, $want, "$page: the 103 names what Vite's HTML for $entry loads, "
              . "in its order, same rel and crossorigin ($oracle)")
        or diag explain [ map { $_->[3] } @links ];
    my %announced = map { $_->[0] => 1 } @links;
    ok(!grep({ $announced{$_} } @$never), "$page: no file of a dynamic import is announced")
        or diag explain $never;

    # a push client: every file pushed, as rel=preload (mod_http2 pushes
    # only those), with the parameters written after the resource
    $res = client_for('qpmanifest')->get($page, headers => [ NAVIGATION ]);
    my @pushed = @{ paths_of($res) };
    my @want_push = map { $_->[2] } @$load;
    push @want_push, $extra if $extra;
    is_deeply([ sort @pushed ], [ sort @want_push ], "$page: a push client gets every file pushed")
        or diag explain \@pushed;
    # (the route's image is not in htdocs: only the manifest's files count)
    my @bad = grep { ($_->{response}{status} // 0) != 200 && $_->{path} ne ($extra // '') }
              @{ $res->{pushes} || [] };
    ok(@pushed && !@bad, "$page: ... each pushed response a 200 (the files are served)")
        or diag explain [ map { "$_->{path} " . ($_->{response}{status} // 'none') } @bad ];
    my @interim = map { parse_link($_) } map { @{ links_of($_) } } @{ $res->{interim} || [] };
    my @wrong = grep { $_->[1] ne 'preload' || ($param && $_->[3] !~ /;\s*\Q$param\E\b/) }
                grep { $_->[0] ne ($extra // '') } @interim;
    ok(@interim && !@wrong, "$page: ... from rel=preload links"
       . ($param ? " that carry '$param'" : ''))
        or diag explain [ map { $_->[3] } @interim ];
}

# the status page shows each manifest and what its resources expand to
my $res = client_for('qpmanifest')->get('/quartpush-status?json');
my $j = eval { decode_json($res->{body}) } || {};
my %m = map { $_->{name} => $_ } @{ $j->{manifests} || [] };
ok($m{vite} && $m{nohoist} && $m{deploy}, 'the status page lists the virtual host\'s manifests')
    or diag $res->{body};
is($m{vite}{entries}, 6, '... with the number of entries of each');
ok(!defined $m{vite}{last_error}, '... and no error');
my ($r) = grep { $_->{resource} eq '@vite:index.html' } @{ $m{vite}{resources} || [] };
is_deeply([ map { parse_link($_)->[0] } @{ $r->{links} || [] } ],
          [ map { $_->[2] } @{ (expected('expected.txt', 'index.html'))[0] } ],
          '... and what each @ resource expands to now');
like($r->{declared_at} // '', qr/extra\.conf:\d+$/, '... and where it is written');
