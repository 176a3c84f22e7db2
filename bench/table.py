#!/usr/bin/env python3
"""Turns the benchmark's raw results into the printed tables, and checks a printed table.

    table.py render RESULTS.tsv [--criterion DIR]   print the tables and the targets
    table.py check OUTPUT.md --tools T,... --live-sizes N,... [--offline-sizes N,...]
                                                   exit 1 unless OUTPUT.md is well formed
                                                   (a row for each tool at each size given)

RESULTS.tsv has one line per run: part (live|offline|shape-SHAPE), tool, N, run, wall seconds,
requests (or -), peak RSS in KiB. Medians are taken over the runs of one (part, tool, N).
The targets are the goals of the benchmark issue; they are printed, never asserted here.
"""

import argparse
import json
import os
import re
import statistics
import sys

TOOLS = ["hipaa-iam", "guide (aws cli)", "prowler"]
# The tools of the offline part: Cloudsplaining scans the same authorization-details.json.
OFFLINE_TOOLS = ["hipaa-iam", "cloudsplaining"]
OFFLINE_HEADER = ["tool", "N", "runs", "wall s", "requests", "peak MB", "wall / hipaa-iam", "peak MB / hipaa-iam"]
# gen_exports.py's IAM-023 shapes, each a part `shape-NAME` of the results.
SHAPES = ["own-keys", "many-statements", "long-names"]


def load(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 7:
                sys.exit(f"table.py: {path}:{n}: expected 7 tab-separated fields, found {len(parts)}")
            part, tool, users, _run, wall, requests, rss = parts
            key = (part, tool, int(users))
            rows.setdefault(key, []).append(
                (float(wall), None if requests == "-" else int(requests), int(rss))
            )
    return rows


def medians(runs):
    wall = statistics.median(r[0] for r in runs)
    reqs = [r[1] for r in runs if r[1] is not None]
    requests = statistics.median(reqs) if reqs else None
    mb = statistics.median(r[2] for r in runs) / 1024
    return wall, requests, mb, len(runs)


def fmt(x, digits=2):
    if x is None:
        return "-"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.{digits}f}"
    return f"{int(x)}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.1f}x"


