# SPDX-License-Identifier: Apache-2.0
# What a 103 costs when the navigation is answered 304. Headless Chromium
# loads a static page (Cache-Control: no-cache) whose two files are fresh
# for a year, then loads it again with the same profile: the second
# navigation revalidates (If-None-Match) and gets a 304, and mod_quartpush,
# which decides before the handler, sends it the same 103. Chromium must
# take the hinted files from its cache: the server sees no request for
# them on the reload. The figures are printed as diagnostics
# (docs/push-or-hints.md#revalidations quotes them). Resource Timing is no
# witness here: Chromium reports a file taken from the Early Hints as
# transferSize 0, deliveryType "cache" on the first visit too; the
# server's log is.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;
use QuartPushTest::Browser qw(find_chromium spki_hash test_certificate
                              page_timing delay_proxy failures);

plan skip_all => 'chromium is not installed (scripts/install-deps installs it)'
    unless find_chromium();
plan tests => 8;

my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2hints}{port} or die "no h2hints virtual host\n";
my $proxy = delay_proxy($port, 20);
my $spki = spki_hash(test_certificate());
my $log = Apache::Test::vars('t_logs') . '/browser_log';
my $profile = tempdir('reval-XXXXXX', DIR => Apache::Test::vars('t_dir'), CLEANUP => 1);
my @assets = ('/browser/reval/a/reval.css', '/browser/reval/a/reval.js');

# one load in the kept profile: Chromium's timing, and what the server
# logged meanwhile as { path => [status, ...] }
sub load {
    my ($n) = @_;
    my $from = -s $log || 0;
    my $t = page_timing("https://localhost:${\ $proxy->port }/browser/reval/index.html",
                        spki => $spki, profile => $profile, timeout => 30);
    my %seen;
    for (1 .. 40) {
        %seen = ();
        if (open my $fh, '<', $log) {
            seek $fh, $from, 0;
            while (<$fh>) {
                my (undef, undef, $status, $path) = split ' ';
                $path =~ s/\?.*//;
                push @{ $seen{$path} }, $status;
            }
        }
        last if $seen{'/browser/reval/index.html'} && ($n == 2 || @{ $seen{$assets[1]} || [] });
        sleep 0.05;
    }
    sleep 0.3 if $n == 2;   # a late asset request would be logged by now
    return ($t, \%seen);
}

sub entry {
    my ($t, $path) = @_;
    my ($e) = grep { $_->{name} eq $path } @{ $t->{resources} };
    return $e || {};
}

sub figures {
    my ($what, $t, $seen) = @_;
    my $nav = $t->{navigation};
    diag(sprintf '%s: page %s, 103 at %.0f ms, final response at %.0f ms; %s',
         $what, join(',', @{ $seen->{'/browser/reval/index.html'} || ['-'] }),
         $nav->{firstInterimResponseStart}, $nav->{finalResponseHeadersStart},
         join('; ', map {
             my $e = entry($t, $_);
             sprintf '%s: %s, transferSize %s, deliveryType "%s", server saw %s',
                 $_, $e->{initiatorType} // '-', $e->{transferSize} // '-',
                 $e->{deliveryType} // '', join(',', @{ $seen->{$_} || ['nothing'] });
         } @assets));
}

my ($t, $seen) = load(1);
figures('first visit', $t, $seen);
is_deeply($seen->{'/browser/reval/index.html'}, [200], 'first visit: the page is a 200');
ok($t->{navigation}{firstInterimResponseStart} > 0, 'first visit: with a 103');
is_deeply([ map { entry($t, $_)->{initiatorType} } @assets ], ['early-hints', 'early-hints'],
          'first visit: both files come from the Early Hints');
is_deeply([ map { scalar @{ $seen->{$_} || [] } } @assets ], [1, 1],
          'first visit: each asked for once');

($t, $seen) = load(2);
figures('reload', $t, $seen);
is_deeply($seen->{'/browser/reval/index.html'}, [304], 'reload: the page is revalidated, a 304');
ok($t->{navigation}{firstInterimResponseStart} > 0, 'reload: the 304 came after the same 103');
is_deeply([ map { scalar @{ $seen->{$_} || [] } } @assets ], [0, 0],
          'reload: the server saw no request for the hinted files (Chromium took them from its cache)');
ok($t->{scriptRan}, 'reload: the cached script ran');
