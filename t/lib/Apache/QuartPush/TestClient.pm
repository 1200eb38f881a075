# SPDX-License-Identifier: Apache-2.0
package Apache::QuartPush::TestClient;

use strict;
use warnings;

use Carp qw(croak);
use IO::Select;
use IO::Socket::IP;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes ();

use Protocol::HTTP2::Connection;
use Protocol::HTTP2::HeaderCompression qw(headers_encode);
use Protocol::HTTP2::Constants qw(const_name :frame_types :flags :states
  :endpoints :errors :settings :limits);

our $VERSION = '0.01';

my %DEFAULTS = (
    host        => 'localhost',
    port        => undef,
    tls         => 1,
    protocol    => 'h2',
    accept_push => 1,
    timeout     => 10,
    authority   => undef,
    ca_file     => undef,
);

my %REQUEST_OPTS =
  map { $_ => 1 } qw(method path headers body accept_push reset_push goaway_after_push
    timeout);

sub new {
    my ( $class, %opt ) = @_;
    my @unknown = grep { !exists $DEFAULTS{$_} } sort keys %opt;
    croak "unknown option(s): @unknown" if @unknown;

    my $self = bless { %DEFAULTS, %opt }, $class;
    croak "port is required" unless $self->{port};
    croak "protocol must be 'h2' or 'http/1.1'"
      unless $self->{protocol} eq 'h2' || $self->{protocol} eq 'http/1.1';
    $self->{push_promises} = [];
    $self->{last_response} = undef;
    return $self;
}

sub host        { $_[0]{host} }
sub port        { $_[0]{port} }
sub tls         { $_[0]{tls} }
sub protocol    { $_[0]{protocol} }
sub accept_push { $_[0]{accept_push} }

# Deliberately the live list, like the push_promises attribute of Quart's
# test client, so it can be inspected after several requests.
sub push_promises { $_[0]{push_promises} }

sub last_response { $_[0]{last_response} }

sub clear {
    my $self = shift;
    $self->{push_promises} = [];
    $self->{last_response} = undef;
    return $self;
}

sub authority {
    my $self = shift;
    return $self->{authority} // "$self->{host}:$self->{port}";
}

sub get {
    my ( $self, $path, %opt ) = @_;
    return $self->request( %opt, method => 'GET', path => $path );
}

sub head {
    my ( $self, $path, %opt ) = @_;
    return $self->request( %opt, method => 'HEAD', path => $path );
}

