#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The round trip time to an HTTP/2 server over TLS, as HTTP/2 PING frames
see it: no request, no handler, just the path and the server's session loop.
make bench's slow page scenario (bench/early-hints) uses it to measure the
RTT through bench/qp_delayproxy.

  h2_ping.py HOST PORT [COUNT]    prints the median of COUNT pings, in ms

Python standard library only; the certificate is not checked.
"""
import os
import socket
import ssl
import statistics
import struct
import sys
import time

PING, SETTINGS, ACK = 6, 4, 1


def frame(ftype, flags, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + b"\0\0\0\0" + payload


def read_frame(s, buf):
    while len(buf) < 9 or len(buf) < 9 + int.from_bytes(buf[:3], "big"):
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        buf += chunk
    n = int.from_bytes(buf[:3], "big")
    return buf[3], buf[4], buf[9:9 + n], buf[9 + n:]


def pings(host, port, count):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection((host, port), timeout=10) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            if s.selected_alpn_protocol() != "h2":
                raise RuntimeError("the server did not agree to h2")
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(SETTINGS, 0))
            buf = b""
            while True:  # the server's SETTINGS, which we acknowledge
                ftype, flags, _, buf = read_frame(s, buf)
                if ftype == SETTINGS and not flags & ACK:
                    s.sendall(frame(SETTINGS, ACK))
                    break
            times = []
            for _ in range(count):
                data = os.urandom(8)
                t0 = time.perf_counter()
                s.sendall(frame(PING, 0, data))
                while True:
                    ftype, flags, payload, buf = read_frame(s, buf)
                    if ftype == PING and flags & ACK and payload == data:
                        break
                times.append((time.perf_counter() - t0) * 1000)
            return times


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    times = pings(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    print(f"{statistics.median(times):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
