#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One page load in headless Chromium, for make bench's slow page scenario
(bench/early-hints). Prints one line of JSON, or FAIL:
  {"rt": the page's Resource Timing (navigation entry and resources),
   "net": from Chromium's net log, when each request went over the network}

  chromium_load.py URL SPKI_HASH [CHROMIUM]

The browser starts on about:blank in a fresh profile, is left to settle for
a moment, and only then navigates to URL, driven over the DevTools protocol
on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-terminated JSON).
Navigating while the browser is still starting its processes would make the
figures mostly about process startup on a busy machine, and a real user's
browser is running already. The certificate is trusted by its SPKI hash,
which keeps Early Hints on (--ignore-certificate-errors turns them off).
Python standard library only. bench/paint_load.py drives Chromium with
the same functions (chromium_args, open_page, navigate, evaluate).
"""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from early_hints_report import PAGE, RESOURCES, netlog_requests  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

SETTLE_S = 1.0
TIMEOUT_S = 60

# the page writes its timings into #qp-timings, again at its load event;
# read them once that is over
READ_TIMINGS = """new Promise(function (resolve) {
  function done() { setTimeout(function () {
    resolve(document.getElementById("qp-timings").textContent); }, 0); }
  if (document.readyState === "complete") done();
  else window.addEventListener("load", done);
})"""


class Browser:
    def __init__(self, chromium, args):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def child_fds():
            # fd 3: commands to the browser, fd 4: its answers. os.pipe()
            # makes close-on-exec descriptors, dup2() inheritable ones, so
            # these two are all the browser inherits (close_fds=False: it
            # would close them after this runs)
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen([chromium] + args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=child_fds, close_fds=False)
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT_S

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_r], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_r, 65536)
            if not chunk:
                raise EOFError("Chromium closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read_message())

    def close(self):
        try:
            self.deadline = time.monotonic() + 10
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)


def chromium_args(profile, spki, extra=()):
    """The flags of a measuring Chromium: headless, driven over a pipe, in
    the profile directory given, trusting the test certificate by its SPKI
    hash, with nothing running in the background."""
    args = ["--headless", "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            f"--ignore-certificate-errors-spki-list={spki}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-gpu"] + list(extra)
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def open_page(chromium, args):
    """Starts Chromium on about:blank, attaches to its page and lets it
    settle: (browser, session). The caller closes the browser."""
    b = Browser(chromium, args + ["about:blank"])
    try:
        targets = b.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session = b.send("Target.attachToTarget",
                         {"targetId": page["targetId"], "flatten": True})["sessionId"]
        b.send("Page.enable", session=session)
        time.sleep(SETTLE_S)
        b.events.clear()
    except Exception:
        b.close()
        raise
    return b, session


def navigate(b, session, url):
    """Navigates the page and waits for its load event."""
    b.send("Page.navigate", {"url": url}, session=session)
    b.wait_event("Page.loadEventFired", session)


def evaluate(b, session, expression):
    """The value of a JavaScript expression (a promise is awaited)."""
    r = b.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                    "returnByValue": True}, session=session)
    if "exceptionDetails" in r:
        raise RuntimeError(f"the page's script failed: {r['exceptionDetails'].get('text')}")
    return r.get("result", {}).get("value")


def load(url, spki, chromium, workdir):
    netlog = os.path.join(workdir, "netlog.json")
    args = chromium_args(os.path.join(workdir, "profile"), spki, [f"--log-net-log={netlog}"])
    b, session = open_page(chromium, args)
    try:
        navigate(b, session, url)
        text = evaluate(b, session, READ_TIMINGS) or ""
    finally:
        b.close()
    if not text.startswith("{"):
        return None
    rt = json.loads(text)
    out = {"rt": rt, "net": {}}
    try:
        reqs = netlog_requests(netlog)
    except (OSError, ValueError, KeyError):
        return out
    page_req = next((q for q in reqs if q["url"] == url), None)
    if not page_req or not rt.get("navigation"):
        return out
    # the net log's clock, moved so that the page's request starts at the
    # navigation entry's fetchStart: both are the browser starting the fetch
    shift = rt["navigation"].get("fetchStart", 0) - page_req["start"]

    def rel(q):
        return {k: (v + shift if isinstance(v, float) else v) for k, v in q.items() if k != "url"}
    out["net"][PAGE] = rel(page_req)
    for path in RESOURCES:
        # the first request for it that went over the network
        q = next((q for q in reqs if urlsplit(q["url"]).path == path and "send" in q), None)
        if q:
            out["net"][path] = rel(q)
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    chromium = sys.argv[3] if len(sys.argv) > 3 else (shutil.which("chromium") or "/usr/bin/chromium")
    workdir = tempfile.mkdtemp(prefix="qp-chromium.")
    try:
        result = load(sys.argv[1], sys.argv[2], chromium, workdir)
    except Exception as e:  # one failed load is a figure too: FAIL
        print(f"chromium_load: {e}", file=sys.stderr)
        result = None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, separators=(",", ":")) if result else "FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
