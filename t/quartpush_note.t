# SPDX-License-Identifier: Apache-2.0
# The request note "quartpush" holds the space-separated URLs pushed for a
# response, so that LogFormat "%{quartpush}n" shows them.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestUtil;
use lib 't/lib';
use QuartPushTest;

plan tests => 3;

client_for('h2tls')->get('/push/index.html?note=1');
like quartpush_log_for('/push/index.html?note=1'),
     qr{ quartpush=/static/css/site.css /static/js/app.js /fonts/inter.woff2 },
     'the note lists the three pushed URLs in order';
client_for('h2tls')->get('/hints/index.html?note=2');
like quartpush_log_for('/hints/index.html?note=2'),
     qr{ quartpush=/static/css/site.css /img/logo.png /fonts/inter.woff2 },
     'a nopush resource is not in the note: it was not pushed';
client_for('h2tls', accept_push => 0)->get('/push/index.html?note=3');
like quartpush_log_for('/push/index.html?note=3'), qr{ quartpush=- },
     'nothing pushed, no note';
