# SPDX-License-Identifier: Apache-2.0
# A deploy never takes the server down, and no hint names a file that is
# gone. The virtual host qpdeploy names @live:index.html and
# @live:blog.html of a Vite build in htdocs/deploy/build, which is not
# there when httpd starts: httpd starts all the same, and this test writes
# builds of test/manifest/vite-app as deploys do (the files, then the
# manifest; or the manifest first; a build without a key; a manifest with
# its files deleted; a FIFO), and checks what the 103 names after each,
# and that a graceful restart by signal (USR1) while a key is missing
# leaves the server serving.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use FindBin;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);

plan tests => 33;

my $dist = "$FindBin::Bin/../test/manifest/vite-app/dist";
my $root = catfile(Apache::Test::vars('documentroot'), 'deploy');
my $build = "$root/build";
my $manifest = "$build/.vite/manifest.json";
my $error_log = catfile(Apache::Test::vars('t_logs'), 'error_log');
END { remove_tree($root) if defined $root }

open my $fh, '<', "$dist/.vite/manifest.json" or die "$dist: $!";
my $original = do { local $/; <$fh> };
close $fh;

# build N: every fingerprint replaced by "gN", in the keys and the paths
# alike; its files are the committed build's under those names
sub build_json {
    my ($n) = @_;
    (my $t = $original) =~ s/-[A-Za-z0-9_]{2}[A-Za-z0-9_-]{6}\.(js|css)\b/-g$n.$1/g;
    return $t;
}
sub files_of {
    my ($json) = @_;
    my $m = decode_json($json);
    my %f;
    for my $e (values %$m) {
        $f{$e->{file}} = 1;
        $f{$_} = 1 for @{ $e->{css} || [] };
    }
    return sort keys %f;
}
sub write_file {
    my ($path, $text) = @_;
    open my $out, '>', "$path.tmp" or die "$path.tmp: $!";
    print $out $text;
    close $out or die "$path.tmp: $!";
    chmod 0644, "$path.tmp";
    rename "$path.tmp", $path or die "rename $path: $!";
}
# the build's files (all, or those that $keep says), then its manifest
sub deploy {
    my ($json, %o) = @_;
    make_path("$build/assets", "$build/.vite", { mode => 0755 });
    for my $f (files_of($json)) {
        next if $o{keep} && !$o{keep}->($f);
        (my $from = $f) =~ s/-g\d+\./-*./;
        my ($src) = glob("$dist/$from") or die "no $from in $dist";
        write_file("$build/$f", do { open my $s, '<', $src or die; local $/; <$s> });
    }
    write_file($manifest, $json) unless $o{no_manifest};
}

