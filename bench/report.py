"""Turns bench/run.sh's tab-separated results into a table (Markdown, so the
README can quote it as printed) and a JSON document for comparing commits.

usage: python3 bench/report.py RESULTS.tsv OUT.json
"""
import json
import sys

SERVERS = [
    ("fcgi", "FastCGI (lighttpd + app.fcgi)"),
    ("fcgi_nolog", "FastCGI, LOG_FORMAT=off"),
    ("static", "static file (same lighttpd)"),
    ("cgi", "CGI (lighttpd mod_cgi)"),
    ("fastapi", "FastAPI (uvicorn)"),
    ("manager", "manager, fixed pool (nginx + app.fcgi --listen)"),
    ("manager_dyn", "manager, dynamic pool 1:N"),
]


def load(path):
    doc = {"meta": {}, "bodies": {}, "wrk": [], "rss_kb": {}, "cgi_exec_us": {},
           "lambda": {}, "binary_bytes": {}, "first_next_ms": {}}
    wrk_runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            kind, *fields = line.rstrip("\n").split("\t")
            if kind == "meta":
                doc["meta"][fields[0]] = fields[1]
            elif kind == "body":
                label, path_, size = fields
                doc["bodies"][label] = {"path": path_, "bytes": int(size)}
            elif kind == "wrk":
                server, label, conns, numbers = fields
                rps, p50, p99, errors, non2xx = numbers.split()
                wrk_runs.setdefault((server, label, int(conns)), []).append(
                    (float(rps), int(p50), int(p99), int(errors), int(non2xx)))
            elif kind == "rss":
                label, pid, rss, hwm = fields
                doc["rss_kb"].setdefault(label, []).append({"pid": int(pid), "rss": int(rss), "peak": int(hwm)})
            elif kind == "exec":
                label, wall, cpu, runs = fields
                doc["cgi_exec_us"][label] = {"wall": float(wall), "cpu": float(cpu)}
                doc["cgi_exec_us"]["runs_each"] = int(runs)
            elif kind == "lambda":
                doc["lambda"] = json.loads(fields[0])
            elif kind == "first_next":
                label, median, low, runs = fields[:4]
                doc["first_next_ms"][label] = {"median": float(median), "min": float(low), "runs": int(runs)}
            elif kind == "first_next_meta":
                doc["first_next_ms"]["mangum_installed"] = fields[1] == "yes"
            elif kind == "size":
                name, size, stripped = fields
                doc["binary_bytes"][name] = {"file": int(size), "stripped": int(stripped)}
    # Each figure is the median over the rounds (taken separately for each column).
    for (server, label, conns), rounds in wrk_runs.items():
        doc["wrk"].append({
            "server": server, "endpoint": doc["bodies"][label]["path"], "label": label,
            "connections": conns, "rounds": len(rounds),
            "requests_per_s": median([r[0] for r in rounds]),
            "p50_us": median([r[1] for r in rounds]), "p99_us": median([r[2] for r in rounds]),
            "socket_errors": sum(r[3] for r in rounds), "non_2xx_3xx": sum(r[4] for r in rounds),
            "requests_per_s_each_round": [r[0] for r in rounds]})
    return doc


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def ratios(doc):
    by_key = {(r["server"], r["label"], r["connections"]): r for r in doc["wrk"]}
    out = []
    for (server, label, conns), r in by_key.items():
        if server != "fcgi":
            continue
        row = {"endpoint": r["endpoint"], "connections": conns}
        for other in ("fcgi_nolog", "static", "cgi", "fastapi"):
            o = by_key.get((other, label, conns))
            if o and o["requests_per_s"] > 0:
                row["fcgi_over_" + other] = round(r["requests_per_s"] / o["requests_per_s"], 3)
        out.append(row)
    return out


def fmt_cell(r):
    if r is None:
        return "-"
    cell = "%.0f (%.2f / %.2f)" % (r["requests_per_s"], r["p50_us"] / 1000, r["p99_us"] / 1000)
    bad = r["socket_errors"] + r["non_2xx_3xx"]
    return cell + (" **%d errors**" % bad if bad else "")


def print_tables(doc):
    m = doc["meta"]
    print("math-service benchmark, %s, commit %s" % (m.get("date"), m.get("commit")))
    print()
    print("%s CPUs (%s), Linux %s; load average before %s, after %s. wrk on loopback, %s rounds of %s s"
          " per server, taking turns; medians." % (m.get("cpus"), m.get("cpu"), m.get("kernel"), m.get("load_before"),
                                                  m.get("load_after"), m.get("wrk_rounds"), m.get("wrk_seconds")))
    print("Worker processes for app.fcgi and for uvicorn: %s each; %s; %s running %s."
          % (m.get("procs"), m.get("lighttpd"), m.get("fastapi"), m.get("peer", "the FastAPI app")))
    if m.get("manager_workers"):
        print("app.fcgi's own manager (unix socket, nginx with deploy/nginx.conf in front): --workers %s (fixed)"
              " and --workers 1:%s --idle-timeout 10 (dynamic)." % (m["manager_workers"], m["manager_workers"]))
    print()
    print("Requests/s (p50 / p99 latency in ms):")
    print()
    print("| endpoint | conns | " + " | ".join(name for _, name in SERVERS)
          + " | FastCGI/static | FastCGI/FastAPI | logs on/off |")
    print("|---|---:|" + "---:|" * len(SERVERS) + "---:|---:|---:|")
    by_key = {(r["server"], r["label"], r["connections"]): r for r in doc["wrk"]}
    for ratio in doc["ratios"]:
        label = next(k for k, v in doc["bodies"].items() if v["path"] == ratio["endpoint"])
        conns = ratio["connections"]
        cells = [fmt_cell(by_key.get((s, label, conns))) for s, _ in SERVERS]
        print("| `%s` | %d | %s | %.2f | %.2f | %.3f |" % (
            ratio["endpoint"], conns, " | ".join(cells), ratio.get("fcgi_over_static", 0),
            ratio.get("fcgi_over_fastapi", 0), ratio.get("fcgi_over_fcgi_nolog", 0)))
    print()
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
        print()
    fn = doc["first_next_ms"]
    if "zip" in fn and "loop" in fn:
        print("exec -> first GET /next (bench/first_next.c, %d runs each, taking turns), ms:" % fn["zip"]["runs"])
        print()
        print("| | median | min | median / C loop |")
        print("|---|---:|---:|---:|")
        names = {"zip": "lambda.zip's bootstrap", "loop": "20-line C loop",
                 "python": "Python + FastAPI app" + ("" if fn.get("mangum_installed") else " (Mangum not installed)")}
        for label in ("zip", "loop", "python"):
            if label in fn:
                f = fn[label]
                print("| %s | %.2f | %.2f | %.2f |" % (names[label], f["median"], f["min"],
                                                       f["median"] / fn["loop"]["median"]))
        print()
    for label, procs in doc["rss_kb"].items():
        print("RSS after the load, %s: %s" % (label.replace("_", " "), ", ".join(
            "%d kB (peak %d kB)" % (p["rss"], p["peak"]) for p in procs)))
    print("Binary sizes: " + ", ".join("%s %d kB (stripped %d kB)" % (n, s["file"] // 1024, s["stripped"] // 1024)
                                       for n, s in doc["binary_bytes"].items()))


def main():
    doc = load(sys.argv[1])
    doc["ratios"] = ratios(doc)
    print_tables(doc)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print()
    print("(also in %s)" % sys.argv[2])


if __name__ == "__main__":
    main()
