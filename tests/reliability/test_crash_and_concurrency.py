"""Kill a real ingest (SIGKILL) at every fault point and at 50 moments spread evenly over its
measured duration; after each kill the period is wholly old or wholly new, the history agrees
with the snapshots, and the next run completes it leaving nothing behind. Concurrent ingests are
serialised.

The kills hit child processes forked by a warm worker (tests/reliability/crash_worker.py), so a
kill costs milliseconds instead of an interpreter start; the CLI path is killed once too.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines.derive.refresh import derived_from, is_up_to_date, read_history
from pipelines.lake.store import FAULT_POINTS, Lake, sha256_file
from tests.reliability.crash_worker import ingest

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
REPO = Path(__file__).resolve().parents[2]
ORG, BEFORE, PERIOD = "region-x", "2022-Q1", "2022-Q2"
ROWS = 40
MOMENTS = 50


def report(path: Path, status: str, bad_row: int, bad_word: str) -> Path:
    """A report of ROWS activities, one of them with a status word that is quarantined."""
    lines = ["Målområde;Aktivitet;Verksamhet;Status;Kommentar"]
    for i in range(1, ROWS + 1):
        word = bad_word if i == bad_row else status
        lines.append(
            f"Trygghet;Aktivitet {i} om bredband i glesbygd;Samhällsbyggnad;{word};Läge {i}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Worker:
    """The warm worker: each run() is one real ingest in its own (forked) process."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_worker"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "FOLLOWUP_CRASH_AT"},
        )
        assert json.loads(self.process.stdout.readline()) == {"ready": True}

    def start(self, lake: Path, file: Path, crash_at: str | None = None) -> int:
        request = [str(lake), str(file), ORG, PERIOD, crash_at]
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["pid"]

    def result(self) -> dict:
        return json.loads(self.process.stdout.readline())

    def run(self, lake: Path, file: Path, crash_at: str | None = None, kill_after=None) -> dict:
        pid = self.start(lake, file, crash_at)
        if kill_after is not None:
            time.sleep(kill_after)
            with contextlib.suppress(ProcessLookupError):  # it may have finished already
                os.kill(pid, signal.SIGKILL)
        return self.result()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def worker():
    started = Worker()
    yield started
    started.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    return {
        "q1": report(folder / "q1.csv", "Grönt", 2, "svart"),
        "a": report(folder / "a.csv", "Grönt", 3, "blå"),
        "b": report(folder / "b.csv", "Gult", 5, "lila"),
    }


def fresh_lake(tmp_path: Path, files) -> Path:
    lake = tmp_path / "lake"
    store = Lake(lake)
    from pipelines.ingest.period import build_snapshot, register_report

    registration, _ = register_report(store, files["q1"], ORG, BEFORE)
    build_snapshot(store, ORG, BEFORE)
    ingest(str(lake), str(files["a"]), ORG, PERIOD)
    return lake


def shas(frame: pl.DataFrame) -> list[str]:
    return frame["source_sha256"].unique().to_list()


def check_after_kill(lake: Path, old: str, new: str) -> str:
    """The invariants right after a kill. Returns the phase the kill landed in."""
    store = Lake(lake)
    for path in lake.rglob("*.parquet"):
        # every visible file is whole (a version being written sits in a dot-named folder,
        # versions/…/.v<N>.tmp-…/, until its one rename: that is the commit)
        if not any(part.startswith(".") for part in path.relative_to(lake).parts):
            pl.read_parquet(path)
    committed = store.committed_version(ORG, PERIOD)
    assert committed["source_sha256"] in {old, new}
    versions = sorted(store.version_dirs(ORG, PERIOD))
    assert versions == list(range(1, len(versions) + 1))  # no half-made version folder
    snapshot = pl.read_parquet(store.table_path("snapshots", ORG, PERIOD))
    quarantine = pl.read_parquet(store.table_path("quarantine", ORG, PERIOD))
    assert len(shas(snapshot)) == 1 and shas(snapshot)[0] in {old, new}
    assert len(shas(quarantine)) == 1 and shas(quarantine)[0] in {old, new}
    if committed["source_sha256"] == old:  # before the commit: nothing visible changed
        assert shas(snapshot) == shas(quarantine) == [old]
        assert store.snapshot_version(ORG, PERIOD) == committed
    scan = pl.scan_parquet(str(lake / "snapshots/**/*.parquet"), hive_partitioning=True)
    counts = scan.group_by("period").agg(pl.len(), pl.col("source_sha256").n_unique()).collect()
    assert sorted(counts.rows()) == [(BEFORE, ROWS - 1, 1), (PERIOD, ROWS - 1, 1)]
    history = read_history(Lake(lake))
    in_history = shas(history.filter(pl.col("period") == PERIOD))
    assert len(in_history) == 1 and in_history[0] in {old, new}
    if committed["source_sha256"] == old:
        return "before commit"
    if store.snapshot_version(ORG, PERIOD) != committed:
        return "committed, switching"
    if in_history != [new] or derived_from(store, ORG).get(PERIOD) != new:
        return "switched, deriving"
    return "done"