# the URLs that one navigation's 103 names for $page (), or undef when
# the page did not answer 200
sub hinted {
    my ($page) = @_;
    my $res = client_for('qpdeploy', accept_push => 0)->get($page, headers => [ NAVIGATION ]);
    return undef unless $res->{status} == 200;
    return [ sort map { /^<([^>]*)>/ ? $1 : () } map { @{ links_of($_) } } @{ $res->{interim} } ];
}
# waits up to 3 s (a child looks at the file once a second) for every one
# of 4 requests (each on a new connection, any child) to see $want
sub hinted_soon {
    my ($page, $want) = @_;
    my $got;
    my $t0 = time;
    while (time - $t0 < 3) {
        my @seen = map { join(' ', @{ hinted($page) // ['(error)'] }) } 1 .. 4;
        $got = \@seen;
        return (1, $got) unless grep { $_ ne join(' ', @$want) } @seen;
        sleep 0.2;
    }
    return (0, $got);
}
sub urls { return [ sort map { "/deploy/build/$_" } @_ ] }
sub files_of_entry {
    my ($json, $key) = @_;
    my $m = decode_json($json);
    my %f;
    my @todo = ($key);
    while (my $k = shift @todo) {
        my $e = $m->{$k} or next;
        $f{$e->{file}} = 1;
        $f{$_} = 1 for @{ $e->{css} || [] };
        push @todo, @{ $e->{imports} || [] };
    }
    return sort keys %f;
}
# manifest live as the status page shows it, once $ready says so: the
# child that answers looks at the file at most once a second, so up to
# 3 s (under load, a child that served none of the requests before)
sub live_status {
    my ($ready) = @_;
    my $live;
    for (1 .. 15) {
        my $st = decode_json(client_for('qpdeploy')->get('/quartpush-status?json')->{body});
        ($live) = grep { $_->{name} eq 'live' } @{ $st->{manifests} };
        return $live if $ready->($live);
        sleep 0.2;
    }
    return $live;
}
# httpd's children: what is logged once per version of a file is logged
# once by each process that reads it
sub children {
    my $pidfile = catfile(Apache::Test::vars('t_logs'), 'httpd.pid');
    open my $pf, '<', $pidfile or die "$pidfile: $!";
    chomp(my $ppid = <$pf>);
    return scalar(() = `pgrep -P $ppid`);
}
sub log_count {
    my ($re) = @_;
    open my $l, '<', $error_log or return 0;
    return scalar grep { /$re/ } <$l>;
}

# 0. a manifest that httpd's children cannot read (the parent, as root,
# can): said once each child starts
SKIP: {
    skip 'the suite does not run as root: the children can read what the parent reads', 1 if $> != 0;
    ok(log_count(qr/QP00024: QuartPushManifest private .*httpd's children \(User\) cannot read .*mf-private\/manifest\.json/) >= 1,
       'a manifest that httpd\'s User cannot read: a warning when a child starts (QP00024)');
}

# 1. httpd started without the build: the pages answer, announcing nothing
remove_tree($root);
my $got = hinted('/dp-index/');
is_deeply($got, [], 'the build is not there: the page answers 200 with no hint');
my $status = decode_json(client_for('qpdeploy')->get('/quartpush-status?json')->{body});
my ($live) = grep { $_->{name} eq 'live' } @{ $status->{manifests} };
like($live->{last_error} // '', qr{cannot open the manifest '\Q$manifest\E'}, '... and the status page says why');

# 2. the first deploy: its files, then its manifest
my $g1 = build_json(1);
deploy($g1);
my ($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g1, 'index.html')));
ok($ok, 'a first build is announced within 3 s, every file of the entry') or diag explain $seen;
($ok, $seen) = hinted_soon('/dp-blog/', urls(files_of_entry($g1, 'blog.html')));
ok($ok, '... for each resource') or diag explain $seen;

# 3. half a deploy: the manifest before its files. What is not on disk is
# left out, and comes once it is there, with the manifest unchanged
my $g2 = build_json(2);
my @js = grep { /\.js$/ } files_of($g2);
deploy($g2, keep => sub { $_[0] !~ /\.js$/ });
($ok, $seen) = hinted_soon('/dp-index/', urls(grep { !/\.js$/ } files_of_entry($g2, 'index.html')));
ok($ok, 'a manifest whose JavaScript is not on disk yet: only its CSS is announced') or diag explain $seen;
$live = live_status(sub { ($_[0]{missing} // 0) > 0 });
ok($live->{missing} > 0, '... the status page counts the files left out') or diag explain $live;
my ($res_index) = grep { $_->{resource} eq '@live:index.html' } @{ $live->{resources} };
ok(scalar(grep { /\.js$/ } @{ $res_index->{missing} || [] }) > 0, '... and names them') or diag explain $res_index;
like(`curl -s http://localhost:@{[ Apache::Test::config()->{vhosts}{qpdeploy}{port} ]}/quartpush-status?metrics`,
     qr/^quartpush_resources_skipped_total\{reason="missing"\} [1-9]/m, '... and ?metrics, as the skip reason missing');
my $n = log_count(qr/QP00022: QuartPushManifest live .*not on disk/);
ok($n >= 1 && $n <= children(), "... and logged (QP00022) once per process that read that version ($n lines)");
deploy($g2, no_manifest => 1);
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g2, 'index.html')));
ok($ok, 'once the files arrive, within 3 s, all are announced, the manifest unchanged') or diag explain $seen;

# 4. a build without a key: that resource announces nothing (never the
# last build's files, which the deploy deleted); the other follows
my $g3 = do { my $m = decode_json(build_json(3)); delete $m->{'blog.html'}; JSON::PP->new->canonical->encode($m) };
remove_tree("$build/assets");
deploy($g3);
($ok, $seen) = hinted_soon('/dp-blog/', []);
ok($ok, 'a build without the key: its resource announces nothing') or diag explain $seen;
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g3, 'index.html')));
ok($ok, '... and the other resource follows the new build') or diag explain $seen;
$n = log_count(qr/QP00021: \@live:blog\.html \(.*extra\.conf:\d+\): no key 'blog\.html' in the manifest.*it announces nothing/);
ok($n >= 1 && $n <= children(), "... logged (QP00021) with the key and the line, once per process ($n lines)");

