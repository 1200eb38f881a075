# SPDX-License-Identifier: Apache-2.0
# Every configuration mistake makes "httpd -t" fail, with a message that
# names the directive and quotes the offending text.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

my @bad = (
    [ 'QuartPushResource https://evil.example/x.css',
      q{QuartPushResource: 'https://evil.example/x.css' names another scheme or host} ],
    [ 'QuartPushResource //evil.example/x.css',
      q{QuartPushResource: '//evil.example/x.css' starts with '//', which names another host} ],
    [ 'QuartPushResource /static/../secret.css',
      q{QuartPushResource: '/static/../secret.css' has a '..' segment} ],
    [ 'QuartPushResource /static/%2e%2e/secret.css',
      q{QuartPushResource: '/static/%2e%2e/secret.css' has a '..' segment} ],
    [ 'QuartPushResource "/a b.css"',
      q{QuartPushResource: '/a b.css' has a control character or space at offset 2} ],
    [ 'QuartPushResource static/x.css',
      q{QuartPushResource: 'static/x.css' is not an absolute path} ],
    [ 'QuartPushResource /x.css as=stylesheet',
      q{QuartPushResource: 'as=stylesheet': unknown destination} ],
    [ 'QuartPushResource /x.css crossorigin=maybe',
      q{QuartPushResource: 'crossorigin=maybe': unknown CORS mode} ],
    [ 'QuartPushResource /x.css type=css',
      q{QuartPushResource: 'type=css': not a MIME type} ],
    [ 'QuartPushResource /x.css preload',
      q{QuartPushResource: 'preload': unknown parameter} ],
    [ 'QuartPushResource /x.css critical critical',
      q{QuartPushResource: 'critical': parameter given twice} ],
    [ 'QuartPushResource /x.css media="(min-width: 600px)',
      q{QuartPushResource: '/x.css media="(min-width: 600px)': unterminated quote} ],
    [ 'QuartPushResource',
      q{QuartPushResource: no URL} ],
    [ 'QuartPushEarlyHints maybe',
      q{QuartPushEarlyHints: 'maybe' is not a valid value (expected off, or one or more of on, h1 and all)} ],
    [ 'QuartPushEarlyHints h1 navigations',
      q{QuartPushEarlyHints: 'navigations' is not a valid value (expected off, or one or more of on, h1 and all)} ],
    [ 'QuartPushEarlyHints off all',
      q{QuartPushEarlyHints: off takes no other value (got 'all')} ],
    [ 'QuartPushEarlyHints h1 off',
      q{QuartPushEarlyHints: off takes no other value (got 'h1')} ],
    [ 'QuartPushEarlyHints all h1 all',
      q{QuartPushEarlyHints: 'all' is given twice} ],
    [ 'QuartPushEarlyHints on ON',
      q{QuartPushEarlyHints: 'ON' is given twice} ],
    [ 'QuartPushEarlyHints ""',
      q{QuartPushEarlyHints: '' is not a valid value (expected off, or one or more of on, h1 and all)} ],
    [ 'QuartPushEarlyHints',
      q{QuartPushEarlyHints: no value (expected off, or one or more of on, h1 and all)} ],
    [ 'QuartPushBackendHints both',
      q{QuartPushBackendHints: 'both' is not a valid value (expected first or merge)} ],
    [ 'QuartPushPreconnect',
      q{QuartPushPreconnect: no origin} ],
    [ 'QuartPushPreconnect ftp://cdn.example.com',
      q{QuartPushPreconnect: 'ftp://cdn.example.com' is not an http or https origin} ],
    [ 'QuartPushPreconnect /static/',
      q{QuartPushPreconnect: '/static/' is not an http or https origin} ],
    [ 'QuartPushPreconnect https://cdn.example.com/fonts/',
      q{QuartPushPreconnect: 'https://cdn.example.com/fonts/' is more than an origin} ],
    [ 'QuartPushPreconnect https://user@cdn.example.com',
      q{QuartPushPreconnect: 'https://user@cdn.example.com' is more than an origin} ],
    [ 'QuartPushPreconnect https://cdn.example.com:99999',
      q{QuartPushPreconnect: 'https://cdn.example.com:99999' has a bad port} ],
    [ 'QuartPushPreconnect https://cdn.example.com>;rel=preload',
      q{QuartPushPreconnect: 'https://cdn.example.com>;rel=preload' does not name a valid host} ],
    [ 'QuartPushPreconnect https://cdn.example.com as=style',
      q{QuartPushPreconnect: 'as=style': a preconnect takes no parameter but crossorigin} ],
    [ 'QuartPushCookie qp;x',
      q{QuartPushCookie: 'qp;x' is not a valid cookie name} ],
    [ 'QuartPushCookie qp max-age=-1',
      q{QuartPushCookie: 'max-age=-1' is not a valid max-age (expected a whole number of seconds from 0 to 315360000, ten years)} ],
    [ 'QuartPushCookie qp max-age=1d',
      q{QuartPushCookie: 'max-age=1d' is not a valid max-age} ],
    [ 'QuartPushCookie qp expires=1',
      q{QuartPushCookie: 'expires=1' is not an option (expected max-age=SECONDS)} ],
    [ 'QuartPushCookie off max-age=60',
      q{QuartPushCookie: off takes no option (got 'max-age=60')} ],
    [ 'QuartPushCookie',
      q{QuartPushCookie takes 1-2 arguments, NAME [max-age=SECONDS] | off} ],
    [ 'QuartPush maybe',
      q{QuartPush: 'maybe' is not a valid value (expected on or off)} ],
    [ 'QuartPushLimit -1',
      q{QuartPushLimit: '-1' is not a valid limit (expected a whole number from 0 to 1000)} ],
    [ 'QuartPushLimit 1001',
      q{QuartPushLimit: '1001' is not a valid limit} ],
    [ 'QuartPushLimit ten',
      q{QuartPushLimit: 'ten' is not a valid limit} ],
    [ 'QuartPushLinkHeader yes',
      q{QuartPushLinkHeader: 'yes' is not a valid value (expected on or off)} ],
);

