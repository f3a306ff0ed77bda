import os
from pathlib import Path

import pytest

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]

SWEDISH_CSV = """Målområde;Aktivitet;Verksamhet;Status;Kommentar
Hållbar utveckling;Genomföra projektet omställning Västmanland;Hållbarhet;Grönt;Arbetet pågår enligt plan.
Hållbar utveckling;Samordning av Agenda 2030;Hållbarhet; GULT ;Otydlig ansvarsfördelning med Länsstyrelsen.
Ett välmående Västmanland;Ta fram en länsövergripande handlingsplan;Folkhälsa;rött;Kommer inte att genomföras.
Ett välmående Västmanland;Stödja systematisk uppföljning;Välfärd;;
"""


@pytest.fixture
def lake_dir(tmp_path: Path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def swedish_csv(tmp_path: Path) -> Path:
    path = tmp_path / "region-test_2022-07-07.csv"
    path.write_text(SWEDISH_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory) -> Path:
    """The demo's lake (real report + synthetic periods), built once through the CLI."""
    from pipelines.cli import main

    lake = tmp_path_factory.mktemp("demo") / "lake"
    assert main(["demo", "--lake", str(lake)]) == 0
    return lake


@pytest.fixture(autouse=True)
def _no_leftover_dagster_state_storage():
    """Each test starts without a Dagster definitions-state storage in the context.

    Dagster keeps the entered instance's state storage in a context variable; when a test's code
    leaves one behind after that instance is gone, a later ``materialize`` in the same process
    fails with "Attempted to resolve undefined DagsterInstance weakref" (seen in the full suite,
    never in a test alone). Nothing is imported when no test has loaded Dagster yet.
    """
    import sys

    if "dagster" in sys.modules:
        from dagster._core.storage.defs_state.base import _current_storage

        _current_storage.set(None)
    yield
