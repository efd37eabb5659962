"""Exactly counted FastCGI requests, each with its own X-Request-Id, for checking
that every answered request has exactly one whole access line.

usage: python3 fcgi_log_load.py SOCKET THREADS PER_THREAD PREFIX [PATH]

THREADS threads each send PER_THREAD GET PATH (default /ping) requests, one
connection each, X-Request-Id PREFIX-<thread>-<n> (REMOTE_ADDR 127.0.0.1: run
the service with FORWARDED_ALLOW_IPS=127.0.0.1 FORWARDED_REQUEST_ID=on so it
keeps the ids). Prints
"sent N answered N failed N" and writes the ids of the answered requests, one
per line, to PREFIX.ids. Exit 0 when every request was answered.
"""
import sys
import threading

from e2e_client import fcgi_exchange as exchange, get_request


def main():
    sock_path, threads, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4]
    path = sys.argv[5].encode() if len(sys.argv) > 5 else b"/ping"
    answered, failed = [], [0]
    lock = threading.Lock()

    def run(t):
        for i in range(per):
            rid = "%s-%d-%d" % (prefix.rsplit("/", 1)[-1], t, i)
            ok = exchange(sock_path, get_request(path, (b"HTTP_X_REQUEST_ID", rid.encode())), 20) == "answered"
            with lock:
                if ok:
                    answered.append(rid)
                else:
                    failed[0] += 1

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with open(prefix + ".ids", "w") as f:
        f.write("".join(rid + "\n" for rid in answered))
    print("sent %d answered %d failed %d" % (threads * per, len(answered), failed[0]))
    return 0 if failed[0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