# every form QuartPushEarlyHints takes
my @good = ('off', 'on', 'h1', 'all', 'h1 all', 'all h1', 'on all', 'on h1 all', 'ALL');

plan tests => 2 * @bad + 9 + @good;

my $dir = tempdir(CLEANUP => 1);
sub check_config {
    my ($line, $with_http2) = @_;
    return httpd_config_test($dir, qq{<Location "/">\n    $line\n</Location>},
                             http2 => $with_http2);
}

my ($rc, $out) = httpd_config_test($dir, qq{H2EarlyHints on\n<Location "/">\n}
    . qq{    QuartPushResource /static/css/site.css as=style critical\n</Location>},
    http2 => 1);
is($rc, 0, 'a correct configuration passes httpd -t') or diag $out;
unlike($out, qr/quartpush:warn/, '... without a warning');
($rc, $out) = check_config('QuartPushResource /static/css/site.css');
like($out, qr/mod_http2 is not loaded: mod_quartpush will push nothing/,
     'without mod_http2, httpd -t warns that nothing will be pushed');

for my $value (@good) {
    ($rc, $out) = check_config("QuartPushEarlyHints $value");
    is($rc, 0, "httpd -t passes: QuartPushEarlyHints $value") or diag $out;
}

for my $case (@bad) {
    my ($line, $message) = @$case;
    ($rc, $out) = check_config($line);
    ok $rc != 0, "httpd -t fails on: $line";
    ok index($out, $message) >= 0 && $out =~ /Syntax error on line 10 of /,
        "... saying where and why: $message" or diag $out;
}

# QuartPushEarlyHints is on by default: a server with rules whose 103s
# mod_http2 would drop (H2EarlyHints off) gets a warning that names it.
($rc, $out) = check_config('QuartPushResource /static/css/site.css', 1);
like($out, qr/quartpush:warn.*QuartPushEarlyHints is on for the main server localhost .*but its H2EarlyHints is off/,
     'H2EarlyHints off: httpd -t warns that browsers get no Early Hints');
is($rc, 0, '... and still passes');
($rc, $out) = check_config("QuartPushResource /static/css/site.css\n    QuartPushEarlyHints off", 1);
unlike($out, qr/quartpush:warn/, 'QuartPushEarlyHints off in the scope of the rules: no warning');
($rc, $out) = httpd_config_test($dir, <<'CONF', http2 => 1);
QuartPushEarlyHints off
<VirtualHost 127.0.0.1:1>
    ServerName quiet.example
    QuartPushResource /a.css
</VirtualHost>
<IfModule http2_module>
<VirtualHost 127.0.0.1:1>
    ServerName hinted.example
    <IfModule http2_module>
        H2EarlyHints on
    </IfModule>
    QuartPushEarlyHints on
    QuartPushResource /a.css
</VirtualHost>
</IfModule>
<VirtualHost 127.0.0.1:1>
    ServerName silent.example
    QuartPushEarlyHints on
    <QuartPushRoutes>
        /blog/<slug> => /blog.css
    </QuartPushRoutes>
</VirtualHost>
CONF
like($out, qr/QuartPushEarlyHints is on for the virtual host silent\.example \(\S+httpd\.conf:\d+\)/,
     'a virtual host with routes and H2EarlyHints off is named, with its file and line');
unlike($out, qr/hinted\.example|quiet\.example/,
       '... not one with H2EarlyHints on (inside <IfModule>), nor one with QuartPushEarlyHints off')
    or diag $out;
my @warnings = $out =~ /(quartpush:warn)/g;
is(scalar @warnings, 1, '... one warning in all') or diag $out;
