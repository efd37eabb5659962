#!/usr/bin/env python3
"""The cost of /math/add's 422 for a 64 KiB query of 16 384 bad values (issue 27,
item 6): answer bytes, CPU per request (the mean of 50 runs) and peak RSS of
app.cgi (GNU time's, whose child is app.cgi alone, not a copy of this Python).
  python3 bench/add_errors.py build/app.cgi"""
import resource
import subprocess
import sys

RUNS = 50
QUERY = "&".join(["i=x"] * 16384)
ENV = {"REQUEST_METHOD": "GET", "PATH_INFO": "/math/add", "QUERY_STRING": QUERY, "LOG_FORMAT": "off"}

answer = b""
for _ in range(RUNS):
    answer = subprocess.run([sys.argv[1]], env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, check=False).stdout
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = subprocess.run(["/usr/bin/time", "-f", "%M", sys.argv[1]], env=ENV, stdin=subprocess.DEVNULL,
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False).stderr.split()[-1]
body = answer.split(b"\r\n\r\n", 1)[1]
print("query %d bytes: 422 body %d bytes, CPU %.1f ms per request, peak RSS %d KiB"
      % (len(QUERY), len(body), (usage.ru_utime + usage.ru_stime) * 1000 / RUNS, int(peak)))
