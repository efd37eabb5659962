"""The checks of the end-to-end scripts that read a log or a report file, one function
each, run through `python3 tests/e2e/e2e_client.py SUBCOMMAND ...` (its COMMANDS table).
Each returns 0 when what it checks holds; otherwise it says why on stderr (a failed
assert prints its message) and returns 1."""

import collections
import json
import re
import sys


def access_log_targets(tmp, count):
    """access_log.sh: COUNT requests logged alike by CGI, FastCGI and Lambda ($TMP/{cgi,fcgi,
    lambda}.log), each with the id it answered with ($TMP/N.TARGET)."""
    count = int(count)
    varying = {"time", "duration_us", "target", "request_id"}
    problems = []

    def lines(name):
        with open(f"{tmp}/{name}.log", encoding="utf-8") as f:
            raw = [l for l in f if l.startswith("{")]
        docs = []
        for l in raw:
            try:
                docs.append(json.loads(l, object_pairs_hook=lambda pairs: pairs))
            except ValueError as e:
                problems.append(f"{name}: not JSON ({e}): {l!r}")
        return docs

    def echoed_id(target, i):
        text = open(f"{tmp}/{i}.{target}", encoding="utf-8", errors="replace", newline="").read()
        if target == "lambda":
            doc = json.loads(text)
            return (doc.get("headers") or {}).get("X-Request-Id")
        m = re.search(r"^X-Request-Id: (.*?)\r$", text, re.M)
        return m and m.group(1)

    logs = {t: lines(t) for t in ("cgi", "fcgi", "lambda")}
    for t, docs in logs.items():
        if len(docs) != count:
            problems.append(f"{t}: {len(docs)} log lines for {count} requests")
    for i in range(count):
        if any(len(docs) <= i for docs in logs.values()):
            break
        pairs = {t: docs[i] for t, docs in logs.items()}
        keys = {t: [k for k, _ in p] for t, p in pairs.items()}
        if len({tuple(k) for k in keys.values()}) != 1:
            problems.append(f"request {i + 1}: keys differ: {keys}")
            continue
        values = {t: {k: v for k, v in p if k not in varying} for t, p in pairs.items()}
        if values["cgi"] != values["fcgi"] or values["cgi"] != values["lambda"]:
            problems.append(f"request {i + 1}: values differ: {values}")
        for t, p in pairs.items():
            d = dict(p)
            if d["target"] != t:
                problems.append(f"request {i + 1}: target {d['target']} in the {t} log")
            if d["request_id"] != echoed_id(t, i + 1):
                problems.append(f"request {i + 1} ({t}): logged id {d['request_id']} but answered {echoed_id(t, i + 1)}")
            if d["trace_id"] != "Root=1-5e6722a7-cc5601a746db7ae02d4da47e":
                problems.append(f"request {i + 1} ({t}): trace_id {d['trace_id']}")
            if d["level"] != ("ERROR" if d["status"] >= 500 else "INFO"):
                problems.append(f"request {i + 1} ({t}): level {d['level']} for {d['status']}")
            if not isinstance(d["duration_us"], int) or d["duration_us"] < 0:
                problems.append(f"request {i + 1} ({t}): duration_us {d['duration_us']}")
            if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["time"]):
                problems.append(f"request {i + 1} ({t}): time {d['time']}")
    cf = [dict(p)["request_id"] for t in ("cgi", "fcgi") for p in logs[t]]
    if len(set(cf)) != len(cf):
        problems.append("CGI/FastCGI request ids repeat")
    d = dict(logs["cgi"][17]) if len(logs["cgi"]) > 17 else {}
    if d.get("user_agent") != 'a"b\\c"},"status":999,"x":"' or d.get("status") != 200:
        problems.append(f"hostile user agent escaped its field: {d}")
    d = dict(logs["cgi"][18]) if len(logs["cgi"]) > 18 else {}
    if d.get("user_agent") != "tab\there\x01bell":
        problems.append(f"control bytes in the user agent: {d.get('user_agent')!r}")
    statuses = [dict(p)["status"] for p in logs["cgi"]]
    want = [200, 200, 200, 200, 200, 200, 200, 200, 422, 422, 404, 405, 307, 400, 413, 200, 200, 200, 200, 200]
    if statuses != want:
        problems.append(f"statuses {statuses}, wanted {want}")
    for p in problems:
        print("FAIL access-log:", p, file=sys.stderr)
    return 1 if problems else 0


