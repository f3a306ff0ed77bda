"""Transitions, delays and promises of one organisation's linked history (per-org partitions)."""

import dagster as dg

from assets.linking import history
from pipelines.derive.refresh import HISTORY_TABLES, write_org_history_tables
from pipelines.orchestration.partitions import org_partitions
from pipelines.orchestration.resources import LakeResource

TABLE_NAMES = HISTORY_TABLES


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            deps=[history],
            group_name="history",
            kinds={"parquet", "polars"},
            description=f"{name}/org=O/data.parquet, from the org's linked history.",
        )
        for name in TABLE_NAMES
    ],
    partitions_def=org_partitions,
)
def history_tables_assets(context: dg.AssetExecutionContext, lake: LakeResource):
    org = context.partition_key
    for name, (frame, written) in write_org_history_tables(lake.lake(), org).items():
        context.log.info(f"{org} {name}: {frame.height} rows, {written} files updated")
        metadata = {"rows": frame.height, "files_updated": written}
        if name == "transitions" and frame.height:
            counts = frame.group_by("change").len().sort("change")
            metadata["changes"] = dg.MetadataValue.json(dict(counts.iter_rows()))
        yield dg.MaterializeResult(asset_key=name, metadata=metadata)
