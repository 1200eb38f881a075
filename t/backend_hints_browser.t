# SPDX-License-Identifier: Apache-2.0
# A real browser and a proxied app that sends its own 103
# (t/backend/early_hints_backend.py: a 103 naming /browser/script.js, 300 ms
# of work, then the page of t/htdocs/browser/hints/index.cgi). The
# location declares /browser/style.css. Headless Chromium acts on the first
# 103 only. With QuartPushBackendHints merge there is one 103 with both
# sets: each file is fetched once, from the Early Hints (Resource Timing's
# initiatorType "early-hints"), while the backend works. With the default
# (first), the module's 103 comes first and the backend's script is fetched
# only once the HTML names it: what merge is for.
#
# Chromium reaches the server through bench/qp_delayproxy and trusts the
# test certificate by its key, as in t/early_hints_browser.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;
use QuartPushTest::Browser qw(find_chromium spki_hash test_certificate
                              page_timing delay_proxy browser_log_since
                              failures explain_failures);

plan skip_all => 'chromium is not installed (scripts/install-deps installs it)'
    unless find_chromium();
plan skip_all => 'mod_proxy_http is not loaded'
    unless Apache::Test::have_module('mod_proxy_http.c');
plan tests => 2 * 5;

my $backend = start_backend103();
my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2hints}{port} or die "no h2hints virtual host\n";
my $proxy = delay_proxy($port, 20);
my $spki = spki_hash(test_certificate());
my $log = Apache::Test::vars('t_logs') . '/browser_log';
my @assets = ('/browser/style.css', '/browser/script.js');

sub load {
    my ($page) = @_;
    my $from = -s $log || 0;
    my $t = page_timing("https://localhost:${\ $proxy->port }/browser/$page/page?run=$$",
                        spki => $spki, timeout => 30);
    my $seen = {};
    for (1 .. 100) {
        $seen = browser_log_since($log, $from);
        last if $seen->{"/browser/$page/page"} && $seen->{$assets[0]} && $seen->{$assets[1]};
        sleep 0.05;
    }
    return ($t, $seen);
}

sub entry {
    my ($t, $path) = @_;
    my ($e) = grep { $_->{name} eq $path } @{ $t->{resources} };
    return $e || {};
}

# --- merge: one 103, both sets fetched from it, once each
{
    my $failed_before = failures();
    my ($t, $seen) = load('b103m');
    is($t->{navigation}{nextHopProtocol}, 'h2', 'merge: the page came over h2');
    my ($page) = @{ $seen->{'/browser/b103m/page'} || [[0, 0]] };
    for my $path (@assets) {
        is(entry($t, $path)->{initiatorType}, 'early-hints',
           "merge: Chromium took $path from the Early Hints");
        my @req = @{ $seen->{$path} || [] };
        ok(@req == 1 && $req[0][0] > $page->[0] && $req[0][0] < $page->[1],
           "merge: $path was asked for once, while the backend worked");
    }
    explain_failures('merge', $t, $seen, $failed_before);
}

# --- first (the default): the backend's 103 comes second and is ignored
{
    my $failed_before = failures();
    my ($t, $seen) = load('b103');
    is($t->{navigation}{nextHopProtocol}, 'h2', 'first: the page came over h2');
    is(entry($t, '/browser/style.css')->{initiatorType}, 'early-hints',
       "first: the module's /browser/style.css came from the (first) 103");
    isnt(entry($t, '/browser/script.js')->{initiatorType} // '', 'early-hints',
         "first: the backend's /browser/script.js did not (its 103 came second)");
    my ($page) = @{ $seen->{'/browser/b103/page'} || [[0, 0]] };
    my @req = @{ $seen->{'/browser/script.js'} || [] };
    ok(@req == 1 && $req[0][0] > $page->[1],
       'first: ... it was asked for after the page had arrived');
    is(scalar @{ $seen->{'/browser/style.css'} || [] }, 1, 'first: style.css was asked for once');
    explain_failures('first', $t, $seen, $failed_before);
}
