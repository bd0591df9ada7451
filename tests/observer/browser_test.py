#!/usr/bin/env python3
"""The observer's page in a real browser (headless Chromium).

Starts examples/09_observer (a node with a few thousand processes, a
supervision tree and a worker that crashes), loads its page in headless
Chromium, and checks the DOM the page's script built from the node's JSON:
the process table lists the processes and sorts by the column named in the
page's address, and, driven over the DevTools protocol, by the column whose
header is clicked (a second click reverses); the supervision tree shows the
children under their supervisors, and the crash appears in the crash list.
Saves a screenshot.

    browser_test.py EXAMPLE_BINARY OUTPUT_DIR

Waits are on events (the example's first line, Chromium's exit, the page's
load event, a DOM mutation observed in the page), never on time; Chromium's
--virtual-time-budget lets the page's polling run without wall-clock waits. Exits 0 when every check passed and prints one line per
check and "N passed, N failed" last.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class Dom(HTMLParser):
    """The elements of a dumped DOM, flat, each with its attributes, its
    ancestors' ids and data-ids, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "",
                   "ancestors": [dict(e["attrs"]) | {"tag": e["tag"]} for e in self._open]}
        self.elements.append(element)
        if tag not in ("meta", "input", "br", "img", "link"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def inside(self, element_id: str, tag: str) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag
                and any(a.get("id") == element_id for a in e["ancestors"])]


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str) -> None:
        print(("ok     " if ok else "FAILED ") + what, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser(binary: str, profile: str, url: str, *extra: str) -> str:
    args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--hide-scrollbars",
            "--window-size=1400,900", "--virtual-time-budget=6000", *extra, url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump(binary: str, profile: str, url: str) -> Dom:
    dom = Dom()
    dom.feed(browser(binary, profile, url, "--dump-dom"))
    return dom


def high_fd(fd: int) -> int:
    """`fd` moved to a number of 10 or more (close-on-exec), clear of 3 and 4."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """Chromium driven over --remote-debugging-pipe (the DevTools protocol:
    JSON messages ended by a NUL byte, commands on fd 3, answers on fd 4)."""

    def __init__(self, binary: str, profile: str) -> None:
        to_browser_read, self._to_browser = (high_fd(fd) for fd in os.pipe())
        self._from_browser, from_browser_write = (high_fd(fd) for fd in os.pipe())
        # The browser reads fd 3 and writes fd 4: put the pipes there for the
        # spawn, and give back whatever this process had at 3 and 4 after.
        saved = []
        for target in (3, 4):
            try:
                saved.append((target, fcntl.fcntl(target, fcntl.F_DUPFD_CLOEXEC, 10)))
            except OSError:
                saved.append((target, None))
        os.dup2(to_browser_read, 3)
        os.dup2(from_browser_write, 4)
        try:
            self.process = subprocess.Popen(
                [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1400,900", "--remote-debugging-pipe", "about:blank"],
                pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            for target, copy in saved:
                if copy is None:
                    os.close(target)
                else:
                    os.dup2(copy, target)
                    os.close(copy)
            os.close(to_browser_read)
            os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self.session = None

    def _next_message(self, waiting_for: str, timeout_s: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], timeout_s)
            if not ready:
                raise RuntimeError(f"chromium did not answer ({waiting_for})")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, timeout_s: float = 60) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._next_message(method, timeout_s)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def wait_event(self, method: str, timeout_s: float = 60) -> dict:
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    return self._events.pop(i)
            self._events.append(self._next_message(method, timeout_s))

    def open(self, url: str) -> None:
        """Opens a tab, then loads `url` in it and waits for its load event."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})
        # about:blank's own load event may come first: wait for this page's.
        while True:
            self.wait_event("Page.loadEventFired")
            if self.evaluate("location.href").startswith(url.split("#")[0]):
                return

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self.session = None
        try:
            self.call("Browser.close", timeout_s=10)
        except RuntimeError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_browser)
        os.close(self._from_browser)


# In the page: resolves once the page has loaded its data (it sets
# body[data-loaded] after its first refresh).
LOADED = """new Promise(done => {
  if (document.body.dataset.loaded) return done(true);
  new MutationObserver((_, o) => { o.disconnect(); done(true); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-loaded"] });
})"""

# In the page: clicks the header of column KEY, waits for the table's next
# rendering, and answers the memory figures of its rows and the arrow shown.
CLICK = """new Promise(done => {
  const body = document.querySelector("#process-table tbody");
  new MutationObserver((_, o) => {
    o.disconnect();
    const th = document.querySelector('#process-table th[data-key="KEY"]');
    done({ values: [...body.querySelectorAll("td[data-value]")].map(td => Number(td.dataset.value)),
           pids: [...body.querySelectorAll("tr[data-pid]")].map(tr => tr.dataset.pid),
           arrow: th.dataset.arrow, hash: location.hash });
  }).observe(body, { childList: true });
  document.querySelector('#process-table th[data-key="KEY"]').click();
})"""


def first_line(process: subprocess.Popen, timeout_s: float) -> str:
    """The example's first line of output (its page's address)."""
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    if not ready:
        raise RuntimeError("the example printed no address")
    return process.stdout.readline().strip()


