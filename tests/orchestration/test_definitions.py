import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_dagster_loads_the_code_location_from_pyproject():
    """What `dagster dev` does first: load [tool.dagster] module_name and validate it."""
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(
        [str(dagster), "definitions", "validate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location followup" in done.stdout + done.stderr
