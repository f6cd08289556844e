#!/usr/bin/python3
"""bench-report.py: turns scripts/bench's per-run results (JSON lines) into the table
(markdown, on stdout and optionally a file), bench.json and the targets from the issue.

usage: bench-report.py RESULTS.jsonl OUT.json [OUT.md]   (machine facts come from the
           environment scripts/bench exports)
       bench-report.py --line RUN.json      one run in one line, for the progress log
       bench-report.py --idle RUN.json BASE_KIB LOADED_KIB PROCESSES CLOSE_RC N
                                            the idle run with its PSS per connection"""
import json
import os
import statistics
import sys

# workload: (metric key, unit, higher is better, label)
WORKLOADS = {
    "handshake8": ("rate_per_s", "handshakes/s", True, "handshakes, 8 concurrent"),
    "handshake64": ("rate_per_s", "handshakes/s", True, "handshakes, 64 concurrent"),
    "echo64_1x1": ("p50_us", "µs p50", False, "64 B echo, 1 conn x 1 in flight"),
    "echo64_16x16": ("rate_per_s", "msg/s", True, "64 B echo, 16 conns x 16 in flight"),
    "echo1m_1x2": ("mb_per_s", "MB/s", True, "1 MiB binary echo, 1 conn x 2 in flight"),
    "echo1m_4x1": ("mb_per_s", "MB/s", True, "1 MiB binary echo, 4 conns x 1 in flight"),
    "idle": ("pss_per_conn_kib", "KiB PSS/conn", False, "memory per idle connection"),
    "idle_own": ("pss_per_conn_kib", "KiB PSS/conn", False, "memory per idle connection, the bridge without its child"),
}
REFERENCES = ["ceiling", "floor", "floor2", "websocketd", "node-ws"]
ORDER = ["ceiling", "floor", "floor2", "vws-echo", "vws-handler", "vws-handler-netstring", "native", "websocketd",
         "node-ws"]


def detail(workload, run):
    if workload.startswith("handshake"):
        return f"p50 {run['p50_us'] / 1000:.2f} ms, p99 {run['p99_us'] / 1000:.2f} ms"
    if workload == "echo64_1x1":
        return f"p99 {run['p99_us']:.1f} µs, {run['rate_per_s']:,.0f} msg/s"
    if workload == "echo64_16x16":
        return f"p50 {run['p50_us']:.0f} µs, p99 {run['p99_us']:.0f} µs"
    if workload.startswith("echo1m"):
        return f"p50 {run['p50_us'] / 1000:.2f} ms, p99 {run['p99_us'] / 1000:.2f} ms"
    if workload.startswith("idle"):
        return f"{run['processes']} processes, {run['baseline_kib']} -> {run['loaded_kib']} KiB"
    return ""


def fmt(value, unit):
    if value is None:
        return "–"
    if unit in ("handshakes/s", "msg/s"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def summarise(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["server"], r["workload"]), []).append(r)
    servers = sorted(dict.fromkeys(r["server"] for r in rows),
                     key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER))
    out = []
    for workload, (key, unit, higher, label) in WORKLOADS.items():
        for server in servers:
            runs = groups.get((server, workload), [])
            if not runs:
                continue
            status = "ok"
            if any(r["status"] == "n/a" for r in runs):
                status = "n/a"
            elif any(r["status"] != "ok" for r in runs):
                status = "failed"
            entry = {"server": server, "workload": workload, "label": label, "metric": key,
                     "unit": unit, "higher_is_better": higher, "status": status,
                     "runs": [r["run"] for r in runs if r["run"]]}
            if status == "ok":
                values = [r["run"][key] for r in runs]
                med = statistics.median(values)
                # The run whose figure is the median (or nearest) supplies the details.
                mid = min(runs, key=lambda r: abs(r["run"][key] - med))["run"]
                entry.update(median=med, min=min(values), max=max(values), detail=detail(workload, mid),
                             client_cpu_util=statistics.median(r["run"].get("client_cpu_util", 0) for r in runs))
            out.append(entry)
    by = {(e["server"], e["workload"]): e for e in out}
    for e in out:
        e["ratios"] = {}
        if e["status"] != "ok":
            continue
        for ref in REFERENCES:
            r = by.get((ref, e["workload"]))
            if ref != e["server"] and r and r["status"] == "ok" and r["median"]:
                e["ratios"][ref] = e["median"] / r["median"]
    return out, by


