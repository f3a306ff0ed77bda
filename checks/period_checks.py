"""Blocking check on each period's snapshot: a broken period does not flow downstream.

The check itself is decided by the ingest (``pipelines.ingest.period.blocking_check``) and
recorded with the commit in the period's ``_version.json``, so a blocked period stays blocked at
every later run (the derive step leaves it out) until a valid file replaces it; this Dagster
check shows that outcome in the UI and stops this run's downstream assets.
"""

import dagster as dg

from assets.ingest import period_snapshot
from pipelines.orchestration.resources import LakeResource


@dg.asset_check(
    asset=period_snapshot,
    blocking=True,
    description=(
        "The snapshot passes the canonical pandera schema, is not empty, and no more than half "
        "of the report's rows were quarantined. A failed check blocks the period in the lake."
    ),
)
def period_snapshot_valid(
    context: dg.AssetCheckExecutionContext, lake: LakeResource
) -> dg.AssetCheckResult:
    keys = context.op_execution_context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    store = lake.lake()
    record = store.committed_version(keys["org"], keys["period"])
    if record is None:
        return dg.AssetCheckResult(passed=False, description="no committed snapshot")
    check = record.get("check") or {"passed": True, "problems": []}
    return dg.AssetCheckResult(
        passed=bool(check["passed"]),
        description="; ".join(check["problems"]) or "ok",
        metadata={
            "version": record["version"],
            "source_file": record["source_file"],
            "rows": record["rows"],
            "rejected": record["quarantined"],
            "warnings": record["warnings"],
            "blocked": bool(record.get("blocked")),
        },
    )
