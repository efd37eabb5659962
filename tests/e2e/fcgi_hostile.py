"""Hostile and counting FastCGI clients for fcgi_peers.sh and fcgi_races.sh.

usage: python3 fcgi_hostile.py COMMAND ADDRESS [ARG...]   (ADDRESS: a socket
path, HOST:PORT or [V6]:PORT; each prints one line, described below)

  gets ADDRESS N             N GET /ping, one connection each:
                             "answered N refused N lost N"
"""
import sys

from fcgi_client import exchange, get_request


def gets(address, n):
    counts = {"answered": 0, "refused": 0, "lost": 0}
    for _ in range(int(n)):
        counts[exchange(address, get_request(b"/ping"), 5)] += 1
    print("answered %(answered)d refused %(refused)d lost %(lost)d" % counts)


COMMANDS = {"gets": gets}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
