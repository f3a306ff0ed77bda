"""Derive the history again after an analyst's decision, through Dagster.

The org's partition of the derived assets (``history``: links, activities, statuses with the
overrides applied; ``transitions``/``delays``/``promises``), then the controllers' report of the
organisation's latest period — materialised in-process on the lake's own instance, so the runs
show in the Dagster UI like any other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pipelines.core.periods import period_sort_key
from pipelines.lake.store import Lake
from pipelines.orchestration.partitions import (
    ORG_TAG,
    add_partition_requests,
    report_partition_key,
)
from pipelines.orchestration.runner import QUIET_LOGS, dagster_instance, first_failure

_ONE_AT_A_TIME = threading.Lock()
_REPORTS = threading.Lock()


@dataclass
class RederiveOutcome:
    success: bool
    run_id: str
    error: str | None = None


def rederive(lake: Lake, org: str, with_report: bool = True) -> RederiveOutcome:
    """Re-materialise the org's history partition (and its latest report); how the run went."""
    from assets.history import history_tables_assets
    from assets.linking import history

    with _ONE_AT_A_TIME:
        outcome = _materialize(lake, org, [history, history_tables_assets], org)
    if outcome.success and with_report:
        return rederive_report(lake, org)
    return outcome


def rederive_report(lake: Lake, org: str) -> RederiveOutcome:
    """Only the controllers' report of the org's latest period (after ``rederive``). Runs
    beside history runs: it reads the per-org tables, which are replaced atomically."""
    from assets.report import controller_report

    periods = sorted((p for o, p in lake.periods("snapshots") if o == org), key=period_sort_key)
    if not periods:
        return RederiveOutcome(True, "", None)
    with _REPORTS:
        return _materialize(
            lake, org, [controller_report], report_partition_key(org, periods[-1]), periods[-1]
        )


def _materialize(
    lake: Lake, org: str, assets: list, partition, period: str | None = None
) -> RederiveOutcome:
    import dagster as dg

    from pipelines.orchestration.resources import LakeResource

    instance = dagster_instance(lake)
    for request in add_partition_requests(org, period) if period else []:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    if not period:
        instance.add_dynamic_partitions("org", [org])
    result = dg.materialize(
        assets,
        instance=instance,
        partition_key=partition,
        resources={"lake": LakeResource(root=str(lake.root))},
        run_config=QUIET_LOGS,
        raise_on_error=False,
        tags={ORG_TAG: org},
    )
    error = None if result.success else (first_failure(result) or "run failed")
    return RederiveOutcome(result.success, result.run_id, error)
