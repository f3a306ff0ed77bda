"""Blocking checks on each period's snapshot: a broken period does not flow downstream."""

import dagster as dg
import pandera.errors
import polars as pl

from assets.ingest import period_snapshot
from checks.schemas import CanonicalRows
from pipelines.orchestration.resources import LakeResource

MAX_REJECTED_SHARE = 0.5  # more than half the rows quarantined: the file is probably not a report


@dg.asset_check(
    asset=period_snapshot,
    blocking=True,
    description=(
        "The snapshot passes the canonical pandera schema, is not empty, and no more than half "
        "of the report's rows were quarantined."
    ),
)
def period_snapshot_valid(
    context: dg.AssetCheckExecutionContext, lake: LakeResource
) -> dg.AssetCheckResult:
    keys = context.op_execution_context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    store = lake.lake()
    snapshot = pl.read_parquet(store.table_path("snapshots", keys["org"], keys["period"]))
    quarantine = pl.read_parquet(store.table_path("quarantine", keys["org"], keys["period"]))
    rejected = int((quarantine["kind"] == "rejected").sum())
    total = snapshot.height + rejected
    share = rejected / total if total else 1.0
    problems = []
    try:
        CanonicalRows.validate(snapshot, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        problems.append(f"schema: {errors.failure_cases.height} failures")
    if snapshot.is_empty():
        problems.append("no valid rows")
    if share > MAX_REJECTED_SHARE:
        problems.append(f"{share:.0%} of rows quarantined (limit {MAX_REJECTED_SHARE:.0%})")
    unknown = float((snapshot["status"] == "unknown").mean()) if snapshot.height else 0.0
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or "ok",
        metadata={
            "rows": snapshot.height,
            "rejected": rejected,
            "rejected_share": share,
            "warnings": int((quarantine["kind"] == "warning").sum()),
            "unknown_status_share": unknown,
        },
    )
