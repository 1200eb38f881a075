# SPDX-License-Identifier: Apache-2.0
# QuartPushLinkHeader survives mod_proxy: mod_proxy_http replaces
# r->headers_out with the backend's headers, so links put there in fixups
# were lost. They are added as the headers leave, exactly once: not again
# when the backend (here /linkheader/ on this server) sent the same link.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

unless (Apache::Test::have_module('mod_proxy_http.c')) {
    plan tests => 1;
    fail('mod_proxy_http is loaded (t/TEST.PL @needed)');
    exit 1;
}
plan tests => 2 * 4;

my $link = '</static/css/site.css>; rel=preload; as=style';

sub count_links {
    my ($res) = @_;
    return scalar grep { $_ eq $link } @{ links_of($res) };
}

for my $vhost ('h2tls', 'h1tls') {
    my %proto = $vhost eq 'h1tls' ? (protocol => 'http/1.1') : (accept_push => 0);
    my $res = client_for($vhost, %proto)->get("/proxied/css/site.css?c=$vhost");
    is($res->{status}, 200, "$vhost: the proxied response answers 200");
    is(count_links($res), 1, "$vhost: ... and carries the Link header once")
        or diag explain links_of($res);
    $res = client_for($vhost, %proto)->get("/proxiedlh/?c=$vhost");
    is(count_links($res), 1, "$vhost: a backend that sends the same link: still once")
        or diag explain links_of($res);
    $res = client_for($vhost, %proto)->get("/linkheader/?c=$vhost");
    is(count_links($res), 1, "$vhost: not proxied, once")
        or diag explain links_of($res);
}
