#!/usr/bin/env python3
"""Several invocations per execution environment (AWS_LAMBDA_MAX_CONCURRENCY, Lambda
Managed Instances): the bootstrap runs that many /next loops as processes, against
tests/lambda_runtime_emulator.py on a free loopback port.

  lambda_concurrency.py BOOTSTRAP HOOKS_BOOTSTRAP

BOOTSTRAP is the release build; HOOKS_BOOTSTRAP the test-hooks build, whose handler
for LAMBDA_TEST_SLOW_PATH is slow and says so with its pid (the tests wait for that
line, never for a time). Checks: N invocations in flight at once, each answer under
its own request id; a loop killed -9 mid-invocation is replaced (that invocation is
lost, the others are answered, counted); SIGTERM with N invocations in flight answers
all N and exits 0 without taking another; the drain is bounded; the value of
AWS_LAMBDA_MAX_CONCURRENCY refused or clamped. Prints "FAIL ..." lines and a summary.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_client import child_pids  # noqa: E402
from lambda_faults import EVENTS, Emulator, Tally, event_file  # noqa: E402

LOOPS_MAX = 64


def add_event(tmp, k):
    """An HTTP API event for /math/add?i=k&i=1000: its answer's body is k + 1000."""
    return event_file(tmp, "add-%d.json" % k, "apigw-v2-add.json", rawQueryString="i=%d&i=1000" % k,
                      queryStringParameters={"i": "%d,1000" % k})


def ping_event(tmp):
    return event_file(tmp, "ping.json", "apigw-v1-add.json", path="/ping",
                      multiValueQueryStringParameters=None, queryStringParameters=None)


