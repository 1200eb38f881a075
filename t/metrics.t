# SPDX-License-Identifier: Apache-2.0
# quartpush-status?metrics: the counters in Prometheus' text exposition
# format. promtool (Debian's package prometheus) must find the output valid
# and lint-free; every family has HELP and TYPE; counters end in _total;
# the values are those of ?json, and they move by exactly what requests do.
# A missing promtool fails this file: it does not skip.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Spec ();
use File::Temp qw(tempfile);
use JSON::PP ();
use lib 't/lib';
use QuartPushTest;

plan tests => 24 + 13;

use constant CONTENT_TYPE => 'text/plain; version=0.0.4; charset=utf-8';

# promtool: $QP_PROMTOOL, else on PATH
sub find_promtool {
    return $ENV{QP_PROMTOOL} if $ENV{QP_PROMTOOL};
    for my $dir (File::Spec->path, '/usr/bin') {
        return "$dir/promtool" if -f "$dir/promtool" && -x _;
    }
    return undef;
}

# promtool check metrics on $text: (exit status, what it printed)
sub promtool_check {
    my ($promtool, $text) = @_;
    my ($fh, $file) = tempfile(UNLINK => 1);
    print $fh $text;
    close $fh;
    my $out = `"$promtool" check metrics < "$file" 2>&1`;
    return ($? >> 8, $out);
}

