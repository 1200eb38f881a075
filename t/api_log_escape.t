# SPDX-License-Identifier: Apache-2.0
# quartpush_make_push_promise() logs the URL it rejects, and a handler may
# pass request data to it: a URL with a CR LF, an ANSI escape or a
# backslash must not forge or colour an error_log line. The module passes
# the text as a "%s" argument, never in the format, and httpd escapes
# every error log message as ap_escape_logitem does (log.c, unless httpd
# was built with AP_UNSAFE_ERROR_LOG_UNESCAPED, which Debian's is not).
# Escaping it in the module as well would write "\\r\\n": this test
# holds the line as an admin reads it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use lib 't/lib';
use QuartPushTest;
use File::Spec::Functions qw(catfile);

unless (Apache::Test::have_module('mod_quartpush_api.c')) {
    plan tests => 1;
    fail('the C test module t/c-modules/quartpush_api is built and loaded');
    exit 1;
}
plan tests => 7;

my $log = catfile(Apache::Test::vars('t_logs'), 'error_log');
my $start = -s $log || 0;

# the tag makes this request's lines easy to find; %0d%0a is CR LF, %1b ESC,
# %5c a backslash (the test handler unescapes its query string)
my $tag = 'qpinject' . $$;
my $url = "/x%0d%0a[core:emerg]%20$tag%1b[31m%5cn";
my $res = client_for('h2tls')->get("/api/?push=$url");
is($res->{status}, 200, 'the handler answers 200');
like($res->{body}, qr/ EINVAL$/m, '... and the call is refused (EINVAL)');

my @lines;
for (1 .. 40) {
    open my $fh, '<', $log or last;
    seek $fh, $start, 0;
    @lines = grep { /QP00004/ && /$tag/ } <$fh>;
    close $fh;
    last if @lines;
    select undef, undef, undef, 0.05;
}
is(scalar @lines, 1, 'the rejected URL is on one error_log line')
    or diag explain \@lines;
my $line = $lines[0] // '';
like($line, qr/QP00004: quartpush_make_push_promise: /, '... the module\'s QP00004 line');
unlike($line, qr/[\x00-\x08\x0b-\x1f\x7f]/, '... with no raw control character (CR, ESC)');
unlike($line, qr/^\[core:emerg\]/, '... and no forged line of its own');
like($line, qr{'/x\\r\\n\[core:emerg\] $tag\\x1b\[31m\\\\n'},
     '... the URL escaped: \r\n, \x1b, and \\ for the backslash');
