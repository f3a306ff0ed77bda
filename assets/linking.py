"""The linked history: statuses inferred from comments and an activity_id on every row."""

import dagster as dg
import polars as pl

from assets.ingest import period_snapshot
from pipelines.derive.tables import ENRICHMENT_COLUMNS, link_snapshots
from pipelines.lake import store as lake_io
from pipelines.link.linker import load_overrides
from pipelines.orchestration.concurrency import LAKE_HISTORY_POOL
from pipelines.orchestration.resources import LakeResource


@dg.asset(
    deps=[period_snapshot],
    group_name="history",
    pool=LAKE_HISTORY_POOL,
    kinds={"parquet", "polars"},
    description=(
        "Every period of every org, linked: activity_id, inferred statuses and completed on "
        "each snapshot row; links/ and activities/ per org; history/data.parquet with all rows."
    ),
)
def history(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    store = lake.lake()
    snapshots, columns = store.read_snapshots()
    if snapshots.is_empty():
        raise dg.Failure("no snapshots in the lake yet; ingest a report first")
    overrides_path = lake.overrides_file()
    overrides = load_overrides(overrides_path) if overrides_path.exists() else None
    derived = link_snapshots(snapshots, overrides)
    orgs = sorted(derived.snapshots["org"].unique().to_list())
    rewritten = store.update_snapshots(derived.snapshots, columns, list(ENRICHMENT_COLUMNS))
    for table, frame in derived.per_org().items():
        store.write_org_tables(table, frame, orgs)
    path = store.root / "history" / lake_io.DATA_FILE
    lake_io.atomic_write_parquet(derived.snapshots, path)
    links = derived.links
    review = int(links["needs_review"].sum())
    context.log.info(
        f"history: {derived.snapshots.height} rows, {derived.activities.height} activities, "
        f"{review} links to review, {rewritten} snapshot files updated"
    )
    methods = links.group_by("method").len().sort("method")
    return dg.MaterializeResult(
        metadata={
            "rows": derived.snapshots.height,
            "orgs": len(orgs),
            "activities": derived.activities.height,
            "needs_review": review,
            "links_by_method": dg.MetadataValue.json(dict(methods.iter_rows())),
            "inferred_statuses": int((derived.snapshots["status_source"] == "inferred").sum()),
            "overrides": str(overrides_path) if overrides is not None else "none",
            "path": dg.MetadataValue.path(str(path)),
        }
    )


def read_history(lake: LakeResource) -> pl.DataFrame:
    return pl.read_parquet(lake.lake().root / "history" / lake_io.DATA_FILE)
