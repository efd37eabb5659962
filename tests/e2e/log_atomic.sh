#!/bin/sh
# Access lines stay whole under concurrency (issue 27 item 3): a real lighttpd
# (lighttpd.conf) with 4 FastCGI workers sharing one stderr, a pipe, as in a
# container; 8 clients send 320 requests at once, each as long as lighttpd
# takes (a 30 000-byte User-Agent of 0xFF bytes, which the log escapes to six
# bytes each, a 1 500-byte query, a long path), half of them answered 404, half
# 200. Every line read from the pipe must parse as JSON, be at most PIPE_BUF
# bytes, name a request sent, and there must be exactly one per request: no
# line cut or interleaved with another. On the old code (unbounded lines, one
# write of 190 KB each) lines broke apart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
e2e_start log-atomic

build=$(cd "$BUILD" && pwd)
mkfifo "$E2E_TMP/pipe"
cat "$E2E_TMP/pipe" >"$E2E_TMP/log" &
reader=$!
port=$(free_port)
e2e_bg env PORT="$port" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=4 SOCKET_DIR="$E2E_TMP" \
	lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/pipe"
lighty=$!
wait_ok "http://127.0.0.1:$port/ping" 20 || { e2e_finish; exit 1; }

if python3 - "$port" 8 40 >"$E2E_TMP/sent" <<'PY'; then e2e_pass; else e2e_fail "the clients (above)"; fi
import http.client, sys, threading
port, clients, each = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
agent = b"\xff" * 30000
lock = threading.Lock()
failures = []

def client(c):
    for i in range(each):
        path = "/items/%d" % (c * 1000 + i) if i % 2 else "/nope/%d/%s" % (c * 1000 + i, "p" * 600)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.putrequest("GET", path + "?q=" + "x" * 1500, skip_accept_encoding=True)
            conn.putheader("User-Agent", agent)
            conn.endheaders()
            status = conn.getresponse().status
        except OSError as e:
            status = str(e)
        finally:
            conn.close()
        with lock:
            print(c * 1000 + i, status)
            if status not in (200, 404):
                failures.append((path, status))

threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for f in failures[:5]:
    print("FAIL log-atomic: request %s answered %s" % f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY

# Stop lighttpd (its workers write their last lines as they exit), then read the pipe to its end.
kill -INT "$lighty"
wait "$lighty" 2>/dev/null
wait "$reader"
if python3 - "$E2E_TMP/log" "$E2E_TMP/sent" <<'PY'; then e2e_pass; else e2e_fail "log lines broken (above)"; fi
import json, sys
sent = {}
for l in open(sys.argv[2]):
    n, status = l.split()
    sent[int(n)] = int(status)
seen, problems, count = {}, [], 0
with open(sys.argv[1], "rb") as f:
    for raw in f:
        if b'"method"' not in raw and not raw.startswith(b"{"):
            continue  # lighttpd's own lines
        count += 1
        if len(raw) > 4096:
            problems.append("a line of %d bytes" % len(raw))
        try:
            doc = json.loads(raw)
        except ValueError:
            problems.append("not JSON: %r" % raw[:120])
            continue
        path = doc.get("path", "")
        if path == "/ping":
            continue
        n = int(path.split("/")[2])
        seen[n] = seen.get(n, 0) + 1
        if doc["status"] != sent.get(n):
            problems.append("request %d logged %s, answered %s" % (n, doc["status"], sent.get(n)))
        if not doc["user_agent"].startswith("\ufffd") or "...(+" not in doc["user_agent"]:
            problems.append("request %d: user_agent %r" % (n, doc["user_agent"][:40]))
missing = [n for n in sent if seen.get(n) != 1]
if missing:
    problems.append("%d requests without exactly one line (e.g. %s)" % (len(missing), missing[:5]))
for p in problems[:10]:
    print("FAIL log-atomic:", p, file=sys.stderr)
print("log-atomic: %d requests, %d lines read, %d problems" % (len(sent), count, len(problems)), file=sys.stderr)
sys.exit(1 if problems else 0)
PY
e2e_finish
