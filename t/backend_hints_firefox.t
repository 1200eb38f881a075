# SPDX-License-Identifier: Apache-2.0
# t/backend_hints_browser.t's check in Firefox: a proxied app sends its own
# 103 naming /browser/script.js after 0 ms, then works 300 ms; the location
# declares /browser/style.css. Firefox (123+) acts on the first 103 of a
# navigation only. With QuartPushBackendHints merge both files must be
# asked for once, while the app still works (before the page ended at the
# server): that is Firefox fetching them from the one 103. With the
# default, the app's script is asked for only after the page.
#
# Headless Firefox (firefox-esr --screenshot) exposes no Resource Timing
# here, so the server's log is the witness. It trusts the test CA through
# its profile's NSS database (certutil, package libnss3-tools).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;
use QuartPushTest::Browser qw(delay_proxy browser_log_since);

my ($firefox) = grep { -x $_ } map { ("$_/firefox-esr", "$_/firefox") } split /:/, $ENV{PATH};
plan skip_all => 'firefox is not installed (apt-get install firefox-esr)' unless $firefox;
plan skip_all => 'certutil is not installed (apt-get install libnss3-tools)'
    unless grep { -x "$_/certutil" } split /:/, $ENV{PATH};
plan skip_all => 'mod_proxy_http is not loaded'
    unless Apache::Test::have_module('mod_proxy_http.c');
plan tests => 2 * 2;

my $backend = start_backend103();
my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2hints}{port} or die "no h2hints virtual host\n";
my $proxy = delay_proxy($port, 20);
my $log = Apache::Test::vars('t_logs') . '/browser_log';
my $ca = Apache::Test::vars('sslca') . '/' . Apache::Test::vars('sslcaorg') . '/certs/ca.crt';

# Loads $url in a fresh headless Firefox profile that trusts the test CA
sub firefox_load {
    my ($url) = @_;
    my $dir = tempdir('firefox-XXXXXX', DIR => Apache::Test::vars('t_dir'), CLEANUP => 1);
    open my $fh, '>', "$dir/user.js" or die "$dir/user.js: $!";
    print $fh map { "user_pref($_);\n" }
        '"network.early-hints.enabled", true',
        '"network.http.http2.enabled", true',
        '"browser.shell.checkDefaultBrowser", false',
        '"datareporting.policy.dataSubmissionEnabled", false',
        '"toolkit.telemetry.reportingpolicy.firstRun", false',
        '"browser.startup.homepage_override.mstone", "ignore"',
        '"app.update.disabledForTesting", true';
    close $fh;
    system('certutil', '-N', '--empty-password', '-d', "sql:$dir") == 0
        or die "certutil -N failed\n";
    system('certutil', '-A', '-n', 'quartpush-test-ca', '-t', 'C,,', '-i', $ca,
           '-d', "sql:$dir") == 0 or die "certutil -A failed\n";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);
        $ENV{HOME} = $dir;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/stdout.log";
        open STDERR, '>', "$dir/stderr.log";
        exec($firefox, '--headless', '--no-remote', '--profile', $dir,
             '--screenshot', "$dir/shot.png", $url) or POSIX::_exit(127);
    }
    for (1 .. 1200) {
        last if waitpid($pid, POSIX::WNOHANG()) > 0;
        sleep 0.05;
    }
    kill 'KILL', -$pid;
    waitpid $pid, 0;
}

sub load {
    my ($page) = @_;
    my $from = -s $log || 0;
    firefox_load("https://localhost:${\ $proxy->port }/browser/$page/page?run=$$-ff");
    my $seen = {};
    for (1 .. 40) {
        $seen = browser_log_since($log, $from);
        last if $seen->{"/browser/$page/page"} && $seen->{'/browser/script.js'};
        sleep 0.05;
    }
    return $seen;
}

sub during {
    my ($seen, $page, $path) = @_;
    my ($p) = @{ $seen->{"/browser/$page/page"} || [[0, 0]] };
    my @req = @{ $seen->{$path} || [] };
    return (scalar @req, @req && $req[0][0] > $p->[0] && $req[0][0] < $p->[1] ? 1 : 0);
}

my $seen = load('b103m');
my @css = during($seen, 'b103m', '/browser/style.css');
my @js = during($seen, 'b103m', '/browser/script.js');
is_deeply(\@css, [1, 1], "merge: Firefox asked for the module's style.css once, while the app worked")
    or diag explain $seen;
is_deeply(\@js, [1, 1], "merge: ... and for the app's script.js once, while the app worked")
    or diag explain $seen;

$seen = load('b103');
@css = during($seen, 'b103', '/browser/style.css');
@js = during($seen, 'b103', '/browser/script.js');
is_deeply(\@css, [1, 1], "first: the module's style.css, from the first 103, while the app worked")
    or diag explain $seen;
is_deeply(\@js, [1, 0], "first: the app's script.js only after the page (its 103 came second)")
    or diag explain $seen;
