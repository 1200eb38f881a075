# SPDX-License-Identifier: Apache-2.0
# A manifest is deploy data, not configuration. What is wrong with the
# build (a missing manifest, invalid JSON with jansson's line and column,
# the wrong shape for the format, a manifest too large, an unknown key, a
# cycle of imports, a path that is not a pushable URL, a key that expands
# to too many files) is a warning: "httpd -t" passes and names the
# manifest, the key and the line. With the parameter "required", each of
# them fails "httpd -t" instead, with a message that names the directive,
# the line at fault and the offending text. Mistakes in the configuration
# itself always fail it: an unknown format, parameter or manifest name, a
# bad base=, files= or setting (css-crossorigin=, scripts=), given twice
# or on a format it makes no sense for, an "@NAME" with no
# QuartPushManifest NAME. The bad manifests are test/manifest/fixtures/bad/
# (its README says what each is).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use FindBin;
use lib 't/lib';
use QuartPushTest;

my $fx = "$FindBin::Bin/../test/manifest/fixtures";
my $good = "$FindBin::Bin/../test/manifest/vite-app/dist/.vite/manifest.json";
my $flat = "$FindBin::Bin/../test/manifest/fixtures/propshaft/1.3/.manifest.json";
my $dir = tempdir(CLEANUP => 1);

# the large ones are generated, not committed
system('python3', "$fx/bad/generate-big", $dir) == 0 or die "generate-big failed";
# 50 MiB and one byte, sparse: the size is refused before anything is read
{
    open my $fh, '>', "$dir/big-50mb.json" or die;
    truncate $fh, 50 * 1024 * 1024 + 1 or die "truncate: $!";
    close $fh;
}