sub request {
    my ( $self, %opt ) = @_;
    my @unknown = grep { !$REQUEST_OPTS{$_} } sort keys %opt;
    croak "unknown request option(s): @unknown" if @unknown;
    croak "path is required" unless defined $opt{path};

    my $headers = $opt{headers} // [];
    croak "headers must be an array reference of name => value pairs"
      if ref $headers ne 'ARRAY' || @$headers % 2;

    # A server closing early must surface as an error message, not kill
    # the test process on the next write.
    local $SIG{PIPE} = 'IGNORE';

    my %req = (
        method      => uc( $opt{method} // 'GET' ),
        path        => $opt{path},
        headers     => [@$headers],
        body        => $opt{body},
        accept_push => $opt{accept_push} // $self->{accept_push},
        reset_push  => $opt{reset_push} // 0,
        goaway_after_push => $opt{goaway_after_push} // 0,
        timeout     => $opt{timeout} // $self->{timeout},
    );

    my $res =
      $self->{protocol} eq 'h2'
      ? $self->_request_h2( \%req )
      : $self->_request_http1( \%req );

    push @{ $self->{push_promises} }, @{ $res->{push_promises} };
    $self->{last_response} = $res;
    return $res;
}

# ---------------------------------------------------------------------------
# Transport

sub _describe {
    my ( $self, $req ) = @_;
    return sprintf '%s %s on %s://%s:%s (%s)', $req->{method}, $req->{path},
      ( $self->{tls} ? 'https' : 'http' ), $self->{host}, $self->{port},
      $self->{protocol};
}

sub _connect {
    my ( $self, $req, $deadline ) = @_;
    my $alpn = $self->{protocol};
    my $left = sub {
        my $t = $deadline - Time::HiRes::time();
        return $t > 0.001 ? $t : 0.001;
    };

    # TCP first and TLS on top, so a refused connection and a failed
    # handshake produce distinct, readable errors.
    my $sock = IO::Socket::IP->new(
        PeerHost => $self->{host},
        PeerPort => $self->{port},
        Proto    => 'tcp',
        Timeout  => $left->(),
      )
      or die sprintf "%s: connect failed: %s\n", $self->_describe($req),
      ( $@ || $! || 'unknown error' );

    # Small frames (PUSH_PROMISE, 103) must not be held back by Nagle on our
    # side either, or the measured request start would be skewed.
    setsockopt( $sock, IPPROTO_TCP, TCP_NODELAY, 1 );

    if ( $self->{tls} ) {
        require IO::Socket::SSL;
        my $is_ip = $self->{host} =~ /^[\d.]+$/ || $self->{host} =~ /:/;
        my %ssl = (
            SSL_alpn_protocols => [$alpn],
            Timeout            => $left->(),
            ( $is_ip ? () : ( SSL_hostname => $self->{host} ) ),
        );
        if ( defined $self->{ca_file} ) {
            %ssl = (
                %ssl,
                SSL_verify_mode     => IO::Socket::SSL::SSL_VERIFY_PEER(),
                SSL_ca_file         => $self->{ca_file},
                SSL_verifycn_scheme => 'http',
                SSL_verifycn_name   => $self->{host},
            );
        }
        else {
            # Test servers use throwaway self-signed certificates.
            $ssl{SSL_verify_mode} = IO::Socket::SSL::SSL_VERIFY_NONE();
        }
        if ( !IO::Socket::SSL->start_SSL( $sock, %ssl ) ) {
            my $why =
              Time::HiRes::time() >= $deadline - 0.01
              ? "timeout after $req->{timeout}s"
              : ( $IO::Socket::SSL::SSL_ERROR || $! || 'unknown error' );
            close $sock;
            die sprintf "%s: TLS handshake failed: %s\n",
              $self->_describe($req), $why;
        }

        my $got = $sock->alpn_selected;
        if ( $alpn eq 'h2' && ( !defined $got || $got ne 'h2' ) ) {
            close $sock;
            die sprintf "%s: server did not select ALPN h2 (got %s)\n",
              $self->_describe($req), $got // 'nothing';
        }
    }

    $sock->blocking(0);
    return $sock;
}

# Both EAGAIN and the TLS want-read/want-write conditions mean "try later";
# IO::Socket::SSL maps the latter onto EWOULDBLOCK but we check both so that a
# changed mapping cannot turn into a spurious hard error.
sub _would_block {
    my ($sock) = @_;
    return 1 if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
    if ( $sock->isa('IO::Socket::SSL') ) {
        my $err = $IO::Socket::SSL::SSL_ERROR;
        return 1
          if defined $err
          && ( $err == IO::Socket::SSL::SSL_WANT_READ()
            || $err == IO::Socket::SSL::SSL_WANT_WRITE() );
    }
    return 0;
}

# Runs the select loop until $st->{is_done}->() is true.  Every chunk read is
# handed to $st->{on_read} together with the time it was read, which is the
# finest timing resolution available to a client.  Dies on timeout, EOF
# before completion and I/O errors; never blocks past the deadline.
sub _io_loop {
    my ( $self, $st ) = @_;
    my $sock = $st->{sock};
    my $sel  = IO::Select->new($sock);
    my $eof  = 0;
    my $io_error;

    while (1) {
        $st->{fill_output}->() if $st->{fill_output};
        last if $st->{is_done}->();

        if ($eof) {
            die sprintf "%s: connection %s before the response was "
              . "complete (%s)\n",
              $self->_describe( $st->{req} ),
              ( $io_error ? "lost ($io_error)" : 'closed by server' ),
              $st->{state_desc}->();
        }

        my $left = $st->{deadline} - Time::HiRes::time();
        if ( $left <= 0 ) {
            die sprintf "%s: timeout after %ss (%s)\n",
              $self->_describe( $st->{req} ), $st->{req}{timeout},
              $st->{state_desc}->();
        }

        my $want_write = length ${ $st->{wbuf} } ? $sel : undef;
        my ( $r, $w ) = IO::Select->select( $sel, $want_write, undef, $left );

        if ( $w && @$w ) {
            my $n = syswrite( $sock, ${ $st->{wbuf} } );
            if ( defined $n ) {
                substr( ${ $st->{wbuf} }, 0, $n ) = '';
            }
            elsif ( !_would_block($sock) ) {

                # The server may answer and close before taking the whole
                # request (e.g. an early 413); keep reading what it sent.
                $io_error //= "write failed: $!";
                ${ $st->{wbuf} } = '';
            }
        }

        if ( $r && @$r ) {

            # Drain until the kernel (and the TLS layer, which may hold
            # already decrypted bytes select() cannot see) has nothing left.
            while (1) {
                my $n = sysread( $sock, my $buf, 65536 );
                if ( defined $n && $n > 0 ) {
                    $st->{on_read}->( $buf, Time::HiRes::time() );
                    next;
                }
                if ( defined $n ) {
                    $eof = 1;
                    $st->{on_eof}->() if $st->{on_eof};
                }
                elsif ( !_would_block($sock) ) {

                    # A reset after the server has said everything is as
                    # good as EOF; let is_done decide.
                    $eof = 1;
                    $io_error //= "$!";
                }
                last;
            }
        }
    }
    return;
}

# Best effort: a final GOAWAY is polite, but the result is already complete.
sub _flush_and_close {
    my ( $sock, $wbuf, $deadline ) = @_;
    my $sel = IO::Select->new($sock);
    while ( length $$wbuf ) {
        my $left = $deadline - Time::HiRes::time();
        last if $left <= 0;
        my ( undef, $w ) = IO::Select->select( undef, $sel, undef, $left );
        last unless $w && @$w;
        my $n = syswrite( $sock, $$wbuf );
        if ( defined $n ) { substr( $$wbuf, 0, $n ) = '' }
        elsif ( !_would_block($sock) ) { last }
    }
    if ( $sock->isa('IO::Socket::SSL') ) {
        $sock->close( SSL_fast_shutdown => 1 );
    }
    else {
        close $sock;
    }
    return;
}

# ---------------------------------------------------------------------------
# Header helpers

sub _fold_headers {
    my ($list) = @_;
    my %h;
    for my $pair (@$list) {
        my ( $n, $v ) = ( lc $pair->[0], $pair->[1] );

        # RFC 7540 8.1.2.5: split cookie fields are rejoined with "; ".
        my $sep = $n eq 'cookie' ? '; ' : ', ';
        $h{$n} = exists $h{$n} ? "$h{$n}$sep$v" : $v;
    }
    return \%h;
}

# Protocol::HTTP2 hands out header blocks as a flat name, value list.
sub _split_block {
    my ($flat) = @_;
    my ( %pseudo, @list );
    for ( my $i = 0 ; $i < @$flat ; $i += 2 ) {
        my ( $n, $v ) = @{$flat}[ $i, $i + 1 ];
        if   ( $n =~ /^:/ ) { $pseudo{$n} = $v }
        else                { push @list, [ $n, $v ] }
    }
    return ( \%pseudo, \@list, _fold_headers( \@list ) );
}

# Files one decoded header block of a response: interim (1xx), final, or
# trailers once the final headers are in. True when it was the final one.
sub _record_header_block {
    my ( $res, $flat, $now ) = @_;
    my ( $pseudo, $list, $hash ) = _split_block($flat);
    my $status = $pseudo->{':status'};
    if ( defined $res->{status} ) {
        $res->{trailers} = $hash;
        return 0;
    }
    if ( defined $status && $status =~ /^1\d\d$/ ) {
        push @{ $res->{interim} },
          {
            status      => $status + 0,
            headers     => $hash,
            header_list => $list,
            time        => $now,
          };
        return 0;
    }
    $res->{status}      = defined $status ? $status + 0 : undef;
    $res->{headers}     = $hash;
    $res->{header_list} = $list;
    $res->{headers_at}  = $now;
    return 1;
}

sub _new_response {
    my ( $self, $req, $protocol ) = @_;
    return bless {
        protocol      => $protocol,
        method        => $req->{method},
        path          => $req->{path},
        status        => undef,
        headers       => {},
        header_list   => [],
        body          => '',
        interim       => [],
        trailers      => undef,
        push_promises => [],
        pushes        => [],
        headers_at    => undef,
        done_at       => undef,
        reset         => undef,
        goaway        => undef,
        frames        => [],
    }, 'Apache::QuartPush::TestClient::Response';
}

# ---------------------------------------------------------------------------
# HTTP/2

sub _request_h2 {
    my ( $self, $req ) = @_;
    my $started  = Time::HiRes::time();
    my $deadline = $started + $req->{timeout};
    my $res      = $self->_new_response( $req, 'h2' );
    my $sock     = $self->_connect( $req, $deadline );

    my $t0;    # set when the request bytes are handed to the socket
    my $now;   # arrival time of the chunk currently being decoded
    my $rel = sub { $now - $t0 };

    my %settings = ( &SETTINGS_ENABLE_PUSH => $req->{accept_push} ? 1 : 0 );

    # Protocol::HTTP2::Client is not used: it answers unwanted pushes only
    # with REFUSED_STREAM, closes the connection behind our back when its
    # stream counter hits zero and exposes no arrival times.  The Connection
    # object underneath gives the same codec with full control.
    my $con;

    my %pending;    # promised stream id => push record still in flight
    my $main_closed = 0;
    my ( $goaway_sent, $got_eof ) = ( 0, 0 );

    # Streams whose final response HEADERS were just decoded; see
    # _allow_trailers for why this waits until the frame is fully processed.
    my @after_frame;

    my $on_new_peer_stream = sub {
        my $psid = shift;

        # Fires once the PUSH_PROMISE header block is complete (RESERVED),
        # i.e. after any CONTINUATION frames.
        $con->stream_cb(
            $psid, RESERVED,
            sub {
                my ( $pseudo, $list, $hash ) =
                  _split_block( $con->stream_pp_headers($psid) || [] );
                my $push = {
                    stream_id    => $psid,
                    path         => $pseudo->{':path'},
                    authority    => $pseudo->{':authority'},
                    scheme       => $pseudo->{':scheme'},
                    method       => $pseudo->{':method'},
                    headers      => $hash,
                    header_list  => $list,
                    promised_at  => $rel->(),
                    response     => undef,
                    completed_at => undef,
                    reset        => undef,
                    cancelled    => 0,
                };
                push @{ $res->{pushes} }, $push;
                push @{ $res->{push_promises} }, [ $push->{path}, {%$hash} ];

                # A client that leaves in the middle of a push: GOAWAY
                # right after the first PUSH_PROMISE. The server may still
                # finish the streams it started, or close the connection.
                if ( $req->{goaway_after_push} && !$goaway_sent ) {
                    $goaway_sent = 1;
                    $res->{goaway_sent_at} = $rel->();
                    $con->finish;
                }

                if ( $req->{reset_push} ) {
                    $push->{cancelled} = 1;
                    $push->{reset}     = CANCEL;
                    $con->stream_error( $psid, CANCEL );
                    return;
                }

                $pending{$psid} = $push;
                my $pres = {
                    status      => undef,
                    headers     => {},
                    header_list => [],
                    body        => '',
                    headers_at  => undef,
                    interim     => [],
                    trailers    => undef,
                };
                $con->stream_frame_cb(
                    $psid, HEADERS,
                    sub {
                        push @after_frame, $psid
                          if _record_header_block( $pres, shift, $rel->() );
                    }
                );
                $con->stream_cb(
                    $psid, CLOSED,
                    sub {
                        delete $pending{$psid};
                        $push->{completed_at} = $rel->();
                        my $code = $con->stream_reset($psid);
                        if ( defined $code ) {
                            $push->{reset} = $code;
                            return;
                        }
                        $pres->{status} += 0 if defined $pres->{status};
                        $pres->{body}     = $con->stream_data($psid) // '';
                        $push->{response} = $pres;
                    }
                );
            }
        );
    };

    $con = Protocol::HTTP2::Connection->new(
        CLIENT,
        settings           => \%settings,
        on_new_peer_stream => $on_new_peer_stream,
    );
    $con->enqueue_raw( $con->preface_encode );
    $con->enqueue( SETTINGS, 0, 0, \%settings );
    $con->preface(1);

    my $sid = $con->new_stream;

    # CONNECT carries only :method and :authority (RFC 9113 8.5); its
    # authority is the path argument
    my @hdr =
      $req->{method} eq 'CONNECT'
      ? ( ':method' => 'CONNECT', ':authority' => $req->{path} )
      : (
        ':method'    => $req->{method},
        ':scheme'    => $self->{tls} ? 'https' : 'http',
        ':authority' => $self->authority,
        ':path'      => $req->{path},
      );
    my @user = @{ $req->{headers} };
    my %given;
    while ( my ( $n, $v ) = splice @user, 0, 2 ) {
        $given{ lc $n } = 1;
        push @hdr, lc($n), $v;
    }

    # Like browsers and curl: without it mod_cgid hands the CGI no
    # CONTENT_LENGTH and the stream never finishes.
    push @hdr, 'content-length' => length $req->{body}
      if defined $req->{body} && !$given{'content-length'};
    _send_headers( $con, $sid, \@hdr, defined $req->{body} ? 0 : 1 );
    $con->send_data( $sid, $req->{body}, 1 ) if defined $req->{body};

    # The library runs stream_frame_cb(HEADERS) for every complete header
    # block (Stream.pm stream_headers_done), so each 103 is seen before the
    # final HEADERS overwrites the stream's stored headers.  A 1xx block
    # without END_STREAM leaves the half-closed stream where it is and
    # validation only demands :status, so interim responses pass cleanly.
    # The same callback also fires for PUSH_PROMISE header blocks, because
    # those are decoded on the associated (our) stream; promised_sid tells
    # them apart and they are handled in the RESERVED callback above.
    $con->stream_frame_cb(
        $sid, HEADERS,
        sub {
            my $flat = shift;
            return if $con->stream_promised_sid($sid);
            push @after_frame, $sid
              if _record_header_block( $res, $flat, $rel->() );
        }
    );
    $con->stream_cb(
        $sid, CLOSED,
        sub {
            $main_closed = 1;
            $res->{done_at} = $rel->();
            $res->{reset}   = $con->stream_reset($sid);
            $res->{body}    = $con->stream_data($sid) // '';
        }
    );

    my $wbuf  = '';
    my $inbuf = '';
    my $fill  = sub {
        while ( my $frame = $con->dequeue ) {
            $wbuf .= $frame;
        }
        $t0 //= Time::HiRes::time();
    };

    my $protocol_error = sub {
        die sprintf "%s: HTTP/2 connection error %s\n",
          $self->_describe($req), shift;
    };

    my $on_read = sub {
        ( my $chunk, $now ) = @_;
        $inbuf .= $chunk;
        my $off = 0;

        # Frames are decoded one at a time here instead of via feed() so
        # that each can be logged with its arrival time, header blocks split
        # by CONTINUATION can be joined first (see _join_header_block), and
        # a frame rejected by stream-level validation (the library queues
        # RST_STREAM but returns undef without consuming it) is skipped
        # instead of being decoded again on the next read.
        while ( length($inbuf) - $off >= 9 ) {
            my ( $len, $type, $flags, $fsid ) =
              $con->frame_header_decode( \$inbuf, $off );

            # Checked before waiting for the payload: a server answering the
            # preface in HTTP/1.1 looks like a multi-megabyte frame.
            if ( $len > $con->dec_setting(SETTINGS_MAX_FRAME_SIZE) ) {
                $protocol_error->(
                    substr( $inbuf, $off, 5 ) eq 'HTTP/'
                    ? 'server answered in HTTP/1.x (no h2/h2c on this port?)'
                    : "FRAME_SIZE_ERROR (frame of $len bytes)"
                );
            }
            last if length($inbuf) - $off - 9 < $len;

            my ( $frame_ref, $frame_off, $consumed, @logs ) =
              ( \$inbuf, $off, 9 + $len );
            if (   ( $type == HEADERS || $type == PUSH_PROMISE )
                && !( $flags & END_HEADERS ) )
            {
                my ( $joined, $used, $err ) =
                  _join_header_block( \$inbuf, $off,
                    $con->dec_setting(SETTINGS_MAX_FRAME_SIZE) );
                $protocol_error->($err) if $err;
                last unless defined $joined;    # wait for more CONTINUATIONs
                ( $frame_ref, $frame_off, $consumed ) = ( \$joined, 0, $used );
            }
            for ( my $p = $off ; $p < $off + $consumed ; ) {
                my $log = _frame_log( \$inbuf, $p, $now - $t0 );
                push @logs, $log;
                $res->{goaway} = $log->{goaway} if $log->{goaway};
                $p += 9 + $log->{length};
            }
            push @{ $res->{frames} }, @logs;

            my $n = do {

                # A joined block may exceed SETTINGS_MAX_FRAME_SIZE, which
                # frame_decode would reject; the limit was already enforced
                # on the real frames above.
                my $settings = $con->decode_context->{settings};
                my $key      = SETTINGS_MAX_FRAME_SIZE;
                local $settings->{$key} =
                  $frame_ref == \$inbuf ? $settings->{$key} : MAX_PAYLOAD_SIZE;
                $con->frame_decode( $frame_ref, $frame_off );
            };
            if ( my $err = $con->error ) {
                $protocol_error->(
                    sprintf '%s in %s frame on stream %d',
                    const_name( 'errors', $err ) || $err,
                    $logs[0]{type}, $fsid
                );
            }
            _allow_trailers( $con, $_ ) for splice @after_frame;
            if ( !$n ) {

                # Stream-level rejection: the library leaves the decoded
                # fields of the bad block behind, which would otherwise be
                # prepended to the next header block.
                $con->decode_context->{emitted_headers} = [];
                $logs[0]{rejected} = 1;
            }
            $off += $consumed;
        }
        substr( $inbuf, 0, $off ) = '' if $off;
    };

    my $ok = eval {
        $self->_io_loop(
            {
                sock        => $sock,
                req         => $req,
                deadline    => $deadline,
                wbuf        => \$wbuf,
                fill_output => $fill,
                on_read     => $on_read,
                on_eof      => sub { $got_eof = 1 },
                is_done     => sub {
                    ( $main_closed && !%pending )
                      || ( $goaway_sent && $got_eof );
                },
                state_desc  => sub {
                    my @parts;
                    push @parts,
                      $main_closed ? 'main stream closed'
                      : defined $res->{status}
                      ? "main stream open after status $res->{status}"
                      : 'no final response yet';
                    push @parts,
                      sprintf '%d pushed stream(s) pending: %s',
                      scalar( keys %pending ),
                      join ', ', map { $pending{$_}{path} // "#$_" }
                      sort { $a <=> $b } keys %pending
                      if %pending;
                    push @parts, "GOAWAY $res->{goaway}{error_name}"
                      if $res->{goaway};
                    return join '; ', @parts;
                },
            }
        );
        1;
    };
    my $err = $@;

    $con->finish unless $con->shutdown;
    $fill->();
    _flush_and_close( $sock, \$wbuf,
        Time::HiRes::time() + ( $ok ? 1 : 0.1 ) );

    # The stream callbacks close over $con, which holds them: break the
    # cycle so a long test file does not keep every connection alive.
    %$con = ();

    # A client that resets pushes or leaves may see the connection end
    # before the response is complete: what arrived is returned, for the
    # caller to judge (when the client acted, what it saw is still sane).
    if ( !$ok
        && ( $req->{reset_push} || $req->{goaway_after_push} )
        && $err =~ /connection (?:closed by server|lost)/ )
    {
        ( $res->{ended_early} = $err ) =~ s/\n\z//;
        $ok = 1;
    }
    die $err unless $ok;

    return $res;
}

# Protocol::HTTP2 cannot receive header blocks that span CONTINUATION
# frames: Continuation.pm overwrites the stored fragment instead of
# appending, a PUSH_PROMISE marks the promised stream as the one awaiting
# CONTINUATION (so the real CONTINUATION on the associated stream is a
# PROTOCOL_ERROR), and a HEADERS block without END_STREAM on a half-closed
# stream never enters the pending state at all.  So the client joins the
# block itself: HEADERS/PUSH_PROMISE plus its CONTINUATIONs become one
# synthetic, unpadded frame with END_HEADERS.  Returns the frame and the
# number of wire bytes it replaces, () while incomplete, or an error text.
sub _join_header_block {
    my ( $buf_ref, $off, $max_frame ) = @_;
    my ( $hl, $ll, $type, $flags, $sid ) =
      unpack( 'CnC2N', substr( $$buf_ref, $off, 9 ) );
    my $len = ( $hl << 16 ) + $ll;
    $sid &= 0x7FFF_FFFF;

    my $payload = substr( $$buf_ref, $off + 9, $len );
    if ( $flags & PADDED ) {
        my $pad = $len ? unpack( 'C', $payload ) : 0;
        return ( undef, 0, 'padding exceeds frame length' )
          if !$len || $pad > $len - 1;
        $payload = substr( $payload, 1, $len - 1 - $pad );
        $flags &= ~PADDED;
    }

    my $p = $off + 9 + $len;
    while (1) {
        return () if length($$buf_ref) - $p < 9;
        my ( $chl, $cll, $ctype, $cflags, $csid ) =
          unpack( 'CnC2N', substr( $$buf_ref, $p, 9 ) );
        my $clen = ( $chl << 16 ) + $cll;
        $csid &= 0x7FFF_FFFF;
        return ( undef, 0,
            "expected CONTINUATION on stream $sid, got frame type $ctype "
              . "on stream $csid" )
          if $ctype != CONTINUATION || $csid != $sid;
        return ( undef, 0, "FRAME_SIZE_ERROR (CONTINUATION of $clen bytes)" )
          if $clen > $max_frame;
        return () if length($$buf_ref) - $p - 9 < $clen;
        $payload .= substr( $$buf_ref, $p + 9, $clen );
        $p += 9 + $clen;
        last if $cflags & END_HEADERS;
    }

    my $l = length $payload;
    return ( undef, 0, 'joined header block too large' )
      if $l > MAX_PAYLOAD_SIZE;
    my $frame = pack( 'CnC2N', $l >> 16, $l & 0xFFFF, $type,
        $flags | END_HEADERS, $sid ) . $payload;
    return ( $frame, $p - $off );
}

# Protocol::HTTP2 only accepts a header block after the response as
# trailers if the response declared every field in a Trailer header;
# otherwise it validates the block as a second response, finds no :status
# and resets the stream.  Trailers need no declaration (RFC 9110 6.5), so
# once the final response is in, every field name is allowed.  This must
# happen only after the library's state machine has seen the HEADERS frame:
# with a trailer set it demands END_STREAM from a HEADERS frame on an open
# stream, which a response arriving while the request body is still being
# sent does not carry.
sub _allow_trailers {
    my ( $con, $sid ) = @_;
    tie my %any, 'Apache::QuartPush::TestClient::AnyName';
    $con->stream_trailer( $sid, \%any );
    return;
}

sub _frame_log {
    my ( $buf_ref, $off, $time ) = @_;
    my ( $hl, $ll, $type, $flags, $sid ) =
      unpack( 'CnC2N', substr( $$buf_ref, $off, 9 ) );
    my $len = ( $hl << 16 ) + $ll;
    my %log = (
        time   => $time,
        type => const_name( 'frame_types', $type ) || sprintf( '0x%x', $type ),
        flags  => $flags,
        stream => $sid & 0x7FFF_FFFF,
        length => $len,
    );
    my $payload = $off + 9;
    if ( $type == PUSH_PROMISE && $len >= 4 ) {
        my $skip = ( $flags & PADDED ) ? 1 : 0;
        $log{promised} =
          0x7FFF_FFFF & unpack( 'N', substr( $$buf_ref, $payload + $skip, 4 ) );
    }
    elsif ( $type == RST_STREAM && $len == 4 ) {
        $log{error} = unpack( 'N', substr( $$buf_ref, $payload, 4 ) );
    }
    elsif ( $type == GOAWAY && $len >= 8 ) {
        my ( $last, $code ) = unpack( 'N2', substr( $$buf_ref, $payload, 8 ) );
        $log{goaway} = {
            last_stream_id => $last & 0x7FFF_FFFF,
            error          => $code,
            error_name     => const_name( 'errors', $code ),
            debug          => substr( $$buf_ref, $payload + 8, $len - 8 ),
            time           => $time,
        };
    }
    return \%log;
}

# Protocol::HTTP2's own send_headers sets END_HEADERS on the wrong
# CONTINUATION frame (on all but the last), so a request whose header block
# exceeds one frame would leave the server waiting; this splits it right.
sub _send_headers {
    my ( $con, $sid, $headers, $end_stream ) = @_;
    my $max   = $con->enc_setting(SETTINGS_MAX_FRAME_SIZE);
    my $block = headers_encode( $con->encode_context, $headers );
    my $first = substr( $block, 0, $max, '' );
    $con->enqueue( HEADERS,
        ( $end_stream ? END_STREAM : 0 ) | ( length $block ? 0 : END_HEADERS ),
        $sid, { hblock => \$first } );
    while ( length $block ) {
        my $chunk = substr( $block, 0, $max, '' );
        $con->enqueue( CONTINUATION, length $block ? 0 : END_HEADERS,
            $sid, \$chunk );
    }
    return;
}

# ---------------------------------------------------------------------------
# HTTP/1.1

sub _request_http1 {
    my ( $self, $req ) = @_;
    my $started  = Time::HiRes::time();
    my $deadline = $started + $req->{timeout};
    my $res      = $self->_new_response( $req, 'http/1.1' );
    my $sock     = $self->_connect( $req, $deadline );

    my ( @lines, %given );
    my @user = @{ $req->{headers} };
    while ( my ( $n, $v ) = splice @user, 0, 2 ) {
        $given{ lc $n } = 1;
        push @lines, "$n: $v";
    }
    unshift @lines, 'Host: ' . $self->authority unless $given{host};

    # One request per connection keeps both protocols comparable and lets
    # EOF delimit bodies that have neither length nor chunking.
    push @lines, 'Connection: close' unless $given{connection};
    push @lines, 'Content-Length: ' . length( $req->{body} )
      if defined $req->{body} && !$given{'content-length'};

    my $wbuf = join( "\r\n", "$req->{method} $req->{path} HTTP/1.1", @lines )
      . "\r\n\r\n"
      . ( $req->{body} // '' );

    my $t0 = Time::HiRes::time();
    my $in = '';
    # head -> body_length | body_chunked (-> chunk_trailer) | body_eof -> done
    my $state = 'head';
    my ( $remaining, $got_eof );
    my $no_body = $req->{method} eq 'HEAD';

    my $parse = sub {
        my $now = shift;
        while (1) {
            if ( $state eq 'head' ) {
                $in =~ /\r?\n\r?\n/ or return;
                my $head = substr( $in, 0, $+[0], '' );
                my @hl = split /\r?\n/, $head;
                my $status_line = shift @hl;
                $status_line =~ m{^HTTP/(\d+\.\d+)\s+(\d{3})(?:\s+(.*))?$}
                  or die sprintf "%s: malformed status line: %s\n",
                  $self->_describe($req), $status_line;
                my ( $version, $status, $reason ) = ( $1, $2 + 0, $3 // '' );

                my @list;
                for my $l (@hl) {
                    if ( $l =~ /^[ \t]+(.*)$/ && @list ) {
                        $list[-1][1] .= " $1";    # obsolete line folding
                    }
                    elsif ( $l =~ /^([^:\s]+):[ \t]*(.*?)[ \t]*$/ ) {
                        push @list, [ lc $1, $2 ];
                    }
                }
                my $hash = _fold_headers( \@list );

                if ( $status >= 100 && $status < 200 && $status != 101 ) {
                    push @{ $res->{interim} },
                      {
                        status      => $status,
                        reason      => $reason,
                        headers     => $hash,
                        header_list => \@list,
                        time        => $now - $t0,
                      };
                    next;
                }

                @{$res}{qw(status reason http_version headers header_list)} =
                  ( $status, $reason, $version, $hash, \@list );
                $res->{headers_at} = $now - $t0;

                if (   $no_body
                    || $status == 204
                    || $status == 304
                    || $status == 101 )
                {
                    $state = 'done';
                }
                elsif ( ( $hash->{'transfer-encoding'} // '' ) =~ /chunked/i ) {
                    $state = 'body_chunked';
                }
                elsif ( defined $hash->{'content-length'} ) {
                    $remaining = $hash->{'content-length'} + 0;
                    $state     = 'body_length';
                }
                else {
                    $state = 'body_eof';
                }
            }
            elsif ( $state eq 'body_length' ) {
                my $take = length $in < $remaining ? length $in : $remaining;
                $res->{body} .= substr( $in, 0, $take, '' );
                $remaining -= $take;
                if ( $remaining == 0 ) { $state = 'done'; next }
                return;
            }
            elsif ( $state eq 'body_chunked' ) {
                if ( defined $remaining && $remaining > 0 ) {
                    my $take =
                      length $in < $remaining ? length $in : $remaining;
                    $res->{body} .= substr( $in, 0, $take, '' );
                    $remaining -= $take;
                    return if $remaining;
                }
                if ( defined $remaining ) {

                    # CRLF after chunk data
                    return if length $in < 2;
                    $in =~ s/^\r?\n// or die sprintf
                      "%s: malformed chunked body\n", $self->_describe($req);
                    undef $remaining;
                }
                $in =~ /^([0-9a-fA-F]+)[^\r\n]*\r?\n/ or do {
                    die sprintf "%s: malformed chunk size line\n",
                      $self->_describe($req)
                      if $in =~ /\n/;
                    return;
                };
                my $size = hex $1;
                substr( $in, 0, $+[0] ) = '';
                if ( $size == 0 ) {
                    $state = 'chunk_trailer';
                    next;
                }
                $remaining = $size;
            }
            elsif ( $state eq 'chunk_trailer' ) {
                if ( $in =~ /^\r?\n/ ) {
                    substr( $in, 0, $+[0] ) = '';
                    $state = 'done';
                    next;
                }
                $in =~ /\r?\n\r?\n/ or return;
                my $block = substr( $in, 0, $+[0], '' );
                my @list =
                  map { /^([^:\s]+):[ \t]*(.*?)[ \t]*$/ ? [ lc $1, $2 ] : () }
                  split /\r?\n/, $block;
                $res->{trailers} = _fold_headers( \@list );
                $state = 'done';
            }
            elsif ( $state eq 'body_eof' ) {
                $res->{body} .= $in;
                $in = '';
                return unless $got_eof;
                $state = 'done';
            }
            else {    # done
                $res->{done_at} //= $now - $t0;
                return;
            }
        }
    };

    my $ok = eval {
        $self->_io_loop(
            {
                sock    => $sock,
                req     => $req,
                deadline => $deadline,
                wbuf    => \$wbuf,
                on_read => sub { $in .= $_[0]; $parse->( $_[1] ) },
                on_eof  => sub {
                    $got_eof = 1;
                    $parse->( Time::HiRes::time() );
                },
                is_done    => sub { $state eq 'done' },
                state_desc => sub {
                    return "parser state $state"
                      . ( defined $res->{status}
                        ? ", status $res->{status}"
                        : '' );
                },
            }
        );
        1;
    };
    my $err = $@;
    _flush_and_close( $sock, \( my $empty = '' ), Time::HiRes::time() );
    die $err unless $ok;

    $res->{done_at} //= Time::HiRes::time() - $t0;
    return $res;
}

# ---------------------------------------------------------------------------

package Apache::QuartPush::TestClient::AnyName;

# A hash in which every key exists; see _allow_trailers.
sub TIEHASH  { bless {}, shift }
sub EXISTS   { 1 }
sub FETCH    { 1 }
sub FIRSTKEY { undef }
sub NEXTKEY  { undef }

package Apache::QuartPush::TestClient::Response;

use strict;
use warnings;

for my $field (
    qw(protocol method path status reason http_version headers header_list
    body interim trailers push_promises pushes headers_at done_at reset
    goaway frames)
  )
{
    no strict 'refs';
    *{$field} = sub { $_[0]{$field} };
}

sub header {
    my ( $self, $name ) = @_;
    return $self->{headers}{ lc $name };
}

sub push_paths {
    my $self = shift;
    return map { $_->[0] } @{ $self->{push_promises} };
}

sub push_for {
    my ( $self, $path ) = @_;
    my ($push) = grep { defined $_->{path} && $_->{path} eq $path }
      @{ $self->{pushes} };
    return $push;
}

sub early_hints {
    my $self = shift;
    return grep { $_->{status} == 103 } @{ $self->{interim} };
}

1;

__END__

=encoding utf-8

=head1 NAME

Apache::QuartPush::TestClient - HTTP/2 test client that records server push and Early Hints

=head1 SYNOPSIS

    use Test::More;
    use Apache::QuartPush::TestClient;

    my $client = Apache::QuartPush::TestClient->new(
        host => 'localhost',
        port => 8529,
        tls  => 1,
    );

    my $res = $client->get(
        '/page',
        headers => [
            'accept'     => 'text/html',
            'user-agent' => 'quartpush-test',
        ],
    );

    is $res->{status}, 200, 'page served';
    is_deeply [ map { $_->[0] } @{ $res->{push_promises} } ],
      [ '/a.css', '/b.js' ], 'both resources promised';
    is $res->{push_promises}[0][1]{'user-agent'}, 'quartpush-test',
      'promised request carries the user agent';

    my ($hint) = grep { $_->{status} == 103 } @{ $res->{interim} };
    like $hint->{headers}{link}, qr{</a\.css>}, '103 announces a.css';

    for my $push ( @{ $res->{pushes} } ) {
        is $push->{response}{status}, 200, "$push->{path} pushed";
        cmp_ok $res->{headers_at} - $push->{promised_at}, '>', 0.25,
          "$push->{path} promised well before the response";
    }

    # Everything promised over the client's lifetime, like Quart's
    # test_client.push_promises.
    my @all = @{ $client->push_promises };
    $client->clear;

    done_testing;

=head1 DESCRIPTION

A small synchronous client for Apache::Test suites of mod_quartpush.  It
speaks HTTP/2 over TLS (ALPN C<h2>), HTTP/2 over cleartext with prior
knowledge (h2c), or plain HTTP/1.1 over TLS or TCP, and returns everything
a push test needs: the promised requests, the pushed responses, C<1xx>
interim responses such as C<103 Early Hints>, the final response, and the
arrival time of each of those.

The HTTP/2 codec is L<Protocol::HTTP2::Connection>; sockets are driven with
L<IO::Select> in non-blocking mode so a request can never outlive its
timeout.

Every request opens a B<new connection> and closes it afterwards, because
mod_http2 keeps a per-connection push diary and would not push the same URL
twice on one connection.  A request returns once the main stream and every
accepted pushed stream are closed; it dies with a descriptive message on
timeout, on a connection-level HTTP/2 error, or when the server closes the
connection early.

=head1 CONSTRUCTOR

=head2 new(%options)

=over

=item host

Server name or address, default C<localhost>.

=item port

Required.

=item tls

C<1> (default): TLS, offering ALPN C<h2> (or C<http/1.1> when C<protocol>
says so).  Certificates are not verified unless C<ca_file> is given.
C<0>: plain TCP; for C<h2> the connection preface is sent straight away
(h2c with prior knowledge, no Upgrade).

=item protocol

C<h2> (default) or C<http/1.1>.  HTTP/1.1 is spoken on a raw socket and
always sends C<Connection: close>.

=item accept_push

Default C<1>.  C<0> announces C<SETTINGS_ENABLE_PUSH = 0> in the client
preface, as current browsers do.

=item timeout

Seconds allowed for a whole request including connecting; default 10.

=item authority

Value for C<:authority> / C<Host>; default C<"host:port">.

=item ca_file

CA bundle in PEM format; turns on certificate and host name verification.

=back

=head1 METHODS

=head2 get($path, %options)

Shorthand for C<< request(method => 'GET', path => $path, %options) >>.

=head2 head($path, %options)

Shorthand for C<< request(method => 'HEAD', path => $path, %options) >>.

=head2 request(method => $method, path => $path, %options)

Sends one request on a fresh connection and returns the response object
described below.  Over HTTP/2 a C<CONNECT> request carries only C<:method>
and C<:authority>, as RFC 9113 8.5 requires, and C<path> is that authority
(C<< path => 'example.com:443' >>).  Options:

=over

=item headers

Array reference of C<< name => value >> pairs, sent in the given order.
Names are lower-cased for HTTP/2 and sent as given for HTTP/1.1.

=item body

Request body.  A C<content-length> header is added unless given (without
it mod_cgid gives the CGI no C<CONTENT_LENGTH> and an HTTP/2 stream never
finishes).

=item accept_push

Overrides the client's C<accept_push> for this request.

=item reset_push

C<1>: every PUSH_PROMISE is recorded and the promised stream is immediately
cancelled with C<RST_STREAM(CANCEL)>; the request does not wait for it.
Frames the server had already sent for it are read and discarded.  If the
connection ends before the response is complete, what arrived is
returned, marked C<ended_early>.

=item goaway_after_push

C<1>: right after the first PUSH_PROMISE, the client sends
C<GOAWAY(NO_ERROR)> naming the last stream the server started, and opens
no more streams: a client that leaves in the middle of a push.  The
request then ends when every stream is closed, as usual, or when the
server closes the connection, which is no error here; C<goaway_sent_at> in
the response says when the GOAWAY was queued.  If the connection ends before
that, what arrived is returned, marked C<ended_early>.

=item timeout

Overrides the client's timeout for this request.

=back

=head2 push_promises

Array reference of all C<[ $path, \%headers ]> pairs promised over the
client's lifetime, in arrival order.

=head2 clear

Forgets the accumulated push promises and the last response.

=head2 last_response

The response object of the most recent request.

=head1 RESPONSE OBJECT

C<get> and C<request> return a hash reference blessed into
C<Apache::QuartPush::TestClient::Response>.  Read the fields directly
(C<< $res->{status} >>) or through same-named accessor methods
(C<< $res->status >>).

All times are floating point seconds relative to the moment the request was
handed to the socket (after the TCP/TLS handshake).  A time is that of the
C<read()> that delivered the frame, so frames arriving in the same read
share a time; a header block split over CONTINUATION frames is timed by the
read that completed it.

All header names are lower case.  In C<headers> hashes repeated fields are
joined with C<", "> (C<cookie> with C<"; ">); C<header_list> keeps every
field as a C<[ $name, $value ]> pair in wire order.  Pseudo-headers never
appear in either.

=over

=item protocol

C<h2> or C<http/1.1>.

=item status, headers, header_list, body

The final response.  C<status> is an integer; it is C<undef> if the stream
was reset before a final HEADERS frame arrived.

=item interim

Array reference with one hash per C<1xx> response received before the final
one:

    { status => 103, headers => {...}, header_list => [...], time => $t }

(HTTP/1.1 entries also carry C<reason>).

=item push_promises

Array reference of C<[ $path, \%headers ]>, where C<%headers> are the
regular (non-pseudo) request headers of each PUSH_PROMISE, as the server
sent them.  mod_http2 copies C<accept>, C<accept-encoding>,
C<accept-language>, C<cache-control> and C<user-agent> from the pushing
request and adds C<host> (the authority).  Always empty for HTTP/1.1.

=item pushes

Array reference of hashes, one per PUSH_PROMISE:

    {
        stream_id    => 2,
        path         => '/a.css',
        authority    => 'localhost:8529',
        scheme       => 'https',
        method       => 'GET',
        headers      => { ... },       # regular promised request headers
        header_list  => [ ... ],
        promised_at  => 0.0012,
        response     => {              # undef if reset or cancelled
            status      => 200,
            headers     => { ... },
            header_list => [ ... ],
            body        => '...',
            headers_at  => 0.0031,
            interim     => [],         # 1xx blocks, as for the main stream
            trailers    => undef,
        },
        completed_at => 0.0035,        # when the pushed stream closed
        reset        => undef,         # RST_STREAM error code if reset
        cancelled    => 0,             # 1 when reset_push cancelled it
    }

=item headers_at

Arrival time of the final response HEADERS (of the status line for
HTTP/1.1).

=item done_at

Time the main stream was closed (the body was complete for HTTP/1.1).

=item trailers

Trailer fields as a hash, or C<undef>.

=item reset

RST_STREAM error code that closed the main stream, or C<undef>.

=item goaway

C<< { last_stream_id, error, error_name, debug, time } >> if the server sent
GOAWAY, else C<undef>.

=item goaway_sent_at

With C<goaway_after_push>: when the client queued its own GOAWAY, else
absent.

=item ended_early

With C<reset_push> or C<goaway_after_push>: the connection ended (closed
or lost) before the response was complete. The request then returns what
arrived until then instead of dying, and this holds the message it would
have died with; else absent.

=item frames

HTTP/2 only: every received frame in order as
C<< { time, type, flags, stream, length } >>, plus C<promised> for
PUSH_PROMISE, C<error> for RST_STREAM, C<goaway> for GOAWAY and
C<< rejected => 1 >> for a header block the client answered with
C<RST_STREAM(PROTOCOL_ERROR)>.  C<type> is the frame type name, e.g.
C<PUSH_PROMISE>.  Useful for ordering assertions and debugging:

    my @pp = grep { $_->{type} eq 'PUSH_PROMISE' } @{ $res->{frames} };

=item reason, http_version

HTTP/1.1 only: reason phrase and version of the final status line.

=back

Helper methods: C<< $res->header($name) >>, C<< $res->push_paths >> (list of
promised paths), C<< $res->push_for($path) >> (the push record),
C<< $res->early_hints >> (the C<103> entries of C<interim>).

=head1 NOTES ON Protocol::HTTP2

=over

=item *

L<Protocol::HTTP2::Client> is bypassed in favour of the Connection object:
the Client can only refuse pushes with C<REFUSED_STREAM>, sends GOAWAY by
itself as soon as its own stream counter drops to zero, and has no hook for
arrival times.

=item *

The library stores only the last header block of a stream, but runs the
HEADERS frame callback for every completed block, so each C<103> is
captured there.  That callback also fires for PUSH_PROMISE header blocks
(they are decoded on the associated stream) and is filtered out by checking
C<stream_promised_sid>.

=item *

Receiving header blocks split over CONTINUATION frames is broken in the
library (the fragment is overwritten instead of appended, and a
PUSH_PROMISE followed by CONTINUATION is rejected as a PROTOCOL_ERROR).
The client joins such blocks into one unpadded frame before decoding.

=item *

The library's C<send_headers> puts END_HEADERS on the wrong CONTINUATION
frame; the client splits large request header blocks itself.

=item *

The library treats a header block after the final response as trailers
only if a C<Trailer> header announced every field; the client accepts
undeclared trailers.

=item *

When stream-level header validation fails the library queues
C<RST_STREAM> but reports the frame as undecoded and leaves the decoded
fields behind; the client skips the frame and discards those fields.

=back

=head1 INSTALLATION

C<make install> of mod_quartpush installs this module into Perl's site
library (C<./configure --with-perl-libdir=vendor> or C<PERL_LIBDIR=DIR>
choose another); the Debian package C<libapache-quartpush-testclient-perl>
installs it into the vendor library. Either way, C<use
Apache::QuartPush::TestClient;> finds it without a C<use lib>. It needs
L<Protocol::HTTP2>, and L<IO::Socket::SSL> for TLS.

=head1 SEE ALSO

F<docs/testing.md> of mod_quartpush: how to test a site's pushes with
Apache::Test, with a complete example.

=head1 LICENSE

Copyright 2026 The mod_quartpush maintainers.

Licensed under the Apache License, Version 2.0 (the "License"); you may
not use this file except in compliance with the License. You may obtain a
copy of the License at L<https://www.apache.org/licenses/LICENSE-2.0>.
Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
License for the specific language governing permissions and limitations
under the License.

=cut
