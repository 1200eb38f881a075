#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Headless Firefox driven over Marionette, for make bench's paint times
(bench/paint_load.py firefox ...). Python standard library only.

Marionette is Firefox's own remote protocol (what geckodriver speaks to
it): a TCP socket, each message "LENGTH:JSON", commands
[0, id, NAME, PARAMS] answered by [1, id, ERROR, RESULT]. With the pref
marionette.port at 0, Firefox listens on a free port and writes it into
the profile's MarionetteActivePort file.

The profile is made for one load: it trusts the bench's test CA (NSS
certutil, package libnss3-tools), has Early Hints on, and starts on a blank
page with nothing running in the background.
"""
import json
import os
import signal
import socket
import subprocess
import time

SETTLE_S = 1.0
TIMEOUT_S = 60

PREFS = {
    "marionette.port": 0,
    "network.early-hints.enabled": True,
    "network.http.http2.enabled": True,
    "dom.enable_largest_contentful_paint": True,
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.update.enabled": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}


def make_profile(profile, ca_pem):
    """A new profile directory that trusts ca_pem."""
    os.makedirs(profile, exist_ok=True)
    with open(os.path.join(profile, "user.js"), "w") as f:
        for k, v in PREFS.items():
            f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{profile}"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["certutil", "-A", "-n", "quartpush-bench-ca", "-t", "C,,", "-i", ca_pem,
                    "-d", f"sql:{profile}"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Firefox:
    """One headless Firefox on a profile, and its Marionette session."""

    def __init__(self, firefox, profile, extra=()):
        port_file = os.path.join(profile, "MarionetteActivePort")
        try:
            os.unlink(port_file)
        except FileNotFoundError:
            pass
        env = dict(os.environ, HOME=profile, MOZ_CRASHREPORTER_DISABLE="1")
        # its own process group, so that close() ends it and its children
        self.proc = subprocess.Popen(
            [firefox, "--headless", "--marionette", "--no-remote", "--profile", profile]
            + list(extra) + ["about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, start_new_session=True)
        self.deadline = time.monotonic() + TIMEOUT_S
        self.sock = None
        self.buf = b""
        self.next_id = 0
        try:
            port = None
            while port is None:
                if time.monotonic() > self.deadline or self.proc.poll() is not None:
                    raise RuntimeError("Firefox did not open Marionette")
                try:
                    with open(port_file) as f:
                        port = int(f.read().strip())
                except (FileNotFoundError, ValueError):
                    time.sleep(0.05)
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
            self._read()  # the greeting: applicationType, marionetteProtocol
            # the default capabilities: Navigate waits for the load event
            self.send("WebDriver:NewSession", {})
        except Exception:
            self.close()
            raise

    def _read(self):
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n:
                    msg = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + 1 + n:]
                    return json.loads(msg)
            self.sock.settimeout(max(0.1, self.deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("Firefox closed Marionette")
            self.buf += chunk

    def send(self, name, params=None):
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            m = self._read()
            if isinstance(m, list) and len(m) == 4 and m[0] == 1 and m[1] == self.next_id:
                if m[2]:
                    raise RuntimeError(f"{name}: {m[2].get('error')}: {m[2].get('message')}")
                return m[3]

    def settle(self):
        time.sleep(SETTLE_S)

    def navigate(self, url):
        """Navigates and waits for the load event (pageLoadStrategy normal)."""
        self.send("WebDriver:Navigate", {"url": url})

    def evaluate(self, expression):
        """The value of a JavaScript expression (a promise is awaited)."""
        r = self.send("WebDriver:ExecuteScript", {"script": f"return {expression};", "args": []})
        return r.get("value") if isinstance(r, dict) else r

    def close(self):
        if self.sock:
            try:
                self.deadline = time.monotonic() + 10
                self.send("Marionette:Quit", {"flags": ["eAttemptQuit"]})
            except Exception:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        # whatever is left of the group this Firefox started
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