def markdown(entries):
    lines = ["| workload | server | median | spread (min–max) | × ceiling | × floor | × floor2 | × websocketd "
             "| × node ws | client CPU | detail (median run) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    last = None
    for e in entries:
        name = f"{e['label']} ({e['unit']})" if e["workload"] != last else ""
        last = e["workload"]
        if e["status"] != "ok":
            lines.append(f"| {name} | {e['server']} | {e['status']} | | | | | | | | |")
            continue
        ratios = [f"{e['ratios'][r]:.2f}" if r in e["ratios"] else "–" for r in REFERENCES]
        cpu = f"{e['client_cpu_util'] * 100:.0f} %" if not e["workload"].startswith("idle") else "–"
        lines.append(f"| {name} | {e['server']} | {fmt(e['median'], e['unit'])} | "
                     f"{fmt(e['min'], e['unit'])}–{fmt(e['max'], e['unit'])} | " + " | ".join(ratios) +
                     f" | {cpu} | {e['detail']} |")
    return "\n".join(lines)


# The targets from the issue: (server, workloads, reference or None, test, text). A reference
# is a server ("floor": its figure for the same workload) or "server@workload" (that server's
# figure for that workload, e.g. a bridge's own memory against the one-process floor's). Each
# text says which way is better: a ratio is this server's figure over the reference's, so for
# latency (µs) and memory (KiB) a ratio below 1 is the good side.
TARGETS = [
    ("vws-echo", ["echo1m_1x2", "echo1m_4x1"], "floor", lambda r: r >= 1.0,
     "1 MiB echo MB/s ≥ the WebSocket floor's (higher is better)"),
    ("vws-echo", ["echo64_16x16"], "ceiling", lambda r: r >= 0.8,
     "64 B echo msg/s at 16×16 ≥ 0.8× the ceiling's (higher is better)"),
    ("vws-echo", ["echo64_1x1"], "floor", lambda r: r <= 1.1,
     "64 B echo latency p50 at 1×1 ≤ 1.1× the floor's (lower is better)"),
    ("vws-echo", ["handshake8", "handshake64"], "floor", lambda r: r >= 0.9,
     "handshakes/s ≥ 0.9× the fork+exec floor's (higher is better)"),
    ("vws-echo", ["idle"], "floor", lambda r: r <= 1.15,
     "PSS per idle connection ≤ 1.15× the floor's (lower is better)"),
    ("vws-handler", ["echo64_16x16"], "websocketd", lambda r: r >= 2.0,
     "64 B echo msg/s at 16×16 ≥ 2× websocketd's (higher is better)"),
    ("vws-handler", ["echo64_1x1"], "websocketd", lambda r: r <= 0.5,
     "64 B echo latency p50 at 1×1 ≤ 0.5× websocketd's (lower is better)"),
    ("vws-handler", ["handshake8", "handshake64"], "floor2", lambda r: r >= 0.9,
     "handshakes/s ≥ 0.9× the two-process floor's (higher is better)"),
    ("vws-handler", ["idle_own"], "floor@idle", lambda r: r <= 1.15,
     "its own PSS per idle connection (without cat) ≤ 1.15× the floor program's (lower is better)"),
    ("vws-handler", ["idle"], "floor2", lambda r: r <= 1.1,
     "PSS per idle connection with cat ≤ 1.1× the two-process floor's (lower is better)"),
    ("native", ["handshake8", "handshake64"], "websocketd", lambda r: r >= 1.3,
     "handshakes/s ≥ 1.3× websocketd's (higher is better)"),
    ("native", ["idle"], "websocketd", lambda r: r <= 0.6,
     "PSS per idle connection ≤ 0.6× websocketd's (lower is better)"),
]


def targets(by):
    out = []
    for server, workloads, ref, test, text in TARGETS:
        for w in workloads:
            e = by.get((server, w))
            ref_server, _, ref_workload = (ref or "").partition("@")
            r = by.get((ref_server, ref_workload or w)) if ref else None
            if not e or e["status"] != "ok" or (ref and (not r or r["status"] != "ok" or not r["median"])):
                out.append({"target": text, "server": server, "workload": w, "result": "not measured"})
                continue
            if ref is None:
                figure, shown = e["median"], f"{e['median']:.1f} {e['unit']}"
            else:
                # The figures themselves beside the ratio: "35.0 vs 56.0 µs p50 (0.62×)".
                figure = e["median"] / r["median"]
                shown = (f"{fmt(e['median'], e['unit'])} vs {fmt(r['median'], e['unit'])} "
                         f"{e['unit']} ({figure:.2f}× {ref})")
            out.append({"target": text, "server": server, "workload": w, "figure": figure, "shown": shown,
                        "higher_is_better": e["higher_is_better"], "result": "met" if test(figure) else "missed"})
    return out


def progress_line(path):
    try:
        with open(path) as f:
            r = json.loads(f.readline())
    except (OSError, ValueError):
        return "no result"
    return (f"{r['rate_per_s']:,.0f}/s, {r['mb_per_s']:,.1f} MB/s, p50 {r['p50_us']:.1f} µs, "
            f"p99 {r['p99_us']:.1f} µs, client CPU {r['client_cpu_util'] * 100:.0f} %, "
            f"{'verified' if r['ok'] else 'FAILED: ' + r['first_error']}")


def idle_run(path, base, loaded, procs, rc, n):
    try:
        with open(path) as f:
            r = json.loads(f.readline())
    except (OSError, ValueError):
        r = {"ok": False, "first_error": "no result"}
    base, loaded, procs, rc, n = int(base), int(loaded), int(procs), int(rc), int(n)
    r.update(baseline_kib=base, loaded_kib=loaded, processes=procs, close_rc=rc,
             pss_per_conn_kib=(loaded - base) / n, ok=bool(r.get("ok")) and rc == 0)
    return json.dumps(r)


def main():
    if sys.argv[1] == "--line":
        print(progress_line(sys.argv[2]))
        return
    if sys.argv[1] == "--idle":
        print(idle_run(*sys.argv[2:8]))
        return
    results, json_out = sys.argv[1], sys.argv[2]
    md_out = sys.argv[3] if len(sys.argv) > 3 else ""
    with open(results) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    entries, by = summarise(rows)
    env = os.environ.get
    machine = {"nproc": env("MACHINE_NPROC"), "cpu": env("MACHINE_CPU"), "kernel": env("MACHINE_KERNEL"),
               "load_average_start": env("LOAD_START"), "load_average_end": env("LOAD_END"),
               "cpu_dma_latency": env("DMA")}
    settings = {"runs": int(env("RUNS", "3")), "duration_s": float(env("DURATION", "3")),
                "warmup_s": float(env("WARMUP", "0.5")), "idle_connections": int(env("IDLE_N", "1000")),
                "client_threads": int(env("THREADS", "1")), "quick": env("QUICK") == "1"}
    goals = targets(by)
    table = markdown(entries)
    head = (f"Machine: {machine['nproc']} × {machine['cpu']}, kernel {machine['kernel']}; load average "
            f"{machine['load_average_start']} at the start, {machine['load_average_end']} at the end; "
            f"/dev/cpu_dma_latency {machine['cpu_dma_latency']}. {settings['runs']} run(s) of "
            f"{settings['duration_s']:g} s (after {settings['warmup_s']:g} s warm-up) per figure; "
            f"{settings['idle_connections']} idle connections. Ratios are this server's median over the "
            f"reference's (for µs and KiB, lower is better).")
    lines = [head, "", table, "", "Targets:"]
    for g in goals:
        lines.append(f"- {g['server']} {g['workload']}: {g['target']}: {g.get('shown', '')} → {g['result']}")
    text = "\n".join(lines)
    print(text)
    if md_out:
        with open(md_out, "w") as f:
            f.write(text + "\n")
    with open(json_out, "w") as f:
        json.dump({"machine": machine, "settings": settings, "results": entries, "targets": goals}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
