#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The slow page scenario of make bench (bench/early-hints): reads what
Chromium and nghttp measured, and writes bench/results/early-hints.md (a
table with the targets) and bench/results/waterfall.svg (one waterfall per
configuration). Python standard library only.

  early_hints_report.py brief NGHTTP_FIELD CHROMIUM_JSON
      one round's figures for one configuration, for the progress lines
  early_hints_report.py report TSV OUTDIR [--labels ...] [--mode ...]
      the table and the chart
"""
import argparse
import datetime
import json
import os
import statistics
import sys
from urllib.parse import urlsplit

PAGE = "/slow/"
RESOURCES = ["/static/site.css", "/static/app.js"]
SHORT = {PAGE: "HTML", "/static/site.css": "CSS", "/static/app.js": "JS"}


from qp_stats import median, num, parse_labels  # noqa: E402  (bench/qp_stats.py)


def fmt(value, spec="{:.0f} ms", none="n/a"):
    return none if value is None else spec.format(value)


# --- one Chromium load ------------------------------------------------------

def netlog_requests(path):
    """Every URL request of a Chromium net log: url, and the times (ms, the
    log's clock) it started, sent its request on the network, got a 103, got
    its final headers, ended; and whether it was served from the cache."""
    with open(path) as f:
        text = f.read()
    try:
        log = json.loads(text)
    except ValueError:
        # a log whose writer was cut short lacks its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    const = log["constants"]
    ev = {v: k for k, v in const["logEventTypes"].items()}
    phase = {v: k for k, v in const["logEventPhase"].items()}
    url_request = const["logSourceType"].get("URL_REQUEST")
    reqs = {}
    for e in log["events"]:
        if e["source"]["type"] != url_request:
            continue
        sid, name, ph = e["source"]["id"], ev.get(e["type"]), phase.get(e["phase"])
        t = float(e["time"])
        if name == "REQUEST_ALIVE" and ph == "PHASE_BEGIN":
            reqs[sid] = {"url": e.get("params", {}).get("url", ""), "start": t}
            continue
        r = reqs.get(sid)
        if r is None:
            continue
        if name == "HTTP_TRANSACTION_SEND_REQUEST" and ph == "PHASE_BEGIN":
            r.setdefault("send", t)
        elif name == "HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS":
            r.setdefault("hint", t)
        elif name == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS":
            r.setdefault("headers", t)
        elif name == "HTTP_CACHE_READ_DATA":
            r["cache"] = True
        elif name == "REQUEST_ALIVE" and ph == "PHASE_END":
            r["end"] = t
    return [reqs[k] for k in sorted(reqs)]


# --- figures of one load ----------------------------------------------------

def nghttp_streams(field):
    """'END,REQSTART,PUSHED,PATH ...' from bench/early-hints -> {path: dict}"""
    if not field or field == "FAIL":
        return None
    streams = {}
    for part in field.split():
        end, start, pushed, path = part.split(",", 3)
        streams[path] = {"end": float(end), "start": float(start), "pushed": pushed == "1"}
    return streams


def push_figures(field):
    s = nghttp_streams(field)
    if not s or PAGE not in s or any(r not in s for r in RESOURCES):
        return None
    return {"complete": max(v["end"] for v in s.values()), "page": s[PAGE]["end"],
            "pushed": sum(1 for v in s.values() if v["pushed"]), "streams": s}


def chromium_figures(load):
    if not load:
        return None
    rt = load["rt"]
    res = {urlsplit(e["name"]).path: e for e in rt.get("resources", [])}
    if any(r not in res for r in RESOURCES):
        return None
    nav = rt["navigation"]
    net = load.get("net", {})
    arrived = [net.get(r, {}).get("end") for r in RESOURCES]
    return {
        "css_js": max(res[r]["responseEnd"] for r in RESOURCES),
        "css_js_net": max(arrived) if None not in arrived else None,
        "html": nav.get("responseEnd"),
        "hint": nav.get("firstInterimResponseStart") or None,
        "initiators": tuple(res[r]["initiatorType"] for r in RESOURCES),
        "rt": rt, "net": net, "res": res,
    }


def brief(nghttp_field, chromium_json):
    p = push_figures(nghttp_field)
    c = chromium_figures(None if chromium_json == "FAIL" else json.loads(chromium_json))
    return (f"{fmt(p and p['complete'], '{:.0f}', 'FAIL')}/"
            f"{fmt(c and c['css_js'], '{:.0f}', 'FAIL')}")


# --- the report -------------------------------------------------------------

def read(path):
    rows = {}
    with open(path) as f:
        for raw in f:
            cols = raw.rstrip("\n").split("\t", 3)
            if len(cols) == 4:
                rows.setdefault((cols[0], cols[1]), []).append((int(cols[2]), cols[3]))
    return rows


def pick_median(loads, key):
    """the load whose figure is the median (the lower middle one for an even
    count), so that the chart shows one real load"""
    loads = sorted((l for l in loads if l and l.get(key) is not None), key=lambda l: l[key])
    return loads[(len(loads) - 1) // 2] if loads else None


def summarize(rows, configs):
    handler = median(p[PAGE]["end"] for _, f in rows.get(("handler", "nohints"), [])
                     for p in [nghttp_streams(f)] if p and PAGE in p)
    rtt = median(num(f) for _, f in rows.get(("rtt", "nohints"), []))
    out = {"handler": handler, "rtt": rtt, "configs": {}}
    by_round = {}
    for c in configs:
        push = [(r, push_figures(f)) for r, f in rows.get(("nghttp", c), [])]
        chro = [(r, chromium_figures(None if f == "FAIL" else json.loads(f)))
                for r, f in rows.get(("chromium", c), [])]
        for r, x in chro:
            by_round.setdefault(r, {})[c] = x
        pl = [x for _, x in push if x]
        cl = [x for _, x in chro if x]
        inits = {}
        for x in cl:
            for path, it in zip(RESOURCES, x["initiators"]):
                inits.setdefault(path, {}).setdefault(it, 0)
                inits[path][it] += 1
        out["configs"][c] = {
            "loads": len(push), "push_failed": len(push) - len(pl),
            "chromium_loads": len(chro), "chromium_failed": len(chro) - len(cl),
            "complete": median(x["complete"] for x in pl),
            "page": median(x["page"] for x in pl),
            "pushed": median(x["pushed"] for x in pl),
            "css_js": median(x["css_js"] for x in cl),
            "css_js_net": median(x["css_js_net"] for x in cl),
            "html": median(x["html"] for x in cl),
            "hint": median(x["hint"] for x in cl),
            "initiators": inits,
            "push_median": pick_median(pl, "complete"),
            "chromium_median": pick_median(cl, "css_js"),
        }
        limit = (handler + rtt) if handler is not None and rtt is not None else None
        s = out["configs"][c]
        s["ratio"] = s["complete"] / limit if s["complete"] is not None and limit else None
    # paired, same-round differences: how much of a gap is noise
    out["pairs"] = {}
    for a, b in (("quartpush", "h2earlyhint"), ("quartpush", "nohints")):
        d = [x[a]["css_js"] - x[b]["css_js"] for x in by_round.values()
             if x.get(a) and x.get(b)]
        out["pairs"][(a, b)] = d
    return out


def targets(s):
    """(target, wanted, measured, status) rows. A target on two medians is
    met or MISSED on those medians alone; a miss whose margin the same-round
    differences of the two configurations do not show beyond their middle
    half is marked as within noise."""
    q = s["configs"].get("quartpush")
    n = s["configs"].get("nohints")
    h = s["configs"].get("h2earlyhint")
    rtt = s["rtt"]
    if not q:
        return []

    def less(a, b, key):
        return (a[key] - b[key] if a and b and a[key] is not None and b[key] is not None
                else None)
    rtt_text = fmt(rtt, "{:.1f} ms")
    rows = [
        ("Chromium: CSS and JS usable by the page, how much sooner than with no hints",
         f">= 1 RTT ({rtt_text})", less(n, q, "css_js"),
         lambda v: rtt is not None and v >= rtt, "{:.1f} ms",
         [-d for d in s["pairs"].get(("quartpush", "nohints"), [])], "ge", rtt),
        ("... the same for their arrival over the network", "(for reference)",
         less(n, q, "css_js_net"), None, "{:.1f} ms", [], "ge", rtt),
        ("Chromium: CSS and JS usable by the page, mod_quartpush less H2EarlyHint",
         "<= 0 ms (at least as soon)", less(q, h, "css_js"), lambda v: v <= 0, "{:+.1f} ms",
         s["pairs"].get(("quartpush", "h2earlyhint"), []), "le", 0),
        ("Push client: page and resources complete, x (handler + 1 RTT)", "<= 1.1x",
         q["ratio"], lambda v: v <= 1.1, "{:.3f}x", [], "", None),
    ]
    out = []
    for name, want, v, ok, spec, pairs, sense, limit in rows:
        if ok is None:
            status = ""         # information: no target, no verdict
        elif v is None:
            status = "not measured"
        elif ok(v):
            status = "met"
        else:
            status = "MISSED"
            mid = spread(pairs)
            if mid and limit is not None and (mid[1] >= limit if sense == "ge" else mid[0] <= limit):
                status = "MISSED (within noise)"
        out.append((name, want, fmt(v, spec), status))
    return out


def initiators_text(inits):
    parts = []
    for path in RESOURCES:
        counts = inits.get(path, {})
        parts.append(SHORT[path] + ": " + (", ".join(
            f"{k}" + (f" ({v}x)" if len(counts) > 1 else "") for k, v in sorted(counts.items()))
            or "n/a"))
    return "; ".join(parts)


def spread(values):
    if len(values) < 4:
        return None
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def markdown(s, labels, args):
    now = args.when or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rounds = max((v["loads"] for v in s["configs"].values()), default=0)
    lines = [
        "# Slow page, Early Hints and push",
        "",
        f"{now}, {os.cpu_count()} cores, {args.mode} run of `{'QUICK=1 ' if args.mode == 'quick' else ''}"
        f"bench/early-hints` (figure 6 of `make bench`), which took {args.seconds} s, "
        f"of the code at commit {args.commit}; {args.chromium or 'Chromium'}.",
        "A CGI that works 300 ms makes a page that needs a CSS and a JS file. Each configuration "
        "serves it from its own httpd (TLS h2) behind its own `bench/qp_delayproxy`, "
        f"{args.delay_ms:g} ms each way. Medians of {rounds} rounds; each round loads every "
        "configuration once with each client, in an order that rotates.",
        "",
        f"Yardsticks, measured in every round: the handler, the page alone without the proxy: "
        f"**{fmt(s['handler'], '{:.1f} ms')}**; one round trip through the proxy (HTTP/2 PING): "
        f"**{fmt(s['rtt'], '{:.1f} ms')}**; handler + 1 RTT: "
        f"**{fmt(s['handler'] + s['rtt'] if s['handler'] is not None and s['rtt'] is not None else None, '{:.1f} ms')}**.",
        "",
        "| Configuration | Chromium: 103 received | Chromium: HTML loaded | Chromium: CSS+JS usable by the page "
        "| Chromium: CSS+JS arrived | CSS, JS initiatorType | nghttp -nas: pushes "
        "| nghttp -nas: page | nghttp -nas: all complete | x (handler + 1 RTT) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for c, v in s["configs"].items():
        fails = []
        if v["chromium_failed"]:
            fails.append(f"{v['chromium_failed']} Chromium loads failed")
        if v["push_failed"]:
            fails.append(f"{v['push_failed']} nghttp loads failed")
        name = labels.get(c, c) + (f" ({', '.join(fails)})" if fails else "")
        lines.append(
            f"| {name} | {fmt(v['hint'], '{:.0f} ms', 'none')} | {fmt(v['html'])} "
            f"| **{fmt(v['css_js'])}** | {fmt(v['css_js_net'])} | {initiators_text(v['initiators'])} "
            f"| {fmt(v['pushed'], '{:.0f}')} | {fmt(v['page'])} | **{fmt(v['complete'])}** "
            f"| {fmt(v['ratio'], '{:.3f}x')} |")
    lines += ["", "Chromium's times count from navigation start (its TLS handshake included); "
              "nghttp's from the end of its TLS handshake. \"Usable by the page\" is the later "
              "`responseEnd` of the CSS and the JS in the page's Resource Timing; \"arrived\" is "
              "when the later of the two finished over the network, from Chromium's net log. "
              "They differ for Early Hints: Chromium fetches the hinted files while the server "
              "works, but hands them to the page only once the HTML is in, and Resource Timing "
              "times that hand-over (from the HTTP cache), not the network fetch."]
    t = targets(s)
    if t:
        lines += ["", "## Targets for mod_quartpush", "",
                  "| Target | Wanted | Measured | |", "|---|---|---:|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in t]
        notes = []
        for (a, b), d in s["pairs"].items():
            mid = spread(d)
            if mid:
                notes.append(f"{labels.get(a, a)} less {labels.get(b, b)}: median "
                             f"{median(d):+.1f} ms, middle half {mid[0]:+.1f} to {mid[1]:+.1f} ms "
                             f"({len(d)} rounds)")
        if notes:
            lines += ["", "Noise: the same-round differences of CSS+JS usable in Chromium, "
                      + "; ".join(notes) + "."]
    lines += ["", "The chart: [waterfall.svg](waterfall.svg); raw figures: "
              "[early-hints.tsv](early-hints.tsv). How to read them: "
              "[bench/README.md](../README.md#slow-page-early-hints-and-push).", ""]
    return "\n".join(lines)


COLORS = {"HTML": "#7f7f7f", "CSS": "#4c78a8", "JS": "#f58518"}


def svg(s, labels, args):
    """Two panels on one ms axis: Chromium's median load per configuration
    (HTML, CSS, JS), then nghttp's median load per configuration."""
    confs = list(s["configs"])
    width, left, right = 980, 250, 30
    lane_h, lane_gap, group_gap = 14, 4, 14
    tmax = 0
    for v in s["configs"].values():
        c = v["chromium_median"]
        if c:
            tmax = max([tmax, c["html"] or 0, c["css_js"]] +
                       [n.get("end", 0) for n in c["net"].values()])
        p = v["push_median"]
        if p:
            tmax = max(tmax, p["complete"])
    step = 100 if tmax > 400 else 50
    tmax = (int(tmax / step) + 1) * step
    scale = (width - left - right) / tmax

    def x(t):
        return left + t * scale
    body = []
    y = 34
    body.append(f'<text x="10" y="20" font-size="15">Slow page (300 ms handler) over '
                f'{2 * args.delay_ms:g} ms RTT: median loads ({args.mode} run)</text>')

    def axis(top, bottom, caption):
        out = []
        for t in range(0, tmax + 1, step):
            out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}" '
                       'stroke="#e0e0e0"/>')
            out.append(f'<text x="{x(t):.1f}" y="{bottom + 13}" text-anchor="middle" '
                       f'font-size="11">{t}</text>')
        out.append(f'<text x="{x(tmax):.1f}" y="{bottom + 27}" text-anchor="end" '
                   f'font-size="11">{caption}</text>')
        return out

    def bar(y, t0, t1, color, opacity=1.0, dash=False):
        if t0 is None or t1 is None:
            return ""
        w = max(1.5, (t1 - t0) * scale)
        extra = ' stroke="#333" stroke-dasharray="3,2" fill-opacity="0.25"' if dash else ""
        return (f'<rect x="{x(t0):.1f}" y="{y}" width="{w:.1f}" height="{lane_h}" '
                f'fill="{color}" opacity="{opacity}"{extra}/>')

    # --- Chromium panel
    body.append(f'<text x="10" y="{y + 12}" font-weight="bold">Headless Chromium (refuses push): '
                'ms from navigation start</text>')
    y += 24
    top = y
    lanes = []
    for c in confs:
        m = s["configs"][c]["chromium_median"]
        body.append(f'<text x="10" y="{y + 11}" font-weight="bold">{labels.get(c, c)}</text>')
        y += lane_h + lane_gap
        if not m:
            body.append(f'<text x="{left}" y="{y + 11}">no successful load</text>')
            y += lane_h + lane_gap + group_gap
            continue
        nav = m["rt"]["navigation"]
        # HTML: connecting, then the request until responseEnd
        lanes.append(f'<text x="{left - 8}" y="{y + 11}" text-anchor="end">HTML</text>')
        lanes.append(bar(y, 0, nav.get("requestStart"), COLORS["HTML"], 0.3))
        lanes.append(bar(y, nav.get("requestStart"), nav.get("responseEnd"), COLORS["HTML"]))
        if m["hint"]:
            lanes.append(f'<line x1="{x(m["hint"]):.1f}" y1="{y - 2}" x2="{x(m["hint"]):.1f}" '
                         f'y2="{y + lane_h + 2}" stroke="#d62728" stroke-width="2"/>')
            lanes.append(f'<text x="{x(m["hint"]) + 4:.1f}" y="{y + 11}" font-size="11" '
                         'fill="white">103</text>')
        lanes.append(f'<text x="{x(nav.get("responseEnd", 0)) + 5:.1f}" y="{y + 11}" '
                     f'font-size="11">{nav.get("responseEnd", 0):.0f}</text>')
        y += lane_h + lane_gap
        for path in RESOURCES:
            name = SHORT[path]
            e = m["res"][path]
            n = m["net"].get(path, {})
            lanes.append(f'<text x="{left - 8}" y="{y + 11}" text-anchor="end">{name} '
                         f'({e["initiatorType"]})</text>')
            # the network fetch (net log), then the hand-over to the page if
            # that came later (Resource Timing)
            if n.get("send") is not None and n.get("end") is not None:
                lanes.append(bar(y, n["start"], n["end"], COLORS[name]))
                if e["startTime"] > n["end"] + 1:
                    lanes.append(f'<text x="{x(n["end"]) + 5:.1f}" y="{y + 11}" '
                                 f'font-size="11">{n["end"]:.0f}</text>')
                    lanes.append(bar(y, e["startTime"], e["responseEnd"], COLORS[name], 1.0, True))
            else:
                lanes.append(bar(y, e["startTime"], e["responseEnd"], COLORS[name]))
            lanes.append(f'<text x="{x(e["responseEnd"]) + 5:.1f}" y="{y + 11}" '
                         f'font-size="11">{e["responseEnd"]:.0f}</text>')
            y += lane_h + lane_gap
        y += group_gap
    body += axis(top - 4, y - group_gap + 2, "ms since navigation start")
    body += lanes
    y += 40

    # --- push client panel
    body.append(f'<text x="10" y="{y + 12}" font-weight="bold">nghttp -nas (accepts push): '
                'ms from the end of the TLS handshake</text>')
    y += 24
    top = y
    lanes = []
    limit = (s["handler"] + s["rtt"]) if s["handler"] and s["rtt"] else None
    for c in confs:
        m = s["configs"][c]["push_median"]
        body.append(f'<text x="10" y="{y + 11}" font-weight="bold">{labels.get(c, c)}</text>')
        y += lane_h + lane_gap
        if not m:
            body.append(f'<text x="{left}" y="{y + 11}">no successful load</text>')
            y += lane_h + lane_gap + group_gap
            continue
        for path in [PAGE] + RESOURCES:
            st = m["streams"][path]
            name = SHORT[path]
            lanes.append(f'<text x="{left - 8}" y="{y + 11}" text-anchor="end">{name}'
                         f'{" (pushed)" if st["pushed"] else ""}</text>')
            lanes.append(bar(y, st["start"], st["end"], COLORS[name]))
            lanes.append(f'<text x="{x(st["end"]) + 5:.1f}" y="{y + 11}" '
                         f'font-size="11">{st["end"]:.0f}</text>')
            y += lane_h + lane_gap
        y += group_gap
    body += axis(top - 4, y - group_gap + 2, "ms since the end of the TLS handshake")
    if limit:
        body.append(f'<line x1="{x(limit):.1f}" y1="{top - 8}" x2="{x(limit):.1f}" '
                    f'y2="{y - group_gap + 2}" stroke="#333" stroke-dasharray="4,3"/>')
        body.append(f'<text x="{x(limit) + 4:.1f}" y="{top - 10}" font-size="11">handler + 1 RTT '
                    f'= {limit:.0f} ms</text>')
    body += lanes
    y += 40
    # legend
    lx = 10
    for text, color, op, dash in (("HTML", COLORS["HTML"], 1, False), ("CSS", COLORS["CSS"], 1, False),
                                  ("JS", COLORS["JS"], 1, False),
                                  ("connecting (TCP, TLS)", COLORS["HTML"], 0.3, False),
                                  ("handed to the page from the early-hints fetch", "#999", 1, True)):
        extra = ' stroke="#333" stroke-dasharray="3,2" fill-opacity="0.25"' if dash else ""
        body.append(f'<rect x="{lx}" y="{y - 10}" width="14" height="12" fill="{color}" '
                    f'opacity="{op}"{extra}/>')
        body.append(f'<text x="{lx + 18}" y="{y}" font-size="12">{text}</text>')
        lx += 26 + 7 * len(text)
    body.append(f'<line x1="{lx}" y1="{y - 11}" x2="{lx}" y2="{y + 2}" stroke="#d62728" '
                'stroke-width="2"/>')
    body.append(f'<text x="{lx + 6}" y="{y}" font-size="12">103 Early Hints received</text>')
    y += 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
            f'font-family="sans-serif" font-size="12">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(b for b in body if b) + "\n</svg>\n")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "brief":
        print(brief(sys.argv[2], sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["report"])
    ap.add_argument("tsv")
    ap.add_argument("outdir")
    ap.add_argument("--delay-ms", type=float, default=25)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--seconds", default="?")
    ap.add_argument("--chromium", default="")
    ap.add_argument("--labels", default="")
    ap.add_argument("--when", default="", help="the time of the run (default: now)")
    ap.add_argument("--commit", default="(unknown)")
    args = ap.parse_args()
    labels = parse_labels(args.labels)
    configs = list(labels) or ["nohints", "h2earlyhint", "quartpush"]
    s = summarize(read(args.tsv), configs)
    with open(os.path.join(args.outdir, "early-hints.md"), "w") as f:
        f.write(markdown(s, labels, args))
    with open(os.path.join(args.outdir, "waterfall.svg"), "w") as f:
        f.write(svg(s, labels, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
