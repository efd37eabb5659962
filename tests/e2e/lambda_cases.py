#!/usr/bin/env python3
"""Every row of tests/spec_cases.tsv (docs/spec.md) as a Lambda event of every supported
type, run through the real bootstrap, with the response documents checked.

  lambda_cases.py local BOOTSTRAP        one `BOOTSTRAP --event FILE` per case
  lambda_cases.py emulator BOOTSTRAP     all cases, with malformed events in
                                         between, through one bootstrap process fed
                                         by tests/lambda_runtime_emulator.py
  lambda_cases.py stream BOOTSTRAP       all cases through the emulator twice,
                                         buffered and with LAMBDA_INVOKE_MODE=
                                         RESPONSE_STREAM: Function URL answers come
                                         streamed (prelude, 8 NULs, body) and are the
                                         buffered ones byte for byte once reassembled;
                                         the others stay buffered and identical

The events are built from the documents in tests/events/ (AWS's shapes), changing
only the method, path, query, headers and body, the way each integration would
present that HTTP request. LAMBDA_WRAPPER (e.g. "valgrind -q ...") prefixes the
bootstrap command. Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import base64
import copy
import json
import os
import shlex
import subprocess
import sys
import tempfile
import urllib.parse

import spec_table

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")
EMULATOR = os.path.join(HERE, "..", "lambda_runtime_emulator.py")
BODY_LIMIT = spec_table.SPEC_BODY_LIMIT

# kind -> (template, how the answer must look)
KINDS = {
    "apigw-v1": ("apigw-v1-add.json", {"multi": True, "cookies": False, "description": False}),
    "apigw-http-v1": ("apigw-http-v1-add.json", {"multi": True, "cookies": False, "description": False}),
    "apigw-v2": ("apigw-v2-add.json", {"multi": False, "cookies": True, "description": False}),
    "apigw-v2-stage": ("apigw-v2-add.json", {"multi": False, "cookies": True, "description": False}),
    "function-url": ("function-url-add.json", {"multi": False, "cookies": True, "description": False}),
    "alb": ("alb-add.json", {"multi": False, "cookies": False, "description": True}),
    "alb-multi-value": ("alb-multi-value-add.json", {"multi": True, "cookies": False, "description": True}),
}

# The public URL prefix each kind's redirects must point at.
BASE_URL = {
    "apigw-v1": "https://abcdef1234.execute-api.eu-west-1.amazonaws.com/prod",
    "apigw-http-v1": "https://r3pmxmplak.execute-api.eu-west-1.amazonaws.com",
    "apigw-v2": "https://r3pmxmplak.execute-api.eu-west-1.amazonaws.com",
    "apigw-v2-stage": "https://r3pmxmplak.execute-api.eu-west-1.amazonaws.com/prod",
    "function-url": "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws",
    "alb": "http://lambda-alb-123578498.eu-west-1.elb.amazonaws.com",
    "alb-multi-value": "http://lambda-alb-123578498.eu-west-1.elb.amazonaws.com",
}

def case(name, status, body, method="GET", path="/", query="", headers=None, req_body=None,
         b64=False, want_headers=None, single=None):
    """single: (status, body) expected instead when the event keeps one value per query name (ALB without
    multi-value headers: AWS passes only the last value)."""
    return {"name": name, "status": status, "body": body, "method": method, "path": path, "query": query,
            "headers": headers or {}, "req_body": req_body, "b64": b64, "want_headers": want_headers or {},
            "single": single}


def row_cases(row):
    """The cases of one spec table row: a body that is UTF-8 without NUL is sent both
    plain and base64-encoded, any other base64-encoded. A HEAD answer has no body."""
    path, _, query = row["target"].partition("?")
    want = {"Content-Type": row["content_type"]} if row["content_type"] != "-" else {}
    for line in row["resp_headers"]:
        name, _, value = line.partition(": ")
        want[name] = value
    body = "" if row["method"] == "HEAD" else spec_table.expected_body(row, "lambda")
    common = dict(method=row["method"], path=path, query=query, headers=dict(row["req_headers"]),
                  want_headers=want, single=row["alb_last"])
    data = row["req_body"]
    if data is None:
        return [case(row["name"], row["status"], body, **common)]
    out = [case(row["name"] + " (base64)", row["status"], body, req_body=data, b64=True, **common)]
    try:
        if b"\0" not in data:
            out.append(case(row["name"], row["status"], body, req_body=data.decode("utf-8"), **common))
    except UnicodeDecodeError:
        pass
    return out


def cases():
    """The spec table's rows for "lambda" (tests/spec_cases.tsv), then the Lambda-only ones."""
    c = []
    for row in spec_table.spec_cases("lambda"):
        c += row_cases(row)
    c.append(case("bad base64 body", 400, '{"detail":"Invalid base64 in request body"}', method="POST",
                  path="/api/v1/users/", req_body="not base64!", b64=True))
    return c


