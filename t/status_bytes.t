# SPDX-License-Identifier: Apache-2.0
# The status page's JSON (?json) is valid JSON in plain ASCII whatever bytes
# the configuration holds. A server name, a route pattern, a condition, a
# route file's name or a manifest's path may hold bytes that are not UTF-8
# (a Latin-1 file name, a configuration written in another charset): each
# such byte comes out as the character of the same number (U+0080 to
# U+00FF, as ISO-8859-1 reads it), valid UTF-8 comes out as the characters
# it encodes, and every character beyond ASCII as a \uXXXX escape.
# An httpd of its own, so that these bytes stay out of the test server's
# configuration.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

plan tests => 11;

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh;
}

# every string below is bytes: "\xe9" is the byte 0xe9, alone not UTF-8;
# "\xc3\xaf" is the UTF-8 of U+00EF; "\xed\xa0\x80" encodes a surrogate,
# which UTF-8 forbids
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
make_path("$dir/htdocs", "$dir/m\xe9");
write_file("$dir/m\xe9/manifest.json",
           '{"page.html": {"file": "assets/page.js", "isEntry": true}}');
write_file("$dir/caf\xe9.routes", "/file/caf\xe9 => /static/a.css\n");
my $port = Apache::Test::config()->{vars}{port} + 91;
my $httpd = eval { start_httpd($dir, $port, <<"CONF") };
ServerName caf\xe9.test
QuartPushManifest app vite "$dir/m\xe9/manifest.json" base=/build/
QuartPushRoutes "$dir/caf\xe9.routes"
<QuartPushRoutes>
    /r/caf\xe9/<slug>     => /static/a.css
    /r/na\xc3\xafve          => /static/b.css
    /r/sur\xed\xa0\x80       => /static/c.css
    /r/when               => /static/d.css  when "%{QUERY_STRING} == 'caf\xe9'"
</QuartPushRoutes>
<Location "/quartpush-status">
    SetHandler quartpush-status
</Location>
CONF
diag $@ if $@;

# a generous timeout: the first request of a server under valgrind
# (make check-hard) is slow, and nothing here is about time
my $res = eval {
    Apache::QuartPush::TestClient->new(host => 'localhost', port => $port,
                                       tls => 1, timeout => 60)
        ->get('/quartpush-status?json');
} || { status => 0, body => '' };
diag $@ if $@;
is($res->{status}, 200, 'bytes that are not UTF-8 in the configuration: ?json is 200');
my $body = $res->{body} // '';
ok($body !~ /[^\x00-\x7f]/, '... its body is plain ASCII (\u escapes)')
    or diag $body;
my $json = eval { JSON::PP->new->utf8->decode($body) };
ok($json, '... and valid JSON') or diag $@, $body;
$json ||= {};
my %route = map { $_->{pattern} => $_ } @{ $json->{routes} || [] };
is($json->{server}, "caf\x{e9}.test", 'ServerName: the byte 0xe9 reads as U+00E9');
ok($route{"/r/caf\x{e9}/<slug>"}, '... so does a route pattern\'s')
    or diag explain [ sort keys %route ];
ok($route{"/r/na\x{ef}ve"}, 'valid UTF-8 reads as the character it encodes');
ok($route{"/r/sur\x{ed}\x{a0}\x{80}"}, 'an encoded surrogate is not UTF-8: each byte reads alone');
is($route{'/r/when'}{when}, "%{QUERY_STRING} == 'caf\x{e9}'", '... the same in a condition');
like($route{"/file/caf\x{e9}"}{origin} // '', qr{/caf\x{e9}\.routes:1\z},
     '... in the name of the route file a route was declared in');
my ($mf) = @{ $json->{manifests} || [] };
is($mf->{file}, "$dir/m\x{e9}/manifest.json", '... and in the path of a manifest');
is($mf->{entries}, 1, '... which was read');
undef $httpd;
