#!/usr/bin/env python3
"""A local AWS Lambda Runtime API (2018-06-01) for tests: serves event documents
to a custom runtime (build/bootstrap) over loopback HTTP and records its answers.

Only for tests and benchmarks; Python 3 standard library only.

Usage:
  lambda_runtime_emulator.py --events FILE [FILE...] [--repeat K] [--port N]
                             [--host 127.0.0.1] [--out DIR] [--port-file F]
                             [--summary-only] [--rss-pid-file F] [--rss-every N]
                             [--next-status CODE] [--timeout SECONDS]
                             [--deadline-ms MS[,MS...]] [--next-fail N] [--stall-response I]
                             [--barrier N] [--expect-answers K] [--chunk-dir DIR]
                             [--stall-chunks K]

Then start the runtime with AWS_LAMBDA_RUNTIME_API=HOST:PORT.

Protocol (as AWS documents it):
  GET  /2018-06-01/runtime/invocation/next      the next event, with the headers
       Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
       Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id
  POST /2018-06-01/runtime/invocation/{id}/response   202 {"status":"OK"}
  POST /2018-06-01/runtime/invocation/{id}/error      202 (Lambda-Runtime-Function-Error-Type)
  POST /2018-06-01/runtime/init/error                 202, and the run ends
  An unknown request id is a 400; a second answer for one id is a 400.

Behaviour:
  - The events are served in the order given, the whole list --repeat times.
  - When every invocation is answered (or /init/error arrives) the report is
    written and the emulator exits: 0 if every invocation was answered, 1 after
    an init error, 2 on --timeout (default 120 s). A /next that arrives after the
    last event waits until the emulator exits (the connection then closes).
  - --port 0 picks a free port; the port is printed on stdout
    ("listening on HOST:PORT") and written to --port-file when given.
  - --next-status CODE answers every /next with that HTTP status and no event,
    to exercise the runtime's init-error path.
  - --deadline-ms MS: each invocation's Lambda-Runtime-Deadline-Ms is MS after
    its /next (default 300000); MS,MS,... gives invocation i the (i mod n)-th.
  - --next-fail N: the first N /next requests get a 500 and no event (a Runtime
    API hiccup the runtime must retry); their times are in "next_failures".
  - --stall-response I: the answer to invocation I (0-based) is read and recorded
    but never acknowledged: the connection is held open until the emulator exits,
    as a stalled Runtime API would (the record gets "stalled": true).
  - Concurrent invocations (Lambda Managed Instances): several /next may be
    outstanding at once, each invocation has its own request id, and an answer
    is accepted only under the id it was handed out with. --barrier N holds the
    first N invocations back until N /next requests are waiting, then hands them
    out together (N runtime loops polling at once, proven without timing;
    "barrier_met" in the report says it happened); "max_in_flight" is the
    most invocations handed out and not yet answered at one time.
  - --expect-answers K: the run ends once K invocations are answered (the others
    may be lost on purpose, e.g. to a runtime process killed mid-invocation).
  - SIGTERM: the report is written as it stands and the emulator exits 3.
  - Response streaming: a /response POST with Transfer-Encoding: chunked is read
    chunk by chunk (each chunk's arrival time in "chunk_times", trailers in
    "trailers"; a body the connection's end cut short, without its last chunk,
    makes the outcome "truncated" and "complete": false, and is never
    acknowledged); with Lambda-Runtime-Function-Response-Mode: streaming the record
    gets "streamed": true, "response_mode", "content_type", and, for the HTTP
    integration (application/vnd.awslambda.http-integration-response), the JSON
    "prelude" before the 8 NUL bytes and the bytes after them as "body" (text)
    and "body_b64". "chunk_sizes" lists each chunk's size. --chunk-dir DIR: each
    chunk is also written, as it arrives, to DIR/<request id>.<i> (i from 0;
    written whole, then renamed), so a test sees a piece arrive while the
    runtime is still held before the next one. --stall-chunks K: after K chunks
    of a chunked answer nothing more is read (a Runtime API that stalls
    mid-stream; the connection is held until the emulator exits).

Output (--out DIR, created if needed):
  DIR/report.json  {
      "started_at": epoch seconds when the emulator was ready,
      "first_next_at": epoch seconds of the first /next (null if none),
      "done": true when every invocation was answered,
      "init_error": null or {"error_type", "body"},
      "answered": count, "responses": count, "errors": count,
      "rss_kb": [[invocations_answered, VmRSS of --rss-pid-file's pid], ...],
      "connections": how many TCP connections the runtime opened,
      "handed_out": invocations handed out by /next, "max_in_flight",
      "barrier_met": see --barrier above,
      "invocations": [{"index", "event", "request_id", "trace_id", "outcome":
          "response"|"error"|"truncated"|null, "error_type", "body" (parsed JSON, or the
          raw text if not JSON), "next_at", "answered_at"}, ...]
  }
  With --summary-only, "invocations" is left out and only the counts and
  "latency_us" (median, p90, max of /next-to-answer times) are reported.
  DIR/NNNNNN.response.json / NNNNNN.error.json: each answer's body as received
  (not with --summary-only).
"""

