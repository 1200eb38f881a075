package QuartPushTest;
# Shared helpers for mod_quartpush's Apache::Test files: a client per test
# virtual host (see t/conf/extra.conf.in) and the quartpush access log.
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Time::HiRes qw(sleep);
use POSIX ();
use Apache::Test ();
use Apache::TestConfig ();
use Apache::QuartPush::TestClient;

our @EXPORT = qw(client_for h2_transports paths_of links_of quartpush_log_for
                 module_so httpd_config_test COPIED_HEADERS);

# The request headers mod_http2 copies into a pushed request, the same set
# as Quart's SERVER_PUSH_HEADERS_TO_COPY.
use constant COPIED_HEADERS =>
    qw(accept accept-encoding accept-language cache-control user-agent);

my %tls = (h2tls => 1, h2hints => 1, h1tls => 1, h2c => 0);

# Every push behaviour is checked on both HTTP/2 transports.
sub h2_transports { return ('h2tls', 'h2c') }

sub client_for {
    my ($vhost, %opts) = @_;
    my $cfg = Apache::Test::config();
    my $port = $cfg->{vhosts}{$vhost}{port}
        or die "no test virtual host '$vhost' in t/conf/extra.conf.in\n";
    return Apache::QuartPush::TestClient->new(
        host => 'localhost', port => $port, tls => $tls{$vhost} // 0,
        timeout => 10, %opts);
}

sub paths_of {
    my ($res) = @_;
    return [ map { $_->[0] } @{ $res->{push_promises} } ];
}

# The Link values of a response (final or 103), whether sent as one folded
# header, as mod_http2 does, or as several.
sub links_of {
    my ($response) = @_;
    return [ map { split /,\s*(?=<)/, $_->[1] }
             grep { lc $_->[0] eq 'link' } @{ $response->{header_list} || [] } ];
}

# The line that LogFormat "quartpush" wrote for the latest request of $uri.
# httpd logs after the response is sent, so wait a little for it.
sub quartpush_log_for {
    my ($uri) = @_;
    my $log = catfile(Apache::Test::vars('t_logs'), 'quartpush_log');
    for (1 .. 40) {
        if (open my $fh, '<', $log) {
            my @lines = grep { index($_, "$uri ") == 0 } <$fh>;
            close $fh;
            if (@lines) {
                chomp(my $line = $lines[-1]);
                return $line;
            }
        }
        sleep 0.05;
    }
    return '';
}

sub catfile { join '/', @_ }

# Runs "httpd -t" on a minimal configuration that loads the module under
# test and then holds $body (lines 1 to 8 are fixed, so $body starts on
# line 9). Options: http2 => 1 loads mod_http2 too (on line 8 either way),
# define => NAME adds -D NAME, timeout => SECONDS kills an httpd that hangs
# (default 60), user => NAME runs it as that user (only when root; $dir must
# then be readable by NAME, and the module is loaded from a copy in $dir:
# NAME may not be able to enter the checkout, e.g. a clone in /root).
# Returns the exit code and what httpd said, then
# the signal that killed httpd (0: none; a timeout kills it with SIGKILL),
# the seconds it took, and whether it timed out.
sub httpd_config_test {
    my ($dir, $body, %o) = @_;
    my $cfg = Apache::Test::config();
    my $mpm = $cfg->find_apache_module('mod_mpm_event.so');
    my $http2 = $o{http2} ? 'LoadModule http2_module "'
                            . $cfg->find_apache_module('mod_http2.so') . '"' : '';
    my $so = module_so();
    if (defined $o{user} && $> == 0) {
        require File::Copy;
        File::Copy::copy($so, "$dir/mod_quartpush.so") or die "copy $so: $!";
        chmod 0644, "$dir/mod_quartpush.so";
        $so = "$dir/mod_quartpush.so";
    }
    my $conf = "$dir/httpd.conf";
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile $dir/httpd.pid
ErrorLog $dir/error_log
Listen 127.0.0.1:1
LoadModule mpm_event_module "$mpm"
LoadModule quartpush_module "$so"
$http2
$body
CONF
    close $fh;
    my $httpd = Apache::Test::vars('httpd');
    my @cmd = ($httpd, '-t', '-f', $conf, $o{define} ? ('-D', $o{define}) : ());
    my $started = Time::HiRes::time();
    my $pid = open(my $out_fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or die "dup: $!";
        if (defined $o{user} && $> == 0) {
            my (undef, undef, $uid, $gid) = getpwnam($o{user});
            defined $gid or do { print "no user $o{user}\n"; POSIX::_exit(127) };
            $) = "$gid $gid";
            $( = $gid;
            $< = $> = $uid;
        }
        { exec @cmd }
        print "exec $httpd: $!\n";
        POSIX::_exit(127);      # not exit: no END blocks of the test
    }
    my ($out, $timed_out) = ('', 0);
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm($o{timeout} || 60);
        local $/;
        $out = <$out_fh> // '';
        alarm 0;
        1;
    } or do {
        $timed_out = 1;
        kill 'KILL', $pid;
    };
    close $out_fh;      # waits for httpd and sets $?
    my $status = $?;
    return ($status >> 8, $out, $status & 127,
            Time::HiRes::time() - $started, $timed_out);
}

# The module under test, as t/TEST.PL loads it.
sub module_so {
    return $ENV{MOD_QUARTPUSH_SO}
        || Apache::Test::vars('top_dir') . '/.libs/mod_quartpush.so';
}

1;
