# HTTP/1.x has no push: mod_quartpush sends nothing there, neither a 103
# nor a Link header, the same as Quart ignoring make_push_promise.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 4;

for my $vhost ('h1tls', 'h2c') {
    my $res = client_for($vhost, protocol => 'http/1.1')->get("/push/index.html?h1=$vhost");
    is_deeply($res->{status}, 200, "HTTP/1.1 on $vhost: the page is served");
    is_deeply(scalar @{ $res->{interim} }, 0, "HTTP/1.1 on $vhost: no 103 response");
    is_deeply($res->{headers}{link}, undef, "HTTP/1.1 on $vhost: no Link header");
    like quartpush_log_for("/push/index.html?h1=$vhost"), qr/ quartpush=- /,
         "HTTP/1.1 on $vhost: the quartpush note is empty";
}
