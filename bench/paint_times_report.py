#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The paint times of make bench (bench/paint-times): checks each load,
and writes bench/results/paint-times.md (the table and the targets) and
bench/results/paint-times.svg (the chart). Python standard library only.

  paint_times_report.py split-links < LINK-HEADER-VALUES
      one link a line, from Link header values (several links each)
  paint_times_report.py check CONFIG LOAD_JSON --assets "..." --hinted "..."
      "ok", or why this load does not count
  paint_times_report.py brief LOAD_JSON
      FCP/LCP of one load, for the progress lines
  paint_times_report.py report TSV OUTDIR [--labels ...] [--mode ...]
      the table and the chart

The TSV: one line per measurement, KIND CONFIG PROFILE ROUND DATA, KIND
"think" (the handler's time, ms) or a browser ("chromium": DATA is
bench/paint_load.py's JSON).
"""
import argparse
import datetime
import json
import os
import statistics
import sys
from urllib.parse import urlsplit

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qp_stats import median, parse_labels  # noqa: E402

CONFIGS = ["nohints", "h2earlyhint", "quartpush", "warm"]
HINTING = ("h2earlyhint", "quartpush")
PROFILES = ["fast", "slow"]
BROWSERS = {"chromium": "Chromium", "firefox": "Firefox"}
METRICS = [("fcp", "FCP"), ("lcp", "LCP")]
# the targets (bench/README.md): the module against mod_http2's own 103,
# and its gain against the most any hint could gain
RATIO_MAX = 1.02
SHARE_MIN = 0.80


def fmt(value, spec="{:.0f} ms", none="n/a"):
    return none if value is None else spec.format(value)


# --- the links of a 103 -----------------------------------------------------

def split_links(text):
    """Link header values -> one link each: commas split links, except in
    <...> and in quoted strings."""
    out = []
    for line in text.splitlines():
        cur, in_url, in_quote = "", False, False
        for ch in line:
            if ch == "<" and not in_quote:
                in_url = True
            elif ch == ">" and not in_quote:
                in_url = False
            elif ch == '"' and not in_url:
                in_quote = not in_quote
            if ch == "," and not in_url and not in_quote:
                if cur.strip():
                    out.append(cur.strip())
                cur = ""
                continue
            cur += ch
        if cur.strip():
            out.append(cur.strip())
    return out


# --- one load ---------------------------------------------------------------

def check(config, load, assets, hinted):
    """'ok' when the load counts: it painted, its LCP is the hero image,
    every file of the page came once with 200, from the 103 where the
    configuration hints it, from the network without hints, and from the
    cache for the floor. Otherwise why not."""
    if not load:
        return "the load failed"
    if load.get("fcp") is None or load.get("lcp") is None:
        return f"no paint timing (FCP {load.get('fcp')}, LCP {load.get('lcp')})"
    lcp_path = urlsplit(load.get("lcp_url") or "").path
    hero = [a for a in assets if os.path.basename(a).startswith("hero-")]
    if load.get("lcp_tag") != "IMG" or lcp_path not in hero:
        return (f"its largest contentful paint was {load.get('lcp_tag')} "
                f"{load.get('lcp_url') or ''}, not the hero image {hero}")
    nav = load.get("nav") or {}
    if nav.get("responseStatus") not in (None, 0, 200):
        return f"the page answered {nav.get('responseStatus')}"
    entries = {}
    for e in load.get("resources", []):
        entries.setdefault(urlsplit(e["name"]).path, []).append(e)
    for a in assets:
        es = entries.get(a, [])
        if len(es) != 1:
            return f"{a} was loaded {len(es)} times, not once"
        e = es[0]
        if e.get("responseStatus") not in (None, 0, 200):
            return f"{a} answered {e.get('responseStatus')}"
        it = e.get("initiatorType")
        # Firefox gives a font that the page took from a 103 the
        # initiatorType "other", as any font; but its request went out
        # before the page asked for it, which here only the 103 can do
        early = it == "early-hints" or (it == "other" and e.get("requestStart") is not None
                                        and e["requestStart"] < e["startTime"])
        if config in HINTING and a in hinted and not early:
            return f"{a} was fetched by {it}, not from the 103 (early-hints)"
        if config not in HINTING and early:
            return f"{a} came from a 103, which {config} does not send"
        if config == "warm" and e.get("transferSize") != 0:
            return f"{a} came over the network ({e.get('transferSize')} bytes), not from the cache"
        if config == "nohints" and not e.get("transferSize"):
            return f"{a} came from the cache, in a fresh profile"
    return "ok"


def brief(load):
    if not load:
        return "FAIL"
    return f"{fmt(load.get('fcp'), '{:.0f}', '-')}/{fmt(load.get('lcp'), '{:.0f}', '-')}"


# --- the report -------------------------------------------------------------

def read(path):
    """-> think times, and {(browser, config, profile): [(round, load)]}"""
    think, loads = [], {}
    with open(path) as f:
        for raw in f:
            cols = raw.rstrip("\n").split("\t", 4)
            if len(cols) != 5:
                continue
            kind, config, profile, rnd, data = cols
            if kind == "think":
                think.append(float(data))
            else:
                load = None if data == "FAIL" else json.loads(data)
                loads.setdefault((kind, config, profile), []).append((int(rnd), load))
    return think, loads


def quartiles(values):
    """the middle half: the 25th and 75th percentiles"""
    if len(values) < 2:
        return None
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def summarize(think, loads):
    s = {"think": median(think), "rows": {}, "targets": {}}
    for (browser, config, profile), rl in loads.items():
        good = [(r, l) for r, l in rl if l]
        row = {"n": len(rl), "failed": len(rl) - len(good), "by_round": dict(good)}
        for key, _ in METRICS:
            vals = [l[key] for _, l in good if l.get(key) is not None]
            row[key] = median(vals)
            row[key + "_q"] = quartiles(vals)
            row[key + "_all"] = vals
        s["rows"][(browser, config, profile)] = row
    for browser in sorted({b for b, _, _ in s["rows"]}):
        for profile in PROFILES:
            get = lambda c: s["rows"].get((browser, c, profile))  # noqa: E731
            n, h, q, w = get("nohints"), get("h2earlyhint"), get("quartpush"), get("warm")
            if not q:
                continue
            t = {}
            for key, _ in METRICS:
                # the module against H2EarlyHint: the median of same-round ratios
                ratios = [q["by_round"][r][key] / h["by_round"][r][key]
                          for r in q["by_round"] if h and r in h["by_round"]
                          and h["by_round"][r].get(key)]
                gain = n[key] - q[key] if n and n[key] is not None and q[key] is not None else None
                floor_gap = (n[key] - w[key] if n and w and n[key] is not None
                             and w[key] is not None else None)
                most = (min(s["think"], floor_gap) if s["think"] is not None
                        and floor_gap is not None else None)
                t[key] = {"ratio": median(ratios), "ratio_q": quartiles(ratios),
                          "gain": gain, "floor_gap": floor_gap, "most": most,
                          "share": gain / most if gain is not None and most and most > 0 else None}
            s["targets"][(browser, profile)] = t
    return s


def target_rows(s, labels):
    out = []
    for (browser, profile), t in s["targets"].items():
        net = labels.get(profile, profile)
        for key, name in METRICS:
            v = t[key]
            status = ("not measured" if v["ratio"] is None
                      else "met" if v["ratio"] <= RATIO_MAX else "MISSED")
            q = v["ratio_q"]
            out.append((BROWSERS.get(browser, browser), net,
                        f"{name}: mod_quartpush / H2EarlyHint (median of same-round ratios)",
                        f"<= {RATIO_MAX:.2f}x", fmt(v["ratio"], "{:.3f}x")
                        + (f" (middle half {q[0]:.3f} to {q[1]:.3f})" if q else ""), status))
        for key, name in METRICS:
            v = t[key]
            status = ("not measured" if v["share"] is None
                      else "met" if v["share"] >= SHARE_MIN else "MISSED")
            detail = (f" ({v['gain']:.0f} ms of {v['most']:.0f} ms: the smaller of the think time "
                      f"{s['think']:.0f} ms and no hints less the floor {v['floor_gap']:.0f} ms)"
                      if v["share"] is not None else "")
            out.append((BROWSERS.get(browser, browser), net,
                        f"{name}: gain over no hints, as a share of the most it could gain",
                        f">= {SHARE_MIN:.0%}", fmt(v["share"], "{:.0%}") + detail, status))
    return out


def markdown(s, labels, args):
    now = args.when or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rounds = max((r["n"] for r in s["rows"].values()), default=0)
    lines = [
        "# Paint times with Early Hints",
        "",
        f"{now}, {os.cpu_count()} cores, {args.mode} run of `{'QUICK=1 ' if args.mode == 'quick' else ''}"
        f"bench/paint-times` (part of `make bench`), which took {args.seconds} s, "
        f"of the code at commit {args.commit}; {args.browsers or 'Chromium'}.",
        "A page built by Vite (`bench/paint-app`: a stylesheet, a web font, about 300 KB of "
        "JavaScript in three modules, a 270 KB hero image that is the largest contentful paint) "
        "comes from a CGI that works 300 ms. Each configuration serves it from its own httpd "
        "(TLS h2), behind `bench/qp_delayproxy` for each network profile (the delay each way, "
        "and the rate each way shared by the browser's connections). "
        f"Medians of up to {rounds} loads per cell (the Loads column), each in a fresh browser "
        "profile; each round loads every configuration once on each profile, in an order that "
        "rotates.",
        "",
        f"The think time, the page alone straight from the server (request to first byte), "
        f"measured in every round: **{fmt(s['think'], '{:.1f} ms')}**.",
        "",
        "| Browser | Network | Configuration | FCP | FCP middle half | LCP | LCP middle half | Loads |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for browser in BROWSERS:
        for profile in PROFILES:
            for c in CONFIGS:
                r = s["rows"].get((browser, c, profile))
                if not r:
                    continue
                qs = {k: (f"{r[k + '_q'][0]:.0f} to {r[k + '_q'][1]:.0f} ms" if r[k + "_q"] else "n/a")
                      for k, _ in METRICS}
                failed = f" ({r['failed']} failed)" if r["failed"] else ""
                lines.append(
                    f"| {BROWSERS[browser]} | {labels.get(profile, profile)} | {labels.get(c, c)} "
                    f"| **{fmt(r['fcp'])}** | {qs['fcp']} | **{fmt(r['lcp'])}** | {qs['lcp']} "
                    f"| {r['n'] - r['failed']}{failed} |")
    lines += ["", "FCP and LCP are the page's own PerformanceObserver entries (`paint`, "
              "`largest-contentful-paint`, buffered), read after the load event, in ms from "
              "navigation start: they include the browser's TLS handshake through the proxy. "
              "\"Middle half\": the 25th to the 75th percentile of the loads."]
    t = target_rows(s, labels)
    if t:
        lines += ["", "## Targets for mod_quartpush", "",
                  "| Browser | Network | Target | Wanted | Measured | |", "|---|---|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} | {e} | {f} |" for a, b, c, d, e, f in t]
    if args.links:
        lines += ["", "The 103 of both hinting configurations (mod_http2's `H2EarlyHint` lines were "
                  "written from the module's 103):", "", "```"] + args.links.splitlines() + ["```"]
    lines += ["", "The chart: [paint-times.svg](paint-times.svg); raw figures: "
              "[paint-times.tsv](paint-times.tsv). How to read them: "
              "[bench/README.md](../README.md#paint-times).", ""]
    return "\n".join(lines)


COLORS = {"nohints": "#9e9e9e", "h2earlyhint": "#4c78a8", "quartpush": "#e45756",
          "warm": "#54a24b"}


def svg(s, labels, args):
    """One panel per browser and network profile: FCP and LCP, a bar per
    configuration to its median, a whisker over its middle half; the
    module's share of the most it could gain written beside it."""
    width, left, right = 1060, 230, 300
    bar_h, bar_gap, group_gap = 16, 4, 16
    panels = [(b, p) for b in BROWSERS for p in PROFILES
              if any((b, c, p) in s["rows"] for c in CONFIGS)]
    body = [f'<text x="10" y="22" font-size="16" font-weight="bold">When a page built by Vite '
            f'paints, with a 300 ms backend ({args.mode} run)</text>',
            '<text x="10" y="40" font-size="12">Shorter is better. The bar ends at the median, '
            'the whisker spans the middle half of the loads. The floor: every file already in '
            'the cache.</text>']
    y = 58
    for browser, profile in panels:
        rows = {c: s["rows"].get((browser, c, profile)) for c in CONFIGS}
        tmax = max([r[k + "_q"][1] if r[k + "_q"] else r[k] or 0
                    for r in rows.values() if r for k, _ in METRICS] + [1])
        step = 100 if tmax <= 1200 else 250 if tmax <= 3000 else 500
        tmax = (int(tmax / step) + 1) * step
        scale = (width - left - right) / tmax

        def x(t):
            return left + t * scale
        n = min((r["n"] - r["failed"] for r in rows.values() if r), default=0)
        body.append(f'<text x="10" y="{y + 14}" font-size="14" font-weight="bold">'
                    f'{BROWSERS[browser]}, {labels.get(profile, profile)}: medians of {n} loads</text>')
        y += 24
        top = y
        marks = []
        t = s["targets"].get((browser, profile), {})
        for key, name in METRICS:
            gy = y
            for c in CONFIGS:
                r = rows[c]
                marks.append(f'<text x="{left - 8}" y="{y + 12}" text-anchor="end">'
                             f'{name}, {labels.get(c, c)}</text>')
                if r and r[key] is not None:
                    marks.append(f'<rect x="{left}" y="{y}" width="{max(1.5, r[key] * scale):.1f}" '
                                 f'height="{bar_h}" fill="{COLORS[c]}"/>')
                    q = r[key + "_q"]
                    if q:
                        cy = y + bar_h / 2
                        marks.append(f'<line x1="{x(q[0]):.1f}" y1="{cy}" x2="{x(q[1]):.1f}" '
                                     f'y2="{cy}" stroke="#222" stroke-width="1.5"/>')
                        for e in q:
                            marks.append(f'<line x1="{x(e):.1f}" y1="{cy - 4}" x2="{x(e):.1f}" '
                                         f'y2="{cy + 4}" stroke="#222" stroke-width="1.5"/>')
                    end = max(r[key], q[1] if q else 0)
                    marks.append(f'<text x="{x(end) + 6:.1f}" y="{y + 12}" font-size="11">'
                                 f'{r[key]:.0f} ms</text>')
                y += bar_h + bar_gap
            v = t.get(key)
            if v and v["gain"] is not None:
                if v["gain"] >= 0:
                    say = [f'mod_quartpush: {name} {v["gain"]:.0f} ms sooner,',
                           f'{v["share"]:.0%} of the most any hint could gain'
                           if v["share"] is not None else 'the floor is no lower than no hints',
                           f'({v["most"]:.0f} ms)' if v["share"] is not None else '']
                else:
                    say = [f'mod_quartpush: {name} {-v["gain"]:.0f} ms later',
                           'than no hints' + (' (the most any hint' if v["most"] else ''),
                           f'could gain: {v["most"]:.0f} ms)' if v["most"] else '']
                for i, text in enumerate(x for x in say if x):
                    marks.append(f'<text x="{width - right + 55}" '
                                 f'y="{gy + (1 + i) * (bar_h + bar_gap) + 12}" font-size="12">'
                                 f'{text}</text>')
            y += group_gap
        bottom = y - group_gap + 2
        for tt in range(0, tmax + 1, step):
            body.append(f'<line x1="{x(tt):.1f}" y1="{top - 4}" x2="{x(tt):.1f}" y2="{bottom}" '
                        'stroke="#e0e0e0"/>')
            body.append(f'<text x="{x(tt):.1f}" y="{bottom + 13}" text-anchor="middle" '
                        f'font-size="11">{tt}</text>')
        body.append(f'<text x="{x(tmax):.1f}" y="{bottom + 27}" text-anchor="end" font-size="11">'
                    'ms from navigation start</text>')
        body += marks
        y = bottom + 44
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
            f'font-family="sans-serif" font-size="12">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "split-links":
        for link in split_links(sys.stdin.read()):
            print(link)
        return 0
    if cmd == "brief":
        print(brief(None if sys.argv[2] == "FAIL" else json.loads(sys.argv[2])))
        return 0
    if cmd == "check":
        ap = argparse.ArgumentParser()
        ap.add_argument("cmd")
        ap.add_argument("config")
        ap.add_argument("load")
        ap.add_argument("--assets", default="")
        ap.add_argument("--hinted", default="")
        a = ap.parse_args()
        try:
            load = None if a.load == "FAIL" else json.loads(a.load)
        except ValueError:
            load = None
        print(check(a.config, load, a.assets.split(), set(a.hinted.split())))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["report"])
    ap.add_argument("tsv")
    ap.add_argument("outdir")
    ap.add_argument("--mode", default="full")
    ap.add_argument("--seconds", default="?")
    ap.add_argument("--browsers", default="", help="the browsers' versions")
    ap.add_argument("--labels", default="")
    ap.add_argument("--links", default="")
    ap.add_argument("--when", default="", help="the time of the run (default: now)")
    ap.add_argument("--commit", default="(unknown)")
    args = ap.parse_args()
    labels = parse_labels(args.labels)
    s = summarize(*read(args.tsv))
    with open(os.path.join(args.outdir, "paint-times.md"), "w") as f:
        f.write(markdown(s, labels, args))
    with open(os.path.join(args.outdir, "paint-times.svg"), "w") as f:
        f.write(svg(s, labels, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
