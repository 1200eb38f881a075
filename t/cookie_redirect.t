# SPDX-License-Identifier: Apache-2.0
# QuartPushCookie after an internal redirect: behind a per-directory
# RewriteRule front controller (<Directory> and .htaccess, as WordPress,
# Laravel and Symfony use), behind an ErrorDocument, and on an error
# response httpd makes itself. What was pushed before the redirect is
# recorded in the cookie that the final response sets.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 2 * 4 * 4;

my @both = ('/static/css/site.css', '/static/js/app.js');

# the qpd cookie a response sets, or undef
sub qpd_of {
    my ($res) = @_;
    my @sc = map { $_->[1] =~ /^qpd=([^;]*)/ ? $1 : () }
             grep { lc $_->[0] eq 'set-cookie' } @{ $res->{header_list} || [] };
    return @sc == 1 ? $sc[0] : undef;
}

my %cases = (
    '/app/some/page'      => [ 200, 'a <Directory> RewriteRule front controller' ],
    '/apphta/some/page'   => [ 200, 'an .htaccess RewriteRule front controller' ],
    '/ckerr/doc/fail.cgi' => [ 500, 'a failing handler answered by an ErrorDocument' ],
    '/ckerr/fail.cgi'     => [ 500, 'a failing handler answered by httpd\'s error page' ],
);
for my $vhost (h2_transports()) {
    for my $path (sort keys %cases) {
        my ($status, $what) = @{ $cases{$path} };
        my $res = client_for($vhost)->get("$path?v=$vhost");
        is($res->{status}, $status, "$vhost: $what: $path answers $status");
        is_deeply(paths_of($res), \@both, "$vhost: ... its resources were pushed");
        my $qpd = qpd_of($res);
        ok(defined $qpd, "$vhost: ... and the response sets the cookie")
            or diag explain $res->{header_list};
        $res = client_for($vhost)->get("$path?v=$vhost-again",
                                       headers => [ cookie => 'qpd=' . ($qpd // '') ]);
        is_deeply(paths_of($res), [], "$vhost: ... which a repeat visit sends back: nothing pushed again");
    }
}
