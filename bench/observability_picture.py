#!/usr/bin/python3
"""The picture of docs/observability.md, from a real run (bench/observability_picture.sh):

  bench/observability_picture.py scrape URL OUT SECONDS   scrape URL (the manager's
      STATUS_PATH?openmetrics) once a second for SECONDS, parsing each page with the
      Prometheus client library's own parser (Debian's python3-prometheus-client); one
      JSON line per scrape in OUT: time, requests per route, the duration histogram's
      buckets (all series added up), workers by state
  bench/observability_picture.py plot SCRAPES PHASES OUT.png CAPTION   draw the scrapes
      as three Grafana-style panels with gnuplot (Debian's gnuplot-nox): request rate per
      route, latency quantiles from the histogram (as Prometheus's histogram_quantile),
      workers by state; PHASES holds "second label" lines for the load's phases

A page that does not parse stops the scrape with its error: the picture is of what a
Prometheus server would have read."""

import json
import subprocess
import sys
import time
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

DURATION = "http_server_request_duration_seconds"
WINDOW = 3  # scrapes a rate or quantile is taken over (as rate(...[3s]))


def one_scrape(url):
    """The numbers of one page: requests per route, cumulative buckets, workers by state."""
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    routes, buckets, workers, total_sum = {}, {}, {}, 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == DURATION + "_count":
                route = s.labels["http_route"]
                routes[route] = routes.get(route, 0) + s.value
            elif s.name == DURATION + "_sum":
                total_sum += s.value
            elif s.name == DURATION + "_bucket":
                le = s.labels["le"]
                buckets[le] = buckets.get(le, 0) + s.value
            elif s.name == "app_pool_workers":
                workers[s.labels["state"]] = s.value
    return {"routes": routes, "buckets": buckets, "workers": workers, "sum": total_sum}


def scrape(url, out, seconds):
    """Scrapes url once a second for seconds into out (JSON lines)."""
    start = time.monotonic()
    with open(out, "w", encoding="utf-8") as f:
        while time.monotonic() - start < float(seconds):
            t = time.monotonic() - start
            row = one_scrape(url)
            row["t"] = t
            f.write(json.dumps(row) + "\n")
            f.flush()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - start - t)))
    return 0


def quantile(q, before, after):
    """histogram_quantile(q) of the increase of cumulative buckets from before to after:
    linear within the bucket the rank falls in; None without requests."""
    les = sorted(after, key=lambda le: float("inf") if le == "+Inf" else float(le))
    inc = [(le, after[le] - before.get(le, 0)) for le in les]
    total = inc[-1][1]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for le, count in inc:
        if count >= rank:
            if le == "+Inf":
                return lower
            upper = float(le)
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = float(le), count
    return lower


def series(rows):
    """Rows of the data file: t, rate per route..., p50, p90, p99, mean (ms), idle, reading, running."""
    routes = sorted({r for row in rows for r in row["routes"]})
    out = []
    for i in range(WINDOW, len(rows)):
        a, b = rows[i - WINDOW], rows[i]
        dt = b["t"] - a["t"]
        rates = [(b["routes"].get(r, 0) - a["routes"].get(r, 0)) / dt for r in routes]
        qs = [quantile(q, a["buckets"], b["buckets"]) for q in (0.5, 0.9, 0.99)]
        n = sum(rates) * dt
        qs.append((b["sum"] - a["sum"]) / n if n > 0 else None)
        w = b["workers"]
        out.append([b["t"]] + rates + [("%.2f" % (v * 1000)) if v is not None else "NaN" for v in qs]
                   + [w.get("idle", 0), w.get("reading", 0), w.get("running", 0)])
    return routes, out


GNUPLOT_STYLE = """
set terminal pngcairo size 1400,1000 font "DejaVu Sans,11" background rgb "#111217" noenhanced
set output '%(out)s'
fg = "#ccccdc"; grid = "#2c3235"
set border 3 lc rgb grid
set grid xtics ytics lc rgb grid lw 1 dt 1
set tics textcolor rgb fg nomirror
set xlabel textcolor rgb fg
set ylabel textcolor rgb fg
set title textcolor rgb fg font "DejaVu Sans,13"
set key outside right top textcolor rgb fg noautotitle width 2
set xrange [0:%(tmax)s]
set lmargin 10; set rmargin 26
%(phases)s
set multiplot title "%(caption)s" font "DejaVu Sans,11" textcolor rgb "#8e8e8e"
"""


