# SPDX-License-Identifier: Apache-2.0
# The httpd under test runs the module the suite was asked to test
# (MOD_QUARTPUSH_SO, else the build tree's .libs/mod_quartpush.so), and no
# other copy: not an installed package's when testing the build tree, and
# not the build tree's when scripts/test-deb tests the installed package.
# Linux only: it reads the mappings of httpd's parent process.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Cwd qw(abs_path);
use lib 't/lib';
use QuartPushTest;

my $pidfile = Apache::Test::vars('t_logs') . '/httpd.pid';
open my $pf, '<', $pidfile or plan skip_all => "no $pidfile: $!";
chomp(my $pid = <$pf> // '');
close $pf;
plan skip_all => "no /proc/$pid/maps" unless $pid && -r "/proc/$pid/maps";

plan tests => 2;

# make sure the server is up and its configuration loaded
my $res = client_for('h2c')->get('/push/');
is($res->{status}, 200, 'the test httpd answers');

open my $maps, '<', "/proc/$pid/maps" or die "/proc/$pid/maps: $!";
my %mapped;
while (<$maps>) {
    $mapped{$1} = 1 if m{\s(/\S*mod_quartpush\.so)(?: \(deleted\))?$};
}
close $maps;
is_deeply([sort keys %mapped], [abs_path(module_so())],
          "httpd (pid $pid) mapped " . module_so() . ' and no other mod_quartpush.so');