def load(name):
    with open(os.path.join(EVENTS, name)) as f:
        return json.load(f)


def raw_pairs(query):
    """name=value pairs exactly as sent (ALB does not decode)."""
    out = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            out.append((name, value))
    return out


def body_fields(ev, c):
    body = c["req_body"]
    if body is None:
        ev["body"] = None if "resource" in ev else ""
        ev["isBase64Encoded"] = False
    elif c["b64"] and isinstance(body, bytes):
        ev["body"] = base64.b64encode(body).decode()
        ev["isBase64Encoded"] = True
    else:
        ev["body"] = body if isinstance(body, str) else body.decode()
        ev["isBase64Encoded"] = c["b64"]


def make_event(kind, c):
    ev = copy.deepcopy(load(KINDS[kind][0]))
    method, path, query = c["method"], c["path"], c["query"]
    decoded = urllib.parse.parse_qsl(query, keep_blank_values=True)
    # Per source (docs/lambda.md): REST API, Function URL and ALB pass the path as the
    # client sent it; the HTTP API (payload 1.0 and 2.0) decodes it first.
    dpath = urllib.parse.unquote(path)
    if kind in ("apigw-v1", "apigw-http-v1"):
        ev["httpMethod"] = method
        ev["requestContext"]["httpMethod"] = method
        if kind == "apigw-v1":  # REST API: a {proxy+} resource on stage "prod"
            ev["path"] = path
            ev["pathParameters"] = {"proxy": dpath[1:]} if dpath != "/" else None
            ev["requestContext"]["path"] = "/prod" + path
        else:  # HTTP API payload 1.0 on the $default stage
            ev["path"] = dpath
            ev["resource"] = ev["requestContext"]["resourcePath"] = dpath
            ev["requestContext"]["path"] = dpath
        multi = {}
        for k, v in decoded:
            multi.setdefault(k, []).append(v)
        ev["multiValueQueryStringParameters"] = multi or None
        ev["queryStringParameters"] = {k: v[-1] for k, v in multi.items()} or None
        for k, v in c["headers"].items():
            ev["headers"][k] = v
            ev["multiValueHeaders"][k] = [v]
    elif kind.startswith("apigw-v2") or kind == "function-url":
        stage = "/prod" if kind == "apigw-v2-stage" else ""
        sent = path if kind == "function-url" else dpath
        ev["rawPath"] = stage + sent
        ev["rawQueryString"] = query
        ev["requestContext"]["http"]["method"] = method
        ev["requestContext"]["http"]["path"] = stage + sent
        if stage:
            ev["requestContext"]["stage"] = "prod"
            ev["routeKey"] = ev["requestContext"]["routeKey"] = "ANY /{proxy+}"
        single = {}
        for k, v in decoded:
            single[k] = single[k] + "," + v if k in single else v
        if single:
            ev["queryStringParameters"] = single
        else:
            ev.pop("queryStringParameters", None)
        for k, v in c["headers"].items():
            ev["headers"][k] = v
    else:
        ev["httpMethod"] = method
        ev["path"] = path
        pairs = raw_pairs(query)
        if kind == "alb-multi-value":
            multi = {}
            for k, v in pairs:
                multi.setdefault(k, []).append(v)
            ev["multiValueQueryStringParameters"] = multi
            for k, v in c["headers"].items():
                ev["multiValueHeaders"][k] = [v]
        else:
            ev["queryStringParameters"] = {k: v for k, v in pairs}
            for k, v in c["headers"].items():
                ev["headers"][k] = v
    body_fields(ev, c)
    return ev


