"""Answers on the wire (issue 23): the CORS differential against FastAPI's own
CORSMiddleware (Starlette, Debian's python3-fastapi), and the helpers of
tests/e2e/compression.sh and cors.sh. Called through e2e_client.py:

  e2e_client.py cors-diff BUILD        every config x request: our CGI binary vs Starlette
  e2e_client.py lambda-body ANSWER OUT  a Lambda answer's body, base64-decoded, to OUT;
                                        prints its Content-Encoding (or "identity")
  e2e_client.py cors-front BASE         a few CORS answers through a running server,
                                        compared with our CGI binary's (CORS_* set alike)
"""
import asyncio
import base64
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

A, B, EVIL = "https://a.example", "https://b.example", "https://evil.example"
LONG_ORIGIN = "https://" + "a" * 8192
THOUSAND = ",".join("x-h%d" % i for i in range(1000))

# name -> (our environment, CORSMiddleware's keyword arguments)
CONFIGS = {
    "list": ({"CORS_ALLOW_ORIGINS": A + "," + B}, {"allow_origins": [A, B]}),
    "star": ({"CORS_ALLOW_ORIGINS": "*"}, {"allow_origins": ["*"]}),
    "star-credentials": (
        {"CORS_ALLOW_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true", "CORS_EXPOSE_HEADERS": "X-Request-Id, X-Other",
         "CORS_ALLOW_METHODS": "GET,POST", "CORS_ALLOW_HEADERS": "X-Custom,x-lower", "CORS_MAX_AGE": "42"},
        {"allow_origins": ["*"], "allow_credentials": True, "expose_headers": ["X-Request-Id", "X-Other"],
         "allow_methods": ["GET", "POST"], "allow_headers": ["X-Custom", "x-lower"], "max_age": 42}),
    "all-credentials": (
        {"CORS_ALLOW_ORIGINS": A, "CORS_ALLOW_METHODS": "*", "CORS_ALLOW_HEADERS": "*",
         "CORS_ALLOW_CREDENTIALS": "true", "CORS_MAX_AGE": "0"},
        {"allow_origins": [A], "allow_methods": ["*"], "allow_headers": ["*"], "allow_credentials": True,
         "max_age": 0}),
}


def pre(origin, method, headers=None):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return h


# (what, method, path, request headers)
REQUESTS = [
    ("no origin", "GET", "/ping", {}),
    ("allowed origin", "GET", "/ping", {"Origin": A}),
    ("other origin", "GET", "/ping", {"Origin": EVIL}),
    ("allowed origin, cookie", "GET", "/ping", {"Origin": A, "Cookie": "s=1"}),
    ("other origin, cookie", "GET", "/ping", {"Origin": EVIL, "Cookie": "s=1"}),
    ("404", "GET", "/nope", {"Origin": A}),
    ("POST", "POST", "/api/v1/users/", {"Origin": B}),
    ("OPTIONS without the request method", "OPTIONS", "/api/v1/users/", {"Origin": A}),
    ("preflight GET", "OPTIONS", "/ping", pre(A, "GET")),
    ("preflight POST", "OPTIONS", "/ping", pre(A, "POST")),
    ("preflight DELETE X-Custom", "OPTIONS", "/ping", pre(A, "DELETE", "X-Custom")),
    ("preflight other origin", "OPTIONS", "/ping", pre(EVIL, "GET")),
    ("preflight unknown path", "OPTIONS", "/nope", pre(B, "GET", "x-custom, content-type")),
    ("preflight lower-case method", "OPTIONS", "/ping", pre(A, "get")),
    ("preflight X-LOWER", "OPTIONS", "/ping", pre(A, "GET", "X-LOWER")),
    ("preflight empty header name", "OPTIONS", "/ping", pre(A, "GET", "accept,,")),
    ("preflight without origin", "OPTIONS", "/ping", {"Access-Control-Request-Method": "GET"}),
    ("preflight null origin", "OPTIONS", "/ping", pre("null", "GET")),
    ("8 KB origin", "GET", "/ping", {"Origin": LONG_ORIGIN}),
    ("preflight 8 KB origin", "OPTIONS", "/ping", pre(LONG_ORIGIN, "GET")),
    ("preflight 1000 headers", "OPTIONS", "/ping", pre(A, "PUT", THOUSAND)),
]


def cors_view(status, headers, body, preflight):
    """What the comparison looks at: status, the CORS headers and Vary; a preflight's body."""
    keep = {k.lower(): v for k, v in headers if k.lower().startswith("access-control-") or k.lower() == "vary"}
    return {"status": status, "headers": keep, "body": body if preflight else None}