def lambda_log_lines(out, level):
    """access_log.sh: the bootstrap's log lines at AWS_LAMBDA_LOG_LEVEL=LEVEL ($OUT.stdout)
    against the emulator's report ($OUT/report.json)."""
    report = json.load(open(out + "/report.json"))
    ids = [r["request_id"] for r in report["invocations"]]
    lines = [json.loads(l) for l in open(out + ".stdout") if l.startswith("{")]
    problems = []
    want = [("INFO", "JKJaXmPLvHcESHA=", 200), ("INFO", ids[1], 200), ("ERROR", ids[2], None)]
    if level == "ERROR":
        want = want[2:]
    if [(l["level"], l["request_id"], l.get("status")) for l in lines] != want:
        problems.append("lines %s, wanted %s" % ([(l["level"], l["request_id"], l.get("status")) for l in lines], want))
    if level == "INFO" and lines:
        for rec, line in zip(report["invocations"][:2], lines):
            echoed = (rec["body"].get("headers") or {}).get("X-Request-Id") or \
                     ((rec["body"].get("multiValueHeaders") or {}).get("X-Request-Id") or [None])[0]
            if echoed != line["request_id"]:
                problems.append("response X-Request-Id %s, logged %s" % (echoed, line["request_id"]))
    if lines and "Runtime.UnsupportedEvent" not in lines[-1].get("message", ""):
        problems.append("error line %s" % lines[-1])
    for p in problems:
        print("FAIL access-log:", p, file=sys.stderr)
    return 1 if problems else 0


def log_lines_match(ids_file, log, what):
    """fcgi_log_buffer.sh: every id of IDS_FILE has exactly one line in LOG, each line of LOG
    parses as JSON, and LOG has no line for an id of IDS_FILE's run that was not answered."""
    ids = open(ids_file).read().split()
    seen, torn = collections.Counter(), 0
    for raw in open(log, "rb").read().split(b"\n"):
        if not raw.startswith(b"{"):
            continue  # the manager's own messages
        try:
            line = json.loads(raw)
        except ValueError:
            torn += 1
            continue
        if "status" in line:
            seen[line["request_id"]] += 1
    prefix = ids[0].rsplit("-", 2)[0] if ids else "?"
    missing = [i for i in ids if seen[i] == 0]
    doubled = [i for i in ids if seen[i] > 1]
    extra = [i for i in seen if i.startswith(prefix + "-") and i not in set(ids)]
    print("%s: %d ids, %d lines, missing %d, doubled %d, unknown %d, torn %d"
          % (what, len(ids), sum(seen[i] for i in ids), len(missing), len(doubled), len(extra), torn))
    return 0 if ids and not missing and not doubled and not extra and not torn else 1


def held_lines_out(ids_file, during_log, after_log):
    """fcgi_log_buffer.sh: the 30 fast requests of IDS_FILE, held behind a slow /hello, were
    logged while it ran (DURING_LOG), and all of them and the slow one by the stop (AFTER_LOG)."""
    ids = open(ids_file).read().split()

    def logged(path):
        out = {}
        for raw in open(path, "rb").read().split(b"\n"):
            if raw.startswith(b"{"):
                line = json.loads(raw)
                if "status" in line:
                    out[line["request_id"]] = line
        return out
    during, after = logged(during_log), logged(after_log)
    slow = [l for l in after.values() if l["path"] == "/hello"]
    late = [i for i in ids if i not in during]
    print("30 lines held behind a 4 s request: %d written while it ran, %d late; after the stop: slow %d, fast %d"
          % (len(ids) - len(late), len(late), len(slow), sum(i in after for i in ids)))
    return 0 if len(ids) == 30 and not late and len(slow) == 1 and all(i in after for i in ids) else 1


def lambda_init_error(report, text, before_next=""):
    """lambda_init_error.sh, lambda_settings.sh: the emulator's REPORT has a Runtime.InitError
    posted to /init/error whose errorMessage holds TEXT; with before_next "before-next", it
    came before any /next and nothing was answered."""
    r = json.load(open(report))
    e = r["init_error"]
    if before_next:
        assert e is not None, "nothing posted to /init/error"
    assert e["error_type"] == "Runtime.InitError", e
    assert e["body"]["errorType"] == "Runtime.InitError", e
    assert text in e["body"]["errorMessage"], e
    if before_next:
        assert r["first_next_at"] is None, "asked for an invocation before refusing to start"
        assert r["answered"] == 0, r
    return 0


def lambda_served_add(report):
    """lambda_settings.sh: no init error, and the one invocation of REPORT (apigw-v1-add)
    answered 200 "15"."""
    r = json.load(open(report))
    assert r["init_error"] is None, r["init_error"]
    assert r["done"], r
    inv = r["invocations"][0]
    assert inv["outcome"] == "response", inv
    assert inv["body"]["statusCode"] == 200 and inv["body"]["body"] == "15", inv["body"]
    return 0


