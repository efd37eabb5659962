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


# ---- the same rows asked with Accept-Encoding (issue 23) ------------------------------

# What the service compresses (app/http/encoding.c, docs/compression-cors.md): these types
# and text/*, +json; bodies of at least COMPRESS_MIN_BYTES (the servers' default here).
COMPRESSIBLE = ("application/json", "application/javascript", "application/x-javascript", "image/svg+xml",
                "application/xml")
COMPRESS_MIN_BYTES = int(os.environ.get("SPEC_COMPRESS_MIN_BYTES") or 1024)


def compressible(content_type):
    """Whether an answer of this Content-Type may go out compressed."""
    media = content_type.split(";")[0].strip().lower()
    return media in COMPRESSIBLE or (media.startswith("text/") and len(media) > 5) or media.endswith("+json")


def decoded(coding, data):
    """data decoded per its Content-Encoding (None: identity) with the codings' own tools;
    raises ValueError when it does not decode."""
    import subprocess  # noqa: E402 (only the encoded mode needs it)
    tools = {"br": ["brotli", "-d", "-c"], "zstd": ["zstd", "-q", "-d", "-c"], "gzip": ["gzip", "-d", "-c"]}
    if coding in (None, "identity"):
        return data
    if coding not in tools:
        raise ValueError("unknown Content-Encoding %r" % coding)
    p = subprocess.run(tools[coding], input=data, capture_output=True, timeout=30)
    if p.returncode != 0:
        raise ValueError("%s -d failed: %s" % (coding, " ".join(p.stderr.decode(errors="replace").split())[:200]))
    return p.stdout


def encoding_problems(accept, plain, encoded):
    """What is wrong with an answer asked with Accept-Encoding `accept` against the same
    request's answer without it. plain and encoded are dicts: status (int), headers (names
    lower-cased -> value), body (bytes; b"" after a HEAD), head (True after a HEAD). The
    answer must decode to the plain body byte for byte, and carry a Content-Encoding
    (offered, with Vary: Accept-Encoding) exactly when the plain body is at least
    COMPRESS_MIN_BYTES of a compressible type, status 200 or more but 204 and 304."""
    problems = []
    if encoded["status"] != plain["status"]:
        problems.append("status %s, %s without Accept-Encoding" % (encoded["status"], plain["status"]))
    ctype = plain["headers"].get("content-type", "")
    size = len(plain["body"]) if not plain["head"] else int(plain["headers"].get("content-length") or 0)
    want = compressible(ctype) and size >= COMPRESS_MIN_BYTES and plain["status"] not in (204, 304) \
        and plain["status"] >= 200
    coding = encoded["headers"].get("content-encoding")
    offered = [t.split(";")[0].strip().lower() for t in accept.split(",")]
    if coding is not None and not want:
        problems.append("Content-Encoding %s on %d bytes of %r (never below %d bytes or for that type)" %
                        (coding, size, ctype, COMPRESS_MIN_BYTES))
    if coding is None and want:
        problems.append("not compressed: %d bytes of %r" % (size, ctype))
    if coding is not None:
        if coding not in offered:
            problems.append("Content-Encoding %s, not offered in %r" % (coding, accept))
        vary = [v.strip().lower() for v in encoded["headers"].get("vary", "").split(",")]
        if "accept-encoding" not in vary:
            problems.append("Content-Encoding without Vary: Accept-Encoding")
    if encoded["head"]:
        return problems
    try:
        body = decoded(coding, encoded["body"])
    except ValueError as e:
        return problems + [str(e)]
    if body != plain["body"]:
        problems.append("decoded body (%d bytes, %s) is not the plain one (%d bytes)" %
                        (len(body), coding or "identity", len(plain["body"])))
    return problems
