# SPDX-License-Identifier: Apache-2.0
# QuartPushManifest's settings for pages whose tags a backend helper
# writes rather than the build tool: css-crossorigin= (Laravel's @vite,
# vite_ruby and django-vite write <link rel="stylesheet"> without
# crossorigin, unlike Vite's own HTML) and scripts=module (Propshaft with
# importmap-rails loads a flat manifest's JavaScript as modules). A
# browser's navigation gets a 103 whose links match those tags, so that
# nothing is fetched twice; a push client still gets every file pushed,
# as rel=preload links (the only ones mod_http2 pushes).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use JSON::PP;

# a Link value as [URL, rel, as, crossorigin, the whole value]
sub parse_link {
    my ($v) = @_;
    my ($url) = $v =~ /^<([^>]*)>/;
    my ($rel) = $v =~ /;\s*rel=([\w-]+)/;
    my ($as) = $v =~ /;\s*as=(\w+)/;
    my $co = $v =~ /;\s*crossorigin=use-credentials/ ? 'use-credentials'
           : $v =~ /;\s*crossorigin(?:=anonymous)?(?:;|$)/ ? 'anonymous' : 'none';
    return [ $url, $rel, $as // '', $co, $v ];
}

my @cases = (
    # page, what it stands for, [URL, a browser's rel, as, crossorigin] in order
    [ '/mfp-laravel/', "Laravel's \@vite (vite, css-crossorigin=none)", [
        [ '/build/assets/index-DaCWtDuE.js',  'modulepreload', '',      'anonymous' ],
        [ '/build/assets/util-C58zqT9B.js',   'modulepreload', '',      'anonymous' ],
        [ '/build/assets/shared-B2tF-RD8.js', 'modulepreload', '',      'anonymous' ],
        [ '/build/assets/shared-DL65rIRg.css', 'preload',      'style', 'none' ],
        [ '/build/assets/index-DiOdy2cU.css',  'preload',      'style', 'none' ],
    ] ],
    [ '/mfp-creds/', 'crossorigin=use-credentials with css-crossorigin=none', [
        [ '/build/assets/index-DaCWtDuE.js',  'modulepreload', '',      'use-credentials' ],
        [ '/build/assets/util-C58zqT9B.js',   'modulepreload', '',      'use-credentials' ],
        [ '/build/assets/shared-B2tF-RD8.js', 'modulepreload', '',      'use-credentials' ],
        [ '/build/assets/shared-DL65rIRg.css', 'preload',      'style', 'none' ],
        [ '/build/assets/index-DiOdy2cU.css',  'preload',      'style', 'none' ],
    ] ],
    [ '/mfp-propshaft/', 'Propshaft with importmap-rails (flat, scripts=module)', [
        [ '/assets/index-DiOdy2cU.css', 'preload',       'style', 'none' ],
        [ '/assets/index-DaCWtDuE.js',  'modulepreload', '',      'anonymous' ],
    ] ],
    [ '/mfp-encore/', 'entrypoints, scripts=module', [
        [ '/assets/util-C58zqT9B.js',   'modulepreload', '',      'anonymous' ],
        [ '/assets/index-DaCWtDuE.js',  'modulepreload', '',      'anonymous' ],
        [ '/assets/index-DiOdy2cU.css', 'preload',       'style', 'none' ],
    ] ],
);
plan tests => 6 * @cases + 5;

for my $case (@cases) {
    my ($page, $what, $want) = @$case;

    # a browser: push refused, a navigation
    my $res = client_for('qpmfparams', accept_push => 0)->get($page, headers => [ NAVIGATION ]);
    is(scalar @{ $res->{interim} }, 1, "$page: one 103 for a browser's navigation");
    my @links = map { parse_link($_) } @{ links_of($res->{interim}[0] || {}) };
    is_deeply([ map { [ @$_[0 .. 3] ] } @links ], $want,
              "$page: $what: the 103's links match the page's tags (rel, as, crossorigin)")
        or diag explain [ map { $_->[4] } @links ];

    # a push client: every file pushed and served, from rel=preload links
    # in the CORS mode of the tag (a module's in CORS mode)
    $res = client_for('qpmfparams')->get($page, headers => [ NAVIGATION ]);
    my @pushed = @{ paths_of($res) };
    is_deeply([ sort @pushed ], [ sort map { $_->[0] } @$want ],
              "$page: a push client gets every file pushed")
        or diag explain \@pushed;
    my @bad = grep { ($_->{response}{status} // 0) != 200 } @{ $res->{pushes} || [] };
    ok(@pushed && !@bad, "$page: ... each pushed response a 200")
        or diag explain [ map { "$_->{path} " . ($_->{response}{status} // 'none') } @bad ];
    my @interim = map { parse_link($_) } map { @{ links_of($_) } } @{ $res->{interim} || [] };
    my %co = map { $_->[0] => $_->[3] } @$want;
    my @wrong = grep { $_->[1] ne 'preload' || ($_->[2] ne ($_->[0] =~ /\.css$/ ? 'style' : 'script')) }
                @interim;
    ok(@interim && !@wrong, "$page: ... from rel=preload links with as=style or as=script")
        or diag explain [ map { $_->[4] } @interim ];
    @wrong = grep { $_->[3] ne ($co{ $_->[0] } // '?') } @interim;
    ok(@interim && !@wrong, "$page: ... each in the CORS mode of its tag")
        or diag explain [ map { $_->[4] } @interim ];
}

# the status page shows each manifest's settings, and its expansion with them
my $res = client_for('qpmfparams')->get('/quartpush-status?json');
my $j = eval { decode_json($res->{body}) } || {};
my %m = map { $_->{name} => $_ } @{ $j->{manifests} || [] };
is($m{laravel}{settings}, 'css-crossorigin=none', 'the status page shows css-crossorigin=')
    or diag $res->{body};
is($m{propshaft}{settings}, 'scripts=module', '... and scripts=');
ok($m{laravel} && !defined $m{laravel}{last_error}, '... and no error');
my ($r) = grep { $_->{resource} eq '@laravel:index.html' } @{ $m{laravel}{resources} || [] };
is_deeply([ map { parse_link($_)->[3] } @{ $r->{links} || [] } ],
          [ map { $_->[3] } @{ $cases[0][2] } ],
          '... and what each @ resource expands to, with its settings');
($r) = grep { $_->{resource} eq '@propshaft:application.js' } @{ $m{propshaft}{resources} || [] };
is_deeply($r->{links}, [ '</assets/index-DaCWtDuE.js>; rel=modulepreload; crossorigin' ],
          '... a flat manifest\'s module as a modulepreload')
    or diag explain $r;
