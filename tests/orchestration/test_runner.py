"""The lake's own Dagster instance (``dagster_instance``): what other processes see of it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

WORKER = Path(__file__).with_name("dagster_worker.py")
REPO = Path(__file__).resolve().parents[2]


def _env(tuning: str = "1") -> dict:
    env = {**os.environ, "FOLLOWUP_STORAGE_TUNING": tuning, "DAGSTER_DISABLE_TELEMETRY": "1"}
    env.pop("DAGSTER_HOME", None)
    return env


def _worker(lake: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(lake), *extra],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _plain_instance(lake: Path) -> dg.DagsterInstance:
    """The instance as `dg dev` opens it: Dagster alone, from the lake's dagster.yaml."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(lake / ".dagster")))


def _recorded(instance: dg.DagsterInstance, run_id: str) -> tuple:
    run = instance.get_run_by_id(run_id)
    materialised = instance.fetch_materializations(dg.AssetKey("greeting"), limit=10).records
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("greeting"), "greeting_not_empty")]
    )
    return run.status, [r.run_id for r in materialised], list(check.values())


def test_two_processes_creating_a_new_lakes_instance_at_once_both_record_their_run(tmp_path):
    lake, go = tmp_path / "lake", tmp_path / "go"
    workers = [_worker(lake, str(go)) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # both have imported Dagster and wait: they open the new instance together
    run_ids = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=180)
        assert worker.returncode == 0, stderr
        run_ids.append(stdout.strip().splitlines()[-1])

    instance = _plain_instance(lake)
    assert {run.run_id for run in instance.get_runs()} == set(run_ids)
    for run_id in run_ids:
        status, materialised_in, checks = _recorded(instance, run_id)
        assert status == dg.DagsterRunStatus.SUCCESS
        assert run_id in materialised_in
    assert len(checks) == 1  # the latest evaluation of the check, from one of the two runs


def test_a_run_is_read_by_another_process_while_the_writer_still_holds_the_databases(tmp_path):
    """The writer's keeper connections leave its last writes in the WAL: readers see them."""
    from pipelines.lake.store import Lake
    from pipelines.orchestration.runner import dagster_instance

    sys.path.insert(0, str(WORKER.parent))
    try:
        from dagster_worker import greeting, greeting_not_empty
    finally:
        sys.path.remove(str(WORKER.parent))

    lake = tmp_path / "lake"
    instance = dagster_instance(Lake(lake))
    result = dg.materialize([greeting, greeting_not_empty], instance=instance)
    assert result.success
    assert (lake / ".dagster" / "history" / "runs" / "index.db-wal").exists()  # not checkpointed
    reader = (
        "import sys, dagster as dg\n"
        "from dagster._core.instance.ref import InstanceRef\n"
        "i = dg.DagsterInstance.from_ref(InstanceRef.from_dir(sys.argv[1]))\n"
        "run = i.get_run_by_id(sys.argv[2])\n"
        "records = i.fetch_materializations(dg.AssetKey('greeting'), limit=5).records\n"
        "print(run.status.value, len(records), len(i.all_logs(sys.argv[2])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", reader, str(lake / ".dagster"), result.run_id],
        env=_env("0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    status, materialisations, events = done.stdout.split()
    assert (status, materialisations) == ("SUCCESS", "1")
    assert int(events) == len(instance.all_logs(result.run_id)) > 10
