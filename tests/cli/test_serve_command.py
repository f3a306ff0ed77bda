"""`followup serve` starts a server on the lake; binding beyond this machine warns."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_and_warns_when_bound_to_every_address(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "serve",
            "--lake",
            str(tmp_path / "lake"),
            "--port",
            str(port),
            "--host",
            "0.0.0.0",
            "--no-reports",
        ],  # fmt: skip
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/oversikt") as response:
                    page = response.read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "followup serve did not answer"
                time.sleep(0.2)
        assert "Sjön är tom" in page  # an empty lake, in Swedish
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "warning: binding 0.0.0.0" in err
    assert f"http://0.0.0.0:{port}/" in out
