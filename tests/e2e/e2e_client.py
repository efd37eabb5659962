#!/usr/bin/env python3
"""The Python helpers of the end-to-end scripts, in one place: the spec table's rows
through a real server (spec_table.py reads the table), a raw HTTP client, a FastCGI
record encoder, small JSON and socket helpers, and (e2e_checks.py) the checks of log
and report files. The shell scripts call

  python3 tests/e2e/e2e_client.py SUBCOMMAND ARGS...

(with no subcommand it lists them); Python tests import it (fcgi_log_load.py,
fcgi_stop_load.py). Every subcommand exits 0 when what it checks holds, 1 when not
(saying why on stderr), 2 on bad usage.
"""

import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

import e2e_checks
import wire_cases
import e2e_metrics
from spec_table import encoding_problems, expected_body, spec_cases


# ---- the spec table through a real server, with curl -------------------------


# Extra curl arguments for every spec row (compression.sh: --compressed, so that the
# rows are asked with Accept-Encoding and checked decompressed).
SPEC_CURL_EXTRA = os.environ.get("SPEC_CURL_EXTRA", "").split()
# Set (compression.sh): every row is asked again with this Accept-Encoding, and that
# answer must decode to the plain one byte for byte (spec_table.encoding_problems).
SPEC_ACCEPT_ENCODING = os.environ.get("SPEC_ACCEPT_ENCODING")


def curl(args, tmp, timeout=10):
    """Runs curl -s with args; returns (status code, headers text, body bytes, the body's
    size as curl counted it: 0 after a HEAD, whose -I output is the headers)."""
    files = os.path.join(tmp, "curl.head"), os.path.join(tmp, "curl.body")
    for path in files:  # nothing of the previous answer may be read as this one's
        if os.path.exists(path):
            os.unlink(path)
    p = subprocess.run(["curl", "-s", "--max-time", str(timeout), "-D", files[0], "-o", files[1],
                        "-w", "%{http_code} %{size_download}"] + SPEC_CURL_EXTRA + args, capture_output=True,
                       timeout=timeout + 5)
    code, _, size = p.stdout.decode().partition(" ")
    head, body = (open(path, "rb").read() if os.path.exists(path) else b"" for path in files)
    return code, head.decode("latin-1").replace("\r", ""), body, int(size or -1)


def header_dict(headers):
    """The last answer's headers in curl's -D output: lower-cased name -> value."""
    return dict(line.split(": ", 1) for line in sorted(header_lines(headers)) if ": " in line)


def header_lines(headers):
    """The header lines of the last answer in curl's -D output, names lower-cased."""
    last = headers.strip().split("\n\n")[-1]
    out = set()
    for line in last.split("\n")[1:]:
        name, _, value = line.partition(":")
        out.add("%s: %s" % (name.strip().lower(), value.strip()))
    return out