def plot(scrapes, phases, out, caption):
    """Draws the three panels into out."""
    with open(scrapes, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f]
    routes, data = series(rows)
    if not data:
        sys.exit("observability_picture: too few scrapes to plot")
    ncol = len(routes)
    body = "".join(" ".join(str(c) for c in row) + "\n" for row in data)
    labels = ""
    with open(phases, encoding="utf-8") as f:
        for line in f:
            at, label = line.split(" ", 1)
            labels += ('set arrow from %s, graph 0 to %s, graph 1 nohead lc rgb "#5a5a5a" dt 2\n'
                       'set label "%s" at %s, graph 0.97 offset 0.5,0 textcolor rgb "#8e8e8e" font ",9" front\n'
                       % (at, at, label.strip(), at))
    colors = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a"]
    script = GNUPLOT_STYLE % {"out": out, "tmax": int(rows[-1]["t"]) + 1, "phases": labels,
                              "caption": caption.replace('"', "'")}
    # Panel 1: request rate per route, stacked as Grafana's stacked area (the total on top).
    script += 'set origin 0,0.64; set size 1,0.31\nset title "Request rate by route (rate of http_server_request_duration_seconds_count, 3 s)"\n'
    script += 'set ylabel "requests/s"; set format x ""; set xlabel ""\n'
    plots = []
    for i, r in enumerate(routes):
        upto = "+".join("$%d" % (2 + j) for j in range(i, ncol))
        plots.append('$d using 1:(%s) with filledcurves x1 lc rgb "%s" fs solid 0.35 title "%s"'
                     % (upto, colors[i % len(colors)], r.replace("_", "_")))
    script += "plot " + ", ".join(plots) + "\n"
    # Panel 2: quantiles and the mean.
    q0 = 2 + ncol
    script += ('set origin 0,0.33; set size 1,0.31\nset title "Latency of all routes (3 s windows)"\n'
               'set ylabel "ms"; set logscale y; set format y "%g"\n')
    a, b = rows[0]["buckets"], rows[-1]["buckets"]
    slow = (b["+Inf"] - a.get("+Inf", 0)) - (b["0.005"] - a.get("0.005", 0))
    note = ("every request fell in the first bucket (<= 5 ms)" if slow == 0 else
            "%d of %d requests took over 5 ms" % (slow, b["+Inf"] - a.get("+Inf", 0)))
    script += ('set label 99 "%s: histogram_quantile interpolates inside the bucket a quantile falls in; '
               'the mean, rate(_sum) / rate(_count), is measured" at graph 0.01, graph 0.06 '
               'textcolor rgb "#8e8e8e" font ",9" front\n' % note)
    lines = [("#73bf69", "p50 (histogram_quantile)", 0, "2 dt 2"), ("#f2cc0c", "p90", 1, "2 dt 2"),
             ("#f2495c", "p99", 2, "2 dt 2"), ("#8ab8ff", "mean (_sum / _count)", 3, "3")]
    script += "plot " + ", ".join('$d using 1:%d with lines lw %s lc rgb "%s" title "%s"' % (q0 + k, w, c, t)
                                  for c, t, k, w in lines) + "\n"
    script += "unset label 99\n"
    script += "unset logscale y\n"
    # Panel 3: workers by state, stacked.
    w0 = q0 + 4
    script += ('set origin 0,0.02; set size 1,0.31\nset title "Workers by state (app_pool_workers; the scrape itself is one running)"\n'
               'set ylabel "workers"; set format x "%g"; set xlabel "seconds"; set yrange [0:*]\n')
    stack = [("running", "#f2495c"), ("reading", "#f2cc0c"), ("idle", "#73bf69")]
    idx = {"idle": w0, "reading": w0 + 1, "running": w0 + 2}
    plots = []
    for i, (name, c) in enumerate(stack):
        upto = "+".join("$%d" % idx[n] for n, _ in stack[i:])
        plots.append('$d using 1:(%s) with filledcurves x1 lc rgb "%s" fs solid 0.45 title "%s"' % (upto, c, name))
    script += "plot " + ", ".join(plots) + "\nunset multiplot\n"
    text = "$d << EOD\n" + body + "EOD\n" + script
    subprocess.run(["gnuplot"], input=text, text=True, check=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "scrape":
        sys.exit(scrape(*sys.argv[2:]))
    if len(sys.argv) == 6 and sys.argv[1] == "plot":
        sys.exit(plot(*sys.argv[2:]))
    sys.exit(__doc__)
