# SPDX-License-Identifier: Apache-2.0
# t/hints_used_browser.t's counts with Firefox: the same pages (their *ff
# copies, so that the two files count apart) loaded by headless Firefox,
# which acts on a navigation's first 103 (Firefox 123+). Each page's rules
# name two files it uses and one it never loads: after the page and the
# grace period, the status page must count 1 used early for each file it
# uses and 1 unused for the other, with crossorigin and for the module
# scripts of a Vite manifest and a crossorigin font too. late.dat (hinted
# without as=) is asked for once the HTML is in: late.
#
# Headless Firefox (firefox-esr --screenshot) trusts the test CA through
# its profile's NSS database (certutil), as in t/backend_hints_firefox.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;
use QuartPushTest::Browser qw(delay_proxy browser_log_since);

my ($firefox) = grep { -x $_ } map { ("$_/firefox-esr", "$_/firefox") } split /:/, $ENV{PATH};
plan skip_all => 'firefox is not installed (apt-get install firefox-esr)' unless $firefox;
plan skip_all => 'certutil is not installed (apt-get install libnss3-tools)'
    unless grep { -x "$_/certutil" } split /:/, $ENV{PATH};
plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');

my %pages = (
    plainff => [ [ '/browser/used/plainff/a.css', '/browser/used/plainff/a.js' ],
                 '/browser/used/plainff/never.css' ],
    corsff  => [ [ '/browser/used/corsff/c.css crossorigin',
                   '/browser/used/corsff/c.js crossorigin' ],
                 '/browser/used/corsff/never.css crossorigin' ],
    modff   => [ [ '@usedmodff:a.js', '@usedmodff:b.js',
                   '/browser/used/modff/f.woff2 crossorigin' ],
                 '@usedmodff:never.js' ],
);
my @order = qw(plainff corsff modff);
plan tests => 3 * 3;

my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2used}{port} or die "no h2used virtual host\n";
my $proxy = delay_proxy($port, 20);
my $log = Apache::Test::vars('t_logs') . '/browser_log';
my $ca = Apache::Test::vars('sslca') . '/' . Apache::Test::vars('sslcaorg') . '/certs/ca.crt';

# A fresh Firefox profile that trusts the test CA
sub firefox_profile {
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
    return $dir;
}

# Loads $url in headless Firefox with the profile $dir
sub firefox_load {
    my ($url, $dir) = @_;
    unlink "$dir/shot.png";
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

sub used_rows {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $json = eval { JSON::PP::decode_json($res->{body} || '{}') } || {};
    return { map { ($_->{resource} => $_) } @{ $json->{hints_used}{rules} || [] } };
}

sub delta {
    my ($before, $after, $rule) = @_;
    my ($b, $a) = ($before->{$rule} || {}, $after->{$rule} || {});
    return { map { ($_ => ($a->{$_} // 0) - ($b->{$_} // 0)) }
             qw(announced used_early late unused refused evicted) };
}

sub want {
    my (%d) = @_;
    return { announced => 1, used_early => 0, late => 0, unused => 0,
             refused => 0, evicted => 0, %d };
}

for my $page (@order) {
    my ($uses, $never) = @{ $pages{$page} };
    my $profile = firefox_profile();
    firefox_load("https://localhost:${\ $proxy->port }/browser/used/warm/$page.html", $profile);
    my $before = used_rows();
    my $from = -s $log || 0;
    firefox_load("https://localhost:${\ $proxy->port }/browser/used/$page/?run=$$-ff", $profile);
    for (1 .. 100) {
        last if browser_log_since($log, $from)->{"/browser/used/$page/index.cgi"};
        sleep 0.05;
    }
    sleep 3.5;
    my $after = used_rows();
    is_deeply([ map { delta($before, $after, $_) } @$uses ],
              [ map { want(used_early => 1) } @$uses ],
              "$page: each of the files the page uses counts 1 used early")
        or diag explain [ { map { ($_ => delta($before, $after, $_)) } @$uses },
                          browser_log_since($log, $from) ];
    is_deeply(delta($before, $after, $never), want(unused => 1),
              "$page: the file it never loads (the browser has it) counts 1 unused");
    is_deeply(delta($before, $after, "/browser/used/$page/late.dat"), want(late => 1),
              "$page: late.dat, asked for once the HTML is in, counts 1 late");
}
