#!/usr/bin/env python3
"""A body made in pieces on Lambda (app/http/stream.h, lambda/pieces.c), through
tests/lambda_runtime_emulator.py with LAMBDA_INVOKE_MODE=RESPONSE_STREAM: the
test-only route GET /__test/stream of the test-hooks bootstrap waits for a file
this test creates before each piece, and the emulator writes each chunk to a
file as it arrives (--chunk-dir), so "the first piece reached the Runtime API
before the last was written" is seen, not timed. Also: each piece its own
chunk after the prelude and its 8 NUL bytes, no Content-Length in the prelude;
an error after the first byte ends the stream with the Runtime API's trailers
(Lambda-Runtime-Function-Error-Type, base64 Lambda-Runtime-Function-Error-Body);
an error before it is a whole 500; pieces of 0 bytes; 1 MiB pieces; the same
route BUFFERED gives one body; the Runtime API gone mid-stream ends the
bootstrap (no hang).

Usage: lambda_pieces.py BOOTSTRAP (the test-hooks build); LAMBDA_WRAPPER prefixes it (valgrind)."""
import base64
import copy
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "..", "lambda_runtime_emulator.py")
EVENT = os.path.join(HERE, "..", "events", "function-url-add.json")
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL lambda-pieces: %s %s" % (what, detail), file=sys.stderr)


def wait_for(pred, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def event(tmp, name, query):
    with open(EVENT) as f:
        ev = json.load(f)
    ev = copy.deepcopy(ev)
    ev["rawPath"] = ev["requestContext"]["http"]["path"] = "/__test/stream"
    ev["rawQueryString"] = query
    ev["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&") if p)
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(ev, f)
    return path


