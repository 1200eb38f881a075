#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Turns the raw figures of bench/run (a TSV) into bench/results/latest.md,
a Markdown table with the ratios and the targets, and ratios.svg, a bar
chart of the main ratios. Python standard library only."""
import argparse
import datetime
import os
import platform
import sys


from qp_stats import median, median_ci, num, parse_labels  # noqa: E402  (bench/qp_stats.py)


def kv(line):
    return dict(part.split("=", 1) for part in line.split() if "=" in part)


def read(path):
    """pair: CONF ROUND BASELINE_RPS CONF_RPS (adjacent runs);
    push, push_h2c: CONF ROUND qp_pushload result line;
    complete: CONF LOAD MS; rss: CONF KB_FEW KB_MANY"""
    pairs, push, push_h2c, complete, rss = {}, {}, {}, {}, {}
    matcher = {}
    where = {}
    with open(path) as f:
        for raw in f:
            cols = raw.rstrip("\n").split("\t")
            kind, conf = cols[0], cols[1]
            if kind == "pair":
                pairs.setdefault(conf, []).append((cols[2], num(cols[3]), num(cols[4])))
            elif kind in ("pair_plain", "pair_aa", "pair_nav", "pair_manifest", "pair_push"):
                where.setdefault(kind, []).append((cols[2], num(cols[3]), num(cols[4])))
            elif kind == "push":
                push.setdefault(conf, []).append(dict(kv(cols[3]), round=cols[2]))
            elif kind == "push_h2c":
                push_h2c.setdefault(conf, []).append(kv(cols[3]))
            elif kind == "complete":
                complete.setdefault(conf, []).append(num(cols[3]))
            elif kind == "rss":
                rss[conf] = (num(cols[2]), num(cols[3]))
            elif kind == "matcher":
                matcher[int(conf)] = num(cols[2])
            elif kind == "matcher_mem":
                matcher["bytes"] = num(cols[2])
    return pairs, push, push_h2c, complete, rss, matcher, where


def where_rows(where):
    """Figures 1b and 1c, pairs loaded at the same time: (kind, name,
    reference, median req/s of the reference, of the other, median of the
    rounds' ratios, its 95% interval or None, rounds)"""
    rows = []
    for kind, name, ref in (
            ("pair_plain", "Non-navigations (no Sec-Fetch headers): the module, rules on every URL",
             "the same httpd without the module"),
            ("pair_nav", "Navigations (Sec-Fetch-Mode navigate, Dest document): the module's 103",
             "mod_http2's H2EarlyHint, the same links"),
            ("pair_manifest", "Navigations, a route whose @ resource (QuartPushManifest) expands to 6 files",
             "the same route with the 6 files written out"),
            ("pair_aa", "The method's own error (A/A): an httpd without the module, no Sec-Fetch headers",
             "its identical twin")):
        ps = where.get(kind, [])
        ratios = [v / b for _, b, v in ps if v and b]
        rows.append((kind, name, ref, median(b for _, b, _ in ps), median(v for _, _, v in ps),
                     median(ratios), median_ci(ratios), len(ratios)))
    return rows


def at_least(floor):
    """A verdict on (median, interval): met when the whole 95% interval is
    at or above FLOOR, MISSED when it is all below, unresolved when the
    interval holds FLOOR (more rounds, or instructions.md, decide)"""
    def verdict(r, ci):
        if r is None:
            return "not measured"
        if ci is None:
            return "met (no interval)" if r >= floor else "MISSED (no interval)"
        if ci[0] >= floor:
            return "met"
        if ci[1] < floor:
            return "MISSED"
        return "unresolved"
    return verdict


def fmt_ci(ci):
    return "n/a (under 6 rounds)" if ci is None else f"{ci[0]:.3f} to {ci[1]:.3f}"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt(value, spec="{:.0f}", none="n/a"):
    return none if value is None else spec.format(value)


def summarize(pairs, push, push_h2c, complete, rss, rtt_ms):
    confs = ["baseline"] + [c for c in push if c != "baseline"]
    out = {}
    for c in confs:
        if c == "baseline":
            runs = [b for ps in pairs.values() for _, b, _ in ps]
            ratios = [1.0] if runs else []
        else:
            runs = [v for _, _, v in pairs.get(c, [])]
            ratios = [v / b for _, b, v in pairs.get(c, []) if v and b]
        loads = push.get(c, [])
        loads_h2c = push_h2c.get(c, [])
        s = {
            "rps": median(runs),
            "rps_ratio": median(ratios),
            "pages_per_s": median(num(x.get("pages_per_s")) for x in loads),
            "pushes_per_s": median(num(x.get("pushes_per_s")) for x in loads),
            "pushes_per_s_h2c": median(num(x.get("pushes_per_s")) for x in loads_h2c),
            "push_per_page": median(num(x.get("push_per_page")) for x in loads),
            "push_failed": sum(int(num(x.get("failed")) or 0) for x in loads + loads_h2c),
            "complete_ms": median(complete.get(c, [])),
            "rss_few": rss.get(c, (None, None))[0],
            "rss_many": rss.get(c, (None, None))[1],
        }
        s["complete_ratio"] = (s["complete_ms"] / rtt_ms
                               if s["complete_ms"] is not None else None)
        s["rss_growth"] = (s["rss_many"] - s["rss_few"]
                           if s["rss_few"] is not None and s["rss_many"] is not None
                           else None)
        out[c] = s
    return out


def ratio(a, b):
    return a / b if a is not None and b else None


def same_round_rps(pairs, a, b):
    """Median over rounds of a's throughput over b's, each taken as a ratio
    to the baseline run next to it in that round: never a ratio of medians
    of different rounds."""
    ra = {r: v / base for r, base, v in pairs.get(a, []) if v and base}
    rb = {r: v / base for r, base, v in pairs.get(b, []) if v and base}
    return median(ra[r] / rb[r] for r in ra if r in rb and rb[r])


def same_round_pushes(push, a, b):
    """Median over rounds of a's pushes per second over b's in that round."""
    pa = {x["round"]: num(x.get("pushes_per_s")) for x in push.get(a, [])}
    pb = {x["round"]: num(x.get("pushes_per_s")) for x in push.get(b, [])}
    return median(pa[r] / pb[r] for r in pa if pa[r] and pb.get(r))


def targets(s, pairs, push, where):
    """(target, wanted, measured, verdict): rows wanted "(for reference)" are
    information and get no verdict. Every comparison of two configurations
    is a same-round ratio."""
    q = s.get("quartpush")
    if not q:
        return []
    qa = s.get("quart", {})
    ref = "(for reference)"
    rows = [
        ("Navigations: throughput ratio to the no-push baseline, which sends no 103 (the cost of the 103)", ref,
         q["rps_ratio"], None, "{:.3f}"),
        # held in instructions per request (bench/instructions, figure G/E):
        # same-round req/s ratios of these two vary by more than 10%
        ("Throughput relative to H2PushResource, both sending their 103 (held in instructions.md)", ref,
         same_round_rps(pairs, "quartpush", "h2push"), None, "{:.3f}x"),
        ("Pushes per second relative to H2PushResource, one after the other (2b holds the target)", ref,
         same_round_pushes(push, "quartpush", "h2push"), None, "{:.3f}x"),
        ("Pushes per second relative to Quart + Hypercorn", ref,
         same_round_pushes(push, "quartpush", "quart"), None, "{:.1f}x"),
        ("... the same over h2c (no TLS handshake per load)", ref,
         ratio(q["pushes_per_s_h2c"], qa.get("pushes_per_s_h2c")), None, "{:.1f}x"),
        ("Page completion relative to the 1-RTT limit", "<= 1.1x",
         q["complete_ratio"], lambda v: v <= 1.1, "{:.3f}x"),
        # held in instructions per request (bench/instructions, figure E/F)
        ("1,000 routes: throughput relative to QuartPushResource, both sending their 103 (held in instructions.md)", ref,
         same_round_rps(pairs, "quartpush_dsl", "quartpush"), None, "{:.3f}x"),
        ("RSS growth of the server process", "< 1024 kB",
         q["rss_growth"], lambda v: v < 1024, "{:.0f} kB"),
        ("... less the baseline's own growth (same httpd, no push)", ref,
         (q["rss_growth"] - s["baseline"]["rss_growth"]
          if q["rss_growth"] is not None and s.get("baseline", {}).get("rss_growth") is not None
          else None), None, "{:+.0f} kB"),
    ]
    out = [(name, want, fmt(v, spec),
            "" if ok is None else "met" if v is not None and ok(v) else
            ("not measured" if v is None else "MISSED"))
           for name, want, v, ok, spec in rows]
    # figures 1b and 1c first, judged on their medians' 95% intervals
    wanted = [(f"{name}, relative to {ref_name} (median of {n} rounds; 95% interval)", ">= 0.99x",
               f"{fmt(r, '{:.3f}x')} ({fmt_ci(ci)})", at_least(0.99)(r, ci))
              for kind, name, ref_name, _, _, r, ci, n in where_rows(where) if kind != "pair_aa"]
    ps = where.get("pair_push", [])
    ratios = [v / b for _, b, v in ps if v and b]
    r, ci = median(ratios), median_ci(ratios)
    push_row = (f"Pushes per second relative to H2PushResource, at the same time on one core "
                f"(median of {len(ratios)} rounds; 95% interval)", ">= 1.0x",
                f"{fmt(r, '{:.3f}x')} ({fmt_ci(ci)})", at_least(1.0)(r, ci))
    return wanted + out[:3] + [push_row] + out[3:]


def markdown(s, labels, args, rss_counts, pairs, push, where):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# mod_quartpush benchmark",
        "",
        f"{now}, {os.cpu_count()} cores ({cpu_model()}), {args.mode} run "
        f"(`make bench{' QUICK=1' if args.mode == 'quick' else ''}`), "
        f"of the code at commit {args.commit}.",
        "Each configuration serves the same page (4 KB) with three resources "
        "(CSS, JS, image, 5-6 KB each) over TLS h2 on 127.0.0.1.",
        "",
        "| Configuration | req/s, push refused | ratio to baseline | page loads/s with pushes | pushes/s "
        f"| pushes/s, h2c | page complete, {args.rtt_ms:.0f} ms RTT | x 1-RTT limit "
        f"| RSS after {rss_counts[0]} req | RSS growth to {rss_counts[1]} req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c, v in s.items():
        pushes = "n/a (no push)" if c == "baseline" else fmt(v["pushes_per_s"])
        pushes_h2c = "n/a" if c == "baseline" else fmt(v["pushes_per_s_h2c"])
        if v["push_failed"]:
            pushes += f" ({v['push_failed']} loads failed)"
        lines.append(
            f"| {labels.get(c, c)} | {fmt(v['rps'])} | {fmt(v['rps_ratio'], '{:.3f}')} "
            f"| {fmt(v['pages_per_s'])} | {pushes} | {pushes_h2c} "
            f"| {fmt(v['complete_ms'], '{:.1f} ms')} | {fmt(v['complete_ratio'], '{:.2f}')} "
            f"| {fmt(v['rss_few'] and v['rss_few'] / 1024, '{:.1f} MB')} "
            f"| {fmt(v['rss_growth'], '{:+.0f} kB')} |")
    lines += ["", "## Announce only where it helps (figures 1b and 1c)", "",
              "1b: the same three links on every URL (`<Location \"/\">`); 1c: a route "
              "for the page naming a manifest entry of 6 files, or the 6 files. h2load "
              "(push refused) on the page. The two servers of a pair share one core and "
              "are loaded at the same time, in new children every round (a graceful "
              "restart); the ratio is the median of the rounds' ratios, with its "
              "distribution-free 95% interval. The A/A row is the same done with two "
              "identical servers: the method's own error.", "",
              "| Requests | Reference | req/s, reference | req/s, other | ratio (median) | 95% interval | rounds |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for _, name, ref_name, b, v, r, ci, n in where_rows(where):
        lines.append(f"| {name} | {ref_name} | {fmt(b)} | {fmt(v)} | {fmt(r, '{:.3f}x')} "
                     f"| {fmt_ci(ci)} | {n} |")
    t = targets(s, pairs, push, where)
    if t:
        lines += ["", "## Targets for mod_quartpush", "",
                  "| Target | Wanted | Measured | |", "|---|---|---:|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in t]
    m = args.matcher
    if m:
        lines += ["", "## Route matcher", "",
                  "`bench/qp_route_bench`: one `qp_routes_match` on generated tables "
                  "of every route shape, median of repeated runs.", "",
                  "| Routes | ns per match |", "|---:|---:|"]
        lines += [f"| {n:,} | {fmt(m.get(n), '{:.1f}')} |" for n in (10, 1000, 100000)]
        ratio_m = ratio(m.get(100000), m.get(10))
        lines += ["", "| Target | Wanted | Measured | |", "|---|---|---:|---|",
                  f"| 100,000 routes relative to 10 | <= 1.5x | {fmt(ratio_m, '{:.2f}x')} "
                  f"| {'met' if ratio_m is not None and ratio_m <= 1.5 else 'MISSED'} |",
                  f"| time per match at 100,000 routes | < 2000 ns | {fmt(m.get(100000), '{:.1f} ns')} "
                  f"| {'met' if m.get(100000) is not None and m[100000] < 2000 else 'MISSED'} |",
                  f"| memory of 100,000 compiled routes | < 64 MB | "
                  f"{fmt(m.get('bytes') and m['bytes'] / 1048576, '{:.1f} MB')} "
                  f"| {'met' if m.get('bytes') is not None and m['bytes'] < 64 * 1048576 else 'MISSED'} |"]
    lines += ["", "How to read each figure: [bench/README.md](../README.md). "
              "The chart: [ratios.svg](ratios.svg). The slow page with Early Hints "
              "(figure 6): [early-hints.md](early-hints.md). The differences too small "
              "for req/s, in instructions per request: [instructions.md](instructions.md).", ""]
    return "\n".join(lines)


def svg(s, labels, args, where):
    """Four panels of horizontal bars: the ratios users compare."""
    wr = where_rows(where)
    panels = [
        ("Rules on every URL: throughput, push refused (x reference; higher is better)",
         {"no Sec-Fetch (x no module)": wr[0][5],
          "navigations (x H2EarlyHint)": wr[1][5],
          "@ resource of 6 files (x written out)": wr[2][5],
          "A/A: no module (x its twin)": wr[3][5]}, 1.0),
        ("Navigations, push refused (x no-push baseline, which sends no 103; higher is better)",
         {c: v["rps_ratio"] for c, v in s.items()}, 1.0),
        ("Pushes per second (x H2PushResource; higher is better)",
         {c: ratio(v["pushes_per_s"], s.get("h2push", {}).get("pushes_per_s"))
          for c, v in s.items() if c != "baseline"}, 1.0),
        (f"Page completion over {args.rtt_ms:.0f} ms RTT (x 1-RTT limit; lower is better)",
         {c: v["complete_ratio"] for c, v in s.items()}, 1.0),
    ]
    colors = {"baseline": "#999999", "h2push": "#4c78a8", "headers": "#72b7b2",
              "quartpush": "#2ca02c", "quartpush_dsl": "#98df8a", "quart": "#e45756"}
    width, left, bar_h, gap = 900, 320, 18, 6
    y = 40
    body = []
    for title, values, ref in panels:
        body.append(f'<text x="10" y="{y}" font-weight="bold">{title}</text>')
        y += 10
        top = y
        vmax = max([v for v in values.values() if v is not None] + [ref]) * 1.1
        scale = (width - left - 80) / vmax
        for c, v in values.items():
            body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">'
                        f'{labels.get(c, c)}</text>')
            if v is not None:
                w = max(1.0, v * scale)
                body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                            f'fill="{colors.get(c, "#888")}"/>')
                body.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">{v:.2f}x</text>')
            else:
                body.append(f'<text x="{left + 6}" y="{y + 13}">n/a</text>')
            y += bar_h + gap
        xr = left + ref * scale
        body.append(f'<line x1="{xr:.1f}" y1="{top - 4}" x2="{xr:.1f}" y2="{y - gap + 4}" '
                    'stroke="#333" stroke-dasharray="4,3"/>')
        y += 30
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
            f'font-family="sans-serif" font-size="13">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="10" y="20" font-size="15">mod_quartpush benchmark ({args.mode} run, '
            f'{os.cpu_count()} cores)</text>\n' + "\n".join(body) + "\n</svg>\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("outdir")
    ap.add_argument("--rtt-ms", type=float, default=50)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--labels", default="")
    ap.add_argument("--rss-counts", default="")
    ap.add_argument("--commit", default="(unknown)")
    args = ap.parse_args()
    labels = parse_labels(args.labels)
    pairs, push, push_h2c, complete, rss, args.matcher, where = read(args.tsv)
    s = summarize(pairs, push, push_h2c, complete, rss, args.rtt_ms)
    counts = args.rss_counts.split(",") if args.rss_counts else ["few", "many"]
    with open(os.path.join(args.outdir, "latest.md"), "w") as f:
        f.write(markdown(s, labels, args, counts, pairs, push, where))
    with open(os.path.join(args.outdir, "ratios.svg"), "w") as f:
        f.write(svg(s, labels, args, where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
