"""A headless Chromium that cannot outlive us and that no other process can drive.

Why not great-tables' ``gtsave``/nokap: they start Chromium with a remote-debugging TCP port, and
a crash of the Python process (a killed ``followup ingest``) left the browser tree running with
that port open to any local process. Here:

- the DevTools protocol runs over ``--remote-debugging-pipe`` (fds 3 and 4): no port at all;
- the browser runs under ``setpriv --pdeathsig KILL`` (the kernel kills it when this process
  dies, even by SIGKILL) and in its own session/process group, which :meth:`Chromium.close`
  (also on normal exit, via ``atexit``) kills as a whole;
- its profile is a temporary folder removed on close (in the background with
  ``close(wait=False)``, joined before the process exits), named after our process so that the
  next start removes the profiles SIGKILLed processes left; host names resolve to nothing, so a
  page cannot fetch from the network.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from pipelines.core.errors import FollowupError

CHROMIUM_HINT = "PDF/PNG export needs Chromium: apt-get install -y chromium (or set CHROME_PATH)"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
A4_LANDSCAPE_INCHES = (11.69, 8.27)


_CLEANUPS: list[threading.Thread] = []  # background reaping started by close(wait=False)


@atexit.register
def _finish_cleanups() -> None:
    """Before the interpreter exits: let every background cleanup finish (profiles removed)."""
    for thread in list(_CLEANUPS):
        thread.join(timeout=15)


def find_chromium() -> str | None:
    """``CHROME_PATH`` if it names a file, else the first Chrome/Chromium on ``PATH``."""
    env = os.environ.get("CHROME_PATH")
    if env and os.path.isfile(env):
        return env
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _command(binary: str, profile: str) -> list[str]:
    args = [
        binary,
        "--headless",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-dev-shm-usage",
        "--disable-sync",
        "--hide-scrollbars",
        "--mute-audio",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--font-render-hinting=none",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return args


def _short_tmp() -> str:
    """A temp folder short enough for Chromium's singleton socket path (a Unix socket path has
    at most 107 bytes; Chromium aborts with a deep ``TMPDIR``)."""
    here = tempfile.gettempdir()
    return here if len(here) <= 48 or not os.path.isdir("/tmp") else "/tmp"


PROFILE_PREFIX = "followup-chromium-"
_ORPHAN_AGE_S = 600


def _remove_orphaned_profiles(folder: str | None = None) -> None:
    """Remove the profiles of browsers whose process was killed (SIGKILL leaves no chance to
    clean up; the kernel takes the browser down but not its folder): a profile is named after
    the process that made it, and one whose process is gone and that has not changed for ten
    minutes is left over."""
    root = Path(folder or tempfile.gettempdir())
    try:
        entries = list(root.glob(f"{PROFILE_PREFIX}*-*"))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        owner = entry.name[len(PROFILE_PREFIX) :].split("-", 1)[0]
        if not owner.isdigit() or int(owner) == os.getpid():
            continue
        try:
            os.kill(int(owner), 0)
            continue  # its process still runs
        except ProcessLookupError:
            pass
        except OSError:  # e.g. not ours to signal: it exists
            continue
        try:
            if now - entry.stat().st_mtime < _ORPHAN_AGE_S:
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)


class Chromium:
    """One headless browser, driven over a pipe. Use as a context manager."""

    def __init__(
        self, binary: str | None = None, timeout: float = 120.0, wait: bool = True
    ) -> None:
        """Start the browser. With ``wait=False`` this returns as soon as the process is
        spawned, so the caller can do other work (render the page) while Chromium starts up;
        the first :meth:`load` (or :meth:`ready`) then waits for it."""
        binary = binary or find_chromium()
        if binary is None:
            raise FollowupError(CHROMIUM_HINT)
        self.timeout = timeout
        _remove_orphaned_profiles()
        self._profile = tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser reads commands on fd 3 and writes replies on fd 4 (setpriv's death signal
        # survives the exec of Chromium).
        cmd = _command(binary, self._profile)
        setpriv = shutil.which("setpriv")
        if setpriv:
            cmd = [setpriv, "--pdeathsig", "KILL", "--", *cmd]

        def to_fds_3_and_4() -> None:  # in the child, before exec; high copies avoid clashes
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        env = dict(os.environ, TMPDIR=_short_tmp())
        try:
            self.process = subprocess.Popen(
                cmd,
                env=env,
                pass_fds=(3, 4),
                preexec_fn=to_fds_3_and_4,  # noqa: PLW1509 (only dup2 calls)
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None if os.environ.get("FOLLOWUP_CHROMIUM_DEBUG") else subprocess.DEVNULL,
                start_new_session=True,  # its own process group: close() kills the whole tree
            )
        except (OSError, subprocess.SubprocessError) as exc:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise FollowupError(f"{CHROMIUM_HINT} ({exc})") from exc
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)
        atexit.register(self.close)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self.session: str | None = None
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until the browser answers and has a page to drive (idempotent)."""
        if self.session is not None:
            return
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
            self.session = attached["sessionId"]
            self.call("Page.enable")
        except Exception:
            self.close()
            raise

    # -- protocol -------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise FollowupError(
                    "Chromium timed out; the report may be too large for PDF/PNG — "
                    "write .html or .xlsx instead"
                )
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise FollowupError(f"{CHROMIUM_HINT} (the browser exited)")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self._next_id += 1
        msg: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except BrokenPipeError as exc:
            raise FollowupError(f"{CHROMIUM_HINT} (the browser exited)") from exc
        except OSError as exc:
            raise FollowupError(f"{CHROMIUM_HINT} ({exc})") from exc
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise FollowupError(f"Chromium {method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    return self._events.pop(i)
            reply = self._read_message(deadline)
            if "method" in reply:
                self._events.append(reply)

    # -- pages ----------------------------------------------------------------------------
    def load(
        self,
        page: str,
        width: int = 1280,
        height: int = 800,
        mobile: bool = False,
        wait: bool = True,
    ) -> None:
        """Show an HTML page (from a private temporary file) in a ``width``×``height`` window.
        With ``wait=False`` it returns once the navigation has started; call :meth:`loaded`
        before using the page (the caller can work meanwhile)."""
        self.ready()
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        folder = Path(self._profile) / "pages"
        folder.mkdir(exist_ok=True)
        path = folder / f"page-{self._next_id}.html"
        path.write_text(page, encoding="utf-8")
        self._events.clear()
        self.call("Page.navigate", {"url": path.as_uri()})
        if wait:
            self.loaded()

    def loaded(self) -> None:
        """Wait for the page started by :meth:`load` to finish loading."""
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The JSON value of a JavaScript expression in the loaded page."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            detail = result["exceptionDetails"]
            text = detail.get("exception", {}).get("description") or detail.get("text")
            raise FollowupError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def pdf(self, header: str = "", footer: str = "", margin_inches: float = 0.4) -> bytes:
        """The loaded page printed on A4 landscape, backgrounds kept, header/footer templates
        (Chromium's ``pageNumber``/``totalPages`` classes fill in the numbers)."""
        width, height = A4_LANDSCAPE_INCHES
        params = {
            "landscape": False,  # the paper size below is already landscape
            "paperWidth": width,
            "paperHeight": height,
            "printBackground": True,
            "marginTop": margin_inches + (0.25 if header else 0),
            "marginBottom": margin_inches + (0.25 if footer else 0),
            "marginLeft": margin_inches,
            "marginRight": margin_inches,
            "displayHeaderFooter": bool(header or footer),
            "headerTemplate": header or "<span></span>",
            "footerTemplate": footer or "<span></span>",
        }
        return base64.b64decode(self.call("Page.printToPDF", params)["data"])

    def screenshot(self, selector: str = "main", scale: float = 1.0, pad: int = 16) -> bytes:
        """A PNG of one element (the whole of it, beyond the window)."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width,"
            " r.height]; })()"
        )
        x, y, w, h = box
        clip = {
            "x": max(x - pad, 0),
            "y": max(y - pad, 0),
            "width": w + 2 * pad,
            "height": h + 2 * pad,
            "scale": scale,
        }
        result = self.call(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
        )
        return base64.b64decode(result["data"])

    # -- lifetime -------------------------------------------------------------------------
    def close(self, wait: bool = True) -> None:
        """Kill the browser's whole process group and remove its profile (idempotent).

        The kill is always immediate. With ``wait=False`` reaping the browser and removing its
        profile (~0.2 s) happen in a background thread while the caller goes on; the process
        joins such threads before it exits."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        process = getattr(self, "process", None)
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        for fd in ("_to_browser", "_from_browser"):
            value = getattr(self, fd, None)
            if value is not None:
                with contextlib.suppress(OSError):
                    os.close(value)
                setattr(self, fd, None)
        atexit.unregister(self.close)
        if wait:
            self._reap()
            return
        _CLEANUPS[:] = [t for t in _CLEANUPS if t.is_alive()]
        thread = threading.Thread(target=self._reap, name="chromium-cleanup", daemon=True)
        thread.start()
        _CLEANUPS.append(thread)

    def _reap(self) -> None:
        process = getattr(self, "process", None)
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
