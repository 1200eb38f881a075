# SPDX-License-Identifier: Apache-2.0
package QuartPushTest;
# Shared helpers for mod_quartpush's Apache::Test files: a client per test
# virtual host (see t/conf/extra.conf.in) and the quartpush access log.
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Time::HiRes qw(sleep);
use IO::Socket::IP;
use POSIX ();
use Apache::Test ();
use Apache::TestConfig ();
use Apache::QuartPush::TestClient;

our @EXPORT = qw(client_for h2_transports paths_of links_of quartpush_log_for
                 module_so httpd_config_test raw_http1 COPIED_HEADERS
                 start_httpd start_backend103 NAVIGATION NAVIGATION_RAW
                 status_counters counters_delta);

# The request headers mod_http2 copies into a pushed request, the same set
# as Quart's SERVER_PUSH_HEADERS_TO_COPY.
use constant COPIED_HEADERS =>
    qw(accept accept-encoding accept-language cache-control user-agent);

# The request headers with which a browser marks a top-level navigation,
# the only request it reads Early Hints on: by default a client that refuses
# push gets a 103 only with these (QuartPushEarlyHints all: on every request).
# As an h2 header list, and as raw HTTP/1.1 header lines.
use constant NAVIGATION => ('sec-fetch-mode' => 'navigate', 'sec-fetch-dest' => 'document');
use constant NAVIGATION_RAW => "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n";

my %tls = (h2tls => 1, h2hints => 1, h1tls => 1, h2c => 0, h2chints => 0,
           h2pushoff => 1, h2pushoffhints => 1, h2used => 1);

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

# The counters of the status page (h2tls's ?json), flat: the skip reasons
# as "skipped.REASON".
sub status_counters {
    require JSON::PP;
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $c = (eval { JSON::PP::decode_json($res->{body} || '{}') } || {})->{counters} || {};
    return { %$c, map { ("skipped.$_" => $c->{skipped}{$_}) } keys %{ $c->{skipped} || {} } };
}

