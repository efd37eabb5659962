#!/usr/bin/env python3
"""lambda_accept_encoding.py BOOTSTRAP AE...: every case of lambda_cases.py (each row of
tests/spec_cases.tsv as every Lambda event type) through the emulator and one bootstrap
without Accept-Encoding, then once per AE with it: each answer decoded per its
Content-Encoding is the plain one byte for byte and passes the case's own checks, and is
encoded exactly where spec_table.encoding_problems says (compression.sh runs it with
"br, zstd, gzip" and "gzip"). Prints "FAIL ..." lines and a summary; exit 1 on any failure.
"""

import base64
import json
import os
import sys
import tempfile

import lambda_cases
import spec_table


def set_accept_encoding(ev, value):
    """The event with its Accept-Encoding (the templates carry one) replaced by value, or
    without any when value is None."""
    for key in ("headers", "multiValueHeaders"):
        if isinstance(ev.get(key), dict):
            ev[key] = {k: v for k, v in ev[key].items() if k.lower() != "accept-encoding"}
            if value is not None:
                ev[key]["accept-encoding"] = [value] if key == "multiValueHeaders" else value
    return ev


def answer_parts(kind, doc):
    """A response document as spec_table.encoding_problems takes it."""
    headers = lambda_cases.header_shape(doc, lambda_cases.KINDS[kind][1], [])
    raw = doc.get("body") or ""
    body = base64.b64decode(raw) if doc.get("isBase64Encoded") else raw.encode()
    return {"status": doc.get("statusCode"), "headers": headers, "body": body, "head": False}


def run_accept_encoding(bootstrap, accepts):
    """Every case as every event type without Accept-Encoding, then with each of accepts."""
    t = lambda_cases.Tally("lambda-accept-encoding")
    with tempfile.TemporaryDirectory() as tmp:
        expect, runs = [], {}
        for accept in [None] + accepts:
            files = []
            for kind in lambda_cases.KINDS:
                for c in lambda_cases.cases():
                    path = os.path.join(tmp, "%d-%04d.json" % (len(runs), len(files)))
                    with open(path, "w") as f:
                        json.dump(set_accept_encoding(lambda_cases.make_event(kind, c), accept), f)
                    files.append(path)
                    if accept is None:
                        expect.append((kind, c))
            runs[accept] = lambda_cases.emulate(bootstrap, tmp, "run%d" % len(runs), files)
    for accept, (emu_rc, report, _, _) in runs.items():
        t.record("%r: every invocation answered" % accept, [] if emu_rc == 0 and report["done"] else
                 ["emulator exit %d, %d of %d answered" % (emu_rc, report["answered"], report["total"])])
    plain = runs[None][1]["invocations"]
    encoded = 0
    for accept in accepts:
        for (kind, c), p, e in zip(expect, plain, runs[accept][1]["invocations"]):
            what = "%s %s with %r" % (kind, c["name"], accept)
            if p["outcome"] != "response" or e["outcome"] != "response":
                t.record(what, ["outcomes %s, %s" % (p["outcome"], e["outcome"])])
                continue
            a, b = answer_parts(kind, p["body"]), answer_parts(kind, e["body"])
            a["head"] = b["head"] = c["method"] == "HEAD"
            problems = spec_table.encoding_problems(accept, a, b)
            encoded += "content-encoding" in b["headers"]
            if not problems:  # the case's own checks, on the decoded answer
                doc = dict(e["body"], body=base64.b64encode(a["body"]).decode(), isBase64Encoded=True)
                problems = lambda_cases.check_answer(kind, c, doc)
            t.record(what, problems)
    print("lambda-accept-encoding: %d answers of %d compressed" % (encoded, len(plain) * len(accepts)))
    return t.finish()


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    return run_accept_encoding(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
