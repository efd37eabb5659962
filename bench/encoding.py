#!/usr/bin/env python3
"""make bench-encoding (part of make bench): bytes on the wire and CPU per request
for /openapi.json, the Swagger UI bundle and a dynamic JSON answer (a 422 of about
1.2 KB), identity vs each coding (docs/compression-cors.md, docs/benchmarks.md).

  bench/encoding.py BUILD

Columns:
  bytes         Content-Length of the answer (what goes on the wire, headers aside)
  lambda bytes  the whole ALB answer document of build/bootstrap --event (base64 for
                a compressed body): the ALB's limit for it is 1 MB
  cgi cpu ms    user+system CPU per request of app.cgi (one process per request: a
                fixed document is compressed in every process)
  warm cpu us   user+system CPU per request of one app.fcgi worker after its first
                request (fixed documents compressed once, then served from memory)
"""
import json
import os
import resource
import socket
import struct
import subprocess
import sys
import tempfile
import time

DYNAMIC = "/math/add?" + "&".join("i=x%d" % i for i in range(8))
PATHS = ["/openapi.json", "/docs/swagger-ui-bundle.js", DYNAMIC]
CODINGS = ["identity", "br", "zstd", "gzip"]
ALB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "events", "alb-multi-value-add.json")


def cgi_env(path, coding):
    env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
           "REQUEST_URI": path, "LOG_LEVEL": "error"}
    if coding != "identity":
        env["HTTP_ACCEPT_ENCODING"] = coding
    return env


def cgi(build, path, coding, runs):
    """(Content-Length, CPU ms per request) of app.cgi."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        out = subprocess.run([os.path.join(build, "app.cgi")], env=cgi_env(path, coding), capture_output=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    head = out.partition(b"\r\n\r\n")[0].decode()
    length = int([l for l in head.split("\r\n") if l.lower().startswith("content-length:")][0].split(":")[1])
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / runs * 1000
    return length, cpu


def lambda_bytes(build, path, coding):
    """The whole answer document for an ALB event (multi-value: repeated query keys kept)."""
    with open(ALB) as f:
        doc = json.load(f)
    p, _, q = path.partition("?")
    doc["path"] = p
    query = {}
    for kv in q.split("&") if q else []:
        k, _, v = kv.partition("=")
        query.setdefault(k, []).append(v)
    doc["multiValueQueryStringParameters"] = query
    doc["multiValueHeaders"]["accept-encoding"] = [] if coding == "identity" else [coding]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    out = subprocess.run([os.path.join(build, "bootstrap"), "--event", f.name], capture_output=True,
                         env={"LOG_LEVEL": "error"}).stdout
    os.unlink(f.name)
    return len(out)


def record(rtype, content, rid=1):
    return struct.pack(">BBHHBx", 1, rtype, rid, len(content), 0) + content


def pair(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + (bytes([len(v)]) if len(v) < 128 else struct.pack(">I", len(v) | 0x80000000)) + n + v


def fcgi_get(sock_path, env):
    params = b"".join(pair(k, v) for k, v in env.items())
    msg = record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"") + record(5, b"")
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    s.sendall(msg)
    while s.recv(1 << 20):
        pass
    s.close()


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def warm(build, path, coding, seconds=2.0):
    """CPU microseconds per request of one FastCGI worker, after a first request."""
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "s")
        mgr = subprocess.Popen([os.path.join(build, "app.fcgi"), "--listen", sock, "--workers", "1"],
                               env={"LOG_LEVEL": "error"}, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            env = cgi_env(path, coding)
            fcgi_get(sock, env)  # the first request compresses a fixed document
            with open("/proc/%d/task/%d/children" % (mgr.pid, mgr.pid)) as f:
                worker = int(f.read().split()[0])
            t0, n = cpu_ticks(worker), 0
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                fcgi_get(sock, env)
                n += 1
            ticks = cpu_ticks(worker) - t0
        finally:
            mgr.terminate()
            mgr.wait()
    return ticks / os.sysconf("SC_CLK_TCK") / n * 1e6, n


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    print("%-28s %-8s %9s %12s %10s %11s" % ("path", "coding", "bytes", "lambda bytes", "cgi cpu ms", "warm cpu us"))
    for path in PATHS:
        for coding in CODINGS:
            runs = 10 if "bundle" in path else 50
            length, cgi_ms = cgi(build, path, coding, runs)
            lam = lambda_bytes(build, path, coding)
            warm_us, _ = warm(build, path, coding)
            shown = path if len(path) <= 28 else path[:25] + "..."
            print("%-28s %-8s %9d %12d %10.2f %11.0f" % (shown, coding, length, lam, cgi_ms, warm_us), flush=True)


if __name__ == "__main__":
    main()