class Run:
    """One emulator serving one event, one bootstrap answering it."""

    def __init__(self, bootstrap, tmp, name, query, streaming=True, emu_args=(), env_extra=None):
        self.out = os.path.join(tmp, name)
        self.chunks = os.path.join(tmp, name + ".chunks")
        os.makedirs(self.chunks)
        port_file = os.path.join(tmp, name + ".port")
        self.emu = subprocess.Popen([sys.executable, EMULATOR, "--port-file", port_file, "--out", self.out,
                                     "--chunk-dir", self.chunks, "--timeout", "60",
                                     "--events", event(tmp, name, query)] + list(emu_args),
                                    stdout=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(port_file) or self.emu.poll() is not None, 10)
        with open(port_file) as f:
            port = f.read().strip()
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:" + port)
        env.pop("EXECUTION_ENVIRONMENT", None)
        env.update(env_extra or {})
        if streaming:
            env["LAMBDA_INVOKE_MODE"] = "RESPONSE_STREAM"
        self.log = open(os.path.join(tmp, name + ".log"), "w+")
        wrapper = shlex.split(os.environ.get("LAMBDA_WRAPPER", ""))  # valgrind, as lambda_cases.py
        self.rt = subprocess.Popen(wrapper + [bootstrap], env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def chunk(self, i):
        """Chunk i of the answer as it arrived, or None."""
        names = glob.glob(os.path.join(self.chunks, "*.%d" % i))
        if not names:
            return None
        with open(names[0], "rb") as f:
            return f.read()

    def finish(self):
        """The emulator's record of the invocation and the bootstrap's output."""
        try:
            self.emu.wait(timeout=60)
        finally:
            for p in (self.emu, self.rt):
                if p.poll() is None:
                    p.kill()
                p.wait()
        self.log.seek(0)
        with open(os.path.join(self.out, "report.json")) as f:
            invs = json.load(f).get("invocations") or [{}]
        return invs[0], self.log.read()


def touch(path):
    open(path, "w").close()


def held(bootstrap, tmp):
    d = os.path.join(tmp, "held.dir")
    os.makedirs(d)
    run = Run(bootstrap, tmp, "held", "dir=%s&pieces=3" % d)
    # Chunk 0 is the prelude, 1 its 8 NUL bytes, 2 the first piece.
    check("the first piece reached the Runtime API", wait_for(lambda: run.chunk(2) == b"piece 0\n"))
    check("... while the producer was held before the second",
          not os.path.exists(os.path.join(d, "wrote1")) and run.chunk(3) is None)
    touch(os.path.join(d, "go1"))
    check("the second piece alone", wait_for(lambda: run.chunk(3) == b"piece 1\n") and
          not os.path.exists(os.path.join(d, "wrote2")))
    touch(os.path.join(d, "go2"))
    rec, log = run.finish()
    prelude = rec.get("prelude") or {}
    headers = {k.lower(): v for k, v in (prelude.get("headers") or {}).items()}
    check("streamed, each piece its own chunk", rec.get("streamed") and rec.get("chunk_sizes", [])[1:] == [8, 8, 8, 8],
          repr(rec.get("chunk_sizes")))
    check("the body", rec.get("body") == "piece 0\npiece 1\npiece 2\n", repr(rec.get("body")))
    check("the prelude: 200, the request id, no Content-Length",
          prelude.get("statusCode") == 200 and "x-request-id" in headers and "content-length" not in headers,
          repr(prelude))
    check("no trailers", not rec.get("trailers"), repr(rec.get("trailers")))
    check("one access line with the bytes sent", log.count('"path":"/__test/stream"') == 1 and '"bytes":24' in log, log)


def cut(bootstrap, tmp):
    d = os.path.join(tmp, "cut.dir")
    os.makedirs(d)
    run = Run(bootstrap, tmp, "cut", "dir=%s&pieces=3&fail=after" % d)
    check("cut: the first piece", wait_for(lambda: run.chunk(2) == b"piece 0\n"))
    touch(os.path.join(d, "go1"))
    rec, log = run.finish()
    trailers = rec.get("trailers") or {}
    body = {}
    try:
        body = json.loads(base64.b64decode(trailers.get("Lambda-Runtime-Function-Error-Body", "")))
    except ValueError:
        pass
    check("cut: the error trailers", trailers.get("Lambda-Runtime-Function-Error-Type") == "Test.Failure" and
          body.get("errorType") == "Test.Failure" and body.get("errorMessage") == "failed after the first piece",
          repr(trailers))
    check("cut: only the first piece", rec.get("body") == "piece 0\n", repr(rec.get("body")))
    check("cut: said in the log", "streamed answer cut after 8 bytes: Test.Failure" in log, log)


def hostile(bootstrap, tmp):
    rec, _ = Run(bootstrap, tmp, "before", "fail=before").finish()
    prelude = rec.get("prelude") or {}
    check("a failure before the first byte: a whole 500 with the request id",
          prelude.get("statusCode") == 500 and '"request_id":"' in (rec.get("body") or "") and
          not rec.get("trailers"), repr(rec))
    rec, _ = Run(bootstrap, tmp, "big", "pieces=2&size=1048576&empty=1").finish()
    check("pieces of 0 bytes send nothing; 1 MiB pieces are one chunk each",
          rec.get("chunk_sizes", [])[1:] == [8, 1048576, 1048576] and
          rec.get("body") == "a" * 1048576 + "b" * 1048576, repr(rec.get("chunk_sizes")))
    rec, _ = Run(bootstrap, tmp, "buffered", "pieces=3", streaming=False).finish()
    doc = rec.get("body") if isinstance(rec.get("body"), dict) else {}
    check("BUFFERED: one body, with its Content-Length",
          not rec.get("streamed") and doc.get("body") == "piece 0\npiece 1\npiece 2\n" and
          {k.lower(): v for k, v in doc.get("headers", {}).items()}.get("content-length") == "24", repr(rec))
    # The Runtime API goes away mid-stream: the bootstrap must end, not hang.
    d = os.path.join(tmp, "gone.dir")
    os.makedirs(d)
    run = Run(bootstrap, tmp, "gone", "dir=%s&pieces=3" % d)
    check("gone: the first piece", wait_for(lambda: run.chunk(2) == b"piece 0\n"))
    run.emu.kill()
    run.emu.wait()
    touch(os.path.join(d, "go1"))
    touch(os.path.join(d, "go2"))
    check("gone: the bootstrap ends", wait_for(lambda: run.rt.poll() is not None, 30))
    run.rt.kill() if run.rt.poll() is None else None
    run.rt.wait()


def killed(bootstrap, tmp):
    """SIGTERM (and SIGKILL) to the bootstrap while the producer is held after
    the first piece: the POST ends without its last chunk, which the Runtime
    API takes for a failed invocation, never for a complete answer."""
    for sig in ("TERM", "KILL"):
        d = os.path.join(tmp, "killed-%s.dir" % sig)
        os.makedirs(d)
        run = Run(bootstrap, tmp, "killed-" + sig, "dir=%s&pieces=3" % d)
        check("killed %s: the first piece" % sig, wait_for(lambda: run.chunk(2) == b"piece 0\n"))
        run.rt.send_signal(getattr(__import__("signal"), "SIG" + sig))
        run.rt.wait()
        rec, _ = run.finish()
        check("killed %s: the stream is not taken for complete" % sig,
              rec.get("outcome") == "truncated" and rec.get("complete") is False and
              rec.get("body") == "piece 0\n", repr({k: rec.get(k) for k in ("outcome", "complete", "body")}))


def stalled(bootstrap, tmp):
    """A Runtime API that stops reading after the prelude and its 8 NUL bytes,
    while the bootstrap sends a 16 MiB piece (more than the sockets hold): the
    write gives up after LAMBDA_POST_TIMEOUT_MS, says so, and the bootstrap
    asks for the next invocation instead of hanging in the write."""
    run = Run(bootstrap, tmp, "stalled", "pieces=2&size=16777216", emu_args=["--stall-chunks", "2"],
              env_extra={"LAMBDA_POST_TIMEOUT_MS": "1000"})
    def said():
        run.log.seek(0)
        return "LAMBDA_POST_TIMEOUT_MS" in run.log.read()
    check("stalled: the write gives up and says so", wait_for(said, 30))
    check("stalled: the bootstrap goes on (waits for the next invocation)", run.rt.poll() is None)
    run.log.seek(0)
    log = run.log.read()
    check("stalled: no access line claims the 32 MiB went out", '"bytes":33554432' not in log, log[-600:])
    run.emu.terminate()
    run.emu.wait()
    run.rt.kill()
    run.rt.wait()


def main():
    bootstrap = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        held(bootstrap, tmp)
        cut(bootstrap, tmp)
        hostile(bootstrap, tmp)
        killed(bootstrap, tmp)
        stalled(bootstrap, tmp)
    print("lambda-pieces: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
