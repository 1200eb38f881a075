# SPDX-License-Identifier: Apache-2.0
# A real browser on a page built by Vite (issue 17): headless Chromium loads
# a page whose handler takes 300 ms and then sends Vite's built HTML for an
# entry (t/htdocs/browser/vite/page.cgi: dist/index.html or dist/blog.html
# of test/manifest/vite-app, tags and crossorigin as Vite wrote them). Its
# 103 comes from QuartPushResource @vite:ENTRY, a QuartPushManifest of that
# build. Every file the entry loads (its module script, the imported chunks
# it modulepreloads, their CSS and its own; the list is read from the
# oracle, test/manifest/vite-app/expected.txt) must come from the 103:
# Resource Timing has one entry for it, of initiatorType "early-hints"; the
# server saw it asked for exactly once in that page load, in "cors" mode as
# the page's crossorigin tags ask, while the handler was still running; the
# dynamic import (lazy-*.js, lazy-*.css) is not fetched at all.
#
# Negative controls, which show that each check can fail: the same page
# with QuartPushEarlyHints off (no 103: the files are fetched by the page's
# tags, after the HTML); hints without crossorigin (from an entrypoints
# manifest: fetched in "no-cors" mode); and hints for files the browser
# cannot keep (Cache-Control: no-store: every file is fetched twice).
#
# Chromium and its delay proxy are set up as in t/early_hints_browser.t
# (see there and t/lib/QuartPushTest/Browser.pm for why). Vite's files are
# served with a max-age of a year, as their hashed names allow: with only a
# Last-Modified of seconds ago (t/TEST.PL has just copied them), Chromium
# revalidates each hinted file when the page asks for it (a 304), and the
# "once" checks fail (see extra.conf.in).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Time::HiRes qw(sleep);
use JSON::PP ();
use FindBin;
use lib 't/lib';
use QuartPushTest::Browser qw(find_chromium spki_hash test_certificate
                              page_timing delay_proxy browser_log_since
                              failures explain_failures);

plan skip_all => 'chromium is not installed (scripts/install-deps installs it)'
    unless find_chromium();
plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');

my $app = "$FindBin::Bin/../test/manifest/vite-app";

# The files a page built by Vite loads for ENTRY, in document order, and
# those it reaches only by a dynamic import, from the oracle written from
# Vite's built HTML: ([URL, ...], [URL, ...])
sub entry_files {
    my ($entry) = @_;
    open my $fh, '<', "$app/expected.txt" or die "$app/expected.txt: $!";
    my (@load, @never);
    while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^#/ || $line !~ /\S/;
        my ($e, $kind, undef, $url) = split /\t/, $line;
        next unless $e eq $entry;
        push @{ $kind eq 'never' ? \@never : \@load }, $url;
    }
    die "no entry $entry in $app/expected.txt\n" unless @load;
    return (\@load, \@never);
}

my %files = map { $_ => [ entry_files($_) ] } qw(index.html blog.html);
my @index = @{ $files{'index.html'}[0] };
my @blog = @{ $files{'blog.html'}[0] };
# what no page load may fetch: the dynamic import of index.html
my @lazy = @{ $files{'index.html'}[1] };
die "the dynamic import of index.html is missing from expected.txt\n" unless @lazy;

plan tests => 2 * 6 + 3 * @index + 3 * @blog    # index/, blog/
            + 2 + 2 * @index                     # off/
            + 1 + @index                         # nocors/
            + 1 + 2 * @index;                    # nostore/

my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2vite}{port} or die "no h2vite virtual host\n";
my $proxy = delay_proxy($port, 20);
my $spki = spki_hash(test_certificate());
my $log = Apache::Test::vars('t_logs') . '/browser_log';

# Loads /browser/vite/$page/ in a fresh Chromium and returns its timing
# (see page_timing) and the lines browser_log got meanwhile, as
# { path => [ [begin_us, end_us, sec_fetch_mode], ... ] }.
sub load {
    my ($page, @want) = @_;
    my $from = -s $log || 0;
    my $t = page_timing("https://localhost:${\ $proxy->port }/browser/vite/$page/?run=$$-$page",
                        spki => $spki, timeout => 60);
    # httpd logs a request once it is done: wait for the page and its
    # files, then a little more for a request that would come after them
    my $seen = {};
    for my $try (1 .. 200) {
        $seen = browser_log_since($log, $from);
        last if $seen->{"/browser/vite/$page/index.cgi"} && !grep { !$seen->{$_} } @want;
        sleep 0.05;
    }
    sleep 0.5;
    return ($t, browser_log_since($log, $from));
}

# the initiatorType of each Resource Timing entry of $path, joined by ","
sub initiators {
    my ($t, $path) = @_;
    return join ',', map { $_->{initiatorType} }
                     grep { $_->{name} eq $path } @{ $t->{resources} };
}

# "+N ms" of each request of $path from the page's own begin
sub offsets {
    my ($req, $page) = @_;
    return join(', ', map { sprintf '+%d ms', ($_->[0] - $page->[0]) / 1000 } @$req)
        || 'never';
}

sub name_of { my ($url) = @_; $url =~ s{.*/}{}; $url }

