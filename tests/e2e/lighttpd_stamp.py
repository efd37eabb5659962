"""The REQUEST_START stamp of the shipped lighttpd.conf (FCGI_MAX_QUEUE_WAIT=500,
deploy/lighttpd-request-start.lua) against hostile clients, with one spawned
build/test-hooks/app.fcgi whose /hello takes 1200 ms (FCGI_TEST_DELAY_MS).
"Busy" cases first wait until the worker sleeps inside /hello (its main thread's
wchan says nanosleep: no sleep-and-hope), then send their request, which waits
behind it 500-1200 ms.

  trickle     headers trickled over 2 s to an idle worker: served (the stamp is
              taken when the headers are complete, not at the first byte)
  keepalive   a POST 1.5 s after a stamped GET on one connection: served (no
              stamp left over from the request before)
  pipelined   /hello and /ping sent in one packet: both served (the stamp is
              per request: the second is stamped when lighttpd reads it)
  headers     an idle worker, a client's REQUEST_START / Request-Start header an
              hour old: served (a header is HTTP_*, never the parameter)
  chunked     a POST whose chunked body trickles in for 2.5 s to an idle
              worker: served (a body is no wait for a worker, chunked or not)
  busy        a plain GET behind /hello: 503 (the stamp works)
  x-ahead     a GET behind /hello with the client's X-Request-Start 0.99 s ahead,
              from 127.0.0.1, which the shipped FORWARDED_ALLOW_IPS trusts (an ALB
              passes a client's header on): 503 (before: served, the client's
              stamp won and its wait counted as 0)

usage: python3 lighttpd_stamp.py APP_DIR TMPDIR PORT
Prints one line per case and a last line sent/answered/failed; exit 0 when all passed.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

from e2e_client import first_child


class Lighttpd:
    def __init__(self, app_dir, tmp, port):
        self.port = port
        env = dict(os.environ, PORT=str(port), BIND="127.0.0.1", APP_DIR=app_dir, FCGI_PROCS="1",
                   SOCKET_DIR=tmp, UPLOAD_DIR=tmp, ACCESS_LOG="", FCGI_MAX_QUEUE_WAIT="500",
                   FCGI_TEST_DELAY_MS="1200", FCGI_TEST_DELAY_PATH="/hello")
        for k in ("LOG_FORMAT", "LOG_LEVEL", "METRICS", "FORWARDED_ALLOW_IPS"):
            env.pop(k, None)
        self.log = open(os.path.join(tmp, "lighttpd.log"), "wb")
        self.proc = subprocess.Popen(["lighttpd", "-D", "-f", "lighttpd.conf"], env=env,
                                     stdout=self.log, stderr=self.log)

    def connect(self):
        deadline = time.monotonic() + 20
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.port), timeout=20)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def worker(self):
        """The pid of the spawned app.fcgi (waits up to 20 s)."""
        return first_child(self.proc.pid, 20)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def statuses(s, n):
    """The status codes of the first n answers on s (fewer when it closes; 20 s at most)."""
    data = b""
    s.settimeout(20)
    try:
        while len(re.findall(rb"HTTP/1\.[01] \d{3}", data)) < n or not data.endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3})", data)]


def request(srv, raw, n=1):
    s = srv.connect()
    s.sendall(raw)
    got = statuses(s, n)
    s.close()
    return got


def in_handler(pid):
    """Whether the worker's main thread sleeps in the test hook's delay."""
    try:
        with open("/proc/%d/task/%d/wchan" % (pid, pid)) as f:
            return "nanosleep" in f.read()
    except OSError:
        return False


def behind_hello(srv, raw):
    """raw sent while the worker is inside /hello: (its statuses, /hello's)."""
    pid = srv.worker()
    hello = []
    t = threading.Thread(target=lambda: hello.extend(request(srv, GET(b"/hello"))))
    t.start()
    deadline = time.monotonic() + 20
    while not in_handler(pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    got = request(srv, raw(time.time()))
    t.join()
    return got, hello


def GET(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + extra + b"Connection: close\r\n\r\n"


def trickle(srv):
    s = srv.connect()
    for piece in (b"GET /ping HTTP/1.1\r\n", b"Host: x\r\n", b"X-A: 1\r\n", b"Connection: close\r\n", b"\r\n"):
        s.sendall(piece)
        time.sleep(0.5)
    got = statuses(s, 1)
    s.close()
    return got == [200], got


def keepalive(srv):
    s = srv.connect()
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
    first = statuses(s, 1)
    time.sleep(1.5)
    s.sendall(b"POST /api/v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
              b"Connection: close\r\n\r\nab")
    second = statuses(s, 1)
    s.close()
    return first + second == [200, 200], first + second


def pipelined(srv):
    got = request(srv, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" + GET(b"/ping"), 2)
    return got == [200, 200], got


def headers(srv):
    old = b"%d" % int(time.time() - 3000)
    got = request(srv, GET(b"/ping", b"REQUEST_START: " + old + b"\r\n"))
    got += request(srv, GET(b"/ping", b"Request-Start: " + old + b"\r\n"))
    return got == [200, 200], got


def chunked(srv):
    s = srv.connect()
    s.sendall(b"POST /api/v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    for _ in range(5):
        s.sendall(b"1\r\na\r\n")
        time.sleep(0.5)
    s.sendall(b"0\r\n\r\n")
    got = statuses(s, 1)
    s.close()
    return got == [200], got


def busy(srv):
    got, hello = behind_hello(srv, lambda now: GET(b"/ping"))
    return got == [503] and hello == [200], (got, hello)


def x_ahead(srv):
    got, hello = behind_hello(srv, lambda now: GET(b"/ping", b"X-Request-Start: t=%d\r\n" % int(now * 1e6 + 990000)))
    return got == [503] and hello == [200], (got, hello)


CASES = [("trickle", trickle, 1), ("keepalive", keepalive, 2), ("pipelined", pipelined, 2),
         ("headers", headers, 2), ("chunked", chunked, 1), ("busy", busy, 2), ("x-ahead", x_ahead, 2)]


def main(app_dir, tmp, port):
    srv = Lighttpd(app_dir, tmp, port)
    sent = answered = 0
    ok = True
    try:
        if request(srv, GET(b"/ping")) != [200]:
            print("lighttpd-stamp: lighttpd did not answer /ping")
            return False
        for name, fn, n in CASES:
            passed, got = fn(srv)
            sent += n
            answered += n if passed else 0
            ok = ok and passed
            print("lighttpd-stamp: %-9s %s %s" % (name, "ok" if passed else "FAILED", got))
    finally:
        srv.stop()
    with open(os.path.join(tmp, "lighttpd.log"), errors="replace") as f:
        for line in f:
            if "ERROR: AddressSanitizer" in line or "runtime error:" in line or "LeakSanitizer" in line:
                print("lighttpd-stamp: sanitizer: " + line.strip())
                ok = False
                break
    print("lighttpd-stamp: sent %d answered as expected %d failed %d" % (sent, answered, sent - answered))
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2], int(sys.argv[3])) else 1)