def lambda_rss(report, noise_kb):
    """lambda_rss.sh: every invocation of REPORT answered, the malformed ones as errors, and
    VmRSS after warm-up grown by at most NOISE_KB; prints the figures."""
    r = json.load(open(report))
    noise = int(noise_kb)
    rss = r["rss_kb"]
    print("lambda-rss: %d invocations (%d responses, %d errors), median %.0f us from /next to answer"
          % (r["answered"], r["responses"], r["errors"], r["latency_us"]["median"]))
    print("lambda-rss: VmRSS kB by invocations answered: " + ", ".join("%d:%d" % (n, kb) for n, kb in rss))
    assert r["done"], "not every invocation was answered"
    assert r["errors"] * 6 >= r["answered"] - 6, "malformed events were not reported as errors"
    assert len(rss) >= 2, "too few RSS samples"
    growth = rss[-1][1] - rss[0][1]
    print("lambda-rss: growth after warm-up %+d kB (allowed %d kB)" % (growth, noise))
    assert growth <= noise, "RSS grew by %d kB" % growth
    return 0


def head_error(status):
    """lighttpd_errors.sh: the raw answer on stdin is STATUS in JSON with nothing after the
    headers."""
    data = sys.stdin.buffer.read().decode("latin-1")
    head, sep, body = data.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 %s " % status) and sep, data
    assert "\r\nContent-Type: application/json\r\n" in head + "\r\n", head
    assert body == "", "a body: %r" % body
    return 0


def pipelined_after_refusal():
    """lighttpd_errors.sh: the raw answers on stdin to GET /hello, a bodiless POST /ping and
    GET /ping on one connection: the first two, the second closing the connection."""
    data = sys.stdin.buffer.read().decode("latin-1")
    parts = data.split("HTTP/1.1 ")
    assert parts[0] == "" and len(parts) == 3, "want two answers, got %d" % (len(parts) - 1)
    first, second = parts[1], parts[2]
    assert first.startswith("200 ") and first.endswith("\r\n\r\n\"Hello from fcgi\""), first
    assert "Connection: close" not in first, first
    assert second.startswith("405 ") and "\r\nConnection: close\r\n" in second, second
    assert second.endswith("\r\n\r\n{\"detail\":\"Method Not Allowed\"}"), second
    return 0


def bodiless_post_logged(log, request_id):
    """lighttpd_errors.sh: LOG has one access line for POST /api/v1/users/log-check?a=1,
    status 200, with REQUEST_ID."""
    want = {"method": "POST", "path": "/api/v1/users/log-check", "query": "a=1", "status": 200,
            "request_id": request_id}
    lines = [json.loads(l) for l in open(log) if l.startswith("{")]
    hits = [l for l in lines if l.get("path") == want["path"]]
    assert len(hits) == 1, hits
    assert all(hits[0].get(k) == v for k, v in want.items()), hits[0]
    return 0


def openapi_document():
    """spec_checks.sh: stdin is an OpenAPI 3.1 document with the path /items/{item_id}."""
    d = json.load(sys.stdin)
    assert d["openapi"].startswith("3.1")
    assert "/items/{item_id}" in d["paths"]
    return 0


def event_with_header(src, dst, name, value=None):
    """lambda_trace_id.sh: writes the event document SRC to DST without the header NAME,
    or with NAME set to VALUE when one is given."""
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    doc["headers"] = {k: v for k, v in doc["headers"].items() if k.lower() != name.lower()}
    if value is not None:
        doc["headers"][name.lower()] = value
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return 0


def single_trace_id():
    """lambda_trace_id.sh: the trace_id of the one access line on stdin (None when null),
    else "lines: N"."""
    lines = [json.loads(l) for l in sys.stdin if l.startswith("{")]
    print(lines[0]["trace_id"] if len(lines) == 1 else "lines: %d" % len(lines))
    return 0


def runtime_trace_ids(out):
    """lambda_trace_id.sh: the three access lines of OUT.stdout carry the Runtime API's trace
    ids (OUT/report.json), but the event header's where the event has one (the second)."""
    with open(out + "/report.json", encoding="utf-8") as f:
        runtime = [r["trace_id"] for r in json.load(f)["invocations"]]
    with open(out + ".stdout", encoding="utf-8") as f:
        lines = [json.loads(l) for l in f if l.startswith("{")]
    want = [runtime[0], "Root=1-5e6722a7-cc5601a746db7ae02d4da47e", runtime[2]]
    got = [l.get("trace_id") for l in lines]
    assert got == want and len(set(runtime)) == 3, "logged %s, wanted %s" % (got, want)
    return 0


