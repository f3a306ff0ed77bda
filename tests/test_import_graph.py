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


# The stages, from the top down: a module may import its own stage and the stages below it.
STAGES = [
    "cli",
    "serve",
    "orchestration",
    "deploy",
    "report",
    "query",
    "derive",
    "link",
    "ingest",
    "lake",
    "read",
    "swedish",
    "core",
]


def _imports(path: Path) -> list[str]:
    import ast

    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def test_imports_run_one_way_down_the_stages_and_never_into_the_simulator():
    package = REPO / "pipelines"
    wrong = []
    for path in sorted(package.rglob("*.py")):
        stage = path.relative_to(package).with_suffix("").parts[0]
        if stage not in STAGES:
            assert stage in {"synthetic", "__init__"}, f"{path}: a folder the layout does not name"
            continue
        for name in _imports(path):
            if not name.startswith("pipelines."):
                continue
            target = name.split(".")[1]
            if target == "synthetic" or (
                target in STAGES and STAGES.index(target) < STAGES.index(stage)
            ):
                wrong.append(f"{path.relative_to(REPO)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_followup_sql_needs_neither_dagster_nor_polars(tmp_path):
    """`followup sql` is what notebook users and analysts start most: DuckDB alone prints it."""
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        f"code = main(['sql', 'SELECT 1 AS one', '--lake', {str(tmp_path)!r}])\n"
        "assert code == 0, code\n"
        "assert 'dagster' not in sys.modules and 'polars' not in sys.modules, 'heavy import'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "one" in done.stdout and "1" in done.stdout
