# SPDX-License-Identifier: Apache-2.0
# Used, late, unused, per rule (issue 25), with a real browser. Headless
# Chromium loads pages of the h2used virtual host whose handler takes 300 ms
# (t/htdocs/browser/used/page.cgi). Each page's rules name two files the
# page uses and one it never loads; one more, late.dat, is hinted without
# as= (which browsers ignore) and asked for by the page once its HTML is in.
# After the page is done and the grace period (3 s) has passed, the status
# page must count, for those rules: 1 used early for each file the page
# uses, 1 unused for the one it never loads, 1 late for late.dat. Three
# pages: plain/ (a stylesheet and a script), cors/ (the same behind
# crossorigin: Chromium fetches them without credentials, on another
# connection than the page's, which may land in another child), and mod/
# (two module scripts from a Vite manifest's @NAME:KEY, hinted as
# modulepreload, and a crossorigin font).
#
# Chromium fetches every preload a 103 names, whether the page uses it or
# not (content/browser/loader/navigation_early_hints_manager.cc), unless
# its cache has it fresh: then nothing reaches the server. A server sees
# fetches, not use. So the file the page never loads is one the browser
# has in its cache, as a returning visitor would: each page is loaded with
# a profile that first loaded a page outside every rule naming that file
# (t/htdocs/browser/used/warm/). The same page in a fresh profile shows the
# limit: the file it never loads is fetched from the 103, counted used early.
#
# The access log's notes say what each request of a hinted file was, and
# which rule hinted it. The HTML page lists the rules with the most unused
# first, and ?metrics, with labels per rule, passes promtool.
#
# Chromium and its delay proxy are set up as in t/early_hints_browser.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Spec ();
use File::Temp qw(tempfile);
use Time::HiRes qw(sleep);
use JSON::PP ();
use lib 't/lib';
use QuartPushTest;
use File::Temp qw(tempdir);
use QuartPushTest::Browser qw(find_chromium spki_hash test_certificate
                              dump_dom delay_proxy browser_log_since);

plan skip_all => 'chromium is not installed (scripts/install-deps installs it)'
    unless find_chromium();
plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');

# page => [ files it uses ], the file it never loads
my %pages = (
    plain => [ [ '/browser/used/plain/a.css', '/browser/used/plain/a.js' ],
               '/browser/used/plain/never.css' ],
    cors  => [ [ '/browser/used/cors/c.css crossorigin',
                 '/browser/used/cors/c.js crossorigin' ],
               '/browser/used/cors/never.css crossorigin' ],
    mod   => [ [ '@usedmod:a.js', '@usedmod:b.js',
                 '/browser/used/mod/f.woff2 crossorigin' ],
               '@usedmod:never.js' ],
);
my @order = qw(plain cors mod);

plan tests => 3 * 3 + 1 + 5 + 3 + 3 + 4 + 3;

my $cfg = Apache::Test::config();
my $port = $cfg->{vhosts}{h2used}{port} or die "no h2used virtual host\n";
my $proxy = delay_proxy($port, 20);
my $spki = spki_hash(test_certificate());
my $log = Apache::Test::vars('t_logs') . '/browser_log';
my $hint_log = Apache::Test::vars('t_logs') . '/hint_log';

# The status page's rows of hints_used, by rule text: { resource => row }
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

my $grace = 3.5;    # the module's 3 s, and a margin
my $base = "https://localhost:${\ $proxy->port }";

# Loads /browser/used/$page/ in Chromium with $profile (a fresh one when
# undef), waits for the page's log line and the grace period: the rows of
# the status page before and after
sub load {
    my ($page, $profile) = @_;
    my $before = used_rows();
    my $from = -s $log || 0;
    dump_dom("$base/browser/used/$page/?run=$$", spki => $spki, timeout => 30,
             (defined $profile ? (profile => $profile) : ()));
    # the page is logged once it is done: its grace period starts then
    for (1 .. 100) {
        last if browser_log_since($log, $from)->{"/browser/used/$page/index.cgi"};
        sleep 0.05;
    }
    sleep $grace;
    return ($before, used_rows());
}

for my $page (@order) {
    my ($uses, $never) = @{ $pages{$page} };
    # a returning visitor: the browser has the file the page never loads
    my $profile = tempdir('profile-XXXXXX', DIR => Apache::Test::vars('t_dir'), CLEANUP => 1);
    dump_dom("$base/browser/used/warm/$page.html", spki => $spki, timeout => 30,
             profile => $profile);
    my ($before, $after) = load($page, $profile);
    is_deeply([ map { delta($before, $after, $_) } @$uses ],
              [ map { want(used_early => 1) } @$uses ],
              "$page: each of the files the page uses counts 1 used early")
        or diag explain { map { ($_ => delta($before, $after, $_)) } @$uses };
    is_deeply(delta($before, $after, $never), want(unused => 1),
              "$page: the file it never loads (the browser has it) counts 1 unused");
    my $late = "/browser/used/$page/late.dat";
    is_deeply(delta($before, $after, $late), want(late => 1),
              "$page: late.dat, which the browser fetches only once the HTML asks, counts 1 late");
}

