#!/usr/bin/env python3
"""One CGI-style request (VAR=value arguments, body on stdin) as a Lambda Function
URL event (payload 2.0), printed as JSON: what same_as_base.sh sends to
`bootstrap --event -` so that the Lambda target answers the same requests as the
CGI and FastCGI targets. A Function URL passes rawPath as the client sent it, like
REQUEST_URI. The body always travels base64-encoded (exact bytes)."""
import base64
import json
import sys


def main() -> None:
    env = dict(arg.split("=", 1) for arg in sys.argv[1:])
    body = sys.stdin.buffer.read()
    length = env.get("CONTENT_LENGTH")
    if length is not None and length.isdigit():
        body = body[: int(length)]
    uri = env.get("REQUEST_URI", "/")
    path, _, query = uri.partition("?")
    headers = {}
    for name, value in env.items():
        if name.startswith("HTTP_"):
            headers[name[5:].lower().replace("_", "-")] = value
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if name in env:
            headers[name.lower().replace("_", "-")] = env[name]
    if env.get("HTTPS") == "on":
        headers["x-forwarded-proto"] = "https"
    else:
        headers.setdefault("x-forwarded-proto", "http")
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "domainName": "abcdefghij.lambda-url.us-east-1.on.aws",
            "http": {"method": env.get("REQUEST_METHOD", "GET"), "path": path, "sourceIp": env.get("REMOTE_ADDR", "127.0.0.1")},
            "requestId": "same-as-base",
            "stage": "$default",
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }
    json.dump(event, sys.stdout)


if __name__ == "__main__":
    main()
