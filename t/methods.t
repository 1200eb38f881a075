# SPDX-License-Identifier: Apache-2.0
# Only GET gets pushes: HEAD, POST and OPTIONS get none, even where
# resources are declared. mod_http2 would not push for them anyway, so what
# is checked is that mod_quartpush announces nothing: no 103 (the h2hints
# host forwards 103s to the client) and an empty quartpush note.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

my @requests = (
    [ HEAD    => '/push/index.html?m=head' ],
    [ POST    => '/r/?m=post', body => 'x=1',
      headers => [ 'content-type' => 'application/x-www-form-urlencoded' ] ],
    [ OPTIONS => '/push/index.html?m=options' ],
);

plan tests => 3 * @requests + 1;

for my $req (@requests) {
    my ($method, $path, %o) = @$req;
    my $res = client_for('h2hints')->request(method => $method, path => $path, %o);
    is(scalar @{ $res->{interim} }, 0, "$method: no 103 (status $res->{status})");
    is(scalar @{ $res->{push_promises} }, 0, "$method: no PUSH_PROMISE");
    (my $logged = $path) =~ s{^/push/$}{/push/index.html};
    $logged = '/r/app.html?m=post' if $method eq 'POST';   # FallbackResource
    like(quartpush_log_for($logged), qr/ quartpush=- /, "$method: nothing announced");
}

# the same request as a GET is announced, so the checks above can fail
my $res = client_for('h2hints')->get('/push/index.html?m=get');
is(scalar @{ $res->{interim} }, 1, 'GET, for comparison: one 103');
