#!/usr/bin/python3
"""Charts of one `make bench` run, drawn by gnuplot (Debian's gnuplot-nox) as SVG:

  bench/charts.py BENCH.json OUT_DIR

  requests.svg      requests/s by server and connection count, one panel per endpoint
  cpu.svg           server CPU time per request (us), the same way
  lambda-start.svg  exec -> first GET /next: the zip's bootstrap, a bare C loop,
                    Python + FastAPI (bench/first_next.sh); and the container image,
                    new and old, from `podman run` to the first answer in each mode
Each chart names the run's commit and date, and the command. Without gnuplot it
says so and exits 1; a chart with no figures in the run is left out."""

import json
import os
import subprocess
import sys

SERVERS = [("fcgi", "FastCGI (app.fcgi)"), ("nolog", "FastCGI, log off"), ("bare", "bare (close.c)"),
           ("bareclose", "bare, closes at once"), ("nginx", "nginx + manager"), ("php", "nginx + php-fpm"),
           ("static", "static file"), ("fastapi", "FastAPI/uvicorn"), ("cgi", "CGI")]


def gnuplot(script, data):
    """Runs gnuplot on script with inline data blocks ($name << EOD ... EOD)."""
    text = "".join("$%s << EOD\n%sEOD\n" % (name, body) for name, body in data.items()) + script
    subprocess.run(["gnuplot"], input=text, text=True, check=True)


def by_server_chart(doc, out, field, ylabel, title, logscale):
    """One panel per endpoint: clustered bars, x = connections, a bar per server."""
    rows = [r for r in doc["wrk"] if r["procs"] == 1]
    servers = [(s, n) for s, n in SERVERS if any(r["server"] == s for r in rows)]
    conns = sorted({r["connections"] for r in rows})
    data, plots = {}, []
    for i, (label, body) in enumerate(doc["bodies"].items()):
        lines = ""
        for c in conns:
            cells = []
            for s, _ in servers:
                r = next((r for r in rows if r["server"] == s and r["label"] == label and r["connections"] == c), None)
                cells.append("%g" % r[field] if r and r.get(field) else "NaN")
            lines += "%d %s\n" % (c, " ".join(cells))
        data["d%d" % i] = lines
        cols = ", ".join("$d%d using %d:xtic(1) title %s" % (i, j + 2, '"%s"' % n if i == 0 else "''")
                         for j, (_, n) in enumerate(servers))
        plots.append('set title "%s"\nplot %s\n' % (body["path"], cols))
    m = doc["meta"]
    script = """set terminal svg size 1200,460 font "sans,10" background rgb "white" noenhanced
set output "%s"
set multiplot layout 1,%d title "%s (one worker each; commit %s, %s; make bench)"
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set xlabel "connections"
set ylabel "%s"
set grid ytics
%s
set key top left font ",8" opaque
set linetype 9 lc rgb "#999999"
set yrange [0:*]
%s
unset multiplot
""" % (out, len(plots), title, m.get("commit"), m.get("date"), ylabel, "set logscale y" if logscale else "",
       "".join(plots[:1]) + "unset key\n" + "".join(plots[1:]))
    if logscale:
        script = script.replace("set yrange [0:*]", "set yrange [*:*]")
    gnuplot(script, data)


def start_chart(doc, out):
    """exec -> first /next of the Lambda runtimes, and the image's start in both modes."""
    bars = [("%s" % n, doc["first_next_ms"][k]["median"]) for k, n in
            (("zip", "bootstrap (zip)"), ("loop", "bare C loop"), ("python", "Python + FastAPI"))
            if k in doc["first_next_ms"]]
    lam = doc.get("lambda", {})
    if not bars and lam.get("start_to_next_ms"):
        bars = [("bootstrap", lam["start_to_next_ms"]), ("bare C loop", lam.get("floor_start_to_next_ms", 0))]
    for label, i in doc.get("image", {}).items():
        bars += [("image %s: ECS, first 200" % label, i["ecs_first_answer_ms"]),
                 ("image %s: Lambda, first /next" % label, i["lambda_first_next_ms"])]
    if not bars:
        return False
    m = doc["meta"]
    data = {"d": "".join('"%s" %g\n' % (n, v) for n, v in bars)}
    gnuplot("""set terminal svg size 900,420 font "sans,10" background rgb "white" noenhanced
set output "%s"
set title "Start to first GET /next (process) and first answer (container), ms, median; commit %s, %s; make bench"
set style data histograms
set style fill solid 0.9 border -1
set boxwidth 0.7
set logscale y
set ylabel "ms (log scale)"
set grid ytics
set xtics rotate by -25 font ",9"
set key off
plot $d using 2:xtic(1) lc rgb "#4477aa", '' using 0:2:(sprintf("%%.1f", $2)) with labels offset 0,0.7 font ",9"
""" % (out, m.get("commit"), m.get("date")), data)
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    try:
        subprocess.run(["gnuplot", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        sys.exit("charts.py: no gnuplot (make deps installs gnuplot-nox)")
    written = []
    if doc["wrk"]:
        by_server_chart(doc, os.path.join(out, "requests.svg"), "requests_per_s", "requests/s",
                        "Requests/s by server and connection count", False)
        by_server_chart(doc, os.path.join(out, "cpu.svg"), "server_cpu_us_per_request",
                        "server CPU us per request (log scale)", "Server CPU time per request", True)
        written += ["requests.svg", "cpu.svg"]
    if start_chart(doc, os.path.join(out, "lambda-start.svg")):
        written.append("lambda-start.svg")
    print("charts: %s in %s" % (", ".join(written), out))


if __name__ == "__main__":
    main()
