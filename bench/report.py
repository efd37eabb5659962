"""Turns bench/run.sh's tab-separated results into tables (Markdown, so the
README and docs/benchmarks.md can quote them as printed), the targets of
issues 15 and 25 marked met or not (issue 25's with what bounds those not met:
bench/targets.py), and a JSON document for comparing runs
(bench/compare.py OLD.json NEW.json) and drawing them (bench/charts.py).

usage: python3 bench/report.py RESULTS.tsv OUT.json
"""
import json
import sys

import targets as issue25

SERVERS = [
    ("fcgi", "FastCGI (lighttpd.conf + app.fcgi)"),
    ("nolog", "the same, LOG_FORMAT=off"),
    ("bare", "bare libfcgi responder (same lighttpd)"),
    ("bareclose", "bare libfcgi, closes at once (LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0)"),
    ("nginx", "nginx + app.fcgi manager"),
    ("dynamic", "nginx + manager, dynamic pool 1:N"),
    ("php", "nginx + php-fpm 8.2 (pm static)"),
    ("static", "static file (lighttpd)"),
    ("fastapi", "FastAPI (uvicorn)"),
    ("cgi", "CGI (lighttpd mod_cgi)"),
]
SCALED = ["fcgi", "bare", "bareclose", "nginx", "dynamic", "php"]


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def load(path):
    doc = {"meta": {}, "bodies": {}, "wrk": [], "rss_kb": {}, "cgi_exec_us": {},
           "lambda": {}, "binary_bytes": {}, "callgrind": {}, "first_next_ms": {}, "image": {}}
    runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            kind, *fields = line.rstrip("\n").split("\t")
            if kind == "meta":
                doc["meta"][fields[0]] = fields[1]
            elif kind == "body":
                label, path_, size = fields
                doc["bodies"][label] = {"path": path_, "bytes": int(size)}
            elif kind == "wrk":
                server, label, conns, numbers = fields[:4]
                procs = int(fields[4]) if len(fields) > 4 else 1
                n = numbers.split()
                runs.setdefault((server, label, int(conns), procs), []).append({
                    "rps": float(n[0]), "p50": int(n[1]), "p99": int(n[2]), "errors": int(n[3]),
                    "non2xx": int(n[4]), "requests": int(n[5]) if len(n) > 5 else 0,
                    "cpu": float(n[6]) if len(n) > 6 else None})
            elif kind == "rss":
                label, pid, rss, hwm = fields
                doc["rss_kb"].setdefault(label, []).append({"pid": int(pid), "rss": int(rss), "peak": int(hwm)})
            elif kind == "exec":
                label, wall, cpu, count = fields
                doc["cgi_exec_us"][label] = {"wall": float(wall), "cpu": float(cpu)}
                doc["cgi_exec_us"]["runs_each"] = int(count)
            elif kind == "lambda":
                doc["lambda"] = json.loads(fields[0])
            elif kind == "callgrind":
                server, label, instr = fields
                doc["callgrind"].setdefault(server, {}).setdefault(label, {"by_object": {}, "top": []})[
                    "instructions"] = int(instr)
            elif kind in ("callgrind_obj", "callgrind_fn"):
                server, label, name, instr = fields
                cg = doc["callgrind"].setdefault(server, {}).setdefault(label, {"by_object": {}, "top": []})
                if kind == "callgrind_obj":
                    cg["by_object"][name] = int(instr)
                else:
                    cg["top"].append([name, int(instr)])
            elif kind == "first_next":
                label, med, low, count = fields
                doc["first_next_ms"][label] = {"median": float(med), "min": float(low), "runs": int(count)}
            elif kind == "image":
                label, size, ecs_med, ecs_min, lam_med, lam_min, count = fields
                doc["image"][label] = {"bytes": int(size), "ecs_first_answer_ms": float(ecs_med),
                                       "ecs_first_answer_min_ms": float(ecs_min),
                                       "lambda_first_next_ms": float(lam_med),
                                       "lambda_first_next_min_ms": float(lam_min), "runs": int(count)}
            elif kind == "size":
                name, size, stripped = fields
                doc["binary_bytes"][name] = {"file": int(size), "stripped": int(stripped)}
    # Each figure is the median over the rounds (taken separately for each column).
    for (server, label, conns, procs), rounds in sorted(runs.items()):
        cpus = [r["cpu"] for r in rounds if r["cpu"] is not None]
        doc["wrk"].append({
            "server": server, "endpoint": doc["bodies"][label]["path"], "label": label,
            "connections": conns, "procs": procs, "rounds": len(rounds),
            "requests_per_s": median([r["rps"] for r in rounds]),
            "p50_us": median([r["p50"] for r in rounds]), "p99_us": median([r["p99"] for r in rounds]),
            "server_cpu_us_per_request": median(cpus) if cpus else None,
            "requests": sum(r["requests"] for r in rounds),
            "socket_errors": sum(r["errors"] for r in rounds), "non_2xx_3xx": sum(r["non2xx"] for r in rounds),
            "requests_per_s_each_round": [r["rps"] for r in rounds]})
    return doc


