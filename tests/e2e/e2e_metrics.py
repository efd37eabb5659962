"""The metrics tests' Python (fcgi_metrics.sh, metrics_emf.sh), run through
`e2e_client.py SUBCOMMAND` (its COMMANDS table): a load generator, a scraper, and the
checks of OpenMetrics pages and EMF lines. Each check returns 0 when what it checks holds;
otherwise a failed assert says why (e2e_client prints it) and it returns 1."""

import collections
import json
import os
import random
import time


# ---- load and scrapes -------------------------------------------------------

METRICS_MIX = [("GET", "/ping"), ("GET", "/items/7"), ("GET", "/items/x"), ("HEAD", "/ping"),
               ("POST", "/ping"), ("GET", "/no-such-page"), ("GET", "/api/v1/users/3")]


def metrics_load(base, count, threads, report, kind="mix"):
    """COUNT requests to BASE (http://host:port) from THREADS threads: KIND "mix" cycles
    through METRICS_MIX; "random" sends a random path and a random method (a token of
    random capitals) each time. Writes REPORT (JSON): sent, answered (by status) and
    failed (no HTTP answer)."""
    import http.client
    import threading
    import urllib.parse
    host = urllib.parse.urlsplit(base)
    count, threads = int(count), int(threads)
    lock = threading.Lock()
    tally = {"sent": 0, "answered": {}, "failed": 0}
    todo = list(range(count))

    def one(i, conn):
        if kind == "random":
            method = "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(random.randint(3, 9)))
            if i % 2:
                method = random.choice(["GET", "POST", "DELETE"])
            path = "/%s/%d" % ("".join(random.choice("abcdefghij") for _ in range(8)), i)
        else:
            method, path = METRICS_MIX[i % len(METRICS_MIX)]
        conn.request(method, path, body=b"" if method == "POST" else None)
        resp = conn.getresponse()
        resp.read()
        return resp.status

    def worker():
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
        while True:
            with lock:
                if not todo:
                    break
                i = todo.pop()
                tally["sent"] += 1
            try:
                status = one(i, conn)
                with lock:
                    tally["answered"][str(status)] = tally["answered"].get(str(status), 0) + 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
                with lock:
                    tally["failed"] += 1
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    tally["answered_total"] = sum(tally["answered"].values())
    with open(report, "w", encoding="utf-8") as f:
        json.dump(tally, f)
    return 0


def scrape_loop(url, pages_dir, stop_file):
    """Fetches URL into PAGES_DIR/0000.txt, 0001.txt, ... (an empty file for a failed
    fetch) every 50 ms until STOP_FILE exists, then once more. Prints how many."""
    import urllib.request
    n, stopping = 0, False
    while True:
        stopping = os.path.exists(stop_file)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = r.read().decode() if r.status == 200 else ""
        except OSError:
            body = ""
        with open(os.path.join(pages_dir, "%04d.txt" % n), "w", encoding="utf-8") as f:
            f.write(body)
        n += 1
        if stopping:
            break
        time.sleep(0.05)
    print(n)
    return 0


# ---- checks -------------------------------------------------------------------