class Runtime:
    """The bootstrap with its stdout and stderr in one file (read while it runs)."""

    def __init__(self, tmp, bootstrap, address, **env_extra):
        env = dict(os.environ)
        env.pop("EXECUTION_ENVIRONMENT", None)
        env["AWS_LAMBDA_RUNTIME_API"] = address
        env["LAMBDA_NEXT_RETRIES"] = "1"
        env.update({k: str(v) for k, v in env_extra.items()})
        self.log_path = os.path.join(tmp, "runtime.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([bootstrap], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def hooked_pids(self, n, timeout=30):
        """Waits until n handlers said "test hook: pid N slow"; their pids (fewer on timeout)."""
        deadline = time.time() + timeout
        while True:
            pids = [int(line.split("pid ")[1].split()[0]) for line in self.text().splitlines()
                    if "test hook: pid " in line]
            if len(pids) >= n or time.time() > deadline or self.proc.poll() is not None:
                return pids
            time.sleep(0.02)

    def children(self):
        return child_pids(self.pid)

    def wait_children(self, pred, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            kids = self.children()
            if pred(kids):
                return kids
            time.sleep(0.02)
        return self.children()

    def finish(self, timeout=30):
        """(exit status or None when it had to be killed, seconds waited)."""
        start = time.time()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, time.time() - start
        return self.proc.returncode, time.time() - start

    def kill(self):
        for pid in self.children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def body_of(rec):
    b = rec.get("body")
    return b.get("body") if isinstance(b, dict) else None


def answers_match(t, what, report, expect):
    """expect: {event path: expected body}; every answered invocation's body is its own event's."""
    wrong = [(r["request_id"], r["event"], body_of(r)) for r in report.get("invocations", [])
             if r["outcome"] is not None and body_of(r) != expect.get(r["event"])]
    t.check(what + ": each answer under its own request id", not wrong, repr(wrong[:3]))


def n_in_flight(t, bootstrap):
    n, total = 4, 12
    with tempfile.TemporaryDirectory() as tmp:
        events = [add_event(tmp, k) for k in range(total)]
        emu = Emulator(tmp, events, "--barrier", str(n))
        rt = Runtime(tmp, bootstrap, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=n)
        try:
            kids = rt.wait_children(lambda k: len(k) >= n)
            rc, report = emu.wait()
            status, waited = rt.finish()
            left = rt.children()
        finally:
            emu.kill()
            rt.kill()
        log = rt.text()
    t.check("%d loops: %d processes under the bootstrap" % (n, n), len(kids) == n, repr(kids))
    t.check("%d loops: all %d invocations answered" % (n, total),
            rc == 0 and report["responses"] == total and report["handed_out"] == total,
            "emulator exit %s, %s" % (rc, {k: report.get(k) for k in ("responses", "errors", "handed_out")}))
    t.check("%d loops: %d /next waiting at once (the emulator's barrier)" % (n, n), report.get("barrier_met") is True,
            "barrier_met %s, max_in_flight %s" % (report.get("barrier_met"), report.get("max_in_flight")))
    answers_match(t, "%d loops" % n, report, {e: str(k + 1000) for k, e in enumerate(events)})
    t.check("%d loops: the Runtime API gone ends every loop and the bootstrap exits 1" % n,
            status == 1 and not left and waited < 20, "exit %s after %.1f s, children %r: %s" %
            (status, waited, left, log[-400:]))


def killed_loop_is_replaced(t, hooks):
    n, fast = 3, 8
    with tempfile.TemporaryDirectory() as tmp:
        slow = ping_event(tmp)
        events = [slow] + [add_event(tmp, k) for k in range(fast)]
        emu = Emulator(tmp, events, "--barrier", str(n), "--expect-answers", str(fast))
        rt = Runtime(tmp, hooks, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=n,
                     LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=60000)
        try:
            victims = rt.hooked_pids(1)
            before = rt.children()
            if victims:
                os.kill(victims[0], signal.SIGKILL)
            after = rt.wait_children(lambda k: len(k) == n and victims and victims[0] not in k)
            rc, report = emu.wait()
            status, _ = rt.finish()
        finally:
            emu.kill()
            rt.kill()
        log = rt.text()
    t.check("kill -9: the slow invocation's loop found", len(victims) == 1 and victims[0] in before,
            "%r in %r" % (victims, before))
    if len(victims) != 1:
        return
    t.check("kill -9: the loop is replaced by a new process",
            len(after) == n and victims[0] not in after and len(set(after) - set(before)) == 1,
            "before %r, after %r" % (before, after))
    t.check("kill -9: the death is logged", "loop %d killed by signal 9; starting a new one" % victims[0] in log,
            log[-400:])
    invs = report.get("invocations", [])
    lost = [r for r in invs if r["outcome"] is None]
    t.check("kill -9: counted: %d handed out, %d answered, 1 lost (the killed one's)" % (fast + 1, fast),
            rc == 0 and report["handed_out"] == fast + 1 and report["answered"] == fast and
            len(lost) == 1 and lost[0]["event"] == slow,
            "emulator exit %s, handed out %s, answered %s, lost %r" %
            (rc, report.get("handed_out"), report.get("answered"), [r["event"] for r in lost]))
    answers_match(t, "kill -9", report, {e: str(k + 1000) for k, e in enumerate(events[1:])})
    t.check("kill -9: the bootstrap ends when the Runtime API goes", status == 1, "exit %s" % status)


def sigterm_drains(t, hooks):
    n = 3
    with tempfile.TemporaryDirectory() as tmp:
        slow = ping_event(tmp)
        events = [slow] * n + [add_event(tmp, k) for k in range(n)]
        emu = Emulator(tmp, events, "--barrier", str(n))
        rt = Runtime(tmp, hooks, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=n,
                     LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=1500)
        try:
            held = rt.hooked_pids(n)
            os.kill(rt.pid, signal.SIGTERM)
            status, waited = rt.finish()
            left = rt.children()
            emu.proc.send_signal(signal.SIGTERM)
            rc, report = emu.wait()
        finally:
            emu.kill()
            rt.kill()
        log = rt.text()
    t.check("SIGTERM: %d handlers were in flight" % n, len(set(held)) == n, repr(held))
    t.check("SIGTERM: the bootstrap exits 0", status == 0 and not left,
            "exit %s after %.1f s, children %r: %s" % (status, waited, left, log[-400:]))
    invs = report.get("invocations", [])
    t.check("SIGTERM: all %d in flight answered, no other taken" % n,
            rc == 3 and report["handed_out"] == n and report["responses"] == n and
            all(r["outcome"] == "response" and r["event"] == slow for r in invs),
            "emulator exit %s, %s" % (rc, {k: report.get(k) for k in ("handed_out", "responses", "errors")}))


class HalfNext:
    """A Runtime API whose first /next answer stops halfway through the event until
    release() (every later /next is never answered); it records the POSTed answers."""

    def __init__(self, event, fails=0):
        self.event, self.posts, self.fails = event, [], fails
        self.half_sent, self.released, self.stopping = threading.Event(), threading.Event(), False
        self.nexts = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        f = conn.makefile("rb")
        try:
            while True:
                line = f.readline()
                if not line:
                    return
                length = 0
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    if h.lower().startswith(b"content-length:"):
                        length = int(h.split(b":")[1])
                body = f.read(length) if length else b""
                if line.startswith(b"GET ") and b"/invocation/next" in line:
                    with self.lock:
                        self.nexts += 1
                        first = self.nexts == 1 and not self.fails  # with fails: no event at all
                        failed = self.nexts <= self.fails
                    if failed:
                        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}")
                        continue
                    if not first:
                        self.released.wait(60)
                        while not self.stopping:  # never answered: the loop stays idle in /next
                            time.sleep(0.05)
                        return
                    head = ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: held-1\r\n"
                            "Lambda-Runtime-Deadline-Ms: %d\r\nContent-Length: %d\r\n\r\n" %
                            (int(time.time() * 1000) + 300000, len(self.event))).encode()
                    half = len(self.event) // 2
                    conn.sendall(head + self.event[:half])
                    self.peer_port = conn.getpeername()[1]
                    self.half_sent.set()
                    self.released.wait(60)
                    conn.sendall(self.event[half:])
                else:
                    self.posts.append((line.split()[1].decode(), body))
                    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}")
        except OSError:
            return
        finally:
            conn.close()

    def close(self):
        self.stopping = True
        self.released.set()
        self.sock.close()