def json_assert(path, expression):
    """apache_lib.sh: 0 when the Python EXPRESSION holds with e bound to the JSON document
    in PATH (e.g. "e['SCRIPT_NAME'] == ''"); else the document on stderr."""
    with open(path, encoding="utf-8") as f:
        e = json.load(f)
    assert eval(expression, {}, {"e": e}), e  # noqa: S307 (the tests' own expressions)
    return 0


def burst_report(out, limit_ms, service_ms, slack_ms):
    """fcgi_overload.sh: the burst in OUT (e2e_client.py burst) against one worker with
    --max-queue-wait LIMIT_MS and a handler SERVICE_MS long: every request answered 200 or
    503 (none lost), some of each; each 503 carries Retry-After and {"detail": ...}; the
    slowest served request (the p99 of so few) and the slowest 503 within LIMIT_MS +
    SERVICE_MS (+ SLACK_MS for a loaded machine). Prints the counts and latencies."""
    limit, service, slack = float(limit_ms), float(service_ms), float(slack_ms)
    with open(out, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f]
    served = sorted(r["ms"] for r in rows if r["status"] == 200)
    shed = [r for r in rows if r["status"] == 503]
    other = [r for r in rows if r["status"] not in (200, 503)]
    print("sent %d, served %d (max %.0f ms), shed %d (max %.0f ms), failed %d" % (
        len(rows), len(served), served[-1] if served else 0, len(shed),
        max((r["ms"] for r in shed), default=0), len(other)))
    assert not other, "requests neither served nor shed: %r" % other[:3]
    assert served and shed, "a burst must have served and shed requests"
    for r in shed:
        assert r["retry_after"] == "1", "a 503 without Retry-After: 1: %r" % r
        assert set(json.loads(r["body"])) == {"detail"}, "a 503 body not {\"detail\": ...}: %r" % r
    bound = limit + service + slack
    p99 = served[min(len(served) - 1, int(len(served) * 0.99))]
    assert p99 <= bound, "served p99 %.0f ms over %.0f ms" % (p99, bound)
    worst = max(r["ms"] for r in shed)
    assert worst <= bound, "a 503 took %.0f ms (over %.0f ms): the handler ran?" % (worst, bound)
    return 0


SHED_BODY = '{"detail":"Server overloaded: the request waited too long for a worker"}'


def shed_observed(out, log, page=""):
    """fcgi_overload.sh: the 503s of the burst in OUT (e2e_client.py burst) were answered
    as any request is, only without the handler: each has today's body byte for byte and an
    X-Request-Id, and LOG has an access line with status 503 and that id for each. PAGE:
    an OpenMetrics page (STATUS_PATH?openmetrics) whose histogram counts exactly that many
    503s; "emf": LOG's EMF lines count them in http_server_errors (the burst's only errors).
    Says every check that fails (not only the first); prints the count of 503s."""
    with open(out, encoding="utf-8") as f:
        shed = [r for r in (json.loads(l) for l in f) if r["status"] == 503]
    assert shed, "no 503 in the burst"
    docs = []
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict):
                docs.append(d)
    logged = {d["request_id"]: d["status"] for d in docs if "request_id" in d and "status" in d}
    problems = []
    bodies = [r["body"] for r in shed if r["body"] != SHED_BODY]
    if bodies:
        problems.append("%d of %d 503 bodies are not today's: %r" % (len(bodies), len(shed), bodies[0]))
    no_id = [r for r in shed if not r["request_id"]]
    if no_id:
        problems.append("%d of %d 503s without X-Request-Id" % (len(no_id), len(shed)))
    unlogged = [r["request_id"] for r in shed if logged.get(r["request_id"]) != 503]
    if unlogged:
        problems.append("%d of %d 503s without an access line (status 503, their request id); %d lines "
                        "with status 503 in the log" % (len(unlogged), len(shed),
                                                        sum(1 for v in logged.values() if v == 503)))
    if page == "emf":
        errors = sum(int(d["http_server_errors"]) for d in docs if "_aws" in d)
        if errors != len(shed):
            problems.append("the EMF lines count %d errors, the client saw %d 503s" % (errors, len(shed)))
    elif page:
        from e2e_metrics import openmetrics_parse
        with open(page, encoding="utf-8") as f:
            families = openmetrics_parse(f.read())
        counted = sum(int(s.value) for fam in families for s in fam.samples
                      if s.name == "http_server_request_duration_seconds_count"
                      and s.labels.get("http_response_status_code") == "503")
        if counted != len(shed):
            problems.append("the histogram counts %d 503s, the client saw %d" % (counted, len(shed)))
    assert not problems, "; ".join(problems)
    print(len(shed))
    return 0
