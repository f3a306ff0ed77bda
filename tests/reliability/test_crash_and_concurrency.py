"""Kill the ingest mid-write (real subprocesses, SIGKILL) and run ingests at once: nothing is
half-written, the lake holds the old state or the new one, and the next run completes it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines.lake.store import Lake, sha256_file

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
ORG, PERIOD = "region-x", "2022-Q2"


def followup(*args, crash_at=None, wait=True):
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"}
    env.pop("DAGSTER_HOME", None)
    if crash_at:
        env["FOLLOWUP_CRASH_AT"] = crash_at
    command = [FOLLOWUP, *map(str, args)]
    if not wait:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


def report(path: Path, status: str, rows: int = 200) -> Path:
    lines = ["Aktivitet;Verksamhet;Status;Kommentar"]
    lines += [f"Aktivitet {i};Välfärd;{status};Kommentar {i} om läget" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_consistent(lake_dir: Path, allowed: set[str]) -> str:
    """Every visible Parquet file is whole; the period is seen once, from an allowed file."""
    for path in lake_dir.rglob("*.parquet"):
        pl.read_parquet(path)  # raises on a torn file
    snapshots = pl.scan_parquet(
        str(lake_dir / "snapshots/**/*.parquet"), hive_partitioning=True
    ).collect()
    shas = snapshots["source_sha256"].unique().to_list()
    assert len(shas) == 1 and shas[0] in allowed, shas
    assert snapshots.height == snapshots["source_row"].n_unique()
    return shas[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    old = report(folder / "old" / f"{ORG}_2022-07-07.csv" if False else folder / "old.csv", "Grönt")
    new = report(folder / "new.csv", "Gult")
    return old, new


@pytest.fixture(scope="module")
def base_lake(tmp_path_factory, files):
    lake = tmp_path_factory.mktemp("base") / "lake"
    done = followup("ingest", files[0], "--org", ORG, "--period", PERIOD, "--lake", lake)
    assert done.returncode == 0, done.stderr
    return lake


@pytest.mark.parametrize(
    "point", ["before_rename", "after_versions", "after_quarantine", "after_snapshot"]
)
def test_killed_while_replacing_a_period(point, base_lake, files, tmp_path):
    old, new = files
    lake = tmp_path / "lake"
    shutil.copytree(base_lake, lake)
    crashed = followup(
        "ingest", new, "--org", ORG, "--period", PERIOD, "--lake", lake, crash_at=point
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert_consistent(lake, {sha256_file(old), sha256_file(new)})

    done = followup("ingest", new, "--org", ORG, "--period", PERIOD, "--lake", lake)
    assert done.returncode == 0, done.stderr
    assert assert_consistent(lake, {sha256_file(new)}) == sha256_file(new)
    store = Lake(lake)
    version = store.snapshot_version(ORG, PERIOD)
    assert version["source_sha256"] == sha256_file(new) and version["version"] == 2
    kept = pl.read_parquet(store.partition_dir("versions", ORG, PERIOD) / "v1/snapshot.parquet")
    assert kept["source_sha256"].unique().to_list() == [sha256_file(old)]
    quarantine = pl.read_parquet(store.table_path("quarantine", ORG, PERIOD))
    assert quarantine.is_empty()
    assert not list(lake.rglob(".*.tmp-*"))  # leftovers of the killed writer are gone


def test_killed_at_an_arbitrary_moment(base_lake, files, tmp_path):
    old, new = files
    big = report(tmp_path / "big.csv", "Rött", rows=3_000)
    lake = tmp_path / "lake"
    shutil.copytree(base_lake, lake)
    process = followup("ingest", big, "--org", ORG, "--period", PERIOD, "--lake", lake, wait=False)
    time.sleep(3.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert_consistent(lake, {sha256_file(old), sha256_file(big)})
    done = followup("rebuild", "--lake", lake)
    if Lake(lake).current_registration(ORG, PERIOD).source_sha256 == sha256_file(big):
        assert done.returncode == 0, done.stderr
        assert assert_consistent(lake, {sha256_file(big)})


def test_concurrent_ingests_of_different_and_same_periods(files, tmp_path):
    old, new = files
    lake = tmp_path / "lake"
    runs = [
        followup("ingest", old, "--org", ORG, "--period", "2022-Q2", "--lake", lake, wait=False),
        followup("ingest", new, "--org", ORG, "--period", "2022-Q3", "--lake", lake, wait=False),
        followup("ingest", new, "--org", ORG, "--period", "2022-Q2", "--lake", lake, wait=False),
    ]
    for process in runs:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    store = Lake(lake)
    for period in ("2022-Q2", "2022-Q3"):
        registration = store.current_registration(ORG, period)
        version = store.snapshot_version(ORG, period)
        assert version["source_sha256"] == registration.source_sha256
        snapshot = pl.read_parquet(store.table_path("snapshots", ORG, period))
        assert snapshot["source_sha256"].unique().to_list() == [registration.source_sha256]
    log = (store.partition_dir("raw", ORG, "2022-Q2") / "registrations.jsonl").read_text("utf-8")
    assert len([json.loads(line) for line in log.splitlines()]) == 2
    assert not list(lake.rglob(".*.tmp-*"))