def sigterm_pending(pid):
    """Whether SIGTERM is still pending (not yet delivered) for pid; False once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return False
    bit = 1 << (signal.SIGTERM - 1)
    return any(int(fields.get(k, "0").strip(), 16) & bit for k in ("SigPnd", "ShdPnd"))


def unread_bytes(port):
    """Bytes waiting in the receive queue of the loopback socket on local port (None if none)."""
    want = "0100007F:%04X" % port
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want:
                return int(fields[4].split(":")[1], 16)
    return None


def asleep(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "S"
    except OSError:
        return False


def sigterm_mid_next(t, bootstrap):
    """SIGTERM while a loop is reading the event /next handed it (head and half the
    body in): the Runtime API counts that event as handed out, so the loop must answer
    it before it exits (it was ended at once, and the event was lost)."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(ping_event(tmp), "rb") as f:
            api = HalfNext(f.read())
        rt = Runtime(tmp, bootstrap, api.address, AWS_LAMBDA_MAX_CONCURRENCY=2)
        try:
            got_half = api.half_sent.wait(30)
            kids = rt.wait_children(lambda k: len(k) == 2)
            # The loop has read what was sent (its receive queue is empty) and sleeps
            # again, waiting for the rest: it is inside the window, not before it.
            deadline = time.time() + 30
            while time.time() < deadline and not (unread_bytes(api.peer_port) == 0 and all(map(asleep, kids))):
                time.sleep(0.01)
            os.kill(rt.pid, signal.SIGTERM)
            # The idle loop's end shows the parent has signalled both loops; the busy
            # one's SIGTERM is then delivered before the rest of the event goes out.
            rt.wait_children(lambda k: len(k) <= 1)
            deadline = time.time() + 30
            while any(sigterm_pending(p) for p in kids) and time.time() < deadline:
                time.sleep(0.01)
            api.released.set()
            status, waited = rt.finish()
        finally:
            api.close()
            rt.kill()
        log = rt.text()
    answered = [p for p, body in api.posts if p.endswith("/invocation/held-1/response")]
    t.check("SIGTERM mid-/next: the event being read is answered, then exit 0",
            got_half and len(kids) == 2 and answered and status == 0,
            "half sent %s, children %r, posts %r, exit %s: %s" %
            (got_half, kids, [p for p, _ in api.posts], status, log[-400:]))


