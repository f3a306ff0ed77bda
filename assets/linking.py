"""The linked history: statuses inferred from comments and an activity_id on every row."""

import dagster as dg
import polars as pl

from assets.ingest import period_snapshot
from pipelines.core.errors import FollowupError
from pipelines.derive import refresh
from pipelines.derive.refresh import history_path, link_lake
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
    try:
        derived, rewritten = link_lake(store, lake.overrides_file())
    except FollowupError as error:
        raise dg.Failure(str(error)) from error
    overrides_path = lake.overrides_file()
    orgs = sorted(derived.snapshots["org"].unique().to_list())
    path = history_path(store)
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
            "overrides": str(overrides_path) if overrides_path.exists() else "none",
            "status_overrides": int((derived.snapshots["status_source"] == "override").sum()),
            "path": dg.MetadataValue.path(str(path)),
        }
    )


def read_history(lake: LakeResource) -> pl.DataFrame:
    return refresh.read_history(lake.lake())
