"""Continuous load through the balancer for the fleet test, and its report.

usage: python3 load.py run URL LOG [--workers N] [--rate R] [--max-seconds S] [--stop-file F]
       python3 load.py report LOG MARKS

run: N threads (4), each sending at most R requests a second (25), until the
file F exists or S seconds (300) have passed. Even threads keep one connection
open (keep-alive, as SDKs and browsers do), odd ones open one per request.
Requests cycle through GET /math/add (the sum is checked), POST /api/v1/users/
with a JSON body, GET /items/N?q=..., POST /api/v1/users/N. One line per
request goes to LOG: "SENT DONE METHOD PATH STATUS OK", times on the wall
clock in seconds, STATUS 0 when no answer came (reset, timeout, a malformed
answer). OK is 1 only for the spec's status and body: anything else failed.

report: MARKS holds lines "TIME STEP EVENT" written by the test. A step runs
from its "start" to its "end"; the requests sent in between are its own. One
line per step: sent, answered, failed, and the time to recover (from "start",
or from "kill" for a crash, to "recovered"). Every step must have 0 failed
except "crash", whose failures must all have been in flight at the kill (sent
before "killed", answered or abandoned after "kill"). Exit 1 when a rule is
broken, 2 on a bad LOG or MARKS.
"""
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

TIMEOUT = 10


def requests_cycle(rng):
    """Yield (method, path, body, expected_body) forever."""
    while True:
        a, b = rng.randrange(10**6), rng.randrange(10**6)
        yield "GET", "/math/add?i=%d&i=%d" % (a, b), None, str(a + b)
        yield "POST", "/api/v1/users/", json.dumps({"name": "n%d" % a}), '{"Success":"All users!"}'
        yield "GET", "/items/%d?q=x%d" % (a, b), None, '{"item_id":%d,"q":"x%d"}' % (a, b)
        yield "POST", "/api/v1/users/%d" % b, "", '{"Success":"This is one user!"}'


def exchange(conn, method, path, body):
    """One request on conn: (status, body text), or raises OSError/HTTPException."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8", "replace")


def worker(index, url, rate, until, stop_file, out, lock):
    """Send requests until the stop file exists or time is up; log each one."""
    keep_alive = index % 2 == 0
    host = urllib.parse.urlsplit(url)
    conn = None
    for method, path, body, expected in requests_cycle(random.Random(index)):
        started = time.time()
        if started >= until or os.path.exists(stop_file):
            break
        status, ok = 0, False
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=TIMEOUT)
            status, text = exchange(conn, method, path, body)
            ok = status == 200 and text == expected
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
        if not keep_alive and conn is not None:
            conn.close()
            conn = None
        done = time.time()
        with lock:
            out.write("%.4f %.4f %s %s %d %d\n" % (started, done, method, path, status, ok))
        time.sleep(max(0.0, 1.0 / rate - (done - started)))
    if conn is not None:
        conn.close()


def run(args):
    url, log = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    workers = int(opts.get("--workers", 4))
    rate = float(opts.get("--rate", 25))
    until = time.time() + float(opts.get("--max-seconds", 300))
    stop_file = opts.get("--stop-file", "/nonexistent")
    lock = threading.Lock()
    with open(log, "w", buffering=1) as out:
        threads = [threading.Thread(target=worker, args=(i, url, rate, until, stop_file, out, lock))
                   for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


STEPS = {"scale-out": "scale out 1->3", "rolling-deploy": "rolling deploy",
         "crash": "crash (SIGKILL)", "scale-in": "scale in 3->1"}


def read_marks(path):
    """{step: {event: time}} from MARKS."""
    marks = {}
    for line in open(path):
        t, step, event = line.split()
        marks.setdefault(step, {})[event] = float(t)
    return marks


def step_line(step, ev, reqs):
    """The step's line, and a list of the rules it breaks."""
    mine = [r for r in reqs if ev["start"] <= r[0] < ev["end"]]
    failed = [r for r in mine if not r[5]]
    since = ev.get("kill", ev["start"])
    recovered = "%.1f s" % (ev["recovered"] - since) if "recovered" in ev else "never"
    broken = []
    if step == "crash":
        late = [r for r in failed if r[0] > ev["killed"] or r[1] < ev["kill"]]
        if late:
            broken.append("%d failed that were not in flight at the kill, e.g. %s" % (len(late), late[0]))
    elif failed:
        broken.append("%d failed, e.g. %s" % (len(failed), failed[0]))
    if len(mine) < 10:
        broken.append("only %d requests sent: no load" % len(mine))
    line = "%s: sent %d, answered %d, failed %d, recovered in %s" % (
        STEPS.get(step, step), len(mine), len(mine) - len(failed), len(failed), recovered)
    return line, broken


def report(args):
    try:
        reqs = [(float(a), float(b), m, p, int(s), int(ok))
                for a, b, m, p, s, ok in (line.split() for line in open(args[0]))]
        marks = read_marks(args[1])
    except (OSError, ValueError) as e:
        print("load.py report: %s" % e, file=sys.stderr)
        return 2
    broken = []
    for step, ev in sorted(marks.items(), key=lambda kv: kv[1].get("start", 0)):
        if "start" not in ev or "end" not in ev:
            broken.append("%s: no start or end mark" % step)
            continue
        line, bad = step_line(step, ev, reqs)
        print("fleet step: " + line)
        broken += ["%s: %s" % (STEPS.get(step, step), b) for b in bad]
    for b in broken:
        print("FAIL fleet: " + b, file=sys.stderr)
    return 1 if broken else 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "run":
        run(sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
