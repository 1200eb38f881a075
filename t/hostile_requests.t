# SPDX-License-Identifier: Apache-2.0
# Hostile requests against the live test httpd. Each case in the table
# below gets its own TAP lines, and every case must end with a sane
# response or a refused push: never a crash, a header injection, a push to
# another origin, or a 5xx from the module. Checked for every case:
#   - answered: a final status, not a dropped connection (a malformed HTTP/2
#     request may instead get the RST_STREAM(PROTOCOL_ERROR) RFC 9113 asks
#     for; a client that reset its pushes or sent GOAWAY may see the
#     connection close, but only after it did so);
#   - no 5xx;
#   - headers: a 103 holds only Link (and mod_http2's push-policy); every
#     Link value, in a 103 or the final response, is one well-formed preload
#     of a path or a preconnect to an origin the configuration names; no
#     field holds CR, LF or NUL, none is named x-evil; a Set-Cookie is the
#     digest cookie;
#   - pushes: same scheme and authority as the request, a GET, a path that
#     starts with a single '/', only the copied request headers;
#   - what the case expects: its status, its pushes (for a client that
#     leaves, the ones it saw must begin the expected list, at least the
#     first), what the API returned, its Early Hints links.
# A raw HTTP/1.1 exchange (no HTTP/2, no push) gets four lines: answered,
# no 5xx, its header blocks read from the raw bytes, and what it expects.
# Then the server still answers, and t/logs/error_log (from where this test
# began) shows no child crash, nor mod_http2 dropping a 103 it could not
# read (AH10257).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

my $error_log = Apache::Test::vars('t_logs') . '/error_log';
my $log_start = -s $error_log || 0;
my $has_api = Apache::Test::have_module('mod_quartpush_api.c');

