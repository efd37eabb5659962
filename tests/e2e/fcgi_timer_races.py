"""Races of the FastCGI worker's timer thread (issue 20, items 2 and 9), each
held open by a test hook of build/test-hooks/app.fcgi (-DFCGI_TEST_HOOKS), not
by a sleep. Every case starts its own manager with one worker on a unix socket.

usage: python3 fcgi_timer_races.py APP_FCGI TMPDIR CASE ROUNDS

CASE:
  idle-window  FCGI_TEST_IDLE_RACE holds the timer thread in its idle path (the
               lock given up to flush log lines) until a request has begun; the
               request (4 s late) must still be cut by --request-timeout 1.
  full-pipe    stderr is a pipe nobody reads, filled to the brim; 5 access lines
               are held when a 4 s request starts: the timer must not block
               writing them, so --request-timeout 2 answers 504 on time; then the
               pipe is read and the held lines and the timeout line must all come.
  lock-held    FCGI_TEST_LOG_HOLD_MS holds the main thread inside the log buffer's
               lock (writing a request's access line) while that request times
               out: the lines held before it must still reach the log.
Prints one line (sent, answered, failed and what went wrong); exit 0 when every
round passed. A round that fails ends the case.
"""
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from e2e_client import first_child, get_request


def connect(s, sock_path):
    """Connects, again for up to 10 s while the manager has not yet listened."""
    deadline = time.monotonic() + 10
    while True:
        try:
            s.connect(sock_path)
            return
        except (ConnectionRefusedError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def ask(sock_path, uri, rid, timeout=15):
    """(status, ms, ended): the Status of the answer (200 when none is given,
    0 when nothing came), the time taken, and whether FCGI_END_REQUEST came."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    t0 = time.monotonic()
    data = b""
    try:
        connect(s, sock_path)
        s.sendall(get_request(uri, (b"HTTP_X_REQUEST_ID", rid.encode())))
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    finally:
        s.close()
    ms = int((time.monotonic() - t0) * 1000)
    out, ended, pos = b"", False, 0
    while pos + 8 <= len(data):
        _, rtype, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
        if rtype == 6:
            out += data[pos + 8:pos + 8 + clen]
        ended = ended or rtype == 3
        pos += 8 + clen + plen
    status = 0
    if out:
        status = 200
        for line in out.split(b"\r\n\r\n")[0].split(b"\r\n"):
            if line.lower().startswith(b"status:"):
                status = int(line.split()[1])
    return status, ms, ended


class Manager:
    """app.fcgi --listen SOCK --workers 1 FLAGS, stderr to a file or a pipe."""

    def __init__(self, binary, sock_path, flags, env, stderr):
        self.sock = sock_path
        full_env = dict(os.environ, **env)
        self.proc = subprocess.Popen([binary, "--listen", sock_path, "--workers", "1"] + flags,
                                     env=full_env, stdin=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 10
        while not os.path.exists(sock_path) and time.monotonic() < deadline:
            time.sleep(0.02)

    def worker(self):
        """The pid of the one worker (waits up to 10 s for it)."""
        return first_child(self.proc.pid, 10)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def queue_then(mgr, fast, last_uri, last_rid):
    """With the worker stopped (SIGSTOP), `fast` quick requests and then
    last_uri wait in the backlog; the worker, continued, serves them back to
    back (holding the quick ones' lines). Returns the threads' results: a list
    of (rid, status) and the last one's (status, ms, ended), filled on join()."""
    w = mgr.worker()
    os.kill(w, signal.SIGSTOP)
    results, last = [], []
    threads = []
    for i in range(fast):
        rid = "%s-f%d" % (last_rid, i)
        t = threading.Thread(target=lambda r=rid: results.append((r, ask(mgr.sock, b"/ping", r)[0])))
        t.start()
        threads.append(t)
        time.sleep(0.02)  # connected in this order: the backlog keeps it
    time.sleep(0.2)
    t = threading.Thread(target=lambda: last.append(ask(mgr.sock, last_uri, last_rid)))
    t.start()
    threads.append(t)
    time.sleep(0.2)
    return w, threads, results, last


def sanitizer_report(text):
    """The first line of a sanitizer's report in text (a build with SANITIZE=1), or None."""
    for line in text.splitlines():
        if "ERROR: AddressSanitizer" in line or "runtime error:" in line or "ERROR: LeakSanitizer" in line:
            return line
    return None


def lines_of(text, rids):
    """How many access lines of each of rids text has."""
    return {r: text.count('"request_id":"%s"' % r) for r in rids}


def idle_window(binary, tmp, rounds):
    sock = os.path.join(tmp, "idle-window.sock")
    log = open(os.path.join(tmp, "idle-window.log"), "wb")
    env = {"FCGI_TEST_IDLE_RACE": "1", "FCGI_TEST_IDLE_STOP_MS": "100",
           "FCGI_TEST_DELAY_MS": "4000", "FCGI_TEST_DELAY_PATH": "/hello"}
    mgr = Manager(binary, sock, ["--request-timeout", "1"], env, log)
    sent = answered = 0
    worst, why = 0, ""
    try:
        for r in range(rounds):
            sent += 1
            status, ms, ended = ask(sock, b"/hello", "idle-%d" % r)
            worst = max(worst, ms)
            if status != 504 or ms > 2500:
                why = "round %d: %s in %d ms (want 504 within 2.5 s)" % (r + 1, status or "nothing", ms)
                break
            answered += 1
    finally:
        mgr.stop()
        log.close()
    report = sanitizer_report(open(os.path.join(tmp, "idle-window.log"), errors="replace").read())
    if report and not why:
        why, answered = "sanitizer: " + report, -1
    print("idle-window: sent %d answered 504 on time %d failed %d; slowest %d ms %s"
          % (sent, answered, sent - answered, worst, why))
    return answered == rounds


def fill(pipe_w):
    """Fills the pipe through a description of its own (O_NONBLOCK there only);
    returns the bytes written."""
    fd = os.open("/proc/self/fd/%d" % pipe_w, os.O_WRONLY | os.O_NONBLOCK)
    n = 0
    try:
        while True:
            n += os.write(fd, b"#" * 4095 + b"\n")
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return n


def full_pipe(binary, tmp, rounds):
    sock = os.path.join(tmp, "full-pipe.sock")
    env = {"FCGI_TEST_DELAY_MS": "4000", "FCGI_TEST_DELAY_PATH": "/hello"}
    sent = answered = 0
    why = ""
    for r in range(rounds):
        rd, wr = os.pipe()
        mgr = Manager(binary, sock, ["--request-timeout", "2"], env, wr)
        got, fast = [], []
        reader = threading.Thread(target=lambda: got.append(read_all(rd)))
        try:
            # Its line goes out after 10 ms idle: read it before the pipe is filled.
            if ask(sock, b"/ping", "warm")[0] != 200:
                why = "round %d: the worker did not answer" % (r + 1)
                break
            time.sleep(0.1)
            w, threads, fast, last = queue_then(mgr, 5, b"/hello", "full%d" % r)
            fill(wr)
            os.close(wr)
            wr = -1
            os.kill(w, signal.SIGCONT)
            threads[-1].join()
            sent += 6
            status, ms, _ = last[0]
            reader.start()  # the pipe is read from now on
            for t in threads:
                t.join()
            if status != 504 or ms > 3200:
                why = "round %d: the 4 s request got %s in %d ms (want 504 within 3.2 s)" % (r + 1, status, ms)
                break
            answered += 1 + sum(1 for _, s in fast if s == 200)
            mgr.worker()  # the next worker is up: the one that timed out is gone
        finally:
            mgr.stop()
            if wr >= 0:
                os.close(wr)
            if reader.ident is None:
                reader.start()
            reader.join()
        text = got[0].decode("utf-8", "replace")
        seen = lines_of(text, [rid for rid, _ in fast])
        timeout_line = "request timed out after 2 s" in text
        if sanitizer_report(text):
            why = "round %d: sanitizer: %s" % (r + 1, sanitizer_report(text))
            break
        if len(fast) != 5 or any(n != 1 for n in seen.values()) or not timeout_line:
            why = "round %d: after the timeout the log has %s, timeout line %s" % (r + 1, seen, timeout_line)
            break
    print("full-pipe: sent %d answered %d failed %d %s" % (sent, answered, sent - answered, why))
    return answered == 6 * rounds and not why


def read_all(fd):
    data = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(fd)
    return data


def lock_held(binary, tmp, rounds):
    sock = os.path.join(tmp, "lock-held.sock")
    env = {"FCGI_TEST_LOG_HOLD_MS": "2000", "FCGI_TEST_LOG_HOLD_MATCH": '"path":"/stall"'}
    sent = answered = 0
    why = ""
    path = os.path.join(tmp, "lock-held.log")
    for r in range(rounds):
        with open(path, "wb") as log:
            mgr = Manager(binary, sock, ["--request-timeout", "1"], env, log)
            try:
                if ask(sock, b"/ping", "warm")[0] != 200:
                    why = "round %d: the worker did not answer" % (r + 1)
                    break
                w, threads, fast, last = queue_then(mgr, 5, b"/stall", "held%d" % r)
                os.kill(w, signal.SIGCONT)
                for t in threads:
                    t.join()
                sent += 5
                answered += sum(1 for _, s in fast if s == 200)
                mgr.worker()  # the next worker is up: the one that timed out is gone
            finally:
                mgr.stop()
        text = open(path, encoding="utf-8", errors="replace").read()
        seen = lines_of(text, [rid for rid, _ in fast])
        timeout_line = "request timed out after 1 s" in text
        if sanitizer_report(text):
            why = "round %d: sanitizer: %s" % (r + 1, sanitizer_report(text))
            break
        if len(fast) != 5 or any(n != 1 for n in seen.values()) or not timeout_line:
            why = "round %d: the log has %s of the held lines, timeout line %s" % (r + 1, seen, timeout_line)
            break
    print("lock-held: sent %d answered %d failed %d %s" % (sent, answered, sent - answered, why))
    return not why and answered == 5 * rounds


def main():
    binary, tmp, case, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    cases = {"idle-window": idle_window, "full-pipe": full_pipe, "lock-held": lock_held}
    sys.exit(0 if cases[case](binary, tmp, rounds) else 1)


if __name__ == "__main__":
    main()
