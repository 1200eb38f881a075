# SPDX-License-Identifier: Apache-2.0
# H2Push off, at every scope mod_http2 honours (server, virtual host,
# <Location>, <Directory>, .htaccess), stops mod_quartpush's pushes as it
# stops mod_http2's own: a client that accepts push is then treated like one
# that refuses it. It gets the links as a hint-only 103 where mod_http2
# forwards one (H2EarlyHints on), nothing otherwise. mod_quartpush reads the
# setting by registering H2Push too: a configuration mod_http2 accepts or
# refuses is accepted or refused the same, with mod_http2's own message.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON::PP ();
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

plan tests => 54;

# hint tests send what a browser sends on a navigation, so that they stay
# valid where hints go to navigations only
my @nav = ('sec-fetch-mode' => 'navigate', 'sec-fetch-dest' => 'document');
my @links = ('</static/css/site.css>; rel=preload; as=style; nopush',
             '</static/js/app.js>; rel=preload; as=script; nopush');

sub get {
    my ($vhost, $path, %o) = @_;
    return client_for($vhost, %o)->get($path, headers => [@nav]);
}

sub h2push_off_count {
    my $res = client_for('h2tls')->get('/quartpush-status?json');
    return JSON::PP::decode_json($res->{body} || '{}')->{counters}{skipped}{h2push_off} // -1;
}

# --- <Location>: over h2 TLS and h2c, no PUSH_PROMISE for a push client
my $count = h2push_off_count();
for my $vhost (h2_transports()) {
    my $res = get($vhost, "/h2off/index.html?t=$vhost-$$");
    is($res->{status}, 200, "$vhost: <Location> with H2Push off: the page");
    is_deeply(paths_of($res), [], "$vhost: ... no PUSH_PROMISE for a client that accepts push");
    is(scalar @{ $res->{interim} }, 0, "$vhost: ... and no 103 (H2EarlyHints is off here)");
    like(quartpush_log_for("/h2off/index.html?t=$vhost-$$"), qr/ quartpush=- hints=- /,
         "$vhost: ... nothing announced");
}
# exactly 2: the two requests of the loop, the only ones since $count was
# read (nothing was pushed, so no pushed request; the status page itself
# is not counted)
is(h2push_off_count() - $count, 2, '... counted as skipped: h2push_off, once each');

# where H2EarlyHints is on: a hint-only 103 instead, whose links cannot
# make mod_http2 push (nopush)
my $res = get('h2hints', "/h2off/index.html?t=hints-$$");
is_deeply(paths_of($res), [], '<Location> H2Push off, H2EarlyHints on: no PUSH_PROMISE');
is(scalar @{ $res->{interim} }, 1, '... one 103');
is_deeply(links_of($res->{interim}[0] || {}), \@links, '... carrying the links as hints only');
is($res->{status}, 200, '... then the page');
like(quartpush_log_for("/h2off/index.html?t=hints-$$"),
     qr{ quartpush=- hints=/static/css/site.css /static/js/app.js },
     '... the notes: nothing pushed, both hinted');
$res = get('h2hints', '/h2off/index.html?t=browser', accept_push => 0);
is(scalar @{ $res->{interim} }, 1, '... a client that refuses push gets its 103 as before');
is_deeply(paths_of($res), [], '... and no push');

# a child scope that turns it on again pushes again (as mod_http2 does)
$res = get('h2tls', '/h2off/on/index.html?t=on');
is_deeply(paths_of($res), ['/static/css/site.css', '/static/js/app.js'],
          'H2Push on in a child <Location>: pushed again');

# --- <Directory>
for my $vhost (h2_transports()) {
    $res = get($vhost, "/h2offdir/?t=$vhost");
    is($res->{status}, 200, "$vhost: <Directory> with H2Push off: the page");
    is_deeply(paths_of($res), [], "$vhost: ... no PUSH_PROMISE");
}
$res = get('h2hints', '/h2offdir/?t=hints');
is_deeply(links_of($res->{interim}[0] || {}),
          ['</static/css/site.css>; rel=preload; as=style; nopush'],
          '<Directory> with H2EarlyHints on: a hint-only 103');
is_deeply(paths_of($res), [], '... and no push');

