"""app.fcgi --listen with a NOTIFY_SOCKET this script reads, as systemd would
for a Type=notify service: READY=1 (with STATUS=) once the socket is bound and
the workers run, STATUS= as the pool changes, RELOADING=1 + MONOTONIC_USEC=
then READY=1 around SIGHUP, STOPPING=1 on SIGTERM, in that order. Then the
hostile case: a NOTIFY_SOCKET nobody listens on (the service runs on and says
so once). Requests go through cgi-fcgi; each is counted.

usage: systemd_notify.py APP_FCGI TMPDIR PORT
Prints "N passed, N failed" and exits 1 if anything failed."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

BIN, TMP, PORT = sys.argv[1], sys.argv[2], sys.argv[3]
ADDR = "127.0.0.1:" + PORT
passed = failed = 0
sent = answered = 0


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL systemd-notify: " + what, file=sys.stderr)
    return cond


def request(path="/ping", counted=True):
    """One GET through cgi-fcgi; True if it was answered 200. counted=False:
    a probe while the service starts, not in the counts."""
    global sent, answered
    sent += counted
    env = {"REQUEST_METHOD": "GET", "REQUEST_URI": path, "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1"}
    try:
        out = subprocess.run(["cgi-fcgi", "-bind", "-connect", ADDR], env=env, capture_output=True,
                             timeout=20).stdout
    except subprocess.TimeoutExpired:
        return False
    good = out.startswith(b"Status: 200")
    answered += good and counted
    return good


class Notify:
    """The datagram socket systemd would listen on; every message in order."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = []

    def wait_for(self, key, seconds=20):
        """The first message (after the ones already taken) holding key=...;
        None if none comes in time. Every message read is kept in order."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(msg)
            if any(line.startswith(key + "=") for line in msg.split("\n")):
                return msg
        return None


def fields(msg):
    return dict(line.split("=", 1) for line in msg.split("\n") if "=" in line)


STATUS = re.compile(r"^(\d+) busy, (\d+) idle, (\d+) workers \(min 2, max 2\), (\d+) requests served$")


def notify_protocol():
    path = os.path.join(TMP, "notify.sock")
    n = Notify(path)
    log = open(os.path.join(TMP, "notify-manager.log"), "wb")
    env = dict(os.environ, NOTIFY_SOCKET=path)
    p = subprocess.Popen([BIN, "--listen", ADDR, "--workers", "2"], env=env, stderr=log)
    try:
        ready = n.wait_for("READY")
        if not ok(ready is not None, "no READY=1 after start: %r" % n.messages):
            return
        f = fields(ready)
        ok(f.get("READY") == "1", "READY message: %r" % ready)
        m = STATUS.match(f.get("STATUS", ""))
        ok(m is not None and m.group(3) == "2", "READY carries the pool's STATUS=: %r" % ready)
        # Ready means served: the first request right after READY is answered.
        ok(request(), "a request right after READY=1")
        ok(request("/math/add?i=5&i=10"), "a second request")
        # The manager wakes every second: the count of requests reaches STATUS=.
        st = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and st is None:
            msg = n.wait_for("STATUS", deadline - time.monotonic())
            sm = STATUS.match(fields(msg).get("STATUS", "")) if msg else None
            if sm and int(sm.group(4)) >= 2:
                st = msg
        ok(st is not None, "STATUS= with 2 requests served: %r" % n.messages)
        # SIGHUP: RELOADING=1 stamped with CLOCK_MONOTONIC, then READY=1 again.
        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        p.send_signal(signal.SIGHUP)
        rel = n.wait_for("RELOADING")
        after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        if ok(rel is not None, "no RELOADING=1 after SIGHUP: %r" % n.messages):
            usec = int(fields(rel).get("MONOTONIC_USEC", "0"))
            ok(before <= usec <= after, "MONOTONIC_USEC %d not within [%d, %d]" % (usec, before, after))
            ok(n.wait_for("READY") is not None, "no READY=1 after RELOADING=1: %r" % n.messages)
        ok(request(), "a request after the reload")
        # SIGTERM: STOPPING=1, then a clean exit.
        p.send_signal(signal.SIGTERM)
        ok(n.wait_for("STOPPING") is not None, "no STOPPING=1 after SIGTERM: %r" % n.messages)
        ok(p.wait(timeout=30) == 0, "manager exit status %s" % p.returncode)
        # The whole conversation, in order.
        order = [k for msg in n.messages for k in ("READY", "RELOADING", "STOPPING") if k + "=1" in msg.split("\n")]
        ok(order == ["READY", "RELOADING", "READY", "STOPPING"], "order of the messages: %r" % order)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def notify_socket_gone():
    """NOTIFY_SOCKET names a path where nothing listens: served all the same, said once."""
    logpath = os.path.join(TMP, "gone-manager.log")
    env = dict(os.environ, NOTIFY_SOCKET=os.path.join(TMP, "no-such-dir", "notify.sock"))
    with open(logpath, "wb") as log:
        p = subprocess.Popen([BIN, "--listen", ADDR, "--workers", "1"], env=env, stderr=log)
    try:
        deadline = time.monotonic() + 20
        up = False
        while not up and time.monotonic() < deadline and p.poll() is None:
            up = request(counted=False)
            if not up:
                time.sleep(0.1)
        ok(up, "with NOTIFY_SOCKET gone the service must still answer")
        p.send_signal(signal.SIGHUP)  # RELOADING and READY fail again: not logged again
        time.sleep(0.5)
        ok(request(), "a request after SIGHUP with NOTIFY_SOCKET gone")
        p.send_signal(signal.SIGTERM)
        ok(p.wait(timeout=30) == 0, "exit status %s with NOTIFY_SOCKET gone" % p.returncode)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    said = open(logpath).read().count("cannot notify systemd")
    ok(said == 1, "the failing NOTIFY_SOCKET is logged once, not %d times" % said)


def notify_never_read():
    """A NOTIFY_SOCKET nobody reads: once its queue is full a send would block
    for ever. 15 SIGHUPs make 30 messages, more than the queue holds
    (/proc/sys/net/unix/max_dgram_qlen, 10 by default): requests are still
    answered, SIGTERM still stops the manager (each send gives up after
    200 ms), and that is logged once."""
    path = os.path.join(TMP, "unread.sock")
    unread = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unread.bind(path)
    logpath = os.path.join(TMP, "unread-manager.log")
    env = dict(os.environ, NOTIFY_SOCKET=path)
    with open(logpath, "wb") as log:
        p = subprocess.Popen([BIN, "--listen", ADDR, "--workers", "1"], env=env, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not request(counted=False) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.1)
        for _ in range(15):
            p.send_signal(signal.SIGHUP)
            time.sleep(0.05)
        ok(request(), "a request while the NOTIFY_SOCKET is full")
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            code = "hung"
        ok(code == 0, "SIGTERM with a NOTIFY_SOCKET nobody reads: exit %s" % code)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        unread.close()
    said = open(logpath).read().count("no room in its queue")
    ok(said == 1, "the full NOTIFY_SOCKET is logged once, not %d times" % said)


notify_protocol()
notify_socket_gone()
notify_never_read()
ok(sent == answered, "requests: %d sent, %d answered, %d failed" % (sent, answered, sent - answered))
print("systemd-notify: requests %d sent, %d answered, %d failed" % (sent, answered, sent - answered))
print("systemd-notify: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
