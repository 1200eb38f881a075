# SPDX-License-Identifier: Apache-2.0
# Hostile configurations: each one makes "httpd -t" fail cleanly, with a
# message that names the directive and quotes the offending text, without
# a crash (no signal), and in bounded time: every run must end within
# 10 seconds ($time_limit; a hang is killed later, at its timeout). The
# largest inputs (1 MB lines, 60,000 and 100,000 routes) take under a
# second on an idle machine; the bound leaves ten times that for a loaded
# shared one, and still fails when reading routes stops being linear.
#
# t/config_errors.t and t/routes_config_errors.t already cover the first
# mistakes one makes (another host, '..', bad as=/crossorigin/type, unknown
# and repeated params, bad limits and on/off values, the basic cookie and
# preconnect errors, route syntax, a NUL byte on line 2, a line of 16 KB, a
# missing file, a directory). This file adds the hostile ones: injection
# attempts, overflows, odd encodings, huge and binary files, special files,
# nesting, and directives in the wrong context.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use POSIX qw(mkfifo);
use lib 't/lib';
use QuartPushTest;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;       # the unreadable-file case runs httpd as nobody

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>', "$dir/$name" or die "$dir/$name: $!";
    binmode $fh;
    print $fh $text;
    close $fh;
    return "$dir/$name";
}
sub in_location { qq{<Location "/">\n    $_[0]\n</Location>} }
sub routes_block { "<QuartPushRoutes>\n$_[0]\n</QuartPushRoutes>" }

my $nested100 = '/a/' . ('<' x 100) . 'x' . ('>' x 100);
my $vars17 = '/' . join('/', map { "<v$_>" } 1 .. 17);
my $segs65 = '/' . join('/', map { "s$_" } 1 .. 65);
my $line_1mb = '/a => ' . ('/x.css, ' x 131072) . "/y.css\n";
my $is_root = $> == 0;
my $time_limit = 10;    # seconds, for every httpd -t below (see the top)

