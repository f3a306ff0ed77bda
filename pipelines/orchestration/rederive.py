"""Derive the history again after an analyst's decision, through Dagster.

The same assets the ingest job runs downstream of the snapshots: ``history`` (links, activities,
statuses with the overrides applied), ``transitions``/``delays``/``promises``, and the
controllers' report of the organisation's latest period — materialised in-process on the lake's
own instance, so the runs show in the Dagster UI like any other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pipelines.core.periods import period_sort_key
from pipelines.lake.store import Lake
from pipelines.orchestration.partitions import add_partition_requests, report_partition_key
from pipelines.orchestration.runner import QUIET_LOGS, dagster_instance

_ONE_AT_A_TIME = threading.Lock()
_REPORTS = threading.Lock()


@dataclass
class RederiveOutcome:
    success: bool
    run_id: str
    error: str | None = None


def rederive(lake: Lake, org: str, with_report: bool = True) -> RederiveOutcome:
    """Re-materialise the history (and the org's latest report); returns how the run went."""
    from assets.history import history_tables_assets
    from assets.linking import history

    with _ONE_AT_A_TIME:
        assets = [history, history_tables_assets]
        return _materialize(lake, org, assets, with_report)


def rederive_report(lake: Lake, org: str) -> RederiveOutcome:
    """Only the controllers' report of the org's latest period (after ``rederive``). Runs
    beside history runs: it reads the per-org tables, which are replaced atomically."""
    with _REPORTS:
        return _materialize(lake, org, [], True)


def _materialize(lake: Lake, org: str, assets: list, with_report: bool) -> RederiveOutcome:
    import dagster as dg

    from assets.report import controller_report
    from pipelines.orchestration.resources import LakeResource

    periods = sorted((p for o, p in lake.periods("snapshots") if o == org), key=period_sort_key)
    instance = dagster_instance(lake)
    partition = None
    if with_report and periods:
        for request in add_partition_requests(org, periods[-1]):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        assets = [*assets, controller_report]
        partition = report_partition_key(org, periods[-1])
    if not assets:
        return RederiveOutcome(True, "", None)
    result = dg.materialize(
        assets,
        instance=instance,
        partition_key=partition,
        resources={"lake": LakeResource(root=str(lake.root))},
        run_config=QUIET_LOGS,
        raise_on_error=False,
    )
    error = None
    if not result.success:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        error = "run failed"
        if failures and failures[0].event_specific_data.error:
            error = failures[0].event_specific_data.error.message.strip().splitlines()[-1]
    return RederiveOutcome(result.success, result.run_id, error)
