"""HAProxy's runtime API (its stats socket) for the fleet tests.

usage: python3 hapctl.py SOCKET COMMAND...
  cmd 'LINE'                 send LINE (commands separated by ';'), print the answer
  op BACKEND/SERVER          print the server's operational state: 0 down, 2 up
  wait-op BACKEND/SERVER OP SECONDS   poll every 50 ms until the state is OP;
                             print the seconds it took; exit 1 on timeout
  sessions BACKEND/SERVER    print the server's current sessions (scur)
  counters BACKEND           print the backend's retries, redispatches, connection
                             errors and response errors (wretr wredis econ eresp)

A server HAProxy does not know, or a timeout: exit 1; a socket that does not
answer: exit 2; the reason on stderr.
"""
import socket
import sys
import time


def send(path, line):
    """One command line, the whole answer (HAProxy closes after it)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(line.encode() + b"\n")
        out = b""
        while True:
            data = s.recv(65536)
            if not data:
                return out.decode()
            out += data


def fields(path, command, server, name_col, want):
    """The columns of SERVER's row in COMMAND's table (space- or comma-separated)."""
    backend, name = server.split("/")
    sep = "," if command.startswith("show stat") else None
    lines = send(path, command).splitlines()
    start = next((i for i, r in enumerate(lines) if r.startswith("#")), len(lines))
    rows = [r.lstrip("# ").split(sep) for r in lines[start:] if r.strip()]
    head = rows[0] if rows else []
    for row in rows[1:]:
        rec = dict(zip(head, row))
        if rec.get(name_col[0]) == backend and rec.get(name_col[1]) == name:
            return rec[want]
    sys.exit("hapctl: no server %s in '%s'" % (server, command))


def op_state(path, server):
    return int(fields(path, "show servers state " + server.split("/")[0], server,
                      ("be_name", "srv_name"), "srv_op_state"))


def main():
    path, verb, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        if verb == "cmd":
            answer = send(path, args[0]).strip()
            if answer:
                print(answer)
        elif verb == "op":
            print(op_state(path, args[0]))
        elif verb == "sessions":
            print(fields(path, "show stat", args[0], ("pxname", "svname"), "scur"))
        elif verb == "counters":
            server = args[0] + "/BACKEND"
            print(" ".join(fields(path, "show stat", server, ("pxname", "svname"), c) or "0"
                           for c in ("wretr", "wredis", "econ", "eresp")))
        elif verb == "wait-op":
            start = time.monotonic()
            while op_state(path, args[0]) != int(args[1]):
                if time.monotonic() - start > float(args[2]):
                    sys.exit("hapctl: %s not in state %s after %s s" % tuple(args))
                time.sleep(0.05)
            print("%.2f" % (time.monotonic() - start))
        else:
            sys.exit(__doc__)
    except OSError as e:
        print("hapctl: %s: %s" % (path, e), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
