# SPDX-License-Identifier: Apache-2.0
# A client that sends "Expect: 100-continue" holds its request body back
# until a 100 Continue: a 103 sent first would be taken for it. So such a
# request announces nothing, over HTTP/1.1 (with QuartPushEarlyHints h1, where
# it would otherwise get a 103) as over HTTP/2.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use IO::Select;
use IO::Socket::IP;
use lib 't/lib';
use QuartPushTest;

plan tests => 8;

# One HTTP/1.1 request on a new connection, sent as curl sends it: the
# headers, then, with Expect, the body only once the server has answered
# (or after 2 s). Each is a navigation (Sec-Fetch-Mode: navigate,
# Sec-Fetch-Dest: document), the request that gets Early Hints. Returns the status of each response, in the order they came.
sub http1_request {
    my ($port, $path, %o) = @_;
    my $body = 'hello';
    my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port,
                                   Timeout => 10) or die "connect: $!\n";
    my $sel = IO::Select->new($sock);
    my $in = '';
    syswrite $sock, "GET $path HTTP/1.1\r\nHost: localhost\r\n" . NAVIGATION_RAW
        . ($o{expect} ? "Expect: 100-continue\r\n" : '')
        . "Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n";
    sysread $sock, $in, 65536 if $o{expect} && $sel->can_read(2);
    syswrite $sock, $body;
    while ($sel->can_read(10)) {
        sysread($sock, my $buf, 65536) or last;
        $in .= $buf;
    }
    close $sock;
    my @statuses;
    while ($in =~ s{\AHTTP/1\.1 (\d{3})[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n}{}) {
        push @statuses, $1 + 0;
        last if $1 >= 200;
    }
    return @statuses;
}

my $port = Apache::Test::config()->{vhosts}{h2c}{port};

# HTTP/1.1 with QuartPushEarlyHints h1 (/eh/h1/): the page gets a 103 ...
is_deeply([ http1_request($port, '/eh/h1/index.html?expect=no') ], [103, 200],
          'HTTP/1.1 with QuartPushEarlyHints h1: a request without Expect gets a 103, then the page');
# ... but not when the client waits for 100-continue
my @statuses = http1_request($port, '/eh/h1/index.html?expect=h1', expect => 1);
is($statuses[0] // 0, 100,
   'HTTP/1.1 with "Expect: 100-continue": the first response is the 100 Continue the client waits for, not a 103');
is_deeply(\@statuses, [100, 200], '... then the page, with no 103 at all');
like(quartpush_log_for('/eh/h1/index.html?expect=h1'), qr/ quartpush=- hints=- /,
     '... nothing announced (both notes empty)');

# HTTP/2: the same rule, for a client that accepts push and one that refuses
# it, where H2EarlyHints forwards a 103
for my $accept_push (1, 0) {
    my $who = $accept_push ? 'accepts push' : 'refuses push';
    my $path = "/eh/index.html?expect=h2&push=$accept_push";
    my $res = client_for('h2hints', accept_push => $accept_push)->get($path,
        headers => [ NAVIGATION, expect => '100-continue' ], body => 'hello');
    ok(!grep({ $_->{status} == 103 } @{ $res->{interim} }) && !@{ $res->{push_promises} },
       "HTTP/2, a client that $who, with \"Expect: 100-continue\": no 103 and no PUSH_PROMISE");
    like(quartpush_log_for($path), qr/ quartpush=- hints=- /,
         '... nothing announced (both notes empty)');
}
