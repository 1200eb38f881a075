# SPDX-License-Identifier: Apache-2.0
# 1,000 links of ~200 bytes from a .htaccess (AllowOverride FileInfo, as
# shared hosting grants) break nothing: the page answers 200 over h2 TLS,
# h2c and HTTP/1.1; one 103 stays under the cap (48 KB of Link headers,
# counted as HPACK sizes a header: name + value + 32), the rest is counted
# as skipped ("size") and the debug line says so. Before the cap, the 103
# of ~220 KB made the server reset the page's stream.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use JSON::PP;
use File::Spec::Functions qw(catfile);

plan tests => 12;

my $CAP = 48 * 1024;
my $dir = catfile(Apache::Test::vars('documentroot'), 'manylinks');
mkdir $dir;
my $htaccess = catfile($dir, '.htaccess');
END { unlink $htaccess, catfile($dir, 'index.html'); rmdir $dir if $dir }
open my $fh, '>', $htaccess or die "$htaccess: $!";
print $fh "QuartPushLimit 1000\nQuartPushEarlyHints h1\n";
printf $fh "QuartPushResource /manylinks/assets/%s-%04d.css\n", 'x' x 170, $_
    for 1 .. 1000;
close $fh;
open $fh, '>', catfile($dir, 'index.html') or die;
print $fh "<html>many links</html>\n";
close $fh;

sub link_bytes {
    my ($response) = @_;
    my $n = 0;
    $n += length('link') + length($_) + 32 for @{ links_of($response) };
    return $n;
}

sub skipped_size {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $j = eval { decode_json($res->{body} || '{}') } || {};
    return $j->{counters}{skipped}{size} // -1;
}

my $size_before = skipped_size();

# h2 TLS, a browser: Early Hints (H2EarlyHints on)
my $res = client_for('h2hints', accept_push => 0)->get('/manylinks/?c=h2tls', headers => [ NAVIGATION ]);
is($res->{status}, 200, 'h2 TLS: the page answers 200');
ok(!$res->{reset}, '... its stream is not reset')
    or diag explain $res->{reset};
is(scalar @{ $res->{interim} }, 1, '... after one 103');
my $n = @{ links_of($res->{interim}[0] || {}) };
my $bytes = link_bytes($res->{interim}[0] || {});
ok($bytes > 0 && $bytes <= $CAP, "... whose Link headers ($n links, $bytes bytes) stay under the cap of $CAP");
cmp_ok($n, '>', 100, '... and still carry the first links declared');

# h2c, a client that accepts push (the 103 carries the preloads to mod_http2)
$res = client_for('h2c')->get('/manylinks/?c=h2c', headers => [ NAVIGATION ]);
is($res->{status}, 200, 'h2c: the page answers 200');
ok(!$res->{reset}, '... its stream is not reset');

# HTTP/1.1 with QuartPushEarlyHints h1
$res = client_for('h1tls', protocol => 'http/1.1')->get('/manylinks/?c=h1', headers => [ NAVIGATION ]);
is($res->{status}, 200, 'HTTP/1.1: the page answers 200');
is(scalar @{ $res->{interim} }, 1, '... after one 103');
$bytes = link_bytes($res->{interim}[0] || {});
ok($bytes > 0 && $bytes <= $CAP, "... under the cap ($bytes bytes)");

# what was left out is counted, and the debug line says so
# Exactly 1000 - $n for each of the three pages: the three 103s are built
# from the same Link values (no nopush is added, H2Push is not off), so
# each keeps the same $n first links; the h2c client's pushes are requests
# of their own, which the cap does not count (they announce nothing)
my $size_after = skipped_size();
is($size_after - $size_before, 3 * (1000 - $n),
   "the links left out are counted as skipped size, once per page ($size_before -> $size_after)");
my $found = 0;
for (1 .. 40) {
    open my $log, '<', catfile(Apache::Test::vars('t_logs'), 'error_log') or last;
    $found = grep { m{GET /manylinks/: 810 links left out over the 103's size cap \(49152 bytes of Link headers\)} } <$log>;
    close $log;
    last if $found;
    select undef, undef, undef, 0.05;
}
ok($found, 'the debug line says how many the size cap left out');