# --- .htaccess: as with mod_http2 alone
$res = get('h2tls', '/h2offht/?t=ht');
is($res->{status}, 200, '.htaccess with AllowOverride AuthConfig: H2Push off is taken');
is_deeply(paths_of($res), [], '... no PUSH_PROMISE');
$res = get('h2tls', '/h2offfi/?t=fi');
is($res->{status}, 500, '.htaccess with AllowOverride FileInfo only: H2Push is refused (500), as by mod_http2 alone');
$res = get('h2tls', '/h2offnf/?t=nf');
is($res->{status}, 200, '... with Nonfatal=Override mod_http2 ignores it: the page');
is_deeply(paths_of($res), ['/static/css/site.css'], '... and so does mod_quartpush: pushed');

# --- a virtual host with H2Push off
for my $path ('/push/index.html', '/h2off/on/index.html') {
    $res = get('h2pushoff', "$path?t=vhost");
    is($res->{status}, 200, "virtual host with H2Push off: $path");
    is_deeply(paths_of($res), [], '... no PUSH_PROMISE (not even where a <Location> says on)');
    is(scalar @{ $res->{interim} }, 0, '... and no 103 (H2EarlyHints off)');
}
$res = get('h2pushoffhints', '/h2off/on/index.html?t=vhosthints');
is_deeply(paths_of($res), [], 'virtual host with H2Push off and H2EarlyHints on: no PUSH_PROMISE');
is(scalar @{ $res->{interim} }, 1, '... a 103');
is_deeply(links_of($res->{interim}[0] || {}), \@links, '... with the links as hints');

# --- the server level: an httpd of its own, since here it would reach
#     every virtual host of the test server
my $dir = tempdir(CLEANUP => 1);
make_path("$dir/htdocs/page", "$dir/htdocs/quiet");
for my $p ('page', 'quiet') {
    open my $fh, '>', "$dir/htdocs/$p/index.html" or die $!;
    print $fh "<!doctype html><title>$p</title>\n";
}
chmod 0755, $dir;
my $port = Apache::Test::config()->{vars}{port} + 90;
my $httpd = eval { start_httpd($dir, $port, <<'CONF') };
H2Push off
H2EarlyHints on
<Location "/page/">
    QuartPushResource /static/css/site.css
    QuartPushResource /static/js/app.js as=script
</Location>
<Location "/quiet/">
    QuartPushResource /static/css/site.css
    QuartPushEarlyHints off
</Location>
CONF
diag $@ if $@;
my $client = sub {
    Apache::QuartPush::TestClient->new(host => 'localhost', port => $port,
                                       tls => 1, timeout => 10, @_);
};
$res = $client->()->get('/page/', headers => [@nav]);
is($res->{status}, 200, 'server level H2Push off: the page');
is_deeply(paths_of($res), [], '... no PUSH_PROMISE for a client that accepts push');
is_deeply(links_of($res->{interim}[0] || {}), \@links, '... a hint-only 103 (H2EarlyHints on)');
$res = $client->()->get('/quiet/', headers => [@nav]);
is($res->{status}, 200, '... with QuartPushEarlyHints off: the page');
is_deeply(paths_of($res), [], '... no PUSH_PROMISE');
is(scalar @{ $res->{interim} }, 0, '... and no 103');
undef $httpd;
my $elog = do { local (@ARGV, $/) = "$dir/error_log"; <> } // '';
like($elog, qr{GET /quiet/: nothing announced: H2Push off, and QuartPushEarlyHints is off},
     '... the debug line gives the reason');

# --- configuration: what mod_http2 accepts or refuses, unchanged
my $tdir = tempdir(CLEANUP => 1);
my @cases = (
    [ 'H2Push maybe', 1 ],
    [ qq{<Location "/">\n    H2Push maybe\n</Location>}, 1 ],
    [ qq{<Location "/">\n    H2Push off extra\n</Location>}, 1 ],
    [ qq{<Location "/">\n    H2Push Off\n</Location>}, 0 ],
    [ qq{<VirtualHost 127.0.0.1:1>\n    H2Push OFF\n</VirtualHost>}, 0 ],
);
for my $case (@cases) {
    my ($body, $fails) = @$case;
    my ($rc, $out) = httpd_config_test($tdir, $body, http2 => 1);
    my ($rc0, $out0) = httpd_config_test($tdir, $body, http2 => 1, no_quartpush => 1);
    (my $what = $body) =~ s/\s+/ /g;
    is($rc != 0 ? 1 : 0, $fails, "httpd -t " . ($fails ? 'fails' : 'passes') . " on: $what");
    is($out, $out0, '... saying the same as without mod_quartpush') or diag "$out\n--\n$out0";
}
