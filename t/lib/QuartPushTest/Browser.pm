# SPDX-License-Identifier: Apache-2.0
package QuartPushTest::Browser;
# A real browser for Apache::Test files: headless Chromium loads one page of
# the live test httpd and reports what the page's last script wrote into the
# DOM, here the Resource Timing entries of t/htdocs/browser/hints/index.cgi.
#
# Chromium must trust the test certificate for Early Hints to be used at
# all: --ignore-certificate-errors turns them off, so the certificate's
# public key is trusted instead, with --ignore-certificate-errors-spki-list.
# That flag needs --user-data-dir, which every run gets anyway (a fresh one,
# so no cache or HTTP/2 session survives from one page to the next).
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Spec ();
use File::Temp qw(tempdir);
use MIME::Base64 qw(decode_base64 encode_base64);
use Digest::SHA qw(sha256);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Apache::Test ();
use JSON::PP ();
use Test::More ();

our @EXPORT_OK = qw(find_chromium spki_hash test_certificate dump_dom page_timing
                    delay_proxy browser_log_since failures explain_failures);

# The Chromium binary: $QP_CHROMIUM, else the first of the usual names on
# PATH. Returns undef when there is none.
sub find_chromium {
    my @names = $ENV{QP_CHROMIUM} ? ($ENV{QP_CHROMIUM})
              : qw(chromium chromium-browser google-chrome-stable google-chrome);
    for my $name (@names) {
        return $name if $name =~ m{/} && -x $name;
        for my $dir (File::Spec->path) {
            my $path = "$dir/$name";
            return $path if -f $path && -x _;
        }
    }
    return undef;
}

# The certificate of the test's TLS virtual hosts (SSLCertificateFile in
# t/conf/extra.conf.in); Apache::Test generates it on the first run.
sub test_certificate {
    return Apache::Test::vars('sslca') . '/'
         . Apache::Test::vars('sslcaorg') . '/certs/server.crt';
}

# base64(sha256(SubjectPublicKeyInfo DER)) of a PEM certificate: what
# --ignore-certificate-errors-spki-list takes. "openssl x509 -pubkey" prints
# the SPKI as a PEM PUBLIC KEY block, whose base64 body is that DER.
sub spki_hash {
    my ($crt) = @_;
    my $pem = `openssl x509 -in "$crt" -noout -pubkey 2>&1`;
    die "openssl x509 -pubkey $crt failed: $pem" if $?;
    my ($b64) = $pem =~ /-----BEGIN PUBLIC KEY-----(.+?)-----END PUBLIC KEY-----/s
        or die "no public key in $crt: $pem";
    my $hash = encode_base64(sha256(decode_base64($b64)), '');
    return $hash;
}

