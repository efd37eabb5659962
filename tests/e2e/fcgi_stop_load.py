"""FastCGI load on a unix socket while the manager behind it is stopped.

usage: python3 fcgi_stop_load.py SOCKET CONCURRENCY

CONCURRENCY threads each send GET /ping requests, one connection per request,
until connecting fails because the socket is gone (the manager removed it on
SIGTERM). Prints "answered N refused N lost N": answered with a complete
response, refused at connect (the stop's own doing), lost after the connection
was made (reset, or closed before a complete response: what a graceful stop
must never do). "running" goes to stderr once the first answer is in. Exit 0 after the first refusal of every thread; 2 when no
request was answered at all.
"""
import socket
import struct
import sys
import threading
import time


def record(rtype, content):
    return struct.pack(">BBHHBB", 1, rtype, 1, len(content), 0, 0) + content


def pair(name, value):
    return bytes([len(name), len(value)]) + name + value


REQUEST = (record(1, struct.pack(">HB5x", 1, 0))
           + record(4, pair(b"REQUEST_METHOD", b"GET") + pair(b"REQUEST_URI", b"/ping")
                    + pair(b"SERVER_PROTOCOL", b"HTTP/1.1") + pair(b"REMOTE_ADDR", b"127.0.0.1"))
           + record(4, b"") + record(5, b""))


def one(path):
    """'answered', 'refused' or 'lost'."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return "refused"
    try:
        s.sendall(REQUEST)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        # A complete answer has an FCGI_END_REQUEST record (type 3).
        pos = 0
        while pos + 8 <= len(data):
            _, rtype, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
            if rtype == 3:
                return "answered"
            pos += 8 + clen + plen
        return "lost"
    except OSError:
        return "lost"
    finally:
        s.close()


def main():
    path, threads = sys.argv[1], int(sys.argv[2])
    counts = {"answered": 0, "refused": 0, "lost": 0}
    lock = threading.Lock()

    def run():
        while True:
            outcome = one(path)
            with lock:
                counts[outcome] += 1
                if outcome == "answered" and counts["answered"] == 1:
                    print("running", file=sys.stderr, flush=True)
            if outcome == "refused":
                return
            time.sleep(0)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print("answered %(answered)d refused %(refused)d lost %(lost)d" % counts, flush=True)
    return 0 if counts["answered"] > 0 else 2


if __name__ == "__main__":
    sys.exit(main())
