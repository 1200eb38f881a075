# A pushed request carries exactly the copied header set of the request that
# caused it: accept, accept-encoding, accept-language, cache-control and
# user-agent. Cookie and Authorization are never copied. mod_http2 adds one
# header of its own, host, which it derives from the pushed :authority.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

my %sent = (
    'accept'          => 'text/html,application/xhtml+xml;q=0.9',
    'accept-encoding' => 'gzip, br',
    'accept-language' => 'fr-CH, fr;q=0.9, en;q=0.8',
    'cache-control'   => 'no-cache',
    'user-agent'      => 'quartpush-test/1.0',
    'cookie'          => 'session=secret-cookie',
    'authorization'   => 'Basic c2VjcmV0OnNlY3JldA==',
);
my %copied = map { $_ => $sent{$_} } COPIED_HEADERS;

plan tests => 2 * 5;

for my $vhost (h2_transports()) {
    my $res = client_for($vhost)->get('/push/', headers => [ %sent ]);
    my @promises = @{ $res->{push_promises} };
    is_deeply(scalar @promises, 3, "$vhost: three resources pushed");
    my %host = map { $_->[1]{host} // '' => 1 } @promises;
    is_deeply([ keys %host ], [ "localhost:" . client_for($vhost)->port ],
              "$vhost: mod_http2's own host header names this server");
    my $exact = grep {
        my %h = %{ $_->[1] };
        delete $h{host};
        t_is_equal(\%h, \%copied);
    } @promises;
    is($exact, 3,
             "$vhost: every PUSH_PROMISE holds exactly the five copied headers, with the request's values");
    is(scalar(grep { exists $_->[1]{cookie} } @promises), 0,
             "$vhost: no PUSH_PROMISE carries the Cookie header");
    is(scalar(grep { exists $_->[1]{authorization} } @promises), 0,
             "$vhost: no PUSH_PROMISE carries the Authorization header");
}