def header_shape(doc, shape, problems):
    """The response document's headers, names lower-cased and repeated values joined, after
    appending to problems what is wrong with their shape: multiValueHeaders or headers (never
    both) as shape["multi"] says, a cookies array exactly when shape["cookies"]."""
    if shape["multi"]:
        if "headers" in doc or not isinstance(doc.get("multiValueHeaders"), dict):
            problems.append("expected multiValueHeaders only")
        headers = {k.lower(): ", ".join(v) for k, v in doc.get("multiValueHeaders", {}).items()}
    else:
        if "multiValueHeaders" in doc or not isinstance(doc.get("headers"), dict):
            problems.append("expected headers only")
        headers = {k.lower(): v for k, v in doc.get("headers", {}).items()}
    if shape["cookies"] != isinstance(doc.get("cookies"), list):
        problems.append("cookies array %s" % ("missing" if shape["cookies"] else "unexpected"))
    return headers


def check_answer(kind, c, doc):
    """A list of problems with the response document doc (empty when right)."""
    shape = KINDS[kind][1]
    problems = []
    status, body = c["status"], c["body"]
    if c["single"] and kind == "alb":
        status, body = c["single"]
    if doc.get("statusCode") != status:
        problems.append("statusCode %r, expected %d" % (doc.get("statusCode"), status))
    headers = header_shape(doc, shape, problems)
    if shape["description"]:
        want = "%d %s" % (status, {200: "OK", 307: "Temporary Redirect", 400: "Bad Request", 404: "Not Found",
                                   405: "Method Not Allowed", 413: "Content Too Large",
                                   422: "Unprocessable Entity"}[status])
        if doc.get("statusDescription") != want:
            problems.append("statusDescription %r, expected %r" % (doc.get("statusDescription"), want))
    elif "statusDescription" in doc:
        problems.append("unexpected statusDescription")
    raw = doc.get("body", "")
    got = base64.b64decode(raw) if doc.get("isBase64Encoded") else raw.encode()
    ctype = headers.get("content-type", "")
    if ctype.startswith("image/") and not doc.get("isBase64Encoded"):
        problems.append("binary body not base64")
    if body is not None and got != body.encode():
        problems.append("body %r, expected %r" % (got[:200], body))
    if body is None and c["method"] != "HEAD" and len(got) == 0:
        problems.append("empty body")
    for name, value in c["want_headers"].items():
        value = value.replace("{base}", BASE_URL[kind])
        if headers.get(name.lower()) != value:
            problems.append("header %s: %r, expected %r" % (name, headers.get(name.lower()), value))
    return problems


class Tally:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def record(self, what, problems):
        if problems:
            self.failed += 1
            print("FAIL %s: %s: %s" % (self.name, what, "; ".join(problems)), file=sys.stderr)
        else:
            self.passed += 1

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def environment():
    env = dict(os.environ)
    env.pop("EXECUTION_ENVIRONMENT", None)
    env.pop("AWS_LAMBDA_RUNTIME_API", None)
    env["APP_MAX_BODY_BYTES"] = str(BODY_LIMIT)
    return env


def wrapper():
    return shlex.split(os.environ.get("LAMBDA_WRAPPER", ""))


