#!/usr/bin/env python3
"""The bootstrap's own HTTP/1.1 client (lambda/http1.c) against a Runtime API that
answers with raw, scripted bytes on a free loopback port: chunked bodies with
extensions and trailers, a 100 Continue before the answer, header names in any
case, Connection: close, a body that ends with the connection, a kept-alive
connection closed while idle (reopened without a retry), and answers it must
refuse (bad status line or status, a folded header, header block over 64 KiB,
Content-Length over the event limit, unknown Transfer-Encoding). The limits on a
head, at their values and one past, and peers that never stop sending one:
lambda_http1_limits.py.

  lambda_http1.py BOOTSTRAP

Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import json
import os
import socket
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")
NEXT = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"


def event_bytes():
    with open(os.path.join(EVENTS, "apigw-v2-add.json"), "rb") as f:
        return f.read()


def head(status, *headers):
    return ("HTTP/1.1 %s\r\n" % status).encode() + b"".join(h.encode() + b"\r\n" for h in headers) + b"\r\n"


ACCEPTED = head("202 Accepted", "Content-Type: application/json", "Content-Length: 16") + b'{"status":"OK"}\n'


def chunked(body, sizes):
    out, i = b"", 0
    for n in sizes:
        out += b"%x;ext=1\r\n" % n + body[i:i + n] + b"\r\n"
        i += n
    assert i == len(body)
    return out + b"0\r\nX-Trailer: yes\r\n\r\n"


class Server:
    """Serves one scripted step per request, in order, on whatever connection asks.
    A step: (expected request line prefix, bytes to send, then "keep" | "close")."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.requests = []   # (connection number, request head, body)
        self.connections = 0
        self.problems = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def read_request(self, conn, buf):
        while b"\r\n\r\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            buf += chunk
        head_, _, rest = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head_.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        return (head_, rest[:length]), rest[length:]

    def run(self):
        try:
            while self.steps:
                conn, _ = self.sock.accept()
                conn.settimeout(20)
                self.connections += 1
                buf = b""
                while self.steps:
                    req, buf = self.read_request(conn, buf)
                    if req is None:
                        break
                    self.requests.append((self.connections, req[0], req[1]))
                    want, reply, after = self.steps.pop(0)
                    if not req[0].startswith(want):
                        self.problems.append("request %r, expected %r" % (req[0][:80], want))
                    conn.sendall(reply)
                    if after == "close":
                        break
                conn.close()
        except OSError as e:
            self.problems.append("server: %s" % e)
        finally:
            self.sock.close()


def run(bootstrap, steps, retries):
    server = Server(steps)
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % server.port, LAMBDA_NEXT_RETRIES=str(retries))
    env.pop("EXECUTION_ENVIRONMENT", None)
    p = subprocess.run([bootstrap], env=env, capture_output=True, timeout=30)
    server.thread.join(5)
    return server, p.returncode, p.stderr.decode(errors="replace")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap = sys.argv[1]
    ev = event_bytes()
    passed = failed = 0

    def check(what, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL lambda-http1: %s: %s" % (what, detail), file=sys.stderr)

    def answers(server):
        return [json.loads(body) for _, h, body in server.requests if h.startswith(b"POST ")]

    # Framing the client must take.
    steps = [
        (NEXT, head("200 OK", "Transfer-Encoding: chunked", "Lambda-Runtime-Aws-Request-Id: id-1",
                    "Lambda-Runtime-Deadline-Ms: 9999999999999") + chunked(ev, [1, 100, len(ev) - 101]), "keep"),
        (b"POST /2018-06-01/runtime/invocation/id-1/response ", ACCEPTED, "keep"),
        (NEXT, head("100 Continue") + head("200 OK", "content-length: %d" % len(ev),
                                           "lambda-runtime-aws-request-id: id-2") + ev, "keep"),
        (b"POST /2018-06-01/runtime/invocation/id-2/response ",
         head("202 Accepted", "Connection: close", "Content-Length: 2") + b"{}", "close"),
        (NEXT, head("200 OK", "Lambda-Runtime-Aws-Request-Id: id-3") + ev, "close"),
        (b"POST /2018-06-01/runtime/invocation/id-3/response ", ACCEPTED, "close"),  # closed while idle
        (NEXT, b"HTP/1.1 200 OK\r\n\r\n", "close"),
        (NEXT, b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", "close"),
    ]
    server, rc, err = run(bootstrap, steps, retries=1)
    got = answers(server)
    check("scripted server saw what it expected", not server.problems and not server.steps,
          "%s; %d steps left" % (server.problems, len(server.steps)))
    check("chunked, 100 Continue and close-delimited events are each answered",
          len(got) == 3 and all(a.get("statusCode") == 200 and a.get("body") == "15" for a in got), repr(got))
    conns = [c for c, _, _ in server.requests]
    check("kept alive until told otherwise, reopened after close",
          conns == [1, 1, 1, 1, 2, 3, 4, 5], repr(conns))
    check("the idle-closed connection is reopened without a logged retry",
          err.count("; retry ") == 1 and "not an HTTP/1.x response; retry 1 of 1" in err, err[-600:])
    check("an oversized header block ends the runtime with a clear message",
          rc == 1 and "a response head over 65536 bytes (1xx heads included) (gave up after 2 attempts)" in err, err[-600:])

    # Bodies the client must refuse without reading them.
    steps = [
        (NEXT, head("200 OK", "Content-Length: 99999999999", "Lambda-Runtime-Aws-Request-Id: big"), "keep"),
        (NEXT, head("200 OK", "Transfer-Encoding: gzip", "Lambda-Runtime-Aws-Request-Id: gz") + b"xx", "close"),
    ]
    server, rc, err = run(bootstrap, steps, retries=1)
    check("an event over the limit is refused", "response body too large; retry 1 of 1" in err, err[-600:])
    check("an unknown transfer coding is refused",
          rc == 1 and "unsupported Transfer-Encoding (gave up after 2 attempts)" in err, err[-600:])
    check("the refusals were all it got", not server.problems and not server.steps, repr(server.problems))

    # Status lines and header names that are not HTTP (found by tests/fuzz/runtime_http1.c).
    steps = [
        (NEXT, b"HTTP/1.1 026 OK\r\nLambda-Runtime-Aws-Request-Id: s\r\nContent-Length: 0\r\n\r\n", "close"),
        (NEXT, b"HTTP/1.1 200 OK\r\n Lambda-Runtime-Aws-Request-Id: f\r\nContent-Length: 0\r\n\r\n", "close"),
    ]
    server, rc, err = run(bootstrap, steps, retries=1)
    check("a status outside 100-599 is refused", "not an HTTP/1.x response; retry 1 of 1" in err, err[-600:])
    check("a folded or spaced header name is refused",
          rc == 1 and "a malformed response header (gave up after 2 attempts)" in err, err[-600:])

    print("lambda-http1: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
