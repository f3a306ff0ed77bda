"""Cross-period checks on the unpartitioned history (never on partitions: see STACK.md)."""

import dagster as dg
import polars as pl

from assets.linking import read_history
from pipelines.derive.consistency import (
    returned_after_completion,
    unaccounted_activities,
    unknown_share,
)
from pipelines.orchestration.resources import LakeResource
from pipelines.query import History


def _transitions(lake: LakeResource) -> pl.DataFrame:
    return History(lake.lake().root).transitions().collect()


@dg.asset_check(
    asset="transitions",
    description=(
        "Every activity of a period is present in the org's next period or recorded as "
        "dropped/completed; the share of unknown statuses per org is reported."
    ),
)
def previous_activities_accounted_for(lake: LakeResource) -> dg.AssetCheckResult:
    linked = read_history(lake)
    missing = unaccounted_activities(linked, _transitions(lake))
    return dg.AssetCheckResult(
        passed=missing.is_empty(),
        description=f"{missing.height} activities vanish without a dropped/completed record",
        metadata={
            "unaccounted": missing.height,
            "examples": dg.MetadataValue.json(missing.head(10).to_dicts()),
            "unknown_status_share_latest_period": dg.MetadataValue.json(unknown_share(linked)),
        },
    )


@dg.asset_check(
    asset="transitions",
    description="Flags activities reported completed that come back in a later report.",
)
def completed_activities_stay_completed(lake: LakeResource) -> dg.AssetCheckResult:
    back = returned_after_completion(read_history(lake), _transitions(lake))
    return dg.AssetCheckResult(
        passed=back.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{back.height} completed activities came back",
        metadata={
            "returned": back.height,
            "examples": dg.MetadataValue.json(back.head(10).to_dicts()),
        },
    )