def run_local(bootstrap):
    t = Tally("lambda-local-invoke")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "event.json")
        for kind in KINDS:
            for c in cases():
                with open(path, "w") as f:
                    json.dump(make_event(kind, c), f)
                p = subprocess.run(wrapper() + [bootstrap, "--event", path], env=environment(),
                                   capture_output=True, timeout=60)
                what = "%s %s" % (kind, c["name"])
                if p.returncode != 0:
                    t.record(what, ["exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[:300])])
                    continue
                try:
                    doc = json.loads(p.stdout)
                except ValueError:
                    t.record(what, ["not JSON: %r" % p.stdout[:200]])
                    continue
                t.record(what, check_answer(kind, c, doc))
    return t.finish()


# Malformed events fed between the good ones: (file, Lambda errorType).
MALFORMED = [
    ("malformed-truncated.json", "Runtime.MalformedEvent"),
    ("malformed-sqs.json", "Runtime.UnsupportedEvent"),
    ("malformed-headers.json", "Runtime.MalformedEvent"),
]


def run_emulator(bootstrap):
    t = Tally("lambda-emulator")
    with tempfile.TemporaryDirectory() as tmp:
        files, expect = [], []
        n = 0
        for kind in KINDS:
            for i, c in enumerate(cases()):
                path = os.path.join(tmp, "%04d.json" % n)
                n += 1
                with open(path, "w") as f:
                    json.dump(make_event(kind, c), f)
                files.append(path)
                expect.append(("case", kind, c))
                if i % 10 == 3:  # a bad event now and then: the runtime must carry on after it
                    bad, etype = MALFORMED[(i // 10) % len(MALFORMED)]
                    files.append(os.path.join(EVENTS, bad))
                    expect.append(("error", bad, etype))
        out = os.path.join(tmp, "out")
        port_file = os.path.join(tmp, "port")
        emu = subprocess.Popen([sys.executable, EMULATOR, "--port-file", port_file, "--out", out,
                                "--timeout", "100", "--events"] + files, stdout=subprocess.DEVNULL)
        rt = None
        try:
            for _ in range(200):
                if os.path.exists(port_file) or emu.poll() is not None:
                    break
                subprocess.run(["sleep", "0.05"])
            with open(port_file) as f:
                port = f.read().strip()
            env = environment()
            env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + port
            rt = subprocess.Popen(wrapper() + [bootstrap], env=env, stderr=subprocess.PIPE)
            emu_rc = emu.wait(timeout=110)
            _, err = rt.communicate(timeout=30)
        finally:
            for p in (emu, rt):
                if p is not None and p.poll() is None:
                    p.kill()
                    p.wait()
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        t.record("emulator finished", [] if emu_rc == 0 and report["done"] else
                 ["emulator exit %d, %d of %d answered" % (emu_rc, report["answered"], report["total"])])
        t.record("one kept-alive connection", [] if report["connections"] == 1 else
                 ["the runtime opened %d connections" % report["connections"]])
        # The runtime exits 1 only because the emulator went away, and says so.
        t.record("runtime exit", [] if rt.returncode == 1 and b"cannot get the next invocation" in err else
                 ["exit %d: %s" % (rt.returncode, err.decode(errors="replace")[-300:])])
        if LAMBDA_VALGRIND_MARK in err:
            t.record("valgrind", ["errors reported: %s" % err.decode(errors="replace")[-600:]])
        for rec, exp in zip(report["invocations"], expect):
            if exp[0] == "error":
                what = "malformed %s" % exp[1]
                problems = []
                if rec["outcome"] != "error" or rec["error_type"] != exp[2]:
                    problems.append("outcome %s %s, expected error %s" % (rec["outcome"], rec["error_type"], exp[2]))
                elif not (isinstance(rec["body"], dict) and rec["body"].get("errorType") == exp[2] and
                          rec["body"].get("errorMessage")):
                    problems.append("error document %r" % rec["body"])
                t.record(what, problems)
                continue
            _, kind, c = exp
            what = "%s %s" % (kind, c["name"])
            if rec["outcome"] != "response" or not isinstance(rec["body"], dict):
                t.record(what, ["outcome %s: %r" % (rec["outcome"], rec["body"])])
                continue
            t.record(what, check_answer(kind, c, rec["body"]))
    return t.finish()


LAMBDA_VALGRIND_MARK = b"== ERROR SUMMARY: "


def emulate(bootstrap, tmp, name, files, **env_extra):
    """All files through one bootstrap and the emulator: (emulator exit, report, runtime exit, stderr)."""
    out = os.path.join(tmp, name)
    port_file = os.path.join(tmp, name + ".port")
    emu = subprocess.Popen([sys.executable, EMULATOR, "--port-file", port_file, "--out", out,
                            "--timeout", "100", "--events"] + files, stdout=subprocess.DEVNULL)
    rt = None
    try:
        for _ in range(200):
            if os.path.exists(port_file) or emu.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"])
        with open(port_file) as f:
            port = f.read().strip()
        env = environment()
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + port
        env.update(env_extra)
        rt = subprocess.Popen(wrapper() + [bootstrap], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        emu_rc = emu.wait(timeout=110)
        _, err = rt.communicate(timeout=30)
    finally:
        for p in (emu, rt):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    with open(os.path.join(out, "report.json")) as f:
        return emu_rc, json.load(f), rt.returncode, err.decode(errors="replace")


def reassembled(rec):
    """A streamed record as the buffered document it stands for (body as base64)."""
    doc = dict(rec["prelude"]) if isinstance(rec.get("prelude"), dict) else {}
    doc["body"], doc["isBase64Encoded"] = rec.get("body_b64") or "", True
    return doc


def same_bytes(buffered, streamed):
    """Problems when the streamed answer is not the buffered one once reassembled."""
    problems = []
    head = {k: v for k, v in buffered.items() if k not in ("body", "isBase64Encoded")}
    if streamed.get("prelude") != head:
        problems.append("prelude %r, buffered %r" % (streamed.get("prelude"), head))
    raw = buffered.get("body", "")
    want = base64.b64decode(raw) if buffered.get("isBase64Encoded") else raw.encode()
    if base64.b64decode(streamed.get("body_b64") or "") != want:
        problems.append("body differs from the buffered one (%d bytes streamed, %d buffered)" %
                        (len(base64.b64decode(streamed.get("body_b64") or "")), len(want)))
    if streamed.get("response_mode") != "streaming" or \
            streamed.get("content_type") != "application/vnd.awslambda.http-integration-response":
        problems.append("headers %r %r" % (streamed.get("response_mode"), streamed.get("content_type")))
    return problems


def without_generated_id(doc):
    """doc without X-Request-Id, generated per run for events that carry no request id (ALB)."""
    if not isinstance(doc, dict):
        return doc
    doc = dict(doc)
    for key in ("headers", "multiValueHeaders"):
        if isinstance(doc.get(key), dict):
            doc[key] = {k: v for k, v in doc[key].items() if k.lower() != "x-request-id"}
    return doc


def run_stream(bootstrap):
    t = Tally("lambda-stream")
    with tempfile.TemporaryDirectory() as tmp:
        files, expect = [], []
        for kind in KINDS:
            for c in cases():
                path = os.path.join(tmp, "%04d.json" % len(files))
                with open(path, "w") as f:
                    json.dump(make_event(kind, c), f)
                files.append(path)
                expect.append((kind, c))
        runs = {mode: emulate(bootstrap, tmp, mode, files, **({"LAMBDA_INVOKE_MODE": mode} if mode else {}))
                for mode in ("", "RESPONSE_STREAM")}
        bad = emulate(bootstrap, tmp, "bad", files[:1], LAMBDA_INVOKE_MODE="response_stream")
    for mode, (emu_rc, report, _, _) in runs.items():
        t.record("%s: every invocation answered" % (mode or "buffered"), [] if emu_rc == 0 and report["done"] else
                 ["emulator exit %d, %d of %d answered" % (emu_rc, report["answered"], report["total"])])
    buffered, streamed = runs[""][1]["invocations"], runs["RESPONSE_STREAM"][1]["invocations"]
    if len(buffered) != len(files) or len(streamed) != len(files):
        return t.finish()
    counts = {"streamed": 0, "buffered": 0}
    for (kind, c), b, s in zip(expect, buffered, streamed):
        what = "%s %s %s%s" % (kind, c["method"], c["path"], "?" + c["query"] if c["query"] else "")
        if kind == "function-url":
            counts["streamed"] += 1
            problems = same_bytes(b["body"], s) if s.get("streamed") else ["not streamed"]
            if not problems:
                problems = check_answer(kind, c, reassembled(s))
            t.record("streamed %s" % what, problems)
        else:
            counts["buffered"] += 1
            same = without_generated_id(s["body"]) == without_generated_id(b["body"])
            t.record("still buffered %s" % what, [] if not s.get("streamed") and same else
                     ["streamed %r, answer %.300r, buffered %.300r" % (s.get("streamed"), s["body"], b["body"])])
    print("lambda-stream: %d Function URL answers streamed, %d others buffered" %
          (counts["streamed"], counts["buffered"]))
    emu_rc, report, rt_rc, err = bad
    init = report.get("init_error") or {}
    t.record("LAMBDA_INVOKE_MODE=response_stream refused at start",
             [] if emu_rc == 1 and rt_rc != 0 and "LAMBDA_INVOKE_MODE must be BUFFERED or RESPONSE_STREAM" in
             json.dumps(init.get("body")) else ["emulator %s, runtime %s, init error %r" % (emu_rc, rt_rc, init)])
    return t.finish()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "stream":
        return run_stream(sys.argv[2])
    if len(sys.argv) != 3 or sys.argv[1] not in ("local", "emulator"):
        print(__doc__, file=sys.stderr)
        return 2
    return run_local(sys.argv[2]) if sys.argv[1] == "local" else run_emulator(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
