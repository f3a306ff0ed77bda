"""The linked history of one organisation: statuses inferred from comments and an activity_id on
every row. Partitioned by organisation: a new period re-derives that organisation only."""

import dagster as dg
import polars as pl

from assets.ingest import period_snapshot
from pipelines.core.errors import FollowupError
from pipelines.derive import refresh
from pipelines.derive.refresh import link_org
from pipelines.orchestration.partitions import org_dimension_mapping, org_partitions
from pipelines.orchestration.resources import LakeResource


@dg.asset(
    partitions_def=org_partitions,
    deps=[dg.AssetDep(period_snapshot, partition_mapping=org_dimension_mapping)],
    group_name="history",
    kinds={"parquet", "polars"},
    description=(
        "One org's periods, linked: activity_id, inferred statuses and completed on each "
        "snapshot row; links/org=O/, activities/org=O/ and history/org=O/period=P/."
    ),
)
def history(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    store, org = lake.lake(), context.partition_key
    try:
        derived, rewritten = link_org(store, org, lake.overrides_file())
    except FollowupError as error:
        raise dg.Failure(str(error)) from error
    overrides_path = lake.overrides_file()
    links = derived.links
    review = int(links["needs_review"].sum()) if links.height else 0
    context.log.info(
        f"{org}: {derived.snapshots.height} rows, {derived.activities.height} activities, "
        f"{review} links to review, {rewritten} snapshot files updated"
    )
    methods = links.group_by("method").len().sort("method")
    snapshots = derived.snapshots
    return dg.MaterializeResult(
        metadata={
            "rows": snapshots.height,
            "periods": snapshots["period"].n_unique() if snapshots.height else 0,
            "activities": derived.activities.height,
            "needs_review": review,
            "links_by_method": dg.MetadataValue.json(dict(methods.iter_rows())),
            "inferred_statuses": int((snapshots["status_source"] == "inferred").sum()),
            "overrides": str(overrides_path) if overrides_path.exists() else "none",
            "status_overrides": int((snapshots["status_source"] == "override").sum()),
            "path": dg.MetadataValue.path(str(store.root / "history" / f"org={org}")),
        }
    )


def read_history(lake: LakeResource, org: str | None = None) -> pl.DataFrame:
    return refresh.read_history(lake.lake(), org)