def criterion_ns(directory, name):
    """The mean estimate (ns) of criterion benchmark `name` (its directory name), if recorded."""
    if not directory:
        return None
    path = os.path.join(directory, name, "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["mean"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def render(args):
    rows = load(args.results)
    med = {k: medians(v) for k, v in rows.items()}
    out = []
    live = sorted({k[2] for k in med if k[0] == "live"})
    if live:
        out.append("Live audit against moto (medians over the runs; requests = HTTP requests moto received)")
        out.append("")
        out.append("| tool | N | runs | wall s | requests | peak MB | wall / hipaa-iam | requests / hipaa-iam | peak MB / hipaa-iam |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for n in live:
            base = med.get(("live", "hipaa-iam", n))
            for tool in TOOLS:
                m = med.get(("live", tool, n))
                if not m:
                    continue
                w, r, mb, runs = m
                bw, br, bmb = (base[0], base[1], base[2]) if base else (None, None, None)
                out.append(
                    f"| {tool} | {n} | {runs} | {w:.2f} | {fmt(r)} | {mb:.1f} | {ratio(w, bw)} | {ratio(r, br)} | {ratio(mb, bmb)} |"
                )
        out.append("")
    offline = sorted({k[2] for k in med if k[0] == "offline"})
    if offline:
        out.append("Offline audit of an exports directory (medians over the runs): hipaa-iam all checks and "
                   "evidence, cloudsplaining `scan` of its authorization-details.json (HTML report and JSON)")
        out.append("")
        out.append("| " + " | ".join(OFFLINE_HEADER) + " |")
        out.append("|" + "---|" * len(OFFLINE_HEADER))
        for n in offline:
            base = med.get(("offline", "hipaa-iam", n))
            for tool in OFFLINE_TOOLS:
                m = med.get(("offline", tool, n))
                if not m:
                    continue
                w, _, mb, runs = m
                bw, bmb = (base[0], base[2]) if base else (None, None)
                out.append(f"| {tool} | {n} | {runs} | {w:.2f} | 0 | {mb:.1f} | {ratio(w, bw)} | {ratio(mb, bmb)} |")
        out.append("")
    shaped = sorted({(k[0][len("shape-"):], k[2]) for k in med if k[0].startswith("shape-")},
                    key=lambda x: (SHAPES.index(x[0]) if x[0] in SHAPES else len(SHAPES), x[1]))
    if shaped:
        out.append("IAM-023 shapes: offline audit, all checks, no evidence directory (medians over the runs)")
        out.append("")
        out.append("| shape | N | runs | wall s | peak MB |")
        out.append("|---|---|---|---|---|")
        for shape, n in shaped:
            w, _, mb, runs = med[(f"shape-{shape}", "hipaa-iam", n)]
            out.append(f"| {shape} | {n} | {runs} | {w:.2f} | {mb:.1f} |")
        out.append("")

    def verdict(ok):
        return "PASS" if ok else "MISS"

    targets = []
    h = med.get(("live", "hipaa-iam", 1000))
    p = med.get(("live", "prowler", 1000))
    if h:
        targets.append(("live audit of 1,000 users: at most 15 requests", fmt(h[1]), verdict(h[1] is not None and h[1] <= 15)))
        targets.append(("live audit of 1,000 users: under 2 s wall", f"{h[0]:.2f} s", verdict(h[0] < 2)))
    else:
        targets += [("live audit of 1,000 users: at most 15 requests", "not run", "n/a"),
                    ("live audit of 1,000 users: under 2 s wall", "not run", "n/a")]
    if h and p:
        targets.append(("Prowler at 1,000 users: at least 20x the wall time", ratio(p[0], h[0]), verdict(p[0] >= 20 * h[0])))
        ok = p[1] is not None and h[1] and p[1] >= 100 * h[1]
        targets.append(("Prowler at 1,000 users: at least 100x the requests", ratio(p[1], h[1]), verdict(ok)))
    else:
        targets += [("Prowler at 1,000 users: at least 20x the wall time", "not run", "n/a"),
                    ("Prowler at 1,000 users: at least 100x the requests", "not run", "n/a")]
    o = med.get(("offline", "hipaa-iam", 100000))
    if o:
        targets.append(("offline audit of 100,000 users: under 3 s", f"{o[0]:.2f} s", verdict(o[0] < 3)))
        targets.append(("offline audit of 100,000 users: under 1 GB peak", f"{o[2]:.0f} MB", verdict(o[2] < 1024)))
    else:
        targets += [("offline audit of 100,000 users: under 3 s", "not run", "n/a"),
                    ("offline audit of 100,000 users: under 1 GB peak", "not run", "n/a")]
    o, c = med.get(("offline", "hipaa-iam", 10000)), med.get(("offline", "cloudsplaining", 10000))
    name = "10,000 users: hipaa-iam at least 10x faster than Cloudsplaining"
    if o and c:
        targets.append((name, f"{ratio(c[0], o[0])} ({c[0]:.2f} s / {o[0]:.2f} s)", verdict(c[0] >= 10 * o[0])))
    else:
        targets.append((name, "not run", "n/a"))
    for shape in SHAPES:
        name = f"IAM-023 shape {shape}, 10,000 users: under 2 s"
        m = med.get((f"shape-{shape}", "hipaa-iam", 10000))
        targets.append((name, f"{m[0]:.2f} s", verdict(m[0] < 2)) if m else (name, "not run", "n/a"))
    ns = criterion_ns(args.criterion, "policy_evaluation")
    if ns is not None:
        targets.append(("one policy evaluation: under 1 us (criterion mean)", f"{ns:.0f} ns", verdict(ns < 1000)))
    else:
        targets.append(("one policy evaluation: under 1 us (criterion mean)", "not run (cargo bench --workspace --bench policy)", "n/a"))
    out.append("Targets (goals, not timed tests)")
    out.append("")
    out.append("| target | result | status |")
    out.append("|---|---|---|")
    for t in targets:
        out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
    print("\n".join(out))


def check(args):
    """Exits 1 unless the output has the tables, every expected row, and numbers in them."""
    with open(args.output, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    problems = []
    tables, current = [], None
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if current is None:
                current = {"header": cells, "rows": []}
                tables.append(current)
            elif all(re.fullmatch(r"-+", c) for c in cells):
                continue
            else:
                if len(cells) != len(current["header"]):
                    problems.append(f"row has {len(cells)} cells, header {len(current['header'])}: {line}")
                current["rows"].append(cells)
        else:
            current = None
    live = next((t for t in tables if t["header"][:4] == ["tool", "N", "runs", "wall s"] and len(t["header"]) == 9), None)
    targets = next((t for t in tables if t["header"] == ["target", "result", "status"]), None)
    if not args.live_sizes:
        pass
    elif live is None:
        problems.append("no live table (| tool | N | runs | wall s | ... | with 9 columns)")
    else:
        have = {(r[0], r[1]) for r in live["rows"]}
        for tool in args.tools.split(","):
            for n in args.live_sizes.split(","):
                if (tool, n) not in have:
                    problems.append(f"live table has no row for {tool} at N={n}")
        for r in live["rows"]:
            for c in r[2:6]:
                if not re.fullmatch(r"\d+(\.\d+)?", c):
                    problems.append(f"live row {r[0]} N={r[1]}: '{c}' is not a number")
    if args.offline_sizes:
        off = next((t for t in tables if t["header"] == OFFLINE_HEADER), None)
        if off is None:
            problems.append("no offline table (| " + " | ".join(OFFLINE_HEADER) + " |)")
        else:
            have = {(r[0], r[1]) for r in off["rows"]}
            for tool in args.tools.split(","):
                for n in args.offline_sizes.split(","):
                    if (tool, n) not in have:
                        problems.append(f"offline table has no row for {tool} at N={n}")
            for r in off["rows"]:
                if r[0] not in OFFLINE_TOOLS:
                    problems.append(f"offline table: unknown tool '{r[0]}'")
                for c in r[2:6]:
                    if not re.fullmatch(r"\d+(\.\d+)?", c):
                        problems.append(f"offline row {r[0]} N={r[1]}: '{c}' is not a number")
                for c in r[6:8]:
                    if not re.fullmatch(r"\d+\.\dx|-", c):
                        problems.append(f"offline row {r[0]} N={r[1]}: '{c}' is not a ratio")
    if args.shape_sizes:
        sh = next((t for t in tables if t["header"] == ["shape", "N", "runs", "wall s", "peak MB"]), None)
        if sh is None:
            problems.append("no shapes table")
        else:
            have = {(r[0], r[1]) for r in sh["rows"]}
            for shape in (args.shapes or ",".join(SHAPES)).split(","):
                for n in args.shape_sizes.split(","):
                    if (shape, n) not in have:
                        problems.append(f"shapes table has no row for {shape} at N={n}")
    want = 8 + len(SHAPES)
    if targets is None or len(targets["rows"]) != want:
        problems.append(f"the targets table is missing or does not have its {want} targets")
    elif any(r[2] not in ("PASS", "MISS", "n/a") for r in targets["rows"]):
        problems.append("a target's status is not PASS, MISS or n/a")
    for p in problems:
        print(f"table.py: {args.output}: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("results")
    r.add_argument("--criterion", help="criterion's output directory (target/criterion)")
    c = sub.add_parser("check")
    c.add_argument("output")
    c.add_argument("--tools", default="hipaa-iam")
    c.add_argument("--live-sizes", default="")
    c.add_argument("--offline-sizes", default="")
    c.add_argument("--shape-sizes", default="")
    c.add_argument("--shapes", default="")
    args = ap.parse_args()
    render(args) if args.cmd == "render" else check(args)


if __name__ == "__main__":
    main()
