#!/usr/bin/env python3
"""Lambda bootstrap benchmark: what the runtime adds per invocation, and how soon
it is ready after the process starts. All figures are measured in this run, side
by side, on this machine (they are not comparable across machines).

  bench/lambda.py [--bootstrap build/bootstrap] [--invocations N] [--starts N] [--json]

Measures:
  adapter_us[kind]   per invocation inside one process, for each event type: parse
                     the event JSON, build the request, answer it, shape the
                     response JSON (`bootstrap --event FILE --repeat N`)
  roundtrip_us       median time from the emulator handing out an event (/next) to
                     receiving its response, over N invocations through one
                     bootstrap process (tests/lambda_runtime_emulator.py, loopback)
  invocations_per_s  the same run's throughput, emulator included
  start_to_next_ms   median time from spawning bootstrap to its first /next request
  exec_baseline_ms   median time to spawn and reap /bin/true: the floor of any
                     process start here, for comparison with the line above
  floor_start_to_next_ms  (--floor PATH) the same as start_to_next_ms for a bare
                     Runtime API loop in C (bench/lambda_floor.c): the floor of
                     any runtime's start
--json prints one JSON object instead of the table.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EVENTS = os.path.join(ROOT, "tests", "events")
EMULATOR = os.path.join(ROOT, "tests", "lambda_runtime_emulator.py")
KINDS = {
    "apigw-v1": "apigw-v1-add.json",
    "apigw-v2": "apigw-v2-add.json",
    "function-url": "function-url-add.json",
    "alb": "alb-add.json",
    "alb-multi-value": "alb-multi-value-add.json",
}


def env():
    e = dict(os.environ)
    e.pop("AWS_LAMBDA_RUNTIME_API", None)
    return e


def adapter_us(bootstrap, event, n):
    p = subprocess.run([bootstrap, "--event", event, "--repeat", str(n)], env=env(), capture_output=True,
                       timeout=300, check=True)
    m = re.search(rb"([0-9.]+) us each", p.stderr)
    return float(m.group(1))


def start_emulator(tmp, events, repeat=1, extra=()):
    port_file = os.path.join(tmp, "port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    out = os.path.join(tmp, "out")
    emu = subprocess.Popen([sys.executable, EMULATOR, "--port-file", port_file, "--out", out, "--summary-only",
                            "--timeout", "240", "--repeat", str(repeat), "--events"] + events + list(extra),
                           stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while not os.path.exists(port_file):
        if time.time() > deadline or emu.poll() is not None:
            emu.kill()
            raise RuntimeError("emulator did not start")
        time.sleep(0.01)
    with open(port_file) as f:
        return emu, f.read().strip(), os.path.join(out, "report.json")


def run_runtime(bootstrap, port, emu):
    e = env()
    e["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + port
    started = time.time()
    rt = subprocess.Popen([bootstrap], env=e, stderr=subprocess.DEVNULL)
    try:
        emu.wait(timeout=250)
        rt.wait(timeout=30)
    finally:
        for p in (emu, rt):
            if p.poll() is None:
                p.kill()
                p.wait()
    return started


def roundtrip(bootstrap, n):
    """(median /next-to-answer us, invocations answered, invocations per second)."""
    with tempfile.TemporaryDirectory() as tmp:
        events = [os.path.join(EVENTS, f) for f in KINDS.values()]
        emu, port, report_path = start_emulator(tmp, events, repeat=max(1, n // len(events)))
        t0 = time.time()
        run_runtime(bootstrap, port, emu)
        span = time.time() - t0
        with open(report_path) as f:
            r = json.load(f)
    if not r["done"]:
        raise RuntimeError("the runtime did not answer every invocation")
    return r["latency_us"]["median"], r["answered"], r["answered"] / span


def start_to_next(bootstrap, runs):
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        event = os.path.join(EVENTS, KINDS["apigw-v2"])
        for _ in range(runs):
            emu, port, report_path = start_emulator(tmp, [event])
            started = run_runtime(bootstrap, port, emu)
            with open(report_path) as f:
                r = json.load(f)
            samples.append((r["first_next_at"] - started) * 1000)
    return statistics.median(samples)


def exec_baseline(runs):
    samples = []
    for _ in range(runs):
        t0 = time.time()
        subprocess.run(["/bin/true"])
        samples.append((time.time() - t0) * 1000)
    return statistics.median(samples)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap", default=os.path.join(ROOT, "build", "bootstrap"))
    p.add_argument("--invocations", type=int, default=5000)
    p.add_argument("--starts", type=int, default=15)
    p.add_argument("--json", action="store_true")
    p.add_argument("--floor", help="a bare Runtime API loop to time beside the bootstrap (bench/lambda_floor.c)")
    args = p.parse_args()

    result = {"adapter_us": {kind: adapter_us(args.bootstrap, os.path.join(EVENTS, f), args.invocations * 4)
                             for kind, f in KINDS.items()}}
    median_rt, answered, rate = roundtrip(args.bootstrap, args.invocations)
    result["roundtrip_us"] = median_rt
    result["invocations"] = answered
    result["invocations_per_s"] = round(rate, 1)
    result["start_to_next_ms"] = round(start_to_next(args.bootstrap, args.starts), 2)
    result["exec_baseline_ms"] = round(exec_baseline(args.starts), 2)
    if args.floor:
        result["floor_start_to_next_ms"] = round(start_to_next(args.floor, args.starts), 2)

    if args.json:
        print(json.dumps(result))
        return 0
    print("Lambda bootstrap (%s)" % args.bootstrap)
    for kind, us in result["adapter_us"].items():
        print("  adapter + app, in process, %-16s %8.2f us/invocation" % (kind, us))
    print("  /next -> /response through the emulator   %8.1f us median (%d invocations)"
          % (result["roundtrip_us"], result["invocations"]))
    print("  throughput with the emulator              %8.1f invocations/s" % result["invocations_per_s"])
    print("  process start -> first /next              %8.2f ms median of %d" % (result["start_to_next_ms"], args.starts))
    print("  process start -> exit of /bin/true        %8.2f ms median (baseline)" % result["exec_baseline_ms"])
    if args.floor:
        print("  bare C loop: process start -> first /next %8.2f ms median (floor)" % result["floor_start_to_next_ms"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