def sigterm_after_next_retry(t, bootstrap):
    """Both loops' first /next answered 500, their retries waiting: SIGTERM ends them at
    once (the failed answer must not leave a loop marked busy)."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(ping_event(tmp), "rb") as f:
            api = HalfNext(f.read(), fails=2)
        rt = Runtime(tmp, bootstrap, api.address, AWS_LAMBDA_MAX_CONCURRENCY=2, LAMBDA_NEXT_RETRIES=3,
                     LAMBDA_SHUTDOWN_TIMEOUT_MS=20000)
        try:
            deadline = time.time() + 30
            while api.nexts < 4 and time.time() < deadline:  # 2 failed, then 2 retries waiting
                time.sleep(0.01)
            nexts = api.nexts
            os.kill(rt.pid, signal.SIGTERM)
            status, waited = rt.finish()
        finally:
            api.close()
            rt.kill()
        log = rt.text()
    t.check("SIGTERM with both loops retrying /next: exit 0 at once",
            nexts >= 4 and status == 0 and waited < 10,
            "%d /next, exit %s after %.1f s: %s" % (nexts, status, waited, log[-400:]))


def drain_is_bounded(t, hooks):
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator(tmp, [ping_event(tmp)])
        rt = Runtime(tmp, hooks, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=2, LAMBDA_SHUTDOWN_TIMEOUT_MS=500,
                     LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=60000)
        try:
            held = rt.hooked_pids(1)
            os.kill(rt.pid, signal.SIGTERM)
            status, waited = rt.finish()
            left = rt.children()
        finally:
            emu.kill()
            rt.kill()
        log = rt.text()
    t.check("stuck handler at SIGTERM: killed after LAMBDA_SHUTDOWN_TIMEOUT_MS, exit 1",
            len(held) == 1 and status == 1 and 0.4 < waited < 10 and not left and
            "1 loops still busy after LAMBDA_SHUTDOWN_TIMEOUT_MS=500: killed" in log,
            "exit %s after %.1f s, children %r: %s" % (status, waited, left, log[-400:]))


def single_loop_values(t, hooks):
    """0, -1, garbage, empty: one process, as without the variable (and a note for the bad ones)."""
    for value, noted in (("0", True), ("-1", True), ("lots", True), ("4x", True), ("", False), ("1", False)):
        with tempfile.TemporaryDirectory() as tmp:
            emu = Emulator(tmp, [ping_event(tmp)])
            rt = Runtime(tmp, hooks, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=value,
                         LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=200)
            try:
                held = rt.hooked_pids(1)
                kids = rt.children()
                rc, report = emu.wait()
                rt.finish()
            finally:
                emu.kill()
                rt.kill()
            log = rt.text()
        note = "AWS_LAMBDA_MAX_CONCURRENCY=%s is not a whole number of at least 1: one invocation at a time" % value
        t.check("AWS_LAMBDA_MAX_CONCURRENCY=%r: one process serves" % value,
                held == [rt.pid] and not kids and rc == 0 and report["responses"] == 1,
                "handler pids %r (bootstrap %d), children %r" % (held, rt.pid, kids))
        t.check("AWS_LAMBDA_MAX_CONCURRENCY=%r: %s" % (value, "refused with a note" if noted else "no note"),
                (note in log) == noted and ("loops, one invocation" in log) is False, log[-300:])


def clamped(t, bootstrap):
    for value in ("65", "99999999999999999999999"):
        with tempfile.TemporaryDirectory() as tmp:
            events = [add_event(tmp, k) for k in range(LOOPS_MAX)]
            emu = Emulator(tmp, events, "--barrier", str(LOOPS_MAX))
            rt = Runtime(tmp, bootstrap, emu.address, AWS_LAMBDA_MAX_CONCURRENCY=value)
            try:
                kids = rt.wait_children(lambda k: len(k) >= LOOPS_MAX)
                rc, report = emu.wait()
                rt.finish()
            finally:
                emu.kill()
                rt.kill()
            log = rt.text()
        t.check("AWS_LAMBDA_MAX_CONCURRENCY=%s: clamped to %d loops, said so" % (value, LOOPS_MAX),
                len(kids) == LOOPS_MAX and report.get("barrier_met") is True and rc == 0 and
                "AWS_LAMBDA_MAX_CONCURRENCY=%s is above %d: running %d loops" % (value, LOOPS_MAX, LOOPS_MAX) in log,
                "%d children, emulator exit %s, barrier_met %s: %s" %
                (len(kids), rc, report.get("barrier_met"), log[-300:]))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap, hooks = sys.argv[1], sys.argv[2]
    t = Tally("lambda-concurrency")
    n_in_flight(t, bootstrap)
    killed_loop_is_replaced(t, hooks)
    sigterm_drains(t, hooks)
    for _ in range(int(os.environ.get("MID_NEXT_ROUNDS", "5"))):
        sigterm_mid_next(t, bootstrap)
    sigterm_after_next_retry(t, bootstrap)
    drain_is_bounded(t, hooks)
    single_loop_values(t, hooks)
    clamped(t, bootstrap)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
