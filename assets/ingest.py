"""Ingest asset: one org's report for one period, validated, as a snapshot."""

import dagster as dg

from pipelines.derive.refresh import withdraw_blocked
from pipelines.ingest import period as ingest
from pipelines.orchestration.partitions import report_partitions
from pipelines.orchestration.resources import LakeResource


@dg.asset(
    partitions_def=report_partitions,
    group_name="ingest",
    kinds={"parquet", "polars"},
    description=(
        "The valid rows of one org's report for one period (snapshots/org=/period=/); "
        "rejected rows and reader warnings go to quarantine/ with the reason."
    ),
)
def period_snapshot(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    keys = context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    summary = ingest.build_snapshot(lake.lake(), keys["org"], keys["period"])
    if summary["blocked"] and withdraw_blocked(
        lake.lake(), summary["org"], summary["period"], lake.overrides_file()
    ):
        context.log.warning(
            f"{summary['org']} {summary['period']} is blocked ({summary['check']}): its earlier "
            "version was taken out of the history and every derived table"
        )
    context.log.info(
        f"{summary['org']} {summary['period']}: {summary['outcome']}, {summary['valid']} rows, "
        f"{summary['rejected']} quarantined, {summary['warnings']} warnings"
    )
    return dg.MaterializeResult(
        metadata={
            **{k: v for k, v in summary.items() if k not in {"org", "period"}},
            "path": dg.MetadataValue.path(
                str(lake.lake().table_path("snapshots", keys["org"], keys["period"]))
            ),
        }
    )