# How much each counter of status_counters() moved from $before to $after.
sub counters_delta {
    my ($before, $after) = @_;
    return { map { $_ => ($after->{$_} // 0) - ($before->{$_} // 0) }
             grep { !ref $after->{$_} } keys %$after };
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

# One raw HTTP/1.x exchange with a test virtual host, without the test
# client's parser: $request is sent as is, and the bytes the server sends
# are read until the answer is complete (its body by Content-Length or
# chunks) or the server closes. The header blocks are read from those
# bytes: every 1xx block in order, then the final one. Returns { bytes,
# blocks => [ { line, status, header_list } ], error }; error is set when
# no final status line arrived, or the answer did not end within 10 s.
sub raw_http1 {
    my ($vhost, $request) = @_;
    my $port = Apache::Test::config()->{vhosts}{$vhost}{port}
        or die "no test virtual host '$vhost' in t/conf/extra.conf.in\n";
    my $res = { bytes => '', blocks => [], error => undef };
    my $sock = IO::Socket::IP->new(PeerHost => 'localhost', PeerPort => $port,
                                   Timeout => 10)
        or do { $res->{error} = "connect: $!"; return $res };
    if ($tls{$vhost}) {
        require IO::Socket::SSL;
        IO::Socket::SSL->start_SSL($sock, SSL_alpn_protocols => ['http/1.1'],
                                   SSL_verify_mode => 0, Timeout => 10)
            or do { $res->{error} = "TLS: $IO::Socket::SSL::SSL_ERROR"; return $res };
    }
    print $sock $request;
    my $complete = 0;
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 10;
        while (!$complete) {
            my $n = sysread $sock, my $buf, 65536;
            last unless $n;
            $res->{bytes} .= $buf;
            $complete = _http1_blocks($res);
        }
        alarm 0;
        1;
    } or $res->{error} = 'timeout while reading the answer';
    close $sock;
    _http1_blocks($res);
    $res->{error} //= 'no final status line in: ' . substr($res->{bytes}, 0, 80)
        unless grep { $_->{status} >= 200 || $_->{status} == 101 } @{ $res->{blocks} };
    return $res;
}

# Reads the header blocks of $res->{bytes} into $res->{blocks}: true once
# the final one and its whole body are in (a body read to the end of the
# connection is complete only when the server closes it).
sub _http1_blocks {
    my ($res) = @_;
    my $in = $res->{bytes};
    $res->{blocks} = [];
    while ($in =~ s{\A(HTTP/1\.[01] (\d{3})[^\r\n]*)\r\n((?:[^\r\n]+\r\n)*)\r\n}{}) {
        my ($line, $status, $head) = ($1, $2 + 0, $3);
        my @list = map { /^([^:]+):[ \t]*(.*?)[ \t]*$/ ? [ lc $1, $2 ] : () }
                   split /\r\n/, $head;
        push @{ $res->{blocks} }, { line => $line, status => $status, header_list => \@list };
        next if $status < 200 && $status != 101;
        my %h = map { @$_ } @list;
        return 1 if $status == 204 || $status == 304 || $status == 101;
        return length($in) >= $h{'content-length'} if defined $h{'content-length'};
        return $in =~ /(?:\A|\r\n)0\r\n(?:[^\r\n]+\r\n)*\r\n\z/
            if ($h{'transfer-encoding'} // '') =~ /chunked/i;
        return 0;
    }
    return 0;
}

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
    # no_quartpush => 1: the same without the module (line 7 is a comment),
    # to compare with what httpd says without it
    my $quartpush = $o{no_quartpush} ? '# (mod_quartpush not loaded)'
                  : qq{LoadModule quartpush_module "$so"};
    my $conf = "$dir/httpd.conf";
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile $dir/httpd.pid
ErrorLog $dir/error_log
Listen 127.0.0.1:1
LoadModule mpm_event_module "$mpm"
$quartpush
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

# Starts an httpd of its own with the module under test, mod_ssl and
# mod_http2, for a setting that would reach every virtual host of the test
# server (a server-level one): it serves $dir/htdocs over h2 and TLS on
# 127.0.0.1:$port (the test certificate), with $body at server level.
# Returns a handle whose destruction stops it, or dies.
sub start_httpd {
    my ($dir, $port, $body) = @_;
    my $cfg = Apache::Test::config();
    my $sslca = Apache::Test::vars('sslca');
    my $user = $> == 0 ? "User nobody\nGroup "
                         . (getgrnam('nogroup') ? 'nogroup' : 'nobody') : '';
    my $mods = join "\n", map {
        my $so = $cfg->find_apache_module("mod_$_.so") or die "no mod_$_.so\n";
        "LoadModule ${_}_module \"$so\"";
    } qw(mpm_event authz_core mime dir ssl socache_shmcb http2);
    my $conf = "$dir/httpd.conf";
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile $dir/httpd.pid
ErrorLog $dir/error_log
LogLevel quartpush:debug
$user
Listen 127.0.0.1:$port
$mods
LoadModule quartpush_module "${\ module_so() }"
DocumentRoot "$dir/htdocs"
DirectoryIndex index.html
TypesConfig /dev/null
SSLEngine on
SSLCertificateFile $sslca/asf/certs/server.crt
SSLCertificateKeyFile $sslca/asf/keys/server.pem
Protocols h2 http/1.1
$body
CONF
    close $fh;
    my $httpd = Apache::Test::vars('httpd');
    system($httpd, '-f', $conf, '-k', 'start') == 0
        or die "$httpd -f $conf -k start failed: $?\n";
    for (1 .. 100) {
        last if IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port);
        sleep 0.1;
    }
    return bless { httpd => $httpd, conf => $conf, pidfile => "$dir/httpd.pid" },
                 'QuartPushTest::Httpd';
}

package QuartPushTest::Httpd;
sub DESTROY {
    my ($self) = @_;
    system($self->{httpd}, '-f', $self->{conf}, '-k', 'stop');
    for (1 .. 100) {
        last unless -e $self->{pidfile};
        Time::HiRes::sleep(0.1);
    }
}
package QuartPushTest;

# The module under test, as t/TEST.PL loads it.
sub module_so {
    return $ENV{MOD_QUARTPUSH_SO}
        || Apache::Test::vars('top_dir') . '/.libs/mod_quartpush.so';
}

# t/backend/early_hints_backend.py, an app that sends its own 103s, on
# the Unix socket that extra.conf.in's ProxyPass of /b103/ names. Returns a
# handle whose destruction stops it, or dies.
sub start_backend103 {
    my $sock = catfile(Apache::Test::vars('t_logs'), 'b103.sock');
    my $script = catfile(Apache::Test::vars('serverroot'), 'backend',
                         'early_hints_backend.py');
    my $pid = open my $out, '-|', 'python3', $script, $sock
        or die "cannot start $script: $!\n";
    my $ready = <$out>;
    die "$script did not start\n" unless defined $ready && $ready =~ /^ready/;
    return bless { pid => $pid, out => $out, sock => $sock },
                 'QuartPushTest::Backend103';
}

sub QuartPushTest::Backend103::DESTROY {
    my ($self) = @_;
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    unlink $self->{sock};
}

1;
