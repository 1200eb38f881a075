# SPDX-License-Identifier: Apache-2.0
# A deploy rewrites the manifest while httpd runs, with no restart and no
# graceful: in place or by rename, every request made 2 s later (any
# child) announces the new files; a request sees the old manifest or the
# new one, never a mix; a manifest that cannot be read keeps the last good
# one, is logged once at level error and shows on the status page.
# htdocs/mf/manifest.json is the copy t/TEST.PL staged from the Vite build;
# /mfdeploy/ names its @deploy:index.html.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use File::Spec::Functions qw(catfile);
use JSON::PP;
use Time::HiRes qw(time sleep);
use POSIX ();

plan tests => 20;

my $file = catfile(Apache::Test::vars('documentroot'), 'mf', 'manifest.json');
open my $fh, '<', $file or die "$file: $!";
my $original = do { local $/; <$fh> };
close $fh;
END { write_in_place($original) if defined $original }

# generation N of the build: every fingerprint replaced by "gN", in the
# keys and the paths alike, so that a 103 tells which build it came from
sub build_text {
    my ($n) = @_;
    (my $t = $original) =~ s/-[A-Za-z0-9_]{2}[A-Za-z0-9_-]{6}\.(js|css)\b/-g$n.$1/g;
    return $t;
}
sub write_in_place {
    my ($text) = @_;
    open my $out, '>', $file or die "$file: $!";
    print $out $text;
    close $out;
}
sub write_by_rename {
    my ($text) = @_;
    open my $out, '>', "$file.tmp" or die "$file.tmp: $!";
    print $out $text;
    close $out;
    rename "$file.tmp", $file or die "rename: $!";
}

# the builds named by one 103 for /mfdeploy/: ("g3") or ("orig"), several
# if the 103 mixed them, () if there was none
sub builds_seen {
    my $res = client_for('qpmanifest', accept_push => 0)->get('/mfdeploy/', headers => [ NAVIGATION ]);
    return () unless $res->{status} == 200 && @{ $res->{interim} };
    my %b;
    for (@{ links_of($res->{interim}[0]) }) {
        my ($url) = /^<([^>]*)>/ or next;
        $b{ $url =~ /-(g\d+)\.(?:js|css)$/ ? $1 : 'orig' } = 1;
    }
    return sort keys %b;
}
# every one of $n requests, each on a new connection (any child)
sub all_see {
    my ($build, $n) = @_;
    my @seen = map { join(',', builds_seen()) } 1 .. $n;
    return (!grep({ $_ ne $build } @seen), \@seen);
}
sub status_of_deploy {
    my $res = client_for('qpmanifest')->get('/quartpush-status?json');
    my $j = eval { decode_json($res->{body}) } || {};
    my ($m) = grep { $_->{name} eq 'deploy' } @{ $j->{manifests} || [] };
    return $m || {};
}

my ($ok, $seen) = all_see('orig', 4);
ok($ok, 'before: the 103 names the files of the build as staged') or diag explain $seen;