# 5. a graceful restart by signal while the key is missing: the parent
# reads the configuration again, warns, and keeps serving
my $pidfile = catfile(Apache::Test::vars('t_logs'), 'httpd.pid');
open my $pf, '<', $pidfile or die "$pidfile: $!";
chomp(my $ppid = <$pf>);
close $pf;
my $warned = log_count(qr/QP00021: \@live:blog\.html/);
ok(kill('USR1', $ppid), 'a graceful restart by signal (USR1) while @live:blog.html is not in the build');
my $back;
for (1 .. 50) {
    sleep 0.2;
    my $r = eval { client_for('qpdeploy', accept_push => 0)->get('/dp-index/', headers => [ NAVIGATION ]) };
    if ($r && $r->{status} == 200 && log_count(qr/QP00021: \@live:blog\.html/) > $warned) {
        $back = 1;
        last;
    }
}
ok($back && kill(0, $ppid), '... the same parent serves afterwards, with the warning logged again');
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g3, 'index.html')));
ok($ok, '... and the pages announce the build that is there') or diag explain $seen;
my @ok_mtime = (stat $manifest)[9];
$live = live_status(sub { ($_[0]{file_mtime} // 0) == $ok_mtime[0] });
is($live->{file_mtime}, $ok_mtime[0], 'the status page says which build this process announces (its file\'s mtime)');
my %kids = map { $_->{pid} => $_ } @{ $live->{children} || [] };
my @ours = grep { chomp; $_ } `pgrep -P $ppid`;
my %ours = map { $_ => 1 } @ours;
# (the parent's other children, mod_cgid's daemon, have no row)
ok(keys(%kids) >= 2 && !grep({ !$ours{$_} } keys %kids),
   '... and lists the server\'s children, by pid') or diag explain [ \@ours, $live->{children} ];
is($kids{$live->{pid}}{file_mtime} // -1, $ok_mtime[0], '... each with the build it announces');

# 6. a manifest that cannot be read keeps the last good build, less its
# files that are gone. Build 4 is deployed as Vite does, the old files
# deleted first; then the manifest and one file of build 4 are deleted. A
# child that read build 4 keeps it, less that file; one that served no
# request while build 4 was there keeps build 3, whose files are gone:
# nothing. No response names a file that is not on disk.
my $g4 = build_json(4);
remove_tree("$build/assets");
deploy($g4);
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g4, 'index.html')));
ok($ok, 'build 4 is announced') or diag explain $seen;
my $before = log_count(qr/QP00008: QuartPushManifest live/);
unlink $manifest;
my ($css) = grep { /\.css$/ } files_of_entry($g4, 'index.html');
unlink "$build/$css";
sleep 1.2;          # each child's next look at the file
my $kept = join ' ', @{ urls(grep { $_ ne $css } files_of_entry($g4, 'index.html')) };
my (%sets, @gone);
for (1 .. 12) {
    my $h = hinted('/dp-index/') // ['(error)'];
    $sets{ join ' ', @$h } = 1;
    push @gone, grep { my $f = $_; $f =~ s{^/deploy/build/}{}; !-f "$build/$f" } @$h;
}
ok(!@gone && $sets{$kept} && !grep({ $_ ne $kept && $_ ne '' } keys %sets),
   'the manifest deleted: the last good build stays, less the file deleted with it (or nothing, in a child whose last build is gone); no hint for a missing file')
    or diag explain [ \%sets, \@gone ];
remove_tree($build);
($ok, $seen) = hinted_soon('/dp-index/', []);
ok($ok, '... and nothing once the whole build is gone') or diag explain $seen;
# several looks at the missing file by each child: requests for 3 s
my $t_end = time + 3;
hinted('/dp-index/'), sleep(0.1) while time < $t_end;
my $logged = log_count(qr/QP00008: QuartPushManifest live .*No such file/) - $before;
ok($logged >= 1 && $logged <= children(), "a missing manifest is logged once per process, not on every look ($logged lines)");

# 7. a FIFO where the manifest was: refused from a stat, nothing blocks
make_path("$build/.vite");
POSIX::mkfifo($manifest, 0644) or die "mkfifo: $!";
# each child looks at it within a second of its next request: 3 s of
# requests, none of which may wait for the FIFO
my ($worst, $nreq, $failed) = (0, 0, 0);
my $fifo_end = time + 3;
while (time < $fifo_end) {
    my $t = time;
    my $h = hinted('/dp-index/');
    $worst = time - $t if time - $t > $worst;
    ++$nreq;
    ++$failed unless defined $h;
    sleep 0.1;
}
ok(!$failed && $worst < 1, sprintf('a FIFO at the manifest\'s path: every page answers at once (%d in 3 s, the slowest in %.2f s)', $nreq, $worst));
my $fifo_said;
for (1 .. 20) {
    $status = decode_json(client_for('qpdeploy')->get('/quartpush-status?json')->{body});
    ($live) = grep { $_->{name} eq 'live' } @{ $status->{manifests} };
    last if ($fifo_said = ($live->{last_error} // '') =~ /is not a regular file \(a FIFO\)/);
    sleep 0.2;
}
ok($fifo_said, '... the status page says it is a FIFO') or diag $live->{last_error};
my $httpd = Apache::Test::vars('httpd');
my $conf = catfile(Apache::Test::vars('t_conf'), 'httpd.conf');
my $t0 = time;
my $out = `timeout 20 $httpd -t -f $conf 2>&1`;
my $dt = time - $t0;
ok($? == 0 && $dt < 10, sprintf('... and apachectl -t does not block on it (%.1f s, status %d)', $dt, $? >> 8)) or diag $out;
like($out, qr/QP00020: QuartPushManifest live .*not a regular file \(a FIFO\)/, '... it warns');
unlink $manifest;

# 8. a good build again
my $g5 = build_json(5);
deploy($g5);
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g5, 'index.html')));
ok($ok, 'a good build after all that is announced within 3 s') or diag explain $seen;

