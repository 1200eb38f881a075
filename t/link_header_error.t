# SPDX-License-Identifier: Apache-2.0
# QuartPushLinkHeader on: the final response carries the scope's links, but
# not an error response. An application that answers 503 (a CGI down for
# maintenance) decides so while it runs, after the fixups phase that kept
# the links: its final response has no Link header, over h2 and HTTP/1.1.
# The same CGI answering 200 has them. (Its 103, sent before the handler
# ran, is the documented cost of announcing early: docs/directives.md,
# "The final status is not known yet"; t/final_status.t.)
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');
plan tests => 3 * 4;

my $link = '</static/css/site.css>; rel=preload; as=style';

for my $c ([ 'h2tls', 'h2' ], [ 'h2c', 'h2c' ], [ 'h1tls', 'HTTP/1.1', protocol => 'http/1.1' ]) {
    my ($vhost, $what, %o) = @$c;
    my $res = client_for($vhost, %o)->get("/linkheader/cgi/ok.cgi?v=$vhost");
    is($res->{status}, 200, "$what: the CGI that is up answers 200");
    is_deeply(links_of($res), [$link], '... with the final Link header');

    $res = client_for($vhost, %o)->get("/linkheader/cgi/unavailable.cgi?v=$vhost");
    is($res->{status}, 503, "$what: the CGI that is down answers 503");
    is_deeply(links_of($res), [], '... without any Link header')
        or diag explain $res->{header_list};
}