import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:emulated"


class State:
    def __init__(self, args, events):
        self.args = args
        self.events = events  # [(path, bytes)]
        self.total = len(events) * args.repeat
        self.expected = args.expect_answers or self.total
        self.barrier_waiting = 0
        self.barrier_met = False
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Condition()
        self.next_index = 0
        self.by_id = {}
        self.records = []
        self.answered = 0
        self.responses = 0
        self.errors = 0
        self.latencies = []
        self.rss = []
        self.init_error = None
        self.clients = set()  # client (host, port) pairs: how many connections the runtime opened
        self.first_next_at = None
        self.next_failures = []  # times of the /next requests answered 500 (--next-fail)
        self.started_at = None
        self.finished = threading.Event()

    def pass_barrier(self):
        """With --barrier N, the first N /next wait here until N are waiting (lock held)."""
        if self.next_index >= self.args.barrier:
            return
        self.barrier_waiting += 1
        if self.barrier_waiting >= self.args.barrier:
            self.barrier_met = True
        self.lock.notify_all()
        while self.barrier_waiting < self.args.barrier and not self.finished.is_set():
            self.lock.wait(0.1)

    def take_next(self):
        with self.lock:
            if self.first_next_at is None:
                self.first_next_at = time.time()
            self.pass_barrier()
            if self.next_index >= self.total or self.finished.is_set():
                return None
            i = self.next_index
            self.next_index += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            path, body = self.events[i % len(self.events)]
            rid = str(uuid.uuid4())
            trace = "Root=1-%08x-%s;Parent=%s;Sampled=0" % (
                int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16])
            now = time.time()
            rec = {"index": i, "event": path, "request_id": rid, "trace_id": trace,
                   "outcome": None, "error_type": None, "body": None,
                   "next_at": now, "answered_at": None,
                   "deadline_ms": int(now * 1000) + self.args.deadline_ms[i % len(self.args.deadline_ms)]}
            self.by_id[rid] = rec
            if not self.args.summary_only:
                self.records.append(rec)
            return rec, body

    def answer(self, rid, outcome, error_type, body, stream=None):
        with self.lock:
            rec = self.by_id.pop(rid, None)
            if rec is None:
                return False
            rec["answered_at"] = time.time()
            self.in_flight -= 1
            rec["outcome"] = outcome
            rec["error_type"] = error_type
            self.latencies.append(rec["answered_at"] - rec["next_at"])
            self.answered += 1
            if outcome == "response":
                self.responses += 1
            else:
                self.errors += 1
            if not self.args.summary_only:
                rec["body"] = parse_body(body)
                if stream:
                    rec.update(stream)
                    rec.update(split_prelude(stream, body))
                if self.args.out:
                    name = "%06d.%s.json" % (rec["index"], outcome)
                    with open(os.path.join(self.args.out, name), "wb") as f:
                        f.write(body)
            if self.args.rss_pid_file and (self.answered % self.args.rss_every == 0 or
                                           self.answered == self.total):
                kb = read_rss(self.args.rss_pid_file)
                if kb is not None:
                    self.rss.append([self.answered, kb])
            if self.answered >= self.expected:
                self.finished.set()
            return True

    def report(self):
        with self.lock:
            rep = {
                "started_at": self.started_at,
                "first_next_at": self.first_next_at,
                "done": self.answered == self.expected and self.init_error is None,
                "init_error": self.init_error,
                "total": self.total,
                "answered": self.answered,
                "responses": self.responses,
                "errors": self.errors,
                "rss_kb": self.rss,
                "connections": len(self.clients),
                "handed_out": self.next_index,
                "max_in_flight": self.max_in_flight,
                "barrier_met": self.barrier_met,
                "next_failures": self.next_failures,
            }
            lat = sorted(self.latencies)
            if lat:
                rep["latency_us"] = {
                    "median": round(lat[len(lat) // 2] * 1e6, 1),
                    "p90": round(lat[int(len(lat) * 0.9)] * 1e6, 1),
                    "max": round(lat[-1] * 1e6, 1),
                }
            if not self.args.summary_only:
                rep["invocations"] = self.records
            return rep


def parse_body(body):
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def split_prelude(stream, body):
    """A streamed HTTP integration answer: the JSON prelude, 8 NUL bytes, the body."""
    if stream.get("content_type") != "application/vnd.awslambda.http-integration-response":
        return {}
    cut = body.find(b"\0" * 8)
    if cut < 0:
        return {"prelude": None, "body": None}
    raw = body[cut + 8:]
    return {"prelude": parse_body(body[:cut]), "body": raw.decode("utf-8", "replace"),
            "body_b64": base64.b64encode(raw).decode()}


def read_rss(pid_file):
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state = None  # set in main

    def log_message(self, fmt, *args):  # quiet: the report is the record
        pass

    def setup(self):
        super().setup()
        with self.state.lock:
            self.state.clients.add(self.client_address)

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def send_json(self, status, doc):
        self.send(status, json.dumps(doc).encode(), [("Content-Type", "application/json")])

    def do_GET(self):
        st = self.state
        if self.path != PREFIX + "/invocation/next":
            self.send_json(404, {"errorType": "NotFound", "errorMessage": self.path})
            return
        if st.args.next_status:
            with st.lock:
                if st.first_next_at is None:
                    st.first_next_at = time.time()
            self.send_json(st.args.next_status, {"errorType": "Emulated",
                                                 "errorMessage": "--next-status"})
            return
        with st.lock:
            fail = len(st.next_failures) < st.args.next_fail
            if fail:
                st.next_failures.append(time.time())
        if fail:
            self.send_json(500, {"errorType": "Emulated", "errorMessage": "--next-fail"})
            return
        got = st.take_next()
        if got is None:
            st.finished.wait()
            time.sleep(5)  # the emulator exits first; the runtime sees the connection close
            return
        rec, body = got
        self.send(200, body, [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", rec["request_id"]),
            ("Lambda-Runtime-Deadline-Ms", str(rec["deadline_ms"])),
            ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
            ("Lambda-Runtime-Trace-Id", rec["trace_id"]),
        ])

    def read_chunked(self, rid):
        """The chunks of a chunked body, their arrival times and sizes, the
        trailers, and whether it ended properly (the last chunk and the blank
        line after the trailers) rather than with the connection."""
        body, times, sizes, trailers = b"", [], [], {}
        chunk_dir = self.state.args.chunk_dir
        while True:
            line = self.rfile.readline()
            if not line.endswith(b"\n"):
                return body, times, sizes, trailers, False
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            if 0 <= self.state.args.stall_chunks <= len(sizes):
                self.state.finished.wait()  # a Runtime API that stops reading mid-stream
                return body, times, sizes, trailers, False
            chunk = self.rfile.read(size)
            body += chunk
            if len(chunk) < size or not self.rfile.readline().endswith(b"\n"):
                return body, times, sizes, trailers, False
            times.append(time.time())
            sizes.append(size)
            if chunk_dir and rid:
                name = os.path.join(chunk_dir, "%s.%d" % (rid, len(sizes) - 1))
                with open(name + ".tmp", "wb") as f:
                    f.write(chunk)
                os.replace(name + ".tmp", name)
        while True:
            line = self.rfile.readline()
            if line == b"":
                return body, times, sizes, trailers, False
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            trailers[name.strip()] = value.strip()
        return body, times, sizes, trailers, True

    def do_POST(self):
        st = self.state
        stream = None
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            rid = self.path[len(PREFIX):].split("/")[2] if self.path.count("/") >= 5 else None
            body, times, sizes, trailers, complete = self.read_chunked(rid)
            stream = {"chunk_times": times, "chunk_sizes": sizes, "trailers": trailers, "complete": complete,
                      "streamed": self.headers.get("Lambda-Runtime-Function-Response-Mode") == "streaming",
                      "response_mode": self.headers.get("Lambda-Runtime-Function-Response-Mode"),
                      "content_type": self.headers.get("Content-Type")}
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == PREFIX + "/init/error":
            with st.lock:
                st.init_error = {"error_type": error_type, "body": parse_body(body)}
            self.send_json(202, {"status": "OK"})
            st.finished.set()
            return
        parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX) else []
        # ["", "invocation", id, "response"|"error"]
        if len(parts) != 4 or parts[1] != "invocation" or parts[3] not in ("response", "error"):
            self.send_json(404, {"errorType": "NotFound", "errorMessage": self.path})
            return
        with st.lock:
            rec = st.by_id.get(parts[2])
            stall = rec is not None and rec["index"] == st.args.stall_response
            if stall:
                rec["stalled"] = True
        if stream is not None and not stream["complete"]:
            # The runtime's connection ended inside the body: Lambda takes that
            # for a failed invocation, never for an answer.
            st.answer(parts[2], "truncated", error_type, body, stream)
            return
        if not st.answer(parts[2], parts[3], error_type, body, stream):
            self.send_json(400, {"errorType": "InvalidRequestID",
                                 "errorMessage": "unknown or already answered request id"})
            return
        if stall:  # never acknowledged: the runtime must give up on its own
            st.finished.wait()
            time.sleep(5)
            return
        self.send_json(202, {"status": "OK"})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", nargs="+", required=True, help="event documents, served in order")
    p.add_argument("--repeat", type=int, default=1, help="serve the list this many times")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--out", help="directory for report.json and the answers")
    p.add_argument("--summary-only", action="store_true",
                   help="keep counts and timings only (long runs)")
    p.add_argument("--rss-pid-file", help="file holding the runtime's pid: sample its VmRSS")
    p.add_argument("--rss-every", type=int, default=1000, help="sample every N answers")
    p.add_argument("--next-status", type=int, default=0,
                   help="answer /next with this status (init-error tests)")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--deadline-ms", type=lambda v: [int(x) for x in v.split(",")], default=[300000],
                   help="each invocation's deadline, this long after its /next (MS,MS,...: in turn)")
    p.add_argument("--next-fail", type=int, default=0, help="answer the first N /next with a 500")
    p.add_argument("--stall-chunks", type=int, default=-1,
                   help="read K chunks of a chunked answer, then nothing more until the emulator exits")
    p.add_argument("--stall-response", type=int, default=-1,
                   help="never acknowledge the answer to invocation I (0-based)")
    p.add_argument("--barrier", type=int, default=0,
                   help="hand out the first N invocations only once N /next are waiting")
    p.add_argument("--expect-answers", type=int, default=0,
                   help="end once K invocations are answered (default: all)")
    p.add_argument("--chunk-dir", help="write each chunk of a chunked answer here as it arrives")
    args = p.parse_args()

    events = []
    for path in args.events:
        with open(path, "rb") as f:
            events.append((path, f.read()))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    state = State(args, events)
    Handler.state = state
    ThreadingHTTPServer.request_queue_size = 128  # many runtime loops connect at once
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    state.started_at = time.time()
    print("listening on %s:%d" % (args.host, port), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    stopped = []

    def on_term(signum, frame):
        stopped.append(signum)
        state.finished.set()

    signal.signal(signal.SIGTERM, on_term)
    finished = state.finished.wait(args.timeout)
    server.shutdown()
    report = state.report()
    if args.out:
        with open(os.path.join(args.out, "report.json"), "w") as f:
            json.dump(report, f, indent=1)
    if stopped:
        return 3
    if not finished:
        print("emulator: timed out after %gs with %d of %d invocations answered"
              % (args.timeout, report["answered"], report["total"]), file=sys.stderr)
        return 2
    if report["init_error"] is not None:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
