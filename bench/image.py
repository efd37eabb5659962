#!/usr/bin/python3
"""Start to first answer of container images, side by side (bench/image.sh runs it).

  bench/image.py [--runs N] LABEL=IMAGE...

For each image, taking turns run by run: its size (podman's count of
uncompressed bytes), and the time from `podman run` to
  ecs     the first 200 answer to GET / on $PORT (lighttpd + FastCGI, as on ECS);
  lambda  the first GET /2018-06-01/runtime/invocation/next at a Runtime API
          address on loopback (AWS_LAMBDA_RUNTIME_API), which this script listens on.
podman's own flags come from PODMAN_RUN_FLAGS (docker/podman-env). Prints
"image LABEL SIZE_BYTES ECS_MEDIAN_MS ECS_MIN_MS LAMBDA_MEDIAN_MS LAMBDA_MIN_MS RUNS".
A container that does not answer within 60 s stops the script (exit 1)."""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time

TIMEOUT_S = 60


def podman_run(name, image, env):
    """Starts a detached container; returns the podman process (not waited for)."""
    flags = os.environ.get("PODMAN_RUN_FLAGS", "").split()
    cmd = ["podman", "run", "-d", "--name", name, *flags, "--no-healthcheck"]
    for k, v in env.items():
        cmd += ["-e", "%s=%s" % (k, v)]
    return subprocess.Popen(cmd + [image], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def remove(name, proc):
    proc.wait(timeout=TIMEOUT_S)
    subprocess.run(["podman", "rm", "-f", "-t", "0", name], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ecs_start(image, name):
    """ms from podman run to the first 200 on GET /."""
    port = free_port()
    t0 = time.monotonic()
    proc = podman_run(name, image, {"PORT": port, "BIND": "127.0.0.1"})
    try:
        while time.monotonic() - t0 < TIMEOUT_S:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/")
                if c.getresponse().status == 200:
                    return (time.monotonic() - t0) * 1000
            except OSError:
                time.sleep(0.005)
        sys.exit("image.py: %s did not answer GET / within %d s: %s" % (image, TIMEOUT_S, proc.stderr.read()))
    finally:
        remove(name, proc)


def lambda_start(image, name):
    """ms from podman run to the runtime's first GET /next."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)
        srv.settimeout(TIMEOUT_S)
        t0 = time.monotonic()
        proc = podman_run(name, image, {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.getsockname()[1]})
        try:
            conn, _ = srv.accept()
            with conn:
                conn.settimeout(TIMEOUT_S)
                head = b""
                while b"\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                t1 = time.monotonic()
            if not head.startswith(b"GET /2018-06-01/runtime/invocation/next"):
                sys.exit("image.py: %s asked %r first" % (image, head[:80]))
            return (t1 - t0) * 1000
        except socket.timeout:
            sys.exit("image.py: %s did not ask for an event within %d s" % (image, TIMEOUT_S))
        finally:
            remove(name, proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("images", nargs="+", help="LABEL=IMAGE")
    args = ap.parse_args()
    images = [a.split("=", 1) for a in args.images]
    times = {label: {"ecs": [], "lambda": []} for label, _ in images}
    name = "math-service-bench-image-%d" % os.getpid()
    # One start each first, not counted: the first use of an image's layers is slower.
    for label, image in images:
        ecs_start(image, name)
        lambda_start(image, name)
    for _ in range(args.runs):
        for label, image in images:
            times[label]["ecs"].append(ecs_start(image, name))
            times[label]["lambda"].append(lambda_start(image, name))
    for label, image in images:
        size = subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}}", image],
                              capture_output=True, text=True, check=True).stdout.strip()
        e, la = times[label]["ecs"], times[label]["lambda"]
        print("image %s %s %.1f %.1f %.1f %.1f %d" % (label, size, statistics.median(e), min(e),
                                                      statistics.median(la), min(la), args.runs))


if __name__ == "__main__":
    main()
