#!/usr/bin/env python3
"""Two races between the handler's thread and the deadline watchdog
(lambda/deadline.c), each held open by the test-only hooks of the
LAMBDA_TEST_HOOKS bootstrap (make test-hooks) and run ROUNDS times in one run.
Each round checks that the hook was reached, so no round passes by luck.

  finish-vs-deadline  the handler has finished (its event document is freed) and
                      the deadline passes before it is disarmed: the watchdog's 504
                      must not read the freed request (an ASan build reports a
                      heap-use-after-free if it does) and has the event's shape
                      (HEAD: no body). One process per round: the 504 ends it.
  stale-timeout       the watchdog's wait for invocation N times out and is held
                      there until N is disarmed and N+1 armed with minutes to spare:
                      N+1 must be served, not answered 504. One process, 2 x ROUNDS
                      invocations.

  lambda_deadline_races.py BOOTSTRAP [ROUNDS]

Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import os
import sys
import tempfile
import time

from lambda_faults import EVENTS, Emulator, Tally, event_file, finish_runtime, start_runtime

# The deadline of the held invocations: long enough for a loaded machine to arm it
# before it passes (a round then fails, it is not skipped), short enough for 50 rounds.
SHORT_MS = 250
SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def excerpt(out):
    """The sanitizer's report when there is one, else the end of the output."""
    at = min([out.find(s) for s in SANITIZER if s in out] or [max(0, len(out) - 1500)])
    return out[at:at + 1500]


def ping_events(tmp):
    """A REST API GET and HEAD of /ping (the path the hooks hold)."""
    common = dict(path="/ping", multiValueQueryStringParameters=None, queryStringParameters=None)
    return (event_file(tmp, "get.json", "apigw-v1-add.json", httpMethod="GET", **common),
            event_file(tmp, "head.json", "apigw-v1-add.json", httpMethod="HEAD", **common))


def finish_vs_deadline(t, bootstrap, rounds):
    failed_round = None
    with tempfile.TemporaryDirectory() as tmp:
        get, head = ping_events(tmp)
        emu = Emulator(tmp, [get, head], "--repeat", str((rounds + 1) // 2), "--deadline-ms", str(SHORT_MS),
                       "--timeout", "300")
        report = None
        try:
            for i in range(rounds):
                rt = start_runtime(bootstrap, emu.address, LAMBDA_TEST_HOLD_PATH="/ping",
                                   LAMBDA_TEST_HOLD_UNTIL="fired", LAMBDA_DEADLINE_MARGIN_MS=0,
                                   LAMBDA_NEXT_RETRIES=1)
                status, out, _ = finish_runtime(rt, timeout=30)
                ok = (status == 1 and "held until the watchdog fires" in out and "answered 504" in out and
                      not any(s in out for s in SANITIZER))
                if not ok:
                    failed_round = (i, status, out)
                    break
            if failed_round is None:
                rc, report = emu.wait()
        finally:
            emu.kill()
    if failed_round is not None:
        i, status, out = failed_round
        t.check("finish-vs-deadline: round %d of %d: held after finish, 504 from the watchdog, exit 1, "
                "no sanitizer report" % (i + 1, rounds), False, "exit %s: %s" % (status, excerpt(out)))
        return
    t.check("finish-vs-deadline: %d rounds held after finish until the watchdog fired, each exit 1" % rounds, True)
    invs = report.get("invocations", [])
    bodies = [inv["body"] if isinstance(inv["body"], dict) else {} for inv in invs]
    t.check("finish-vs-deadline: every invocation answered 504", rc == 0 and len(invs) == rounds and
            all(b.get("statusCode") == 504 for b in bodies), "emulator exit %s, %r" % (rc, bodies[:2]))
    t.check("finish-vs-deadline: GET with the body, HEAD without",
            all(b.get("body") == ('{"detail":"Request timed out"}' if i % 2 == 0 else "")
                for i, b in enumerate(bodies)), repr(bodies[:2]))


def stale_timeout(t, bootstrap, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        held, _ = ping_events(tmp)
        fast = os.path.join(EVENTS, "apigw-v2-add.json")
        emu = Emulator(tmp, [held, fast], "--repeat", str(rounds), "--deadline-ms", "%d,600000" % SHORT_MS,
                       "--timeout", "300")
        rt = report = None
        try:
            rt = start_runtime(bootstrap, emu.address, LAMBDA_TEST_HOLD_PATH="/ping",
                               LAMBDA_TEST_HOLD_UNTIL="timeout", LAMBDA_TEST_HOLD_TIMEOUT=1,
                               LAMBDA_DEADLINE_MARGIN_MS=0, LAMBDA_NEXT_RETRIES=1)
            # The emulator ends once all is answered; a runtime that ends first has failed.
            while emu.proc.poll() is None and rt.poll() is None:
                time.sleep(0.05)
            if emu.proc.poll() is not None:
                rc, report = emu.wait()
            status, out, _ = finish_runtime(rt, timeout=30)
        finally:
            emu.kill()
            if rt is not None and rt.poll() is None:
                rt.kill()
                rt.wait()
    t.check("stale-timeout: the runtime lives until the Runtime API goes", report is not None and status == 1,
            "exit %s: %s" % (status, excerpt(out)))
    t.check("stale-timeout: held after each of the %d timeouts" % rounds,
            out.count("held until the watchdog has timed out") == rounds and
            not any(s in out for s in SANITIZER), excerpt(out))
    invs = report.get("invocations", []) if report else []
    codes = [inv["body"].get("statusCode") if isinstance(inv["body"], dict) else None for inv in invs]
    t.check("stale-timeout: all %d invocations answered 200 by the handler, none 504" % (2 * rounds),
            len(codes) == 2 * rounds and all(c == 200 for c in codes) and "answered 504" not in out,
            "codes %s" % codes[:6])


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    rounds = int(sys.argv[2]) if len(sys.argv) == 3 else 50
    t = Tally("lambda-deadline-races")
    finish_vs_deadline(t, sys.argv[1], rounds)
    stale_timeout(t, sys.argv[1], rounds)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