def pid_key(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"<0\.(\d+)\.(\d+)>", text)
    return (int(match.group(1)), int(match.group(2))) if match else (-1, -1)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    example, out_dir = sys.argv[1], sys.argv[2]
    binary = chromium()
    if binary is None:
        print("FAILED no chromium found (install Debian's chromium)")
        print("0 passed, 1 failed")
        return 1
    os.makedirs(out_dir, exist_ok=True)
    checks = Checks()
    node = subprocess.Popen([example, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        url = first_line(node, 60)
        checks.check(re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) is not None,
                     f"the example's first line is the page's address ({url})")
        with tempfile.TemporaryDirectory() as profile:
            # The process table, sorted by memory, largest first.
            dom = dump(binary, profile, url + "#tab=processes&sort=memory&order=desc")
            rows = [e for e in dom.inside("process-table", "tr") if "data-pid" in e["attrs"]]
            checks.check(len(rows) == 100, f"the table lists 100 processes ({len(rows)})")
            memory = [int(e["attrs"]["data-value"]) for e in dom.inside("process-table", "td")
                      if "data-value" in e["attrs"]]
            checks.check(len(memory) == len(rows) and memory == sorted(memory, reverse=True),
                         "sorted by memory, largest first")
            count = next((e["text"] for e in dom.elements
                          if e["attrs"].get("id") == "process-count"), "")
            checks.check(int(count.replace(",", "") or 0) >= 3000,
                         f"the header counts a few thousand processes ({count})")
            sorted_header = [e["attrs"].get("data-key") for e in dom.inside("process-table", "th")
                             if "sorted" in e["attrs"].get("class", "")]
            checks.check(sorted_header == ["memory"], f"the memory column is marked ({sorted_header})")

            # The same table sorted by pid, ascending.
            dom = dump(binary, profile, url + "#tab=processes&sort=pid&order=asc")
            pids = [pid_key(e["attrs"]["data-pid"]) for e in dom.inside("process-table", "tr")
                    if "data-pid" in e["attrs"]]
            checks.check(len(pids) == 100 and pids == sorted(pids), "sorted by pid, ascending")

            # The supervision tree: members under pool, pool under top.
            dom = dump(binary, profile, url + "#tab=supervision")
            items = dom.inside("supervision-tree", "li")
            ids = {e["attrs"].get("data-id") for e in items}
            checks.check({"cache", "pool", "flaky", "member_1", "member_4"} <= ids,
                         f"the tree shows the children ({sorted(i for i in ids if i)})")
            members = [e for e in items if e["attrs"].get("data-id", "").startswith("member_")]
            checks.check(len(members) == 4 and all(
                any(a.get("data-id") == "pool" for a in e["ancestors"]) for e in members),
                "the pool's members are drawn under the pool")
            crashes = [e for e in dom.inside("crash-list", "li")]
            kinds = {e["attrs"].get("data-kind") for e in crashes}
            checks.check("crash_report" in kinds and "supervisor_report" in kinds,
                         f"the crash appears in the crash list ({sorted(k for k in kinds if k)})")
            checks.check(any("injected_fault" in e["text"] for e in crashes),
                         "the crash report names the reason")

            # Clicking: a header sorts by its column, a second click reverses.
            with tempfile.TemporaryDirectory() as pipe_profile:
                tools = DevTools(binary, pipe_profile)
                try:
                    tools.open(url + "#tab=processes&sort=pid&order=asc")
                    tools.evaluate(LOADED)
                    first = tools.evaluate(CLICK.replace("KEY", "memory"))
                    checks.check(first["values"] == sorted(first["values"], reverse=True)
                                 and len(first["values"]) == 100 and "▼" in first["arrow"]
                                 and "sort=memory" in first["hash"],
                                 "a click on the memory header sorts by memory, largest first")
                    second = tools.evaluate(CLICK.replace("KEY", "pid"))
                    keys = [pid_key(p) for p in second["pids"]]
                    checks.check(keys == sorted(keys) and "▲" in second["arrow"],
                                 "a click on the pid header sorts by pid, ascending")
                    third = tools.evaluate(CLICK.replace("KEY", "pid"))
                    keys = [pid_key(p) for p in third["pids"]]
                    checks.check(keys == sorted(keys, reverse=True) and "▼" in third["arrow"],
                                 "a second click reverses the order")
                finally:
                    tools.close()

            # A picture, for people.
            shot = os.path.join(out_dir, "observer.png")
            browser(binary, profile, url + "#tab=processes&sort=reductions&order=desc",
                    f"--screenshot={shot}")
            with open(shot, "rb") as f:
                header = f.read(8)
            checks.check(header == b"\x89PNG\r\n\x1a\n" and os.path.getsize(shot) > 10_000,
                         f"a screenshot was saved ({shot})")
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        checks.check(False, str(error))
    finally:
        node.send_signal(signal.SIGTERM)
        try:
            code = node.wait(timeout=60)
        except subprocess.TimeoutExpired:
            node.kill()
            code = None
    checks.check(code == 0, f"the example stops on SIGTERM with status 0 ({code})")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