# --- each entry, hinted from the manifest: every file from the 103, once
for my $case ([ 'index', 'index.html', '[home]' ], [ 'blog', 'blog.html', '[blog]' ]) {
    my ($page, $entry, $title) = @$case;
    my ($load) = @{ $files{$entry} };
    my $failed_before = failures();
    my ($t, $seen) = load($page, @$load);
    my $nav = $t->{navigation};
    is($nav->{nextHopProtocol}, 'h2', "$page: the page came over h2");
    ok($nav->{finalResponseHeadersStart} >= 300,
       sprintf("$page: the 200 began after the 300 ms handler (%d ms)",
               $nav->{finalResponseHeadersStart}));
    ok($nav->{firstInterimResponseStart} > 0
       && $nav->{firstInterimResponseStart} < $nav->{finalResponseHeadersStart},
       sprintf("$page: a 103 came before it (%d ms)", $nav->{firstInterimResponseStart}));
    is($t->{title}, $title,
       "$page: Vite's entry ran, with its imported chunks (it set the title)");
    my ($html) = @{ $seen->{"/browser/vite/$page/index.cgi"} || [[0, 0]] };
    for my $url (@$load) {
        my $name = name_of($url);
        # one entry only: a second fetch by the page would add one
        is(initiators($t, $url), 'early-hints',
           "$page: Chromium took $name from the Early Hints, and only from them");
        # Resource Timing cannot show when a hinted file was fetched: it is
        # delivered from Chromium's cache once the page asks for it. The
        # server log can.
        my @req = @{ $seen->{$url} || [] };
        ok(@req == 1 && $req[0][0] > $html->[0] && $req[0][0] < $html->[1],
           "$page: the server saw $name asked for once, while the handler ran ("
           . offsets(\@req, $html)
           . sprintf(' of %d ms)', ($html->[1] - $html->[0]) / 1000));
        is(join(',', map { $_->[2] } @req), 'cors',
           "$page: ... in cors mode, as the page's crossorigin tag asks for it");
    }
    my %load = map { $_ => 1 } @$load;
    my @other = grep { !$load{$_->{name}} } @{ $t->{resources} };
    is(join(' ', map { $_->{name} } @other), '',
       "$page: Resource Timing has no file that the entry does not load");
    is(join(' ', grep { $seen->{$_} } @lazy), '',
       "$page: the dynamic import was not fetched (only a click loads it)");
    explain_failures($page, $t, $seen, $failed_before);
}

# --- QuartPushEarlyHints off: no 103, every file is fetched by the page's
#     tags, after the HTML
{
    my $failed_before = failures();
    my ($t, $seen) = load('off', @index);
    my $nav = $t->{navigation};
    is($nav->{nextHopProtocol}, 'h2', 'off: the page came over h2');
    is($nav->{firstInterimResponseStart}, 0, 'off: no 103');
    my ($html) = @{ $seen->{'/browser/vite/off/index.cgi'} || [[0, 0]] };
    for my $url (@index) {
        my $name = name_of($url);
        my $types = initiators($t, $url);
        ok($types ne '' && $types !~ /early-hints/,
           "off: Chromium fetched $name for the page itself ($types)");
        my @req = @{ $seen->{$url} || [] };
        ok(@req == 1 && $req[0][0] > $html->[1],
           "off: $name was asked for once, after the handler was done ("
           . offsets(\@req, $html) . ')');
    }
    explain_failures('off', $t, $seen, $failed_before);
}

# --- hints without crossorigin (an entrypoints manifest names the same
#     files): Chromium fetches them in no-cors mode, unlike the page's tags
{
    my $failed_before = failures();
    my ($t, $seen) = load('nocors', @index);
    my $nav = $t->{navigation};
    ok($nav->{firstInterimResponseStart} > 0, 'nocors: a 103 came');
    for my $url (@index) {
        my $name = name_of($url);
        my @req = @{ $seen->{$url} || [] };
        ok(@req && $req[0][2] eq 'no-cors',
           "nocors: the hint for $name was fetched in no-cors mode, not as the "
           . 'page asks (' . join(',', map { $_->[2] } @req) . ')');
        # Chromium 156 still reuses such a same-origin file, from its HTTP
        # cache: said, not checked, as it is the browser's business
        note("nocors: $name: asked for " . scalar(@req) . ' time(s), initiatorType '
             . initiators($t, $url));
    }
    explain_failures('nocors', $t, $seen, $failed_before);
}

# --- hints for files the browser cannot keep (Cache-Control: no-store):
#     each file is fetched for the 103 and again for the page
{
    my $failed_before = failures();
    my ($t, $seen) = load('nostore', @index);
    my $nav = $t->{navigation};
    ok($nav->{firstInterimResponseStart} > 0, 'nostore: a 103 came');
    for my $url (@index) {
        my $name = name_of($url);
        my $types = initiators($t, $url);
        ok($types ne '' && $types !~ /early-hints/,
           "nostore: Chromium did not take $name from the Early Hints ($types)");
        my @req = @{ $seen->{$url} || [] };
        ok(@req == 2, "nostore: the server saw $name asked for twice ("
                      . scalar(@req) . ' times)');
    }
    explain_failures('nostore', $t, $seen, $failed_before);
}