# [configuration, what the message must hold (regex), the line at fault,
#  for deploy data: the warning without "required" (regex)]
# (line 9 of the generated httpd.conf is the first of the body). Deploy
# data's configurations say REQUIRED where "required" goes.
my $file_warning = qr{\[quartpush:warn\] .*QP00020: QuartPushManifest app \(\Q$dir\E/httpd\.conf:9\): .*; its resources announce nothing until it can be read};
sub key_warning {
    my ($key, $line) = @_;
    return qr{\[quartpush:warn\] .*QP00021: \@app:\Q$key\E \(\Q$dir\E/httpd\.conf:$line\): .*; it announces nothing until the manifest has it \(QuartPushManifest app at \Q$dir\E/httpd\.conf:9\)};
}
my @bad = (
    [ qq{QuartPushManifest app vite "$dir/nonexistent.json" REQUIRED},
      qr{QuartPushManifest app: cannot open the manifest '\Q$dir\E/nonexistent\.json': No such file or directory}, 9, $file_warning ],
    [ qq{QuartPushManifest app vite "$fx/bad/invalid-json.json" REQUIRED},
      qr{QuartPushManifest app: invalid JSON at line 6, column 13: '\}' expected near '"isEntry"'}, 9, $file_warning ],
    [ qq{QuartPushManifest app vite "$fx/bad/truncated.json" REQUIRED},
      qr{QuartPushManifest app: invalid JSON at line 6, column 11: premature end of input}, 9, $file_warning ],
    [ qq{QuartPushManifest app vite "$fx/bad/vite-shape-array.json" REQUIRED},
      qr{QuartPushManifest app: vite manifest: the manifest is an array, expected an object}, 9, $file_warning ],
    [ qq{QuartPushManifest app flat "$fx/bad/flat-shape-number.json" REQUIRED},
      qr{QuartPushManifest app: flat manifest: 'app\.css' is a number, expected a path}, 9, $file_warning ],
    [ qq{QuartPushManifest app entrypoints "$fx/bad/entrypoints-shape-no-entrypoints.json" REQUIRED},
      qr{QuartPushManifest app: .*expected \{"entrypoints": \{NAME: }, 9, $file_warning ],
    [ qq{QuartPushManifest app webpack "$good"},
      qr{QuartPushManifest: 'webpack': unknown manifest format \(expected vite, }, 9 ],
    [ qq{QuartPushManifest app vite},
      qr{QuartPushManifest: 'app vite': expected NAME FORMAT FILE \[base=URL-PREFIX\] \[PARAM\.\.\.\]}, 9 ],
    [ qq{QuartPushManifest "a b" vite "$good"},
      qr{QuartPushManifest: 'a b' is not a name}, 9 ],
    [ qq{QuartPushManifest app vite "$good" base=https://cdn.example.com/build/},
      qr{QuartPushManifest app: base=https://cdn\.example\.com/build/ is a full URL}, 9 ],
    [ qq{QuartPushManifest app vite "$good" preload},
      qr{QuartPushManifest: 'preload': unknown parameter}, 9 ],
    [ qq{QuartPushManifest app vite "$good" css-crossorigin=maybe},
      qr{QuartPushManifest app: 'css-crossorigin=maybe': expected css-crossorigin=none, css-crossorigin=anonymous or css-crossorigin=use-credentials}, 9 ],
    [ qq{QuartPushManifest app vite "$good" css-crossorigin},
      qr{QuartPushManifest app: 'css-crossorigin': expected css-crossorigin=none, }, 9 ],
    [ qq{QuartPushManifest app vite "$good" css-crossorigin=none css-crossorigin=anonymous},
      qr{QuartPushManifest app: 'css-crossorigin=anonymous': css-crossorigin= is given twice}, 9 ],
    [ qq{QuartPushManifest app flat "$flat" scripts=esm},
      qr{QuartPushManifest app: 'scripts=esm': expected scripts=module or scripts=classic}, 9 ],
    [ qq{QuartPushManifest app vite "$good" scripts=module},
      qr{QuartPushManifest app: 'scripts=module' is for flat and entrypoints manifests: a vite manifest's scripts are module scripts}, 9 ],
    [ qq{QuartPushManifest app flat "$flat" scripts=module scripts=module},
      qr{QuartPushManifest app: 'scripts=module': scripts= is given twice}, 9 ],
    [ qq{QuartPushManifest app vite "$good"\nQuartPushManifest app vite "$good"},
      qr{QuartPushManifest: 'app' is declared twice in this server \(first at .*httpd\.conf:9\)}, 10 ],
    [ qq{QuartPushManifest app vite "$dir/big-50mb.json" REQUIRED},
      qr{QuartPushManifest app: the manifest '\Q$dir\E/big-50mb\.json' is 52428801 bytes, more than the 16 MB a manifest may have}, 9, $file_warning ],
    [ qq{<Location "/">\n    QuartPushResource \@nope:index.html\n</Location>},
      qr{QuartPushResource: \@nope:index\.html: no QuartPushManifest nope \(declare it in the server configuration, before its first use\)}, 10 ],
    [ qq{<Location "/">\n    QuartPushResource \@app:index.html\n</Location>\nQuartPushManifest app vite "$good" base=/build/},
      qr{QuartPushResource: \@app:index\.html: no QuartPushManifest app}, 10 ],
    [ qq{QuartPushManifest app vite "$good" base=/build/ REQUIRED\n<Location "/">\n    QuartPushResource \@app:nosuch.html\n</Location>},
      qr{QuartPushResource: \@app:nosuch\.html: no key 'nosuch\.html' in the manifest}, 11, key_warning('nosuch.html', 11) ],
    [ qq{QuartPushManifest app vite "$fx/bad/vite-cycle.json" REQUIRED\n<Location "/">\n    QuartPushResource \@app:index.html\n</Location>},
      qr{QuartPushResource: \@app:index\.html: .*imports form a cycle: .*'_a-Cq1Fz7Ab\.js'.*'_b-D0kQm2Xy\.js'.*'_a-Cq1Fz7Ab\.js'}, 11, key_warning('index.html', 11) ],
    [ qq{QuartPushManifest app vite "$fx/bad/vite-dotdot.json" REQUIRED\n<Location "/">\n    QuartPushResource \@app:index.html\n</Location>},
      qr{QuartPushResource: \@app:index\.html: .*'\.\.' segment}, 11, key_warning('index.html', 11) ],
    [ qq{QuartPushManifest app vite "$fx/bad/vite-other-origin.json" REQUIRED\n<Location "/">\n    QuartPushResource \@app:index.html\n</Location>},
      qr{QuartPushResource: \@app:index\.html: .*is a full URL: only files of this}, 11, key_warning('index.html', 11) ],
    [ qq{QuartPushManifest app vite "$dir/vite-10000-imports.json" REQUIRED\n<Location "/">\n    QuartPushResource \@app:index.html\n</Location>},
      qr{QuartPushResource: \@app:index\.html: 'index\.html' expands to more than 1000 files}, 11, key_warning('index.html', 11) ],
    [ qq{QuartPushManifest app vite "$good" base=/build/\n<Location "/">\n    QuartPushResource \@app:index.html preload\n</Location>},
      qr{QuartPushResource: 'preload': unknown parameter}, 11 ],
    [ qq{QuartPushManifest app vite "$good" base=/build/\n<Location "/">\n    QuartPushResource \@:index.html\n</Location>},
      qr{QuartPushResource: '\@:index\.html' is not a manifest entry \(expected \@NAME:KEY}, 11 ],
);

my @deploy = grep { $_->[3] } @bad;
plan tests => 3 * @bad + 2 * @deploy + 12;

for my $case (@bad) {
    my ($body, $want, $line) = @$case;
    (my $strict = $body) =~ s/ REQUIRED/ required/;
    my ($rc, $out) = httpd_config_test($dir, $strict);
    (my $name = $strict) =~ s/\n.*//s;
    $name =~ s/\Q$FindBin::Bin\E\/\.\.\///g;
    ok($rc != 0, "httpd -t fails: $name");
    like($out, $want, '... with the message') or diag $out;
    like($out, qr/Syntax error on line $line of /, "... naming line $line") or diag $out;
}

# without "required", what is wrong with the build is a warning: httpd
# starts, and the resources concerned announce nothing
for my $case (@deploy) {
    my ($body, undef, undef, $warning) = @$case;
    (my $lax = $body) =~ s/ REQUIRED//;
    my ($rc, $out) = httpd_config_test($dir, $lax);
    (my $name = $lax) =~ s/\n.*//s;
    $name =~ s/\Q$FindBin::Bin\E\/\.\.\///g;
    is($rc, 0, "without required, httpd -t passes: $name") or diag $out;
    like($out, $warning, '... with a warning naming the manifest, the key and the line') or diag $out;
}

# an unknown key names the entries the manifest has
my ($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" base=/build/\n}
    . qq{<Location "/">\n    QuartPushResource \@app:indx.html\n</Location>});
like($out, qr{QP00021: \@app:indx\.html .*no key 'indx\.html' in the manifest \(its entries: .*'index\.html'},
     'an unknown key: the warning lists the entries the manifest has') or diag $out;

# files=: a configuration mistake, as required is
($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" files=});
like($out, qr{QuartPushManifest app: 'files=': expected files=DIR .* or files=off}, 'files= without a value fails httpd -t') or diag $out;
($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" required required});
like($out, qr{QuartPushManifest app: required is given twice}, 'required twice fails httpd -t') or diag $out;

# routes are resolved once the configuration is read: the route's own
# file:line is named
($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" base=/build/\n}
    . qq{<QuartPushRoutes>\n    /blog/<slug> => \@nope:blog.html, /img/<slug>.webp\n</QuartPushRoutes>});
ok($rc != 0, 'httpd -t fails on a route that names an unknown manifest');
like($out, qr{QP00010: QuartPushRoutes: .*httpd\.conf:11: route '/blog/<slug>': \@nope:blog\.html: no QuartPushManifest nope},
     '... naming the route\'s file and line') or diag $out;

# a good configuration passes, and DUMP_QUARTPUSH shows what each @
# resource expands to
($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" base=/build/\n}
    . qq{<Location "/">\n    QuartPushResource \@app:index.html critical\n</Location>\n}
    . qq{<QuartPushRoutes>\n    /blog/<slug> => \@app:blog.html, /img/<slug>.webp\n</QuartPushRoutes>},
    define => 'DUMP_QUARTPUSH');
is($rc, 0, 'a configuration with a manifest passes httpd -t') or diag $out;
like($out, qr{manifest app \(vite, 6 entries\) .*manifest\.json  \[.*httpd\.conf:9\]},
     'DUMP_QUARTPUSH lists the manifest') or diag $out;
like($out, qr{\@app:index\.html  \[.*httpd\.conf:11\]\n\s+</build/assets/index-DaCWtDuE\.js>; rel=modulepreload; crossorigin},
     '... each @ resource, with the files it expands to now') or diag $out;
like($out, qr{/blog/<slug>  \[.*httpd\.conf:14\]\n\s+\@app:blog\.html\n\s+</img/<slug>\.webp>},
     '... and a route\'s @ resource beside its placeholder resource') or diag $out;

# the settings are shown, and the expansion follows them
($rc, $out) = httpd_config_test($dir, qq{QuartPushManifest app vite "$good" base=/build/ css-crossorigin=none\n}
    . qq{QuartPushManifest rails flat "$flat" base=/assets/ scripts=module files=off\n}
    . qq{<Location "/">\n    QuartPushResource \@app:index.html\n    QuartPushResource \@rails:application.js\n</Location>},
    define => 'DUMP_QUARTPUSH');
is($rc, 0, 'a configuration with css-crossorigin= and scripts= passes httpd -t') or diag $out;
like($out, qr{manifest app \(vite, css-crossorigin=none, 6 entries\) .*\n(?:.*\n)*?\s+</build/assets/index-DaCWtDuE\.js>; rel=modulepreload; crossorigin\n(?:\s+<[^\n]*\n)*?\s+</build/assets/index-DiOdy2cU\.css>; rel=preload; as=style\n},
     'DUMP_QUARTPUSH shows css-crossorigin=none and the stylesheets without crossorigin') or diag $out;
like($out, qr{manifest rails \(flat, scripts=module, \d+ entries\) .*\n\s+\@rails:application\.js  \[.*\]\n\s+</assets/application-[0-9a-f]+\.js>; rel=modulepreload; crossorigin\n},
     '... and scripts=module with the flat manifest\'s JavaScript as a modulepreload') or diag $out;
