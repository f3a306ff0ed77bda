"""The first hour of a new user: `./run demo` on a fresh clone, `./run dev` on the demo lake.

Both run the real script as a subprocess, the way the README tells a new user to.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _uv_cache() -> str:
    """The uv cache this machine already has: the clone downloads nothing twice (speed only)."""
    uv = shutil.which("uv") or str(REPO / ".tools/uv/bin/uv")
    done = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _path_without_uv() -> str:
    parts = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(p for p in parts if p and not (Path(p) / "uv").exists())


def test_demo_on_a_fresh_clone_with_an_empty_home(tmp_path):
    clone = tmp_path / "followup"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    # The machine's environment (proxy certificates included) with an empty home, no uv on
    # PATH and nothing of this test run's virtual environment or lake.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "VIRTUAL_ENV", "FOLLOWUP_", "DAGSTER_", "PYTEST"))
    }
    env.update(HOME=str(home), PATH=_path_without_uv(), UV_CACHE_DIR=_uv_cache())
    done = subprocess.run(
        ["./run", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert not re.search(r"(?im)^\s*(warning|deprecat)|warning:|userwarning", output), output
    assert "installing uv into .tools/uv" in done.stderr  # no uv on PATH: bootstrapped locally
    assert "installing dependencies" in done.stderr
    for k in range(1, 5):
        assert f"[{k}/4]" in done.stdout
    for label in (
        "files read",
        "rows",
        "quarantined",
        "links",
        "to review",
        "transitions",
        "report",
        "lake",
    ):
        assert re.search(rf"(?m)^  {re.escape(label)}", done.stdout), label
    assert re.search(r"(?m)^Try next:\n  ./run review", done.stdout)
    report = re.search(r"(?m)^  report\s+(\S+\.html)$", done.stdout)
    assert report and Path(report.group(1)).is_file()
    assert Path(report.group(1)).is_relative_to(clone / "data_lake")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CHECKS_QUERY = """{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks {
  checks { name executionForLatestMaterialization { status } } } } } }"""


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dev_ui_on_the_demo_lake_shows_no_failed_check(demo_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(demo_lake, lake)
    port = _free_port()
    env = {**os.environ, "FOLLOWUP_LAKE": str(lake)}
    env.pop("DAGSTER_HOME", None)
    log = (tmp_path / "dev.log").open("w")
    process = subprocess.Popen(
        ["./run", "dev", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        result = None
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "dev.log").read_text()[-3000:]
            try:
                result = _graphql(port, CHECKS_QUERY)
                break
            except OSError:
                time.sleep(1)
        assert result is not None, "the webserver did not answer"
        outcomes = {
            check["name"]: (check["executionForLatestMaterialization"] or {}).get("status")
            for node in result["data"]["assetNodes"]
            for check in (node["assetChecksOrError"] or {}).get("checks", [])
        }
        assert outcomes, result
        assert all(status is not None for status in outcomes.values()), outcomes
        assert "FAILED" not in outcomes.values(), outcomes
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    text = (tmp_path / "dev.log").read_text()
    assert "SupersessionWarning" not in text and "DeprecationWarning" not in text, text[-2000:]


def test_notebook_command_serves_the_notebooks_with_the_lake(tmp_path):
    lake = tmp_path / "lake"
    (lake / "snapshots").mkdir(parents=True)
    port = _free_port()
    env = {**os.environ, "FOLLOWUP_LAKE": str(lake), "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    process = subprocess.Popen(
        ["./run", "notebook", "--no-browser", f"--port={port}", "--IdentityProvider.token=t"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        listing = None
        while time.monotonic() < deadline and listing is None:
            assert process.poll() is None
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token=t"
                with urllib.request.urlopen(url, timeout=5) as response:
                    listing = json.load(response)
            except OSError:
                time.sleep(1)
        assert listing is not None, "JupyterLab did not answer"
        names = {item["name"] for item in listing["content"]}
        assert "history_walkthrough.ipynb" in names
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
