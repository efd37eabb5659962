#!/usr/bin/env python3
"""The Python side of bench/first_next.c: what a FastAPI function on Lambda does
before its first GET /next. It imports the app (the reference FastAPI app given
as argv[1], which imports fastapi and builds its routes) and Mangum when it is
installed (Mangum is not packaged in Debian: then the figure is without it;
bench/run.sh records which), then asks the Runtime API for the next invocation and waits.
The Lambda Python runtime's own start (awslambdaric) comes on top of this."""
import importlib.util
import os
import socket
import sys

spec = importlib.util.spec_from_file_location("main", sys.argv[1])
app_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app_module)
try:
    import mangum  # noqa: F401

    handler = mangum.Mangum(app_module.app)
except ImportError:
    handler = None
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n"
          % os.environ["AWS_LAMBDA_RUNTIME_API"].encode())
s.recv(65536)
