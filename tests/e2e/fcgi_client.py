"""A FastCGI client for the load scripts: one GET per connection on a unix
socket or TCP ("HOST:PORT", "[V6]:PORT"), and what became of it. Imported by
fcgi_stop_load.py, fcgi_log_load.py and fcgi_hostile.py."""
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


def connect(address, timeout=10):
    """A connected socket to address (a path if it has a '/', else HOST:PORT);
    OSError if connecting fails or takes longer than timeout."""
    if "/" in address:
        s = socket.socket(socket.AF_UNIX)
        target = address
    else:
        host, _, port = address.rpartition(":")
        host = host.strip("[]")
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        target = (host, int(port))
    s.settimeout(timeout)
    try:
        s.connect(target)
    except OSError:
        s.close()
        raise
    return s


def has_end(data):
    """Whether data (what a responder sent) holds an FCGI_END_REQUEST record."""
    pos = 0
    while pos + 8 <= len(data):
        _, rtype, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
        if rtype == 3:
            return True
        pos += 8 + clen + plen
    return False


def exchange(address, request, timeout=10, connect_timeout=None):
    """'answered' (a complete answer: it has an FCGI_END_REQUEST record),
    'refused' (connecting failed, or took longer than connect_timeout) or
    'lost' (reset, or closed before the end)."""
    try:
        s = connect(address, timeout if connect_timeout is None else connect_timeout)
    except OSError:
        return "refused"
    s.settimeout(timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return "answered" if has_end(data) else "lost"
    except OSError:
        return "lost"
    finally:
        s.close()
