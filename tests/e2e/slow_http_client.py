#!/usr/bin/env python3
"""A hostile HTTP client for the front-server tests (fcgi_apache.sh).

  slow_http_client.py PORT headers SECONDS   sends a request line, then one
      header byte every 0.5 s (a client that trickles its headers)
  slow_http_client.py PORT body SECONDS      sends a POST with a chunked body
      that never ends, 1 KiB every 10 ms (a peer that never stops sending)
  slow_http_client.py PORT declared SECONDS  the same with a Content-Length of
      10^10 bytes (a body over any limit, sent without end)

It stops when the server answers or closes, or after SECONDS, and prints one
line: the seconds it ran, then the server's status line ("HTTP/1.1 408 ...")
or "closed" (closed without an answer) or "timeout" (the server let it go on),
then, after a tab, the body of the answer if any. Exit status 0.
"""
import socket
import sys
import time


def main():
    port, mode, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    s = socket.create_connection(("127.0.0.1", port))
    if mode == "headers":
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        piece, pause = b"a", 0.5
    elif mode == "declared":
        s.sendall(b"POST /api/v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n")
        piece, pause = b"b" * 1024, 0.01
    else:
        s.sendall(b"POST /api/v1/users/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece, pause = b"400\r\n" + b"b" * 1024 + b"\r\n", 0.01
    s.setblocking(False)
    start, data, outcome = time.monotonic(), b"", "timeout"
    while time.monotonic() - start < limit:
        try:
            s.send(piece)
        except BlockingIOError:
            pass
        except OSError:
            outcome = "closed"
        try:
            chunk = s.recv(65536)
            if not chunk:
                outcome = "closed"
            data += chunk
        except BlockingIOError:
            pass
        except OSError:
            outcome = "closed"
        if outcome == "closed" or b"\r\n\r\n" in data:
            break
        time.sleep(pause)
    # An answer may still be on its way after the last send failed.
    s.setblocking(True)
    s.settimeout(2)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode("latin-1") if data else outcome
    print("%.1f %s\t%s" % (time.monotonic() - start, status, body.decode("latin-1")))


if __name__ == "__main__":
    main()