def openmetrics_parse(text):
    """The families of an OpenMetrics page, parsed by the Prometheus client library's
    own parser (Debian's python3-prometheus-client), which refuses a malformed page."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    return list(text_string_to_metric_families(text))


def openmetrics_summary(page):
    """fcgi_metrics.sh: parses the OpenMetrics page in PAGE (a body: curl's output) and
    prints a JSON summary for json-assert: count (the histogram's requests), series, routes,
    methods, statuses, pids (per-worker rows), restarts by cause, workers by state, and
    every other counter by name."""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("# EOF\n"), "the page does not end with # EOF"
    out = {"count": 0, "series": 0, "routes": [], "methods": [], "statuses": [], "pids": [],
           "restarts": {}, "workers": {}, "counters": {}, "families": []}
    for fam in openmetrics_parse(text):
        out["families"].append(fam.name)
        for s in fam.samples:
            if s.name == "http_server_request_duration_seconds_count":
                out["count"] += int(s.value)
                out["series"] += 1
                for key, dst in (("http_route", "routes"), ("http_request_method", "methods"),
                                 ("http_response_status_code", "statuses")):
                    if s.labels[key] not in out[dst]:
                        out[dst].append(s.labels[key])
            elif s.name == "app_worker_requests_total":
                out["pids"].append(int(s.labels["pid"]))
            elif s.name == "app_pool_worker_restarts_total":
                out["restarts"][s.labels["cause"]] = int(s.value)
            elif s.name == "app_pool_workers":
                out["workers"][s.labels["state"]] = int(s.value)
            elif s.name.endswith("_total") and not s.labels:
                out["counters"][s.name] = int(s.value)
            elif s.name == "app_pool_listen_queue":
                out["listen_queue"] = int(s.value)
    out["pids"].sort()
    print(json.dumps(out))
    return 0


def openmetrics_monotonic(pages_dir):
    """fcgi_metrics.sh: every page scraped into PAGES_DIR (files 0000.txt, 0001.txt, ...
    in scrape order; empty files are failed scrapes) parses, and no counter goes
    backwards from one page to the next: the pool's counters, each histogram bucket,
    count and sum, and each worker's count while its pid lives. Prints how many pages."""
    names = sorted(n for n in os.listdir(pages_dir) if n.endswith(".txt"))
    last, pages = {}, 0
    for name in names:
        with open(os.path.join(pages_dir, name), encoding="utf-8") as f:
            text = f.read()
        if not text:
            continue
        pages += 1
        for fam in openmetrics_parse(text):
            if fam.type not in ("counter", "histogram"):
                continue
            for s in fam.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                assert s.value >= last.get(key, 0), f"{name}: {key} went back from {last[key]} to {s.value}"
                last[key] = s.value
    assert pages > 0, "no page scraped"
    print(pages)
    return 0


def emf_lines(log, target, interval=""):
    """metrics_emf.sh: the EMF lines in LOG (JSON lines with an _aws member) hold the
    specification's required keys (_aws.Timestamp a number, CloudWatchMetrics an array of
    directives with Namespace, Dimensions (arrays of dimension names present as strings
    at the root) and Metrics (Name; a present root value, a number or up to 100 numbers)),
    for TARGET. lambda: dimensions target and route. fcgi: dimensions [["target"]]
    alone, and a "routes" breakdown that adds up to the line's totals; with INTERVAL,
    per process (pid) at most one line per INTERVAL seconds, whatever its routes,
    plus the one written at exit. Prints the count of lines and the sum of
    http_server_requests."""
    docs = []
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"_aws"' not in line:
                continue
            docs.append(json.loads(line))
    assert docs, f"no EMF line in {log}"
    total = 0
    for d in docs:
        aws = d["_aws"]
        assert isinstance(aws["Timestamp"], (int, float)) and aws["Timestamp"] > 1e12, d
        assert isinstance(aws["CloudWatchMetrics"], list) and aws["CloudWatchMetrics"], d
        for directive in aws["CloudWatchMetrics"]:
            assert isinstance(directive["Namespace"], str) and 0 < len(directive["Namespace"]) <= 255, d
            for dims in directive["Dimensions"]:
                assert isinstance(dims, list) and len(dims) <= 30, d
                for name in dims:
                    assert isinstance(d.get(name), str), f"dimension {name} missing: {d}"
            for m in directive["Metrics"]:
                v = d[m["Name"]]
                assert isinstance(v, (int, float)) or (isinstance(v, list) and 0 < len(v) <= 100
                                                        and all(isinstance(x, (int, float)) for x in v)), d
        assert d["target"] == target, d
        total += int(d["http_server_requests"])
    if target == "fcgi":
        for d in docs:
            dims = d["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
            assert dims == [["target"]], f"a FastCGI line's dimensions are {dims}, not [['target']]: {d}"
            rows = d["routes"]
            assert rows and len({r["route"] for r in rows}) == len(rows), f"routes: {rows}"
            assert sum(r["requests"] for r in rows) == d["http_server_requests"], d
            assert sum(r["errors"] for r in rows) == d["http_server_errors"], d
            assert all(0 <= r["duration_seconds_max"] <= r["duration_seconds_sum"] for r in rows), d
    else:
        for d in docs:
            assert d["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["target", "route"]], d
            assert isinstance(d["route"], str), d
    if interval:
        # One process: consecutive lines at least INTERVAL apart (less a tenth for
        # scheduling), whatever the routes, but for the last, which exit may write any time.
        times = collections.defaultdict(list)
        for d in docs:
            times[d["pid"]].append(d["_aws"]["Timestamp"])
        for pid, ts in times.items():
            ts.sort()
            body = ts[:-1]
            gaps = [b - a for a, b in zip(body, body[1:])]
            assert all(g >= float(interval) * 900 for g in gaps), f"pid {pid}: lines closer than the interval: {ts}"
    print(len(docs), total)
    return 0
