#!/usr/bin/env python3
"""A FastCGI responder that misbehaves on purpose, so that the lighttpd in front
answers with its own 5xx (tests/e2e/lighttpd_errors.sh). lighttpd starts it as
"bin-path" with the listening socket on fd 0. What it does depends on the path:
  /bad-header   answers with a header line without a colon      lighttpd: 502
  /hang         never answers                                   504 after read-timeout
  /close        closes the connection without answering         lighttpd's own 5xx
  /unlisten     answers 200, then stops listening (stays alive)  503 afterwards
  /env          answers 200 with the request's parameters as a JSON object
  anything else answers 200 {"ok":true}
With MISBEHAVE_LOG set, each request's REDIRECT_STATUS and REQUEST_URI are
appended to that file, one line each: whether lighttpd asked it for an error.
"""
import json
import os
import socket
import struct
import threading
import time

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_request(conn):
    """The request id and the params of one request (its body is read and dropped)."""
    params, stdin_done, request_id = b"", False, 1
    while not stdin_done:
        _, kind, request_id, length, padding, _ = struct.unpack(">BBHHBB", read_exact(conn, 8))
        content = read_exact(conn, length + padding)[:length]
        if kind == PARAMS:
            params += content
        elif kind == STDIN and length == 0:
            stdin_done = True
    env, i = {}, 0
    while i < len(params):
        lengths = []
        for _ in range(2):
            n = params[i]
            if n >> 7:
                n = struct.unpack(">I", params[i:i + 4])[0] & 0x7FFFFFFF
                i += 4
            else:
                i += 1
            lengths.append(n)
        name = params[i:i + lengths[0]].decode("latin-1")
        i += lengths[0]
        env[name] = params[i:i + lengths[1]].decode("latin-1")
        i += lengths[1]
    return request_id, env


def record(kind, request_id, content=b""):
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), 0, 0) + content


def answer(conn, request_id, stdout):
    end = struct.pack(">IB3x", 0, 0)
    conn.sendall(record(STDOUT, request_id, stdout) + record(STDOUT, request_id) + record(END, request_id, end))


def serve(conn, request_id, path, env):
    if path == "/env":
        answer(conn, request_id, b"Status: 200 OK\r\nContent-Type: application/json\r\n\r\n" +
               json.dumps(env, sort_keys=True).encode("latin-1"))
    elif path == "/bad-header":
        answer(conn, request_id, b"this line has no colon\r\n\r\n")
    elif path == "/hang":
        time.sleep(30)
    elif path != "/close":
        answer(conn, request_id, b"Status: 200 OK\r\nContent-Type: application/json\r\n\r\n" + b'{"ok":true}')
    conn.close()


def main():
    listener = socket.socket(fileno=0)
    while True:
        conn, _ = listener.accept()
        try:
            request_id, env = read_request(conn)
        except EOFError:
            conn.close()
            continue
        path = env.get("REQUEST_URI", "").split("?")[0]
        if os.environ.get("MISBEHAVE_LOG"):
            with open(os.environ["MISBEHAVE_LOG"], "a") as log:
                log.write("REDIRECT_STATUS=%s REQUEST_URI=%s\n" % (env.get("REDIRECT_STATUS"), env.get("REQUEST_URI")))
        if path == "/unlisten":
            serve(conn, request_id, path, env)
            listener.close()
            time.sleep(3600)
        threading.Thread(target=serve, args=(conn, request_id, path, env), daemon=True).start()


if __name__ == "__main__":
    main()
