"""tests/spec_cases.tsv, the specification's request/answer cases, for the Python tests
(e2e_client.py spec-http, lambda_cases.py); the columns are described at the top of the
file. SPEC_CASES in the environment names another table."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_CASES = os.environ.get("SPEC_CASES") or os.path.join(HERE, "..", "spec_cases.tsv")
SPEC_BODY_LIMIT = 200000
COLUMNS = ("name", "method", "target", "req_headers", "req_body", "status", "content_type", "body",
           "resp_headers", "alb_last", "only")


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
