"""Hostile and counting FastCGI clients for fcgi_peers.sh and fcgi_races.sh.

usage: python3 fcgi_hostile.py COMMAND ADDRESS [ARG...]   (ADDRESS: a socket
path, HOST:PORT or [V6]:PORT; each prints one line, described below)

  gets ADDRESS N             N GET /ping, one connection each:
                             "answered N refused N lost N"
  trickle ADDRESS SECONDS    a POST with FCGI_KEEP_CONN, CONTENT_LENGTH 5000000 (a
                             413), a STDIN record header for 60000 bytes, then one
                             byte every 0.5 s for SECONDS; once its answer is in (or
                             after 1 s without one), a GET /ping on a second
                             connection: "answer_ms N second_ms N" (-1: none)
  flood ADDRESS SECONDS      a POST without FCGI_KEEP_CONN, CONTENT_LENGTH 5000000,
                             then STDIN records as fast as the socket takes them for
                             up to SECONDS, reading nothing; then a GET /ping:
                             "cut_ms N second_ms N" (when sending failed: the worker
                             closed; -1: never)
  partial ADDRESS N SECONDS  N connections each send the first part of a GET /ping
                             and stop (in turn: 1 byte, the whole BEGIN_REQUEST,
                             BEGIN_REQUEST and half the PARAMS); meanwhile a GET
                             /ping on its own connection; after SECONDS they send
                             the rest: "normal_ms N completed N"
  halfclose ADDRESS          sends 20 bytes of a request head, then shuts down its
                             sending side: "closed_ms N" (when the worker closed the
                             connection; -1: not within 15 s)
  killload ADDRESS MANAGER_PID KILLS
                             4 threads send GET /ping, one connection each (its
                             bytes 10 ms after the connect, as over a network), while a
                             random worker (child of MANAGER_PID) is SIGKILLed every
                             250 ms, KILLS times: "answered N lost N kills N"
  probe ADDRESS GO_FILE      connects (giving up after 0.5 s), sends a GET /ping if
                             it could, creates GO_FILE, then reads the answer:
                             "answered", "refused" (no connection) or "lost"
"""
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

from e2e_client import child_pids, connect, fcgi_exchange as exchange, get_request, has_end, pair, record

KEEP_CONN = 1


def big_post(flags):
    """BEGIN_REQUEST with flags and the params of a POST declaring 5000000 bytes."""
    params = (pair(b"REQUEST_METHOD", b"POST") + pair(b"REQUEST_URI", b"/math/add")
              + pair(b"CONTENT_LENGTH", b"5000000") + pair(b"CONTENT_TYPE", b"application/json")
              + pair(b"SERVER_PROTOCOL", b"HTTP/1.1") + pair(b"REMOTE_ADDR", b"127.0.0.1"))
    return record(1, struct.pack(">HB5x", 1, flags)) + record(4, params) + record(4, b"")


def ms_since(t0):
    return int((time.monotonic() - t0) * 1000)


def second_client(address):
    """Milliseconds a GET /ping on a new connection takes to be answered; -1: never."""
    t0 = time.monotonic()
    return ms_since(t0) if exchange(address, get_request(b"/ping"), 15) == "answered" else -1


def trickle(address, seconds):
    s = connect(address)
    s.sendall(big_post(KEEP_CONN) + struct.pack(">BBHHBB", 1, 5, 1, 60000, 0, 0))
    t0, stop = time.monotonic(), threading.Event()

    def drip():
        while not stop.is_set() and time.monotonic() - t0 < float(seconds):
            try:
                s.send(b"x")
            except OSError:
                return
            stop.wait(0.5)

    dripper = threading.Thread(target=drip)
    dripper.start()
    answer_ms, data = -1, b""
    s.settimeout(1)
    try:
        while b"Status: 413" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        if b"Status: 413" in data:
            answer_ms = ms_since(t0)
    except OSError:
        pass
    second_ms = second_client(address)
    stop.set()
    dripper.join()
    s.close()
    print("answer_ms %d second_ms %d" % (answer_ms, second_ms))


