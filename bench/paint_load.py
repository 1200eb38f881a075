#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One page load in a headless browser, for make bench's paint times
(bench/paint-times). Prints one line of JSON, or FAIL:
  {"fcp": ms, "lcp": ms, "lcp_url": the LCP element's image, "lcp_tag": its tag,
   "lcp_size": its area, "nav": the navigation entry, "resources": [...]}

  paint_load.py chromium URL SPKI_HASH CHROMIUM [--warm-profile DIR | --prime DIR]
  paint_load.py firefox URL CA_PEM FIREFOX [--warm-profile DIR | --prime DIR]

Chromium is started and driven as for bench/early-hints (chromium_load.py:
a settled browser, a fresh profile, the certificate trusted by its SPKI
hash), Firefox over Marionette (firefox_load.py: a settled browser, a fresh
profile that trusts the test CA). After the load event, and two frames and
300 ms more so that the last LCP candidate has been painted, the paint
times are read with PerformanceObserver ('paint' and
'largest-contentful-paint', buffered), in ms from navigation start, with
the page's Resource Timing.

--prime DIR: load the page once into the new profile DIR and keep it.
--warm-profile DIR: the load starts from a copy of the profile DIR, whose
HTTP cache already holds the page's files (made with --prime): the
warm-cache floor.
Python standard library only.
"""
import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium_load import chromium_args, evaluate, navigate, open_page  # noqa: E402
from firefox_load import Firefox, make_profile  # noqa: E402

# a window the size of a laptop's: the hero image fills its width
WINDOW_SIZE = "1280,800"

READ_PAINT = """new Promise(function (resolve) {
  function frames(n, then) {
    if (n === 0) { setTimeout(then, 300); return; }
    requestAnimationFrame(function () { frames(n - 1, then); });
  }
  function read() {
    var out = {fcp: null, lcp: null, lcp_url: null, lcp_tag: null, lcp_size: null};
    var seen = 0;
    function done() {
      if (++seen < 2) return;
      var nav = performance.getEntriesByType("navigation")[0];
      out.nav = nav ? nav.toJSON() : null;
      out.resources = performance.getEntriesByType("resource").map(function (e) {
        return {name: e.name, initiatorType: e.initiatorType, startTime: e.startTime,
                fetchStart: e.fetchStart, requestStart: e.requestStart,
                responseStart: e.responseStart,
                responseEnd: e.responseEnd, transferSize: e.transferSize,
                encodedBodySize: e.encodedBodySize, responseStatus: e.responseStatus,
                deliveryType: e.deliveryType, nextHopProtocol: e.nextHopProtocol};
      });
      resolve(JSON.stringify(out));
    }
    function observe(type, take) {
      var got = false;
      try {
        var po = new PerformanceObserver(function (list) {
          take(list.getEntries());
          if (!got) { got = true; setTimeout(done, 0); }
        });
        po.observe({type: type, buffered: true});
      } catch (e) { got = true; done(); return; }
      // no buffered entry at all: give up after a while
      setTimeout(function () { if (!got) { got = true; done(); } }, 1000);
    }
    observe("paint", function (entries) {
      entries.forEach(function (e) {
        if (e.name === "first-contentful-paint") out.fcp = e.startTime;
      });
    });
    observe("largest-contentful-paint", function (entries) {
      var e = entries[entries.length - 1];
      out.lcp = e.startTime;
      out.lcp_url = e.url || null;
      out.lcp_tag = e.element ? e.element.tagName : null;
      out.lcp_size = e.size;
    });
  }
  function loaded() { frames(2, read); }
  if (document.readyState === "complete") loaded();
  else window.addEventListener("load", loaded);
})"""


def one_load(browser, url, trust, binary, profile):
    if browser == "firefox":
        b = Firefox(binary, profile, ["--window-size", WINDOW_SIZE])
        try:
            b.settle()
            b.navigate(url)
            text = b.evaluate(READ_PAINT) or ""
        finally:
            b.close()
    else:
        b, session = open_page(binary, chromium_args(profile, trust,
                                                     [f"--window-size={WINDOW_SIZE}"]))
        try:
            navigate(b, session, url)
            text = evaluate(b, session, READ_PAINT) or ""
        finally:
            b.close()
    return json.loads(text) if text.startswith("{") else None


def main():
    args = sys.argv[1:]
    if (len(args) not in (4, 6) or args[0] not in ("chromium", "firefox")
            or (len(args) == 6 and args[4] not in ("--warm-profile", "--prime"))):
        print(__doc__, file=sys.stderr)
        return 2
    browser, url, trust, binary = args[:4]
    workdir = tempfile.mkdtemp(prefix="qp-paint.")
    profile = os.path.join(workdir, "profile")
    result = None
    try:
        if len(args) == 6 and args[4] == "--warm-profile":
            shutil.copytree(args[5], profile, symlinks=True)
            # a browser that was closed a moment ago: nothing of it but
            # its profile directory is left
            for lock in ("SingletonLock", "SingletonCookie", "SingletonSocket",
                         "lock", ".parentlock", "MarionetteActivePort"):
                try:
                    os.unlink(os.path.join(profile, lock))
                except FileNotFoundError:
                    pass
        else:
            if len(args) == 6:
                profile = args[5]
            if browser == "firefox":
                make_profile(profile, trust)
        result = one_load(browser, url, trust, binary, profile)
    except Exception as e:  # one failed load is a figure too: FAIL
        print(f"paint_load: {e}", file=sys.stderr)
        result = None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, separators=(",", ":")) if result else "FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