# 9. a build that keeps the manifest's size and mtime is seen all the
# same: by rename (a reproducible build's "touch -r old new; mv new
# old": a new inode) and in place (rsync --inplace -t: the same inode,
# the mtime set back; only the ctime says it changed)
sub same_stamp_deploy {
    my ($json, $in_place) = @_;
    my @old = stat $manifest or die "stat $manifest: $!";
    length($json) == $old[7] or die 'the builds differ in size';
    deploy($json, no_manifest => 1);
    if ($in_place) {
        open my $out, '+<', $manifest or die "$manifest: $!";
        print $out $json;
        close $out;
    }
    else {
        write_file("$manifest.new", $json);
        utime $old[8], $old[9], "$manifest.new";
        rename "$manifest.new", $manifest or die "rename: $!";
    }
    utime $old[8], $old[9], $manifest;
    my @new = stat $manifest;
    return $new[7] == $old[7] && $new[9] == $old[9];
}
my $g6 = build_json(6);
ok(same_stamp_deploy($g6, 0), 'build 6 by rename, with the size and the mtime of build 5');
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g6, 'index.html')));
ok($ok, '... is announced within 3 s') or diag explain $seen;
my $g7 = build_json(7);
ok(same_stamp_deploy($g7, 1), 'build 7 in place, with the size and the mtime of build 6');
($ok, $seen) = hinted_soon('/dp-index/', urls(files_of_entry($g7, 'index.html')));
ok($ok, '... is announced within 3 s') or diag explain $seen;

