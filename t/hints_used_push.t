# SPDX-License-Identifier: Apache-2.0
# Used, late, unused for a client that accepts push (issue 25). The pushed
# requests are the server's own, on the page's connection: each is decided
# at its end, used early unless the client cancelled it (RST_STREAM CANCEL),
# which counts it refused when httpd sees it (the pushed stream's connection
# aborted). A pushed file small enough to be sent whole before the client's
# cancel arrives is delivered: used early; a push cancelled before
# mod_http2 started its request never reaches a hook: unused, once the
# page's grace period is over. So a cancelling client's pushes count
# refused, used early or unused, never late, and each exactly once: which
# of the three depends on timing (all three are seen here, run to run).
# A client that gets neither pushes nor hints (push refused, no Sec-Fetch
# headers) is announced nothing: nothing counts.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use QuartPushTest;

plan skip_all => 'mod_cgid is not loaded' unless Apache::Test::have_module('mod_cgid.c');
plan tests => 2 + 2 + 1;

my @rules = ('/browser/used/plain/a.css', '/browser/used/plain/a.js',
             '/browser/used/plain/never.css', '/browser/used/plain/late.dat');

sub used_rows {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    my $json = eval { JSON::PP::decode_json($res->{body} || '{}') } || {};
    return { map { ($_->{resource} => $_) } @{ $json->{hints_used}{rules} || [] } };
}

# the deltas of every count of @rules, summed
sub moved {
    my ($before, $after) = @_;
    my %d;
    for my $rule (@rules) {
        for my $k (qw(announced used_early late unused refused evicted)) {
            $d{$k} += ($after->{$rule}{$k} // 0) - ($before->{$rule}{$k} // 0);
        }
    }
    return \%d;
}

my $before = used_rows();
my $res = client_for('h2used')->get('/browser/used/plain/?push=1');
is_deeply([ sort @{ paths_of($res) } ], [ sort @rules ], 'the page pushes its 4 files');
sleep 3.5;      # the grace period, and a margin
my $after = used_rows();
is_deeply(moved($before, $after),
          { announced => 4, used_early => 4, late => 0, unused => 0, refused => 0, evicted => 0 },
          'each pushed file the client took counts used early, once')
    or diag explain { map { ($_ => [ $before->{$_}, $after->{$_} ]) } @rules };

$before = $after;
$res = client_for('h2used')->get('/browser/used/plain/?push=2', reset_push => 1);
is(scalar @{ $res->{push_promises} }, 4, 'a client that cancels every push gets 4 promises');
sleep 3.5;
$after = used_rows();
my $m = moved($before, $after);
diag "cancelled pushes counted: refused $m->{refused}, used early $m->{used_early}, unused $m->{unused}";
ok($m->{announced} == 4 && $m->{refused} + $m->{used_early} + $m->{unused} == 4
   && !$m->{late} && !$m->{evicted},
   'each cancelled push counts refused, used early (sent before the cancel) or unused (never started), once')
    or diag explain $m;

$before = $after;
client_for('h2used', accept_push => 0)->get('/browser/used/plain/?push=3');
is_deeply(moved($before, used_rows()),
          { announced => 0, used_early => 0, late => 0, unused => 0, refused => 0, evicted => 0 },
          'a client that gets neither push nor hints counts nothing');