# [ what, httpd.conf body (or a sub that prepares files and returns it),
#   the text the message must hold, options for httpd_config_test ]
my @cases = (
    # --- QuartPushResource: URLs and params built to break the Link header
    [ 'a URL that closes the <...> and adds its own rel',
      in_location('QuartPushResource "/x.css>; rel=stylesheet"'),
      q{QuartPushResource: '/x.css>; rel=stylesheet' has the character '>' at offset 6, which must be percent-encoded} ],
    [ 'a query string with <b>',
      in_location('QuartPushResource /x?a=<b>'),
      q{QuartPushResource: '/x?a=<b>' has the character '<' at offset 5} ],
    [ 'a fragment',
      in_location('QuartPushResource /x.css#frag'),
      q{QuartPushResource: '/x.css#frag' has a fragment ('#')} ],
    [ 'a malformed percent-escape',
      in_location('QuartPushResource /x%zz.css'),
      q{QuartPushResource: '/x%zz.css' has a malformed percent-escape at offset 2} ],
    [ 'raw UTF-8 in the URL',
      in_location("QuartPushResource /\xc3\xa9.css"),
      q{QuartPushResource: '/\xc3\xa9.css' has the character '\xc3' at offset 1, which must be percent-encoded} ],
    [ "'..' written half encoded (%2E.)",
      in_location('QuartPushResource /a/%2E./x.css'),
      q{QuartPushResource: '/a/%2E./x.css' has a '..' segment} ],
    [ 'a relative ./ path',
      in_location('QuartPushResource ./x.css'),
      q{QuartPushResource: './x.css' is not an absolute path} ],
    [ 'a route-style list of URLs',
      in_location('QuartPushResource /x.css, /y.css'),
      q{QuartPushResource: '/y.css': unknown parameter} ],
    [ 'an empty as=',
      in_location('QuartPushResource /x.css as='),
      q{QuartPushResource: 'as=': unknown destination} ],
    [ 'as= with a list',
      in_location('QuartPushResource /x.css as=style,script'),
      q{QuartPushResource: 'as=style,script': unknown destination} ],
    [ 'an empty media=',
      in_location('QuartPushResource /x.css media='),
      q{QuartPushResource: 'media=': not a media query} ],
    [ 'a value on a flag',
      in_location('QuartPushResource /x.css nopush=1'),
      q{QuartPushResource: 'nopush=1': nopush takes no value} ],
    [ 'crossorigin twice, in two spellings',
      in_location('QuartPushResource /x.css crossorigin crossorigin=anonymous'),
      q{QuartPushResource: 'crossorigin=anonymous': parameter given twice} ],

    # --- numbers and keywords
    [ 'QuartPushLimit in exponent notation',
      in_location('QuartPushLimit 1e3'),
      q{QuartPushLimit: '1e3' is not a valid limit} ],
    [ 'QuartPushLimit that overflows 64 bits',
      in_location('QuartPushLimit 99999999999999999999999'),
      q{QuartPushLimit: '99999999999999999999999' is not a valid limit} ],
    [ 'QuartPushLimit in hex',
      in_location('QuartPushLimit 0x10'),
      q{QuartPushLimit: '0x10' is not a valid limit} ],
    [ 'QuartPush with two values (httpd says it)',
      in_location('QuartPush on off'),
      q{QuartPush takes one argument, on|off} ],
    [ 'QuartPushEarlyHints h2c',
      in_location('QuartPushEarlyHints h2c'),
      q{QuartPushEarlyHints: 'h2c' is not a valid value (expected off, or one or more of on, h1 and all)} ],
    [ 'QuartPushLinkHeader 1',
      in_location('QuartPushLinkHeader 1'),
      q{QuartPushLinkHeader: '1' is not a valid value (expected on or off)} ],

    # --- QuartPushCookie: names that would break Set-Cookie
    [ 'a cookie name with a space',
      in_location('QuartPushCookie "q p"'),
      q{QuartPushCookie: 'q p' is not a valid cookie name: it has a space or control character at offset 1} ],
    [ "a cookie name with '=' (name=value injection)",
      in_location('QuartPushCookie qp=x'),
      q{QuartPushCookie: 'qp=x' is not a valid cookie name: it has the separator '=' at offset 2} ],
    [ "a cookie name with ','",
      in_location('QuartPushCookie qp,x'),
      q{QuartPushCookie: 'qp,x' is not a valid cookie name: it has the separator ',' at offset 2} ],
    [ 'a non-ASCII cookie name',
      in_location("QuartPushCookie \xc3\xa9"),
      q{QuartPushCookie: '\xc3\xa9' is not a valid cookie name: it has a non-ASCII character at offset 0} ],
    [ 'a cookie name with an escaped CR/LF and a header',
      in_location('QuartPushCookie "qp\r\nSet-Cookie: x"'),
      q{QuartPushCookie: 'qp\\\\r\\\\nSet-Cookie: x' is not a valid cookie name} ],
    [ 'max-age one second over ten years',
      in_location('QuartPushCookie qp max-age=315360001'),
      q{QuartPushCookie: 'max-age=315360001' is not a valid max-age} ],
    [ 'max-age that overflows 64 bits',
      in_location('QuartPushCookie qp max-age=99999999999999999999'),
      q{QuartPushCookie: 'max-age=99999999999999999999' is not a valid max-age} ],
    [ 'an empty max-age',
      in_location('QuartPushCookie qp max-age='),
      q{QuartPushCookie: 'max-age=' is not a valid max-age} ],
    [ 'three cookie arguments (httpd says it)',
      in_location('QuartPushCookie qp max-age=60 extra'),
      q{QuartPushCookie takes 1-2 arguments, NAME [max-age=SECONDS] | off} ],

    # --- QuartPushPreconnect: origins that are not one
    [ 'a preconnect origin with no host',
      in_location('QuartPushPreconnect https://'),
      q{QuartPushPreconnect: 'https://' does not name a valid host} ],
    [ 'a preconnect origin with only a port',
      in_location('QuartPushPreconnect https://:443'),
      q{QuartPushPreconnect: 'https://:443' does not name a valid host} ],
    [ 'an unclosed IPv6 literal',
      in_location('QuartPushPreconnect http://[::1'),
      q{QuartPushPreconnect: 'http://[::1' does not name a valid host} ],
    [ "a host with '_'",
      in_location('QuartPushPreconnect https://cdn.exa_mple.com'),
      q{QuartPushPreconnect: 'https://cdn.exa_mple.com' does not name a valid host} ],
    [ 'an origin with a query',
      in_location('QuartPushPreconnect https://cdn.example.com?x=1'),
      q{QuartPushPreconnect: 'https://cdn.example.com?x=1' is more than an origin} ],
    [ 'an origin with a fragment',
      in_location('QuartPushPreconnect https://cdn.example.com#f'),
      q{QuartPushPreconnect: 'https://cdn.example.com#f' is more than an origin} ],
    [ 'an origin that smuggles a second link',
      in_location('QuartPushPreconnect "https://cdn.example.com, </evil>; rel=preload"'),
      q{QuartPushPreconnect: 'https://cdn.example.com, </evil>; rel=preload' is more than an origin} ],
    [ 'port 0',
      in_location('QuartPushPreconnect https://cdn.example.com:0'),
      q{QuartPushPreconnect: 'https://cdn.example.com:0' has a bad port} ],
    [ 'a javascript: origin',
      in_location('QuartPushPreconnect javascript:alert(1)'),
      q{QuartPushPreconnect: 'javascript:alert(1)' is not an http or https origin} ],
    [ 'a bad CORS mode on a preconnect',
      in_location('QuartPushPreconnect https://cdn.example.com crossorigin=bogus'),
      q{QuartPushPreconnect: 'crossorigin=bogus': unknown CORS mode} ],
    [ 'a host name with a space',
      in_location('QuartPushPreconnect https://cdn example.com'),
      q{QuartPushPreconnect: 'example.com': a preconnect takes no parameter but crossorigin} ],
    [ 'a preconnect to ftp in a route',
      routes_block('/b => preconnect=ftp://x.example'),
      q{'ftp://x.example' is not an http or https origin} ],

    # --- routes built to break the parser
    [ 'deeply nested placeholders (4 levels)',
      routes_block('/a/<<<<x>>>> => /b.css'),
      q{route '/a/<<<<x>>>>': a placeholder must be a whole path segment} ],
    [ 'a converter inside a converter',
      routes_block('/a/<int:<int:x>> => /b.css'),
      q{route '/a/<int:<int:x>>': a placeholder must be a whole path segment} ],
    [ 'placeholders nested 100 deep',
      routes_block("$nested100 => /b.css"),
      q{a placeholder must be a whole path segment} ],
    [ 'any() without choices',
      routes_block('/a/<any():x> => /b.css'),
      q{route '/a/<any():x>': any() has an empty choice} ],
    [ 'any( without its )',
      routes_block('/a/<any(a,b:x> => /b.css'),
      q{route '/a/<any(a,b:x>': 'any(a,b' is missing its ')'} ],
    [ 'one placeholder name twice',
      routes_block('/a/<x>/<x> => /b.css'),
      q{route '/a/<x>/<x>': placeholder 'x' is used twice} ],
    [ 'a placeholder name starting with a digit',
      routes_block('/a/<1x> => /b.css'),
      q{route '/a/<1x>': '1x' is not a placeholder name} ],
    [ 'a route that encodes /',
      routes_block('/a/%2F => /b.css'),
      q{route '/a/%2F' encodes '/' or NUL in a segment} ],
    [ 'a route with a malformed escape',
      routes_block('/a/%zz => /b.css'),
      q{route '/a/%zz' has a malformed percent-escape} ],
    [ 'a route with ..',
      routes_block('/a/../b => /b.css'),
      q{route '/a/../b' has a '.' or '..' segment} ],
    [ '17 placeholders',
      routes_block("$vars17 => /b.css"),
      q{has more than 16 placeholders} ],
    [ '65 segments',
      routes_block("$segs65 => /b.css"),
      q{has more than 64 segments} ],
    [ 'two when conditions',
      routes_block('/a => /b.css when "true" when "false"'),
      q{unexpected text 'when "false"' after the 'when' expression} ],
    [ 'an unterminated when',
      routes_block('/a => /b.css when "true'),
      q{unterminated quote in the 'when' expression} ],
    [ 'an unterminated placeholder in a resource',
      routes_block('/b/<slug> => /img/<slug'),
      q{resource '/img/<slug' has an unterminated placeholder} ],
    [ 'a resource that closes the <...> and adds its own rel',
      routes_block('/a => "/x.css>; rel=stylesheet"'),
      q{'/x.css>; rel=stylesheet' has the character '>' at offset 6} ],
    [ 'a directive inside the block',
      routes_block('QuartPushResource /x.css'),
      q{route 'QuartPushResource' does not start with '/'} ],

    # --- size
    [ 'a route line of 1 MB in a file',
      sub { write_file('mb.routes', $line_1mb); 'QuartPushRoutes mb.routes' },
      q{QuartPushRoutes: mb.routes:1: line too long (at most 8192 bytes)} ],
    [ 'a route line of 1 MB in a block',
      routes_block($line_1mb),
      q{<QuartPushRoutes>: } . "$dir/httpd.conf:10: line too long (at most 8192 bytes)" ],
    [ 'a file of 1.3 MB, 60,000 good routes and a bad last line',
      sub { write_file('big.routes', join('', map { "/r$_ => /x$_.css\n" } 1 .. 60000) . "/bad\n");
            'QuartPushRoutes big.routes' },
      q{QuartPushRoutes: big.routes:60001: expected '=>' after the route '/bad'} ],
    [ '100,000 identical routes in a file',
      sub { write_file('dup.routes', "/same => /x.css\n" x 100_000); 'QuartPushRoutes dup.routes' },
      q{QuartPushRoutes: dup.routes:2: route '/same' is declared twice (first at dup.routes:1)} ],
    [ '100,000 identical routes in a block',
      routes_block("/same => /x.css\n" x 100_000),
      q{QuartPushRoutes: } . "$dir/httpd.conf:11: route '/same' is declared twice (first at $dir/httpd.conf:10)" ],
    [ 'a sparse route file of 65 MB',
      sub { open my $fh, '>', "$dir/sparse.routes" or die $!; truncate $fh, 65 * 1024 * 1024; close $fh;
            'QuartPushRoutes sparse.routes' },
      q{QuartPushRoutes: 'sparse.routes' is larger than 64 MB} ],

    # --- route files that are not text files
    [ 'a route file that starts with a NUL byte',
      sub { write_file('nul.routes', "\0/a => /x.css\n"); 'QuartPushRoutes nul.routes' },
      q{QuartPushRoutes: nul.routes:1: a NUL byte (expected a text file)} ],
    [ 'a binary route file (the module itself)',
      sub { copy(module_so(), "$dir/bin.routes") or die $!; 'QuartPushRoutes bin.routes' },
      q{QuartPushRoutes: bin.routes:1: a NUL byte (expected a text file)} ],
    [ 'a route file with a UTF-8 byte order mark',
      sub { write_file('bom.routes', "\xef\xbb\xbf/a => /x.css\n"); 'QuartPushRoutes bom.routes' },
      q{QuartPushRoutes: bom.routes:1: route '\xef\xbb\xbf/a' does not start with '/'} ],
    [ 'a FIFO as the route file (opening it would block forever)',
      sub { unlink "$dir/fifo.routes"; mkfifo("$dir/fifo.routes", 0644) or die $!;
            'QuartPushRoutes fifo.routes' },
      q{QuartPushRoutes: 'fifo.routes' (} . "$dir/fifo.routes" . q{) is not a regular file},
      { timeout => 10 } ],
    [ '/dev/zero as the route file',
      'QuartPushRoutes /dev/zero',
      q{QuartPushRoutes: '/dev/zero' (/dev/zero) is not a regular file},
      { timeout => 10 } ],
    [ 'a symbolic link loop',
      sub { unlink "$dir/loop1", "$dir/loop2"; symlink('loop2', "$dir/loop1"); symlink('loop1', "$dir/loop2");
            'QuartPushRoutes loop1' },
      q{QuartPushRoutes: cannot read 'loop1' (} . "$dir/loop1" . q{): Too many levels of symbolic links} ],
    [ 'a route file in a directory that does not exist',
      'QuartPushRoutes nodir/x.routes',
      q{QuartPushRoutes: cannot read 'nodir/x.routes' (} . "$dir/nodir/x.routes" . q{): No such file or directory} ],
    [ $is_root ? 'an unreadable route file (chmod 000; httpd -t runs as nobody, since root reads anything)'
               : 'an unreadable route file (chmod 000)',
      sub { write_file('secret.routes', "/a => /x.css\n"); chmod 0000, "$dir/secret.routes";
            'QuartPushRoutes secret.routes' },
      q{QuartPushRoutes: cannot read 'secret.routes' (} . "$dir/secret.routes" . q{): Permission denied},
      { user => 'nobody' } ],

    # --- the wrong context (.htaccess files are read only while serving,
    #     so their context is tried as <Directory>, <Files> and <If>)
    [ '<QuartPushRoutes> inside <Location>',
      in_location("<QuartPushRoutes>\n/a => /b.css\n</QuartPushRoutes>"),
      q{<QuartPushRoutes> not allowed in <Location> context} ],
    [ '<QuartPushRoutes> inside <If>',
      qq{<If "true">\n} . routes_block('/a => /b.css') . "\n</If>",
      q{<QuartPushRoutes> not allowed in <If> context} ],
    [ 'QuartPushRoutes FILE inside <Directory>',
      qq{<Directory "$dir">\nQuartPushRoutes x.routes\n</Directory>},
      q{QuartPushRoutes not allowed in <Directory> context} ],
    [ 'QuartPushRoutes FILE inside <Files>',
      qq{<Files "x">\nQuartPushRoutes x.routes\n</Files>},
      q{QuartPushRoutes not allowed in <Files> context} ],
    [ '<QuartPushRoutes> nested in <QuartPushRoutes>',
      routes_block(routes_block('/a => /b.css')),
      # (the block's lines are routes: a nested tag is a route that is wrong)
      q{<QuartPushRoutes>: } . "$dir/httpd.conf:10: route '<QuartPushRoutes>' does not start with '/'" ],
    [ '<QuartPushRoutes> with an argument',
      "<QuartPushRoutes foo>\n/a => /b.css\n</QuartPushRoutes>",
      q{<QuartPushRoutes> takes no arguments} ],
    [ '<QuartPushRoutes> never closed',
      "<QuartPushRoutes>\n/a => /b.css",
      q{<QuartPushRoutes> was not closed.} ],
    [ '</QuartPushRoutes> never opened',
      '</QuartPushRoutes>',
      q{</QuartPushRoutes> without matching <QuartPushRoutes> section} ],
);

plan tests => 2 * @cases + 1;

for my $case (@cases) {
    my ($what, $body, $message, $o) = @$case;
    $o ||= {};
    $body = $body->() if ref $body eq 'CODE';
    my %opts = (http2 => 1, timeout => $o->{timeout} || 60,
                $o->{user} ? (user => $o->{user}) : ());
    my ($rc, $out, $signal, $secs, $timed_out) =
        httpd_config_test($dir, $body, %opts);
    ok $rc != 0 && !$signal && !$timed_out && $secs < $time_limit,
        sprintf("httpd -t fails cleanly within $time_limit s: %s (exit %d, %s, %.2f s)",
                $what, $rc, $timed_out ? 'TIMED OUT' : $signal ? "SIGNAL $signal" : 'no signal',
                $secs)
        or diag substr($out, 0, 2000);
    ok index($out, $message) >= 0, "... saying: $message"
        or diag substr($out, 0, 2000);
}
# chmod 000 must not leak into the next run of the test
chmod 0644, "$dir/secret.routes";

my ($rc, $out) = httpd_config_test($dir, routes_block('/a => /b.css'), http2 => 1);
is $rc, 0, 'after all that, a good configuration in the same directory still passes'
    or diag $out;
