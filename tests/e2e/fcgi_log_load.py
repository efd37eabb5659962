"""Exactly counted FastCGI requests, each with its own X-Request-Id, for checking
that every answered request has exactly one whole access line.

usage: python3 fcgi_log_load.py SOCKET THREADS PER_THREAD PREFIX [PATH]

THREADS threads each send PER_THREAD GET PATH (default /ping) requests, one
connection each, X-Request-Id PREFIX-<thread>-<n> (REMOTE_ADDR 127.0.0.1: run
the service with FORWARDED_ALLOW_IPS=127.0.0.1 so it keeps the ids). Prints
"sent N answered N failed N" and writes the ids of the answered requests, one
per line, to PREFIX.ids. Exit 0 when every request was answered.
"""
import socket
import struct
import sys
import threading


def record(rtype, content):
    return struct.pack(">BBHHBB", 1, rtype, 1, len(content), 0, 0) + content


def pair(name, value):
    return bytes([len(name), len(value)]) + name + value


def request(path, rid):
    params = (pair(b"REQUEST_METHOD", b"GET") + pair(b"REQUEST_URI", path)
              + pair(b"SERVER_PROTOCOL", b"HTTP/1.1") + pair(b"REMOTE_ADDR", b"127.0.0.1")
              + pair(b"HTTP_X_REQUEST_ID", rid))
    return (record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"")
            + record(5, b""))


def one(sock_path, path, rid):
    """True when a complete answer (an FCGI_END_REQUEST record) came back."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    try:
        s.connect(sock_path)
        s.sendall(request(path, rid))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        pos = 0
        while pos + 8 <= len(data):
            _, rtype, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
            if rtype == 3:
                return True
            pos += 8 + clen + plen
        return False
    except OSError:
        return False
    finally:
        s.close()


def main():
    sock_path, threads, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4]
    path = sys.argv[5].encode() if len(sys.argv) > 5 else b"/ping"
    answered, failed = [], [0]
    lock = threading.Lock()

    def run(t):
        for i in range(per):
            rid = "%s-%d-%d" % (prefix.rsplit("/", 1)[-1], t, i)
            ok = one(sock_path, path, rid.encode())
            with lock:
                if ok:
                    answered.append(rid)
                else:
                    failed[0] += 1

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with open(prefix + ".ids", "w") as f:
        f.write("".join(rid + "\n" for rid in answered))
    print("sent %d answered %d failed %d" % (threads * per, len(answered), failed[0]))
    return 0 if failed[0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
