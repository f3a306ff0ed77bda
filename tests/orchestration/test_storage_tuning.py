"""The lake instance's storage tuning: same databases as Dagster's own, fewer syncs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy

from pipelines.lake.store import Lake
from pipelines.orchestration import storage_tuning
from pipelines.orchestration.runner import dagster_instance
from tests.orchestration.test_runner import REPO, WORKER, _env

sys.path.insert(0, str(WORKER.parent))
from dagster_worker import greeting, greeting_not_empty  # noqa: E402

sys.path.remove(str(WORKER.parent))


def _databases(home: Path) -> dict[str, Path]:
    """Each SQLite database of an instance by its role (a run's own database as 'run')."""
    found = {}
    for path in home.rglob("*.db"):
        role = path.name if path.stem in ("runs", "index", "schedules") else "run"
        assert role not in found, f"two run databases in {home}"
        found[role] = path
    return found


def _schema(path: Path) -> tuple:
    with sqlite3.connect(path) as connection:
        objects = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 2"
        ).fetchall()
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
    return objects, revision, journal


def test_a_tuned_new_lake_has_the_same_databases_as_dagster_alone_creates(tmp_path):
    """Same tables, indexes, alembic revision and WAL mode, with and without the tuning."""
    workers = {
        tuning: subprocess.Popen(
            [sys.executable, str(WORKER), str(tmp_path / f"lake-{tuning}")],
            cwd=REPO,
            env=_env(tuning),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tuning in ("1", "0")
    }
    homes = {}
    for tuning, worker in workers.items():
        _, stderr = worker.communicate(timeout=180)
        assert worker.returncode == 0, stderr
        homes[tuning] = _databases(tmp_path / f"lake-{tuning}" / ".dagster")
    assert (
        sorted(homes["1"]) == sorted(homes["0"]) == ["index.db", "run", "runs.db", "schedules.db"]
    )
    for role, path in homes["1"].items():
        tuned, plain = _schema(path), _schema(homes["0"][role])
        assert tuned == plain, role
        assert tuned[2] == "wal" and tuned[1], role  # WAL mode, stamped with a revision


def test_dagsters_connections_keep_their_wal_and_skip_commit_syncs(tmp_path):
    lake = tmp_path / "lake"
    instance = dagster_instance(Lake(lake))
    result = dg.materialize([greeting, greeting_not_empty], instance=instance)
    assert result.success
    databases = _databases(lake / ".dagster")
    kept = storage_tuning.kept_databases()
    for role in ("runs.db", "index.db", "run"):
        assert str(databases[role]) in kept, role
        assert databases[role].with_name(databases[role].name + "-wal").exists(), role

    def synchronous(path: Path) -> int:  # as Dagster connects: a new SQLAlchemy engine
        engine = sqlalchemy.create_engine(f"sqlite:///{path}", poolclass=sqlalchemy.NullPool)
        with engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA synchronous").scalar()

    elsewhere = tmp_path / "not-dagster.db"
    sqlite3.connect(elsewhere).close()
    assert synchronous(databases["index.db"]) == 1  # NORMAL, in the lake's Dagster home
    assert synchronous(elsewhere) == 2  # FULL, SQLite's default, everywhere else

    storage_tuning.release_keepers()  # the last close checkpoints: no WAL left, nothing lost
    assert not list((lake / ".dagster").rglob("*.db-wal"))
    assert len(instance.all_logs(result.run_id)) > 10
    assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_long_running_process_keeps_a_bounded_number_of_databases_open(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_tuning, "MAX_KEEPERS", 3)
    instance = dagster_instance(Lake(tmp_path / "lake"))
    run_ids = [dg.materialize([greeting], instance=instance).run_id for _ in range(3)]
    kept = storage_tuning.kept_databases()
    assert len(kept) == 3
    assert any(run_ids[-1] in path for path in kept)  # the newest run's database is kept
    assert not any(run_ids[0] in path for path in kept)  # the oldest was let go


@pytest.fixture(autouse=True)
def _release():
    yield
    storage_tuning.release_keepers()
