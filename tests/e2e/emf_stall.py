"""A FastCGI worker with METRICS=emf whose stderr is a pipe nobody reads
(a log driver that stopped): the EMF line of the interval must not stop the
worker. The pipe is filled to the brim, one request is answered (the EMF
interval now has something to say), and the timer's tick comes (METRICS_INTERVAL
1: within a second; the test waits for its write(2) to stderr to block, or 3 s
when nothing blocks in write); then ROUNDS more requests must each be answered
within 10 s (before: the timer thread blocked in write(2) holding the EMF lock,
and the next request's emf_add waited for it for ever). Then the pipe is read:
every line in it is whole JSON, and the manager stops on SIGTERM within 20 s.

usage: python3 emf_stall.py APP_FCGI TMPDIR ROUNDS
Prints one line: sent, answered, failed and what went wrong; exit 0 when all passed.
"""
import glob
import json
import os
import sys
import threading
import time

from fcgi_timer_races import Manager, ask, fill, read_all


def blocked_in_write(pid, fd):
    """Whether a thread of pid sits in write(fd, ...) (/proc/PID/task/*/syscall)."""
    for path in glob.glob("/proc/%d/task/*/syscall" % pid):
        try:
            with open(path) as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) > 1 and fields[0] == "1" and int(fields[1], 16) == fd:
            return True
    return False


def main(binary, tmp, rounds):
    sock = os.path.join(tmp, "emf-stall.sock")
    rd, wr = os.pipe()
    env = {"METRICS": "emf", "METRICS_INTERVAL": "1"}
    mgr = Manager(binary, sock, [], env, wr)
    got = []
    reader = threading.Thread(target=lambda: got.append(read_all(rd)))
    sent = answered = 0
    why = ""
    try:
        sent += 1
        if ask(sock, b"/ping", "warm")[0] != 200:
            why = "the worker did not answer"
            return report(sent, answered, why)
        answered += 1
        w = mgr.worker()
        fill(wr)
        os.close(wr)
        wr = -1
        sent += 1
        status, ms, _ = ask(sock, b"/hello", "counted", timeout=15)
        if status != 200:
            why = "the request after the fill got %s in %d ms" % (status or "nothing", ms)
            return report(sent, answered, why)
        answered += 1
        deadline = time.monotonic() + 3
        blocked = False
        while time.monotonic() < deadline and not blocked:
            blocked = blocked_in_write(w, 2)
            time.sleep(0.05)
        for r in range(rounds):
            sent += 1
            status, ms, ended = ask(sock, b"/ping", "after-%d" % r, timeout=10)
            if status != 200 or not ended:
                why = "round %d: %s in %d ms (want 200 within 10 s)%s" % (
                    r + 1, status or "nothing", ms,
                    "; a thread of the worker is blocked in write(2, ...)" if blocked_in_write(w, 2) else "")
                break
            answered += 1
    finally:
        reader.start()
        t0 = time.monotonic()
        mgr.stop()
        stop_s = time.monotonic() - t0
        if wr >= 0:
            os.close(wr)
        reader.join()
    if not why and stop_s > 20:
        why = "SIGTERM took %.1f s" % stop_s
    text = got[0].decode("utf-8", "replace") if got else ""
    for line in text.splitlines():
        if not why and ("ERROR: AddressSanitizer" in line or "runtime error:" in line or "LeakSanitizer" in line):
            why = "sanitizer: " + line
    for line in text.splitlines():
        if line.startswith("#"):  # the test's filler
            continue
        try:
            json.loads(line)
        except ValueError:
            if line.startswith("{") and not why:
                why = "a torn line in the log: %r" % line[:120]
    return report(sent, answered, why)


def report(sent, answered, why):
    print("emf-stall: sent %d answered %d failed %d %s" % (sent, answered, sent - answered, why))
    return not why and sent == answered


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2], int(sys.argv[3])) else 1)
