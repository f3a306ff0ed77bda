"""Each organisation is derived on its own: the same tables as deriving every organisation at once,
a new period of one organisation rewrites that organisation's files only, organisations do not
wait for each other's locks, and a lake of the older layout (one history file) moves over with
its contents unchanged."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from checks.schemas import conform
from pipelines.cli import main
from pipelines.derive.refresh import (
    derive_org,
    derive_orgs,
    derived_from,
    history_files,
    is_up_to_date,
    read_history,
)
from pipelines.derive.tables import history_tables, link_snapshots
from pipelines.ingest.period import build_snapshot, register_report
from pipelines.lake.store import Lake
from pipelines.synthetic.org_reports import org_name, write_org_reports

REPO = Path(__file__).resolve().parents[2]
PERIODS = [
    ("2024-Q1", dt.date(2024, 4, 10)),
    ("2024-Q2", dt.date(2024, 7, 8)),
    ("2024-Q3", dt.date(2024, 10, 9)),
    ("2024-Q4", dt.date(2025, 1, 14)),
]
ORGS = 3
DERIVED = ("history", "links", "activities", "transitions", "delays", "promises")


def ingest_files(lake: Lake, files: list[Path]) -> None:
    for path in files:
        registration, _ = register_report(lake, path)
        build_snapshot(lake, registration.org, registration.period)


@pytest.fixture
def lake(tmp_path) -> Lake:
    """Three made-up organisations (not the bundled report's words), three quarters each,
    committed; the fourth quarter's files are kept aside in ``<tmp>/later``."""
    store = Lake(tmp_path / "lake")
    for k in range(ORGS):
        files = write_org_reports(tmp_path / "files", k, PERIODS, activities=10)
        ingest_files(store, files[:-1])
        (tmp_path / "later").mkdir(exist_ok=True)
        files[-1].rename(tmp_path / "later" / files[-1].name)
    return store


def files_of(lake: Lake, tables=DERIVED + ("snapshots",)) -> dict[str, tuple[int, int]]:
    """Every derived file → (inode, mtime): a rewrite (write aside, rename) changes both."""
    found = {}
    for table in tables:
        for path in (lake.root / table).rglob("*"):
            if path.is_file():
                stat = path.stat()
                found[str(path.relative_to(lake.root))] = (stat.st_ino, stat.st_mtime_ns)
    return found


def table(lake: Lake, name: str) -> pl.DataFrame:
    files = sorted((lake.root / name).glob("org=*/**/*.parquet"))
    frame = pl.concat([pl.read_parquet(f) for f in files], how="vertical")
    return frame.sort(frame.columns, nulls_last=True)


def test_each_org_alone_gives_the_tables_of_all_orgs_at_once(lake):
    summaries = derive_orgs(lake, workers=2)
    assert [s["org"] for s in summaries] == [org_name(k) for k in range(ORGS)]
    snapshots, _ = lake.read_snapshots()
    together = link_snapshots(snapshots)  # every org in one call: what the lake did before
    expected = {
        "history": conform(together.snapshots, "history"),
        "links": conform(together.links, "links"),
        "activities": conform(together.activities, "activities"),
        **{n: conform(f, n) for n, f in history_tables(together.snapshots).items()},
    }
    for name, frame in expected.items():
        assert table(lake, name).equals(frame.sort(frame.columns, nulls_last=True)), name
    assert read_history(lake).height == snapshots.height
    # one history file per org and period, and each org's record of what it was made from
    assert len(history_files(lake)) == ORGS * 3
    for k in range(ORGS):
        assert sorted(derived_from(lake, org_name(k))) == ["2024-Q1", "2024-Q2", "2024-Q3"]
    # in parallel or one after the other: the same files
    before = {k: v for k, v in files_of(lake).items()}
    derive_orgs(lake, workers=1)
    assert files_of(lake) == before  # nothing changed, so nothing was rewritten


def test_a_new_period_rewrites_only_its_own_organisation(lake, tmp_path):
    derive_orgs(lake, workers=1)
    before = files_of(lake)
    first = org_name(0)
    ingest_files(lake, sorted((tmp_path / "later").glob(f"{first}_*")))
    summary = derive_org(lake, first)
    assert summary["rows"] == 4 * 10
    after = files_of(lake)
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed, "the new period was written"
    assert all(f"org={first}/" in path for path in changed), sorted(changed)
    # the org's earlier history periods kept their files: a quarter adds one history file
    history = {p for p in changed if p.startswith("history/")}
    assert history == {
        f"history/org={first}/period=2024-Q4/data.parquet",
        f"history/org={first}/_derived.json",
    }
    assert is_up_to_date(lake, first, "2024-Q4")


CHILD = """
import sys
from pathlib import Path
from pipelines.ingest.period import build_snapshot, register_report
from pipelines.lake.store import Lake
lake = Lake(sys.argv[1])
registration, _ = register_report(lake, Path(sys.argv[2]))
print(build_snapshot(lake, registration.org, registration.period)["outcome"], flush=True)
"""


def test_organisations_do_not_wait_for_each_others_lock(lake, tmp_path):
    """While one organisation's lock is held, another organisation's file is committed; the
    held organisation's own file waits for its lock and then commits too."""
    later = {k: next((tmp_path / "later").glob(f"{org_name(k)}_*")) for k in (0, 1)}

    def start(path: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, str(lake.root), str(path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    with lake.lock(org_name(0)):
        held, free = start(later[0]), start(later[1])
        out, errors = free.communicate(timeout=120)
        assert free.returncode == 0, errors[-2000:]
        assert out.strip() == "new"
        time.sleep(2)  # the held org's child has long finished starting: it waits for the lock
        assert held.poll() is None, "an organisation's commit did not wait for its lock"
        assert lake.committed_version(org_name(0), "2024-Q4") is None
    out, errors = held.communicate(timeout=120)
    assert held.returncode == 0, errors[-2000:]
    assert out.strip() == "new"
    assert lake.committed_version(org_name(0), "2024-Q4")["rows"] == 10


def test_rebuild_moves_an_old_lake_to_per_org_history_with_the_same_contents(lake, capsys):
    derive_orgs(lake, workers=1)
    contents = {name: table(lake, name) for name in DERIVED}
    # the layout before: every org's history in one file, one record of every org's periods
    legacy = read_history(lake)
    record = {f"{o}/{p}": s for o in lake.orgs() for p, s in derived_from(lake, o).items()}
    for path in history_files(lake):
        path.unlink()
    for org in lake.orgs():
        (lake.root / "history" / f"org={org}" / "_derived.json").unlink()
        for folder in (lake.root / "history" / f"org={org}").iterdir():
            folder.rmdir()
        (lake.root / "history" / f"org={org}").rmdir()
    legacy.write_parquet(lake.root / "history" / "data.parquet")
    (lake.root / "history" / "_derived.json").write_text(json.dumps(record), encoding="utf-8")
    # an old lake still knows what is derived before it is moved
    assert is_up_to_date(lake, org_name(1), "2024-Q2")
    assert main(["rebuild", "--lake", str(lake.root)]) == 0
    assert "moved history/data.parquet" in capsys.readouterr().out
    assert not (lake.root / "history" / "data.parquet").exists()
    assert not (lake.root / "history" / "_derived.json").exists()
    for name in DERIVED:
        assert table(lake, name).equals(contents[name]), name
    assert len(history_files(lake)) == ORGS * 3
    assert all(is_up_to_date(lake, o, p) for o, p in lake.periods("raw"))
