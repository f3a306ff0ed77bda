"""Transitions, delays and promises of the linked history, one folder per org."""

import dagster as dg

from assets.linking import history
from pipelines.derive.refresh import HISTORY_TABLES, write_history_tables
from pipelines.orchestration.concurrency import LAKE_HISTORY_POOL
from pipelines.orchestration.resources import LakeResource

TABLE_NAMES = HISTORY_TABLES


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            deps=[history],
            group_name="history",
            kinds={"parquet", "polars"},
            description=f"{name}/org=O/data.parquet, from the linked history.",
        )
        for name in TABLE_NAMES
    ],
    pool=LAKE_HISTORY_POOL,
)
def history_tables_assets(context: dg.AssetExecutionContext, lake: LakeResource):
    for name, (frame, written) in write_history_tables(lake.lake()).items():
        context.log.info(f"{name}: {frame.height} rows, {written} org files updated")
        metadata = {"rows": frame.height, "org_files_updated": written}
        if name == "transitions" and frame.height:
            counts = frame.group_by("change").len().sort("change")
            metadata["changes"] = dg.MetadataValue.json(dict(counts.iter_rows()))
        yield dg.MaterializeResult(asset_key=name, metadata=metadata)
