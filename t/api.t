# SPDX-License-Identifier: Apache-2.0
# quartpush_make_push_promise(), the API other modules call, driven through
# the C test handler in t/c-modules/quartpush_api: it pushes while the
# handler runs, and reports each return code in its response body.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

# Without the C test module these cases cannot run: that is a failure of
# the build, never a quiet skip.
unless (Apache::Test::have_module('mod_quartpush_api.c')) {
    plan tests => 1;
    fail('the C test module t/c-modules/quartpush_api is built and loaded (Apache::TestConfigC builds it with apxs)');
    exit 1;
}
plan tests => 2 * 10 + 10;

my $css = '/static/css/site.css';
my $js  = '/static/js/app.js';

for my $vhost (h2_transports()) {
    # two pushes, then a 300 ms handler: the promises come first
    my $res = client_for($vhost)->get("/api/?push=$css,$js&sleep=300");
    is_deeply(paths_of($res), [$css, $js], "$vhost: both resources are promised");
    my @gaps = map { $res->{headers_at} - $_->{promised_at} } @{ $res->{pushes} };
    ok(@gaps == 2 && !grep({ $_ <= 0.25 } @gaps),
       sprintf("$vhost: each PUSH_PROMISE arrives more than 250 ms before the "
               . "response HEADERS (%s ms)", join(', ', map { int($_ * 1000) } @gaps)));
    like($res->{body}, qr/^can_push 1$/m, "$vhost: quartpush_can_push() is true before");
    like($res->{body}, qr{^push $css SUCCESS\npush $js SUCCESS$}m,
         "$vhost: each call returns APR_SUCCESS");

    # the same URL twice, and a bad URL
    $res = client_for($vhost)->get("/api/?push=$css,$css,http://evil.example/x.css");
    is_deeply(paths_of($res), [$css], "$vhost: a URL pushed twice is promised once");
    like($res->{body}, qr{^push $css SUCCESS\npush $css SUCCESS$}m,
         "$vhost: ... and the second call says the promise stands (APR_SUCCESS)");
    like($res->{body}, qr{^push http://evil\.example/x\.css EINVAL$}m,
         "$vhost: another origin is APR_EINVAL");

    # after the response headers went out
    $res = client_for($vhost)->get("/api/?flush=1&push=$css");
    like($res->{body}, qr{^push $css EGENERAL$}m,
         "$vhost: a call after the response headers is APR_EGENERAL");
    is_deeply(paths_of($res), [], "$vhost: ... and promises nothing");

    # a client that refuses push
    $res = client_for($vhost, accept_push => 0)->get("/api/?push=$css",
                                                     headers => [ NAVIGATION ]);
    ok($res->{body} =~ m{^push $css ENOTIMPL$}m && !@{ $res->{push_promises} },
       "$vhost: a client that refuses push: APR_ENOTIMPL, nothing sent");
}

# HTTP/1.1: ignored, as in Quart
my $res = client_for('h1tls', protocol => 'http/1.1')->get("/api/?push=$css");
like($res->{body}, qr{^can_push 0\npush $css ENOTIMPL$}m, 'HTTP/1.1: APR_ENOTIMPL');
is(scalar @{ $res->{interim} }, 0, 'HTTP/1.1: no 103 is sent');

# a pushed request calls the API too: it cannot push
$res = client_for('h2tls')->get('/api/?push=/api/child%3Fpush%3D' . $js);
my ($child) = grep { $_->{path} eq "/api/child?push=$js" } @{ $res->{pushes} };
like(($child->{response} || {})->{body} // '', qr{^can_push 0\npush $js ENOTIMPL$}m,
     'a pushed request that calls the API gets APR_ENOTIMPL');

# the scope's QuartPushResource and the API: one promise per URL
$res = client_for('h2tls')->get("/api/dedupe/?push=$css,$js");
is_deeply(paths_of($res), [$css, $js],
          'a URL a directive pushed in fixups is not promised again by the API');
$res = client_for('h2tls')->get("/api/off/?push=$css");
like($res->{body}, qr{^push $css ENOTIMPL$}m, 'QuartPush off: APR_ENOTIMPL');

# params, and the 103 that carries the push
$res = client_for('h2hints')->get("/api/?params=as%3Dscript+critical&push=/x");
my ($link) = map { $_->[1] } grep { lc $_->[0] eq 'link' }
    @{ ($res->{interim}[0] || {})->{header_list} || [] };
is($link, '</x>; rel=preload; as=script; critical', 'params reach the Link header of the 103');

# the pushed requests carry the copied header set: mod_http2 makes that
# copy from the request whose 103 the API sent, so no change to
# mod_quartpush can make this fail; it stays as end-to-end proof, and the
# 103s below check what the module controls
my %sent = ('accept' => 'text/html', 'accept-encoding' => 'gzip',
            'accept-language' => 'de', 'cache-control' => 'no-cache',
            'user-agent' => 'api-test/1', 'cookie' => 'c=1', 'authorization' => 'Basic eA==');
$res = client_for('h2tls')->get("/api/?push=$css", headers => [ %sent ]);
my %got = %{ ($res->{push_promises}[0] || [])->[1] || {} };
delete $got{host};
is_deeply(\%got, { map { $_ => $sent{$_} } COPIED_HEADERS },
          "an API push carries exactly the five copied headers (mod_http2's copy)");

# which URL goes into which 103: each API call that pushes sends a 103 of
# its own, with only its URL; a URL the scope's QuartPushResource put in the
# fixups 103 is in no later one
my @css_link = ("<$css>; rel=preload; as=style");
my @js_link  = ("<$js>; rel=preload; as=script");
$res = client_for('h2hints')->get("/api/?push=$css,$js");
is_deeply([ map { links_of($_) } grep { $_->{status} == 103 } @{ $res->{interim} } ],
          [ \@css_link, \@js_link ],
          'two API pushes: two 103s, each with only the Link of its own URL');
$res = client_for('h2hints')->get("/api/dedupe/?push=$css,$js");
is_deeply([ map { links_of($_) } grep { $_->{status} == 103 } @{ $res->{interim} } ],
          [ \@css_link, \@js_link ],
          "QuartPushResource's 103 holds its URL; the API's repeat of it sends no 103, "
          . 'the next API push one with only its own URL');

# the note lists what the API pushed
client_for('h2tls')->get("/api/?note=api&push=$css,$js");
like(quartpush_log_for("/api/?note=api&push=$css,$js"), qr{ quartpush=$css $js },
     'the quartpush note lists the API pushes');
