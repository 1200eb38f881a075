# SPDX-License-Identifier: Apache-2.0
# Pushes can be turned off: by QuartPush off in a scope, for one request by
# the no-quartpush variable (SetEnvIf, RewriteRule [E=]), and by a client
# that refuses push, as every current browser does.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 5 + 2;

for my $vhost (h2_transports()) {
    my %cases = (
        '/scoped/child/off/' => 'QuartPush off below a scope with resources',
        '/envoff/'           => 'no-quartpush set by SetEnvIf',
        '/rewriteoff/'       => 'no-quartpush set by RewriteRule [E=]',
    );
    for my $path (sort keys %cases) {
        my $res = client_for($vhost)->get($path);
        is(scalar @{ $res->{push_promises} }, 0,
           "$vhost: $cases{$path}: nothing pushed ($res->{status})");
    }
    my $res = client_for($vhost, accept_push => 0)->get('/push/');
    is_deeply(scalar @{ $res->{push_promises} }, 0,
             "$vhost: a client with SETTINGS_ENABLE_PUSH=0 gets no PUSH_PROMISE");
    is_deeply($res->{status}, 200, "$vhost: ... and its page");
}

# Where mod_http2 forwards 103s and QuartPushEarlyHints is off, a client
# that refuses push sees nothing either (early_hints.t has the default, on).
# (a navigation, which would get hints if it were on)
my $res = client_for('h2hints', accept_push => 0)->get('/eh/off/',
                                                       headers => [ NAVIGATION ]);
is_deeply(scalar @{ $res->{interim} }, 0,
         'QuartPushEarlyHints off: a client that refuses push gets no 103');
is_deeply($res->{headers}{link}, undef, '... and no Link header');
