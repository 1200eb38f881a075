# SPDX-License-Identifier: Apache-2.0
# Every malformed route makes "httpd -t" fail, naming the file (or block)
# and line, quoting the offending text and saying what was expected. And
# "httpd -t -D DUMP_QUARTPUSH" prints the compiled routes in match order.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

my $dir = tempdir(CLEANUP => 1);
# httpd -t on a configuration whose routes are $block (lines of a
# <QuartPushRoutes> block) and, optionally, a route file with $file
sub check_config {
    my (%o) = @_;
    if (defined $o{file}) {
        open my $fh, '>', "$dir/push.routes" or die $!;
        binmode $fh;
        print $fh $o{file};
        close $fh;
    }
    my $routes = defined $o{block} ? "<QuartPushRoutes>\n$o{block}\n</QuartPushRoutes>" : '';
    my $include = defined $o{file} ? 'QuartPushRoutes push.routes' : '';
    $include = "QuartPushRoutes $o{path}" if $o{path};
    return httpd_config_test($dir, "$routes\n$include", http2 => 1,
                             define => $o{define});
}

my @block = (
    [ '/a /b.css', q{'/a', found '/b.css'}, q{expected '=>' after the route} ],
    [ 'a => /b.css', q{route 'a' does not start with '/'}, 'a route starts with /' ],
    [ '/a =>', q{route '/a' has no resources after '=>'}, 'no resources' ],
    [ '/a => /b.css,, /c.css', q{route '/a' has an empty resource}, 'an empty resource' ],
    [ '/u/<integer:id> => /b.css', q{unknown converter 'integer' (expected string, int, float, uuid, path or any(a,b,c))}, 'an unknown converter' ],
    [ '/u/<int:> => /b.css', q{placeholder '<int:>' has no name}, 'a placeholder without a name' ],
    [ '/f/file-<name>.txt => /b.css', q{a placeholder must be a whole path segment}, 'a placeholder inside a segment' ],
    [ '/d/<path:p>/edit => /b.css', q{<path:p> must be the last segment}, 'path in the middle' ],
    [ '/s/*/x => /b.css', q{'*' must be the last segment}, '* in the middle' ],
    [ '/b/<slug> => /img/<id>.png', q{resource '/img/<id>.png' uses <id>, which route '/b/<slug>' does not define}, 'an undefined placeholder in a resource' ],
    [ '/a => https://cdn.example/x.css', q{'https://cdn.example/x.css' names another scheme or host}, 'a resource on another host' ],
    [ '/a => /x.css as=stylesheet', q{'as=stylesheet': unknown destination}, 'a bad link parameter' ],
    [ '/a => /x.css when %{HTTPS}', q{expected a quoted expression after 'when'}, 'an unquoted condition' ],
    [ q{/a => /x.css when "%{HTTP:X} =~"}, q{cannot parse when "%{HTTP:X} =~"}, 'a condition httpd cannot parse' ],
    [ "/a => /x.css\n/a => /y.css", q{route '/a' is declared twice (first at}, 'the same route twice' ],
    [ "/u/<a> => /x.css\n/u/<b> => /y.css", q{route '/u/<b>' has the same shape as '/u/<a>'}, 'two routes of one shape' ],
);

my @file = (
    [ "/a => /x.css\n/b /y.css\n", q{QuartPushRoutes: push.routes:2: expected '=>' after the route '/b'}, 'a file error names the file and line' ],
    [ "/a => /x.css\n/b => /y.css\0\n", q{QuartPushRoutes: push.routes:2: a NUL byte (expected a text file)}, 'a NUL byte' ],
    [ "/a => /x.css, \\", q{push.routes:1: the last line ends with '\\\\'}, 'a continuation at the end of the file (httpd doubles the backslash when it logs)' ],
    [ '/a => ' . ('/x.css, ' x 2000) . "/y.css\n", q{push.routes:1: line too long (at most 8192 bytes)}, 'a line of more than 8 KB' ],
);

plan tests => 2 * (@block + @file) + 6;

for my $case (@block) {
    my ($text, $message, $what) = @$case;
    my ($rc, $out) = check_config(block => $text);
    ok $rc != 0, "httpd -t fails: $what";
    ok index($out, $message) >= 0 && $out =~ /httpd\.conf:1[0-9]/,
       "... naming the line and saying: $message" or diag $out;
}
for my $case (@file) {
    my ($text, $message, $what) = @$case;
    my ($rc, $out) = check_config(file => $text);
    ok $rc != 0, "httpd -t fails: $what";
    ok index($out, $message) >= 0, "... saying: $message" or diag $out;
}

my ($rc, $out) = check_config(path => 'missing.routes');
ok $rc != 0 && $out =~ /QuartPushRoutes: cannot read 'missing\.routes' \(.*missing\.routes\): No such file or directory/,
   'a missing route file names the file and the reason' or diag $out;
($rc, $out) = check_config(path => '.');
ok $rc != 0 && index($out, q{QuartPushRoutes: '.'}) >= 0 && $out =~ /is not a regular file/,
   'a directory is not a route file' or diag $out;

($rc, $out) = check_config(block => "/b/<slug> => /b.css\n/b/new => /n.css",
                           file => "/u/<int:id> => /p.js critical\n",
                           define => 'DUMP_QUARTPUSH');
is($rc, 0, 'a good configuration passes httpd -t') or diag $out;
like($out, qr{^\s+1\. /b/new  \[.*httpd\.conf:\d+\]$}m, 'DUMP_QUARTPUSH lists the static route first');
like($out, qr{2\. /u/<int:id>  \[push\.routes:1\]\n\s+</p\.js>; rel=preload; as=script; critical}m,
     '... then the int route, with its origin and Link values');
like($out, qr{3\. /b/<slug> }m, '... then the string route');
