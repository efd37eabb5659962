"""FastCGI load on a unix socket or TCP while the manager behind it is stopped.

usage: python3 fcgi_stop_load.py ADDRESS CONCURRENCY   (a path, or HOST:PORT)

CONCURRENCY threads each send GET /ping requests, one connection per request,
until connecting fails because the socket is gone (the manager removed it on
SIGTERM) or the port is closed. Prints "answered N refused N lost N": answered with a complete
response, refused at connect (the stop's own doing; on TCP also a connect
not done within 0.5 s: a stopping pool drops new handshakes), lost after the connection
was made (reset, or closed before a complete response: what a graceful stop
must never do). "running" goes to stderr once the first answer is in. Exit 0 after the first refusal of every thread; 2 when no
request was answered at all.
"""
import sys
import threading
import time

from e2e_client import fcgi_exchange as exchange, get_request

REQUEST = get_request(b"/ping")


def main():
    path, threads = sys.argv[1], int(sys.argv[2])
    counts = {"answered": 0, "refused": 0, "lost": 0}
    lock = threading.Lock()

    def run():
        while True:
            # A connect not done in 0.5 s was never accepted: on TCP a stopping
            # pool drops new handshakes (the kernel would retry after 1 s).
            outcome = exchange(path, REQUEST, connect_timeout=0.5)
            with lock:
                counts[outcome] += 1
                if outcome == "answered" and counts["answered"] == 1:
                    print("running", file=sys.stderr, flush=True)
            if outcome == "refused":
                return
            time.sleep(0)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print("answered %(answered)d refused %(refused)d lost %(lost)d" % counts, flush=True)
    return 0 if counts["answered"] > 0 else 2


if __name__ == "__main__":
    sys.exit(main())
