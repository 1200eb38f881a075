# SPDX-License-Identifier: Apache-2.0
# Two requests on one HTTP/2 connection, as browsers make them, with the
# client turning push off between them (SETTINGS_ENABLE_PUSH=0, which a
# client may send at any time): the first request's resources are pushed,
# the second's are not, and mod_quartpush does not count or log pushes that
# mod_http2 no longer makes. h2c, which forwards no 103: the second request
# announces nothing.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use IO::Socket::IP;
use Protocol::HTTP2::Client;
use Protocol::HTTP2::Constants qw(:frame_types :settings);
use lib 't/lib';
use QuartPushTest;

plan tests => 5;

my $port = Apache::Test::config()->{vhosts}{h2c}{port};
my $sock = IO::Socket::IP->new(PeerHost => 'localhost', PeerPort => $port, Timeout => 10)
    or die "connect: $!";
my @promised;
my $client = Protocol::HTTP2::Client->new(
    keepalive => 1,
    on_push   => sub { push @promised, { @{ $_[0] } }->{':path'}; return sub { } },
);

# runs the connection until $done->() is true, or 10 s have gone
sub run_until {
    my ($done) = @_;
    my $until = time + 10;
    while (!$done->() && time < $until) {
        while (my $frame = $client->next_frame) {
            syswrite $sock, $frame;
        }
        my $rin = '';
        vec($rin, fileno $sock, 1) = 1;
        next unless select(my $rout = $rin, undef, undef, 0.1);
        sysread($sock, my $buf, 65536) or last;
        $client->feed($buf);
    }
    return $done->();
}

my %status;
sub get {
    my ($path) = @_;
    $client->request(':scheme' => 'http', ':authority' => "localhost:$port",
                     ':path' => $path, ':method' => 'GET',
                     on_done => sub { $status{$path} = { @{ $_[0] } }->{':status'} });
    return run_until(sub { defined $status{$path} && !$client->{active_streams} });
}

my $first = "/push/index.html?settings=$$-1";
ok(get($first), 'the first request is answered');
is_deeply([ sort @promised ], [ '/fonts/inter.woff2', '/static/css/site.css', '/static/js/app.js' ],
          '... its three resources are pushed');

# push off for the rest of the connection
$client->{con}->enqueue(SETTINGS, 0, 0, { &SETTINGS_ENABLE_PUSH => 0 });
@promised = ();
my $second = "/push/index.html?settings=$$-2";
ok(get($second), 'the second request, on the same connection, after SETTINGS_ENABLE_PUSH=0, is answered');
is_deeply(\@promised, [], '... nothing is pushed');
like(quartpush_log_for($second), qr/ quartpush=- hints=- /,
     '... and mod_quartpush logs no push (nor a hint: h2c forwards no 103)');
close $sock;