def check_complete(lake: Path, new: str) -> None:
    """The invariants after the next run: wholly new, consistent, nothing left behind."""
    store = Lake(lake)
    committed = store.committed_version(ORG, PERIOD)
    assert committed["source_sha256"] == new and not committed["blocked"]
    assert store.snapshot_version(ORG, PERIOD) == committed
    version_dir = store.version_dirs(ORG, PERIOD)[committed["version"]]
    quarantine = store.table_path("quarantine", ORG, PERIOD)
    assert quarantine.read_bytes() == (version_dir / "quarantine.parquet").read_bytes()
    snapshot = pl.read_parquet(store.table_path("snapshots", ORG, PERIOD))
    assert shas(snapshot) == [new] and shas(pl.read_parquet(quarantine)) == [new]
    history = read_history(Lake(lake))
    period_rows = history.filter(pl.col("period") == PERIOD)
    assert (
        period_rows.select("source_row", "status", "activity_id")
        .sort("source_row")
        .equals(snapshot.select("source_row", "status", "activity_id").sort("source_row"))
    )
    transitions = pl.read_parquet(lake / "transitions" / f"org={ORG}" / "data.parquet")
    # (a dropped activity's transition has no to_status: it is not in the snapshot)
    to_period = transitions.filter(
        (pl.col("to_period") == PERIOD) & pl.col("to_status").is_not_null()
    )
    assert set(to_period["to_status"].to_list()) == set(snapshot["status"].to_list())
    assert derived_from(store, ORG) == {
        BEFORE: shas(history.filter(pl.col("period") == BEFORE))[0],
        PERIOD: new,
    }
    assert is_up_to_date(store, ORG, PERIOD)
    assert not [p for p in lake.rglob("*") if ".tmp-" in p.name]


def test_killed_at_every_fault_point(worker, files, tmp_path):
    lake = fresh_lake(tmp_path, files)
    current = files["a"]
    for point in FAULT_POINTS:
        file = files["b"] if current == files["a"] else files["a"]
        old, new = sha256_file(current), sha256_file(file)
        outcome = worker.run(lake, file, crash_at=point)
        assert outcome["signal"] == signal.SIGKILL, (point, outcome)
        check_after_kill(lake, old, new)
        ingest(str(lake), str(file), ORG, PERIOD)  # the next run
        check_complete(lake, new)
        current = file


def test_killed_at_50_moments_spread_over_the_ingest(worker, files, tmp_path):
    lake = fresh_lake(tmp_path, files)
    durations, current = [], files["a"]
    for _ in range(3):  # measure a whole ingest (a real replacement of the period) in the worker
        file = files["b"] if current == files["a"] else files["a"]
        started = time.perf_counter()
        assert worker.run(lake, file) == {"signal": None, "code": 0}
        durations.append(time.perf_counter() - started)
        current = file
    # the fastest whole ingest: a later one may be as fast, and a kill after its end misses
    duration = min(durations)
    phases, killed = {}, 0
    for i in range(MOMENTS):
        file = files["b"] if current == files["a"] else files["a"]
        old, new = sha256_file(current), sha256_file(file)
        outcome = worker.run(lake, file, kill_after=duration * (i + 0.5) / MOMENTS)
        killed += outcome["signal"] == signal.SIGKILL
        phase = check_after_kill(lake, old, new)
        phases[phase] = phases.get(phase, 0) + 1
        ingest(str(lake), str(file), ORG, PERIOD)  # the next run
        check_complete(lake, new)
        current = file
    print(f"\ningest {duration:.2f} s; {killed}/{MOMENTS} killed; phases hit: {phases}")
    assert killed >= MOMENTS * 0.8, (killed, durations)
    # the kills really spread over the ingest: some before its commit, some while its org is
    # derived (the switch between them takes milliseconds: the fault-point test kills there)
    assert {"before commit", "switched, deriving"} <= set(phases), phases


def followup(*args, crash_at=None, wait=True):
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"}
    env.pop("DAGSTER_HOME", None)
    env.pop("FOLLOWUP_CRASH_AT", None)
    if crash_at:
        env["FOLLOWUP_CRASH_AT"] = crash_at
    command = [FOLLOWUP, *map(str, args)]
    if not wait:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_the_cli_finishes_a_commit_killed_after_its_commit_point(files, tmp_path):
    lake = tmp_path / "lake"
    args = ["--org", ORG, "--period", PERIOD, "--lake", lake]
    assert followup("ingest", files["a"], *args).returncode == 0
    crashed = followup("ingest", files["b"], *args, crash_at="after_commit")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    store = Lake(lake)
    assert store.committed_version(ORG, PERIOD)["source_sha256"] == sha256_file(files["b"])
    assert store.snapshot_version(ORG, PERIOD)["source_sha256"] == sha256_file(files["a"])
    assert not is_up_to_date(store, ORG, PERIOD)
    done = followup("ingest", files["b"], *args)  # the same file again is not "unchanged"
    assert done.returncode == 0, done.stderr
    assert is_up_to_date(store, ORG, PERIOD)
    snapshot = pl.read_parquet(store.table_path("snapshots", ORG, PERIOD))
    assert shas(snapshot) == [sha256_file(files["b"])]
    assert not [p for p in lake.rglob("*") if ".tmp-" in p.name]


def test_concurrent_ingests_of_different_and_same_periods(files, tmp_path):
    old, new = files["a"], files["b"]
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


def test_concurrent_ingests_of_different_organisations(files, tmp_path):
    """Three organisations at once, each through its own `followup ingest` process: each org's
    lock serialises only its own writers; every org ends complete and derived."""
    lake = tmp_path / "lake"
    orgs = ["region-a", "region-b", "region-c"]
    runs = [
        followup("ingest", files["a"], "--org", org, "--period", PERIOD, "--lake", lake, wait=False)
        for org in orgs
    ]
    for process in runs:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    store = Lake(lake)
    history = read_history(store)
    assert sorted(history["org"].unique().to_list()) == orgs
    sha = sha256_file(files["a"])
    for org in orgs:
        assert is_up_to_date(store, org, PERIOD)
        assert derived_from(store, org) == {PERIOD: sha}
        assert history.filter(pl.col("org") == org).height == ROWS - 1
        assert store.table_path("transitions", org).exists()
    assert not list(lake.rglob(".*.tmp-*"))
