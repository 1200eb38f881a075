#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# An app that sends its own 103 Early Hints, as Rails/Puma, FrankenPHP,
# Node's res.writeEarlyHints() or gunicorn do, for t/backend_hints*.t. It
# listens on a Unix socket (argv[1]) that httpd's mod_proxy_http reaches
# with ProxyPass "unix:...|http://localhost/". Each path is one behaviour:
#   /one       one 103 (a link mod_quartpush also has, and one of its own)
#   /two       two 103s, then the page
#   /none      no 103: the page only
#   /continue  an unasked-for 100 Continue, then a 103, then the page
#   /big       one 103 of 400 links of some 200 bytes (80 KB), in lines of
#              30 (mod_proxy_http takes 100 lines of 8 KB at most)
#   /page      the page of t/htdocs/browser/hints/index.cgi, after a 103
#              naming its script and 300 ms of work (for Chromium)
import os
import socket
import socketserver
import sys
import time

CSS = '</static/css/site.css>; rel=preload; as=style'
JS = '</static/js/app.js>; rel=preload; as=script'
EXTRA = '</static/js/extra.js>; rel=preload; as=script'
BROWSER_JS = '</browser/script.js>; rel=preload; as=script'


def browser_page():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, '..', 'htdocs', 'browser', 'hints',
                           'index.cgi'), encoding='utf-8') as f:
        text = f.read()
    return text.split("<<'HTML'\n", 1)[1].rsplit('HTML\n', 1)[0]


def hints(*links):
    return ('HTTP/1.1 103 Early Hints\r\n'
            + ''.join('Link: %s\r\n' % l for l in links) + '\r\n').encode()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().decode('latin-1')
        while self.rfile.readline() not in (b'\r\n', b'\n', b''):
            pass
        path = line.split(' ')[1] if ' ' in line else '/'
        path = path.split('?', 1)[0]
        body = '<!doctype html><title>backend</title><p>%s</p>\n' % path
        out = self.wfile
        if path == '/one':
            out.write(hints(CSS, JS))
        elif path == '/two':
            out.write(hints(JS))
            out.flush()
            out.write(hints(EXTRA))
        elif path == '/continue':
            out.write(b'HTTP/1.1 100 Continue\r\n\r\n')
            out.write(hints(JS))
        elif path == '/big':
            links = ['</static/big/%03d-%s.js>; rel=preload; as=script'
                     % (i, 'x' * 160) for i in range(400)]
            out.write(hints(*(', '.join(links[i:i + 30])
                              for i in range(0, 400, 30))))
        elif path == '/page':
            out.write(hints(BROWSER_JS))
            out.flush()
            time.sleep(0.3)
            body = browser_page()
        elif path != '/none':
            out.write(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n'
                      b'Connection: close\r\n\r\n')
            return
        out.flush()
        data = body.encode()
        out.write(b'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n'
                  b'Cache-Control: no-store\r\nContent-Length: %d\r\n'
                  b'Connection: close\r\n\r\n' % len(data) + data)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    server = Server(path, Handler)
    os.chmod(path, 0o777)       # httpd's children run as another user
    print('ready', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
