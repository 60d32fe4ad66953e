#!/usr/bin/env python3
"""Summarizes one bench/run: reads the raw JSON lines of every run (runs-<stamp>/run-N/*.json,
queued/, idle/), takes the median of each figure and of each ratio over the runs, prints the
table and writes results.json and a markdown table.

usage: bench/summarize.py RUNS_DIR RESULTS_JSON RESULTS_MD
"""
import json
import os
import statistics
import sys


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def lat(r, key):
    return r["latency"][key] if r else None


def run_figures(d):
    """The figures of one run: scenario -> {rps, p50, p99, p99_9, ...}."""
    f = {}

    def client(name, file):
        r = load(os.path.join(d, file))
        cpu = load(os.path.join(d, file + ".cpu"))
        if r and cpu and cpu.get("elapsed_s"):
            # In (r) the receiver is the server: its CPU is the server's, not counted twice.
            receiver_s = 0 if name == "r" else cpu["receiver_cpu_s"]
            f.setdefault("cpu", {})[name] = {"server_cores": cpu["server_cpu_s"] / cpu["elapsed_s"],
                                             "receiver_cores": receiver_s / cpu["elapsed_s"],
                                             "client_cores": r.get("client_cpu_s", 0) / cpu["elapsed_s"]}
        if r:
            f[name] = {"rps": r["throughput_rps"], "p50": lat(r, "p50_ms"), "p99": lat(r, "p99_ms"),
                       "p99_9": lat(r, "p99_9_ms"), "errors": r["errors"] + r.get("incomplete", 0),
                       "status": r["status"], "rate_target": r.get("rate_target", 0),
                       "client_cpu_s": r.get("client_cpu_s")}
        return r

    def receiver(name, file):
        r = load(os.path.join(d, file))
        if r:
            # The window runs from the reset (end of warm-up) to the stats call, a little after
            # the load ended; deliveries per second are counted up to the last delivery.
            active = r.get("last_delivery_s") or 0
            rate = r["delivered"] / active if active > 0.5 * r["window_s"] else r["rate_rps"]
            f[name] = {"rps": rate, "p50": lat(r, "p50_ms"), "p99": lat(r, "p99_ms"),
                       "p99_9": lat(r, "p99_9_ms"), "delivered": r["delivered"], "errors": 0}

    client("a", "a.json")
    client("r", "r.json")
    client("a_wide", "a-wide.json")
    client("c_wide", "c-wide.json")
    client("b", "b.json")
    receiver("b_receiver", "b.json.receiver")
    client("c", "c.json")
    client("c_open", "c-open.json")
    client("d_ingest", "d.json")
    receiver("d", "d.json.receiver")
    client("d_open_ingest", "d-open.json")
    receiver("d_open", "d-open.json.receiver")
    client("e_nginx", "e-nginx.json")
    client("e_gateway", "e-gateway.json")
    for name in ("c", "c-wide", "d"):
        m = commit_stats(os.path.join(d, name + ".metrics0"), os.path.join(d, name + ".metrics"))
        if m:
            f.setdefault("commits", {})[name] = m
    return f


def prom_sums(path):
    """Sums of the samples of each metric name in a Prometheus text file."""
    sums = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                name_labels, _, value = line.rstrip().rpartition(" ")
                name = name_labels.split("{", 1)[0]
                try:
                    sums[name] = sums.get(name, 0.0) + float(value)
                except ValueError:
                    pass
    except OSError:
        return None
    return sums


def commit_stats(before_file, after_file):
    """Store commits during the load: how many, how long, how many messages each."""
    a, b = prom_sums(before_file), prom_sums(after_file)
    if not a or not b:
        return None
    commits = b.get("sixlink_store_commit_seconds_count", 0) - a.get("sixlink_store_commit_seconds_count", 0)
    secs = b.get("sixlink_store_commit_seconds_sum", 0) - a.get("sixlink_store_commit_seconds_sum", 0)
    msgs = b.get("sixlink_messages_received_total", 0) - a.get("sixlink_messages_received_total", 0)
    if commits <= 0:
        return None
    return {"commits": commits, "mean_commit_ms": 1000 * secs / commits, "messages_per_commit": msgs / commits}


