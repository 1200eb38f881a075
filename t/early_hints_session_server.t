# SPDX-License-Identifier: Apache-2.0
# One TLS connection serving two names (the same certificate, as browsers
# reuse a connection for): mod_http2 forwards a 103 by the H2EarlyHints of
# its session's server, the virtual host the TLS handshake named (SNI), not
# by the request's. Here the SNI name, localhost, has H2EarlyHints on, and
# the request names other.test, whose virtual host has it off: a browser on
# that connection gets the hints. Before, mod_quartpush read other.test's
# setting and sent nothing; the other way round, it counted hints that
# mod_http2 dropped. An httpd of its own, for its two name-based hosts.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

plan tests => 5;

my $dir = tempdir(CLEANUP => 1);
make_path("$dir/htdocs/page");
open my $fh, '>', "$dir/htdocs/page/index.html" or die $!;
print $fh "<!doctype html><title>page</title>\n";
close $fh;
chmod 0755, $dir;
my $port = Apache::Test::config()->{vars}{port} + 92;
my $httpd = eval { start_httpd($dir, $port, <<"CONF") };
<VirtualHost 127.0.0.1:$port>
    ServerName localhost
    H2EarlyHints on
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName other.test
    H2EarlyHints off
</VirtualHost>
<Location "/page/">
    QuartPushResource /static/css/site.css
</Location>
CONF
diag $@ if $@;

my @links = ('</static/css/site.css>; rel=preload; as=style');
sub get {
    my ($authority, $q) = @_;
    return Apache::QuartPush::TestClient->new(
        host => 'localhost', port => $port, tls => 1, timeout => 10,
        accept_push => 0, $authority ? (authority => $authority) : ())
        ->get("/page/?$q", headers => [ NAVIGATION ]);
}

my $res = get(undef, 'q=same');
is_deeply(links_of($res->{interim}[0] || {}), \@links,
          'SNI and request both localhost (H2EarlyHints on): the hints arrive');
$res = get("other.test:$port", 'q=other');
is($res->{status}, 200, 'SNI localhost, request for other.test (H2EarlyHints off there): the page');
is(scalar @{ $res->{interim} }, 1,
   '... and its 103: mod_http2 forwards it by the connection\'s localhost');
is_deeply(links_of($res->{interim}[0] || {}), \@links, '... with the hints');
undef $httpd;
my $elog = do { local (@ARGV, $/) = "$dir/error_log"; <> } // '';
my $hinted = () = $elog =~ m{GET /page/: no route; pushed: -; hinted: /static/css/site\.css}g;
is($hinted, 2, '... and the debug lines of both requests say hinted') or diag $elog;