# Runs headless Chromium on $url with --dump-dom and returns the DOM it
# printed (and Chromium's stderr, in list context). Options: timeout (seconds, default 30), spki (the hash to trust),
# args (more flags). Dies on a timeout or a failure, with Chromium's stderr.
sub dump_dom {
    my ($url, %o) = @_;
    my $chromium = $o{chromium} || find_chromium()
        or die "chromium is not installed\n";
    my $timeout = $o{timeout} || 30;
    my $dir = tempdir('browser-XXXXXX', DIR => Apache::Test::vars('t_dir'),
                      CLEANUP => 1);
    my @cmd = ($chromium,
        '--headless', '--disable-gpu', '--no-first-run',
        '--no-default-browser-check', '--disable-extensions',
        '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-default-apps', '--mute-audio',
        '--disable-dev-shm-usage',
        # profile: a directory kept between loads (its cache: a reload)
        "--user-data-dir=" . ($o{profile} // "$dir/profile"),
        ($o{spki} ? "--ignore-certificate-errors-spki-list=$o{spki}" : ()),
        ($> == 0 ? '--no-sandbox' : ()),    # Chromium refuses root otherwise
        @{ $o{args} || [] },
        '--dump-dom', $url);

    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);       # one process group, to kill every child on timeout
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/dom.html" or die "$dir/dom.html: $!";
        open STDERR, '>', "$dir/stderr.log" or die "$dir/stderr.log: $!";
        exec @cmd or do { print STDERR "exec $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    my $deadline = time + $timeout;
    my $done;
    while (!($done = waitpid($pid, WNOHANG))) {
        last if time > $deadline;
        sleep 0.05;
    }
    my $status = $?;
    if (!$done || $done < 0) {
        kill 'KILL', -$pid;
        waitpid $pid, 0;
        die "chromium timed out after ${timeout}s on $url:\n" . _slurp("$dir/stderr.log");
    }
    my $dom = _slurp("$dir/dom.html");
    die "chromium exited with status " . ($status >> 8) . " on $url:\n"
        . _slurp("$dir/stderr.log") if $status || $dom eq '';
    return wantarray ? ($dom, _slurp("$dir/stderr.log")) : $dom;
}

# Loads a page of t/htdocs/browser/ and returns the hash its last script
# wrote as JSON between QP-TIMING markers: { navigation => {responseStart,
# nextHopProtocol}, scriptRan => bool, resources => [ {name, initiatorType,
# startTime, responseEnd, nextHopProtocol}, ... ] }.
sub page_timing {
    my ($url, %o) = @_;
    my $dom = dump_dom($url, %o);
    my ($json) = $dom =~ /QP-TIMING (.*?) QP-TIMING-END/s
        or die "no QP-TIMING in the DOM of $url:\n$dom";
    # a text node is serialised with &, < and > escaped
    my %ent = (amp => '&', lt => '<', gt => '>', quot => '"', nbsp => "\xa0");
    $json =~ s/&(amp|lt|gt|quot|nbsp);/$ent{$1}/g;
    require JSON::PP;
    return JSON::PP->new->decode($json);
}

# A qp_delayproxy (bench/qp_delayproxy.c) in front of 127.0.0.1:$port that
# holds every byte $ms milliseconds in each direction, on a free port of its
# own. Returns an object with ->port; the proxy stops when it goes away.
#
# Why: on loopback the 103 can reach Chromium within a millisecond or two of
# the request, and Chromium 156 then sometimes drops it. Its net log shows
# the HTTP/2 session receiving the 103, but the request never logs
# HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS and nothing is preloaded
# (2 to 6 page loads in 12 here). A real network's round trip avoids this,
# so the test gets one.
sub delay_proxy {
    my ($port, $ms) = @_;
    my $top = Apache::Test::vars('top_dir');
    my $bin = "$top/bench/qp_delayproxy";
    my $dir = tempdir('delayproxy-XXXXXX', DIR => Apache::Test::vars('t_dir'),
                      CLEANUP => 1);
    if (!-x $bin) {
        # "make test" builds it; a lone t/TEST.PL run may come first
        my $cc = $ENV{CC} || 'cc';
        my $out = `$cc -O2 -o "$dir/qp_delayproxy" "$top/bench/qp_delayproxy.c" 2>&1`;
        die "cannot build bench/qp_delayproxy.c: $out" if $?;
        $bin = "$dir/qp_delayproxy";
    }
    require IO::Socket::INET;
    for my $try (1 .. 5) {
        # a free port: the kernel picks one, the proxy binds it right after
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                      Proto => 'tcp', Listen => 1, ReuseAddr => 1)
            or die "socket: $!";
        my $listen = $s->sockport;
        close $s;
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', "$dir/out.log";
            open STDERR, '>&', \*STDOUT;
            exec $bin, '-l', $listen, '-t', "127.0.0.1:$port", '-d', $ms
                or do { print STDERR "exec $bin: $!\n"; POSIX::_exit(127) };
        }
        # it prints one line once it listens
        for (1 .. 100) {
            last if _slurp("$dir/out.log") =~ /each way/;
            last if waitpid($pid, WNOHANG);
            sleep 0.02;
        }
        if (_slurp("$dir/out.log") =~ /each way/) {
            return bless { pid => $pid, port => $listen, dir => $dir },
                         'QuartPushTest::Browser::DelayProxy';
        }
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
    die "qp_delayproxy did not start: " . _slurp("$dir/out.log");
}

sub QuartPushTest::Browser::DelayProxy::port { $_[0]{port} }

sub QuartPushTest::Browser::DelayProxy::DESTROY {
    my $self = shift;
    return unless $self->{pid};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

# The requests t/conf/extra.conf.in's browser_log got from byte $from of
# $log on: { path => [ [begin_us, end_us, sec_fetch_mode], ... ] }, the
# query string left out of each path ({} while there is no log yet).
sub browser_log_since {
    my ($log, $from) = @_;
    my %seen;
    open my $fh, '<', $log or return {};
    seek $fh, $from, 0;
    while (my $line = <$fh>) {
        my ($begin, $end, $status, $path, $mode) = split ' ', $line;
        $path =~ s/\?.*//;
        push @{ $seen{$path} }, [ $begin, $end, $mode // '' ];
    }
    return \%seen;
}

# The number of failed assertions so far.
sub failures { scalar grep { !$_ } Test::More->builder->summary }

# Shows what Chromium ($t) and the server ($seen) reported for $page when
# an assertion failed since $failed_before failures.
sub explain_failures {
    my ($page, $t, $seen, $failed_before) = @_;
    return if failures() == $failed_before;
    Test::More::diag("$page, Chromium: " . JSON::PP->new->canonical->encode($t));
    Test::More::diag("$page, browser_log: " . JSON::PP->new->canonical->encode($seen));
}

sub _slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return scalar <$fh>;
}

1;