# in place (same inode), as a deploy tool that truncates and writes
write_in_place(build_text(1));
my $t0 = time;
my $first;
while (time - $t0 < 3) {
    if (join(',', builds_seen()) eq 'g1') { $first = time - $t0; last }
    sleep 0.05;
}
ok(defined $first, sprintf('rewritten in place: the new files are announced after %.2f s',
                           $first // -1));
sleep 2 - (time - $t0) if time - $t0 < 2;
($ok, $seen) = all_see('g1', 8);
ok($ok, '... and by every request 2 s after the write, whichever child serves it')
    or diag explain $seen;

# by rename (a new inode), as rsync and most deploy tools do
write_by_rename(build_text(2));
$t0 = time;
sleep 2;
($ok, $seen) = all_see('g2', 8);
ok($ok, 'replaced by rename: every request 2 s later announces the new files')
    or diag explain $seen;

# never a mix: the manifest rewritten every 30 ms by another process while
# requests run; each 103 names the files of one build
my $writer = fork // die "fork: $!";
if (!$writer) {
    my $n = 10;
    my $end = time + 3;
    while (time < $end) {
        ($n % 2 ? \&write_in_place : \&write_by_rename)->(build_text($n));
        ++$n;
        sleep 0.03;
    }
    POSIX::_exit(0);
}
my ($requests, $mixed, %builds) = (0, 0);
my $end = time + 3.5;
while (time < $end) {
    my @b = builds_seen();
    ++$requests;
    ++$mixed if @b != 1;
    $builds{$_}++ for @b;
}
waitpid $writer, 0;
is($mixed, 0, "while it is rewritten every 30 ms: $requests requests, none with a mix or no 103");
cmp_ok(scalar(keys %builds), '>=', 2, '... and they did see new builds (' . join(' ', sort keys %builds) . ')');

# a broken manifest keeps the last good one, logged once, shown
write_by_rename(build_text(90));
sleep 2;
($ok, $seen) = all_see('g90', 4);
ok($ok, 'a good build (g90) is announced') or diag explain $seen;
my $log = catfile(Apache::Test::vars('t_logs'), 'error_log');
my $log_start = -s $log;
write_in_place('{"index.html": {"file": "assets/index-broken.js", ');
$t0 = time;
sleep 2;
# each child keeps the last good manifest it read: g90, or a build of the
# rewrites above for a child that served no request while g90 was there
sub all_good {
    my @seen = map { join(',', builds_seen()) } 1 .. 8;
    return (!grep({ !/^g\d+$/ } @seen), \@seen);
}
($ok, $seen) = all_good();
ok($ok, 'a manifest cut short: every request still gets one 103, of a good build')
    or diag explain $seen;
sleep 1.5;
($ok, $seen) = all_good();
ok($ok, '... still, seconds later') or diag explain $seen;
open my $lf, '<', $log or die;
seek $lf, $log_start, 0;
my @errors = grep { /QP00008/ } <$lf>;
close $lf;
cmp_ok(scalar @errors, '>=', 1, 'it is logged at level error (QP00008) ...');
my %per_pid;
$per_pid{ /\[pid (\d+)/ ? $1 : '?' }++ for @errors;
ok(!grep({ $_ > 1 } values %per_pid), '... once by each process that looked, not per request')
    or diag explain \@errors;
like($errors[0] // '', qr/\[quartpush:error\].*QuartPushManifest deploy \(.*extra\.conf:\d+\): invalid JSON at line 1, column \d+: .*; keeping the one loaded at /,
     '... naming the manifest, its directive, jansson\'s line and column, and what is kept');
my $st = status_of_deploy();
like($st->{last_error} // '', qr/^invalid JSON at line 1, column \d+/, 'the status page shows the error');
ok($st->{failed_at}, '... and when');
cmp_ok($st->{entries}, '==', 6, '... and the entries of the one kept');

# repaired: announced again, the error gone from the status page
write_by_rename(build_text(91));
sleep 2;
($ok, $seen) = all_see('g91', 8);
ok($ok, 'repaired: the next build is announced 2 s later') or diag explain $seen;
$st = status_of_deploy();
ok(!defined $st->{last_error}, '... and the status page shows no error any more')
    or diag explain $st;

# a deploy during a response: the first pass of /mfswap/swap.cgi takes
# the generation of build 91; its handler puts build 92 in place, has
# every child read it, and redirects to /mfswap-to/, whose final Link
# headers (@deploy:blog.html, QuartPushLinkHeader) must come from the
# generation the response took first: build 91, never a mix
write_in_place(build_text(91));
sleep 1.2;
($ok, $seen) = all_see('g91', 4);
ok($ok, 'build 91 is in use before the request') or diag explain $seen;
{
    my $next = catfile(Apache::Test::vars('documentroot'), 'mf', 'next.json');
    open my $out, '>', $next or die "$next: $!";
    print $out build_text(92);
    close $out;
    chmod 0666, $next;
}
my $res = client_for('qpmanifest', accept_push => 0)->get('/mfswap/swap.cgi', headers => [ NAVIGATION ]);
my %final;
for (@{ links_of($res) }) {
    my ($url) = /^<([^>]*)>/ or next;
    $final{ $url =~ /-(g\d+)\.(?:js|css)$/ ? $1 : 'orig' } = 1;
}
is(join(',', sort keys %final), 'g91',
   'a build deployed while the response was produced: its final Link headers are all of the build it started with')
    or diag explain [ $res->{status}, links_of($res) ];
($ok, $seen) = all_see('g92', 4);
ok($ok, '... while the next request gets the new build') or diag explain $seen;
