# SPDX-License-Identifier: Apache-2.0
# A real browser uses mod_quartpush's 103 Early Hints. Headless Chromium,
# which refuses push like every current browser, loads a page whose handler
# takes 300 ms (t/htdocs/browser/hints/index.cgi) from the h2hints virtual
# host. The page's CSS and JS, declared with QuartPushResource, must come
# from the 103: Resource Timing says initiatorType "early-hints", and the
# server saw both asked for while the handler was still running. The same
# page where QuartPushEarlyHints is off gets no 103, and its CSS and JS are
# fetched the ordinary way, after the HTML, which shows the checks can fail.
#
# Chromium trusts the test certificate by its public key
# (--ignore-certificate-errors-spki-list): with --ignore-certificate-errors
# it would not use Early Hints at all. It talks to the server through
# bench/qp_delayproxy (20 ms each way): see delay_proxy in
# t/lib/QuartPushTest/Browser.pm for why a loopback without delay is flaky.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Time::HiRes qw(sleep);
use JSON::PP ();
use lib 't/lib';
use QuartPushTest::Browser qw(find_chromium spki_hash test_certificate
                              page_timing delay_proxy browser_log_since
                              failures explain_failures);

plan skip_all => 'chromium is not installed (scripts/install-deps installs it)'
    unless find_chromium();
plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');
plan tests => 8 + 6;

my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2hints}{port} or die "no h2hints virtual host\n";
my $proxy = delay_proxy($port, 20);
my $spki = spki_hash(test_certificate());
my $log = Apache::Test::vars('t_logs') . '/browser_log';

# Loads /browser/$page/ in a fresh Chromium and returns its timing (see
# page_timing) and the lines browser_log got meanwhile, as
# { path => [ [begin_us, end_us, sec_fetch_mode], ... ] }.
sub load {
    my ($page) = @_;
    my $query = "run=$$-$page";
    my $from = -s $log || 0;
    my $t = page_timing("https://localhost:${\ $proxy->port }/browser/$page/?$query",
                        spki => $spki, timeout => 30);
    # httpd logs a request once it is done: wait for the page and its assets
    my $seen = {};
    for (1 .. 100) {
        $seen = browser_log_since($log, $from);
        last if $seen->{"/browser/$page/index.cgi"} && $seen->{'/browser/style.css'}
             && $seen->{'/browser/script.js'};
        sleep 0.05;
    }
    return ($t, $seen);
}

sub entry {
    my ($t, $path) = @_;
    my ($e) = grep { $_->{name} eq $path } @{ $t->{resources} };
    return $e || {};
}

my @assets = ('/browser/style.css', '/browser/script.js');

# --- QuartPushResource in scope: the CSS and JS come from the 103
{
    my $failed_before = failures();
    my ($t, $seen) = load('hints');
    my $nav = $t->{navigation};
    is($nav->{nextHopProtocol}, 'h2', 'hints: the page came over h2');
    ok($nav->{finalResponseHeadersStart} >= 300,
       sprintf('hints: the 200 began after the 300 ms handler (%d ms)',
               $nav->{finalResponseHeadersStart}));
    ok($nav->{firstInterimResponseStart} > 0
       && $nav->{firstInterimResponseStart} < $nav->{finalResponseHeadersStart},
       sprintf('hints: a 103 came before it (%d ms)', $nav->{firstInterimResponseStart}));
    my ($page) = @{ $seen->{'/browser/hints/index.cgi'} || [[0, 0]] };
    for my $path (@assets) {
        is(entry($t, $path)->{initiatorType}, 'early-hints',
           "hints: Chromium took $path from the Early Hints");
        # Resource Timing cannot show when a hinted asset was fetched:
        # Chromium reports it as delivered from its preload cache once the
        # page asks for it, after the HTML. The server log can.
        my @req = @{ $seen->{$path} || [] };
        ok(@req == 1 && $req[0][0] > $page->[0] && $req[0][0] < $page->[1],
           "hints: $path was asked for once, while the handler ran ("
           . join(', ', map { sprintf '+%d ms', ($_->[0] - $page->[0]) / 1000 } @req)
           . sprintf(' of %d ms)', ($page->[1] - $page->[0]) / 1000));
    }
    ok($t->{scriptRan}, 'hints: the hinted script ran');
    explain_failures('hints', $t, $seen, $failed_before);
}

# --- QuartPushEarlyHints off: the same page gets no 103, and the browser
#     fetches its CSS and JS only once the HTML names them
{
    my $failed_before = failures();
    my ($t, $seen) = load('off');
    my $nav = $t->{navigation};
    is($nav->{nextHopProtocol}, 'h2', 'off: the page came over h2');
    is($nav->{firstInterimResponseStart}, 0, 'off: no 103');
    my ($page) = @{ $seen->{'/browser/off/index.cgi'} || [[0, 0]] };
    my %type = ('/browser/style.css' => 'link', '/browser/script.js' => 'script');
    for my $path (@assets) {
        is(entry($t, $path)->{initiatorType}, $type{$path},
           "off: $path was fetched by the page's <$type{$path}>");
        my @req = @{ $seen->{$path} || [] };
        ok(@req == 1 && $req[0][0] > $page->[1],
           "off: $path was asked for after the handler was done");
    }
    explain_failures('off', $t, $seen, $failed_before);
}
