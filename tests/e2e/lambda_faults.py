#!/usr/bin/env python3
"""The bootstrap against a misbehaving Lambda Runtime API, and against its own
deadline, with tests/lambda_runtime_emulator.py on a free loopback port.
LAMBDA_WRAPPER (e.g. "valgrind -q ...") prefixes the bootstrap command.

  lambda_faults.py faults BOOTSTRAP      /next answering 500, a stalled /response,
                                         a Runtime API that goes away
  lambda_faults.py deadline BOOTSTRAP RELEASE_BOOTSTRAP
                                         a handler still running near its deadline
                                         (BOOTSTRAP built with LAMBDA_TEST_HOOKS) is
                                         answered 504 and the process ends; the next
                                         invocation is served by a new process;
                                         RELEASE_BOOTSTRAP has no such hook

Every process is bounded in time and killed on the way out. Prints "FAIL ..."
lines and a summary; exit 1 on any failure.
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")
EMULATOR = os.path.join(HERE, "..", "lambda_runtime_emulator.py")


class Tally:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s%s" % (self.name, what, ": " + detail if detail else ""), file=sys.stderr)

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def event_file(tmp, name, template, **changes):
    """A copy of tests/events/TEMPLATE with top-level members changed."""
    with open(os.path.join(EVENTS, template)) as f:
        ev = json.load(f)
    ev.update(changes)
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(ev, f)
    return path


class Emulator:
    def __init__(self, tmp, events, *options):
        self.out = os.path.join(tmp, "out")
        port_file = os.path.join(tmp, "port")
        self.proc = subprocess.Popen([sys.executable, EMULATOR, "--port-file", port_file, "--out", self.out,
                                      "--timeout", "40"] + list(options) + ["--events"] + events,
                                     stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(port_file) and self.proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        with open(port_file) as f:
            self.address = "127.0.0.1:" + f.read().strip()

    def wait(self):
        rc = self.proc.wait(timeout=50)
        with open(os.path.join(self.out, "report.json")) as f:
            return rc, json.load(f)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def start_runtime(bootstrap, address, **env_extra):
    env = dict(os.environ)
    env.pop("EXECUTION_ENVIRONMENT", None)
    env["AWS_LAMBDA_RUNTIME_API"] = address
    env.update({k: str(v) for k, v in env_extra.items()})
    # The runtime logs to stdout (one JSON or text line per event, as Lambda collects it)
    # and says what it is doing on stderr: the checks read both, in order.
    return subprocess.Popen(shlex.split(os.environ.get("LAMBDA_WRAPPER", "")) + [bootstrap], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish_runtime(proc, timeout=20):
    """(exit status, stdout and stderr text, seconds waited); the process is killed if it overstays."""
    start = time.time()
    try:
        err, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        err, _ = proc.communicate()
        return None, err.decode(errors="replace"), time.time() - start
    return proc.returncode, err.decode(errors="replace"), time.time() - start


def next_500_backoff_doubles(t, bootstrap):
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator(tmp, [os.path.join(EVENTS, "apigw-v2-add.json")], "--next-fail", "3")
        rt = None
        try:
            rt = start_runtime(bootstrap, emu.address)
            rc, report = emu.wait()
            status, err, _ = finish_runtime(rt)
        finally:
            emu.kill()
            if rt is not None and rt.poll() is None:
                rt.kill()
    fails = report["next_failures"]
    ok = rc == 0 and report["responses"] == 1 and len(fails) == 3 and report["invocations"]
    t.check("three 500s in a row: served on the fourth try", ok, "exit %s, %r" % (rc, fails))
    t.check("three 500s in a row: the runtime ends only when the Runtime API goes", status == 1,
            "exit %s: %s" % (status, err[-400:]))
    if ok:
        gaps = [fails[1] - fails[0], fails[2] - fails[1], report["invocations"][0]["next_at"] - fails[2]]
        t.check("three 500s in a row: backoff 50, 100, 200 ms",
                gaps[0] >= 0.045 and gaps[1] >= 0.095 and gaps[2] >= 0.195 and gaps[2] < 2,
                "gaps %s" % ["%.3f" % g for g in gaps])
        t.check("three 500s in a row: retries logged",
                all(("retry %d of 5" % i) in err for i in (1, 2, 3)), err[-400:])


def stalled_response_times_out(t, bootstrap):
    with tempfile.TemporaryDirectory() as tmp:
        events = [os.path.join(EVENTS, "apigw-v2-add.json"), os.path.join(EVENTS, "apigw-v1-add.json")]
        emu = Emulator(tmp, events, "--stall-response", "0")
        rt = None
        try:
            rt = start_runtime(bootstrap, emu.address, LAMBDA_POST_TIMEOUT_MS=300, LAMBDA_NEXT_RETRIES=1)
            rc, report = emu.wait()
            status, err, _ = finish_runtime(rt)
        finally:
            emu.kill()
            if rt is not None and rt.poll() is None:
                rt.kill()
    invs = report.get("invocations", [])
    t.check("stalled /response: the runtime ends only when the Runtime API goes", status == 1,
            "exit %s: %s" % (status, err[-400:]))
    t.check("stalled /response: the next invocation is still served",
            rc == 0 and len(invs) == 2 and invs[1]["outcome"] == "response", "exit %s" % rc)
    if len(invs) == 2:
        rid = invs[0]["request_id"]
        t.check("stalled /response: the timeout is logged with the invocation",
                ('"request_id":"%s"' % rid) in err and "no answer within LAMBDA_POST_TIMEOUT_MS=300" in err,
                err[-500:])
        gap = invs[1]["next_at"] - invs[0]["answered_at"]
        t.check("stalled /response: given up after about 300 ms", 0.28 <= gap < 5, "%.3f s" % gap)


def dropped_connection_ends_the_process(t, bootstrap):
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator(tmp, [os.path.join(EVENTS, "apigw-v2-add.json")])
        rt = None
        try:
            rt = start_runtime(bootstrap, emu.address, LAMBDA_NEXT_RETRIES=2)
            rc, report = emu.wait()  # exits once the one event is answered: /next is dropped
            status, err, waited = finish_runtime(rt)
        finally:
            emu.kill()
            if rt is not None and rt.poll() is None:
                rt.kill()
    t.check("dropped connection: the runtime exits 1", status == 1, "exit %s: %s" % (status, err[-400:]))
    t.check("dropped connection: a clear last message",
            ("cannot get the next invocation from the Lambda Runtime API at %s (after 1 invocations)" % emu.address)
            in err and "(gave up after 3 attempts)" in err, err[-500:])
    t.check("dropped connection: the retries are logged", "retry 1 of 2" in err and "retry 2 of 2" in err,
            err[-500:])
    t.check("dropped connection: ends within seconds", waited < 10, "%.1f s" % waited)


def run_faults(bootstrap):
    t = Tally("lambda-faults")
    next_500_backoff_doubles(t, bootstrap)
    stalled_response_times_out(t, bootstrap)
    dropped_connection_ends_the_process(t, bootstrap)
    return t.finish()


def run_deadline(bootstrap, release):
    t = Tally("lambda-deadline")
    with open(release, "rb") as f:
        release_bytes = f.read()
    t.check("the release bootstrap has no test hook",
            b"LAMBDA_TEST_SLOW" not in release_bytes and b"LAMBDA_TEST_HOLD" not in release_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        # Three invocations, each with a deadline 300 ms after its /next; /ping is slow (2 s).
        slow_rest = event_file(tmp, "rest.json", "apigw-v1-add.json", path="/ping",
                               multiValueQueryStringParameters=None, queryStringParameters=None)
        slow_alb = event_file(tmp, "alb.json", "alb-add.json", path="/ping", queryStringParameters={})
        fast = os.path.join(EVENTS, "apigw-v2-add.json")
        emu = Emulator(tmp, [slow_rest, slow_alb, fast], "--deadline-ms", "300")
        procs, runs = [], []
        try:
            for _ in range(3):
                rt = start_runtime(bootstrap, emu.address, LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=2000,
                                   LAMBDA_NEXT_RETRIES=1)
                procs.append(rt)
                runs.append((rt.pid,) + finish_runtime(rt))
            rc, report = emu.wait()
        finally:
            emu.kill()
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    invs = report.get("invocations", [])
    t.check("every invocation answered", rc == 0 and len(invs) == 3, "emulator exit %s" % rc)
    if len(invs) != 3:
        return t.finish()
    for i, shape in ((0, "REST"), (1, "ALB")):
        rec, (pid, status, err, waited) = invs[i], runs[i]
        body = rec["body"] if isinstance(rec["body"], dict) else {}
        t.check("%s: 504 in the event's shape" % shape,
                body.get("statusCode") == 504 and body.get("body") == '{"detail":"Request timed out"}' and
                (("statusDescription" in body) == (shape == "ALB")) and
                (("multiValueHeaders" in body) == (shape == "REST")), repr(body))
        t.check("%s: answered before the deadline" % shape,
                rec["answered_at"] * 1000 < rec["deadline_ms"],
                "%.0f ms late" % (rec["answered_at"] * 1000 - rec["deadline_ms"]))
        t.check("%s: answered about 200 ms before the deadline, not after the 2 s handler" % shape,
                rec["answered_at"] - rec["next_at"] < 0.25, "%.3f s" % (rec["answered_at"] - rec["next_at"]))
        t.check("%s: the process logs it and exits 1" % shape,
                status == 1 and ('"request_id":"%s"' % rec["request_id"]) in err and "still running" in err and
                "answered 504" in err,
                "exit %s: %s" % (status, err[-400:]))
        t.check("%s: the process ends at once, not after the handler" % shape, waited < 1.5, "%.2f s" % waited)
    fast_rec = invs[2]
    t.check("the next invocation is served, by a new process",
            isinstance(fast_rec["body"], dict) and fast_rec["body"].get("statusCode") == 200 and
            len({r[0] for r in runs}) == 3 and runs[1][1] == 1, repr(fast_rec["body"]))
    deadline_streamed(t, bootstrap)
    return t.finish()


def deadline_streamed(t, bootstrap):
    """LAMBDA_INVOKE_MODE=RESPONSE_STREAM: the late handler's 504 goes streamed too."""
    with tempfile.TemporaryDirectory() as tmp:
        slow = event_file(tmp, "url.json", "function-url-add.json", rawPath="/ping")
        emu = Emulator(tmp, [slow], "--deadline-ms", "300")
        rt = None
        try:
            rt = start_runtime(bootstrap, emu.address, LAMBDA_TEST_SLOW_PATH="/ping", LAMBDA_TEST_SLOW_MS=2000,
                               LAMBDA_NEXT_RETRIES=1, LAMBDA_INVOKE_MODE="RESPONSE_STREAM")
            status, err, _ = finish_runtime(rt)
            rc, report = emu.wait()
        finally:
            emu.kill()
            if rt is not None and rt.poll() is None:
                rt.kill()
    invs = report.get("invocations", [])
    rec = invs[0] if invs else {}
    t.check("streamed: the 504 goes in streaming mode, prelude then body",
            rc == 0 and status == 1 and rec.get("streamed") is True and
            isinstance(rec.get("prelude"), dict) and rec["prelude"].get("statusCode") == 504 and
            rec.get("body") == '{"detail":"Request timed out"}' and
            rec["answered_at"] * 1000 < rec["deadline_ms"],
            "emulator %s, runtime %s, %r: %s" % (rc, status, {k: rec.get(k) for k in ("streamed", "prelude", "body")},
                                                 err[-300:]))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "faults":
        return run_faults(sys.argv[2])
    if len(sys.argv) >= 4 and sys.argv[1] == "deadline":
        return run_deadline(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
