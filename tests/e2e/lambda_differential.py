#!/usr/bin/env python3
"""The differential test: hand-written events, each as its source really delivers
the request (docs/lambda.md: REST API, Function URL and ALB pass the path raw, the
HTTP API decodes it first), through `bootstrap --event`, against the answer docs/spec.md
prescribes: status, body, headers and the response shape of the source. Where the
same HTTP request can be put to the CGI binary, its status and body must agree too.

  lambda_differential.py BOOTSTRAP CGI

Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import base64
import copy
import json
import os
import subprocess
import sys
import tempfile

from lambda_cases import header_shape  # the same shape rules as the SPEC cases

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")

REST_HOST = "abcdef1234.execute-api.eu-west-1.amazonaws.com"
HTTP_HOST = "r3pmxmplak.execute-api.eu-west-1.amazonaws.com"
FURL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"
ALB_HOST = "lambda-alb-123578498.eu-west-1.elb.amazonaws.com"

PONG = '{"Success":"Pong!"}'
HEALTH = '{"status":"OK"}'
ALL_USERS = '{"Success":"All users!"}'
ONE_USER = '{"Success":"This is one user!"}'
NOT_FOUND = '{"detail":"Not Found"}'
NUL_400 = '{"detail":"Invalid request: contains a NUL byte"}'
BAD_PATH = '{"detail":"Invalid percent-encoding in path"}'


def item(n, q=None):
    return '{"item_id":%d,"q":%s}' % (n, json.dumps(q) if q is not None else "null")


def item_422(value):
    return ('{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, '
            'unable to parse string as an integer","input":%s}]}' % json.dumps(value))


# ---- events as each source delivers them -------------------------------------------

def load(name):
    with open(os.path.join(EVENTS, name)) as f:
        return json.load(f)


def rest(path, method="GET", query=None, headers=None, body=None, b64=False, context_path=None, host=REST_HOST):
    """REST API, {proxy+} on stage "prod": path raw, query values decoded (multi-value)."""
    ev = load("apigw-v1-add.json")
    ev["httpMethod"] = ev["requestContext"]["httpMethod"] = method
    ev["path"] = path
    ev["requestContext"]["path"] = context_path if context_path is not None else "/prod" + path
    ev["pathParameters"] = {"proxy": path[1:]}
    multi = {}
    for k, v in query or []:
        multi.setdefault(k, []).append(v)
    ev["multiValueQueryStringParameters"] = multi or None
    ev["queryStringParameters"] = {k: v[-1] for k, v in multi.items()} or None
    ev["headers"]["Host"] = host
    ev["multiValueHeaders"]["Host"] = [host]
    for k, v in (headers or {}).items():
        ev["headers"][k] = v
        ev["multiValueHeaders"][k] = [v]
    if host is None:
        del ev["headers"]["Host"], ev["multiValueHeaders"]["Host"]
    set_body(ev, body, b64)
    return ev


def http1(path, method="GET", query=None, headers=None, body=None, b64=False):
    """HTTP API payload 1.0, $default stage: path already decoded."""
    ev = load("apigw-http-v1-add.json")
    ev["httpMethod"] = ev["requestContext"]["httpMethod"] = method
    ev["path"] = ev["resource"] = ev["requestContext"]["path"] = ev["requestContext"]["resourcePath"] = path
    multi = {}
    for k, v in query or []:
        multi.setdefault(k, []).append(v)
    ev["multiValueQueryStringParameters"] = multi or None
    ev["queryStringParameters"] = {k: v[-1] for k, v in multi.items()} or None
    for k, v in (headers or {}).items():
        ev["headers"][k] = v
        ev["multiValueHeaders"][k] = [v]
    set_body(ev, body, b64)
    return ev


def v2(raw_path, method="GET", raw_query="", headers=None, body=None, b64=False, stage=None, cookies=None,
       template="apigw-v2-add.json", host_header=True, domain=None):
    """HTTP API payload 2.0 (rawPath decoded) or, with the Function URL template, a Function URL (rawPath raw)."""
    ev = load(template)
    ev["rawPath"] = ev["requestContext"]["http"]["path"] = raw_path
    ev["rawQueryString"] = raw_query
    ev.pop("queryStringParameters", None)
    ev["requestContext"]["http"]["method"] = method
    if stage:
        ev["requestContext"]["stage"] = stage
        ev["routeKey"] = ev["requestContext"]["routeKey"] = "ANY /{proxy+}"
    if cookies is not None:
        ev["cookies"] = cookies
    else:
        ev.pop("cookies", None)
    for k, v in (headers or {}).items():
        ev["headers"][k] = v
    if not host_header:
        ev["headers"].pop("host", None)
    if domain is not None:
        ev["requestContext"]["domainName"] = domain
    set_body(ev, body, b64)
    return ev


def furl(raw_path, **kw):
    return v2(raw_path, template="function-url-add.json", **kw)


def alb(path, method="GET", query=None, headers=None, body=None, b64=False, multi=False):
    """ALB: path and query names/values exactly as sent."""
    ev = load("alb-multi-value-add.json" if multi else "alb-add.json")
    ev["httpMethod"] = method
    ev["path"] = path
    if multi:
        mq = {}
        for k, v in query or []:
            mq.setdefault(k, []).append(v)
        ev["multiValueQueryStringParameters"] = mq
        for k, v in (headers or {}).items():
            ev["multiValueHeaders"][k] = [v]
    else:
        ev["queryStringParameters"] = {k: v for k, v in query or []}
        for k, v in (headers or {}).items():
            ev["headers"][k] = v
    set_body(ev, body, b64)
    return ev


def set_body(ev, body, b64):
    if body is None:
        ev["body"] = None if "resource" in ev else ""
        ev["isBase64Encoded"] = False
    elif b64:
        ev["body"] = base64.b64encode(body).decode()
        ev["isBase64Encoded"] = True
    else:
        ev["body"] = body
        ev["isBase64Encoded"] = False


# ---- the cases ---------------------------------------------------------------------

SHAPES = {
    "multi": {"multi": True, "cookies": False, "description": False},
    "single": {"multi": False, "cookies": False, "description": False},
    "v2": {"multi": False, "cookies": True, "description": False},
    "alb": {"multi": False, "cookies": False, "description": True},
    "alb-multi": {"multi": True, "cookies": False, "description": True},
}


def case(name, event, shape, status, body, headers=None, env=None, http=None, cgi="full"):
    """http: (method, raw target as the client sent it, headers, body bytes) for the CGI comparison;
    cgi: "full" (status and body agree), "status" (only the status), or None."""
    return {"name": name, "event": event, "shape": shape, "status": status, "body": body,
            "headers": headers or {}, "env": env or {}, "http": http, "cgi": cgi if http else None}


def get(target, host=None):
    return ("GET", target, {"Host": host} if host else {}, b"")


def cases():
    base = {"API_BASE_PATH": "/orders"}
    c = [
        # REST API: path raw (percent-encoded as sent), query values decoded.
        case("rest health", rest("/"), "multi", 200, HEALTH, http=get("/")),
        case("rest add", rest("/math/add", query=[("i", "5"), ("i", "10")]), "multi", 200, "15",
             {"Content-Type": "text/plain; charset=utf-8"}, http=get("/math/add?i=5&i=10")),
        case("rest encoded digits", rest("/items/%34%32"), "multi", 200, item(42), http=get("/items/%34%32")),
        case("rest %2B", rest("/items/%2B42"), "multi", 200, item(42), http=get("/items/%2B42")),
        case("rest %20", rest("/items/%2042"), "multi", 200, item(42), http=get("/items/%2042")),
        case("rest %2F splits the segment", rest("/items/4%2F2"), "multi", 404, NOT_FOUND,
             http=get("/items/4%2F2")),
        case("rest %25 is a literal percent", rest("/items/%25"), "multi", 422, item_422("%"),
             http=get("/items/%25")),
        case("rest bare % is bad encoding", rest("/users/literal%value"), "multi", 400, BAD_PATH,
             http=get("/users/literal%value")),
        case("rest redirect not double-encoded", rest("/api/v1/users/a%20b/"), "multi", 307, "",
             {"Location": "https://%s/prod/api/v1/users/a%%20b" % REST_HOST}, http=get("/api/v1/users/a%20b/")),
        case("rest redirect keeps the stage", rest("/api/v1/users"), "multi", 307, "",
             {"Location": "https://%s/prod/api/v1/users/" % REST_HOST}, http=get("/api/v1/users")),
        case("rest decoded query rebuilt", rest("/items/7", query=[("q", "a b&c")]), "multi", 200, item(7, "a b&c"),
             http=get("/items/7?q=a+b%26c")),
        case("rest custom domain base path", rest("/orders/ping", context_path="/orders/ping", host="api.example.com"),
             "multi", 200, PONG, env=base, http=get("/ping")),
        case("rest custom domain base path redirect",
             rest("/orders/api/v1/users", context_path="/orders/api/v1/users", host="api.example.com"), "multi",
             307, "", {"Location": "https://api.example.com/orders/api/v1/users/"}, env=base),
        case("rest base path only on its segment", rest("/ordersping", host="api.example.com"), "multi", 404,
             NOT_FOUND, env=base, http=get("/ordersping")),
        case("rest path without the base path", rest("/ping"), "multi", 200, PONG, env=base, http=get("/ping")),
        case("rest NUL in path", rest("/ping\0/x"), "multi", 400, NUL_400, http=get("/ping%00/x"), cgi="status"),
        case("rest NUL in a query value", rest("/math/add", query=[("i", "5\0x"), ("i", "10")]), "multi", 400,
             NUL_400, http=get("/math/add?i=5%00x&i=10"), cgi="status"),
        # "a\0b" is 3 bytes: over a 2-byte limit (a body cut at the NUL would pass).
        case("rest NUL in a body is carried whole", rest("/api/v1/users/", "POST", body="a\0b"), "multi", 413,
             '{"detail":"Request body too large (limit 2 bytes)"}', env={"APP_MAX_BODY_BYTES": "2"},
             http=("POST", "/api/v1/users/", {}, b"a\0b")),
        case("rest NUL in a body within the limit", rest("/api/v1/users/", "POST", body="a\0b"), "multi", 200,
             ALL_USERS, env={"APP_MAX_BODY_BYTES": "3"}, http=("POST", "/api/v1/users/", {}, b"a\0b")),
        case("rest cookie header", rest("/ping", headers={"Cookie": "a=1; b=2"}), "multi", 200, PONG,
             http=("GET", "/ping", {"Cookie": "a=1; b=2"}, b"")),
        case("rest HEAD", rest("/ping", "HEAD"), "multi", 200, "", {"Content-Length": "19"},
             http=("HEAD", "/ping", {}, b"")),
        case("rest wrong method", rest("/ping", "POST"), "multi", 405, '{"detail":"Method Not Allowed"}',
             {"Allow": "GET, HEAD"}, http=("POST", "/ping", {}, b"")),
        case("rest base64 body", rest("/api/v1/users/", "POST", body=b"\x00\xff", b64=True), "multi", 200,
             ALL_USERS, http=("POST", "/api/v1/users/", {}, b"\x00\xff")),
        case("rest bad base64", rest("/api/v1/users/", "POST", body="!!", b64=False) | {"isBase64Encoded": True},
             "multi", 400, '{"detail":"Invalid base64 in request body"}'),
        case("rest bad domainName without Host", rest("/api/v1/users", host=None)
             | {"requestContext": dict(load("apigw-v1-add.json")["requestContext"], domainName="evil\r\nX: y",
                                       path="/prod/api/v1/users")},
             "multi", 400, '{"detail":"Invalid host"}'),
        case("rest hello", rest("/hello"), "multi", 200, '"Hello from lambda"'),

        # HTTP API payload 1.0: path decoded, so '%' is literal.
        case("http1 health", http1("/"), "multi", 200, HEALTH, http=get("/")),
        case("http1 add", http1("/math/add", query=[("i", "5"), ("i", "10")]), "multi", 200, "15",
             http=get("/math/add?i=5&i=10")),
        case("http1 %2B is literal text", http1("/items/%2B42"), "multi", 422, item_422("%2B42"),
             http=get("/items/%252B42")),
        case("http1 decoded plus", http1("/items/+42"), "multi", 200, item(42), http=get("/items/%2B42")),
        case("http1 decoded space", http1("/items/ 42"), "multi", 200, item(42), http=get("/items/%2042")),
        case("http1 literal percent", http1("/api/v1/users/literal%value"), "multi", 200, ONE_USER,
             http=get("/api/v1/users/literal%25value")),
        case("http1 redirect", http1("/api/v1/users"), "multi", 307, "",
             {"Location": "https://%s/api/v1/users/" % HTTP_HOST}, http=get("/api/v1/users")),
        case("http1 redirect encodes the space once", http1("/api/v1/users/a b/"), "multi", 307, "",
             {"Location": "https://%s/api/v1/users/a%%20b" % HTTP_HOST}, http=get("/api/v1/users/a%20b/")),
        case("http1 NUL in a header value", http1("/ping", headers={"X-Test": "a\0b"}), "multi", 400, NUL_400),
        case("http1 hello", http1("/hello"), "multi", 200, '"Hello from lambda"'),

        # HTTP API payload 2.0: rawPath decoded; query raw.
        case("v2 health", v2("/"), "v2", 200, HEALTH, http=get("/")),
        case("v2 add", v2("/math/add", raw_query="i=5&i=10"), "v2", 200, "15", http=get("/math/add?i=5&i=10")),
        case("v2 decoded plus", v2("/items/+42"), "v2", 200, item(42), http=get("/items/%2B42")),
        case("v2 %2B is literal text", v2("/items/%2B42"), "v2", 422, item_422("%2B42"),
             http=get("/items/%252B42")),
        case("v2 literal percent", v2("/api/v1/users/literal%value"), "v2", 200, ONE_USER,
             http=get("/api/v1/users/literal%25value")),
        case("v2 decoded slash splits", v2("/items/4/2"), "v2", 404, NOT_FOUND, http=get("/items/4%2F2")),
        case("v2 named stage", v2("/prod/ping", stage="prod"), "v2", 200, PONG, http=get("/ping")),
        case("v2 named stage redirect", v2("/prod/api/v1/users", stage="prod"), "v2", 307, "",
             {"Location": "https://%s/prod/api/v1/users/" % HTTP_HOST}),
        case("v2 stage and base path redirect", v2("/prod/orders/api/v1/users", stage="prod"), "v2", 307, "",
             {"Location": "https://%s/prod/orders/api/v1/users/" % HTTP_HOST}, env=base),
        case("v2 cookies", v2("/ping", cookies=["a=1", "b=2"]), "v2", 200, PONG,
             http=("GET", "/ping", {"Cookie": "a=1; b=2"}, b"")),
        case("v2 NUL in a cookie", v2("/ping", cookies=["a=1\0"]), "v2", 400, NUL_400),
        case("v2 NUL in a body is carried whole", v2("/api/v1/users/", "POST", body="x\0y"), "v2", 413,
             '{"detail":"Request body too large (limit 2 bytes)"}', env={"APP_MAX_BODY_BYTES": "2"},
             http=("POST", "/api/v1/users/", {}, b"x\0y")),
        case("v2 bad query escape", v2("/math/add", raw_query="i=%zz"), "v2", 400,
             '{"detail":"Invalid percent-encoding in query string"}', http=get("/math/add?i=%zz")),
        case("v2 HEAD", v2("/math/add", "HEAD", raw_query="i=1"), "v2", 200, "",
             {"Content-Type": "text/plain; charset=utf-8"}, http=("HEAD", "/math/add?i=1", {}, b"")),
        case("v2 png is base64", v2("/docs/favicon-32x32.png"), "v2", 200, None, {"Content-Type": "image/png"}),
        case("v2 bad domainName without Host", v2("/ping", host_header=False, domain="a b"), "v2", 400,
             '{"detail":"Invalid host"}'),
        case("v2 unknown path", v2("/nope"), "v2", 404, NOT_FOUND, http=get("/nope")),

        # Function URL: same shape, rawPath raw.
        case("furl health", furl("/"), "v2", 200, HEALTH, http=get("/")),
        case("furl encoded digits", furl("/items/%34%32"), "v2", 200, item(42), http=get("/items/%34%32")),
        case("furl %2B", furl("/items/%2B42"), "v2", 200, item(42), http=get("/items/%2B42")),
        case("furl bare % is bad encoding", furl("/users/literal%value"), "v2", 400, BAD_PATH,
             http=get("/users/literal%value")),
        case("furl %2520 decodes once", furl("/api/v1/users/a%2520b"), "v2", 200, ONE_USER,
             http=get("/api/v1/users/a%2520b")),
        case("furl cookies", furl("/ping", cookies=["session=abc"]), "v2", 200, PONG,
             http=("GET", "/ping", {"Cookie": "session=abc"}, b"")),
        case("furl redirect", furl("/api/v1/users/a%20b/"), "v2", 307, "",
             {"Location": "https://%s/api/v1/users/a%%20b" % FURL_HOST}, http=get("/api/v1/users/a%20b/")),
        case("furl unknown path", furl("/nope"), "v2", 404, NOT_FOUND, http=get("/nope")),

        # ALB: path and query exactly as sent.
        case("alb health", alb("/"), "alb", 200, HEALTH, http=get("/")),
        case("alb add keeps the last value", alb("/math/add", query=[("i", "10")]), "alb", 200, "10",
             http=get("/math/add?i=10")),
        case("alb %2B", alb("/items/%2B42"), "alb", 200, item(42), http=get("/items/%2B42")),
        case("alb raw query decoded once", alb("/items/1", query=[("q", "a%20b%2Bc")]), "alb", 200,
             item(1, "a b+c"), http=get("/items/1?q=a%20b%2Bc")),
        case("alb %2F splits", alb("/items/4%2F2"), "alb", 404, NOT_FOUND, http=get("/items/4%2F2")),
        case("alb bad escape", alb("/items/%g1"), "alb", 400, BAD_PATH, http=get("/items/%g1")),
        case("alb redirect over http", alb("/ping/", query=[("a", "1")]), "alb", 307, "",
             {"Location": "http://%s/ping?a=1" % ALB_HOST}, http=get("/ping/?a=1")),
        case("alb NUL in a header", alb("/ping", headers={"x-test": "\0"}), "alb", 400, NUL_400),
        case("alb multi add", alb("/math/add", query=[("i", "5"), ("i", "10")], multi=True), "alb-multi", 200,
             "15", http=get("/math/add?i=5&i=10")),
        case("alb multi encoded query", alb("/items/3", query=[("q", "a+b%26c")], multi=True), "alb-multi", 200,
             item(3, "a b&c"), http=get("/items/3?q=a+b%26c")),
        case("alb multi wrong method", alb("/ping", "DELETE", multi=True), "alb-multi", 405,
             '{"detail":"Method Not Allowed"}', {"Allow": "GET, HEAD"}, http=("DELETE", "/ping", {}, b"")),
        case("alb multi %20", alb("/items/%2042", multi=True), "alb-multi", 200, item(42),
             http=get("/items/%2042")),
    ]
    return c


# Non-HTTP events: (name, file, exit status, errorType or None, response document or None).
OTHER = [
    ("EventBridge scheduled warm-up", "warmup-eventbridge.json", 0, None, {"warmup": True}),
    ("serverless-plugin-warmup", "warmup-serverless-plugin.json", 0, None, {"warmup": True}),
    ("EventBridge S3 event", "eventbridge-s3-object-created.json", 1, "Runtime.UnsupportedEvent", None),
    ("SQS event", "malformed-sqs.json", 1, "Runtime.UnsupportedEvent", None),
]

REASONS = {200: "OK", 307: "Temporary Redirect", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           413: "Content Too Large", 422: "Unprocessable Entity"}


def check_doc(c, doc):
    shape = SHAPES[c["shape"]]
    problems = []
    if doc.get("statusCode") != c["status"]:
        problems.append("statusCode %r, expected %d" % (doc.get("statusCode"), c["status"]))
    headers = header_shape(doc, shape, problems)
    want_desc = "%d %s" % (c["status"], REASONS.get(c["status"], "")) if shape["description"] else None
    if doc.get("statusDescription") != want_desc:
        problems.append("statusDescription %r, expected %r" % (doc.get("statusDescription"), want_desc))
    raw = doc.get("body", "")
    got = base64.b64decode(raw) if doc.get("isBase64Encoded") else raw.encode()
    if c["body"] is not None and got != c["body"].encode():
        problems.append("body %r, expected %r" % (got[:200], c["body"]))
    if c["body"] is None and not got:
        problems.append("empty body")
    if headers.get("content-type", "").startswith("image/") and not doc.get("isBase64Encoded"):
        problems.append("binary body not base64")
    if headers.get("content-length") != str(len(got)) and c["event"].get("httpMethod", "GET") != "HEAD" and \
            c["event"].get("requestContext", {}).get("http", {}).get("method") != "HEAD":
        problems.append("Content-Length %r for %d bytes" % (headers.get("content-length"), len(got)))
    for name, value in c["headers"].items():
        if headers.get(name.lower()) != value:
            problems.append("header %s: %r, expected %r" % (name, headers.get(name.lower()), value))
    return got, problems


def run_cgi(cgi, http, env_extra):
    method, target, headers, body = http
    env = {"REQUEST_METHOD": method, "REQUEST_URI": target, "SERVER_PROTOCOL": "HTTP/1.1",
           "CONTENT_LENGTH": str(len(body)), "GATEWAY_INTERFACE": "CGI/1.1"}
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    env.update(env_extra)
    env.pop("API_BASE_PATH", None)
    p = subprocess.run([cgi], env=env, input=body, capture_output=True, timeout=30)
    head, _, out_body = p.stdout.partition(b"\r\n\r\n")
    status = int(head.split(b"\r\n")[0].split()[1]) if head.startswith(b"Status:") else None
    return status, out_body


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap, cgi = sys.argv[1], sys.argv[2]
    passed = failed = 0

    def record(what, problems):
        nonlocal passed, failed
        if problems:
            failed += 1
            print("FAIL lambda-differential: %s: %s" % (what, "; ".join(problems)), file=sys.stderr)
        else:
            passed += 1

    base_env = {k: v for k, v in os.environ.items()
                if k not in ("EXECUTION_ENVIRONMENT", "AWS_LAMBDA_RUNTIME_API", "API_BASE_PATH",
                             "LAMBDA_TEXT_MIME_TYPES", "APP_MAX_BODY_BYTES")}
    all_cases = cases()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "event.json")
        for c in all_cases:
            with open(path, "w") as f:
                json.dump(c["event"], f)
            p = subprocess.run([bootstrap, "--event", path], env=dict(base_env, **c["env"]), capture_output=True,
                               timeout=30)
            if p.returncode != 0:
                record(c["name"], ["exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[:300])])
                continue
            try:
                doc = json.loads(p.stdout)
            except ValueError:
                record(c["name"], ["not JSON: %r" % p.stdout[:200]])
                continue
            got, problems = check_doc(c, doc)
            if c["cgi"]:
                status, cgi_body = run_cgi(cgi, c["http"], c["env"])
                if status != doc.get("statusCode"):
                    problems.append("CGI answers %r, Lambda %r" % (status, doc.get("statusCode")))
                elif c["cgi"] == "full" and cgi_body != got:
                    problems.append("CGI body %r, Lambda %r" % (cgi_body[:200], got[:200]))
            record(c["name"], problems)
        for name, file, rc, etype, response in OTHER:
            p = subprocess.run([bootstrap, "--event", os.path.join(EVENTS, file)], env=base_env,
                               capture_output=True, timeout=30)
            problems = []
            try:
                doc = json.loads(p.stdout)
            except ValueError:
                doc = None
            if p.returncode != rc:
                problems.append("exit %d, expected %d" % (p.returncode, rc))
            if etype is not None and (not isinstance(doc, dict) or doc.get("errorType") != etype):
                problems.append("error document %r" % doc)
            if response is not None and doc != response:
                problems.append("response %r, expected %r" % (doc, response))
            record(name, problems)
    total = passed + failed
    print("lambda-differential: %d events, %d passed, %d failed" % (total, passed, failed))
    if total < 60:
        print("FAIL lambda-differential: only %d events (at least 60)" % total, file=sys.stderr)
        return 1
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
