# SPDX-License-Identifier: Apache-2.0
# A navigation that revalidates (If-None-Match with the ETag of the last
# build, If-Modified-Since) gets the same 103, and a push client the same
# pushes, as one that does not: whether the answer is a 304 is known only
# once the handler has run, and the first visit after a deploy, which
# revalidates with an old ETag and gets a 200, is the one that most needs
# the new files. When the answer is a 304 the browser finds the hinted
# files in its cache (docs/push-or-hints.md has the figures).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;

plan tests => 14;

my @eh_links = (
    '</static/css/site.css>; rel=preload; as=style',
    '</static/js/app.js>; rel=preload; as=script; nopush',
    '<https://cdn.example.com>; rel=preconnect',
    '<https://fonts.example.com:8443>; rel=preconnect; crossorigin',
);

sub hints_for {
    my ($query, @headers) = @_;
    return client_for('h2hints', accept_push => 0)->get("/eh/index.html?c=$query",
        headers => [ NAVIGATION, @headers ]);
}

# the page as a first visit sees it, and its validators
my $plain = hints_for('plain');
is_deeply(links_of($plain->{interim}[0] || {}), \@eh_links,
          'a navigation gets the 103 with the four links');
my $etag = $plain->{headers}{etag};
ok(defined $etag, '... and its page has an ETag to revalidate with');

# the first visit after a deploy: the browser's copy has the old ETag
my $res = hints_for('inm', 'if-none-match' => '"0-old-build"');
is(scalar @{ $res->{interim} }, 1, 'If-None-Match with an old ETag: one 103');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with the same links');
is($res->{status}, 200, '... then the new page, 200');

$res = hints_for('ims', 'if-modified-since' => 'Wed, 21 Oct 2015 07:28:00 GMT');
is(scalar @{ $res->{interim} }, 1, 'If-Modified-Since before the last change: one 103');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links, '... with the same links');
is($res->{status}, 200, '... then the page, 200');

# a reload of an unchanged page: still hinted (decided before the handler);
# the browser takes the files from its cache
$res = hints_for('same', 'if-none-match' => $etag // '"none"');
is_deeply(links_of($res->{interim}[0] || {}), \@eh_links,
          'If-None-Match with the current ETag: the same 103');
is($res->{status}, 304, '... then 304 Not Modified');
like(quartpush_log_for('/eh/index.html?c=same'),
     qr{ 304 quartpush=- hints=/static/css/site.css /static/js/app.js https://cdn.example.com https://fonts.example.com:8443 },
     '... and the notes say what was hinted');

# a push client that revalidates gets the same pushes (h2c, prior knowledge)
my $want = paths_of(client_for('h2c')->get('/push/?c=plain'));
$res = client_for('h2c')->get('/push/?c=inm', headers => [ 'if-none-match' => '"0-old-build"' ]);
is_deeply(paths_of($res), $want, 'h2c, If-None-Match: the same pushes as without')
    or diag explain paths_of($res);
ok(scalar @$want, '... which are some');
$res = client_for('h2c')->get('/push/?c=ims',
    headers => [ 'if-modified-since' => 'Wed, 21 Oct 2015 07:28:00 GMT' ]);
is_deeply(paths_of($res), $want, 'h2c, If-Modified-Since: the same pushes');
