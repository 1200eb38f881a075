# SPDX-License-Identifier: Apache-2.0
# One URL is announced once per response, however many rules name it: a
# parent and a child scope, a scope and its route, the configured rules and
# the API, the API twice, and the two requests of an internal redirect.
# mod_http2 drops a repeated PUSH_PROMISE by itself, so the promises alone
# would not show a repeat: this file reads what mod_quartpush sends, the
# 103s (on h2hints, which forwards them) and the notes quartpush and
# quartpush-hints.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

my $css  = '/static/css/site.css';
my $js   = '/static/js/app.js';
my $logo = '/img/logo.png';
my $tree = '/static/css/tree.css';

my @cases = (
    # what it shows, the path asked for, the path logged, then the URLs of
    # each 103: for a client that accepts push, and for one that refuses it
    [ 'a URL declared in a parent and in a child scope',
      '/scoped/child/?once=scopes', '/scoped/child/index.html?once=scopes',
      [[$css, $js]], [[$css, $js]] ],
    [ 'a URL declared in a scope and in the route of its path',
      '/r/both/?once=route', '/r/app.html?once=route',
      [[$css, $logo, $js]], [[$css, $logo, $js]] ],
    # (the new request declares app.js too, but a response gets one 103:
    # the one sent before the CGI ran)
    [ 'a URL that an internal redirect\'s new request declares again',
      '/cgi/once/redirect.cgi?once=redirect', '/cgi/once/redirect.cgi?once=redirect',
      [[$css]], [[$css]] ],
);
my @api_cases = (
    # the API pushes only: a client that refuses push gets the configured
    # links alone
    [ 'a URL declared in the scope, then pushed by the API, and one the API pushes twice',
      "/api/dedupe/?once=api&push=$css,$js,$js", "/api/dedupe/?once=api&push=$css,$js,$js",
      [[$css], [$js]], [[$css]] ],
    [ 'a URL from a route, then pushed by the API twice',
      "/r/static/api/?once=routeapi&push=$tree,$js,$tree",
      "/r/static/api/?once=routeapi&push=$tree,$js,$tree",
      [[$tree], [$js]], [[$tree]] ],
);
my $have_api = Apache::Test::have_module('mod_quartpush_api.c');

plan tests => 4 * (@cases + @api_cases);

# the URLs of each 103 a response had, in the order they came
sub urls_per_103 {
    my ($res) = @_;
    return [ map { [ map { m{^<([^>]*)>} ? $1 : $_ } @{ links_of($_) } ] }
             @{ $res->{interim} } ];
}

sub notes_of {
    my ($logged) = @_;
    my $line = quartpush_log_for($logged);
    return $line =~ / quartpush=(\S.*?) hints=(\S.*?) pushed=/ ? ($1, $2) : ('?', '?');
}

for my $case (@cases, @api_cases) {
    my ($what, $path, $logged, $for_push, $for_hints) = @$case;
    my $all = sub { join(' ', map { @$_ } @{ $_[0] }) || '-' };
  SKIP: {
        skip 'the C test module mod_quartpush_api was not built', 4
            if !$have_api && grep { $_ == $case } @api_cases;

        my $res = client_for('h2hints')->get("$path&client=push");
        is_deeply(urls_per_103($res), $for_push,
                  "$what: a client that accepts push gets each URL in one 103 only");
        is_deeply([ notes_of("$logged&client=push") ], [ $all->($for_push), '-' ],
                  '... and the quartpush note names it once');

        # (a browser's page load: a navigation, which gets Early Hints)
        $res = client_for('h2hints', accept_push => 0)->get("$path&client=hints",
                                                            headers => [ NAVIGATION ]);
        is_deeply(urls_per_103($res), $for_hints,
                  "$what: a client that refuses push gets each URL in one 103 only");
        is_deeply([ notes_of("$logged&client=hints") ], [ '-', $all->($for_hints) ],
                  '... and the quartpush-hints note names it once');
    }
}
