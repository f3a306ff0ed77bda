"""Run the Dagster job for one period in-process: what `followup ingest` and the demo use.

Under the Dagster daemon the inbox sensor launches the same snapshot job and the run-status
sensors chain the org's derive run and the period's report run (pipelines.orchestration.sensors).
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field

import dagster as dg

from pipelines.lake.store import Lake
from pipelines.orchestration.partitions import (
    ORG_TAG,
    PERIOD_TAG,
    add_partition_requests,
    report_partition_key,
)
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
    run_id: str  # the snapshot run's (the first)
    failed_checks: list[str] = field(default_factory=list)
    error: str | None = None
    metadata: dict = field(default_factory=dict)  # the snapshot's materialisation metadata
    run_ids: list[str] = field(default_factory=list)  # every run: snapshot, derive, report


def run_period(
    lake: Lake,
    org: str,
    period: str,
    instance: dg.DagsterInstance,
    derive: bool = True,
    report: bool = True,
) -> RunOutcome:
    """The snapshot run of one org × period, then (when it succeeded) the org's derive run and
    the period's report run — what the daemon's sensors chain, one after the other here."""
    from pipelines.orchestration.definitions import defs

    for request in add_partition_requests(org, period):
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    steps = [("ingest_period", report_partition_key(org, period))]
    if derive:
        steps.append(("derive_org", org))
        if report:
            steps.append(("report_period", report_partition_key(org, period)))
    outcome = RunOutcome(org, period, True, "")
    for job_name, key in steps:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            partition_key=key,
            resources={"lake": LakeResource(root=str(lake.root))},
            run_config=QUIET_LOGS,
            raise_on_error=False,
            tags={ORG_TAG: org, PERIOD_TAG: period},
        )
        outcome.run_ids.append(result.run_id)
        outcome.run_id = outcome.run_id or result.run_id
        _collect(result, outcome)
        if not result.success:
            outcome.success = False
            break
    return outcome


def _collect(result, outcome: RunOutcome) -> None:
    """Failed checks, the snapshot's metadata and the first step failure of one run."""
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                outcome.failed_checks.append(f"{evaluation.check_name}: {evaluation.description}")
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.path[-1] == "period_snapshot":
                outcome.metadata = {
                    k: getattr(v, "value", v) for k, v in materialization.metadata.items()
                }
    if not result.success and outcome.error is None:
        outcome.error = first_failure(result)


def first_failure(result) -> str | None:
    """The last line of the first failed step's error (what a user reads), if a step failed."""
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    if failures and failures[0].event_specific_data.error:
        return failures[0].event_specific_data.error.message.strip().splitlines()[-1]
    return None