def spec_http(base, target, tmp, rows="all"):
    """Every row for "http" against the server at base (curl); rows="peer": only the 2xx
    rows another implementation must answer alike (bench/peer_fastapi.py: no HEAD, which
    FastAPI's routes do not answer, and no /docs/ files). Prints "ok" or "FAIL what: why"
    per row, for the sourcing script's e2e_pass/e2e_fail."""
    for i, row in enumerate(spec_cases("http")):
        if rows == "peer" and (row["status"] >= 300 or row["method"] == "HEAD"
                               or row["target"].startswith("/docs/")):
            continue
        args = []
        for name, value in row["req_headers"]:
            args += ["-H", "%s: %s" % (name, value)]
        method = row["method"]
        if row["req_body"] is not None:
            path = os.path.join(tmp, "spec-body-%d" % i)
            with open(path, "wb") as f:
                f.write(row["req_body"])
            args += ["--data-binary", "@" + path]
        elif method in ("POST", "PUT", "PATCH"):
            # Front servers want a Content-Length on bodies' methods (411 otherwise).
            args += ["--data", ""]
        if method == "HEAD":
            args += ["-I"]
        elif method != "GET":
            args += ["-X", method]
        code, headers, body, size = curl(args + [base + row["target"]], tmp)
        problems = []
        if SPEC_ACCEPT_ENCODING is not None:
            plain = {"status": int(code), "headers": header_dict(headers), "body": body, "head": method == "HEAD"}
            code, headers, body, size = curl(args + ["-H", "Accept-Encoding: " + SPEC_ACCEPT_ENCODING,
                                                     base + row["target"]], tmp)
            encoded = {"status": int(code), "headers": header_dict(headers), "body": body, "head": method == "HEAD"}
            problems += ["with Accept-Encoding %r: %s" % (SPEC_ACCEPT_ENCODING, p)
                         for p in encoding_problems(SPEC_ACCEPT_ENCODING, plain, encoded)]
            # The row's own checks below, on the answer decoded (or left as it was on a failure).
            body = plain["body"] if not problems else body
            size = size if method == "HEAD" else len(body)
        if code != str(row["status"]):
            problems.append("status %s, want %d" % (code, row["status"]))
        want = expected_body(row, target)
        if method == "HEAD":
            if size != 0:
                problems.append("a body of %d bytes after a HEAD" % size)
        elif want is None and not body:
            problems.append("empty body")
        elif want is not None and body != want.encode():
            problems.append("body %r, want %r" % (body[:300], want))
        got = header_lines(headers)
        wanted = list(row["resp_headers"])
        if row["content_type"] != "-":
            wanted.append("Content-Type: " + row["content_type"])
        for line in wanted:
            name, _, value = line.replace("{base}", base).partition(": ")
            if "%s: %s" % (name.lower(), value) not in got:
                problems.append("no header '%s: %s'" % (name, value))
        print("FAIL %s: %s" % (row["name"], "; ".join(problems)) if problems else "ok")
    return 0


# ---- a raw HTTP client ---------------------------------------------------------


def raw_http(port, request, timeout=5):
    """Sends request (bytes) to 127.0.0.1:port and returns every byte answered until the
    server closes the connection."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        s.close()


def cmd_raw_http(port):
    """The request on stdin to 127.0.0.1:PORT; the answer (latin-1) on stdout."""
    sys.stdout.write(raw_http(port, sys.stdin.buffer.read()).decode("latin-1"))
    return 0


# ---- FastCGI records -----------------------------------------------------------


def record(rtype, content, request_id=1):
    """One FastCGI record (version 1, no padding)."""
    return struct.pack(">BBHHBB", 1, rtype, request_id, len(content), 0, 0) + content


def pair(name, value):
    """A name-value pair of FCGI_PARAMS (both shorter than 128 bytes)."""
    return bytes([len(name), len(value)]) + name + value


def get_request(uri, *extra):
    """The records of a GET of uri (bytes); extra: more (name, value) pairs."""
    params = (pair(b"REQUEST_METHOD", b"GET") + pair(b"REQUEST_URI", uri)
              + pair(b"SERVER_PROTOCOL", b"HTTP/1.1") + pair(b"REMOTE_ADDR", b"127.0.0.1")
              + b"".join(pair(n, v) for n, v in extra))
    return (record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"")
            + record(5, b""))


def has_end(data):
    """Whether data (what a responder sent) holds an FCGI_END_REQUEST record."""
    pos = 0
    while pos + 8 <= len(data):
        _, rtype, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
        if rtype == 3:
            return True
        pos += 8 + clen + plen
    return False


def fcgi_exchange(address, request, timeout=10, connect_timeout=None):
    """Sends request (records) to ADDRESS (a unix socket path, or HOST:PORT): 'answered' (a
    complete answer: it has an FCGI_END_REQUEST record), 'refused' (connecting failed, or
    took longer than connect_timeout) or 'lost' (reset, or closed before the end)."""
    try:
        s = connect(address, timeout if connect_timeout is None else connect_timeout)
    except OSError:
        return "refused"
    s.settimeout(timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return "answered" if has_end(data) else "lost"
    except OSError:
        return "lost"
    finally:
        s.close()


# ---- small helpers -------------------------------------------------------------


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
    return 0


def has_ipv6():
    """0 when ::1 can be bound (the machine has IPv6 loopback)."""
    socket.socket(socket.AF_INET6).bind(("::1", 0))
    return 0


def body_of(path="-"):
    """The bytes after the first blank line (CRLF CRLF) of a CGI-style answer in PATH (or stdin)."""
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    sys.stdout.buffer.write(data.split(b"\r\n\r\n", 1)[1])
    return 0


def json_get(key, path="-"):
    """The member at KEY (dots between names: pool.workers) of the JSON document in PATH (or
    stdin); "null" for null. Exit 1 when it is missing."""
    doc = json.load(sys.stdin if path == "-" else open(path))
    for name in key.split("."):
        doc = doc[name]
    print("null" if doc is None else doc)
    return 0


def json_detail(path):
    """0 when PATH holds exactly {"detail": "a non-empty string"}."""
    d = json.load(open(path))
    assert list(d) == ["detail"] and isinstance(d["detail"], str) and d["detail"], d
    return 0


def repeat(text, count):
    """TEXT COUNT times, no newline."""
    sys.stdout.write(text * int(count))
    return 0


def connect(address, timeout=None):
    """A connected socket to ADDRESS: a unix socket path (it has a '/'), or HOST:PORT
    ([V6]:PORT); OSError when connecting fails or takes longer than timeout."""
    if "/" in address:
        c, target = socket.socket(socket.AF_UNIX), address
    else:
        host, _, port = address.rpartition(":")
        host = host.strip("[]")
        c = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        target = (host, int(port))
    c.settimeout(timeout)
    try:
        c.connect(target)
    except OSError:
        c.close()
        raise
    return c


def hold_connections(address, count, seconds):
    """Opens COUNT connections to ADDRESS that send nothing, prints "open", holds them SECONDS."""
    held = [connect(address) for _ in range(int(count))]
    print("open", flush=True)
    time.sleep(float(seconds))
    del held
    return 0


def mute_server(sock_path, seconds):
    """Listens on the unix socket SOCK_PATH, prints "up", accepts one client and answers
    nothing for SECONDS."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock_path)
    s.listen(1)
    print("up", flush=True)
    c, _ = s.accept()
    time.sleep(float(seconds))
    del c
    return 0