# The exposition, parsed: { name => { help, type, samples => { labels => value } } }
# and the lines that are neither a comment nor a sample.
sub parse_metrics {
    my ($text) = @_;
    my (%m, @bad);
    for my $line (split /\n/, $text) {
        if ($line =~ /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/) {
            $m{$2}{lc $1} = $3;
        }
        elsif ($line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/) {
            $m{$1}{samples}{ $2 // '' } = $3;
        }
        else {
            push @bad, $line;
        }
    }
    return (\%m, \@bad);
}

sub scrape {
    my ($query) = @_;
    my $res = client_for('h2tls')->get('/quartpush-status?' . ($query // 'metrics'));
    my ($m) = parse_metrics($res->{body} // '');
    return ($m, $res);
}

sub value {
    my ($m, $name, $labels) = @_;
    return $m->{$name}{samples}{ $labels // '' };
}

my $promtool = find_promtool();
my ($before, $res) = scrape();
is($res->{status}, 200, '?metrics: 200');
is($res->{headers}{'content-type'}, CONTENT_TYPE, '... as ' . CONTENT_TYPE);
like($res->{headers}{'cache-control'} // '', qr/no-store/, '... not to be cached');
my $text = $res->{body} // '';

# promtool: fails, not skips, when it is missing (CI installs it)
ok($promtool, 'promtool is installed (Debian package prometheus; scripts/install-deps installs it)');
my ($rc, $out) = $promtool ? promtool_check($promtool, $text) : (-1, 'no promtool');
ok($rc == 0 && $out !~ /\S/, 'promtool check metrics: valid, no lint problem')
    or diag "promtool exited with $rc:\n$out\n--- the output:\n$text";
# the same check on a family without HELP whose counter lacks _total
($rc, $out) = $promtool ? promtool_check($promtool, "# TYPE quartpush_bad counter\nquartpush_bad 1\n")
                        : (-1, 'no promtool');
ok($rc > 0, '... and it does fail on a counter without HELP or _total') or diag $out;

my (undef, $bad) = parse_metrics($text);
is_deeply($bad, [], 'every line is a HELP, a TYPE or a sample');
my @families = sort keys %$before;
is_deeply([ grep { !defined $before->{$_}{help} || !defined $before->{$_}{type} } @families ], [],
          'every metric has HELP and TYPE');
is_deeply([ grep { ($before->{$_}{type} eq 'counter') != ($_ =~ /_total$/) } @families ], [],
          'counters, and only they, end in _total');
is_deeply([ grep { $_ !~ /^quartpush_/ } @families ], [], 'every name starts with quartpush_');
is_deeply([ grep { $before->{$_}{help} !~ /whole server/ }
            grep { $before->{$_}{type} eq 'counter' } @families ], [],
          'the HELP of each counter says it is the whole server\'s (no virtual host label)');
like($text, qr/^quartpush_info\{version="\d+\.\d+[^"]*"\} 1$/m, 'quartpush_info has the version');
is(value($before, 'quartpush_counters_available'), 1, 'the counters are in shared memory');

# the values are those of ?json (nothing happens between the two)
my $json = JSON::PP::decode_json(client_for('h2tls')->get('/quartpush-status?json')->{body} || '{}');
my ($now) = scrape();
my @same = map { [ "quartpush_${_}_total", '', $json->{counters}{$_} ] }
           grep { !ref $json->{counters}{$_} } sort keys %{ $json->{counters} };
my %per_resource = map { $_ => 1 } qw(limit cookie size missing);
for my $reason (sort keys %{ $json->{counters}{skipped} }) {
    push @same, [ $per_resource{$reason} ? 'quartpush_resources_skipped_total'
                                         : 'quartpush_requests_skipped_total',
                  qq({reason="$reason"}), $json->{counters}{skipped}{$reason} ];
}
is(scalar(@same), 8 + 12, 'JSON has the 8 counters and the 12 skip reasons');
is_deeply([ map { value($now, $_->[0], $_->[1]) } @same ], [ map { $_->[2] } @same ],
          'each counter of ?json is a sample of ?metrics, with the same value')
    or diag explain [ map { "$_->[0]$_->[1]" } @same ];
# (the per-rule families of used, late, unused: t/hints_used_browser.t)
my @hint_families = qw(quartpush_hint_announced_total quartpush_hint_outcomes_total
                       quartpush_hint_waiting quartpush_hint_dropped_total);
my $samples = 0;
$samples += keys %{ $now->{$_}{samples} } for grep { !/^quartpush_hint_/ } keys %$now;
is($samples, @same + 3, '... and there is no other sample than those, info, available and the start,'
                        . ' besides the hints\' outcomes per rule');
is_deeply([ grep { !$now->{$_}{type} } @hint_families ], [],
          'the hints\' outcomes per rule are there: ' . join(', ', @hint_families));
is(value($now, 'quartpush_start_time_seconds'), $json->{started}, 'the start time is that of ?json');
is($json->{counters}{requests}, value($before, 'quartpush_requests_total'),
   'reading ?metrics is not counted as a request');

# what a Prometheus scrape sends with params: {metrics: ['']}: "?metrics="
my ($m) = scrape('metrics=');
$res = client_for('h2tls')->get('/quartpush-status?metrics=');
is($res->{headers}{'content-type'}, CONTENT_TYPE, '?metrics= (a scrape with an empty param) gets the metrics too');
ok(defined value($m, 'quartpush_pushes_total'), '... with the counters');
# over HTTP/1.1, as a scraper without h2 asks, with Prometheus' Accept
my $raw = raw_http1('h2tls', "GET /quartpush-status?metrics= HTTP/1.1\r\nHost: localhost\r\n"
    . "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    . "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nConnection: close\r\n\r\n");
my $ct = CONTENT_TYPE;
like($raw->{bytes}, qr{\AHTTP/1\.1 200 [^\n]*\n(?:[^\r\n]+\r\n)*Content-Type: \Q$ct\E\r\n.*^quartpush_requests_total \d+\n}ms,
     '... and over HTTP/1.1, with the Accept header of a Prometheus scrape');
$res = client_for('h2tls')->get('/quartpush-status?metricsx');
like($res->{headers}{'content-type'} // '', qr{^text/html}, 'another query gets the HTML page');
$res = client_for('h2tls')->get('/quartpush-status-denied?metrics');
is($res->{status}, 403, 'Require restricts ?metrics like the page');

# the values move by exactly what requests do (the tests run one at a
# time; see t/status.t for what each request counts)
($before) = scrape();
client_for('h2tls')->get('/push/?metrics=1');       # 3 pushes in one 103, 3 pushed requests
client_for('h2tls')->get('/limit/?metrics=2');      # 2 pushes, 2 over the limit, 2 pushed requests
client_for('h2hints', accept_push => 0)->get('/eh/?metrics=3',     # 4 hints in one 103
    headers => [ NAVIGATION ]);
client_for('h2tls')->get('/push/?metrics=4', headers => [ 'if-none-match' => '"x"' ]);  # a revalidation: the same 3 pushes
my ($after) = scrape();
my @want = (
    # metric, labels, its difference, why
    [ quartpush_requests_total              => '', 12, 'the 4 pages and their 8 pushed requests' ],
    [ quartpush_pushes_total                => '', 8, '3 for /push/ twice, 2 for /limit/' ],
    [ quartpush_hints_total                 => '', 4, 'the 4 links of /eh/' ],
    [ quartpush_early_hints_responses_total => '', 4, 'one 103 for each page that announced something' ],
    [ quartpush_routes_matched_total        => '', 0, 'no route' ],
    [ quartpush_api_calls_total             => '', 0, 'no API call' ],
    [ quartpush_requests_skipped_total => '{reason="pushed_request"}', 8, 'the 8 pushed requests' ],
    [ quartpush_requests_skipped_total => '{reason="not_get"}',        0, 'no other method than GET' ],
    [ quartpush_resources_skipped_total => '{reason="limit"}',         2, 'the 2 of /limit/ over QuartPushLimit 2' ],
    [ quartpush_resources_skipped_total => '{reason="cookie"}',        0, 'no QuartPushCookie' ],
    [ quartpush_resources_skipped_total => '{reason="size"}',          0, 'no 103 too large' ],
    [ quartpush_resources_skipped_total => '{reason="missing"}',       0, 'no manifest' ],
);
for (@want) {
    my ($name, $labels, $delta, $why) = @$_;
    my ($b, $a) = (value($before, $name, $labels), value($after, $name, $labels));
    is(defined $a && defined $b ? $a - $b : 'missing', $delta,
       "$name$labels grew by exactly $delta: $why");
}
ok(!defined value($after, 'quartpush_requests_skipped_total', '{reason="conditional"}'),
   'no reason="conditional": a revalidation is announced like any request');
