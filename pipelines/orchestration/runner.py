"""Run the Dagster job for one period in-process: what `followup ingest` and the demo use.

The sensor launches the very same job (``ingest_period``) through the Dagster daemon.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field

import dagster as dg

from pipelines.lake.store import Lake
from pipelines.orchestration.partitions import add_partition_requests, report_partition_key
from pipelines.orchestration.resources import LakeResource

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def dagster_instance(lake: Lake) -> dg.DagsterInstance:
    """$DAGSTER_HOME's instance if set, else one stored in the lake (<lake>/.dagster)."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    from dagster._core.instance.ref import InstanceRef

    from pipelines.orchestration.storage_tuning import tune_storage

    home = lake.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    tune_storage(home)  # before Dagster opens anything (FOLLOWUP_STORAGE_TUNING=0: not at all)
    # Two processes creating the SQLite storage at once race in its migrations: serialise that.
    with (home / ".init.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        settings = home / "dagster.yaml"
        if not settings.exists():  # the lake's own instance: no telemetry banner
            settings.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))
        instance.get_runs(limit=1)  # touches every storage, so its migrations run here
        fcntl.flock(handle, fcntl.LOCK_UN)
    return instance


@dataclass
class RunOutcome:
    org: str
    period: str
    success: bool
    run_id: str
    failed_checks: list[str] = field(default_factory=list)
    error: str | None = None
    metadata: dict = field(default_factory=dict)


def run_period(lake: Lake, org: str, period: str, instance: dg.DagsterInstance) -> RunOutcome:
    from pipelines.orchestration.definitions import defs

    for request in add_partition_requests(org, period):
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    job = defs.resolve_job_def("ingest_period")
    result = job.execute_in_process(
        instance=instance,
        partition_key=report_partition_key(org, period),
        resources={"lake": LakeResource(root=str(lake.root))},
        run_config=QUIET_LOGS,
        raise_on_error=False,
    )
    failed_checks, metadata = [], {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_checks.append(f"{evaluation.check_name}: {evaluation.description}")
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.path[-1] == "period_snapshot":
                metadata = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
    error = None
    if not result.success:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        if failures and failures[0].event_specific_data.error:
            error = failures[0].event_specific_data.error.message.strip().splitlines()[-1]
    return RunOutcome(org, period, result.success, result.run_id, failed_checks, error, metadata)