def starlette_answer(kwargs, method, path, headers):
    sys.path.insert(0, os.path.join(TOP, "bench"))
    import peer_fastapi
    from starlette.middleware.cors import CORSMiddleware
    app = CORSMiddleware(peer_fastapi.app, **kwargs)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]], body.decode(errors="replace")


def cgi_answer(binary, env_extra, method, path, headers):
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "REQUEST_METHOD": method, "REQUEST_URI": path,
           "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    env.update(env_extra)
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    p = subprocess.run([binary], env=env, capture_output=True, timeout=30)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    return status, [tuple(line.split(": ", 1)) for line in lines[1:]], body.decode(errors="replace")


def compare(ours, theirs, what):
    """Problems (a list of strings) between our view and Starlette's."""
    if theirs["status"] == 400 and theirs["body"] is not None and theirs["body"].startswith("Disallowed CORS"):
        # Refused preflights: Starlette's sentence and status, but no CORS header (docs/compression-cors.md).
        problems = []
        if (ours["status"], ours["body"]) != (400, theirs["body"]):
            problems.append("%s: ours %s %r, Starlette 400 %r" % (what, ours["status"], ours["body"], theirs["body"]))
        if any(k.startswith("access-control-") for k in ours["headers"]):
            problems.append("%s: CORS headers on a refused preflight: %s" % (what, ours["headers"]))
        return problems
    if ours != theirs:
        short = lambda v: json.dumps(v)[:400]
        return ["%s:\n  ours      %s\n  Starlette %s" % (what, short(ours), short(theirs))]
    return []


def cors_diff(build):
    """Every CONFIGS x REQUESTS case: our app.cgi and FastAPI + CORSMiddleware give the same CORS answer."""
    binary = os.path.join(build, "app.cgi")
    passed = failed = 0
    for name, (env, kwargs) in CONFIGS.items():
        for what, method, path, headers in REQUESTS:
            preflight = method == "OPTIONS" and "Access-Control-Request-Method" in headers and "Origin" in headers
            ours = cors_view(*cgi_answer(binary, env, method, path, headers), preflight)
            theirs = cors_view(*starlette_answer(kwargs, method, path, headers), preflight)
            problems = compare(ours, theirs, "%s / %s" % (name, what))
            for p in problems:
                print("FAIL cors-diff " + p, file=sys.stderr)
            failed += bool(problems)
            passed += not problems
    print("cors-diff: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def cors_front(base, build):
    """The CORS answers of a running server (started with CONFIGS["star-credentials"]) for
    the REQUESTS under 8 KB, compared with our CGI binary's: the front server adds or drops nothing."""
    env = CONFIGS["star-credentials"][0]
    passed = failed = 0
    for what, method, path, headers in REQUESTS:
        if any(len(v) > 4096 for v in headers.values()):
            continue
        preflight = method == "OPTIONS" and "Access-Control-Request-Method" in headers and "Origin" in headers
        req = urllib.request.Request(base + path, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                got = (r.status, list(r.headers.items()), r.read().decode(errors="replace"))
        except urllib.error.HTTPError as e:
            got = (e.code, list(e.headers.items()), e.read().decode(errors="replace"))
        ours = cors_view(*got, preflight)
        want = cors_view(*cgi_answer(os.path.join(build, "app.cgi"), env, method, path, headers), preflight)
        if ours != want:
            print("FAIL cors-front %s:\n  server %s\n  cgi    %s" % (what, ours, want), file=sys.stderr)
            failed += 1
        else:
            passed += 1
    print("cors-front: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def lambda_body(answer, out):
    """Writes a Lambda answer's body (base64-decoded when isBase64Encoded) to OUT and
    prints its Content-Encoding, or "identity"."""
    with open(answer) as f:
        doc = json.load(f)
    headers = {k.lower(): v for k, v in (doc.get("headers") or {}).items()}
    for k, v in (doc.get("multiValueHeaders") or {}).items():
        headers.setdefault(k.lower(), v[0])
    body = doc.get("body", "")
    data = base64.b64decode(body) if doc.get("isBase64Encoded") else body.encode()
    if "content-encoding" in headers and not doc.get("isBase64Encoded"):
        print("a %s body not in base64" % headers["content-encoding"], file=sys.stderr)
        return 1
    with open(out, "wb") as f:
        f.write(data)
    print(headers.get("content-encoding", "identity"))
    return 0