def flood(address, seconds):
    s = connect(address)
    chunk = struct.pack(">BBHHBB", 1, 5, 1, 65535, 0, 0) + b"x" * 65535
    s.sendall(big_post(0))
    t0, cut_ms = time.monotonic(), -1
    s.settimeout(1)
    while time.monotonic() - t0 < float(seconds):
        try:
            s.sendall(chunk)
        except socket.timeout:
            continue
        except OSError:
            cut_ms = ms_since(t0)
            break
    s.close()
    print("cut_ms %d second_ms %d" % (cut_ms, second_client(address)))


def gets(address, n):
    counts = {"answered": 0, "refused": 0, "lost": 0}
    for _ in range(int(n)):
        counts[exchange(address, get_request(b"/ping"), 5)] += 1
    print("answered %(answered)d refused %(refused)d lost %(lost)d" % counts)


def partial(address, n, seconds):
    request = get_request(b"/ping")
    cuts = [1, 16, 16 + 8 + (len(request) - 16 - 24) // 2]
    held = []
    for i in range(int(n)):
        s = connect(address)
        s.sendall(request[:cuts[i % 3]])
        held.append((s, cuts[i % 3]))
    t0 = time.monotonic()
    normal = exchange(address, request, 15)
    normal_ms = ms_since(t0) if normal == "answered" else -1
    time.sleep(max(0, float(seconds) - (time.monotonic() - t0)))
    completed = 0
    for s, cut in held:
        try:
            s.settimeout(10)
            s.sendall(request[cut:])
            data = b""
            while not has_end(data):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            completed += has_end(data)
        except OSError:
            pass
        s.close()
    print("normal_ms %d completed %d" % (normal_ms, completed))


def halfclose(address):
    s = connect(address)
    s.sendall(get_request(b"/ping")[:20])
    s.shutdown(socket.SHUT_WR)
    t0, closed_ms = time.monotonic(), -1
    s.settimeout(15)
    try:
        while s.recv(65536):
            pass
        closed_ms = ms_since(t0)
    except OSError:
        closed_ms = ms_since(t0)
    s.close()
    print("closed_ms %d" % closed_ms)


def killload(address, manager_pid, kills):
    counts = {"answered": 0, "refused": 0, "lost": 0}
    lock, done = threading.Lock(), threading.Event()
    request = get_request(b"/ping")

    def one():
        """A request whose first bytes come 10 ms after the connection, as from
        a front server a network away (on loopback they would come at once)."""
        try:
            s = connect(address, 15)
        except OSError:
            return "refused"
        try:
            time.sleep(0.01)
            s.sendall(request)
            data = b""
            while not has_end(data):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return "answered" if has_end(data) else "lost"
        except OSError:
            return "lost"
        finally:
            s.close()

    def load():
        while not done.is_set():
            outcome = one()
            with lock:
                counts[outcome] += 1

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    killed, t = 0, time.monotonic()
    while killed < int(kills):
        t += 0.25
        time.sleep(max(0, t - time.monotonic()))
        pids = child_pids(manager_pid)
        if pids:
            try:
                os.kill(random.choice(pids), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    done.set()
    for t in threads:
        t.join()
    print("answered %d lost %d kills %d" % (counts["answered"], counts["lost"] + counts["refused"], killed))


def probe(address, go_file):
    try:
        s = connect(address, 0.5)
    except OSError:
        s = None
    if s is not None:
        s.sendall(get_request(b"/ping"))
    open(go_file, "w").close()
    if s is None:
        print("refused")
        return
    s.settimeout(15)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    print("answered" if has_end(data) else "lost")


COMMANDS = {"gets": gets, "trickle": trickle, "flood": flood, "probe": probe, "partial": partial, "halfclose": halfclose, "killload": killload}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
