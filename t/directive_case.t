# SPDX-License-Identifier: Apache-2.0
# httpd's directive names are case-insensitive, and so are
# mod_quartpush's: a configuration written in lower case (or in capitals)
# passes "httpd -t" and gives the same routes as the usual spelling
# (-D DUMP_QUARTPUSH), its <QuartPushRoutes> block closed by
# </quartpushroutes>, which the module itself looks for (it reads the
# block's lines raw). And a server so configured pushes what it says.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

plan tests => 12;

my $dir = tempdir(CLEANUP => 1);

my $usual = <<'CONF';
<QuartPushRoutes>
    /            => /static/css/site.css
    /blog/<slug> => /static/css/blog.css, /img/<slug>.webp as=image
</QuartPushRoutes>
<Location "/page/">
    QuartPushResource /static/js/app.js as=script
    QuartPushLimit 5
</Location>
CONF
(my $lower = $usual) =~ s/(QuartPush\w+)/lc $1/ge;
(my $upper = $usual) =~ s/(QuartPush\w+)/uc $1/ge;
# closing names written otherwise: mixed case, a blank before the '>'
(my $mixed = $usual) =~ s{</QuartPushRoutes>}{</quartPUSHroutes >};
isnt($lower, $usual, 'the lower-case configuration differs from the usual one')
    or diag $lower;
like($lower, qr{</quartpushroutes>\n}, '... its block ends with </quartpushroutes>');

my ($rc, $dump) = httpd_config_test($dir, $usual, http2 => 1, define => 'DUMP_QUARTPUSH');
is($rc, 0, 'the usual spelling passes httpd -t') or diag $dump;
like($dump, qr{/blog/<slug>}, '... and DUMP_QUARTPUSH shows its routes') or diag $dump;
s/\[[^\]]*\]//g for $dump;      # the origins name a line: the same here
for my $c ([ 'lower case', $lower ], [ 'capitals', $upper ],
           [ 'a mixed-case closing name', $mixed ]) {
    my ($what, $conf) = @$c;
    my ($rc2, $out) = httpd_config_test($dir, $conf, http2 => 1, define => 'DUMP_QUARTPUSH');
    is($rc2, 0, "$what passes httpd -t") or diag $out;
    s/\[[^\]]*\]//g for $out;
    is($out, $dump, '... with the same routes') or diag $out;
}

# a live server configured in lower case
SKIP: {
    my $sdir = tempdir(CLEANUP => 1);
    mkdir "$sdir/htdocs";
    mkdir "$sdir/htdocs/page";
    for my $f ('index.html', 'page/index.html') {
        open my $fh, '>', "$sdir/htdocs/$f" or die $!;
        print $fh "<!doctype html><title>$f</title>\n";
        close $fh;
    }
    chmod 0755, $sdir;
    my $port = Apache::Test::config()->{vars}{port} + 93;
    my $httpd = eval { start_httpd($sdir, $port, $lower) };
    skip "could not start an httpd of its own: $@", 2 unless $httpd;
    my $get = sub {
        Apache::QuartPush::TestClient->new(host => 'localhost', port => $port,
                                           tls => 1, timeout => 10)->get($_[0]);
    };
    is_deeply(paths_of($get->('/')), ['/static/css/site.css'],
              'a server configured in lower case: the route of / pushes');
    is_deeply(paths_of($get->('/page/')), ['/static/js/app.js'],
              '... and so does the quartpushresource of <Location "/page/">');
}