def ratio(f, num, den):
    if num in f and den in f and f[den]["rps"]:
        return f[num]["rps"] / f[den]["rps"]
    return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    runs_dir, out_json, out_md = sys.argv[1:4]
    meta = load(os.path.join(runs_dir, "meta.json")) or {}
    run_dirs = sorted(p for p in os.listdir(runs_dir) if p.startswith("run-"))
    runs = [run_figures(os.path.join(runs_dir, p)) for p in run_dirs]

    scenarios = sorted({k for r in runs for k in r} - {"cpu", "commits"})
    med = {}
    for s in scenarios:
        med[s] = {k: median([r[s][k] for r in runs if s in r])
                  for k in ("rps", "p50", "p99", "p99_9", "errors")}
    for s in scenarios:
        for who in ("server", "client", "receiver"):
            cores = median([r.get("cpu", {}).get(s, {}).get(f"{who}_cores") for r in runs])
            if who == "server":
                med[s]["server_cores"] = cores
            # The CPU each process spent per request: what the three share of the 2 vCPUs.
            med[s][f"{who}_us_per_req"] = (1e6 * cores / med[s]["rps"]) if cores and med[s]["rps"] else None
    commits = {name: {k: median([r.get("commits", {}).get(name, {}).get(k) for r in runs])
                      for k in ("commits", "mean_commit_ms", "messages_per_commit")}
               for name in ("c", "c-wide", "d")}
    ratios = {
        "ingest_c_over_a": median([ratio(r, "c", "a") for r in runs]),
        "relay_d_over_b": median([ratio(r, "d", "b") for r in runs]),
        "handshakes_gateway_over_nginx": median([ratio(r, "e_gateway", "e_nginx") for r in runs]),
        "ingest_wide_c_over_a": median([ratio(r, "c_wide", "a_wide") for r in runs]),
        "bare_r_over_a": median([ratio(r, "r", "a") for r in runs]),
    }

    extra = {}
    q = {k: load(os.path.join(runs_dir, "queued", k + ".json")) for k in ("empty", "prefill", "full")}
    if q["empty"] and q["full"]:
        extra["queued"] = {"empty_rps": q["empty"]["throughput_rps"], "full_rps": q["full"]["throughput_rps"],
                           "queued": q["prefill"]["answered"] if q["prefill"] else None,
                           "full_p99": lat(q["full"], "p99_ms"), "empty_p99": lat(q["empty"], "p99_ms")}
        ratios["queued_full_over_empty"] = q["full"]["throughput_rps"] / max(q["empty"]["throughput_rps"], 1e-9)
    for target in ("gateway", "nginx"):
        r = load(os.path.join(runs_dir, "idle", target + "-rss.json"))
        if r and r["connections"]:
            per = (r["rss_after_kib"] - r["rss_before_kib"]) / r["connections"]
            extra.setdefault("idle", {})[target] = dict(r, kib_per_connection=per)

    targets = [
        ("ingest (c) / ceiling (a)", ratios["ingest_c_over_a"], ">= 0.5", lambda v: v >= 0.5),
        ("open-loop p99 at half of (c), ms", med.get("c_open", {}).get("p99"), "<= 5 ms", lambda v: v <= 5.0),
        ("relay delivered (d) / nginx proxy (b)", ratios["relay_d_over_b"], ">= 1.0", lambda v: v >= 1.0),
        ("handshakes gateway / nginx (e)", ratios["handshakes_gateway_over_nginx"], ">= 0.9", lambda v: v >= 0.9),
        ("ingest with queue / empty queue", ratios.get("queued_full_over_empty"), ">= 0.9", lambda v: v >= 0.9),
        ("RSS per idle connection (gateway), KiB",
         extra.get("idle", {}).get("gateway", {}).get("kib_per_connection"), "<= 64 KiB", lambda v: v <= 64),
    ]
    # A modified gateway, durability normal or other than 2 threads is an experiment: its
    # ratios meet no target.
    experiment = (bool(meta.get("variant")) or meta.get("durability", "full") != "full"
                  or meta.get("gateway_threads", 2) != 2)
    verdicts = [{"target": name, "value": v, "goal": goal,
                 "met": (test(v) if v is not None and not experiment else None)}
                for name, v, goal, test in targets]

    rows = [
        ("a", "(a) nginx static 202, mTLS (ceiling)", "client"),
        ("r", "(r) bare Beast server (bench receiver), mTLS", "client"),
        ("b", "(b) nginx mTLS proxy -> receiver", "client"),
        ("b_receiver", "    (b) at the receiver", "delivery"),
        ("c", f"(c) gateway ingest, durability {meta.get('durability', 'full')}", "client"),
        ("c_open", "(c) open loop at half of (c)", "client"),
        ("a_wide", "(a) nginx static, wide (more connections)", "client"),
        ("c_wide", "(c) gateway ingest, wide (more connections)", "client"),
        ("d", "(d) gateway relay, delivered/s at receiver", "delivery"),
        ("d_ingest", "    (d) ingest seen by the client", "client"),
        ("d_open", "(d) open loop at half of (d): delivery", "delivery"),
        ("e_nginx", "(e) nginx new mTLS handshakes/s", "client"),
        ("e_gateway", "(e) gateway new mTLS handshakes/s", "client"),
    ]
    ratio_of = {"c": ratios["ingest_c_over_a"], "d": ratios["relay_d_over_b"],
                "c_wide": ratios["ingest_wide_c_over_a"],
                "r": ratios["bare_r_over_a"],
                "e_gateway": ratios["handshakes_gateway_over_nginx"]}

    def fmt(v, digits=2):
        return "-" if v is None else f"{v:.{digits}f}"

    n = len(runs)
    title = f"Sixlink benchmark, {'median of ' + str(n) + ' runs' if n > 1 else 'one run'}"
    if meta.get("variant"):
        title += f"; EXPERIMENT, gateway: {meta['variant']}"
    elif experiment:
        title += f"; EXPERIMENT, durability {meta['durability']}, {meta.get('gateway_threads', 2)} gateway threads"
    lines = [f"| scenario | throughput /s | p50 ms | p99 ms | p99.9 ms | errors | server cores | server µs/req "
             f"| client µs/req | receiver µs/req | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    text = [title, f"{'scenario':<46}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'p99.9 ms':>10}{'err':>6}"
                   f"{'cores':>7}{'us/req':>8}{'client':>8}{'recv':>6}{'ratio':>8}"]
    for key, name, _ in rows:
        if key not in med:
            continue
        m = med[key]
        r = ratio_of.get(key)
        us = {who: fmt(m.get(f"{who}_us_per_req"), 0) for who in ("server", "client", "receiver")}
        lines.append(f"| {name.strip()} | {m['rps']:.0f} | {fmt(m['p50'])} | {fmt(m['p99'])} | {fmt(m['p99_9'])} | "
                     f"{m['errors']:.0f} | {fmt(m.get('server_cores'))} | {us['server']} | {us['client']} | "
                     f"{us['receiver']} | {fmt(r)} |")
        text.append(f"{name:<46}{m['rps']:>10.0f}{fmt(m['p50']):>9}{fmt(m['p99']):>9}{fmt(m['p99_9']):>10}"
                    f"{m['errors']:>6.0f}{fmt(m.get('server_cores')):>7}{us['server']:>8}{us['client']:>8}"
                    f"{us['receiver']:>6}{fmt(r):>8}")
    for name, c in commits.items():
        if c["commits"]:
            msg = (f"store commits during ({name}): {c['commits']:.0f}, mean {c['mean_commit_ms']:.2f} ms, "
                   f"{c['messages_per_commit']:.1f} messages per commit")
            text.append(msg)
            lines.append(f"\n{msg}")
    fs = load(os.path.join(runs_dir, "fsync.json"))
    if fs:
        msg = f"fsync of 4 KiB on the store's disk: p50 {fs['fsync_p50_ms']:.2f} ms, p99 {fs['fsync_p99_ms']:.2f} ms"
        text.append(msg)
        lines.append(f"\n{msg}")
    lines += ["", "| target | value | goal | met |", "|---|---:|---|---|"]
    text += ["", f"{'target':<46}{'value':>10}  goal"]
    for v in verdicts:
        met = ("n/a" if experiment else "-") if v["met"] is None else ("yes" if v["met"] else "NO")
        lines.append(f"| {v['target']} | {fmt(v['value'])} | {v['goal']} | {met} |")
        text.append(f"{v['target']:<46}{fmt(v['value']):>10}  {v['goal']:<10} {met}")
    if "queued" in extra:
        qd = extra["queued"]
        text.append(f"queued: empty {qd['empty_rps']:.0f}/s, with {qd['queued']} queued {qd['full_rps']:.0f}/s")
    for t, r in extra.get("idle", {}).items():
        text.append(f"idle {t}: {r['connections']} connections, RSS {r['rss_before_kib']} -> {r['rss_after_kib']} KiB,"
                    f" {r['kib_per_connection']:.1f} KiB each")
        lines.append(f"\nidle {t}: {r['connections']} connections, RSS {r['rss_before_kib']} -> "
                     f"{r['rss_after_kib']} KiB, {r['kib_per_connection']:.1f} KiB per connection")
    print("\n".join(text))

    result = {"meta": meta, "fsync": fs, "runs": runs, "median": med, "commits": commits, "ratios": ratios,
              "targets": verdicts, "extra": extra}
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    with open(out_md, "w", encoding="utf-8") as f:
        f.write(f"{title} ({meta.get('started', '')}, {meta.get('cpus', '?')} CPUs, "
                f"{meta.get('connections', '?')} connections, window {meta.get('duration_s', '?')} s)\n\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
