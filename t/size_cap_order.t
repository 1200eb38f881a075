# SPDX-License-Identifier: Apache-2.0
# The 48 KB cap of a 103's Link headers keeps the first links declared and
# leaves out every later one, also when the links differ in size: once one
# does not fit, a smaller one declared after it stays out too, though it
# would fit in the room left. (Like QuartPushLimit: what is announced is a
# prefix of what is declared, never a choice of what fits.)
# /capmix/ declares 30 links of ~1,500 bytes (~46 KB), then one of ~7,000
# that cannot fit, then one of ~2,000 and one of ~60 that each would.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use JSON::PP;
use File::Spec::Functions qw(catfile);

plan tests => 11;

my $CAP = 48 * 1024;
my $dir = catfile(Apache::Test::vars('documentroot'), 'capmix');
mkdir $dir;
my $htaccess = catfile($dir, '.htaccess');
END { unlink $htaccess, catfile($dir, 'index.html'); rmdir $dir if $dir }

my @big = map { sprintf '/capmix/assets/%s-%02d.css', 'b' x 1450, $_ } 1 .. 30;
my $huge = '/capmix/assets/' . ('h' x 6900) . '.css';
my $medium = '/capmix/assets/' . ('m' x 2000) . '.css';
my $small = '/capmix/s.css';
open my $fh, '>', $htaccess or die "$htaccess: $!";
print $fh "QuartPushLimit 100\n";
print $fh "QuartPushResource $_\n" for @big, $huge, $medium, $small;
close $fh;
open $fh, '>', catfile($dir, 'index.html') or die;
print $fh "<html>links of different sizes</html>\n";
close $fh;

sub entry_bytes { length('link') + length($_[0]) + 32 }
sub header_of { "<$_[0]>; rel=preload; as=style" }

sub skipped_size {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $j = eval { decode_json($res->{body} || '{}') } || {};
    return $j->{counters}{skipped}{size} // -1;
}

# the arithmetic this test relies on: the 30 fit, the huge one does not,
# the medium and the small one each would
my $used = 0;
$used += entry_bytes(header_of($_)) for @big;
ok($used <= $CAP && $used + entry_bytes(header_of($huge)) > $CAP
   && $used + entry_bytes(header_of($medium)) + entry_bytes(header_of($small)) <= $CAP,
   "the 30 first links take $used bytes: the huge one cannot fit, the medium and the small one would")
    or diag "used $used, huge " . entry_bytes(header_of($huge));

my $before = skipped_size();

# a browser's navigation, on the host that forwards 103s
my $res = client_for('h2hints', accept_push => 0)->get('/capmix/?c=nav', headers => [ NAVIGATION ]);
is($res->{status}, 200, 'the page answers 200');
is(scalar @{ $res->{interim} }, 1, '... after one 103');
my @links = @{ links_of($res->{interim}[0] || {}) };
is_deeply(\@links, [ map { header_of($_) } @big ],
          '... that carries the 30 first links declared, in order, and nothing else')
    or diag scalar(@links) . " links: " . join(' ', map { length } @links);
ok(!(grep { index($_, "<$small>") == 0 } @links),
   '... not the small link declared after the one that did not fit');
ok(!(grep { index($_, "<$medium>") == 0 } @links), '... nor the medium one');
my $bytes = 0;
$bytes += entry_bytes($_) for @links;
ok($bytes <= $CAP && $CAP - $bytes >= entry_bytes(header_of($small)),
   "... though there was room for it ($bytes of $CAP bytes)");
is(skipped_size() - $before, 3, 'the three left out are counted as skipped size, once each');

# a client that accepts push: the same prefix is pushed
$before = skipped_size();
$res = client_for('h2tls')->get('/capmix/?c=push');
is($res->{status}, 200, 'a push client: the page answers 200');
is_deeply(paths_of($res), \@big, '... and the 30 first links declared are pushed, only them');
# (the pushed requests themselves announce nothing: they are pushed)
is(skipped_size() - $before, 3, '... the same three counted as skipped size');
