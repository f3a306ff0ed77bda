"""The domain never imports Dagster: notebooks and `followup sql` start fast, and the stages stay
testable on their own. Only pipelines.orchestration, assets/ and checks' asset checks may."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pipelines

REPO = Path(__file__).resolve().parents[1]
WIRING = ("pipelines.orchestration", "pipelines.cli")


def _domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(pipelines.__path__, "pipelines."):
        if not info.name.startswith(WIRING):
            names.append(info.name)
    return names


def test_the_domain_imports_without_dagster():
    modules = _domain_modules()
    assert "pipelines.query" in modules and "pipelines.read.pdf" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    assert 'dagster' not in sys.modules, name\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_cli_imports_dagster_only_for_commands_that_run_it():
    code = "import sys, pipelines.cli\nassert 'dagster' not in sys.modules\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
