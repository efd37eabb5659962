#!/usr/bin/env python3
"""The limits of the bootstrap's HTTP/1.1 client (lambda/http1_read.c) on a
response head, against a hostile Runtime API on a free loopback port:

  - a /next answered with a status line and then header lines without end (each
    under 64 KiB), and one answered with 1xx heads without end: the bootstrap
    must stop reading, say why, exit 1 (not abort: 134), with bounded memory (its
    peak RSS within 16 MiB of a normal run's) and the peer able to push at most
    the limit plus the socket buffers;
  - each limit at its value taken and one past it refused: 65536 bytes of head
    (1xx heads included), 100 header lines, 5 interim (1xx) heads, 65536 bytes
    of trailers.

  lambda_http1_limits.py BOOTSTRAP

Every peer stops after PEER_CAP bytes and every process is bounded in time.
Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import os
import socket
import subprocess
import sys
import threading
import time

from lambda_http1 import ACCEPTED, NEXT, chunked, event_bytes, head

MAX_HEAD = 65536
MAX_LINES = 100
MAX_INTERIM = 5
PEER_CAP = 64 << 20  # what an endless peer sends at most (the old client took it all)
SOCKET_SLACK = 16 << 20  # what loopback socket buffers may hold besides what was read
RSS_SLACK_KB = 16 << 10
HEAD_TOO_BIG = "a response head over 65536 bytes (1xx heads included)"
TRAILERS_TOO_BIG = "response trailers over 65536 bytes"
TOO_MANY_LINES = "more than 100 header lines in a response head"
TOO_MANY_INTERIM = "more than 5 interim (1xx) responses before the answer"


def padded_head(status, total, *headers, interim=b""):
    """interim + a head of `status` with headers and an X-Pad header sized so that
    interim and head together take exactly `total` bytes."""
    base = len(interim) + len(head(status, *headers, "X-Pad: "))
    assert total >= base
    return interim + head(status, *headers, "X-Pad: " + "p" * (total - base))


def next_answer(ev, rid, total=None, interim=b"", extra=()):
    headers = ("Content-Length: %d" % len(ev), "Lambda-Runtime-Aws-Request-Id: %s" % rid) + tuple(extra)
    if total is None:
        return interim + head("200 OK", *headers) + ev
    return padded_head("200 OK", total, *headers, interim=interim) + ev


class Peer:
    """A Runtime API that answers each request with the next step: (bytes, "keep" |
    "close"), or ((first, chunk), "endless"): first, then chunk again and again until
    the client goes or PEER_CAP bytes are sent. Send errors end the step only."""

    def __init__(self, steps):
        self.steps, self.sent, self.requests = list(steps), [], []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(60)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def read_request(self, conn):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                return None
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
                return None
            rest += chunk
        return head_

    def send(self, conn, reply, after):
        sent = 0
        try:
            if after != "endless":
                conn.sendall(reply)
                return len(reply)
            first, chunk = reply
            conn.sendall(first)
            sent = len(first)
            while sent < PEER_CAP:
                conn.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        return sent

    def serve(self, conn):
        conn.settimeout(60)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        while self.steps:
            req = self.read_request(conn)
            if req is None:
                return
            self.requests.append(req)
            reply, after = self.steps.pop(0)
            self.sent.append(self.send(conn, reply, after))
            if after != "keep":
                return

    def run(self):
        try:
            while self.steps:
                conn, _ = self.sock.accept()
                with conn:
                    self.serve(conn)
        except OSError:
            pass
        finally:
            self.sock.close()


def run(bootstrap, steps, retries):
    """(peer, exit status, stderr, peak RSS in KiB) of one bootstrap run against steps."""
    peer = Peer(steps)
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % peer.port, LAMBDA_NEXT_RETRIES=str(retries))
    env.pop("EXECUTION_ENVIRONMENT", None)
    p = subprocess.Popen([bootstrap], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = []
    reader = threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True)
    reader.start()
    deadline = time.time() + 60
    while time.time() < deadline:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        time.sleep(0.05)
    else:
        p.kill()
        pid, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    reader.join(10)
    peer.thread.join(10)
    return peer, p.returncode, (err[0] if err else b"").decode(errors="replace"), usage.ru_maxrss


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
            print("FAIL lambda-http1-limits: %s: %s" % (what, detail), file=sys.stderr)

    # A normal run, for the RSS baseline: one event, then the Runtime API goes.
    _, rc, err, base_rss = run(bootstrap, [(next_answer(ev, "n"), "keep"), (ACCEPTED, "close")], retries=0)
    check("baseline run: one event served, exit 1 when the Runtime API goes", rc == 1, err[-400:])

    # Each limit at its value, on one kept-alive connection.
    interim = head("103 Early Hints", "Link: </a.css>; rel=preload")
    trailers = b"X-Pad: " + b"t" * (MAX_HEAD - len(b"X-Pad: \r\n\r\n")) + b"\r\n\r\n"
    at_limit = [
        next_answer(ev, "bytes", total=MAX_HEAD),
        next_answer(ev, "lines", extra=["X-Line-%d: %d" % (i, i) for i in range(MAX_LINES - 2)]),
        next_answer(ev, "interim", interim=interim * MAX_INTERIM),
        next_answer(ev, "cumulative", total=MAX_HEAD, interim=interim * 3),
        head("200 OK", "Transfer-Encoding: chunked", "Lambda-Runtime-Aws-Request-Id: trailers") +
        chunked(ev, [len(ev)])[:-len(b"X-Trailer: yes\r\n\r\n")] + trailers,
    ]
    steps = []
    for answer in at_limit:
        steps += [(answer, "keep"), (ACCEPTED, "keep")]
    # One past each, on a new connection each (the client drops a refused one).
    past = [
        (next_answer(ev, "bytes", total=MAX_HEAD + 1), HEAD_TOO_BIG),
        (next_answer(ev, "lines", extra=["X-Line-%d: %d" % (i, i) for i in range(MAX_LINES - 1)]), TOO_MANY_LINES),
        (next_answer(ev, "interim", interim=interim * (MAX_INTERIM + 1)), TOO_MANY_INTERIM),
        (next_answer(ev, "cumulative", total=MAX_HEAD + 1, interim=interim * 3), HEAD_TOO_BIG),
        (head("200 OK", "Transfer-Encoding: chunked", "Lambda-Runtime-Aws-Request-Id: trailers") +
         chunked(ev, [len(ev)])[:-len(b"X-Trailer: yes\r\n\r\n")] + b"X" + trailers, TRAILERS_TOO_BIG),
    ]
    steps += [(answer, "close") for answer, _ in past]
    peer, rc, err, _ = run(bootstrap, steps, retries=len(past) - 1)
    posts = [r for r in peer.requests if r.startswith(b"POST ")]
    check("at each limit: 65536 bytes, 100 header lines, 5 1xx heads, 65536 bytes over 1xx and final head, "
          "65536 bytes of trailers: each event answered",
          len(posts) == len(at_limit) and
          all(b"/invocation/%s/response " % rid in r for rid, r in
              zip((b"bytes", b"lines", b"interim", b"cumulative", b"trailers"), posts)),
          "%d answered: %s" % (len(posts), err[-600:]))
    for i, (_, why) in enumerate(past):
        tail = "; retry %d of %d" % (i + 1, len(past) - 1) if i < len(past) - 1 else \
            " (gave up after %d attempts)" % len(past)
        check("one past the limit refused: %s" % why, (why + tail) in err, err[-800:])
    check("one past the limits: exit 1", rc == 1 and not peer.steps, "exit %s, %d steps left" % (rc, len(peer.steps)))

    # Peers that never stop: header lines (each under 64 KiB), and 1xx heads.
    endless = [
        ("header lines without end", b"HTTP/1.1 200 OK\r\n", b"X-Filler: " + b"a" * 60000 + b"\r\n",
         HEAD_TOO_BIG),
        ("1xx heads without end", b"", interim * 1000, TOO_MANY_INTERIM),
    ]
    for what, first, chunk, why in endless:
        steps = [((first, chunk), "endless")] * 2
        peer, rc, err, rss = run(bootstrap, steps, retries=1)
        check("%s: a clear message, exit 1 (not an abort)" % what,
              rc == 1 and why + " (gave up after 2 attempts)" in err, "exit %s: %s" % (rc, err[-600:]))
        check("%s: bounded memory (peak RSS %d KiB, a normal run %d KiB)" % (what, rss, base_rss),
              rss < base_rss + RSS_SLACK_KB, "")
        check("%s: the peer could push no more than the limit and the socket buffers" % what,
              len(peer.sent) == 2 and max(peer.sent) < SOCKET_SLACK, "sent %s" % peer.sent)

    print("lambda-http1-limits: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