# The limit: in a fresh profile Chromium fetches the file the page never
# loads from the 103 all the same, while the page runs
{
    my ($before, $after) = load('plain', undef);
    is_deeply(delta($before, $after, $pages{plain}[1]), want(used_early => 1),
              'plain, a fresh profile: the file the page never loads is fetched from the 103: used early');
}

# The access log's note on each request of a hinted file
{
    my %note;
    open my $fh, '<', $hint_log or die "$hint_log: $!";
    while (<$fh>) {
        chomp;
        my ($path, $what, $rule) = split / /, $_, 3;
        $note{$path} = [ $what, $rule ];
    }
    is($note{'/browser/used/cors/c.js'}[0], 'early',
       'the access log notes quartpush-hint "early" on the crossorigin script');
    like($note{'/browser/used/cors/c.js'}[1] // '',
         qr{extra\.conf:\d+ /browser/used/cors/c\.js crossorigin$},
         '... and quartpush-hint-rule names its rule: FILE:LINE and the line');
    is($note{'/browser/used/plain/late.dat'}[0], 'late',
       'the access log notes "late" on late.dat');
    like($note{'/browser/used/mod/a.js'}[1] // '', qr{extra\.conf:\d+ \@usedmod:a\.js$},
         'a manifest\'s file is counted for its @NAME:KEY line');
    is($note{'/browser/used/mod/never.js'}[0], '-',
       'never.js was asked for by the warm-up page only, before any hint: no note');
}

# The HTML page: the rules with the most unused first
{
    my $res = client_for('h2tls')->get('/quartpush-status');
    my @unused = $res->{body} =~ m{<tr class="rule">.*?<td class="unused">(\d+)}g;
    ok(@unused >= 12, 'the HTML page shows a row per rule (' . scalar(@unused) . ')');
    is_deeply(\@unused, [ sort { $b <=> $a } @unused ],
              'the rules with the most unused come first');
    like($res->{body}, qr{<td class="unused">1 \(33%\)</td>|<td class="unused">[1-9]\d* \(\d+%\)</td>},
         'an unused count has its share of the rule\'s decided announcements');
}

# JSON: the table's figures
{
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $h = (JSON::PP::decode_json($res->{body}))->{hints_used};
    ok($h->{available}, 'the table is in shared memory');
    is($h->{table_slots}, 8192, 'its size is fixed: 8192 announcements');
    is($h->{grace_ms}, 3000, 'the grace period is 3 s');
}

# ?metrics: per rule, promtool-checked
SKIP: {
    my ($promtool) = $ENV{QP_PROMTOOL}
        || grep { -x } map { "$_/promtool" } File::Spec->path, '/usr/bin';
    skip 'promtool is not installed (apt-get install prometheus)', 4 unless $promtool;
    my $res = client_for('h2tls')->get('/quartpush-status?metrics');
    my ($fh, $file) = tempfile(UNLINK => 1);
    print $fh $res->{body};
    close $fh;
    my $out = `"$promtool" check metrics < "$file" 2>&1`;
    is($? >> 8, 0, 'promtool check metrics passes') or diag $out;
    like($res->{body}, qr{^quartpush_hint_outcomes_total\{rule="[^"]*extra\.conf:\d+",resource="/browser/used/plain/never\.css",outcome="unused"\} [1-9]}m,
         'quartpush_hint_outcomes_total: the unused file by rule and resource');
    like($res->{body}, qr{^quartpush_hint_announced_total\{rule="[^"]*",resource="\@usedmod:a\.js"\} [1-9]}m,
         'quartpush_hint_announced_total per rule, @NAME:KEY included');
    unlike($res->{body}, qr{\?run=}, 'no label holds a URL a client sent');
}

# A request after the grace period is no hit: the file stays unused
{
    my $before = used_rows();
    my $c = client_for('h2used');
    my $res = $c->get('/browser/used/plain/never.css');
    is($res->{status}, 200, 'a file asked for long after its page');
    my $after = used_rows();
    my @browser_rules = map { (@{ $pages{$_}[0] }, $pages{$_}[1]) } qw(cors mod);
    ok(!grep({ $after->{$_}{refused} } @browser_rules),
       'no rule of the browser\'s pages counts refused: a browser takes no push');
    is_deeply(delta($before, $after, '/browser/used/plain/never.css'),
              { %{ want() }, announced => 0 },
              'the file never loaded, asked for after its grace period, is no hit');
}
