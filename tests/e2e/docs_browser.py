#!/usr/bin/env python3
"""Drives Debian's chromium (headless) through Swagger UI the way a user does:
opens DOCS_URL, expands GET /math/add, presses "Try it out", adds two items
to `i` (5 and 10), presses "Execute" and prints what the page shows as the
response body and the request URL it called, as JSON on stdout. A screenshot
of the page goes to SCREENSHOT. With --redoc, DOCS_URL is ReDoc's page instead:
it waits for ReDoc to show the /math/add operation and its search to find it
(ReDoc's search runs in a Web Worker), and prints {"redoc": [its heading]}.
Either way the output also has "csp": every Content-Security-Policy violation
the page reported (securitypolicyviolation events, collected from before the
page's first script), as "directive blocked-URI" strings; [] when none.

usage: docs_browser.py [--redoc] DOCS_URL SCREENSHOT

Chromium is controlled over the DevTools protocol on a pipe
(--remote-debugging-pipe: it reads NUL-terminated JSON messages on fd 3 and
writes them on fd 4), so nothing but the Python standard library is needed.
Everything is bounded in time; chromium is killed on the way out."""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE = time.monotonic() + 60

# Runs in the page: each step waits for what it needs, and the whole thing
# resolves to {body, url} or rejects with what was missing.
SCRIPT = r"""
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const until = async (what, find, ms = 20000) => {
    const end = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > end) throw new Error('timed out waiting for ' + what);
      await sleep(100);
    }
  };
  const type = (input, value) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    set.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const block = await until('the /math/add operation', () =>
    [...document.querySelectorAll('.opblock')].find(b =>
      b.querySelector('.opblock-summary-path')?.getAttribute('data-path') === '/math/add'));
  (block.querySelector('button.opblock-summary-control') || block.querySelector('.opblock-summary')).click();
  (await until('Try it out', () => block.querySelector('.try-out__btn'))).click();
  const row = await until('the i parameter', () =>
    [...block.querySelectorAll('tr[data-param-name]')].find(r => r.getAttribute('data-param-name') === 'i'));
  const values = ['5', '10'];
  for (let n = 1; n <= values.length; n++) {
    const add = await until('an "Add item" button', () =>
      [...row.querySelectorAll('button')].find(b => /add/i.test(b.textContent)));
    add.click();
    await until('item ' + n, () => row.querySelectorAll('input').length >= n ? true : null);
  }
  await sleep(200);
  const inputs = [...row.querySelectorAll('input')];
  for (let n = 0; n < values.length; n++) {
    inputs[n].focus();
    type(inputs[n], values[n]);
    inputs[n].blur();
    await sleep(200);
  }
  await until('the typed values', () =>
    [...row.querySelectorAll('input')].map(i => i.value).join(',') === values.join(',') ? true : null, 3000);
  (await until('Execute', () => block.querySelector('.execute'))).click();
  const body = await until('the response body', () => {
    const el = block.querySelector('.live-responses-table .response-col_description .microlight, ' +
                                   '.live-responses-table .response-col_description pre');
    return el && el.textContent.trim() ? el : null;
  });
  const url = block.querySelector('.request-url pre, .request-url .microlight');
  block.scrollIntoView();
  return { body: body.textContent.trim(), url: url ? url.textContent.trim() : null };
})()
"""


# ReDoc: the operation's heading, then the search box (its index is built in a
# Web Worker) finding "Addition".
REDOC_SCRIPT = r"""
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const until = async (what, find, ms = 20000) => {
    const end = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > end) throw new Error('timed out waiting for ' + what);
      await sleep(100);
    }
  };
  const heading = await until('the Addition operation', () =>
    [...document.querySelectorAll('h2')].find(h => h.textContent.trim() === 'Addition'));
  const search = await until('the search box', () => document.querySelector('input[placeholder="Search..."]'));
  search.focus();
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  set.call(search, 'Addition');
  search.dispatchEvent(new Event('input', { bubbles: true }));
  search.dispatchEvent(new Event('change', { bubbles: true }));
  const found = await until('a search result', () =>
    [...document.querySelectorAll('[data-role="search:results"] li')].find(l => l.textContent.includes('Addition')));
  return { redoc: [heading.textContent.trim(), found.textContent.trim()] };
})()
"""

# Before the page's own scripts: every CSP violation it reports is kept.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline')));
"""


class Chromium:
    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise SystemExit("docs_browser: no chromium (make deps installs Debian's chromium)")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # fd 3 and 4 in the child, as --remote-debugging-pipe expects; the
        # parent's ends must not stay open in it (chromium would never see EOF).
        parent_ends = (self.to_chrome, self.from_chrome)

        def fds():
            # Out of the way first: the pipes may themselves be fds 3 to 6.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            for fd in parent_ends + (to_chrome_r, from_chrome_w):
                os.close(fd)
            os.dup2(r, 3)
            os.dup2(w, 4)
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1280,1600", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile, "stderr"), "w"),
            # close_fds would close 3 and 4 again after preexec_fn made them.
            preexec_fn=fds, close_fds=False, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self.next_id)

    def wait(self, matches):
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                msg = json.loads(raw)
                if matches(msg):
                    if "error" in msg:
                        raise RuntimeError("DevTools: %s" % msg["error"])
                    return msg
            left = DEADLINE - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium exited")
                self.buffer += chunk

    def close(self):
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait()


def main():
    redoc = sys.argv[1] == "--redoc"
    url, screenshot = sys.argv[1 + redoc], sys.argv[2 + redoc]
    profile = tempfile.mkdtemp(prefix="docs-browser-")
    chrome = Chromium(profile)
    try:
        target = chrome.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        session = chrome.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
        chrome.send("Page.enable", session=session)
        chrome.send("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH}, session=session)
        chrome.send("Page.navigate", {"url": url}, session=session)
        chrome.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session)
        result = chrome.send("Runtime.evaluate", {"expression": REDOC_SCRIPT if redoc else SCRIPT,
                                                  "awaitPromise": True, "returnByValue": True},
                             session=session)["result"]
        csp = chrome.send("Runtime.evaluate", {"expression": "window.__csp", "returnByValue": True},
                          session=session)["result"]["result"].get("value")
        shot = chrome.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                           session=session)["result"]["data"]
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot))
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            print(json.dumps({"error": text, "csp": csp}))
            return 1
        print(json.dumps(dict(result["result"]["value"], csp=csp)))
        return 0
    finally:
        chrome.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
