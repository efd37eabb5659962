#!/usr/bin/env python3
"""The Python helpers of the end-to-end scripts, in one place: the spec table
(tests/spec_cases.tsv), a raw HTTP client, a FastCGI record encoder, and small
JSON and socket helpers. The shell scripts call

  python3 tests/e2e/e2e_client.py SUBCOMMAND ARGS...

(`e2e_client.py help` lists them); Python tests import it. Every subcommand exits
0 when what it checks holds, 1 when not (saying why on stderr), 2 on bad usage.
"""

import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_CASES = os.environ.get("SPEC_CASES") or os.path.join(HERE, "..", "spec_cases.tsv")
SPEC_BODY_LIMIT = 200000
COLUMNS = ("name", "method", "target", "req_headers", "req_body", "status", "content_type", "body",
           "resp_headers", "alb_last", "only")

# ---- the spec table ---------------------------------------------------------


def decode_body(field):
    """A req_body field as bytes: None for "-", "fill:C:N" N bytes C, else the text
    with \\0 \\xHH \\\\ escapes. Raises ValueError on a bad escape."""
    if field == "-":
        return None
    if field.startswith("fill:"):
        _, char, count = field.split(":")
        if len(char) != 1 or not count.isdigit():
            raise ValueError("bad fill: %r" % field)
        return char.encode() * int(count)
    out, i = bytearray(), 0
    while i < len(field):
        ch = field[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
        elif field[i + 1:i + 2] == "0":
            out.append(0)
            i += 2
        elif field[i + 1:i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif field[i + 1:i + 2] == "x" and len(field) >= i + 4:
            out.append(int(field[i + 2:i + 4], 16))
            i += 4
        else:
            raise ValueError("bad escape in %r" % field)
    return bytes(out)


def split_list(field):
    """A " | "-separated field as a list ([] for "-")."""
    return [] if field == "-" else field.split(" | ")


def spec_cases(target=None, path=SPEC_CASES):
    """The rows of the spec table as dicts (req_body decoded to bytes or None, status an
    int, req_headers a list of (name, value), resp_headers a list of "Name: value"
    lines, alb_last None or (status, body)); only those target runs when given."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != len(COLUMNS) or "" in cols:
                raise ValueError("%s:%d: want %d non-empty columns" % (path, lineno, len(COLUMNS)))
            row = dict(zip(COLUMNS, cols))
            row["req_body"] = decode_body(row["req_body"])
            row["status"] = int(row["status"])
            row["req_headers"] = [tuple(h.split(": ", 1)) for h in split_list(row["req_headers"])]
            row["resp_headers"] = split_list(row["resp_headers"])
            if row["alb_last"] != "-":
                status, _, body = row["alb_last"].partition(" ")
                row["alb_last"] = (int(status), body)
            else:
                row["alb_last"] = None
            if row["body"] == "(empty)":
                row["body"] = ""
            only = row["only"].split(",")
            if target is None or row["only"] == "*" or target in only:
                rows.append(row)
    return rows


def expected_body(row, target):
    """The body the row wants (str), None for any non-empty one; {target} filled in."""
    return None if row["body"] == "*" else row["body"].replace("{target}", target)


# ---- the spec table through a real server, with curl -------------------------


def curl(args, tmp, timeout=10):
    """Runs curl -s with args; returns (status code, headers text, body bytes, the body's
    size as curl counted it: 0 after a HEAD, whose -I output is the headers)."""
    body_file, head_file = os.path.join(tmp, "curl.body"), os.path.join(tmp, "curl.head")
    p = subprocess.run(["curl", "-s", "--max-time", str(timeout), "-D", head_file, "-o", body_file,
                        "-w", "%{http_code} %{size_download}"] + args, capture_output=True, timeout=timeout + 5)
    code, _, size = p.stdout.decode().partition(" ")
    with open(head_file, "rb") as f:
        headers = f.read().decode("latin-1").replace("\r", "")
    with open(body_file, "rb") as f:
        body = f.read()
    return code, headers, body, int(size or -1)


def header_lines(headers):
    """The header lines of the last answer in curl's -D output, names lower-cased."""
    last = headers.strip().split("\n\n")[-1]
    out = set()
    for line in last.split("\n")[1:]:
        name, _, value = line.partition(":")
        out.add("%s: %s" % (name.strip().lower(), value.strip()))
    return out


def spec_http(base, target, tmp, rows="all"):
    """Every row for "http" against the server at base (curl); rows="peer": only the 2xx
    rows another implementation must answer alike (bench/peer_fastapi.py: no HEAD, which
    FastAPI's routes do not answer, and no /docs/ files). Prints "ok" or "FAIL what: why"
    per row, for the sourcing script's e2e_pass/e2e_fail."""
    for i, row in enumerate(spec_cases("http")):
        if rows == "peer" and (row["status"] >= 300 or row["method"] == "HEAD"
                               or row["target"].startswith("/docs/")):
            continue
        args = []
        for name, value in row["req_headers"]:
            args += ["-H", "%s: %s" % (name, value)]
        method = row["method"]
        if row["req_body"] is not None:
            path = os.path.join(tmp, "spec-body-%d" % i)
            with open(path, "wb") as f:
                f.write(row["req_body"])
            args += ["--data-binary", "@" + path]
        elif method in ("POST", "PUT", "PATCH"):
            # Front servers want a Content-Length on bodies' methods (411 otherwise).
            args += ["--data", ""]
        if method == "HEAD":
            args += ["-I"]
        elif method != "GET":
            args += ["-X", method]
        code, headers, body, size = curl(args + [base + row["target"]], tmp)
        problems = []
        if code != str(row["status"]):
            problems.append("status %s, want %d" % (code, row["status"]))
        want = expected_body(row, target)
        if method == "HEAD":
            if size != 0:
                problems.append("a body of %d bytes after a HEAD" % size)
        elif want is None and not body:
            problems.append("empty body")
        elif want is not None and body != want.encode():
            problems.append("body %r, want %r" % (body[:300], want))
        got = header_lines(headers)
        wanted = list(row["resp_headers"])
        if row["content_type"] != "-":
            wanted.append("Content-Type: " + row["content_type"])
        for line in wanted:
            name, _, value = line.replace("{base}", base).partition(": ")
            if "%s: %s" % (name.lower(), value) not in got:
                problems.append("no header '%s: %s'" % (name, value))
        print("FAIL %s: %s" % (row["name"], "; ".join(problems)) if problems else "ok")
    return 0


# ---- the command line ------------------------------------------------------

COMMANDS = {
    "spec-http": (spec_http, "BASE TARGET TMPDIR [all|peer]: the spec table against BASE with curl"),
}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__.strip() + "\n\nsubcommands:", file=sys.stderr)
        for name, (_, doc) in COMMANDS.items():
            print("  %s %s" % (name, doc), file=sys.stderr)
        return 2
    return COMMANDS[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