def unix_bind(sock_path):
    """Leaves a stale unix socket at SOCK_PATH: bound, never listened on, closed."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock_path)
    s.close()
    return 0


def spawn_on_socket(sock_path, program, *args):
    """Runs PROGRAM as spawn-fcgi does: with a unix socket listening at SOCK_PATH on fd 0."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock_path)
    s.listen(4)
    os.dup2(s.fileno(), 0)
    os.execv(program, [program] + list(args))


def child_pids(pid):
    """The pids of PID's children, from /proc ([] when PID is gone)."""
    try:
        with open("/proc/%s/task/%s/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def first_child(pid, seconds):
    """The first child of PID (a manager's or lighttpd's one worker), waiting up to SECONDS
    for it; RuntimeError when none comes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kids = child_pids(pid)
        if kids:
            return kids[0]
        time.sleep(0.02)
    raise RuntimeError("no worker")


def kill_children(pid, count, interval):
    """COUNT times, on a fixed beat of INTERVAL seconds, SIGKILLs a random child of PID (from
    /proc); prints how many were killed."""
    kills, t = 0, time.monotonic()
    for _ in range(int(count)):
        t += float(interval)
        time.sleep(max(0, t - time.monotonic()))
        pids = child_pids(pid)
        if pids:
            try:
                os.kill(random.choice(pids), signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
    print(kills)
    return 0


# ---- a burst of concurrent requests (fcgi_overload.sh) ---------------------------


def burst(url, count, out):
    """Sends COUNT GETs of URL at once (one connection each, released together) and
    writes one JSON line per request to OUT: status, ms (send to last byte),
    retry_after, request_id (X-Request-Id), body. A request that got no answer has status 0."""
    import threading
    import urllib.error
    import urllib.request
    count = int(count)
    start = threading.Barrier(count)
    results = [None] * count

    def one(i):
        start.wait()
        t0 = time.monotonic()
        status, retry, rid, body = 0, None, None, ""
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                status, retry, rid, body = (r.status, r.headers.get("Retry-After"), r.headers.get("X-Request-Id"),
                                            r.read().decode())
        except urllib.error.HTTPError as e:
            status, retry, rid, body = e.code, e.headers.get("Retry-After"), e.headers.get("X-Request-Id"), e.read().decode()
        except OSError as e:
            body = str(e)
        results[i] = {"status": status, "ms": (time.monotonic() - t0) * 1000, "retry_after": retry,
                      "request_id": rid, "body": body}

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    return 0


def stamp(seconds_ago, form="msec"):
    """Prints a request-start stamp SECONDS_AGO (may be negative: the future) in FORM:
    msec (nginx $msec, 1700000000.123), t-msec (t=1700000000.123), t-us (t=<microseconds>)."""
    at = time.time() - float(seconds_ago)
    text = {"msec": "%.3f" % at, "t-msec": "t=%.3f" % at, "t-us": "t=%d" % int(at * 1e6)}[form]
    print(text)
    return 0


# ---- the command line ------------------------------------------------------

COMMANDS = {
    "spec-http": (spec_http, "BASE TARGET TMPDIR [all|peer]"),
    "raw-http": (cmd_raw_http, "PORT"),
    "free-port": (free_port, ""),
    "has-ipv6": (has_ipv6, ""),
    "body-of": (body_of, "[FILE]"),
    "json-get": (json_get, "KEY [FILE]"),
    "json-detail": (json_detail, "FILE"),
    "repeat": (repeat, "TEXT COUNT"),
    "hold-connections": (hold_connections, "SOCKET|HOST:PORT COUNT SECONDS"),
    "mute-server": (mute_server, "SOCKET SECONDS"),
    "unix-bind": (unix_bind, "SOCKET"),
    "spawn-on-socket": (spawn_on_socket, "SOCKET PROGRAM [ARGS...]"),
    "kill-children": (kill_children, "PID COUNT INTERVAL"),
    "access-log-targets": (e2e_checks.access_log_targets, "TMPDIR COUNT"),
    "lambda-log-lines": (e2e_checks.lambda_log_lines, "OUT LEVEL"),
    "log-lines-match": (e2e_checks.log_lines_match, "IDS LOG WHAT"),
    "held-lines-out": (e2e_checks.held_lines_out, "IDS DURING_LOG AFTER_LOG"),
    "lambda-init-error": (e2e_checks.lambda_init_error, "REPORT TEXT [before-next]"),
    "lambda-served-add": (e2e_checks.lambda_served_add, "REPORT"),
    "lambda-rss": (e2e_checks.lambda_rss, "REPORT NOISE_KB"),
    "head-error": (e2e_checks.head_error, "STATUS < ANSWER"),
    "pipelined-after-refusal": (e2e_checks.pipelined_after_refusal, "< ANSWERS"),
    "bodiless-post-logged": (e2e_checks.bodiless_post_logged, "LOG REQUEST_ID"),
    "openapi-document": (e2e_checks.openapi_document, "< DOCUMENT"),
    "event-with-header": (e2e_checks.event_with_header, "SRC DST NAME [VALUE]"),
    "single-trace-id": (e2e_checks.single_trace_id, "< ACCESS_LINES"),
    "runtime-trace-ids": (e2e_checks.runtime_trace_ids, "OUT"),
    "json-assert": (e2e_checks.json_assert, "FILE EXPRESSION"),
    "cors-diff": (wire_cases.cors_diff, "BUILD"),
    "cors-front": (wire_cases.cors_front, "BASE BUILD"),
    "lambda-body": (wire_cases.lambda_body, "ANSWER OUT"),
    "burst": (burst, "URL COUNT OUT"),
    "stamp": (stamp, "SECONDS_AGO [msec|t-msec|t-us]"),
    "burst-report": (e2e_checks.burst_report, "OUT LIMIT_MS SERVICE_MS SLACK_MS"),
    "shed-observed": (e2e_checks.shed_observed, "OUT LOG [PAGE|emf]"),
    "metrics-load": (e2e_metrics.metrics_load, "BASE COUNT THREADS REPORT [mix|random]"),
    "scrape-loop": (e2e_metrics.scrape_loop, "URL PAGES_DIR STOP_FILE"),
    "openmetrics-summary": (e2e_metrics.openmetrics_summary, "PAGE"),
    "openmetrics-monotonic": (e2e_metrics.openmetrics_monotonic, "PAGES_DIR"),
    "emf-lines": (e2e_metrics.emf_lines, "LOG TARGET [INTERVAL]"),
}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__.strip() + "\n\nsubcommands:", file=sys.stderr)
        for name, (func, args) in COMMANDS.items():
            print("  %s %s\n      %s" % (name, args, (func.__doc__ or "").split("\n")[0]), file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[1]][0](*argv[2:])
    except AssertionError as e:
        print("AssertionError: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
