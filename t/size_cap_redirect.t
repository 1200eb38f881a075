# SPDX-License-Identifier: Apache-2.0
# The 48 KB cap of Link headers holds for a response, not for each pass of
# it: behind a per-directory RewriteRule front controller (a .htaccess),
# /fcbig/page is decided twice (before and after the internal redirect),
# and gets one 103, with the first links declared, as /fcbig/index.html
# does. The links left out are counted once as skipped "size". Before, the
# second pass sent a second 103 with the links the first had left out (70
# links: 31, then 31 more), and counted again those over its own cap.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use JSON::PP;
use File::Spec::Functions qw(catfile);

plan tests => 2 * 4 + 1;

my $CAP = 48 * 1024;
my $N = 70;
my $dir = catfile(Apache::Test::vars('documentroot'), 'fcbig');
mkdir $dir;
my $htaccess = catfile($dir, '.htaccess');
END { unlink $htaccess, catfile($dir, 'index.html'); rmdir $dir if $dir }
open my $fh, '>', $htaccess or die "$htaccess: $!";
print $fh "RewriteEngine on\nRewriteCond %{REQUEST_FILENAME} !-f\n",
          "RewriteRule ^ index.html [L]\nQuartPushLimit 100\n";
my @urls = map { sprintf '/fcbig/assets/%s-%02d.css', 'x' x 1450, $_ } 1 .. $N;
print $fh "QuartPushResource $_\n" for @urls;
close $fh;
open $fh, '>', catfile($dir, 'index.html') or die;
print $fh "<html>a front controller</html>\n";
close $fh;

sub skipped_size {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $j = eval { decode_json($res->{body} || '{}') } || {};
    return $j->{counters}{skipped}{size} // -1;
}

my %in;     # path => the number of links its 103 carried
my $size_before = skipped_size();
for my $path ('/fcbig/index.html', '/fcbig/page') {
    # a client that accepts push, on the host that forwards 103s
    my $res = client_for('h2hints')->get("$path?c=1");
    is($res->{status}, 200, "$path: 200");
    is(scalar @{ $res->{interim} }, 1, "$path: one 103")
        or diag explain [ map { scalar @{ links_of($_) } } @{ $res->{interim} } ];
    my @got = map { m{^<([^>]*)>} ? $1 : $_ } map { @{ links_of($_) } } @{ $res->{interim} };
    my $bytes = 0;
    $bytes += length('link') + length($_) + 32 for map { @{ links_of($_) } } @{ $res->{interim} };
    ok($bytes > 0 && $bytes <= $CAP,
       "$path: its Link headers stay under the cap (" . @got . " links, $bytes bytes)");
    is_deeply(\@got, [ @urls[0 .. $#got] ], "$path: the first links declared, in order");
    $in{$path} = @got;
}
# both responses left out the same links: counted once each
is(skipped_size() - $size_before, 2 * ($N - $in{'/fcbig/index.html'}),
   "the links left out are counted as skipped size once per response");
