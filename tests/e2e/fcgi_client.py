"""A FastCGI client for the load scripts: one GET per connection on a unix
socket, and what became of it. Imported by fcgi_stop_load.py and
fcgi_log_load.py."""
import socket
import struct


def record(rtype, content):
    return struct.pack(">BBHHBB", 1, rtype, 1, len(content), 0, 0) + content


def pair(name, value):
    return bytes([len(name), len(value)]) + name + value


def get_request(uri, *extra):
    """The records of a GET of uri (bytes); extra: more (name, value) pairs."""
    params = (pair(b"REQUEST_METHOD", b"GET") + pair(b"REQUEST_URI", uri)
              + pair(b"SERVER_PROTOCOL", b"HTTP/1.1") + pair(b"REMOTE_ADDR", b"127.0.0.1")
              + b"".join(pair(n, v) for n, v in extra))
    return (record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"")
            + record(5, b""))


def exchange(sock_path, request, timeout=10):
    """'answered' (a complete answer: it has an FCGI_END_REQUEST record),
    'refused' (connecting failed) or 'lost' (reset, or closed before the end)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
    except OSError:
        s.close()
        return "refused"
    try:
        s.sendall(request)
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
                return "answered"
            pos += 8 + clen + plen
        return "lost"
    except OSError:
        return "lost"
    finally:
        s.close()
