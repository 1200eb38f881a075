# SPDX-License-Identifier: Apache-2.0
# The counters of quartpush-status live in shared memory that a graceful
# restart keeps. A module upgrade followed by a graceful restart must never
# read a segment laid out by the older module: the new module makes a new
# one and says so. This starts an httpd of its own, loads the module, then
# puts a build whose counters have another layout (mod_quartpush_layout.so,
# built by make test with MQP_COUNTERS_LAYOUT_TEST) in its place and
# restarts gracefully, and back again.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;

my $so = module_so();
my $top = Apache::Test::vars('top_dir');
my $dir = tempdir(CLEANUP => 1);

# the module with its counters laid out differently: make test builds it
# beside the module; against an installed module (scripts/test-deb) it is
# built here from this tree's sources, with apxs
sub layout_so {
    my $built = "$top/.libs/mod_quartpush_layout.so";
    return $built if -f $built;
    my $apxs = Apache::Test::vars('apxs') || 'apxs';
    my $src = "$dir/src";
    mkdir $src or die "$src: $!";
    copy($_, $src) or die "copy $_: $!" for glob("$top/mod_quartpush*.[ch]"), glob("$top/src/qp_*.[ch]");
    my @c = map { s{.*/}{}r } glob("$src/*.c");
    # (the manifest reader uses jansson, as the module's own build does)
    my $out = qx{cd '$src' && '$apxs' -c -o mod_quartpush_layout.la -DMQP_COUNTERS_LAYOUT_TEST -I. @c -ljansson 2>&1};
    my $so = "$src/.libs/mod_quartpush_layout.so";
    -f $so or BAIL_OUT("cannot build the module with another layout:\n$out");
    return $so;
}
my $layout_so = layout_so();

plan tests => 12;

my $port = do {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0)
        or die "no free port: $!";
    my $p = $s->sockport;
    close $s;
    $p;
};
my $cfg = Apache::Test::config();
my $httpd = Apache::Test::vars('httpd');
my $mpm = $cfg->find_apache_module('mod_mpm_event.so');
my $authz = $cfg->find_apache_module('mod_authz_core.so');
my $user = $> == 0 ? "User nobody\nGroup " . (getgrnam('nogroup') ? 'nogroup' : 'nobody') : '';

# the module is loaded from a path of our own, replaced by rename as an
# upgrade does (the running server keeps its mapping of the old file)
sub install_module {
    my ($from) = @_;
    copy($from, "$dir/new.so") or die "copy $from: $!";
    rename("$dir/new.so", "$dir/mod_quartpush.so") or die "rename: $!";
}
install_module($so);
open my $fh, '>', "$dir/httpd.conf" or die $!;
print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
LogLevel notice
$user
LoadModule mpm_event_module "$mpm"
LoadModule authz_core_module "$authz"
LoadModule quartpush_module "$dir/mod_quartpush.so"
Listen 127.0.0.1:$port
<Location "/page">
    QuartPushResource /a.css
</Location>
<Location "/status">
    SetHandler quartpush-status
</Location>
CONF
close $fh;

my $http = HTTP::Tiny->new(timeout => 10);
sub status {
    my $res = $http->get("http://127.0.0.1:$port/status?json");
    return $res->{success} ? JSON::PP::decode_json($res->{content}) : {};
}
sub requests { (status()->{counters} || {})->{requests} }
sub wait_for_generation {
    my ($n) = @_;       # graceful restarts done so far
    for (1 .. 100) {
        my $log = do { local (@ARGV, $/) = "$dir/error_log"; <> } // '';
        my $resumed = () = $log =~ /resuming normal operations/g;
        return 1 if $resumed > $n && defined requests();
        sleep 0.1;
    }
    return 0;
}
sub log_text { do { local (@ARGV, $/) = "$dir/error_log"; <> } // '' }

system($httpd, '-f', "$dir/httpd.conf", '-k', 'start') == 0 or BAIL_OUT("httpd did not start");
ok wait_for_generation(0), 'our own httpd started with the module';
$http->get("http://127.0.0.1:$port/page") for 1 .. 3;
is requests(), 3, 'three requests in a scope with rules are counted';

# a graceful restart with the same module keeps the counters
system($httpd, '-f', "$dir/httpd.conf", '-k', 'graceful');
ok wait_for_generation(1), 'graceful restart with the same module';
is requests(), 3, '... the counters are kept (the same layout)';
unlike log_text(), qr/QP00005/, '... and no layout change is reported';

# an "upgrade" to a module whose counters are laid out differently
install_module($layout_so);
system($httpd, '-f', "$dir/httpd.conf", '-k', 'graceful');
ok wait_for_generation(2), 'graceful restart into a module of another layout';
like log_text(), qr/QP00005: the counters of quartpush-status were kept by a module of another layout/,
     '... which says that it does not reuse the old segment';
is requests(), 0, '... and counts from 0 in a segment of its own, not the old one read wrongly';
$http->get("http://127.0.0.1:$port/page") for 1 .. 2;
is requests(), 2, '... and counts the requests made since';

# and back
install_module($so);
system($httpd, '-f', "$dir/httpd.conf", '-k', 'graceful');
ok wait_for_generation(3), 'graceful restart back into the first module';
my $changes = () = log_text() =~ /QP00005/g;
is $changes, 2, '... which does not reuse the other layout either';
is requests(), 0, '... and counts from 0 again';

system($httpd, '-f', "$dir/httpd.conf", '-k', 'stop');
for (1 .. 50) { last unless -f "$dir/httpd.pid"; sleep 0.1 }