def index(doc):
    return {(r["server"], r["label"], r["connections"], r["procs"]): r for r in doc["wrk"]}


def ratios(doc):
    by_key = index(doc)
    out = []
    for (server, label, conns, procs), r in sorted(by_key.items()):
        if server != "fcgi":
            continue
        row = {"endpoint": r["endpoint"], "label": label, "connections": conns, "procs": procs}
        for other in ("static", "bare", "bareclose", "nginx", "dynamic", "php", "nolog", "cgi", "fastapi"):
            o = by_key.get((other, label, conns, procs))
            if o and o["requests_per_s"] > 0:
                row["fcgi_over_" + other] = round(r["requests_per_s"] / o["requests_per_s"], 3)
            # The same ratio from CPU time per request (the other's over ours):
            # steadier than requests/s when the machine is shared.
            if o and o.get("server_cpu_us_per_request") and r.get("server_cpu_us_per_request"):
                row["fcgi_over_" + other + "_by_cpu"] = round(
                    o["server_cpu_us_per_request"] / r["server_cpu_us_per_request"], 3)
        out.append(row)
    return out


def targets(doc):
    """Issue 15's targets, each with its measured value and met or not."""
    by_key = index(doc)
    out = []

    def ratio_target(name, other, threshold, conns_list, ceiling="bare", mine="fcgi"):
        """mine's requests/s over other's; ceiling: the same ratio for that
        server (the bare responder: what any libfcgi responder reaches here)."""
        for label in doc["bodies"]:
            for conns in conns_list:
                a, b = by_key.get((mine, label, conns, 1)), by_key.get((other, label, conns, 1))
                if not a or not b or b["requests_per_s"] <= 0:
                    continue
                value = a["requests_per_s"] / b["requests_per_s"]
                by_cpu = None
                if a.get("server_cpu_us_per_request") and b.get("server_cpu_us_per_request"):
                    by_cpu = round(b["server_cpu_us_per_request"] / a["server_cpu_us_per_request"], 3)
                c = by_key.get((ceiling, label, conns, 1)) if ceiling else None
                out.append({"target": name, "endpoint": a["endpoint"], "connections": conns,
                            "value": round(value, 3), "by_cpu": by_cpu, "threshold": threshold,
                            "ceiling": round(c["requests_per_s"] / b["requests_per_s"], 3) if c else None,
                            "met": value >= threshold})

    ratio_target("FastCGI >= 0.5 x static lighttpd", "static", 0.5, (1, 16))
    ratio_target("FastCGI >= 0.95 x bare libfcgi responder", "bare", 0.95, (1, 16), ceiling=None)
    conns_all = sorted({r["connections"] for r in doc["wrk"] if r["server"] == "fastapi"})
    ratio_target("FastCGI >= 4 x uvicorn + FastAPI (one process each)", "fastapi", 4.0, conns_all)
    # Issue 12: the access log costs less than 5 % of FastCGI throughput.
    ratio_target("access log on >= 0.95 x off (FastCGI, LOG_FORMAT=off column)", "nolog", 0.95, (1, 16),
                 ceiling=None)
    for label in doc["bodies"]:
        a, b = by_key.get(("fcgi", label, 64, 1)), by_key.get(("fastapi", label, 64, 1))
        if a and b:
            out.append({"target": "FastCGI p99 at 64 connections < uvicorn p50", "endpoint": a["endpoint"],
                        "connections": 64, "value": a["p99_us"], "threshold": b["p50_us"],
                        "met": a["p99_us"] < b["p50_us"]})
    warm, after = doc["rss_kb"].get("fcgi_worker_warm"), doc["rss_kb"].get("fcgi_worker")
    served = sum(r["requests"] for r in doc["wrk"] if r["server"] == "fcgi" and r["procs"] == 1)
    if warm and after:
        growth = max(a["rss"] for a in after) - max(w["rss"] for w in warm)
        out.append({"target": "FastCGI worker RSS flat over >= 100000 requests (growth <= 64 kB; value: kB)",
                    "endpoint": "all", "connections": None, "value": growth, "threshold": 64,
                    "requests": served, "met": growth <= 64 and served >= 100000})
    lam = doc["lambda"]
    if lam.get("floor_start_to_next_ms"):
        value = lam["start_to_next_ms"] / lam["floor_start_to_next_ms"]
        out.append({"target": "Lambda: start to first /next within 1.5 x a bare C loop (bench/lambda_floor.c)",
                    "endpoint": "bootstrap", "connections": None, "value": round(value, 2), "threshold": 1.5,
                    "met": value <= 1.5})
    return out


