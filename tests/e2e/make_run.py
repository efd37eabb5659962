#!/usr/bin/python3
"""make run / make run-cgi as a person at a terminal uses them: run under a
pseudo-terminal, the URL printed only once lighttpd listens (the URL answers
at once), Ctrl-C (a real ^C typed on the terminal) ends both with status 0 and
no "Interrupt"; a busy port is named, with PORT= to pick another, and nothing
claims to be serving. The default port 8080 is tried taken: by a server this
test starts when 8080 is free, else by whoever holds it now.
Every port is a free loopback port except that one; everything is bounded in time."""

import http.server
import os
import pty
import select
import signal
import socket
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILS = 0
PASSES = 0


def result(ok, what):
    global FAILS, PASSES
    if ok:
        PASSES += 1
    else:
        FAILS += 1
        print(f"FAIL make-run: {what}", file=sys.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return None, str(e)


class Terminal:
    """make ARGS... in a pseudo-terminal of its own (it is the foreground job there)."""

    def __init__(self, *args):
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PORT")}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(ROOT)
            os.execvpe("make", ["make", "--no-print-directory", *args], env)
        self.out = b""
        self.status = None

    def read_until(self, text, seconds):
        """Reads the terminal until text appears, the program ends or time runs out: whether it appeared."""
        deadline = time.time() + seconds
        while text.encode() not in self.out and time.time() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            self.out += data
        return text.encode() in self.out

    def type(self, data):
        os.write(self.fd, data)

    def wait(self, seconds):
        """Exit status (negative: killed by that signal); SIGKILLs make after `seconds`."""
        self.read_until("\0never\0", seconds)
        for _ in range(int(seconds * 10)):
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        os.close(self.fd)
        return self.status

    def text(self):
        return self.out.decode(errors="replace")


def serve_and_interrupt(target, path, check_path, want_body):
    port = free_port()
    url = f"http://127.0.0.1:{port}/{path}"
    t = Terminal(target, f"PORT={port}")
    shown = t.read_until(f"serving {url}", 120)
    result(shown, f"make {target}: no 'serving {url}' line: {t.text()[-500:]}")
    if shown:
        # The line comes after the bind: the URL answers at once, no retry.
        status, body = get(f"http://127.0.0.1:{port}{check_path}")
        result(status == 200 and body == want_body, f"make {target}: {check_path} right after the line: {status} {body}")
        result("Ctrl-C stops" in t.text(), f"make {target}: the line does not say how to stop")
    t.type(b"\x03")
    status = t.wait(30)
    result(status == 0, f"make {target}: Ctrl-C gave exit status {status}: {t.text()[-500:]}")
    result("Interrupt" not in t.text() and "Error" not in t.text(),
           f"make {target}: make reported an interrupt or error: {t.text()[-300:]}")
    status, _ = get(f"http://127.0.0.1:{port}/")
    result(status is None, f"make {target}: still answering after Ctrl-C")


def no_terminal_sigterm():
    """Without a terminal (a service manager, a pipe): SIGTERM to the process group stops lighttpd too."""
    import subprocess
    port = free_port()
    env = dict(os.environ, PORT=str(port), APP_DIR=os.path.join(ROOT, os.environ.get("BUILD", "build")))
    p = subprocess.Popen([os.path.join(ROOT, "tools", "serve-dev"), "lighttpd.conf"], cwd=ROOT, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    line = b""
    deadline = time.time() + 60
    while b"serving" not in line and time.time() < deadline and p.poll() is None:
        line = p.stderr.readline()
    result(b"serving http://127.0.0.1:%d/" % port in line, f"serve-dev without a terminal: {line!r}")
    os.killpg(p.pid, signal.SIGTERM)
    try:
        status = p.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        status = p.wait()
    p.stderr.close()
    # 143 when lighttpd's exit and the signal race; never a kill, never a lighttpd left behind.
    result(status in (0, 143), f"serve-dev without a terminal: SIGTERM gave exit status {status}")
    status, _ = get(f"http://127.0.0.1:{port}/")
    result(status is None, "serve-dev without a terminal: lighttpd still answers after SIGTERM")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def hold_port(port):
    """A server answering 200 on 127.0.0.1:port (another program holding it), or None if taken."""
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    except OSError:
        return None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def busy_port(port, args, held_by_us):
    t = Terminal("run", *args)
    if t.read_until("serving http://", 120):
        t.type(b"\x03")  # it bound after all: stop it, never leave it running
    status = t.wait(30)
    out = t.text()
    if not held_by_us and "serving http://" in out:
        print(f"make-run: port {port} came free during the test; busy-port case for it skipped")
        return
    result(status not in (0, None), f"make run on busy port {port}: exit status {status}")
    result(f"port {port} on 127.0.0.1 is in use" in out and "PORT=" in out,
           f"make run on busy port {port}: the port and PORT= are not named: {out[-500:]}")
    result("serving http://" not in out, f"make run on busy port {port}: claims to be serving: {out[-300:]}")


def main():
    watchdog = threading.Timer(400, lambda: os.kill(os.getpid(), signal.SIGTERM))
    watchdog.daemon = True
    watchdog.start()
    serve_and_interrupt("run", "", "/math/add?i=5&i=10", "15")
    serve_and_interrupt("run-cgi", "cgi-bin/app.cgi/", "/cgi-bin/app.cgi/math/add?i=5&i=10", "15")

    no_terminal_sigterm()

    port = free_port()
    held = hold_port(port)
    busy_port(port, [f"PORT={port}"], True)
    held.shutdown()

    # The default port: make run with no PORT while 8080 answers.
    held = hold_port(8080)
    if held is None:
        print("make-run: 127.0.0.1:8080 is taken by another program; using it as the busy default port")
    busy_port(8080, [], held is not None)
    if held is not None:
        held.shutdown()

    print(f"make-run: {PASSES} passed, {FAILS} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
