"""The headless Chromium behind PDF/PNG: driven over a pipe (no debugging port for other
processes to find) and gone when its user goes, even when that process is killed mid-render."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pipelines.report.chromium import (
    PROFILE_PREFIX,
    Chromium,
    _remove_orphaned_profiles,
    find_chromium,
)
from pipelines.synthetic.report_sample import write_sample_lake


def _processes_marked(mark: str) -> list[int]:
    """Processes whose environment holds FOLLOWUP_TEST_MARK=mark (Chromium's children inherit
    it), whoever their parent is now."""
    needle = f"FOLLOWUP_TEST_MARK={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _session(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[3])  # field 6: session id


def _browser_tree(mark: str) -> list[int]:
    """The marked processes and every process in their sessions (the zygote and renderers do
    not keep the browser's environment, but stay in the session it was started in), leaving
    out this test's own session."""
    marked = _processes_marked(mark)
    sessions = {_session(p) for p in marked} - {os.getsid(0), None}
    tree = set(marked)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _session(int(entry.name)) in sessions:
            tree.add(int(entry.name))
    return sorted(tree)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


@pytest.fixture(autouse=True)
def _needs_chromium():
    if find_chromium() is None:
        pytest.fail("Chromium is not installed (apt-get install -y chromium)")


def test_debugging_runs_over_a_pipe_and_no_browser_process_listens(tmp_path, monkeypatch):
    mark = tmp_path.name
    monkeypatch.setenv("FOLLOWUP_TEST_MARK", mark)
    with Chromium() as browser:
        browser.load("<main><h1>Hej</h1></main>")
        assert browser.evaluate("document.querySelector('h1').textContent") == "Hej"
        pids = _browser_tree(mark)
        assert len(pids) >= 3  # browser, zygote, renderer, …
        cmdlines = [_cmdline(p) for p in pids]
        assert any(b"--remote-debugging-pipe" in c for c in cmdlines)
        assert not any(b"--remote-debugging-port" in c for c in cmdlines)
        assert not any(b"--remote-allow-origins" in c for c in cmdlines)
        listening = _listening_inodes()
        assert all(not (_socket_inodes(p) & listening) for p in pids)
    deadline = time.monotonic() + 10
    while _browser_tree(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _browser_tree(mark) == []  # close() took the whole tree


def test_a_report_killed_mid_render_leaves_no_chromium(tmp_path):
    """SIGKILL: no handler, atexit or finally of the report runs; only the kernel's death
    signal can take the browser down (SIGTERM ends Python the same way, without cleanup)."""
    sig = signal.SIGKILL
    lake = write_sample_lake(tmp_path / "lake")
    mark = f"{tmp_path.name}-{sig}"
    out = tmp_path / "uppfoljning.pdf"
    env = dict(os.environ, FOLLOWUP_TEST_MARK=mark)
    command = [
        sys.executable,
        "-c",
        "from pipelines.cli import entry_point; entry_point()",
        "report",
        "--lake",
        str(lake),
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the browser tree is up and rendering
            if any(b"--type=renderer" in _cmdline(p) for p in _browser_tree(mark)):
                break
            assert proc.poll() is None, proc.stderr.read().decode()[-800:]
            time.sleep(0.02)
        else:
            pytest.fail("Chromium never started")
        assert len(_browser_tree(mark)) >= 3 + 1  # the report and its browser tree
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 15
    while _browser_tree(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _browser_tree(mark) == []
    assert not out.exists()  # nothing half-written either
    # its profile is left behind (no cleanup ran) and goes when the next browser starts
    leftover = list(Path(tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}{proc.pid}-*"))
    assert len(leftover) == 1
    old = time.time() - 3600
    os.utime(leftover[0], (old, old))
    with Chromium(wait=False):
        pass
    assert not leftover[0].exists()


def test_only_orphaned_profiles_are_removed(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    old = time.time() - 3600
    names = {
        "orphan": f"{PROFILE_PREFIX}{dead}-abc",
        "fresh": f"{PROFILE_PREFIX}{dead}-def",  # its process may just have died: wait
        "alive": f"{PROFILE_PREFIX}{os.getppid()}-ghi",
        "other": f"{PROFILE_PREFIX}_2lgp71a",  # not named after a process: not ours to judge
    }
    for key, name in names.items():
        (tmp_path / name / "Default").mkdir(parents=True)
        if key != "fresh":
            os.utime(tmp_path / name, (old, old))
    _remove_orphaned_profiles(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        names[k] for k in ("fresh", "alive", "other")
    )


def test_close_without_waiting_kills_now_and_cleans_up_before_exit(tmp_path):
    """close(wait=False) (the ingest's writers use it): the browser is killed at once, its
    profile goes in the background, and a process that exits right away still removes it."""
    mark = tmp_path.name
    script = (
        "import os, signal\n"
        "from pipelines.report.chromium import Chromium\n"
        "b = Chromium()\n"
        "b.load('<main>Hej</main>')\n"
        "pid = b.process.pid\n"
        "b.close(wait=False)\n"
        "try:\n"
        "    os.killpg(pid, 0)\n"  # the group may still be exiting, but no longer runs
        "except ProcessLookupError:\n"
        "    pass\n"
        "print(b._profile, flush=True)\n"
    )
    env = dict(os.environ, FOLLOWUP_TEST_MARK=mark)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-800:]
    profile = Path(done.stdout.strip().splitlines()[-1])
    assert profile.name.startswith("followup-chromium-")
    assert not profile.exists()  # removed before the interpreter exited
    deadline = time.monotonic() + 10
    while _browser_tree(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _browser_tree(mark) == []
