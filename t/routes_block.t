# SPDX-License-Identifier: Apache-2.0
# A <QuartPushRoutes> block and a route file are one language read by one
# reader: the same line gives the same routes, or fails "httpd -t" with the
# same message, naming its own file and line. The block's lines are read
# raw, so that httpd's reader cannot drop a '>' (it once turned
# '/blog/<slug => /a.css' into '/blog/<slug>' and passed). ${VAR} is
# replaced by Define's value in both forms.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use lib 't/lib';
use QuartPushTest;

my $dir = tempdir(CLEANUP => 1);

sub write_routes {
    open my $fh, '>', "$dir/push.routes" or die $!;
    binmode $fh;
    print $fh $_[0];
    close $fh;
}

# httpd -t with $text as a block or as a route file; extra is put on the
# line before (httpd_config_test's body starts on line 9 of httpd.conf)
my $open_line = 10;     # the line of <QuartPushRoutes> in httpd.conf
sub as_block {
    my ($text, %o) = @_;
    return httpd_config_test($dir, ($o{extra} // '') . "\n<QuartPushRoutes>\n$text\n</QuartPushRoutes>",
                             http2 => 1, define => $o{define});
}
sub as_file {
    my ($text, %o) = @_;
    write_routes($text);
    return httpd_config_test($dir, ($o{extra} // '') . "\nQuartPushRoutes push.routes",
                             http2 => 1, define => $o{define});
}

# the message after "FILE:LINE: ", and that line
sub route_error {
    my ($out, $where) = @_;
    return $out =~ /\Q$where\E:(\d+): (.*)$/m ? ($1, $2) : (undef, undef);
}

my @bad = (
    [ '/blog/<slug => /a.css', 'a placeholder whose > is missing' ],
    [ '/blog/<slug> /a.css', 'no =>' ],
    [ '/a => /x.css as=stylesheet', 'a bad link parameter' ],
    [ '/u/<integer:id> => /b.css', 'an unknown converter' ],
    [ '/a/<x>>> => /b.css', 'a stray >' ],
    [ '<QuartPushRoutes>', 'a nested block' ],
    [ '/a => ' . ('/x.css, ' x 2000) . '/y.css', 'a line of more than 8 KB' ],
);

plan tests => 5 * @bad + 10;

for my $case (@bad) {
    my ($text, $what) = @$case;
    # two good lines first, so that the bad one is not the first line
    my $lines = "/ok => /ok.css\n# a comment\n$text";
    my ($rc_b, $out_b) = as_block($lines);
    my ($rc_f, $out_f) = as_file("$lines\n");
    my ($line_b, $msg_b) = route_error($out_b, "$dir/httpd.conf");
    my ($line_f, $msg_f) = route_error($out_f, 'push.routes');
    ok $rc_b != 0, "block: httpd -t fails: $what" or diag $out_b;
    ok $rc_f != 0, "file: httpd -t fails: $what" or diag $out_f;
    is $line_b, $open_line + 3, "... the block's message names the bad line of httpd.conf ($what)"
        or diag $out_b;
    is $line_f, 3, "... the file's message names the bad line of the file ($what)" or diag $out_f;
    ok defined $msg_b && defined $msg_f && $msg_b eq $msg_f,
       "... and both say the same: " . ($msg_f // '(nothing)') or diag "block: $out_b\nfile: $out_f";
}

my ($rc, $out) = as_block("/blog/<slug => /a.css");
like $out, qr/Syntax error on line (\d+) of \Q$dir\E\/httpd\.conf:/,
     "httpd's own 'Syntax error on line N' names the block's bad line";
is(($out =~ /Syntax error on line (\d+)/)[0], $open_line + 1,
   '... which is that line, not the line of <QuartPushRoutes>');

# the same good routes from both forms, in the same order
my $good = "/ => /site.css\n/blog/<slug> => /blog.css, /img/<slug>.webp as=image \\\n"
         . "    critical\n/u/<int:id> => /p.js when \"%{HTTP:X} == 'y'\"\n";
($rc, my $dump_b) = as_block($good, define => 'DUMP_QUARTPUSH');
ok $rc == 0, 'a good block passes httpd -t' or diag $dump_b;
($rc, my $dump_f) = as_file($good, define => 'DUMP_QUARTPUSH');
ok $rc == 0, 'the same lines as a route file pass' or diag $dump_f;
s/\[[^\]]*\]//g for $dump_b, $dump_f;      # the origins differ, not the routes
is $dump_b, $dump_f, 'both give the same compiled routes, in the same order';

# ${VAR}: Define's value, in both forms
my $define = "Define ASSETS /static/v2";
($rc, $out) = as_block('/a => ${ASSETS}/a.css', extra => $define, define => 'DUMP_QUARTPUSH');
like $out, qr{</static/v2/a\.css>}, '${ASSETS} in a block is the value Define gave it' or diag $out;
($rc, $out) = as_file('/a => ${ASSETS}/a.css', extra => $define, define => 'DUMP_QUARTPUSH');
like $out, qr{</static/v2/a\.css>}, '${ASSETS} in a route file is the same value' or diag $out;

# a block that is never closed
($rc, $out) = httpd_config_test($dir, "<QuartPushRoutes>\n/a => /b.css", http2 => 1);
ok $rc != 0 && index($out, '<QuartPushRoutes> was not closed.') >= 0,
   'a block that is never closed fails httpd -t' or diag $out;

# inside <VirtualHost>: the block's routes belong to that virtual host only
($rc, $out) = httpd_config_test($dir, <<'CONF', http2 => 1, define => 'DUMP_QUARTPUSH');
<VirtualHost 127.0.0.1:1>
    ServerName v.example
    <QuartPushRoutes>
        /only-here => /v.css
    </QuartPushRoutes>
</VirtualHost>
CONF
like $out, qr{VirtualHost v\.example.*\n\s+1\. /only-here}, "a block in a <VirtualHost> gives that host's routes"
    or diag $out;
like $out, qr{\(main server\)\n\s+no routes}, '... and not the main server' or diag $out;