def fmt_cell(r):
    if r is None:
        return "-"
    cell = "%.0f (%.2f/%.2f)" % (r["requests_per_s"], r["p50_us"] / 1000, r["p99_us"] / 1000)
    if r.get("server_cpu_us_per_request") is not None:
        cell += " %.0f us" % r["server_cpu_us_per_request"]
    bad = r["socket_errors"] + r["non_2xx_3xx"]
    return cell + (" **%d errors**" % bad if bad else "")


def print_tables(doc):
    m = doc["meta"]
    by_key = index(doc)
    print("math-service benchmark, %s, commit %s" % (m.get("date"), m.get("commit")))
    print()
    print("%s CPUs (%s), Linux %s; load average before %s, after %s. wrk on loopback, %s rounds of %s s"
          " per server, taking turns; medians." % (m.get("cpus"), m.get("cpu"), m.get("kernel"), m.get("load_before"),
                                                  m.get("load_after"), m.get("wrk_rounds"), m.get("wrk_seconds")))
    print("%s; %s; %s." % (m.get("lighttpd"), m.get("nginx"), m.get("fastapi")))
    print()
    print("One worker process each. Requests/s (p50/p99 latency in ms) and server CPU time per request"
          " (user + system of all the server's processes over the run / requests):")
    print()
    print("| endpoint | conns | " + " | ".join(name for _, name in SERVERS)
          + " | FastCGI/static | FastCGI/bare | FastCGI/bare at once | FastCGI/php-fpm | FastCGI/FastAPI"
          " | by CPU: /static | /bare | /bare at once | /php-fpm | /FastAPI |")
    print("|---|---:|" + "---:|" * len(SERVERS) + "---:|" * 10)
    for ratio in doc["ratios"]:
        if ratio["procs"] != 1:
            continue
        label, conns = ratio["label"], ratio["connections"]
        cells = [fmt_cell(by_key.get((s, label, conns, 1))) for s, _ in SERVERS]
        print("| `%s` | %d | %s | %s |" % (ratio["endpoint"], conns, " | ".join(cells), " | ".join(
            "%.2f" % ratio.get("fcgi_over_" + o + by, 0) for by in ("", "_by_cpu")
            for o in ("static", "bare", "bareclose", "php", "fastapi"))))
    print()
    procs_list = sorted({r["procs"] for r in doc["wrk"]})
    if len(procs_list) > 1:
        scaled = sorted({(r["label"], r["connections"]) for r in doc["wrk"] if r["procs"] > 1})
        print("FastCGI worker processes (same figures; `%s`):" % doc["bodies"][scaled[0][0]]["path"])
        print()
        print("| workers | conns | " + " | ".join(n for s, n in SERVERS if s in SCALED) + " | FastCGI/bare |")
        print("|---:|---:|" + "---:|" * len(SCALED) + "---:|")
        for procs in procs_list:
            for label, conns in scaled:
                cells = [fmt_cell(by_key.get((s, label, conns, procs))) for s in SCALED]
                a, b = by_key.get(("fcgi", label, conns, procs)), by_key.get(("bare", label, conns, procs))
                r = "%.2f" % (a["requests_per_s"] / b["requests_per_s"]) if a and b and b["requests_per_s"] else "-"
                print("| %d | %d | %s | %s |" % (procs, conns, " | ".join(cells), r))
        print()
    print("Targets (issue 15, and issue 12's cost of the access log), from this run:")
    print()
    print("| target | endpoint | conns | measured | needed | | same ratio by CPU time per request "
          "| the bare responder's ratio (ceiling) |")
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for t in doc["targets"]:
        print("| %s | `%s` | %s | %s | %s | %s | %s | %s |" % (
            t["target"], t["endpoint"], t["connections"] if t["connections"] is not None else "",
            t["value"], t["threshold"], "met" if t["met"] else "**not met**",
            t["by_cpu"] if t.get("by_cpu") is not None else "",
            t["ceiling"] if t.get("ceiling") is not None else ""))
    met = sum(1 for t in doc["targets"] if t["met"])
    print()
    print("%d of %d targets met." % (met, len(doc["targets"])))
    print()
    issue25.print_targets(doc)
    e = doc["cgi_exec_us"]
    if "app_cgi" in e and "bin_true" in e:
        a, t = e["app_cgi"], e["bin_true"]
        print("CGI process per request (fork + exec + wait; medians of rounds, %d runs each):" % e["runs_each"])
        print()
        print("| | app.cgi `/math/add?i=5&i=10` | `/bin/true` | app.cgi - true | app.cgi / true |")
        print("|---|---:|---:|---:|---:|")
        for kind in ("cpu", "wall"):
            print("| %s time, us | %.0f | %.0f | %.0f | %.2f |" % (
                "CPU (user+sys)" if kind == "cpu" else "wall", a[kind], t[kind], a[kind] - t[kind], a[kind] / t[kind]))
        print()
    lam = doc["lambda"]
    if lam:
        print("Lambda bootstrap (bench/lambda.py): event adapter + app in process, per invocation: "
              + ", ".join("%s %.1f us" % (k, v) for k, v in lam["adapter_us"].items()) + ".")
        print("Through the Runtime API emulator on loopback: %.0f us from /next to the response (median), "
              "%.0f invocations/s. Start to first /next: %.1f ms (spawning /bin/true: %.1f ms)."
              % (lam["roundtrip_us"], lam["invocations_per_s"], lam["start_to_next_ms"], lam["exec_baseline_ms"]))
        if lam.get("floor_start_to_next_ms"):
            print("A bare Runtime API loop in C (bench/lambda_floor.c, no libcurl): %.1f ms to its first /next."
                  % lam["floor_start_to_next_ms"])
        print()
    for label, procs in doc["rss_kb"].items():
        print("RSS, %s: %s" % (label.replace("_", " "), ", ".join(
            "%d kB (peak %d kB)" % (p["rss"], p["peak"]) for p in procs)))
    print("Binary sizes: " + ", ".join("%s %d kB (stripped %d kB)" % (n, s["file"] // 1024, s["stripped"] // 1024)
                                       for n, s in doc["binary_bytes"].items()))


def main():
    doc = load(sys.argv[1])
    doc["ratios"] = ratios(doc)
    doc["targets"] = targets(doc)
    doc["targets_issue25"] = issue25.targets(doc)
    print_tables(doc)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print()
    print("(also in %s)" % sys.argv[2])


if __name__ == "__main__":
    main()
