"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no extra packages): open a page in
headless Chromium, record every network request, console message and exception, evaluate JS, take a screenshot."""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]
WIDTH, HEIGHT = 1200, 900


class Browser:
    def __init__(self, executable: str, user_data_dir: Path, timeout: float = 60.0) -> None:
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()

        # The child reads commands on fd 3 and writes replies on fd 4; a small Python trampoline moves the pipe
        # ends there and execs Chromium (dup2 leaves 3 and 4 inheritable).
        wire = ("import fcntl, os, sys; a, b = (fcntl.fcntl(int(x), fcntl.F_DUPFD, 10) for x in sys.argv[1:3]); "
                "os.dup2(a, 3); os.dup2(b, 4); os.execv(sys.argv[3], sys.argv[3:])")
        self.proc = subprocess.Popen([sys.executable, "-c", wire, str(to_child_r), str(from_child_w), executable,
                                      *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
                                     pass_fds=(to_child_r, from_child_w), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.timeout, self._buf, self._id, self.events = timeout, b"", 0, []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method: str) -> dict[str, Any]:
        for m in self.events:
            if m.get("method") == method:
                return m
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._r)
        os.close(self._w)


def open_page(executable: str, html_path: Path, user_data_dir: Path, screenshot: Path,
              js: dict[str, str]) -> dict[str, Any]:
    """Load ``html_path``; return requests other than the page itself, console errors, ``js`` results and the
    screenshot's size."""
    b = Browser(executable, user_data_dir)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            b.send(f"{domain}.enable", session=s)
        b.send("Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                                                      "mobile": False}, session=s)
        b.send("Emulation.setScrollbarsHidden", {"hidden": True}, session=s)
        url = html_path.resolve().as_uri()
        b.send("Page.navigate", {"url": url}, session=s)
        b.wait_for("Page.loadEventFired")
        values = {k: b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
                  ["result"].get("value") for k, expr in js.items()}
        shot = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=s)
        png = base64.b64decode(shot["data"])
        screenshot.write_bytes(png)
        b.send("Runtime.evaluate", {"expression": "1"}, session=s)  # flush pending events
    finally:
        b.close()
    requests = [m["params"]["request"]["url"] for m in b.events if m.get("method") == "Network.requestWillBeSent"
                and m["params"]["request"]["url"] != url]
    errors = [m["params"] for m in b.events
              if (m.get("method") == "Runtime.consoleAPICalled" and m["params"].get("type") in ("error", "warning"))
              or m.get("method") == "Runtime.exceptionThrown"
              or (m.get("method") == "Log.entryAdded" and m["params"]["entry"].get("level") in ("error", "warning"))]
    return {"requests": requests, "errors": errors, "values": values,
            "png": {"bytes": len(png), "width": int.from_bytes(png[16:20], "big"),
                    "height": int.from_bytes(png[20:24], "big"), "signature_ok": png[:8] == b"\x89PNG\r\n\x1a\n"}}