# a decoded placeholder value as the route language encodes it
sub enc { join '', map { /[A-Za-z0-9._~-]/ ? $_ : sprintf '%%%02X', ord } split //, $_[0] }
# a value as a client sends it in a path
sub pct { join '', map { sprintf '%%%02X', ord } split //, $_[0] }
sub hero { [ '/static/css/site.css', '/img/' . enc($_[0]) . '/hero.webp' ] }

my $css = '/static/css/site.css';
my $js  = '/static/js/app.js';
my $k8  = 'a' x 8192;
my $gt8 = '>' x 8192;
my $gt2000 = '>' x 2000;
my $gt2715 = '>' x 2715;     # just fits the request line; its link does not
my $deep = join '/', ('d' x 250) x 24;      # a 6 KB <path:> value
my @hundred = map { "/p/$_.css" } 1 .. 100;

my @cases = (
    # --- paths: encoded dots, slashes, NUL, CR/LF, overlong UTF-8, raw bytes
    { name => "%2e%2e in a placeholder (httpd removes it: route '/r/')",
      path => '/r/blog/%2e%2e', status => qr/^200$/, pushes => [ $css, $js ] },
    { name => '%2e%2e%2f path traversal', path => '/r/blog/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      status => qr/^404$/, pushes => [] },
    { name => '%2f in a placeholder', path => '/r/blog/a%2fb', status => qr/^404$/, pushes => [] },
    { name => '%2e%2e in a QuartPushResource scope', path => '/push/%2e%2e/%2e%2e/etc/passwd',
      status => qr/^(400|403|404)$/, pushes => [] },
    { name => '%00 in a placeholder', path => '/r/blog/%00', status => qr/^404$/, pushes => [] },
    { name => '%0d%0a and a header in a placeholder (the route does not match)',
      path => '/r/blog/a%0d%0aX-Evil:%20evil', status => qr/^200$/, pushes => [] },
    { name => 'overlong UTF-8 dots %c0%ae%c0%ae', path => '/r/blog/%c0%ae%c0%ae',
      status => qr/^200$/, pushes => hero("\xc0\xae\xc0\xae") },
    { name => 'overlong UTF-8 slash %c0%af', path => '/r/blog/a%c0%afb',
      status => qr/^200$/, pushes => hero("a\xc0\xafb") },
    { name => 'raw bytes 0xff 0xfe in the path', path => "/r/blog/\xff\xfe",
      status => qr/^200$/, pushes => hero("\xff\xfe") },
    { name => 'a raw space in the path (malformed over HTTP/2)', path => '/r/blog/a b',
      malformed => 1, pushes => [] },
    { name => 'a raw space in the path over HTTP/1.1', vhost => 'h1tls', h1 => 1,
      path => '/r/blog/a b', status => qr/^400$/ },

    # --- 8 KB path segments and placeholder values
    { name => '8 KB path segment, default LimitRequestLine', vhost => 'h2c',
      path => "/push/$k8", status => qr/^414$/, pushes => [] },
    { name => '8 KB path segment where the request line may be 64 KB (core cannot map it)',
      vhost => 'h2long', path => "/push/$k8", status => qr/^403$/, pushes => [] },
    { name => '8 KB placeholder value (its link would be over 8 KB: refused)',
      vhost => 'h2long', path => "/hl/blog/$k8", status => qr/^200$/, pushes => [] },
    { name => "8 KB placeholder of '>' (24 KB once encoded: refused)",
      vhost => 'h2long', path => '/hl/blog/' . pct($gt8), status => qr/^200$/, pushes => [] },
    { name => "2,000 '>' in a placeholder: pushed, each one as %3E",
      path => '/r/blog/' . pct($gt2000), status => qr/^200$/, pushes => hero($gt2000) },
    { name => "2,715 '>' in a placeholder: that link is refused, the page's CSS still pushed",
      path => '/r/blog/' . pct($gt2715), status => qr/^200$/, pushes => [ $css ] },
    { name => '6 KB <path:> value of 24 segments: pushed with its slashes',
      vhost => 'h2long', path => "/hl/docs/$deep", status => qr/^200$/,
      pushes => [ "/docs/$deep.css" ] },

    # --- placeholder values built to break substitution
    (map {
        my ($what, $v) = @$_;
        { name => "placeholder value with $what", path => '/r/blog/' . pct($v),
          status => qr/^200$/, pushes => hero($v) }
    } [ "'>' and a rel", '>; rel=stylesheet' ], [ "'<'", '<https:evil>' ],
      [ "',' and a second link", 'a, <evil>; rel=preload' ], [ "';'", 'a;as=script' ],
      [ 'a double quote', 'a"b' ], [ 'spaces', 'a b c' ], [ "'%'", '100%25' ],
      [ 'https://evil (no slash)', 'https:evil.example' ], [ "'..' inside", 'a..b' ],
      [ 'a backslash', 'a\\b' ], [ 'high bytes', "\x80\xff" ]),
    { name => 'placeholder value with DEL (a control character: the route does not match)',
      path => '/r/blog/a%7fb', status => qr/^200$/, pushes => [] },
    { name => 'placeholder value with an encoded CR/LF (the route does not match)',
      path => '/r/blog/' . pct("a\r\nX-Evil: evil"), status => qr/^200$/, pushes => [] },
    { name => 'placeholder value with https://evil (encoded slashes: 404)',
      path => '/r/blog/https:%2F%2Fevil.example', status => qr/^404$/, pushes => [] },
    { name => '<path:> value with encoded characters keeps only its real slashes',
      path => '/r/docs/a/' . pct('>"') . '/b', status => qr/^200$/,
      pushes => [ '/docs/a/' . enc('>"') . '/b.css' ] },
    { name => 'preconnect route with an origin as the placeholder value',
      path => '/r/pre/' . pct('https://evil.example'), status => qr/^404$/, pushes => [] },
    { name => 'preconnect route with a value that closes the <...>',
      path => '/r/pre/' . pct('x>; rel=preconnect'), status => qr/^200$/,
      pushes => [ '/img/' . enc('x>; rel=preconnect') . '.png' ] },
    { name => 'hostile placeholder to a client that refuses push (Early Hints only)',
      path => '/r/blog/' . pct('>, <https:evil>; rel=preconnect'), accept_push => 0,
      headers => [ NAVIGATION ], status => qr/^200$/, pushes => [], hints => 2 },

    # --- the API: every input that reaches a Link header
    ($has_api ? (
    { name => "API push= that closes the <...> (EINVAL)",
      path => '/api/?push=' . pct('/x.css>; rel=stylesheet'), status => qr/^200$/, pushes => [],
      body => qr/ EINVAL$/m },
    { name => 'API push= with CR/LF and a header (EINVAL)',
      path => '/api/?push=' . pct("/x.css\r\nX-Evil: evil"), status => qr/^200$/, pushes => [],
      body => qr/ EINVAL$/m },
    { name => 'API push= //evil.example (EINVAL)',
      path => '/api/?push=' . pct('//evil.example/x.css'), status => qr/^200$/, pushes => [],
      body => qr/ EINVAL$/m },
    { name => 'API push= https:evil.example (EINVAL)',
      path => '/api/?push=' . pct('https:evil.example/x.css'), status => qr/^200$/, pushes => [],
      body => qr/ EINVAL$/m },
    { name => 'API params= with CR/LF and a header (EINVAL)',
      path => '/api/?params=' . pct("as=style\r\nX-Evil: evil") . "&push=$css",
      status => qr/^200$/, pushes => [], body => qr/ EINVAL$/m },
    { name => 'API params= with a media that closes its quote (EINVAL)',
      path => '/api/?params=' . pct('media="a"; rel=stylesheet') . "&push=$css",
      status => qr/^200$/, pushes => [], body => qr/ EINVAL$/m },
    { name => 'API params= with a second link (EINVAL)',
      path => '/api/?params=' . pct('as=style, </evil>; rel=preload') . "&push=$css",
      status => qr/^200$/, pushes => [], body => qr/ EINVAL$/m },
    { name => 'API push= of an 8,100-byte URL (its link is refused)',
      vhost => 'h2long', path => '/api/?push=/' . ('u' x 8100) . '.css', status => qr/^200$/,
      pushes => [], body => qr/ ENOTIMPL$/m },
    { name => '100 pushes from one handler: exactly QuartPushLimit (32)',
      path => '/api/?push=' . join(',', @hundred), status => qr/^200$/,
      pushes => [ @hundred[0 .. 31] ],
      body => qr/\A(?:can_push 1\n)(?:push \S+ SUCCESS\n){32}(?:push \S+ ENOTIMPL\n){68}\z/ },
    ) : ()),

    # --- the QuartPushCookie value
    (map {
        my ($what, $cookie) = @$_;
        { name => "QuartPushCookie value with $what", path => '/cookie/index.html',
          headers => [ cookie => $cookie ], status => qr/^200$/, pushes => [ $css, $js ] }
    } [ "';' and '='", 'qpd=;;=;=' ], [ 'a quoted Link', 'qpd="</evil>; rel=preload"' ],
      [ 'a 4 KB value', 'qpd=' . ('A' x 4096) ], [ 'percent-encoded CR/LF', 'qpd=%0d%0aX-Evil:%20evil' ],
      [ 'high bytes', "qpd=\x80\xff\xfe" ], [ 'the name twice', 'qpd=x; qpd=y' ],
      [ '100 cookies', join('; ', map { "c$_=v$_" } 1 .. 100) . '; qpd=z' ]),
    { name => 'QuartPushCookie value with a raw CR/LF (malformed over HTTP/2)',
      path => '/cookie/index.html', headers => [ cookie => "qpd=a\r\nX-Evil: evil" ],
      malformed => 1, pushes => [] },

    # --- many headers, and methods
    { name => '100 Accept headers: the pushes copy them, sanely',
      vhost => 'h2tls', path => '/push/index.html',
      headers => [ map { (accept => "text/x-$_") } 1 .. 100 ], status => qr/^200$/,
      pushes => [ $css, $js, '/fonts/inter.woff2' ],
      check => sub {
          my $res = shift;
          my $want = join ', ', map { "text/x-$_" } 1 .. 100;
          return !grep { ($_->[1]{accept} // '') ne $want } @{ $res->{push_promises} };
      } },
    { name => 'HEAD', method => 'HEAD', path => '/push/index.html', status => qr/^200$/,
      pushes => [], hints => 0 },
    { name => 'OPTIONS', method => 'OPTIONS', path => '/push/index.html',
      status => qr/^200$/, pushes => [], hints => 0 },
    { name => 'OPTIONS *', method => 'OPTIONS', path => '*', status => qr/^200$/, pushes => [] },
    { name => 'CONNECT over h2 (only :method and :authority)', method => 'CONNECT',
      path => 'evil.example:443', status => qr/^(400|405)$/, pushes => [] },
    { name => 'CONNECT over h2c', vhost => 'h2c', method => 'CONNECT',
      path => 'evil.example:443', status => qr/^(400|405)$/, pushes => [] },
    { name => 'CONNECT over HTTP/1.1', vhost => 'h2c', raw =>
      "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
      status => qr/^(400|405)$/ },
    { name => 'GET over HTTP/1.1 with a header injection in the path', vhost => 'h2c',
      raw => "GET /r/blog/a%0d%0aX-Evil:%20evil HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
      status => qr/^200$/, hints => 0 },
    { name => 'GET over HTTP/1.1 of a page with links, a header injection in the query '
              . '(QuartPushEarlyHints is not h1: no 103)', vhost => 'h2c',
      raw => "GET /push/index.html?a=%0d%0aX-Evil:%20evil HTTP/1.1\r\nHost: localhost\r\n"
             . NAVIGATION_RAW . "Connection: close\r\n\r\n",
      status => qr/^200$/, hints => 0 },
    { name => 'GET over HTTP/1.1 where QuartPushEarlyHints h1 sends a 103, a header '
              . 'injection in the query', vhost => 'h2c',
      raw => "GET /eh/h1/index.html?a=%0d%0aX-Evil:%20evil HTTP/1.1\r\nHost: localhost\r\n"
             . NAVIGATION_RAW . "Connection: close\r\n\r\n",
      status => qr/^200$/, hints => 4 },

    # --- clients that leave
    { name => 'the client resets each push right after its PUSH_PROMISE',
      vhost => 'h2tls', path => '/push/index.html', reset_push => 1, status => qr/^200$/,
      pushes => [ $css, $js, '/fonts/inter.woff2' ] },
    ($has_api ? (
    { name => 'the client resets 32 API pushes', vhost => 'h2tls',
      path => '/api/?push=' . join(',', @hundred), reset_push => 1, status => qr/^200$/,
      pushes => [ @hundred[0 .. 31] ] },
    { name => 'GOAWAY after the first of 32 API pushes, the handler still pushing',
      vhost => 'h2tls', path => '/api/?push=' . join(',', @hundred[0 .. 9]) . '&sleep=200&push='
          . join(',', @hundred[10 .. 99]), goaway => 1, status => qr/^200$/,
      pushes => [ @hundred[0 .. 31] ] },
    ) : ()),
    { name => 'GOAWAY right after the first PUSH_PROMISE', vhost => 'h2tls',
      path => '/push/index.html', goaway => 1, status => qr/^200$/,
      pushes => [ $css, $js, '/fonts/inter.woff2' ] },
    # (/r/fonts: the font is nopush, so the CSS is the one push)
    { name => 'GOAWAY mid-push over h2c', vhost => 'h2c', path => '/r/fonts', goaway => 1,
      status => qr/^200$/, pushes => [ $css ] },
);

plan tests => 4 + eval { my $n = 0; $n += $_->{raw} ? 4 : 5 for @cases; $n };

# the API cases need the C test module: without it they would be dropped
ok($has_api, 'the C test module t/c-modules/quartpush_api is built and loaded, '
   . 'so the API cases run');

my $path_ok = qr{^/(?!/)[^\s\x00-\x1f\x7f]*$};
my $preload = qr{^</(?!/)[^>\s]*>; rel=preload(?:; as=[a-z]+)?(?:; type=[\w.+-]+/[\w.+-]+)?(?:; crossorigin(?:=[a-z-]+)?)?(?:; media="[^"\\\r\n]*")?(?:; critical)?(?:; nopush)?$};
my $preconnect = qr{^<https://(?:cdn\.example\.com|fonts\.example\.com:8443|img\.example\.com)>; rel=preconnect(?:; crossorigin)?$};
my $set_cookie = qr{^qpd=[A-Za-z0-9_-]*; Path=/(?:; Max-Age=\d+)?; HttpOnly(?:; Secure)?; SameSite=Lax$};
my %copied = map { $_ => 1 } COPIED_HEADERS, 'host';

# what is wrong with the header fields of a response, or ''
sub header_problems {
    my ($res) = @_;
    my @bad;
    for my $block ((map { [ 'a 103', $_->{header_list} ] } @{ $res->{interim} }),
                   [ 'the response', $res->{header_list} || [] ]) {
        my ($where, $list) = @$block;
        for my $h (@$list) {
            my ($n, $v) = @$h;
            push @bad, "$where: field $n" if $n =~ /evil/i || $n !~ /^[a-z0-9-]+$/;
            push @bad, "$where: CR/LF/NUL in $n" if $v =~ /[\r\n\0]/;
            push @bad, "$where: field $n in a 103"
                if $where eq 'a 103' && $n ne 'link' && $n ne 'push-policy';
            push @bad, "$where: set-cookie $v" if $n eq 'set-cookie' && $v !~ $set_cookie;
        }
        for my $link (@{ links_of({ header_list => $list }) }) {
            push @bad, "$where: link " . substr($link, 0, 120)
                unless $link =~ $preload || $link =~ $preconnect;
        }
    }
    return join '; ', @bad;
}

sub push_problems {
    my ($res, $client) = @_;
    my @bad;
    my $scheme = $client->tls ? 'https' : 'http';
    for my $p (@{ $res->{pushes} }) {
        my $path = $p->{path} // '(none)';
        push @bad, "authority $p->{authority}" if ($p->{authority} // '') ne $client->authority;
        push @bad, "scheme $p->{scheme}" if ($p->{scheme} // '') ne $scheme;
        push @bad, "method $p->{method}" if ($p->{method} // '') ne 'GET';
        push @bad, 'path ' . substr($path, 0, 80) if $path !~ $path_ok;
        for my $h (@{ $p->{header_list} }) {
            push @bad, "copied $h->[0]" unless $copied{ $h->[0] };
            push @bad, "CR/LF/NUL in copied $h->[0]" if $h->[1] =~ /[\r\n\0]/;
        }
    }
    return join '; ', @bad;
}

sub short { my $s = shift; length $s > 70 ? substr($s, 0, 70) . '...' : $s }

for my $c (@cases) {
    my $name = $c->{name};
    my $vhost = $c->{vhost} || 'h2hints';

    if ($c->{raw}) {
        # read from the raw bytes: every 1xx block, then the final one
        my $raw = raw_http1($vhost, $c->{raw});
        my @blocks = @{ $raw->{blocks} };
        my $final = $raw->{error} ? undef : $blocks[-1];
        my $status = $final ? $final->{status} : undef;
        my $res = { interim => [ @blocks[0 .. $#blocks - 1] ],
                    header_list => $final ? $final->{header_list} : [] };
        ok defined $status, "$name: answered (" . ($final ? $final->{line} : $raw->{error}) . ')';
        ok !defined $status || $status < 500, "$name: no 5xx";
        is header_problems($res), '',
           "$name: only sane Link values and header fields, in each header block of the raw answer";
        my (@what, @wrong);
        push @what, 'status';
        push @wrong, 'status ' . ($status // 'none') unless ($status // '') =~ $c->{status};
        if (defined $c->{hints}) {
            my @lines = map { $_->{line} } @{ $res->{interim} };
            my $n = () = map { @{ links_of($_) } } grep { $_->{status} == 103 } @{ $res->{interim} };
            push @what, $c->{hints} ? "one 103 with $c->{hints} link(s)" : 'no 1xx';
            push @wrong, 'interim: ' . (join(' | ', @lines) || 'none') . ", $n link(s)"
                unless $c->{hints} ? (@lines == 1 && $n == $c->{hints}) : !@lines;
        }
        ok !@wrong, "$name: " . join(', ', @what) or diag join "\n", @wrong;
        next;
    }

    my $client = client_for($vhost, $c->{h1} ? (protocol => 'http/1.1') : ());
    my %req = (method => $c->{method} || 'GET', path => $c->{path},
               headers => $c->{headers} || []);
    $req{accept_push} = $c->{accept_push} if defined $c->{accept_push};
    $req{reset_push} = 1 if $c->{reset_push};
    $req{goaway_after_push} = 1 if $c->{goaway};
    my $res = do {
        # Protocol::HTTP2 reports the PUSH_PROMISEs that cross the client's
        # GOAWAY on STDOUT, where TAP goes; Test::More has its own handle
        open my $stdout, '>&', \*STDOUT or die $!;
        open STDOUT, '>', '/dev/null' or die $! if $c->{goaway};
        my $r = eval { $client->request(%req) };
        my $err = $@;
        open STDOUT, '>&', $stdout or die $!;
        $r || { error => $err };
    };
    # A client that resets or leaves may see the connection end before the
    # response (seen now and then with 32 resets in a row: httpd's log then
    # says the client's side closed first, AH03045 End of file found). The
    # client then returns what arrived, marked ended_early: allowed for
    # those cases only, and only once the client has acted; every check
    # below still applies to what arrived.
    if ($res->{error}) {
        fail "$name: answered ($res->{error})" for 1 .. 5;
        next;
    }
    my $status = $res->{status};
    my $how = defined $status ? "status $status"
            : defined $res->{reset} ? "stream reset, error $res->{reset}" : 'no status';
    my $ended_early = $res->{ended_early};
    $how .= '; the connection ended early' if $ended_early;

    if ($c->{goaway}) {
        # Protocol::HTTP2 refuses a PUSH_PROMISE that crosses its GOAWAY and
        # may then reset the main stream itself, and the server may cancel
        # the pushes the client will not read: what counts is that the
        # server did not reset the request's own stream before the client's
        # GOAWAY, nor end the connection with an error. After the GOAWAY,
        # mod_http2 itself resets the request stream (PROTOCOL_ERROR) when a
        # handler still pushing queued a PUSH_PROMISE that nghttp2 then
        # refuses to send (its log: "not sent FRAME[PUSH_PROMISE ...] error
        # -516", then RST_STREAM stream=1): the client has declared it is
        # leaving, and that reset is mod_http2's answer, not a module error.
        my $goaway_at = $res->{goaway_sent_at};
        my @server_errors = grep {
            ($_->{type} eq 'RST_STREAM' && $_->{stream} == 1
             && !(defined $goaway_at && $_->{time} > $goaway_at))
            || ($_->{type} eq 'GOAWAY' && $_->{goaway}{error})
        } @{ $res->{frames} };
        my $late_reset = grep { $_->{type} eq 'RST_STREAM' && $_->{stream} == 1 }
                         @{ $res->{frames} };
        ok $goaway_at && !@server_errors,
           "$name: ended cleanly after the client's GOAWAY ($how, "
           . scalar(@{ $res->{push_promises} }) . ' promise(s) seen; the server '
           . 'reset no request stream before the GOAWAY and sent no error GOAWAY'
           . ($late_reset ? '; mod_http2 reset it after the GOAWAY' : '') . ')'
           or diag join "\n", map { "$_->{type} stream $_->{stream} " . ($_->{error} // '')
                                      . ($_->{rejected} ? ' (rejected by the client)' : '') }
                                @{ $res->{frames} };
    }
    elsif ($c->{reset_push} && $ended_early) {
        my $resets = grep { $_->{cancelled} } @{ $res->{pushes} };
        ok $resets,
           "$name: the connection ended only after the client reset $resets push(es) "
           . "(allowed for this case; $how)"
           or diag $ended_early;
    }
    elsif ($c->{malformed}) {
        ok((defined $status && $status =~ /^4/) || ($res->{reset} // -1) == 1,
           "$name: refused as malformed ($how)");
    }
    else {
        ok defined $status, "$name: answered ($how)";
    }
    ok !defined $status || $status < 500, "$name: no 5xx";
    my $hp = header_problems($res);
    is $hp, '', "$name: only sane Link values and header fields";
    my $pp = push_problems($res, $client);
    is $pp, '', "$name: every push is same-origin, to a path, with the copied headers";

    # what this case expects in particular, in one TAP line
    my (@what, @wrong);
    # a client that left may have no status: then none is expected; the
    # pushes it saw must be the first of those expected, at least one
    my $left = $c->{goaway} || $ended_early;
    if ($c->{status} && !($left && !defined $status)) {
        push @what, 'status';
        push @wrong, "status $how" unless ($status // '') =~ $c->{status};
    }
    if ($c->{pushes}) {
        my $got = paths_of($res);
        my @want = @{ $c->{pushes} };
        if ($left) {
            push @what, 'pushes: the first of ' . short(join ' ', @want) . ' (at least one)';
            push @wrong, 'pushed ' . short(join(' ', @$got) || 'nothing')
                unless @$got && @$got <= @want
                    && join("\n", @$got) eq join("\n", @want[0 .. $#$got]);
        }
        else {
            push @what, 'pushes ' . (@want ? short(join ' ', @want) : 'none');
            push @wrong, 'pushed ' . short(join(' ', @$got) || 'nothing')
                unless join("\n", @$got) eq join("\n", @want);
        }
    }
    if ($c->{body}) {
        push @what, 'what the API returned';
        push @wrong, 'API said ' . short($res->{body} // '') unless ($res->{body} // '') =~ $c->{body};
    }
    if (defined $c->{hints}) {
        my $n = () = map { @{ links_of($_) } } @{ $res->{interim} };
        push @what, "$c->{hints} Early Hints link(s)";
        push @wrong, "$n Early Hints link(s)" if $n != $c->{hints};
    }
    if ($c->{check}) {
        push @what, 'its own check';
        push @wrong, 'its own check failed' unless $c->{check}->($res);
    }
    push @wrong, 'the case expects nothing in particular: give it a status or pushes' unless @what;
    ok !@wrong, "$name: " . join(', ', @what) or diag join "\n", @wrong;
}

# the server lives on, and no child crashed
my $res = eval { client_for('h2tls')->get('/push/index.html') };
ok $res && $res->{status} == 200 && @{ $res->{push_promises} } == 3,
   'after all cases, the server still answers and pushes';

open my $fh, '<', $error_log or die "$error_log: $!";
seek $fh, $log_start, 0;
my (@crashes, @dropped);
while (my $line = <$fh>) {
    push @crashes, $line if $line =~ /exit signal|Segmentation fault|AH00052/;
    push @dropped, $line if $line =~ /AH10257/;
}
close $fh;
is scalar(@crashes), 0, 'error_log: no child crash (exit signal, Segmentation fault, AH00052)'
    or diag @crashes[0 .. ($#crashes < 4 ? $#crashes : 4)];
is scalar(@dropped), 0, 'error_log: mod_http2 never dropped a 103 it could not read (AH10257)'
    or diag map { substr($_, 0, 200) . "\n" } @dropped[0 .. ($#dropped < 4 ? $#dropped : 4)];
